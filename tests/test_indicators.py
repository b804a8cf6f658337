"""Region values equal an independent computation on the parquet files, for every region type."""

from __future__ import annotations

import math
from collections import defaultdict

import polars as pl
import pyarrow.parquet as pq
import pytest

from jeugdmonitor.analysis import indicators, stats
from jeugdmonitor.data import regions
from jeugdmonitor.data import store as store_mod


@pytest.fixture(scope="module")
def raw_tables(data_dir):
    """Plain Python structures read with pyarrow, independent of the polars code under test."""
    membership = defaultdict(list)
    for row in pq.read_table(data_dir / "membership.parquet").to_pylist():
        membership[row["region_code"]].append((row["gemeente_code"], row["weight"]))
    counts, parts = {}, {}
    for row in pq.read_table(data_dir / "indicators.parquet").to_pylist():
        key = (row["indicator"], row["gemeente_code"], row["year"], row["breakdown"])
        coverage = row["coverage"]
        if coverage is not None and coverage < indicators.COVERAGE_MIN:
            continue  # a merged gemeente counted over too few of its parts has no value
        counts[key] = (row["numerator"], row["denominator"])
        parts[key] = 1.0 if coverage is None else coverage
    types = {r["code"]: r["type"] for r in pq.read_table(data_dir / "regions.parquet").to_pylist()}
    youth = defaultdict(int)
    for row in pq.read_table(data_dir / "population.parquet").to_pylist():
        if row["age_group"] in ("0-4", "4-12", "12-18"):
            youth[(row["gemeente_code"], row["year"])] += row["population"]
    national = {
        (r["indicator"], r["year"], r["breakdown"]): (r["numerator"], r["denominator"])
        for r in pq.read_table(data_dir / "national.parquet").to_pylist()
    }
    return membership, counts, types, youth, national, parts


def _independent(raw_tables, code, indicator, year, breakdown):
    """Σ weight × count over members with a value; None below 90% youth coverage; NL = CBS's
    own national figure where the source has one."""
    membership, counts, types, youth, national, parts = raw_tables
    if types[code] == "nederland" and (indicator, year, breakdown) in national:
        return national[(indicator, year, breakdown)]
    num = den = covered = everyone = 0.0
    for gm, weight in membership[code]:
        w = weight * youth[(gm, min(max(year, 2020), 2025))]
        everyone += w
        if (indicator, gm, year, breakdown) in counts:
            n, d = counts[(indicator, gm, year, breakdown)]
            num += weight * n
            den += weight * d
            covered += w * parts[(indicator, gm, year, breakdown)]
    complete = all((indicator, gm, year, breakdown) in counts for gm, _ in membership[code])
    if not complete and covered / everyone < indicators.COVERAGE_MIN:
        return None, None
    return num, den


CASES = [
    ("GM0363", "jeugdzorg", 2022, "age=4-12"),  # gemeente, real (Amsterdam + Weesp)
    ("GM0088", "jeugdzorg", 2022, "all"),  # a very small gemeente (estimated 0-18 total)
    ("PO2707", "armoede", 2023, "age=0-4"),  # SWV po with split members, simulated
    ("VO2708", "jeugdzorg_onderwijssoort", 2024, "onderwijssoort=vso"),  # SWV vo
    ("JZ12", "eenoudergezin", 2020, "all"),  # jeugdregio (Zeewolde case)
    ("PV21", "jeugdzorg_verwijzer", 2021, "verwijzer=jeugdarts"),  # provincie, partly covered
    ("NL01", "achterstandsleerlingen", 2024, "age=4-12"),  # Nederland, simulated
    ("NL01", "jeugdzorg_huishouden", 2022, "huishouden=eenouder"),  # NL from CBS's NL row
    ("JZ01", "jeugdhulp", 2022, "all"),  # 85098NED percentage turned into counts
]


@pytest.mark.parametrize(("code", "indicator", "year", "breakdown"), CASES)
def test_region_value_equals_independent_weighted_sum(
    store, raw_tables, code, indicator, year, breakdown
):
    got = indicators.region_values(store, code, indicator, year, breakdown).row(0, named=True)
    num, den = _independent(raw_tables, code, indicator, year, breakdown)
    assert num is not None
    assert got["numerator"] == pytest.approx(num, rel=1e-12)
    assert got["denominator"] == pytest.approx(den, rel=1e-12)
    assert got["rate"] == pytest.approx(num / den, rel=1e-12)
    nl_num, nl_den = _independent(raw_tables, "NL01", indicator, year, breakdown)
    assert got["nl_numerator"] == pytest.approx(nl_num, rel=1e-12)
    # Nederland shows the percentage CBS published where it published one (85098NED)
    published = {
        (r["indicator"], r["year"], r["breakdown"]): r["published_rate"]
        for r in pq.read_table(store.data_dir / "national.parquet").to_pylist()
    }.get((indicator, year, breakdown))
    assert got["nl_rate"] == pytest.approx(published or nl_num / nl_den, rel=1e-12)
    simulated = indicator not in {"jeugdzorg", "jeugdzorg_huishouden", "jeugdzorg_verwijzer",
                                  "jeugdhulp"}  # fmt: skip
    assert got["is_simulated"] is simulated


