"""`jeugdmonitor fetch`: CBS OData v3 over a local HTTP server and from a mirror; bad responses.

Every test works on a private copy of data/ and checks that a failed fetch leaves it byte-for-byte
as it was. The server (pytest-httpserver on 127.0.0.1) serves CBS-shaped responses made by
`tests/cbs_fixture.py`, with `odata.nextLink` paging.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import polars as pl
import pytest
from cbs_fixture import (
    EMPTY_CELL,
    RAW,
    expected_counts,
    odata_tables,
    real_85335ned,
    serve,
    write_mirror,
)
from pytest_httpserver import HTTPServer

from jeugdmonitor import cli
from jeugdmonitor.analysis import indicators
from jeugdmonitor.analysis.update import run_fetch
from jeugdmonitor.data import store
from jeugdmonitor.data.sources import cbs
from jeugdmonitor.data.sources import crosswalk as cw
from jeugdmonitor.data.sources.download import DownloadError

YEARS = [2023, 2024]
PAGE = 1000


@pytest.fixture(scope="module")
def server():
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture()
def http(server):
    server.clear()
    yield server
    server.clear()


@pytest.fixture(scope="module")
def specs(data_dir):
    return cbs.load_mapping(
        None,
        set(pl.read_parquet(data_dir / "catalogue.parquet")["indicator"]),
        set(pl.read_parquet(data_dir / "breakdowns.parquet")["breakdown"]),
    )


@pytest.fixture(scope="module")
def odata(specs, data_dir):
    return odata_tables(specs, pl.read_parquet(data_dir / "population.parquet"), YEARS)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def fetch_http(server: HTTPServer, data: Path, **kw):
    return run_fetch(
        data,
        base_url=server.url_for("/"),
        years=YEARS,
        fetch_maps=False,
        progress=lambda _: None,
        **kw,
    )


def assert_untouched(data: Path, before: dict[str, bytes]) -> None:
    assert snapshot(data) == before
    leftovers = [
        p.name for p in data.parent.iterdir() if p.name.startswith(f".{data.name}-update-")
    ]
    assert leftovers == []


# ------------------------------------------------------------------------------ happy paths


def test_http_fetch_follows_paging_and_replaces_only_fetched_slices(http, data_copy, odata, specs):
    requested = serve(http, odata, page_size=PAGE)
    for name in ("gemeente_2024", "jeugdregio_2024", "provincie_2024"):
        http.expect_request(f"/maps/{name}.topojson").respond_with_data(
            (RAW / "cartomap" / f"{name}.topojson").read_bytes()
        )
    before = pl.read_parquet(data_copy / "indicators.parquet")
    readme = (data_copy / "README.md").read_bytes()

    summary = run_fetch(
        data_copy,
        base_url=http.url_for("/"),
        map_url=http.url_for("/maps"),
        years=YEARS,
        progress=lambda _: None,
    )

    pages = [u for u in requested if "03759ned/TypedDataSet" in u]
    assert len(pages) == math.ceil(len(odata["03759ned"]["TypedDataSet"]) / PAGE) > 1
    first = pages[0]
    assert "substringof('GM',RegioS)" in first and "Perioden eq '2023JJ00'" in first
    assert "Leeftijd eq '10010'" in first and "$select=" in first
    assert store.validate(data_copy) == []
    assert (data_copy / "README.md").read_bytes() == readme

    after = pl.read_parquet(data_copy / "indicators.parquet")
    real = after.filter(
        ~pl.col("is_simulated")
        & pl.col("year").is_in(YEARS)
        & ~pl.col("source").str.starts_with("DUO")
    )  # (the DUO 2024 pupils were real before the fetch)
    assert set(real["indicator"].unique()) == {"jeugdhulp", "jeugdbescherming"}
    assert real["is_estimate"].all()  # counts derived from percentages
    assert set(real["breakdown"].unique()) == {"all"} and set(real["year"].unique()) == set(YEARS)
    assert real["source"].str.contains(r"^CBS 85098NED, 202[34] \(definitief\): ").all()
    assert real["source"].str.contains("Jeugdzorg, indicatoren, gemeenten").all()  # its title
    assert real["source"].str.contains("percentage × bevolking CBS 03759ned").all()

    want = expected_counts(odata, specs)
    got = real.select("indicator", "breakdown", "gemeente_code", "year", "numerator", "denominator")
    cols = ["indicator", "gemeente_code", "year"]
    assert got.sort(cols).equals(want.select(got.columns).sort(cols))
    # CBS left one cell empty: that gemeente-year has no row rather than a simulated one.
    gm, year = EMPTY_CELL
    assert after.filter(
        (pl.col("gemeente_code") == gm)
        & (pl.col("year") == year)
        & (pl.col("indicator") == "jeugdhulp")
        & (pl.col("breakdown") == "all")
    ).is_empty()
    # Everything not fetched is exactly as before (values and simulated flag).
    untouched = ~(
        (pl.col("indicator").is_in(["jeugdhulp", "jeugdbescherming"]))
        & (pl.col("breakdown") == "all")
        & pl.col("year").is_in(YEARS)
    )
    assert after.filter(untouched).equals(before.filter(untouched))
    duo = pl.col("source").str.starts_with("DUO")  # real before the fetch (2024)
    assert after.filter(untouched & pl.col("year").is_in(YEARS) & ~duo)["is_simulated"].all()

    pop = pl.read_parquet(data_copy / "population.parquet")
    fetched = pop.filter(pl.col("year").is_in(YEARS) & (pl.col("age_group") != "18-23"))
    assert (
        not fetched["is_estimate"].any() and fetched["source"].str.starts_with("CBS 03759ned").all()
    )
    assert pop.filter(~pl.col("year").is_in(YEARS))["is_estimate"].all()  # other years untouched
    rows = pl.DataFrame(odata["03759ned"]["TypedDataSet"]).filter(
        (pl.col("RegioS").str.strip_chars() == "GM0363")
        & (pl.col("Perioden") == "2024JJ00")
        & pl.col("Leeftijd").is_in(["11200", "11300", "11400", "11500", "11600", "11700"])
    )
    assert (
        pop.filter(
            (pl.col("gemeente_code") == "GM0363")
            & (pl.col("age_group") == "12-18")
            & (pl.col("year") == 2024)
        )["population"].item()
        == rows["BevolkingOp1Januari_1"].sum()
    )
    assert "Population: CBS 1 January, 2023-2024" in summary


def test_mirror_fetch_acceptance_via_cli(tmp_path, data_copy, odata, capsys):
    """After a fetch from a mirror: validate passes and region figures built on real rows are real."""
    mirror = write_mirror(tmp_path / "mirror", odata)
    code = cli.main(
        ["fetch", "--mirror", str(mirror), "--data", str(data_copy), "--years", "2023-2024"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[1/2] CBS 03759ned" in out and "jeugdhulp all (" in out
    # the yearly jeugdzorg tables exist for 2021-2022 only: asked for 2023-2024 none is fetched
    assert "Not in the catalogue, skipped: series jeugdzorg_wijken" in out
    assert "simulated" in out  # the summary lists what is still simulated
    assert cli.main(["validate", str(data_copy)]) == 0

    st = store.open_store(data_copy)
    nl = indicators.level_values(st, "jeugdhulp", "nederland")
    real = nl.filter((pl.col("breakdown") == "all") & pl.col("year").is_in(YEARS))
    assert real.height == 2 and not real["is_simulated"].any()
    assert real["source"].str.contains("85098NED").all()
    old = nl.filter((pl.col("breakdown") == "all") & (pl.col("year") == 2022))
    assert old["source"].str.contains("85098NED, 2022").all()  # the build's real year stays
    jr = indicators.level_values(st, "jeugdhulp", "jeugdregio").filter(
        (pl.col("breakdown") == "all") & (pl.col("year") == 2024)
    )
    assert jr.height == 42 and not jr["is_simulated"].any()
    # The mirror's maps are the 2024 maps: the rebuilt map files are byte-identical.
    for level in ("gemeente", "swv_po", "provincie"):
        assert (data_copy / "geo" / f"{level}.topojson").read_bytes() == (
            Path(__file__).resolve().parent.parent / "data" / "geo" / f"{level}.topojson"
        ).read_bytes()


EEMSDELTA_PARTS = {"GM0003": 0.5, "GM0010": 0.3, "GM0024": 0.2}


def eemsdelta_as_predecessors(odata: dict) -> dict:
    """The tables with Eemsdelta's 2023 rows published as its three predecessors (2021 merger)."""
    tables = copy.deepcopy(odata)
    for table in ("03759ned", "85098NED"):
        rows = tables[table]["TypedDataSet"]
        keep = [
            r for r in rows if not (r["RegioS"].strip() == "GM1979" and r["Perioden"] == "2023JJ00")
        ]
        for r in rows:
            if r["RegioS"].strip() == "GM1979" and r["Perioden"] == "2023JJ00":
                for code, share in EEMSDELTA_PARTS.items():
                    new = dict(r, RegioS=code.ljust(8), ID=len(keep))
                    if table == "03759ned":
                        new["BevolkingOp1Januari_1"] = round(r["BevolkingOp1Januari_1"] * share)
                    keep.append(new)
        tables[table]["TypedDataSet"] = keep
    return tables


