"""Importer for the ≈2020 population per gemeente (CBS via mzelst/covid-19), mapped to 2024."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jeugdmonitor.sources.crosswalk import resolve_codes

# Share of the total population in each youth age group, NL 1 January 2020 (CBS StatLine 7461BEV,
# rounded): 0-3 years ≈ 679k, 4-11 ≈ 1,469k, 12-17 ≈ 1,188k of 17.41 M inhabitants.
AGE_SHARES = {"0-4": 0.0390, "4-12": 0.0844, "12-18": 0.0682}


def read_population(path: Path) -> pl.DataFrame:
    """Read the raw file: old gemeente code, name and total population."""
    frame = pl.read_csv(path)
    needed = {"Municipality_code", "Municipality_name", "population"}
    if not needed <= set(frame.columns):
        raise ValueError(f"{path}: expected columns {sorted(needed)}, got {frame.columns}")
    return frame.select(
        pl.col("Municipality_code").alias("old_code"),
        pl.col("Municipality_name").alias("old_name"),
        pl.col("population").cast(pl.Int64),
    )


def population_2024(
    raw: pl.DataFrame, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Total population per 2024 gemeente (≈2020 counts summed over merged predecessors)."""
    resolved = resolve_codes(raw["old_code"], gemeenten, crosswalk)
    return (
        raw.join(resolved, on="old_code")
        .group_by("gm_code")
        .agg(
            (pl.col("population") * pl.col("share"))
            .sum()
            .round(0)
            .cast(pl.Int64)
            .alias("population")
        )
        .rename({"gm_code": "gemeente_code"})
        .sort("gemeente_code")
    )


def youth_by_age(total: pl.DataFrame) -> pl.DataFrame:
    """Split each gemeente's total into youth age groups with national shares (an estimate)."""
    return (
        total.join(
            pl.DataFrame({"age_group": list(AGE_SHARES), "age_share": list(AGE_SHARES.values())}),
            how="cross",
        )
        .select(
            "gemeente_code",
            "age_group",
            (pl.col("population") * pl.col("age_share"))
            .round(0)
            .cast(pl.Int64)
            .alias("population"),
            pl.lit(True).alias("is_estimate"),
        )
        .sort("gemeente_code", "age_group")
    )
