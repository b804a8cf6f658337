"""Statistics on counts: Wilson intervals, significance against NL, small-count suppression."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import polars as pl

Z95 = 1.959963984540054
MIN_COUNT = 10  # DESIGN §6: suppress any count < 10 and the rates built on it
ROUND_TO = 5  # displayed counts are rounded to a multiple of 5
# a percentage published with one decimal lies within ±0.05 percentage point of the true one
ROUNDING = 0.0005


def _wilson_bounds(p: Any, den: Any, z: float, sqrt: Callable[[Any], Any]) -> tuple[Any, Any]:
    """The Wilson score interval's bounds, unclipped; one formula for expressions and scalars."""
    centre = (p + z**2 / (2 * den)) / (1 + z**2 / den)
    half = z * sqrt(p * (1 - p) / den + z**2 / (4 * den**2)) / (1 + z**2 / den)
    return centre - half, centre + half


def wilson(num: pl.Expr, den: pl.Expr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """Lower and upper bound of the Wilson score interval for num/den (null when den is 0)."""
    return wilson_rate(num / den, den, z=z)


def wilson_rate(
    rate: pl.Expr, den: pl.Expr, rounding: pl.Expr | float = 0.0, z: float = Z95
) -> tuple[pl.Expr, pl.Expr]:
    """The Wilson interval of a rate on `den` observations, widened by the rate's own rounding:
    the lower bound is that of rate − rounding, the upper that of rate + rounding (a published
    12.3% may be 12.25…12.35%, and each of those has its sampling interval)."""
    low, _ = _wilson_bounds((rate - rounding).clip(0.0, 1.0), den, z, pl.Expr.sqrt)
    _, high = _wilson_bounds((rate + rounding).clip(0.0, 1.0), den, z, pl.Expr.sqrt)
    valid = den > 0
    return (
        pl.when(valid).then(low.clip(0.0, 1.0)),
        pl.when(valid).then(high.clip(0.0, 1.0)),
    )


def wilson_interval(num: float, den: float, z: float = Z95) -> tuple[float | None, float | None]:
    """`wilson` for one count (e.g. a pooled row), without a polars round trip."""
    if not den > 0:
        return None, None
    low, high = _wilson_bounds(num / den, den, z, math.sqrt)
    return min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)


def is_small(num: float | None, den: float | None) -> bool:
    """`suppress`'s rule for one count: True when the numerator or denominator is below 10."""
    return num is None or den is None or num < MIN_COUNT or den < MIN_COUNT


def small(num: str = "numerator", den: str = "denominator") -> pl.Expr:
    """`suppress`'s rule as an expression: numerator or denominator below MIN_COUNT (or missing)."""
    return ((pl.col(num) < MIN_COUNT) | (pl.col(den) < MIN_COUNT)).fill_null(True)