def test_crosswalk_adds_merged_gemeenten_to_their_successor(http, data_copy, odata):
    """2023 rows of Eemsdelta published as its three predecessors are summed with --crosswalk."""
    tables = eemsdelta_as_predecessors(odata)
    parts = EEMSDELTA_PARTS
    serve(http, tables)
    before = snapshot(data_copy)
    with pytest.raises(cbs.CbsError) as err:
        fetch_http(http, data_copy)
    assert "'GM0003' is a gemeente code from before 2021 (Appingedam" in str(err.value)
    assert "GM1979 Eemsdelta" in str(err.value) and "--crosswalk" in str(err.value)
    assert_untouched(data_copy, before)

    summary = fetch_http(http, data_copy, use_crosswalk=True)
    assert "GM0003, GM0010, GM0024" in summary
    got = pl.read_parquet(data_copy / "indicators.parquet").filter(
        (pl.col("gemeente_code") == "GM1979")
        & (pl.col("year") == 2023)
        & (pl.col("indicator") == "jeugdhulp")
        & (pl.col("breakdown") == "all")
    )
    pop = pl.DataFrame(tables["03759ned"]["TypedDataSet"]).filter(
        pl.col("RegioS").str.strip_chars().is_in(list(parts)) & (pl.col("Perioden") == "2023JJ00")
    )
    per_code = pop.group_by("RegioS").agg(pl.col("BevolkingOp1Januari_1").sum().alias("den"))
    pct = (
        pl.DataFrame(tables["85098NED"]["TypedDataSet"])
        .filter(
            pl.col("RegioS").str.strip_chars().is_in(list(parts))
            & (pl.col("Perioden") == "2023JJ00")
        )
        .select("RegioS", "JongerenMetJeugdhulpInNatura_1")
    )
    parts_num = (
        per_code.join(pct, on="RegioS")
        .select((pl.col("JongerenMetJeugdhulpInNatura_1") / 100 * pl.col("den")).round(0).sum())
        .item()
    )
    assert got["denominator"].item() == per_code["den"].sum()
    assert got["numerator"].item() == parts_num and not got["is_simulated"].item()
    assert store.validate(data_copy) == []


