"""Statistics on counts: Wilson intervals, significance against NL, small-count suppression."""

from __future__ import annotations

import polars as pl

Z95 = 1.959963984540054
MIN_COUNT = 10  # DESIGN §6: suppress any count < 10 and the rates built on it
ROUND_TO = 5  # displayed counts are rounded to a multiple of 5


def wilson(num: pl.Expr, den: pl.Expr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """Lower and upper bound of the Wilson score interval for num/den (null when den is 0)."""
    p = num / den
    centre = (p + z**2 / (2 * den)) / (1 + z**2 / den)
    half = z * ((p * (1 - p) / den + z**2 / (4 * den**2)).sqrt()) / (1 + z**2 / den)
    valid = den > 0
    return (
        pl.when(valid).then((centre - half).clip(0.0, 1.0)),
        pl.when(valid).then((centre + half).clip(0.0, 1.0)),
    )


def with_rate_ci(
    frame: pl.DataFrame, num: str = "numerator", den: str = "denominator", prefix: str = ""
) -> pl.DataFrame:
    """Add `rate`, `ci_low`, `ci_high` (as fractions) computed from counts, never from rates."""
    lo, hi = wilson(pl.col(num), pl.col(den))
    return frame.with_columns(
        pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).alias(f"{prefix}rate"),
        lo.alias(f"{prefix}ci_low"),
        hi.alias(f"{prefix}ci_high"),
    )


def significance(reference: str = "nl_rate") -> pl.Expr:
    """'hoger' / 'lager' when the reference rate lies outside the region's 95% interval, else null."""
    ref = pl.col(reference)
    return (
        pl.when(ref < pl.col("ci_low"))
        .then(pl.lit("hoger"))
        .when(ref > pl.col("ci_high"))
        .then(pl.lit("lager"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def suppress(
    frame: pl.DataFrame,
    num: str = "numerator",
    den: str = "denominator",
    derived: tuple[str, ...] = ("rate", "ci_low", "ci_high", "significant"),
) -> pl.DataFrame:
    """Blank counts below MIN_COUNT and every value built on them; adds a `suppressed` flag.

    A denominator below MIN_COUNT suppresses the numerator too (the rate would reveal it).
    """
    small = (pl.col(num) < MIN_COUNT) | (pl.col(den) < MIN_COUNT)
    blank = [
        pl.when(~small).then(pl.col(c)).alias(c) for c in (num, *derived) if c in frame.columns
    ]
    den_blank = pl.when(pl.col(den) >= MIN_COUNT).then(pl.col(den)).alias(den)
    return frame.with_columns(small.fill_null(True).alias("suppressed")).with_columns(
        *blank, den_blank
    )


def round_count(value: float | None) -> int | None:
    """Round a displayed count to the nearest multiple of ROUND_TO (None stays None)."""
    if value is None:
        return None
    return int(ROUND_TO * round(float(value) / ROUND_TO))


def rounded(expr: pl.Expr) -> pl.Expr:
    """Round a count expression to the nearest multiple of ROUND_TO (vectorised `round_count`)."""
    return ((expr / ROUND_TO).round(0) * ROUND_TO).cast(pl.Int64)