def with_rate_ci(
    frame: pl.DataFrame,
    num: str = "numerator",
    den: str = "denominator",
    prefix: str = "",
    *,
    published: bool = False,
) -> pl.DataFrame:
    """Add `rate`, `ci_low`, `ci_high` (as fractions) computed from counts, never from rates.

    With `published`, a row's `published_rate` (the percentage its source published, when it
    published no counts) is its rate, and its `rounding` widens the interval (`wilson_rate`).
    An estimated count with bounds (`numerator_low`, `numerator_high`) widens the interval too:
    down to the lower Wilson bound of its low count, up to the upper bound of its high count.
    """
    counted = pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den))
    rounding: pl.Expr | float = 0.0
    if published:
        counted = pl.coalesce(pl.col("published_rate"), counted)
        rounding = pl.col("rounding").fill_null(0.0)
    lo, hi = wilson_rate(counted, pl.col(den), rounding)
    if not prefix and num == "numerator" and "numerator_low" in frame.columns:
        lo = pl.min_horizontal(lo, wilson(pl.coalesce("numerator_low", num), pl.col(den))[0])
        hi = pl.max_horizontal(hi, wilson(pl.coalesce("numerator_high", num), pl.col(den))[1])
    return frame.with_columns(
        pl.when(pl.col(den) > 0).then(counted).alias(f"{prefix}rate"),
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


ESTIMATE_BOUNDS = ("numerator_low", "numerator_high")  # hidden with the count they bound


def suppress(
    frame: pl.DataFrame,
    num: str = "numerator",
    den: str = "denominator",
    derived: tuple[str, ...] = ("rate", "ci_low", "ci_high", "significant"),
) -> pl.DataFrame:
    """Blank counts below MIN_COUNT and every value built on them; adds a `suppressed` flag.

    A denominator below MIN_COUNT suppresses the numerator too (the rate would reveal it). A rate
    its source published itself (`published_rate`) stays: only the count derived from it is
    blanked (`suppressed` is then false, the count empty).
    """
    hidden = small(num, den)
    if "published_rate" in frame.columns:
        hidden_rate = hidden & pl.col("published_rate").is_null()
    else:
        hidden_rate = hidden
    blank = [pl.when(~hidden_rate).then(pl.col(c)).alias(c) for c in derived if c in frame.columns]
    blank += [
        pl.when(~hidden).then(pl.col(c)).alias(c) for c in ESTIMATE_BOUNDS if c in frame.columns
    ]
    num_blank = pl.when(~hidden).then(pl.col(num)).alias(num)
    den_blank = pl.when(pl.col(den) >= MIN_COUNT).then(pl.col(den)).alias(den)
    return frame.with_columns(hidden_rate.alias("suppressed")).with_columns(
        *blank, num_blank, den_blank
    )


def round_count(value: float | None) -> int | None:
    """Round a displayed count to the nearest multiple of ROUND_TO (None stays None)."""
    if value is None:
        return None
    return int(ROUND_TO * round(float(value) / ROUND_TO))


# ----------------------------------------------------------------- ventiles and nearest regions

N_VENTILES = 20  # NJi: "elke staaf geeft het gemiddelde van de laagste 5% … tot de hoogste 5%"


def ventile_groups(
    frame: pl.DataFrame, value: str, id_col: str = "region_code", n_groups: int = N_VENTILES
) -> pl.DataFrame:
    """Add `group` (1..n) splitting the rows, ordered by `value`, into n groups of near-equal size.

    Rows are ordered by value, ties by id (deterministic); group = ⌊rank·n/rows⌋ + 1, so group sizes
    differ by at most one. With fewer rows than groups every row is its own group. Rows whose
    value is null get no group.
    """
    valid = frame.filter(pl.col(value).is_not_null()).sort(value, id_col)
    groups = min(n_groups, valid.height)
    ranked = valid.with_columns(
        group=(pl.int_range(pl.len(), dtype=pl.Int64) * groups // pl.len() + 1).cast(pl.Int32)
    )
    return frame.join(ranked.select(id_col, "group"), on=id_col, how="left")


def ventile_means(
    frame: pl.DataFrame, value: str, id_col: str = "region_code", n_groups: int = N_VENTILES
) -> pl.DataFrame:
    """One row per group: mean, min and max of `value` and the number of regions, lowest first."""
    return (
        ventile_groups(frame, value, id_col, n_groups)
        .filter(pl.col("group").is_not_null())
        .group_by("group")
        .agg(
            pl.col(value).mean().alias("mean"),
            pl.col(value).min().alias("min"),
            pl.col(value).max().alias("max"),
            pl.len().alias("n_regions"),
        )
        .sort("group")
    )


def standardise(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """z-scores of the columns (mean 0, sd 1 over the rows); constant columns are dropped."""
    varying = [c for c in columns if (frame[c].std() or 0.0) > 0.0]
    return frame.with_columns(
        ((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).alias(c) for c in varying
    ).drop([c for c in columns if c not in varying])


def nearest(
    frame: pl.DataFrame, target: str, features: list[str], k: int = 10, id_col: str = "code"
) -> pl.DataFrame:
    """The k rows most similar to `target`: Euclidean distance on standardised features.

    The target itself is excluded; ties are broken by id so the answer is deterministic. Rows with
    a missing feature are left out. Returns id_col, `distance` and the raw feature values.
    """
    complete = frame.drop_nulls(features)
    if target not in complete[id_col].to_list():
        raise KeyError(f"{target!r} not found (or has missing features) in the comparison table")
    z = standardise(complete.select(id_col, *features), features)
    used = [c for c in features if c in z.columns]
    if not used:
        raise ValueError("no feature varies between the rows; cannot compare")
    me = z.filter(pl.col(id_col) == target).row(0, named=True)
    distance = pl.sum_horizontal((pl.col(c) - me[c]) ** 2 for c in used).sqrt()
    return (
        z.select(id_col, distance.alias("distance"))
        .filter(pl.col(id_col) != target)
        .sort("distance", id_col)
        .head(k)
        .join(complete.select(id_col, *features), on=id_col, how="left", maintain_order="left")
    )


def count_text(value: float | None) -> str:
    """A count as shown to users: rounded to ROUND_TO, Dutch thousands separator; '< 10' if suppressed."""
    if value is None or value < MIN_COUNT:
        return f"< {MIN_COUNT}"
    return f"{round_count(value):,}".replace(",", ".")


def count_labels(column: str = "numerator") -> pl.Expr:
    """`count_text` of every value of a column (e.g. after `suppress`: null → '< 10')."""
    return pl.col(column).map_elements(count_text, return_dtype=pl.String, skip_nulls=False)


def percent_text(rate: float | None, digits: int = 1) -> str:
    """A fraction as a Dutch percentage ('12,3%'); '–' when missing or suppressed."""
    return "–" if rate is None else f"{100 * rate:.{digits}f}%".replace(".", ",")


def decimal_text(value: float | None, digits: int = 2) -> str:
    """A number with a Dutch decimal comma ('1,25'); '–' when missing or suppressed."""
    return "–" if value is None else f"{value:.{digits}f}".replace(".", ",")


def rounded(expr: pl.Expr | str) -> pl.Expr:
    """Round a count (expression or column name) to a multiple of ROUND_TO: vectorised `round_count`."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    return ((expr / ROUND_TO).round(0) * ROUND_TO).cast(pl.Int64)
