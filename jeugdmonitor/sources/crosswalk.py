"""The reviewed merger crosswalk: old (2013-2020) gemeente names/codes → 2024 gemeente codes."""

from __future__ import annotations

from importlib import resources

import polars as pl

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
    path = resources.files("jeugdmonitor") / "reference" / "gemeente_crosswalk.csv"
    with resources.as_file(path) as p:
        return pl.read_csv(p, schema=CROSSWALK_SCHEMA)


def resolve_names(
    names: pl.Series, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Map old gemeente names to (gm_code, share); names that still exist map to themselves.

    Raises ValueError naming every name that neither the 2024 map nor the crosswalk knows.
    """
    old = pl.DataFrame({"old_name": names.unique().sort()})
    via_crosswalk = old.join(
        crosswalk.select("old_name", "gm_code", "share"), on="old_name", how="inner"
    )
    direct = (
        old.join(via_crosswalk.select("old_name").unique(), on="old_name", how="anti")
        .join(
            gemeenten.select(pl.col("name").alias("old_name"), pl.col("code").alias("gm_code")),
            on="old_name",
            how="inner",
        )
        .with_columns(share=pl.lit(1.0))
    )
    resolved = pl.concat([via_crosswalk, direct])
    unknown = old.join(resolved, on="old_name", how="anti")
    if unknown.height:
        raise ValueError(
            "gemeente names not in the 2024 map nor in reference/gemeente_crosswalk.csv: "
            + ", ".join(unknown["old_name"].to_list())
        )
    return resolved.sort("old_name", "gm_code")


def resolve_codes(
    codes: pl.Series, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Map old gemeente codes to (gm_code, share); current codes map to themselves."""
    old = pl.DataFrame({"old_code": codes.unique().sort()})
    via_crosswalk = old.join(
        crosswalk.filter(pl.col("old_code").is_not_null()).select("old_code", "gm_code", "share"),
        on="old_code",
        how="inner",
    )
    direct = (
        old.join(via_crosswalk.select("old_code").unique(), on="old_code", how="anti")
        .join(gemeenten.select(pl.col("code").alias("old_code")), on="old_code", how="inner")
        .with_columns(gm_code=pl.col("old_code"), share=pl.lit(1.0))
    )
    resolved = pl.concat([via_crosswalk, direct])
    unknown = old.join(resolved, on="old_code", how="anti")
    if unknown.height:
        raise ValueError(
            "gemeente codes not in the 2024 map nor in reference/gemeente_crosswalk.csv: "
            + ", ".join(unknown["old_code"].to_list())
        )
    return resolved.sort("old_code", "gm_code")
