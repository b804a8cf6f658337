"""Armoede and achterstand as CBS measures them (KWB 2021), per gemeente, region and wijk, checked
against the raw KWB file read here with the csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor.analysis import wijken
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present.sections import build_sections

ROOT = Path(__file__).resolve().parent.parent
KWB = ROOT / "raw/cbs/kwb_jeugdzorg_wijken_2021_2022.csv"


@pytest.fixture(scope="module")
def store():
    return load()


@pytest.fixture(scope="module")
def kwb() -> dict[str, dict[str, str]]:
    """The 2021 rows by code (the 2021 percentages lost their decimal point: 82 is 8.2%)."""
    with KWB.open(encoding="utf-8") as f:
        return {r["gwb_code_10"].strip(): r for r in csv.DictReader(f) if r["year"] == "2021"}


def pct(row: dict[str, str], column: str) -> float:
    return float(row[column]) / 10


def test_utrecht_low_income_is_the_published_percentage(store, kwb):
    utrecht = kwb["GM0344"]
    rows = store.indicators.filter(
        (pl.col("indicator") == "laag_inkomen") & (pl.col("gemeente_code") == "GM0344")
    )
    by = {r["breakdown"]: r for r in rows.iter_rows(named=True)}
    for breakdown, column in (
        ("inkomen=laag", "p_hh_lkk"),
        ("inkomen=sociaal_minimum", "p_hh_osm"),
        ("inkomen=laagste_40", "p_hh_li"),
    ):
        r = by[breakdown]
        assert r["denominator"] == float(utrecht["a_hh"]) and r["year"] == 2021
        assert 100 * r["numerator"] / r["denominator"] == pytest.approx(
            pct(utrecht, column), abs=0.01
        )
        # the published percentage has one decimal: the count lies within ±0.05 point of it
        assert r["numerator_low"] <= r["numerator"] <= r["numerator_high"]
        assert (r["numerator_high"] - r["numerator_low"]) / r["denominator"] == pytest.approx(
            0.001, abs=2e-5
        )
        assert r["source"].startswith("CBS Kerncijfers wijken en buurten 2021") and r["is_estimate"]


def test_education_level_counts_are_the_kwb_counts(store, kwb):
    utrecht = kwb["GM0344"]
    rows = store.indicators.filter(
        (pl.col("indicator") == "opleidingsniveau") & (pl.col("gemeente_code") == "GM0344")
    )
    total = sum(float(utrecht[c]) for c in ("a_opl_lg", "a_opl_md", "a_opl_hg"))
    low = rows.filter(pl.col("breakdown") == "opleiding=laag").row(0, named=True)
    assert low["numerator"] == float(utrecht["a_opl_lg"]) and low["denominator"] == total
    assert not low["is_estimate"] and low["numerator_low"] is None  # real counts, exact


def test_a_region_adds_households_never_percentages(store, kwb):
    """Jeugdregio JZ01: Σ percentage × households ÷ Σ households of its gemeenten (all on their
    2021 boundaries), not the mean of the percentages."""
    values = build_sections(store, get_region(store, "JZ01"))["eerder_signaleren"]
    bars = next(f for f in values.figures if f.key == "laag_inkomen_aandeel")
    shown = bars.table.filter(
        (pl.col("Uitsplitsing") == "Laag inkomen") & (pl.col("Regio") != "Nederland")
    ).row(0, named=True)
    codes = store.membership.filter(pl.col("region_code") == "JZ01")["gemeente_code"].to_list()
    own = [kwb[c] for c in codes]  # (no merger since 2021 in this jeugdregio)
    households = sum(float(r["a_hh"]) for r in own)
    low = sum(pct(r, "p_hh_lkk") / 100 * float(r["a_hh"]) for r in own)
    assert shown["Percentage"] == pytest.approx(round(100 * low / households, 1), abs=0.051)
    mean = sum(pct(r, "p_hh_lkk") for r in own) / len(own)
    assert abs(mean - 100 * low / households) > 0.1  # the unweighted mean would differ


def test_gm0344_has_real_low_income_and_education_figures_per_gemeente_and_wijk(store, kwb):
    built = build_sections(store, get_region(store, "GM0344"))
    figures = {f.key: f for s in built.values() for f in s.figures}
    for key, title in (
        ("laag_inkomen_aandeel", "Huishoudens met een laag inkomen"),
        ("opleidingsniveau_aandeel", "Inwoners met een laag opleidingsniveau"),
        ("wijken_laag_inkomen_kaart", "Huishoudens met een laag inkomen per wijk in Utrecht"),
        (
            "wijken_opleiding_laag_kaart",
            "Inwoners met een laag opleidingsniveau per wijk in Utrecht",
        ),
        ("wijken_jeugdzorg_eenouder_kaart", "Jeugdzorg in eenoudergezinnen per wijk in Utrecht"),
    ):
        fig = figures[key]
        assert fig.title == title and not fig.simulated
        assert "Kerncijfers wijken en buurten 2021" in fig.source or "85335NED" in fig.source
        assert fig.badge in ("CBS, 2021", "CBS, 2022")
    assert "niet over kinderen" in figures["laag_inkomen_aandeel"].explanation
    assert "niet over" in figures["opleidingsniveau_aandeel"].explanation
    # the population note does not belong under households from a percentage
    assert "noemer) is een schatting" not in figures["laag_inkomen_aandeel"].source
    assert "percentage × aantal huishoudens" in figures["laag_inkomen_aandeel"].source
    strip = figures["benchmark_laag_inkomen_inkomen_laag"]
    assert "noemer) is een schatting" not in strip.source and strip.badge == "CBS, 2021"


def test_wijk_shares_are_the_kwb_wijk_figures(store, kwb):
    rows = wijken.measure_values(store, "GM0344", "laag_inkomen")
    assert rows.height == 10
    for r in rows.iter_rows(named=True):
        raw = kwb[r["wijk_code"]]
        assert r["denominator"] == float(raw["a_hh"])
        assert 100 * r["rate"] == pytest.approx(pct(raw, "p_hh_lkk"), abs=0.01)
    education = wijken.measure_values(store, "GM0344", "opleiding_laag")
    overvecht = education.filter(pl.col("gebied") == "Wijk 03 Overvecht").row(0, named=True)
    raw = kwb[overvecht["wijk_code"]]
    total = sum(float(raw[c]) for c in ("a_opl_lg", "a_opl_md", "a_opl_hg"))
    assert overvecht["rate"] == pytest.approx(float(raw["a_opl_lg"]) / total)
    assert overvecht["significant"] == "hoger"  # well above Utrecht as a whole


def test_single_parent_share_of_jeugdzorg_per_wijk_uses_the_cbs_counts(store):
    rows = wijken.measure_values(store, "GM0344", "jeugdzorg_eenouder")
    wijk = store.wijken.filter((pl.col("gemeente_code") == "GM0344") & (pl.col("year") == 2022))
    raw = dict(wijk.select("wijk_code", pl.col("hh_eenouder") / pl.col("jz_totaal")).iter_rows())
    for code, rate in rows.select("wijk_code", "rate").iter_rows():
        assert rate == pytest.approx(raw[code])
