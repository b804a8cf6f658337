"""The Wijken section, the make-up of a region, and the verwijzer / household figures.

Reference values are computed straight from `data/*.parquet` and raw/ (statsmodels' Wilson
interval), not through `jeugdmonitor.analysis.wijken` or the sections.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from jeugdmonitor.analysis import indicators, wijken
from jeugdmonitor.data import build
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.sources import jeugdzorg, kwb
from jeugdmonitor.data.store import load
from jeugdmonitor.present.sections import build_sections, samenstelling
from jeugdmonitor.present.sections import wijken as wijk_section

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def store():
    return load()


@pytest.fixture(scope="module")
def raw_wijken(store) -> pl.DataFrame:
    return pl.read_parquet(store.data_dir / "wijken.parquet")


def figure(built, key):
    return next(f for s in built.values() for f in s.figures if f.key == key)


def test_utrecht_shows_all_ten_wijken_by_name_with_the_map(store, raw_wijken):
    built = build_sections(store, get_region(store, "GM0344"))
    names = set(
        raw_wijken.filter((pl.col("gemeente_code") == "GM0344") & (pl.col("year") == 2022))["name"]
    )
    assert len(names) == 10
    ranking = figure(built, "wijken_rangorde")
    assert {r["gebied"] for r in ranking.chart.to_dict()["datasets"]["rows"]} == names
    assert set(ranking.table.filter(pl.col("Jaar") == 2022)["Wijk"]) == names
    kaart = figure(built, "wijken_kaart")
    spec = kaart.chart.to_dict()
    topo = json.loads(wijken.map_text(store, "GM0344"))
    ids = {g["id"] for g in topo["objects"]["wijk"]["geometries"]}
    assert {r["code"] for r in spec["datasets"]["rows"]} == ids  # every wijk on the map
    assert len(ids) == 10
    # the highest wijk is outlined
    best = max(
        (r for r in spec["datasets"]["rows"] if r["rate"] is not None), key=lambda r: r["rate"]
    )
    chosen = next(p for p in spec["params"] if p["name"] == "wijk")
    assert chosen["value"] == best["code"]  # outlined and always named
    assert set(chosen["bind"]["options"]) == ids | {""}  # every wijk can be chosen under the map
    assert not kaart.simulated and kaart.badge == "CBS, 2022"


def test_amsterdam_table_covers_its_wijken_and_shows_suppressed_ones(store, raw_wijken):
    """Amsterdam 2024 = Amsterdam 2022 + Weesp: all their wijken, suppressed ones as such."""
    built = build_sections(store, get_region(store, "GM0363"))
    table = figure(built, "wijken_rangorde").table.filter(pl.col("Jaar") == 2022)
    own = raw_wijken.filter((pl.col("gemeente_code") == "GM0363") & (pl.col("year") == 2022))
    assert own["gemeente_own"].unique().sort().to_list() == ["GM0363", "GM0457"]  # with Weesp
    assert table.height == own.height == 107
    shown = table.filter(pl.col("Percentage").is_not_null())
    assert shown.height / own.height >= 0.9
    suppressed = own.filter(pl.col("jz_0_18").is_null() | (pl.col("jz_0_18") < 10))
    assert suppressed.height > 0
    hidden = table.filter(pl.col("Verschil met gemeente") == "onderdrukt (< 10)")
    assert set(hidden["Code"]) == set(suppressed["wijk_code"])
    assert hidden["Aantal"].is_null().all() and hidden["Percentage"].is_null().all()


def test_wijk_values_equal_an_independent_computation(store, raw_wijken):
    """On the gemeente's own basis: youths 0-17 with jeugdzorg ÷ estimated youths 0-17."""
    rows = raw_wijken.filter((pl.col("gemeente_code") == "GM0599") & (pl.col("year") == 2022))
    known = rows.filter(pl.col("jz_0_18").is_not_null())
    ref = known["jz_0_18"].sum() / known["youth_0_18"].sum()
    got = wijken.wijk_values(store, "GM0599").filter(pl.col("year") == 2022)
    assert got.height == rows.height
    for r in known.filter(pl.col("jz_0_18") >= 10).iter_rows(named=True):
        g = got.filter(pl.col("wijk_code") == r["wijk_code"]).row(0, named=True)
        low, high = proportion_confint(r["jz_0_18"], r["youth_0_18"], method="wilson")
        assert g["rate"] == pytest.approx(r["jz_0_18"] / r["youth_0_18"])
        assert (g["ci_low"], g["ci_high"]) == pytest.approx((low, high))
        assert g["ref_rate"] == pytest.approx(ref)
        expected = "hoger" if ref < low else "lager" if ref > high else None
        assert g["significant"] == expected


