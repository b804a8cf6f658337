"""The reviewed merger crosswalk: old (2013-2020) gemeente names/codes → 2024 gemeente codes."""

from __future__ import annotations

import polars as pl

from jeugdmonitor.data.files import reference_csv

CROSSWALK_SCHEMA = {
    "old_name": pl.String,
    "old_code": pl.String,
    "gm_code": pl.String,
    "gm_name": pl.String,
    "share": pl.Float64,
    "since": pl.Int64,
    "note": pl.String,
}


def load_crosswalk() -> pl.DataFrame:
    """Read `reference/gemeente_crosswalk.csv` (one row per old gemeente × successor, with share)."""
    return reference_csv("gemeente_crosswalk", schema=CROSSWALK_SCHEMA)


def _resolve(
    old: pl.Series, key: str, current: str, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Map old keys (`old_name` or `old_code`) to (gm_code, share).

    The crosswalk wins; otherwise a key that matches the 2024 map's `current` column (name or
    code) maps to that gemeente with share 1. Raises ValueError naming every unknown key.
    """
    keys = pl.DataFrame({key: old.unique().sort()})
    via_crosswalk = keys.join(
        crosswalk.filter(pl.col(key).is_not_null()).select(key, "gm_code", "share"), on=key
    )
    direct = (
        keys.join(via_crosswalk.select(key).unique(), on=key, how="anti")
        .join(gemeenten.select(pl.col(current).alias(key), pl.col("code").alias("gm_code")), on=key)
        .with_columns(share=pl.lit(1.0))
    )
    resolved = pl.concat([via_crosswalk, direct])
    unknown = keys.join(resolved, on=key, how="anti")
    if unknown.height:
        what = key.removeprefix("old_") + "s"
        raise ValueError(
            f"gemeente {what} not in the 2024 map nor in reference/gemeente_crosswalk.csv: "
            + ", ".join(unknown[key].to_list())
        )
    return resolved.sort(key, "gm_code")


def resolve_names(
    names: pl.Series, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Old gemeente names (e.g. in the 2015 SWV table) → (old_name, gm_code, share)."""
    return _resolve(names, "old_name", "name", gemeenten, crosswalk)


def resolve_codes(
    codes: pl.Series, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Old gemeente codes (e.g. in the ≈2020 population file) → (old_code, gm_code, share)."""
    return _resolve(codes, "old_code", "code", gemeenten, crosswalk)
