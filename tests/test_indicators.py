"""Region values equal an independent computation on the parquet files, for every region type."""

from __future__ import annotations

import math
from collections import defaultdict

import polars as pl
import pyarrow.parquet as pq
import pytest

from jeugdmonitor import indicators, regions, stats


@pytest.fixture(scope="module")
def raw_tables(data_dir):
    """Plain Python structures read with pyarrow, independent of the polars code under test."""
    membership = defaultdict(list)
    for row in pq.read_table(data_dir / "membership.parquet").to_pylist():
        membership[row["region_code"]].append((row["gemeente_code"], row["weight"]))
    counts = {}
    for row in pq.read_table(data_dir / "indicators.parquet").to_pylist():
        key = (row["indicator"], row["gemeente_code"], row["year"], row["breakdown"])
        counts[key] = (row["numerator"], row["denominator"])
    types = {r["code"]: r["type"] for r in pq.read_table(data_dir / "regions.parquet").to_pylist()}
    return membership, counts, types


def _independent(raw_tables, code, indicator, year, breakdown):
    membership, counts, _ = raw_tables
    num = den = 0.0
    for gm, weight in membership[code]:
        n, d = counts[(indicator, gm, year, breakdown)]
        num += weight * n
        den += weight * d
    return num, den


CASES = [
    ("GM0363", "jeugdhulp", 2024, "age=4-12"),  # gemeente
    ("GM0088", "jeugdzorg", 2022, "all"),  # a very small gemeente
    ("PO2707", "armoede", 2023, "age=0-4"),  # SWV po with split members
    ("VO2708", "jeugdzorg_onderwijssoort", 2024, "onderwijssoort=vso"),  # SWV vo
    ("JZ12", "eenoudergezin", 2020, "all"),  # jeugdregio (Zeewolde case)
    ("PV27", "speciaal_onderwijs", 2021, "type=so"),  # provincie
    ("NL01", "achterstandsleerlingen", 2024, "age=4-12"),  # Nederland
]


@pytest.mark.parametrize(("code", "indicator", "year", "breakdown"), CASES)
def test_region_value_equals_independent_weighted_sum(
    store, raw_tables, code, indicator, year, breakdown
):
    got = indicators.region_values(store, code, indicator, year, breakdown).row(0, named=True)
    num, den = _independent(raw_tables, code, indicator, year, breakdown)
    assert got["numerator"] == pytest.approx(num, rel=1e-12)
    assert got["denominator"] == pytest.approx(den, rel=1e-12)
    assert got["rate"] == pytest.approx(num / den, rel=1e-12)
    nl_num, nl_den = _independent(raw_tables, "NL01", indicator, year, breakdown)
    assert got["nl_numerator"] == pytest.approx(nl_num, rel=1e-12)
    assert got["nl_rate"] == pytest.approx(nl_num / nl_den, rel=1e-12)
    assert got["is_simulated"] is True


def test_every_region_of_every_type_matches(store, raw_tables):
    """All ~550 regions for one indicator: no region is missing and none differs."""
    _, _, types = raw_tables
    for region_type in regions.REGION_TYPES:
        frame = indicators.level_values(store, "jeugdbescherming", region_type).filter(
            (pl.col("year") == 2024) & (pl.col("breakdown") == "all")
        )
        codes = sorted(c for c, t in types.items() if t == region_type)
        assert sorted(frame["region_code"].to_list()) == codes, region_type
        for row in frame.iter_rows(named=True):
            num, den = _independent(raw_tables, row["region_code"], "jeugdbescherming", 2024, "all")
            assert row["numerator"] == pytest.approx(num, rel=1e-12)
            assert row["denominator"] == pytest.approx(den, rel=1e-12)


def test_rate_is_not_an_average_of_member_percentages(store, raw_tables):
    """The provincie rate is Σnum/Σden; the mean of member rates differs (and is not used)."""
    membership, counts, _ = raw_tables
    rates = [
        counts[("jeugdhulp", gm, 2024, "all")][0] / counts[("jeugdhulp", gm, 2024, "all")][1]
        for gm, _ in membership["PV26"]
    ]
    got = indicators.region_values(store, "PV26", "jeugdhulp", 2024, "all")["rate"][0]
    num, den = _independent(raw_tables, "PV26", "jeugdhulp", 2024, "all")
    assert got == pytest.approx(num / den, rel=1e-12)
    assert abs(got - sum(rates) / len(rates)) > 1e-6


def test_wilson_interval_matches_formula():
    frame = stats.with_rate_ci(
        pl.DataFrame({"numerator": [12.0, 0.0], "denominator": [40.0, 25.0]})
    )
    z = stats.Z95
    p, n = 12 / 40, 40
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert frame["ci_low"][0] == pytest.approx(centre - half)
    assert frame["ci_high"][0] == pytest.approx(centre + half)
    assert frame["ci_low"][1] == pytest.approx(0.0, abs=1e-12) and frame["ci_high"][1] > 0.1


def test_significance_marks_only_clear_differences(store):
    frame = indicators.level_values(store, "jeugdbescherming", "gemeente").filter(
        (pl.col("year") == 2024) & (pl.col("breakdown") == "all")
    )
    marked = frame.filter(pl.col("significant").is_not_null())
    assert 0 < marked.height < frame.height
    for row in marked.iter_rows(named=True):
        outside = row["nl_rate"] < row["ci_low"] or row["nl_rate"] > row["ci_high"]
        assert outside
        assert row["significant"] == ("hoger" if row["rate"] > row["nl_rate"] else "lager")


def test_suppression_blanks_small_counts():
    frame = stats.with_rate_ci(
        pl.DataFrame({"numerator": [9.0, 10.0, 50.0], "denominator": [100.0, 100.0, 8.0]})
    )
    out = stats.suppress(frame)
    assert out["suppressed"].to_list() == [True, False, True]
    assert out["numerator"].to_list() == [None, 10.0, None]
    assert out["rate"][0] is None and out["ci_low"][0] is None and out["rate"][1] == 0.1
    assert out["denominator"].to_list() == [100.0, 100.0, None]
    assert [stats.round_count(x) for x in (12, 13, 2.4, None)] == [10, 15, 0, None]


def test_unknown_region_and_indicator(store):
    assert regions.get_region(store, "GM9999") is None
    assert regions.get_region(store, " gm0363 ").name == "Amsterdam"
    with pytest.raises(KeyError):
        indicators.region_values(store, "GM9999", "jeugdhulp")
    with pytest.raises(KeyError):
        indicators.catalogue_entry(store, "geen_indicator")


def test_parents_and_members(store):
    par = regions.parents(store, "GM0050")  # Zeewolde: Flevoland, but jeugdregio Noord-Veluwe
    assert par["provincie"] == "PV24" and par["jeugdregio"] == "JZ12"
    m = regions.members(store, "PO2707")
    assert "Amsterdam" in m["name"].to_list()
    assert m["weight"].max() <= 1.0