def test_wijk_youths_follow_the_documented_estimate(store, raw_wijken):
    """youths 0-18 = a_00_14 + a_15_24 × s1517 with the gemeente's own 15-17 share (the same
    estimate as the gemeente's youths, so Utrecht's wijken add up to Utrecht)."""
    w = (
        kwb.level(kwb.read(ROOT / "raw" / build.RAW_FILES["kwb"]), "wijk")
        .filter((pl.col("code") == "WK034403") & (pl.col("year") == 2022))
        .row(0, named=True)
    )
    got = raw_wijken.filter((pl.col("wijk_code") == "WK034403") & (pl.col("year") == 2022))
    assert got["jz_totaal"][0] == w["jz_totaal"]
    # the gemeente's youths 0-17 and 15-24 on the same split: Σ wijken = gemeente (KWB sums)
    utrecht = raw_wijken.filter((pl.col("gemeente_code") == "GM0344") & (pl.col("year") == 2022))
    pop = store.population.filter(
        (pl.col("gemeente_code") == "GM0344") & (pl.col("year") == 2022)
        & pl.col("age_group").is_in(["0-4", "4-12", "12-18"])
    )["population"].sum()  # fmt: skip
    assert utrecht["youth_0_18"].sum() == pytest.approx(pop, rel=0.002)
    share = (got["youth_0_18"][0] - w["a_00_14"]) / w["a_15_24"]
    assert 0 < share < 0.6 * 0.5  # 15-17 is a small part of 15-24 in a student city


def test_a_gemeente_without_polygons_keeps_table_and_bars(store):
    built = build_sections(store, get_region(store, "GM1924"))  # Goeree-Overflakkee
    keys = [f.key for f in built["wijken"].figures]
    assert "wijken_kaart" not in keys and "wijken_rangorde" in keys
    ranking = figure(built, "wijken_rangorde")
    assert "geen wijkkaart beschikbaar" in ranking.summary and ranking.table.height > 0


def test_trend_shows_only_wijken_of_both_years(store, raw_wijken):
    code = "GM0014"  # Groningen: its wijk codes changed between 2021 and 2022 in part
    rows = raw_wijken.filter(pl.col("gemeente_code") == code)
    both = set(rows.filter(pl.col("year") == 2021)["wijk_code"]) & set(
        rows.filter(pl.col("year") == 2022)["wijk_code"]
    )
    fig = figure(build_sections(store, get_region(store, code)), "wijken_trend")
    assert set(fig.table["Code"]) == both
    assert set(fig.table["Jaar"]) <= {2021, 2022}


def test_counts_are_suppressed_and_rounded_everywhere(store):
    built = build_sections(store, get_region(store, "GM0363"))
    for fig in built["wijken"].figures:
        for col in ("Aantal", "Jongeren (geschat)"):
            shown = fig.table[col].drop_nulls()
            assert (shown >= 10).all() and (shown % 5 == 0).all()
        counts = fig.download["aantal"].drop_nulls()
        assert (counts >= 10).all() and (counts % 5 == 0).all()
        assert fig.download.filter(
            pl.col("aantal").is_null() & pl.col("percentage").is_not_null()
        ).is_empty()
    rows = figure(built, "wijken_rangorde").chart.to_dict()["datasets"]["rows"]
    assert all(r["rate"] is None for r in rows if r["count_label"] == "< 10")


def test_csv_holds_every_wijk_of_the_gemeente_both_years(store, raw_wijken):
    fig = figure(build_sections(store, get_region(store, "GM1992")), "wijken_rangorde")
    own = raw_wijken.filter(pl.col("gemeente_code") == "GM1992")  # Voorne aan Zee: three parts
    assert fig.download.height == own.height
    assert set(fig.download["gemeentecode_toen"]) == {"GM0501", "GM0530", "GM0614"}
    assert fig.download_name == "wijken_GM1992_2021-2022.csv"


def test_wijk_names_are_escaped_before_markdown(store):
    evil = "<img src=x onerror=alert(1)>_*"
    poisoned = dataclasses.replace(
        store,
        wijken=store.wijken.with_columns(
            name=pl.when(pl.col("wijk_code") == "WK034403").then(pl.lit(evil)).otherwise("name")
        ),
        _cache={},
    )
    section = wijk_section.build(poisoned, get_region(poisoned, "GM0344"))
    text = " ".join(f.summary + f.explanation for f in section.figures)
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;&#95;&#42;" in text


def test_other_region_types_point_to_gemeenten(store):
    for code in ("PO2707", "JZ01", "PV27", None):
        section = wijk_section.build(store, get_region(store, code) if code else None)
        assert section.figures == [] and "kies" in section.intro.lower()


