"""Importer for the legal PC4 → SWV po/vo table (Regeling regio-indeling passend onderwijs, 2015)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jeugdmonitor.sources.crosswalk import resolve_names

SWV_COLUMNS = {"pc4": pl.String, "gemeente": pl.String, "po_swv": pl.String, "vo_swv": pl.String}
NOT_AN_SWV = ("Europoort",)  # three port postcodes carry this value instead of an SWV code
MILLION = 1_000_000


def read_pc4_table(path: Path) -> pl.DataFrame:
    """Read the PC4 table and drop rows that name no SWV (Europoort)."""
    frame = pl.read_csv(path, schema_overrides=SWV_COLUMNS)
    missing = [c for c in SWV_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame.filter(~pl.col("po_swv").is_in(NOT_AN_SWV) & ~pl.col("vo_swv").is_in(NOT_AN_SWV))


def swv_weights(
    pc4: pl.DataFrame, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Weight of each 2024 gemeente in each SWV (po and vo): its share of postcodes in that SWV.

    Each PC4 row counts once for its old gemeente; through the crosswalk it counts `share` for each
    successor. The weight is the gemeente's postcode count in the SWV divided by its total, so a
    gemeente's po weights sum to 1, and so do its vo weights. Computed in integers (shares in
    hundredths, weights in millionths) so no float summation order can change a bit: the
    largest weight absorbs the rounding, so sums are exactly 1.
    """
    resolved = resolve_names(pc4["gemeente"], gemeenten, crosswalk)
    rows = pc4.join(resolved, left_on="gemeente", right_on="old_name", how="inner")
    parts = []
    for kind in ("po", "vo"):
        counts = (
            rows.group_by("gm_code", pl.col(f"{kind}_swv").alias("region_code"))
            .agg((pl.col("share") * 100).round(0).cast(pl.Int64).sum().alias("n"))
            .with_columns(
                micro=(pl.col("n") * MILLION / pl.col("n").sum().over("gm_code"))
                .round(0)
                .cast(pl.Int64)
            )
            .sort("gm_code", "micro", "region_code", descending=[False, True, False])
            .with_columns(
                micro=pl.when(pl.int_range(pl.len()).over("gm_code") == 0)
                .then(MILLION - pl.col("micro").sum().over("gm_code") + pl.col("micro"))
                .otherwise(pl.col("micro"))
            )
            .with_columns(weight=pl.col("micro") / MILLION)
        )
        parts.append(
            counts.select(
                pl.col("gm_code").alias("gemeente_code"),
                "region_code",
                "weight",
                pl.lit(f"swv_{kind}").alias("type"),
            )
        )
    return pl.concat(parts).sort("type", "gemeente_code", "region_code")
