"""`jeugdmonitor fetch` finds CBS's yearly tables in the catalogue (issue: recent years online).

The jeugdzorg tables are the real 2021 (85075NED) and 2022 (85335NED) rows in `raw/`, with CBS's
own keys (`tests/cbs_fixture.py`); further years are copies of them with another period, title,
status, or a renamed or missing column. Everything runs from mirrors or a local HTTP server.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from cbs_fixture import (
    CATALOG,
    JZ_TITLE,
    catalog_entry,
    odata_tables,
    real_jeugdzorg,
    serve,
    write_mirror,
    yearly_copy,
    yearly_mirror,
)
from pytest_httpserver import HTTPServer
from test_fetch import assert_untouched, snapshot

from jeugdmonitor import cli
from jeugdmonitor.analysis import indicators
from jeugdmonitor.analysis.update import run_fetch
from jeugdmonitor.data import history, store
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.sources import cbs
from jeugdmonitor.data.sources import cbs_catalog as cat
from jeugdmonitor.data.sources import jeugdzorg as jz_source
from jeugdmonitor.data.sources.crosswalk import load_crosswalk
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import jeugdzorg

QUIET = {"progress": lambda _: None}
KEYS = ["indicator", "gemeente_code", "year", "breakdown"]
JZ = ["jeugdzorg", "jeugdzorg_huishouden", "jeugdzorg_verwijzer"]


@pytest.fixture(scope="module")
def real():
    return {"85075NED": real_jeugdzorg(2021), "85335NED": real_jeugdzorg(2022)}


def fetch_mirror(tmp_path: Path, data: Path, tables: dict, **kw) -> str:
    mirror = write_mirror(tmp_path / "mirror", tables)
    return run_fetch(data, mirror=mirror, fetch_maps=False, use_crosswalk=True, **QUIET, **kw)


def jz_rows(data: Path, year: int) -> pl.DataFrame:
    return (
        pl.read_parquet(data / "indicators.parquet")
        .filter(pl.col("indicator").is_in(JZ) & (pl.col("year") == year))
        .sort(KEYS)
    )


# ------------------------------------------------------------------------------- acceptance


def test_acceptance_a_2023_table_found_in_the_catalogue(tmp_path, data_copy, capsys):
    """The catalogue lists 85335NED (2022) and 86000NED (2023, 85335NED's rows): the plan lists
    both; the fetch makes GM0344's jeugdzorg 2023 real with 86000NED in its source; the report's
    trend CSV shows 2021, 2022 and 2023 for GM0344."""
    mirror = yearly_mirror(tmp_path / "M")
    before = snapshot(data_copy)
    assert cli.main(["fetch", "--plan", "--mirror", str(mirror), "--data", str(data_copy)]) == 0
    plan = capsys.readouterr().out
    listed = plan.split("Tables and years that would be fetched:")[1].split("Indicators")[0]
    assert "85335NED   2022" in listed and "86000NED   2023" in listed
    assert "jeugdzorg (age=0-4, age=12-18, age=4-12, all): 2022-2023" in plan
    assert "problematiek: 2020-2024" in plan.split("Stays simulated:")[1]
    assert_untouched(data_copy, before)  # the plan writes nothing

    args = ["fetch", "--mirror", str(mirror), "--data", str(data_copy), "--no-maps", "--crosswalk"]
    assert cli.main(args) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert (
        "CBS 86000NED (Jongeren met jeugdzorg en jeugdzorgtrajecten in natura; wijken, 2023): "
        "2023 voorlopig" in out
    )
    rows = pl.read_parquet(data_copy / "indicators.parquet").filter(
        (pl.col("gemeente_code") == "GM0344")
        & (pl.col("indicator") == "jeugdzorg")
        & (pl.col("year") == 2023)
    )
    assert rows.height == 4 and not rows["is_simulated"].any()
    assert rows["source"].str.contains("CBS 86000NED, 2023 (voorlopig)", literal=True).all()
    st = store.open_store(data_copy)
    shown = indicators.level_values(st, "jeugdzorg", "gemeente").filter(
        (pl.col("region_code") == "GM0344") & (pl.col("year") == 2023)
    )
    assert shown.height == 4 and not shown["is_simulated"].any()

    out_dir = tmp_path / "report"
    assert (
        cli.main(["report", "--region", "GM0344", "--data", str(data_copy), "--out", str(out_dir)])
        == 0
    )
    (trend_csv,) = (out_dir / "GM0344_csv").glob("jeugdzorg_trend_*.csv")
    trend = pl.read_csv(trend_csv, separator=";", infer_schema=False, encoding="utf8-lossy")
    mine = trend.filter(
        (pl.col("regiocode") == "GM0344")
        & (pl.col("indicator") == "jeugdzorg")
        & (pl.col("uitsplitsing") == "all")
    )
    assert {"2021", "2022", "2023"} <= set(mine["jaar"])
    assert (mine.filter(pl.col("jaar") == "2023")["gesimuleerd"] == "false").all()


# --------------------------------------------------------------------- real rows, old title


def test_real_2021_and_2022_tables_give_the_build_counts(tmp_path, data_copy, real):
    """85075NED has the older title without 'in natura'; the series finds it, and the fetched 2021
    and 2022 rows equal the build's, which read the same rows from raw/ by another route: the same
    counts, denominators (the estimated population in data/; verwijzers ÷ the 8 categories), 0-17
    estimate for suppressed age cells ('aantal deels geschat') and coverage notes.

    Narrowed for gemeenten formed by a merger after the year: the build weighs their former parts
    by an estimated population of each former gemeente (from raw/), which data/ does not hold and
    the fetch cannot make (03759ned gives it when fetched). So the fetch builds those only when
    every part has the count; their youths are data/'s 2024 gemeente, rounded once, where the build
    rounds per part (at most 1 youth per age group per part)."""
    built = pl.read_parquet(data_copy / "indicators.parquet")
    assert "in natura" not in real["85075NED"][CATALOG]["Title"]
    summary = fetch_mirror(tmp_path, data_copy, real)
    assert (
        "CBS 85075NED (Jongeren met jeugdzorg en jeugdzorgtrajecten; wijken, 2021): 2021 "
        in summary
    )
    crosswalk = load_crosswalk().filter(pl.col("old_code").is_not_null())
    cols = [*KEYS, "numerator", "denominator", "is_estimate", "coverage", "note", "partly"]
    partly = pl.col("source").str.ends_with(jz_source.PARTLY_ESTIMATED).alias("partly")
    for year in (2021, 2022):
        got = jz_rows(data_copy, year).with_columns(partly).select(cols)
        want = (
            built.filter(pl.col("indicator").is_in(JZ) & (pl.col("year") == year))
            .sort(KEYS)
            .with_columns(partly)
            .select(cols)
        )
        table = real[("85075NED", "85335NED")[year - 2021]]["TypedDataSet"]
        own_codes = {r["Wijken"].strip() for r in table}  # a former gemeente still in the table
        merged = pl.col("gemeente_code").is_in(
            crosswalk.filter(pl.col("old_code").is_in(own_codes))["gm_code"].implode()
        )
        assert got.height > 4000 and got["partly"].sum() >= 10 and got["note"].is_null().all()
        assert got.filter(~merged).equals(want.filter(~merged)), year
        # merged after the year: each row the build has from every part, and none other
        got_m, want_m = got.filter(merged), want.filter(merged)
        assert want_m.filter(pl.col("note").is_null()).select(KEYS).equals(got_m.select(KEYS))
        assert want_m["note"].is_not_null().sum() >= 3 and got_m.height >= 20
        both = got_m.join(want_m, on=KEYS, suffix="_built")
        assert both["numerator"].equals(both["numerator_built"])
        off = (both["denominator"] - both["denominator_built"]).abs()
        youth = both["indicator"] == "jeugdzorg"
        assert off.filter(~youth).max() == 0 and off.filter(youth).max() <= 3
        assert (
            jz_rows(data_copy, year)["source"]
            .str.starts_with(f"CBS {('85075NED', '85335NED')[year - 2021]}, {year} (definitief): ")
            .all()
        )
    estimated = jz_rows(data_copy, 2022).filter(pl.col("indicator") == "jeugdzorg")
    # no 03759ned in this catalogue: the estimate in data/ is the denominator, and says so
    assert estimated["is_estimate"].all()
    assert estimated["source"].str.contains("÷ geschatte bevolking").all()
    verwijzer = jz_rows(data_copy, 2022).filter(pl.col("indicator") == "jeugdzorg_verwijzer")
    assert verwijzer["source"].str.contains("÷ de 8 verwijzers samen]", literal=True).all()


# ------------------------------------------------------------------- third year, new shapes


def test_a_third_year_with_a_renamed_column(tmp_path, data_copy, real):
    """2023's table calls the 0-4 column `JongerenVan0Tot4Jaar_2` (same title): the mapping finds it
    by its title. Without the title alternative the fetch stops naming table, year and column."""
    tables = dict(real)
    tables["86100NED"] = yearly_copy(
        real, "85335NED", "86100NED", 2023, rename={"k_0Tot4Jaar_2": "JongerenVan0Tot4Jaar_2"}
    )
    fetch_mirror(tmp_path, data_copy, tables)
    got, y2022 = jz_rows(data_copy, 2023), jz_rows(data_copy, 2022)
    young = [g.filter(pl.col("breakdown") == "age=0-4") for g in (got, y2022)]
    assert young[0].height > 300
    assert young[0]["numerator"].equals(young[1]["numerator"])  # 85335NED's rows, period 2023
    assert young[0]["source"].str.contains("[JongerenVan0Tot4Jaar_2]", literal=True).all()

    mapping = tmp_path / "keys_only.csv"
    pl.read_csv(cbs.default_mapping(), infer_schema=False).with_columns(
        pl.col("column").str.replace_all(r" \| title=[^+]*", "")
    ).write_csv(mapping)
    before = snapshot(data_copy)
    with pytest.raises(cbs.CbsError) as err:
        fetch_mirror(tmp_path / "again", data_copy, tables, mapping=mapping)
    assert "CBS 86100NED (2023): column 'k_0Tot4Jaar_*' is not in its DataProperties" in str(
        err.value
    )
    assert "keys_only.csv row 15 (jeugdzorg, all, numerator)" in str(err.value)
    assert_untouched(data_copy, before)


def test_a_missing_column_stops_the_fetch_and_leaves_data_untouched(tmp_path, data_copy, real):
    tables = dict(real)
    tables["86100NED"] = yearly_copy(real, "85335NED", "86100NED", 2023, drop=("Huisarts_11",))
    before = snapshot(data_copy)
    with pytest.raises(cbs.CbsError) as err:
        fetch_mirror(tmp_path, data_copy, tables)
    text = str(err.value)
    assert (
        "CBS 86100NED (2023): column 'Huisarts_* | title=Huisarts' is not in its DataProperties"
        in text
    )
    assert "(jeugdzorg_verwijzer, verwijzer=huisarts, numerator)" in text
    assert_untouched(data_copy, before)


def test_two_candidates_for_a_column_is_an_error(tmp_path, data_copy, real):
    """A near miss is never taken: two topics matching one column stop the fetch."""
    tables = dict(real)
    third = yearly_copy(real, "85335NED", "86100NED", 2023)
    third["DataProperties"].append(
        {
            "ID": 99,
            "Type": "Topic",
            "Key": "k_0Tot4Jaar_30",
            "Title": "0 tot 4 jaar",
            "Unit": "aantal",
        }
    )
    for row in third["TypedDataSet"]:
        row["k_0Tot4Jaar_30"] = row["k_0Tot4Jaar_2"]
    tables["86100NED"] = third
    before = snapshot(data_copy)
    with pytest.raises(cbs.CbsError, match=r"86100NED \(2023\): column 'k_0Tot4Jaar_\* \| title=0 tot 4 jaar' "
                       r"is ambiguous .*k_0Tot4Jaar_2, k_0Tot4Jaar_30 all match"):  # fmt: skip
        fetch_mirror(tmp_path, data_copy, tables)
    assert_untouched(data_copy, before)


def test_provisional_year_becomes_definitive_on_the_next_fetch(tmp_path, data_copy, real):
    """2023 is first voorlopig, then definitief with revised counts: the second fetch replaces the
    year, says so, and the voorlopig figures stay in the history."""
    first = dict(real, **{"86000NED": yearly_copy(real, "85335NED", "86000NED", 2023)})
    fetch_mirror(tmp_path / "a", data_copy, first, years=[2023])
    provisional = jz_rows(data_copy, 2023)
    assert provisional["source"].str.contains("(voorlopig)", literal=True).all()

    second = dict(real, **{"86000NED": yearly_copy(
        real, "85335NED", "86000NED", 2023, status="Definitief", scale=1.1)})  # fmt: skip
    summary = fetch_mirror(tmp_path / "b", data_copy, second, years=[2023])
    assert "Replaced: jeugdzorg 2023: voorlopig → definitief" in summary
    final = jz_rows(data_copy, 2023)
    assert final["source"].str.contains("(definitief)", literal=True).all()
    assert not final["source"].str.contains("voorlopig").any()
    utrecht = [f.filter((pl.col("gemeente_code") == "GM0344") & (pl.col("breakdown") == "age=4-12"))
               ["numerator"].item() for f in (provisional, final)]  # fmt: skip
    assert utrecht[1] == 5 * round(utrecht[0] * 1.1 / 5) != utrecht[0]
    kept = history.versions(data_copy)[-1]
    old = pl.read_parquet(kept.saved("indicators.parquet")).filter(
        pl.col("indicator").is_in(JZ) & (pl.col("year") == 2023)
    )
    assert old.sort(KEYS).equals(provisional)


# -------------------------------------------------------------------------------- catalogue


def test_plan_reads_only_the_catalogue(data_copy, specs_http):
    http, tables = specs_http
    requested = serve(http, tables)
    before = snapshot(data_copy)
    text = run_fetch(data_copy, base_url=http.url_for("/"), plan_only=True, **QUIET)
    assert [u.split("?")[0].rsplit("/", 2)[-2:] for u in requested] == [["ODataCatalog", "Tables"]]
    assert "03759ned   2023-2024" in text and "85098NED   2023-2024" in text
    assert "Not in the catalogue, skipped: series jeugdzorg_wijken" in text
    assert "jeugdhulp (all): 2023-2024; denominator: population CBS 03759ned for 2023-2024" in text
    assert "jeugdhulp_zorgvorm: 2020-2024" in text.split("Stays simulated:")[1]
    assert_untouched(data_copy, before)


@pytest.fixture()
def specs_http(data_dir):
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    specs = cbs.load_mapping(
        None,
        set(pl.read_parquet(data_dir / "catalogue.parquet")["indicator"]),
        set(pl.read_parquet(data_dir / "breakdowns.parquet")["breakdown"]),
    )
    tables = odata_tables(specs, pl.read_parquet(data_dir / "population.parquet"), [2023, 2024])
    yield srv, tables
    srv.clear()
    srv.stop()


def test_save_mirror_writes_the_catalogue_and_periods(
    tmp_path, data_copy, data_dir, specs_http, real
):
    """An online fetch saved as a mirror (catalog/Tables.json beside cbs/<table>/) fetches the
    same from that mirror; with 03759ned fetched, the population denominator is real and named."""
    http, tables = specs_http
    tables = {**tables, "86000NED": yearly_copy(real, "85335NED", "86000NED", 2023)}
    serve(http, tables)
    saved = tmp_path / "saved"
    run_fetch(data_copy, base_url=http.url_for("/"), save_mirror=saved, fetch_maps=False,
              use_crosswalk=True, **QUIET)  # fmt: skip
    doc = json.loads((saved / "catalog" / "Tables.json").read_text())
    assert {t["Identifier"] for t in doc["value"]} == {"03759ned", "85098NED", "86000NED"}
    assert (
        json.loads((saved / "cbs" / "86000NED" / "Perioden.json").read_text())["value"][0]["Status"]
        == "Voorlopig"
    )
    online = pl.read_parquet(data_copy / "indicators.parquet")
    jz = online.filter((pl.col("indicator") == "jeugdzorg") & (pl.col("year") == 2023))
    assert jz.height > 1000 and not jz["is_estimate"].any()  # real 0-17 population (03759ned)
    assert jz["source"].str.ends_with(", aantal deels geschat").sum() >= 10  # a filled-in count
    assert (
        jz["source"].str.contains("; CBS 03759ned, 1 januari 2023 (definitief)", literal=True).all()
    )
    st = store.open_store(data_copy)
    figure = next(
        f
        for f in jeugdzorg.build(st, get_region(st, "GM0344")).figures
        if f.key == "jeugdzorg_leeftijd"
    )
    assert "CBS 03759ned, 1 januari 2023 (definitief)" in figure.source  # the figure says which
    assert "schatting" not in figure.source

    again = shutil.copytree(data_dir, tmp_path / "data2")
    run_fetch(again, mirror=saved, fetch_maps=False, use_crosswalk=True, **QUIET)
    assert pl.read_parquet(again / "indicators.parquet").equals(online)


def test_catalogue_rules():
    """One table per year of a series; a stopped table gives way; years from Period or title."""
    pattern = (
        r"Jongeren met jeugdzorg en jeugdzorgtrajecten( \(?in natura\)?)?; wijken, (?P<year>\d{4})"
    )
    w = cat.Wanted("jeugdzorg_wijken", pattern, (15,))
    rows = [
        catalog_entry("85335NED", JZ_TITLE.format(year=2022), "2022"),
        catalog_entry("86000NED", JZ_TITLE.format(year=2023), ""),  # year from the title
        catalog_entry(
            "85075NED", "Jongeren met jeugdzorg en jeugdzorgtrajecten; wijken, 2021", "2021"
        ),
        catalog_entry("84000NED", "Jongeren met jeugdzorg; wijken, 2019", "2019"),  # other series
    ]
    catalog = cat.read_catalog(rows, "test")
    plan = cat.make_plan(catalog, [w], None, 2020)
    assert [(t.table.identifier, t.years) for t in plan.tables] == [
        ("85075NED", (2021,)), ("85335NED", (2022,)), ("86000NED", (2023,)),
    ]  # fmt: skip
    assert [t.table.identifier for t in cat.make_plan(catalog, [w], [2023], 2020).tables] == [
        "86000NED"
    ]
    twice = cat.read_catalog(
        [*rows, catalog_entry("86001NED", JZ_TITLE.format(year=2023), "2023")], "t"
    )
    with pytest.raises(cat.CatalogError, match="2 tables for 2023: 86000NED, 86001NED"):
        cat.make_plan(twice, [w], None, 2020)
    stopped = cat.read_catalog(
        [
            *rows,
            catalog_entry(
                "86001NED", JZ_TITLE.format(year=2023), "2023", status="Gestopt, stopgezet"
            ),
        ],
        "t",
    )
    chosen = [t.table.identifier for t in cat.make_plan(stopped, [w], [2023], 2020).tables]
    assert chosen == ["86000NED"]
    assert cat.period_years("2015 - 2023*") == tuple(range(2015, 2024))
    statuses = cat.period_status(
        [{"Key": "2022JJ00", "Title": "2022"}, {"Key": "2023JJ00", "Title": "2023*"},
         {"Key": "2024JJ00", "Title": "2024**"}, {"Key": "2024KW01", "Title": "2024 1e kw"}],
        "Perioden", "t",
    )  # fmt: skip
    assert statuses == {2022: "definitief", 2023: "voorlopig", 2024: "nader voorlopig"}


def test_a_mirror_without_catalogue_says_what_is_missing(tmp_path, data_copy, real):
    mirror = write_mirror(tmp_path / "m", copy.deepcopy(real))
    (mirror / "catalog" / "Tables.json").unlink()
    with pytest.raises(cbs.CbsError, match=r"no file catalog/Tables.json \(the CBS catalogue"):
        run_fetch(data_copy, mirror=mirror, fetch_maps=False, **QUIET)


def test_trend_marks_provisional_years_and_the_break():
    """The trend chart labels provisional years with '*' and draws the break band only when years
    on both sides are shown."""
    rows = pl.DataFrame(
        {
            "year": [2020, 2021, 2022, 2023],
            "serie": ["Jeugdhulp"] * 4,
            "gebied": ["Utrecht"] * 4,
            "rol": ["regio"] * 4,
            "rate": [0.1, 0.11, 0.12, 0.13],
            "ci_low": [0.09] * 4,
            "ci_high": [0.14] * 4,
            "numerator": [10, 11, 12, 13],
            "denominator": [100] * 4,
            "significant": [None] * 4,
        },
        schema_overrides={"significant": pl.String},
    )
    spec = charts.trend(
        rows, series=["Jeugdhulp"], description="t", provisional=[2023], break_before=2021
    )
    values = spec.to_dict()["datasets"]
    years = [r["year"] for r in values["rows"]]
    assert years == ["2020", "2021", "2022", "2023*"]
    assert values["breaks"] == [{"van": "2020", "tot": "2021"}]
    later = charts.trend(rows.filter(pl.col("year") >= 2021), series=["Jeugdhulp"], description="t",
                         break_before=2021)  # fmt: skip
    assert later.to_dict()["datasets"]["breaks"] == []


def test_split_gemeente_with_crosswalk_leaves_its_successors_without_that_year(
    data_copy, specs_http
):
    """Haaren (split in 2021) in a 2023 row: without --crosswalk an error; with it, Oisterwijk,
    Vught, Boxtel and Tilburg get no figure for 2023 (a share of Haaren would be a guess), and
    2024 is fetched as usual."""
    http, tables = specs_http
    tables = copy.deepcopy(tables)
    rows = tables["85098NED"]["TypedDataSet"]
    haaren = next(
        r for r in rows if r["RegioS"].strip() == "GM0824" and r["Perioden"] == "2023JJ00"
    )
    haaren["RegioS"] = "GM0788  "  # Oisterwijk's 2023 row published under Haaren's code
    serve(http, tables)
    before = snapshot(data_copy)
    kw = {"base_url": http.url_for("/"), "fetch_maps": False, **QUIET}
    with pytest.raises(cbs.CbsError, match="'GM0788'.*Haaren.*cannot be divided"):
        run_fetch(data_copy, **kw)
    assert_untouched(data_copy, before)
    run_fetch(data_copy, use_crosswalk=True, **kw)
    got = pl.read_parquet(data_copy / "indicators.parquet").filter(
        (pl.col("indicator") == "jeugdhulp") & pl.col("year").is_in([2023, 2024])
    )
    successors = ["GM0824", "GM0865", "GM0757", "GM0855"]
    assert got.filter(
        pl.col("gemeente_code").is_in(successors) & (pl.col("year") == 2023)
    ).is_empty()
    assert (
        got.filter(pl.col("gemeente_code").is_in(successors) & (pl.col("year") == 2024)).height == 4
    )
    assert got.filter(pl.col("year") == 2023).height >= 342 - 4 - 1