# --------------------------------------------------------------------------- make-up of a region


def test_swv_lists_its_member_gemeenten_with_weights_and_links(store):
    built = build_sections(store, get_region(store, "PO2707"))
    fig = figure(built, "samenstelling_leden")
    members = store.membership.filter(pl.col("region_code") == "PO2707")
    assert fig.table.height == members.height + 1  # the members and the SWV itself
    assert fig.table["Code"][-1] == "PO2707"
    weights = dict(members.select("gemeente_code", "weight").iter_rows())
    rows = fig.table.head(members.height)
    for code, weight in zip(rows["Code"], rows["Gewicht (% jeugdigen)"], strict=True):
        assert weight == pytest.approx(round(100 * weights[code], 1))
    assert list(fig.links) == [*fig.table["Code"].head(members.height).to_list(), ""]
    from jeugdmonitor.present import markup

    html = markup.table_html(fig.table, links=fig.links, href=lambda c: f"?region={c}")
    assert "<a href='?region=GM0363'>Amsterdam</a>" in html


def test_jeugdregio_and_provincie_members_and_key_figures(store):
    for code in ("JZ01", "PV27"):
        fig = samenstelling.build(store, get_region(store, code)).figures[0]
        members = store.membership.filter(pl.col("region_code") == code)
        assert fig.table.height == members.height + 1  # the members and the region itself
        assert "Gewicht (% jeugdigen)" not in fig.table.columns
        ams = fig.table.filter(pl.col("Code") == "GM0363")
        if code == "PV27":  # Amsterdam's own figure, as on its own page
            own = indicators.region_values(store, "GM0363", "jeugdzorg", 2022, "all")
            assert ams["Jeugdzorg 2022 (%)"][0] == round(100 * own["rate"][0], 1) == 13.9
    nl = samenstelling.build(store, None).figures[0]
    assert nl.table.height == 12 and len(nl.links) == 12
    gm = samenstelling.build(store, get_region(store, "GM0344")).figures[0]
    parents = store.membership.filter(
        (pl.col("gemeente_code") == "GM0344") & (pl.col("region_code") != "GM0344")
        & (pl.col("region_code") != "NL01")
    )  # fmt: skip
    assert set(gm.links) == set(parents["region_code"]) and len(gm.links) == 4


# ---------------------------------------------------------------- verwijzers and gezinssituatie


@pytest.mark.parametrize("code", ["GM0344", "PO2707", "JZ01", None])
def test_verwijzer_and_household_figures_render_with_cbs_national_values(store, code):
    built = build_sections(store, get_region(store, code) if code else None)
    nl = (
        jeugdzorg.read_odata_csv(ROOT / "raw" / build.RAW_FILES["jz2022"])
        .filter(pl.col("level") == "land")
        .row(0, named=True)
    )
    # a verwijzer share is of the trajectories with a verwijzer (the jeugdhulp trajectories):
    # the categories add up to them, not to all trajectories (which hold jeugdbescherming and
    # jeugdreclassering too)
    nl["referred"] = sum(nl[c] for c in jeugdzorg.REFERRER_COLUMNS.values())
    for key, column, total, label in (
        ("jeugdzorg_verwijzer", "vw_jeugdarts", "referred", "Jeugdarts"),
        ("jeugdzorg_verwijzer", "vw_huisarts", "referred", "Huisarts"),
        ("jeugdzorg_huishouden", "hh_eenouder", "jz_totaal", "Eenoudergezin"),
    ):
        fig = figure(built, key)
        assert not fig.simulated and fig.badge == "CBS, 2022"
        rows = fig.chart.to_dict()["datasets"]["rows"]
        nl_row = next(r for r in rows if r["rol"] == "nl" and r["categorie"] == label)
        assert nl_row["rate"] == pytest.approx(nl[column] / nl[total], abs=1e-5)
        assert fig.table.height > 0
        if code:
            own = [r for r in rows if r["rol"] == "regio" and r["categorie"] == label]
            assert own and own[0]["ci_low"] <= own[0]["rate"] <= own[0]["ci_high"]


def test_the_utrecht_report_shows_every_wijk_and_the_wijk_map(store, raw_wijken):
    from jeugdmonitor.present import report

    doc, items, _ = report.render(store, get_region(store, "GM0344"), shared_assets=True)
    names = raw_wijken.filter((pl.col("gemeente_code") == "GM0344") & (pl.col("year") == 2022))[
        "name"
    ]
    for name in names:
        assert f"<td>{name}</td>" in doc, name
    assert 'id="wijken"' in doc
    topo = json.loads(items["geo-wijk_GM0344"])
    assert len(topo["objects"]["wijk"]["geometries"]) == 10
