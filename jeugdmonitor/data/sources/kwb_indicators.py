"""Armoede and achterstand as CBS measures them: KWB 2021 per gemeente (and NL), as indicators.

- `laag_inkomen`: households with a low income (`p_hh_lkk`), under or around the social minimum
  (`p_hh_osm`) and in the lowest 40% of incomes (`p_hh_li`). KWB publishes percentages only, so
  each count is the percentage × the households (`a_hh`) of the gemeente of that year: the base
  the percentage is weighed with when gemeenten are added up (never an average of percentages).
  CBS relates the percentages to private households with an observed income, a little fewer
  than all households, so the counts are derived (`is_estimate`); the gemeente's own rate is
  exactly the published percentage. KWB rounds the percentage to one decimal, so the count lies
  between (percentage ∓ 0.05) × households: those are its bounds, and the interval includes them.
- `opleidingsniveau`: inhabitants aged 15-75 by education level (`a_opl_lg`, `a_opl_md`,
  `a_opl_hg`): real counts, the base is their sum.

Both describe households or inhabitants, not children. 2021 only (the 2022 columns are empty).
Counts of own-year gemeenten are summed to 2024 gemeenten (`to_2024`: KWB publishes these for
every gemeente, so a merged gemeente has every part).
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.data.sources import kwb
from jeugdmonitor.data.sources.crosswalk import resolve_codes

YEAR = 2021
SOURCE = "CBS Kerncijfers wijken en buurten 2021"
DERIVED = f"{SOURCE}: aandeel × aantal huishoudens"
INCOME = {  # breakdown → KWB percentage column
    "inkomen=laag": "p_hh_lkk",
    "inkomen=sociaal_minimum": "p_hh_osm",
    "inkomen=laagste_40": "p_hh_li",
}
ROUNDING = 0.05  # KWB percentages have one decimal
EDUCATION = {
    "opleiding=laag": "a_opl_lg",
    "opleiding=middelbaar": "a_opl_md",
    "opleiding=hoog": "a_opl_hg",
}


def _counts(rows: pl.DataFrame) -> pl.DataFrame:
    """Per region row of YEAR: households per income measure (percentage × households) and
    inhabitants per education level, with their bases."""
    return rows.filter(pl.col("year") == YEAR).select(
        "code",
        "year",
        *((pl.col(col) / 100 * pl.col("a_hh")).alias(b) for b, col in INCOME.items()),
        *(
            ((pl.col(col) + d * ROUNDING).clip(lower_bound=0) / 100 * pl.col("a_hh")).alias(
                f"{b}{end}"
            )
            for b, col in INCOME.items()
            for end, d in (("_low", -1), ("_high", 1))
        ),
        pl.col("a_hh").alias("households"),
        *(pl.col(col).alias(b) for b, col in EDUCATION.items()),
        pl.sum_horizontal(*EDUCATION.values()).alias("educated"),
    )


def _long(counts: pl.DataFrame, key: str) -> pl.DataFrame:
    """Indicator rows (long) from `_counts`-shaped columns; null counts give no row."""
    parts = [
        (indicator, b, base, source, estimate)
        for indicator, mapping, base, source, estimate in (
            ("laag_inkomen", INCOME, "households", DERIVED, True),
            ("opleidingsniveau", EDUCATION, "educated", SOURCE, False),
        )
        for b in mapping
    ]
    return pl.concat(
        counts.select(
            key,
            pl.lit(indicator).alias("indicator"),
            pl.col("year").cast(pl.Int32),
            pl.lit(b).alias("breakdown"),
            pl.col(b).round(0).cast(pl.Int64).alias("numerator"),
            pl.col(base).round(0).cast(pl.Int64).alias("denominator"),
            *(
                (pl.col(f"{b}{end}").floor() if end == "_low" else pl.col(f"{b}{end}").ceil())
                .cast(pl.Int64)
                .alias(f"numerator{end}")
                if f"{b}{end}" in counts.columns
                else pl.lit(None, pl.Int64).alias(f"numerator{end}")
                for end in ("_low", "_high")
            ),
            pl.lit(source).alias("source"),
            pl.lit(False).alias("is_simulated"),
            pl.lit(estimate).alias("is_estimate"),
        ).filter(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null())
        for indicator, b, base, source, estimate in parts
    )


def to_2024(
    rows: pl.DataFrame, columns: list[str], gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Counts of own-year gemeenten (`code`, `year`) summed to 2024 gemeenten. A 2024 value is
    null when any part's is null (KWB publishes these for every gemeente, so that does not
    happen in the bundled data); only full mergers are allowed."""
    resolved = resolve_codes(rows["code"], gemeenten, crosswalk)
    split = resolved.filter(pl.col("share") != 1.0)
    if split.height:
        raise ValueError(
            f"gemeente {split['old_code'][0]} was split after this year: its counts cannot be "
            "mapped to 2024 gemeenten exactly"
        )
    return (
        rows.join(resolved, left_on="code", right_on="old_code")
        .group_by("gm_code", "year")
        .agg(
            pl.when(pl.col(c).is_null().any()).then(None).otherwise(pl.col(c).sum()).alias(c)
            for c in columns
        )
        .rename({"gm_code": "gemeente_code"})
        .sort("gemeente_code", "year")
    )


def indicator_rows(
    kwb_rows: pl.DataFrame, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows per 2024 gemeente (`indicators`) and CBS's national row (`national`)."""
    own = _counts(kwb.level(kwb_rows, "gemeente"))
    columns = [c for c in own.columns if c not in ("code", "year")]
    summed = to_2024(own, columns, gemeenten, crosswalk)
    rows = _long(summed, "gemeente_code")
    national = _long(_counts(kwb.level(kwb_rows, "land")), "code").drop(
        "code", "numerator_low", "numerator_high"
    )
    order = ["indicator", "year", "breakdown"]
    return rows.sort("indicator", "gemeente_code", "year", "breakdown"), national.sort(order)