def test_crosswalk_drops_a_successor_year_when_a_predecessor_is_empty(http, data_copy, odata):
    """One predecessor without a figure: no row for the 2024 gemeente (a partial sum undercounts)."""
    tables = eemsdelta_as_predecessors(odata)
    for r in tables["85098NED"]["TypedDataSet"]:
        if r["RegioS"].strip() == "GM0010" and r["Perioden"] == "2023JJ00":
            r["JongerenMetJeugdhulpInNatura_1"] = None
    serve(http, tables)
    summary = fetch_http(http, data_copy, use_crosswalk=True)
    got = pl.read_parquet(data_copy / "indicators.parquet").filter(
        (pl.col("gemeente_code") == "GM1979")
        & (pl.col("breakdown") == "all")
        & pl.col("year").is_in(YEARS)
    )
    jeugdhulp = got.filter(pl.col("indicator") == "jeugdhulp")
    assert jeugdhulp["year"].to_list() == [2024]  # 2023 left out, not Appingedam + Delfzijl only
    assert (~jeugdhulp["is_simulated"]).all()
    assert got.filter(pl.col("indicator") == "jeugdbescherming", pl.col("year") == 2023).height == 1
    # the empty CBS cell of the fixture (EMPTY_CELL) plus Eemsdelta 2023
    assert "jeugdhulp all: 2" in summary
    assert store.validate(data_copy) == []


