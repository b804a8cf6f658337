"""Indicator values for any region: weighted sums of member counts, with the NL reference.

A region's numerator and denominator are Σ weight × count over its member gemeenten; the rate is
their ratio. Percentages are never averaged. Results per (indicator, region type) are computed once
per process and shared by all sessions.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.regions import NL_CODE
from jeugdmonitor.stats import significance, with_rate_ci
from jeugdmonitor.store import Store

VALUE_COLUMNS = [
    "region_code",
    "indicator",
    "year",
    "breakdown",
    "numerator",
    "denominator",
    "is_simulated",
    "source",
]


def catalogue_entry(store: Store, indicator: str) -> dict[str, str]:
    """The catalogue row of an indicator as a dict (KeyError when unknown); indexed once."""
    index = store.cached(
        "catalogue_index",
        lambda: {r["indicator"]: r for r in store.catalogue.iter_rows(named=True)},
    )
    if indicator not in index:
        raise KeyError(f"unknown indicator {indicator!r}")
    return dict(index[indicator])


def breakdown_labels(store: Store) -> dict[str, str]:
    """Breakdown key → Dutch label ('age=4-12' → '4-12 jaar')."""
    return store.cached(
        "breakdown_labels",
        lambda: dict(store.breakdowns.select("breakdown", "label_nl").iter_rows()),
    )


def _aggregate(store: Store, indicator: str, region_type: str) -> pl.DataFrame:
    member = store.membership.join(
        store.regions.filter(pl.col("type") == region_type).select(
            pl.col("code").alias("region_code")
        ),
        on="region_code",
    )
    return (
        store.indicators.lazy()
        .filter(pl.col("indicator") == indicator)
        .join(member.lazy(), on="gemeente_code")
        .group_by("region_code", "indicator", "year", "breakdown")
        .agg(
            (pl.col("numerator") * pl.col("weight")).sum().alias("numerator"),
            (pl.col("denominator") * pl.col("weight")).sum().alias("denominator"),
            pl.col("is_simulated").any(),
            pl.col("source").unique().sort().str.join("; "),
        )
        .sort("region_code", "year", "breakdown")
        .collect()
        .select(VALUE_COLUMNS)
    )


def level_values(store: Store, indicator: str, region_type: str) -> pl.DataFrame:
    """Counts, rate and Wilson CI for every region of one type, all years and breakdowns.

    Joined with the NL reference (nl_numerator, nl_denominator, nl_rate) and a `significant`
    column ('hoger'/'lager' than NL, or null).
    """

    def compute() -> pl.DataFrame:
        values = with_rate_ci(_aggregate(store, indicator, region_type))
        nl = (
            values
            if region_type == "nederland"
            else with_rate_ci(_aggregate(store, indicator, "nederland"))
        ).select(
            "year",
            "breakdown",
            pl.col("numerator").alias("nl_numerator"),
            pl.col("denominator").alias("nl_denominator"),
            pl.col("rate").alias("nl_rate"),
        )
        joined = values.join(nl, on=["year", "breakdown"], how="left")
        return joined.with_columns(significant=significance("nl_rate"))

    return store.cached(("level_values", indicator, region_type), compute)


def region_values(
    store: Store, code: str, indicator: str, year: int | None = None, breakdown: str | None = None
) -> pl.DataFrame:
    """Values of one region (all years/breakdowns unless given), with the NL reference columns."""
    region = store.region_index.get(code)
    if region is None:
        raise KeyError(f"unknown region code {code!r}")
    frame = level_values(store, indicator, region["type"]).filter(pl.col("region_code") == code)
    if year is not None:
        frame = frame.filter(pl.col("year") == year)
    if breakdown is not None:
        frame = frame.filter(pl.col("breakdown") == breakdown)
    return frame


def nl_values(store: Store, indicator: str) -> pl.DataFrame:
    """The national values of an indicator (all years and breakdowns)."""
    return region_values(store, NL_CODE, indicator)


def latest_year(store: Store, indicator: str) -> int:
    """Most recent year with data for an indicator."""
    return store.cached(
        ("latest_year", indicator),
        lambda: int(store.indicators.filter(pl.col("indicator") == indicator)["year"].max()),
    )


def years(store: Store, indicator: str) -> list[int]:
    """All years with data for an indicator, ascending."""
    return store.cached(
        ("years", indicator),
        lambda: sorted(
            store.indicators.filter(pl.col("indicator") == indicator)["year"].unique().to_list()
        ),
    )
