"""Jeugdzorg per wijk of a gemeente: counts, shares with Wilson intervals, the gemeente reference.

A wijk's share is its youths 0-17 with jeugdzorg in natura (`wijken.jz_0_18`: CBS's age cells, a
suppressed one filled in from the 0-22 total as for gemeenten) divided by its estimated youths 0-17
(`wijken.youth_0_18`): the same basis as the gemeente's own jeugdzorg figure, so the wijken of a
gemeente add up to (close to) it. The gemeente's reference is the same ratio over its wijken with
a figure, for the same year. A 2024 gemeente formed from several gemeenten shows the wijken of all
its parts. A wijk is one row per code: its name is the latest one (CBS renamed a few). Counts
below 10 are suppressed (no share, no interval, no mark) but the wijk stays in every list.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import polars as pl

from jeugdmonitor.analysis.stats import significance, suppress, with_rate_ci
from jeugdmonitor.data.store import Store

NUMERATOR = "jz_0_18"
DENOMINATOR = "youth_0_18"
ESTIMATED = "jz_0_18_estimated"
LATEST = 2022
CACHED_GEMEENTEN = 64  # per-gemeente results kept per process (least recently used dropped)


@functools.lru_cache(maxsize=CACHED_GEMEENTEN)
def wijk_values(store: Store, gemeente_code: str) -> pl.DataFrame:
    """Every wijk of a 2024 gemeente, both years: code, name, year, counts, rate, CI, and
    `significant` ('hoger'/'lager' than the gemeente) — suppressed, ordered by year and rate.

    Also `ref_rate` (the gemeente over its wijken with a figure) and `in_both` (the wijk code
    exists in 2021 and 2022, so its trend can be shown).
    """

    own = store.wijken.filter(pl.col("gemeente_code") == gemeente_code)
    latest_name = own.sort("year").group_by("wijk_code").agg(pl.col("name").last().alias("gebied"))
    rows = own.join(latest_name, on="wijk_code").select(
        "wijk_code",
        "gebied",
        "year",
        "gemeente_own",
        pl.col(NUMERATOR).cast(pl.Float64).alias("numerator"),
        pl.col(DENOMINATOR).cast(pl.Float64).alias("denominator"),
        pl.col(ESTIMATED).fill_null(False).alias("is_estimated_count"),
    )
    known = rows.filter(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null())
    reference = known.group_by("year").agg(
        (pl.col("numerator").sum() / pl.col("denominator").sum()).alias("ref_rate"),
        pl.col("numerator").sum().alias("ref_numerator"),
        pl.col("denominator").sum().alias("ref_denominator"),
    )
    both = rows.group_by("wijk_code").agg((pl.col("year").n_unique() == 2).alias("in_both"))
    values = (
        with_rate_ci(rows)
        .join(reference, on="year", how="left")
        .join(both, on="wijk_code", how="left")
        .with_columns(significant=significance("ref_rate"))
    )
    return suppress(values).sort(
        "year", "rate", "wijk_code", descending=[False, True, False], nulls_last=True
    )


def _topology(store: Store) -> dict:
    """The whole wijk map, parsed once per process (2 MB of TopoJSON)."""
    return store.cached("wijk_topology", lambda: json.loads(store.geo_text("wijk")))


def has_map(store: Store, gemeente_code: str) -> bool:
    """True when the wijk map holds polygons of this gemeente's wijken."""
    codes = store.cached(
        "wijk_map_gemeenten",
        lambda: {
            g["properties"].get("gemeente")
            for g in _topology(store)["objects"]["wijk"]["geometries"]
        },
    )
    return gemeente_code in codes


@functools.lru_cache(maxsize=CACHED_GEMEENTEN)
def map_text(store: Store, gemeente_code: str) -> str:
    """The wijk TopoJSON of one gemeente: its wijken only, unused arcs dropped."""
    from jeugdmonitor.data.sources.wijken import gemeente_subset

    return gemeente_subset(_topology(store), gemeente_code)


# --------------------------------------------------------- other measures per wijk (real CBS)


@dataclass(frozen=True)
class WijkMeasure:
    """A share per wijk from the `wijken` table: numerator / denominator of one year."""

    key: str
    indicator: str  # the indicator it shows per wijk (catalogue)
    title: str  # Dutch, as CBS names it
    what: str  # Dutch, after a percentage: '… van de huishoudens heeft een laag inkomen'
    base: str  # Dutch plural of what is counted: 'huishoudens'
    year: int
    source: str
    numerator: pl.Expr
    denominator: pl.Expr
    # the published percentage had one decimal: the count lies between these (or None: exact)
    bounds: tuple[pl.Expr, pl.Expr] | None = None


def _income(share: float) -> pl.Expr:
    return (pl.col("p_hh_lkk") + share).clip(lower_bound=0) / 100 * pl.col("a_hh")


MEASURES = {
    m.key: m
    for m in (
        WijkMeasure(
            "jeugdzorg_eenouder",
            "jeugdzorg_huishouden",
            "Jeugdzorg in eenoudergezinnen",
            "van de jongeren met jeugdzorg woont in een eenoudergezin",
            "jongeren met jeugdzorg",
            2022,
            "CBS 85335NED (2022), jeugdzorg in natura per wijk naar huishouden",
            pl.col("hh_eenouder"),
            pl.col("jz_totaal"),
        ),
        WijkMeasure(
            "laag_inkomen",
            "laag_inkomen",
            "Huishoudens met een laag inkomen",
            "van de huishoudens heeft een laag inkomen",
            "huishoudens",
            2021,
            "CBS Kerncijfers wijken en buurten 2021 (percentage × huishoudens)",
            _income(0.0),
            pl.col("a_hh"),
            (_income(-0.05).floor(), _income(0.05).ceil()),
        ),
        WijkMeasure(
            "opleiding_laag",
            "opleidingsniveau",
            "Inwoners met een laag opleidingsniveau",
            "van de inwoners van 15-75 jaar heeft een laag opleidingsniveau",
            "inwoners van 15-75 jaar",
            2021,
            "CBS Kerncijfers wijken en buurten 2021",
            pl.col("a_opl_lg"),
            pl.sum_horizontal("a_opl_lg", "a_opl_md", "a_opl_hg", ignore_nulls=False),
        ),
    )
}


@functools.lru_cache(maxsize=3 * CACHED_GEMEENTEN)
def measure_values(store: Store, gemeente_code: str, key: str) -> pl.DataFrame:
    """Every wijk of a 2024 gemeente for one measure (`MEASURES`) and its year, in the columns of
    `wijk_values`: suppressed, ordered by rate, with the gemeente over its wijken as reference."""
    m = MEASURES[key]
    bounds = (
        [m.bounds[0].alias("numerator_low"), m.bounds[1].alias("numerator_high")]
        if m.bounds
        else []
    )
    rows = store.wijken.filter(
        (pl.col("gemeente_code") == gemeente_code) & (pl.col("year") == m.year)
    ).select(
        "wijk_code",
        pl.col("name").alias("gebied"),
        "year",
        "gemeente_own",
        m.numerator.round(0).cast(pl.Float64).alias("numerator"),
        m.denominator.cast(pl.Float64).alias("denominator"),
        *bounds,
    )
    known = rows.filter(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null())
    values = with_rate_ci(rows).with_columns(
        ref_rate=pl.lit(known["numerator"].sum() / known["denominator"].sum())
        if known.height
        else pl.lit(None, pl.Float64),
        in_both=pl.lit(False),
    )
    return suppress(values.with_columns(significant=significance("ref_rate"))).sort(
        "rate", "wijk_code", descending=[True, False], nulls_last=True
    )