# ---------------------------------------------------------------------------- bad responses


def _rows(odata, table):
    return copy.deepcopy(odata[table]["TypedDataSet"])


def _with(odata, table, endpoint, value):
    tables = copy.deepcopy(odata)
    tables[table][endpoint] = value
    return tables


def _set(index: int, column: str, value):
    """A case maker: one cell of the 85098NED rows replaced."""

    def make(odata):
        rows = _rows(odata, "85098NED")
        rows[index][column] = value
        return _with(odata, "85098NED", "TypedDataSet", rows)

    return make


def _old_code(odata):
    rows = _rows(odata, "85098NED")
    for r in rows:
        if r["RegioS"].strip() == "GM1979" and r["Perioden"] == "2024JJ00":
            r["RegioS"] = "GM0003  "
    return _with(odata, "85098NED", "TypedDataSet", rows)


def _missing_topic(odata):
    props = [
        p
        for p in odata["85098NED"]["DataProperties"]
        if p["Key"] != "JongerenMetJeugdbescherming_3"
    ]
    return _with(odata, "85098NED", "DataProperties", props)


def _missing_in_rows(odata):
    rows = _rows(odata, "85098NED")
    for r in rows:
        del r["JongerenMetJeugdbescherming_3"]
    return _with(odata, "85098NED", "TypedDataSet", rows)


def _duplicate_row(odata):
    rows = _rows(odata, "85098NED")
    rows.append(dict(rows[3], ID=len(rows)))
    return _with(odata, "85098NED", "TypedDataSet", rows)


BAD_DATA = {
    "unknown region code": (
        _set(40, "RegioS", "GM9999  "),
        ["CBS 85098NED: column 'RegioS', row ID 40", "unknown gemeente code 'GM9999'"],
    ),
    "code from an older year": (
        _old_code,
        [
            "column 'RegioS'",
            "'GM0003' is a gemeente code from before 2021",
            "Appingedam",
            "merged into GM1979 Eemsdelta",
            "--crosswalk",
        ],
    ),
    "code of a split gemeente": (
        _set(5, "RegioS", "GM0788"),
        ["row ID 5", "'GM0788'", "Haaren", "cannot be divided"],
    ),
    "missing column (metadata)": (
        _missing_topic,
        [
            "CBS 85098NED (2023-2024): column 'JongerenMetJeugdbescherming_3' is not in its "
            "DataProperties",
            "cbs_sources.csv row 7",
        ],
    ),
    "missing column (rows)": (
        _missing_in_rows,
        [
            "85098NED TypedDataSet: column 'JongerenMetJeugdbescherming_3' is missing from the response",
            "row ID 0",
        ],
    ),
    "text in a number column": (
        _set(7, "JongerenMetJeugdhulpInNatura_1", "veel"),
        ["column 'JongerenMetJeugdhulpInNatura_1', row ID 7: 'veel' is not a number"],
    ),
    "percentage above 100": (
        _set(9, "JongerenMetJeugdhulpInNatura_1", 140.0),
        ["140.0", "is not a percentage", "cbs_sources.csv row 5"],
    ),
    "duplicate row": (_duplicate_row, ["row ID 3", "has 2 rows", "expected 1"]),
}