@pytest.mark.parametrize(
    ("indicator", "year", "breakdown"),
    [("jeugdbescherming", 2022, "all"), ("jeugdzorg_verwijzer", 2022, "verwijzer=geen")],
)
def test_every_region_of_every_type_matches(store, raw_tables, indicator, year, breakdown):
    """All ~550 regions for one indicator: no region is missing and none differs (a region
    below the coverage threshold has no value, and says why)."""
    types = raw_tables[2]
    for region_type in regions.REGION_TYPES:
        frame = indicators.level_values(store, indicator, region_type).filter(
            (pl.col("year") == year) & (pl.col("breakdown") == breakdown)
        )
        codes = sorted(c for c, t in types.items() if t == region_type)
        assert sorted(frame["region_code"].to_list()) == codes, region_type
        for row in frame.iter_rows(named=True):
            num, den = _independent(raw_tables, row["region_code"], indicator, year, breakdown)
            if num is None:
                assert row["numerator"] is None and row["rate"] is None
                if region_type != "gemeente":  # a gemeente without a figure needs no note
                    assert row["coverage_note"].startswith("geen waarde"), row
                continue
            assert row["numerator"] == pytest.approx(num, rel=1e-12)
            assert row["denominator"] == pytest.approx(den, rel=1e-12)


def test_rate_is_not_an_average_of_member_percentages(store, raw_tables):
    """The provincie rate is Σnum/Σden; the mean of member rates differs (and is not used)."""
    membership, counts = raw_tables[:2]
    key = ("jeugdzorg", 2022, "all")
    rates = [
        counts[(key[0], gm, *key[1:])][0] / counts[(key[0], gm, *key[1:])][1]
        for gm, _ in membership["PV26"]
    ]
    got = indicators.region_values(store, "PV26", *key)["rate"][0]
    num, den = _independent(raw_tables, "PV26", *key)
    assert got == pytest.approx(num / den, rel=1e-12)
    assert abs(got - sum(rates) / len(rates)) > 1e-6


def test_partial_coverage_is_said_and_too_little_gives_no_value(store):
    """Members without a value are left out and counted; below 90% of the youths, no value."""
    rows = indicators.level_values(store, "jeugdzorg_verwijzer", "jeugdregio").filter(
        pl.col("year") == 2022
    )
    partial = rows.filter(pl.col("rate").is_not_null() & pl.col("coverage_note").is_not_null())
    assert partial.height > 0
    r = partial.row(0, named=True)
    assert r["n_covered"] < r["n_members"] and r["coverage"] >= indicators.COVERAGE_MIN
    assert r["coverage_note"].startswith(f"{r['n_covered']} van {r['n_members']} gemeenten")
    empty = rows.filter(pl.col("rate").is_null())
    assert empty.height > 0
    assert (empty["coverage"] < indicators.COVERAGE_MIN).all()
    complete = rows.filter(pl.col("n_covered") == pl.col("n_members"))
    assert complete["coverage_note"].is_null().all()


def test_one_imported_gemeente_never_defines_nederland(data_copy):
    """A 2025 row for one gemeente gives that gemeente a value, but NL 2025 none at all (it
    used to equal that gemeente, source included)."""
    path = data_copy / "indicators.parquet"
    rows = pl.read_parquet(path)
    extra = rows.filter(
        (pl.col("indicator") == "jeugdzorg")
        & (pl.col("breakdown") == "all")
        & (pl.col("year") == 2022)
        & (pl.col("gemeente_code") == "GM0014")
    ).with_columns(year=pl.lit(2025, pl.Int32), source=pl.lit("Eigen registratie Groningen"))
    pl.concat([rows, extra]).write_parquet(path)
    s = store_mod.open_store(data_copy)
    nl = indicators.region_values(s, "NL01", "jeugdzorg", 2025, "all").row(0, named=True)
    assert nl["numerator"] is None and nl["rate"] is None
    assert nl["coverage_note"].startswith("geen waarde: alleen 1 van 342 gemeenten")
    own = indicators.region_values(s, "GM0014", "jeugdzorg", 2025, "all").row(0, named=True)
    assert own["rate"] is not None and own["nl_rate"] is None
    provincie = indicators.region_values(s, "PV20", "jeugdzorg", 2025, "all").row(0, named=True)
    assert provincie["rate"] is None


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
    frame = indicators.level_values(store, "jeugdzorg", "gemeente").filter(
        (pl.col("year") == 2022) & (pl.col("breakdown") == "all")
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