@pytest.mark.parametrize("case", list(BAD_DATA))
def test_bad_data_gives_clear_error_and_leaves_data_untouched(case, http, data_copy, odata):
    make, phrases = BAD_DATA[case]
    serve(http, make(odata))
    before = snapshot(data_copy)
    with pytest.raises(cbs.CbsError) as err:
        fetch_http(http, data_copy)
    for phrase in phrases:
        assert phrase in str(err.value)
    assert_untouched(data_copy, before)


def test_http_500_gives_clear_error_and_leaves_data_untouched(http, data_copy, odata):
    http.expect_request("/85098NED/TypedDataSet").respond_with_data("server error", status=500)
    serve(http, odata)
    before = snapshot(data_copy)
    with pytest.raises(
        DownloadError, match=r"GET http://127\.0\.0\.1:\d+/85098NED/TypedDataSet\?.*HTTP 500"
    ):
        fetch_http(http, data_copy)
    assert_untouched(data_copy, before)


def test_truncated_json_gives_clear_error_and_leaves_data_untouched(http, data_copy, odata):
    body = json.dumps({"value": odata["85098NED"]["TypedDataSet"]})
    http.expect_request("/85098NED/TypedDataSet").respond_with_data(
        body[: len(body) // 2], content_type="application/json"
    )
    serve(http, odata)
    before = snapshot(data_copy)
    with pytest.raises(DownloadError) as err:
        fetch_http(http, data_copy)
    assert "85098NED/TypedDataSet" in str(err.value)
    assert "not valid JSON" in str(err.value) and "cut off" in str(err.value)
    assert_untouched(data_copy, before)


def test_truncated_second_page_leaves_data_untouched(http, data_copy, odata):
    """A cut-off page after a good first page must not yield a partial import."""
    rows = odata["03759ned"]["TypedDataSet"]

    def handler(request):
        from werkzeug import Response

        if request.args.get("$skip"):
            return Response('{"value": [{"ID": 1, "RegioS": "GM00', content_type="application/json")
        doc = {"value": rows[:PAGE], "odata.nextLink": f"{request.base_url}?$skip={PAGE}"}
        return Response(json.dumps(doc), content_type="application/json")

    http.expect_request("/03759ned/TypedDataSet").respond_with_handler(handler)
    serve(http, odata)
    before = snapshot(data_copy)
    with pytest.raises(DownloadError, match=r"skip=1000.*not valid JSON"):
        fetch_http(http, data_copy)
    assert_untouched(data_copy, before)


def test_non_odata_json_is_rejected(http, data_copy, odata):
    http.expect_request("/03759ned/DataProperties").respond_with_json({"error": "table not found"})
    serve(http, odata)
    before = snapshot(data_copy)
    with pytest.raises(cbs.CbsError, match="not a CBS OData v3 response"):
        fetch_http(http, data_copy)
    assert_untouched(data_copy, before)


def test_map_with_other_codes_is_rejected(tmp_path, data_copy, odata):
    mirror = write_mirror(tmp_path / "mirror", odata)
    path = mirror / "cartomap" / "gemeente_2024.topojson"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"GM0014"', '"GM9014"'), encoding="utf-8"
    )
    before = snapshot(data_copy)
    with pytest.raises(DownloadError, match=r"map gemeente_2024: codes differ.*GM9014.*GM0014"):
        run_fetch(data_copy, mirror=mirror, years=YEARS, progress=lambda _: None)
    assert_untouched(data_copy, before)


def test_cli_reports_errors_with_exit_code_2(tmp_path, data_copy, capsys):
    before = snapshot(data_copy)
    code = cli.main(["fetch", "--mirror", str(tmp_path), "--data", str(data_copy)])
    assert code == 2
    assert "no file catalog/Tables.json" in capsys.readouterr().err
    assert_untouched(data_copy, before)


# ---------------------------------------------------------------------------------- mapping


def _mapping_copy(tmp_path: Path, edit) -> Path:
    frame = pl.read_csv(cbs.default_mapping(), infer_schema=False)
    path = tmp_path / "cbs_sources.csv"
    edit(frame).write_csv(path)
    return path


def test_mapping_errors_name_file_column_and_row(tmp_path, data_dir):
    path = _mapping_copy(
        tmp_path,
        lambda f: f.with_columns(
            unit=pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("procent")).otherwise("unit")
        ),
    )
    with pytest.raises(
        cbs.CbsError, match=rf"{path}: column 'unit', row 5: 'procent' is not one of"
    ):
        cbs.load_mapping(
            path, {"jeugdhulp", "jeugdbescherming"}, {"all", "age=0-4", "age=4-12", "age=12-18"}
        )


def test_mapping_without_denominator_is_rejected(tmp_path):
    path = _mapping_copy(
        tmp_path,
        lambda f: f.filter(
            ~((pl.col("indicator") == "jeugdhulp") & (pl.col("part") == "denominator"))
        ),
    )
    with pytest.raises(
        cbs.CbsError, match=r"column 'part', row 5: jeugdhulp all has no active denominator"
    ):
        cbs.load_mapping(
            path, {"jeugdhulp", "jeugdbescherming"}, {"all", "age=0-4", "age=4-12", "age=12-18"}
        )


def test_unpinned_dimension_and_unknown_filter_value(http, tmp_path, data_copy, odata):
    serve(http, odata)
    before = snapshot(data_copy)
    no_sex = _mapping_copy(
        tmp_path, lambda f: f.with_columns(pl.col("filters").str.replace("Geslacht=T001038;", ""))
    )
    with pytest.raises(
        cbs.CbsError, match=r"dimension Geslacht has no filter \(cbs_sources.csv row 2"
    ):
        fetch_http(http, data_copy, mapping=no_sex)
    wrong_age = _mapping_copy(
        tmp_path,
        lambda f: f.with_columns(
            pl.col("filters").str.replace("Leeftijd=10010|", "Leeftijd=99999|", literal=True)
        ),
    )
    with pytest.raises(cbs.CbsError, match=r"no rows with Leeftijd=99999 \(cbs_sources.csv row 2"):
        fetch_http(http, data_copy, mapping=wrong_age)
    assert_untouched(data_copy, before)


def test_population_of_a_successor_needs_every_predecessor():
    """Latest CBS population: Eemsdelta from its predecessors only when none of them is empty."""
    codes = cbs.code_map(["GM1979", "GM0014"], cw.load_crosswalk())
    pop_raw = pl.DataFrame(
        {
            "code": ["GM0003", "GM0010", "GM0024", "GM0003", "GM0010", "GM0024", "GM0014"],
            "year": [2020] * 7,
            "value": [100.0, 200.0, 300.0, 10.0, None, 30.0, 5000.0],
            "age_group": ["0-4"] * 3 + ["4-12"] * 3 + ["0-4"],
        },
        schema_overrides={"year": pl.Int32},
    )
    pop_raw = pop_raw.with_columns(table=pl.lit("03759ned"), status=pl.lit("definitief"))
    population, year = cbs._population_rows(pop_raw, codes)
    assert year == 2020
    assert population.select("gemeente_code", "age_group", "population").rows() == [
        ("GM0014", "0-4", 5000),
        ("GM1979", "0-4", 600),
    ]
    assert population["source"].to_list() == ["CBS 03759ned, 1 januari 2020 (definitief)"] * 2


def test_real_85335ned_rows_fetched_over_http_give_the_build_counts(http, data_copy, specs):
    """The real 85335NED 2022 rows (CBS's keys, padded region codes, '.' for suppressed), served as
    OData v3 by a local peer, fetched with the bundled mapping: exactly the build's counts."""
    population = pl.read_parquet(data_copy / "population.parquet")
    real = {r["Wijken"].strip() for r in real_85335ned()["TypedDataSet"]}
    gone = tuple(sorted(c for c in real - set(population["gemeente_code"]) if c.startswith("GM")))
    assert "GM0457" in gone  # Weesp, part of Amsterdam since 2022
    # like CBS's own 2022 tables: the gemeenten of 2022 (Voorne aan Zee did not exist yet)
    population = population.filter(pl.col("gemeente_code").is_in(list(real)))
    tables = odata_tables(specs, population, [2022], extra_codes=gone)
    assert tables["85335NED"]["TypedDataSet"][1]["Wijken"] == "GM1680    "
    requested = serve(http, tables, page_size=PAGE)
    built = pl.read_parquet(data_copy / "indicators.parquet")
    run_fetch(
        data_copy,
        base_url=http.url_for("/"),
        years=[2022],
        use_crosswalk=True,  # 2022 has Weesp, Brielle, …: added to their 2024 successor
        fetch_maps=False,
        progress=lambda _: None,
    )
    assert any("85335NED/TypedDataSet" in u and "VormenVanJeugdzorg eq 'T001203'" in u
               for u in requested)  # fmt: skip
    fetched = pl.read_parquet(data_copy / "indicators.parquet")
    keys = ["indicator", "gemeente_code", "year", "breakdown"]
    for indicator, same_denominator in (
        ("jeugdzorg", False),  # the denominator is the (fetched) population
        ("jeugdzorg_huishouden", True),
        # both divide by the trajectories with a verwijzer (the build's rule, the 8 categories)
        ("jeugdzorg_verwijzer", True),
    ):
        want = built.filter(
            (pl.col("indicator") == indicator)
            & (pl.col("year") == 2022)
            & (pl.col("breakdown") != "all")
            # a merged gemeente counted over some of its former gemeenten (with a note) is
            # weighed by the youths of each: here the fixture's, not the build's estimate
            & pl.col("note").is_null()
        ).sort(keys)
        got = fetched.filter(
            (pl.col("indicator") == indicator)
            & (pl.col("year") == 2022)
            & (pl.col("breakdown") != "all")
            & pl.col("note").is_null()
        ).sort(keys)
        assert want.height > 300 * (3 if indicator == "jeugdzorg" else 2)
        assert got.select(keys).equals(want.select(keys)), indicator
        assert got["numerator"].equals(want["numerator"]), indicator
        if same_denominator:
            assert got["denominator"].equals(want["denominator"]), indicator
        assert (
            got["source"]
            .str.contains("CBS 85335NED, 2022 (definitief): Jongeren met", literal=True)
            .all()
        )
    # the 0-18 total: the sum of the age cells, as the build has it where none is suppressed
    total = fetched.filter(
        (pl.col("indicator") == "jeugdzorg")
        & (pl.col("year") == 2022)
        & (pl.col("breakdown") == "all")
    ).join(built, on=keys, suffix="_built")
    assert total.height > 300
    assert total["numerator"].equals(total["numerator_built"])
    mapping = pl.read_csv(cbs.default_mapping())
    confirmed = mapping.filter(pl.col("series") == "jeugdzorg_wijken")
    assert confirmed.height == 2 + 3 + 2 * 3 + 2 * 8 and (confirmed["active"] == "yes").all()
