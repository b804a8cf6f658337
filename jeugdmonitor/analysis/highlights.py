"""What stands out for a region ("Wat valt op"): tested differences on real figures only.

For every indicator and breakdown of the catalogue whose figures are real (`is_simulated` false:
CBS or the user's own imported figures) and shown (not suppressed, enough coverage), in its latest
real year, three comparisons are tested:

- `nl`: the region against Nederland. Nederland is the fixed reference, as everywhere in the
  monitor: the score test whose 95% version is exactly the "NL outside the region's Wilson
  interval" rule behind ▲/▼, so an unadjusted p < 0.05 here is a ▲/▼ elsewhere;
- `peers`: the region against its comparison gemeenten pooled (counts summed; the computed
  comparable gemeenten of a gemeente, or the user's own `Choices.compare`), a two-proportion z test;
- `change`: the region's last real year against the real year before it, a two-proportion z test
  (the two years are treated as independent samples).

A rate that is itself uncertain beyond sampling (a percentage CBS published rounded to one
decimal, or an estimated count with bounds) is tested at the end of its range nearest the
reference (`rate_low` … `rate_high`): exactly the widened interval the figures show, so the
test against Nederland still says what ▲/▼ says. An estimate too uncertain for one number (shown
as a range only) is not tested.

All p values of a region are adjusted together with Holm's method (`holm`): a difference
counts when it stays below ALPHA after the adjustment, so a page with 40 tests does not raise
two false alarms by chance. Differences are ranked by Cohen's h, the difference of
2·arcsin(√p): a difference of one percentage point weighs more at 2% than at 40%, so indicators
on different scales can be put in one list. Nothing here says why a difference exists.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy.special import ndtr

from jeugdmonitor.analysis.benchmark import RANGE_LIMIT, pooled_value
from jeugdmonitor.analysis.indicators import level_values
from jeugdmonitor.analysis.stats import MIN_COUNT
from jeugdmonitor.data.regions import NL_CODE, Region
from jeugdmonitor.data.store import Store

ALPHA = 0.05
METHOD_NL = "de methode van Holm"
COMPARISONS = ("nl", "peers", "change")
TEST_COLUMNS = {
    "indicator": pl.String,
    "breakdown": pl.String,
    "comparison": pl.String,  # 'nl', 'peers' or 'change'
    "year": pl.Int32,
    "ref_year": pl.Int32,  # the reference's year: the same year, or the year before (change)
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "rate": pl.Float64,
    "rate_low": pl.Float64,  # the rate's own uncertainty (rounding, estimate bounds): its range
    "rate_high": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "coverage_note": pl.String,
    "ref_numerator": pl.Float64,
    "ref_denominator": pl.Float64,
    "ref_rate": pl.Float64,
    "ref_n": pl.Int32,  # comparison gemeenten with a value (peers), else null
}


def _real_values(store: Store, indicator: str, region_type: str, code: str) -> pl.DataFrame:
    """A region's real, shown values of one indicator (all years and breakdowns), with the
    range its rate may have beyond sampling (`rate_low`, `rate_high`)."""
    return (
        level_values(store, indicator, region_type)
        .filter(
            (pl.col("region_code") == code)
            & ~pl.col("is_simulated")
            & (pl.col("numerator") >= MIN_COUNT)
            & (pl.col("denominator") >= MIN_COUNT)
            & ~range_only().fill_null(False)  # shown as a range only: not one number to test
        )
        .with_columns(**rate_range())
    )


def range_only() -> pl.Expr:
    """An estimate too uncertain for one number: the figures show its range only."""
    return (pl.col("numerator_high") - pl.col("numerator_low")) > RANGE_LIMIT * pl.col("numerator")


def rate_range() -> dict[str, pl.Expr]:
    """`rate_low`, `rate_high`: the range a rate may have beyond sampling (a published
    percentage's rounding, an estimate's bounds); the rate itself when it is exact."""
    den, rounding = pl.col("denominator"), pl.col("rounding").fill_null(0.0)
    low = pl.min_horizontal(pl.col("rate") - rounding, pl.col("numerator_low") / den)
    high = pl.max_horizontal(pl.col("rate") + rounding, pl.col("numerator_high") / den)
    return {"rate_low": low.clip(0.0, 1.0), "rate_high": high.clip(0.0, 1.0)}


def real_indicators(store: Store) -> list[str]:
    """Catalogue indicators with at least one real row, in catalogue order."""
    real = set(
        store.cached(
            "real_indicators",
            lambda: (
                store.indicators.filter(~pl.col("is_simulated"))["indicator"].unique().to_list()
            ),
        )
    )
    return [i for i in store.catalogue["indicator"].to_list() if i in real]


def _same_method(
    store: Store, code: str, indicator: str, breakdown: str, years: Sequence[int]
) -> bool:
    """False for Nederland when CBS's own national figure exists for only one of the years: the
    other year is a sum of rounded gemeente counts, and a change between the two would be partly
    the change of method."""
    if code != NL_CODE:
        return True
    national = store.cached(
        "national_keys",
        lambda: set(store.national.select("indicator", "breakdown", "year").iter_rows()),
    )
    return len({(indicator, breakdown, y) in national for y in years}) == 1


def latest_real(store: Store, region: Region | None) -> pl.DataFrame:
    """Per real indicator and breakdown of a region (None = Nederland): its last two real,
    shown years (`year`, and `prev_*` for the year before, null when there is none)."""
    code, kind = (NL_CODE, "nederland") if region is None else (region.code, region.type)
    keys = ["indicator", "breakdown"]
    values = ["year", "numerator", "denominator", "rate", "rate_low", "rate_high", "ci_low",
              "ci_high", "coverage_note"]  # fmt: skip
    parts = [
        _real_values(store, indicator, kind, code).select(*keys, *values)
        for indicator in real_indicators(store)
    ]
    frame = pl.concat(parts) if parts else pl.DataFrame(schema={k: pl.String for k in keys})
    if not frame.height:
        return frame
    ranked = frame.sort("year", descending=True).with_columns(
        pl.int_range(pl.len()).over(keys).alias("rank")
    )
    last = ranked.filter(pl.col("rank") == 0).drop("rank")
    prev = ranked.filter(pl.col("rank") == 1).select(
        *keys, *(pl.col(c).alias(f"prev_{c}") for c in ("year", "numerator", "denominator", "rate"))
    )
    order = {i: n for n, i in enumerate(real_indicators(store))}
    sort = store.cached(
        "breakdown_order", lambda: dict(store.breakdowns.select("breakdown", "sort").iter_rows())
    )
    return (
        last.join(prev, on=keys, how="left")
        .with_columns(
            pl.col("indicator").replace_strict(order, return_dtype=pl.Int32).alias("o1"),
            pl.col("breakdown")
            .replace_strict(sort, default=999, return_dtype=pl.Int32)
            .alias("o2"),
        )
        .sort("o1", "o2", "breakdown")
        .drop("o1", "o2")
    )


def comparisons(store: Store, region: Region | None, peers: Sequence[str] = ()) -> pl.DataFrame:
    """Every comparison to test for a region (None = Nederland): TEST_COLUMNS, one row each.

    `peers` are the gemeenten to pool as the comparison group (empty: no `peers` rows).
    """
    code = NL_CODE if region is None else region.code
    nl = {
        indicator: {
            (r["breakdown"], r["year"]): r
            for r in _real_values(store, indicator, "nederland", NL_CODE).iter_rows(named=True)
        }
        for indicator in real_indicators(store)
    }
    rows: list[tuple] = []
    for row in latest_real(store, region).iter_rows(named=True):
        indicator, breakdown, year = row["indicator"], row["breakdown"], row["year"]
        mine = (indicator, breakdown, year, row["numerator"], row["denominator"], row["rate"],
                row["rate_low"], row["rate_high"], row["ci_low"], row["ci_high"],
                row["coverage_note"])  # fmt: skip
        years = (row["prev_year"], year)
        if row["prev_year"] is not None and _same_method(store, code, indicator, breakdown, years):
            rows.append((*mine[:2], "change", year, row["prev_year"], *mine[3:],
                         row["prev_numerator"], row["prev_denominator"], row["prev_rate"], None))  # fmt: skip
        ref = nl[indicator].get((breakdown, year))
        if code != NL_CODE and ref is not None:
            rows.append((*mine[:2], "nl", year, year, *mine[3:],
                         ref["numerator"], ref["denominator"], ref["rate"], None))  # fmt: skip
        pool = pooled_value(store, indicator, breakdown, year, peers) if peers else None
        # a pool is used when it is shown (not hidden) and wholly real
        if pool is not None and not pool[5] and not pool[7]:
            rows.append((*mine[:2], "peers", year, year, *mine[3:],
                         pool[0], pool[1], pool[2], pool[11]))  # fmt: skip
    return pl.DataFrame(rows, schema=TEST_COLUMNS, orient="row")


def _cohen_h(p1: pl.Expr, p2: pl.Expr) -> pl.Expr:
    """Cohen's h: 2·arcsin(√p1) − 2·arcsin(√p2), the size of a difference between proportions."""
    return 2 * p1.sqrt().arcsin() - 2 * p2.sqrt().arcsin()


def _z() -> pl.Expr:
    """The test statistic of each comparison (see the module docstring); the region's rate is
    taken at the end of its own range nearest the reference (the rate itself when exact)."""
    n, p0, n0 = pl.col("denominator"), pl.col("ref_rate"), pl.col("ref_denominator")
    p = p0.clip(pl.col("rate_low"), pl.col("rate_high"))
    fixed = (p - p0) / (p0 * (1 - p0) / n).sqrt()  # score test against a fixed NL rate
    both = (p * n + pl.col("ref_numerator")) / (n + n0)
    two = (p - p0) / (both * (1 - both) * (1 / n + 1 / n0)).sqrt()
    return pl.when(pl.col("comparison") == "nl").then(fixed).otherwise(two)


def _difference_interval() -> tuple[pl.Expr, pl.Expr]:
    """95% interval of rate − ref_rate: the region's Wilson interval shifted (NL fixed), or
    Newcombe's hybrid score interval from both Wilson intervals (two samples)."""
    from jeugdmonitor.analysis.stats import wilson

    p, p0 = pl.col("rate"), pl.col("ref_rate")
    low, high = pl.col("ci_low"), pl.col("ci_high")
    ref_low, ref_high = wilson(pl.col("ref_numerator"), pl.col("ref_denominator"))
    d = p - p0
    newcombe_low = d - ((p - low) ** 2 + (ref_high - p0) ** 2).sqrt()
    newcombe_high = d + ((high - p) ** 2 + (p0 - ref_low) ** 2).sqrt()
    fixed = pl.col("comparison") == "nl"
    return (
        pl.when(fixed).then(low - p0).otherwise(newcombe_low),
        pl.when(fixed).then(high - p0).otherwise(newcombe_high),
    )


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p values (the same as statsmodels' `multipletests(…, 'holm')`,
    which also runs a full garbage collection on every call: 0.4 s per region)."""
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = stepped
    return out


def tested(frame: pl.DataFrame, *, adjust: bool = True) -> pl.DataFrame:
    """The comparisons with `difference` (rate − ref_rate) and its 95% interval, `z`, `p`,
    `effect` (|Cohen's h|), `p_adjusted` (Holm over all rows, or the raw p without `adjust`),
    `significant` and `direction` ('hoger' / 'lager' than the reference, or null)."""
    low, high = _difference_interval()
    out = frame.with_columns(
        difference=pl.col("rate") - pl.col("ref_rate"),
        difference_low=low,
        difference_high=high,
        z=_z(),
        effect=_cohen_h(pl.col("rate"), pl.col("ref_rate")).abs(),
    ).with_columns(pl.col("z").fill_nan(None))
    z = out["z"].to_numpy(allow_copy=True).astype(float)
    p = 2 * ndtr(-np.abs(z))
    valid = ~np.isnan(p)
    adjusted = np.full(len(p), np.nan)
    if valid.any():
        adjusted[valid] = holm(p[valid]) if adjust else p[valid]
    return out.with_columns(
        p=pl.Series(p).fill_nan(None), p_adjusted=pl.Series(adjusted).fill_nan(None)
    ).with_columns(
        significant=(pl.col("p_adjusted") < ALPHA).fill_null(False),
    ).with_columns(
        direction=pl.when(pl.col("significant") & (pl.col("difference") > 0))
        .then(pl.lit("hoger"))
        .when(pl.col("significant") & (pl.col("difference") < 0))
        .then(pl.lit("lager"))
        .otherwise(pl.lit(None, pl.String)),
    )  # fmt: skip


def region_tests(store: Store, region: Region | None, peers: Sequence[str] = ()) -> pl.DataFrame:
    """Every tested comparison of a region, Holm-adjusted together (cached per region and peers)."""
    code = NL_CODE if region is None else region.code
    return store.cached(
        ("highlight_tests", code, tuple(peers)),
        lambda: tested(comparisons(store, region, peers)),
    )


def differences(tests: pl.DataFrame) -> pl.DataFrame:
    """One row per indicator and breakdown that differs significantly from Nederland or the
    comparison gemeenten, largest difference first, with both comparisons side by side
    (columns of `nl_…` and `peers_…`). `first` marks each indicator's largest difference."""
    keys = ["indicator", "breakdown"]
    versus = tests.filter(pl.col("comparison").is_in(["nl", "peers"]))
    keep = (
        versus.filter(pl.col("significant"))
        .group_by(keys)
        .agg(pl.col("effect").max().alias("rank_effect"))
    )
    wide = [
        versus.filter(pl.col("comparison") == kind).select(
            *keys,
            *(
                pl.col(c).alias(f"{kind}_{c}")
                for c in (
                    "ref_rate",
                    "ref_n",
                    "difference",
                    "significant",
                    "direction",
                    "p_adjusted",
                )
            ),
        )
        for kind in ("nl", "peers")
    ]
    own = versus.select(
        *keys, "year", "numerator", "denominator", "rate", "ci_low", "ci_high", "coverage_note"
    ).unique(keys, keep="first")
    out = keep.join(own, on=keys, how="left")
    for part in wide:
        out = out.join(part, on=keys, how="left")
    return out.sort("rank_effect", *keys, descending=[True, False, False]).with_columns(
        first=pl.int_range(pl.len()).over("indicator") == 0
    )


def largest_change(tests: pl.DataFrame) -> tuple[dict | None, bool]:
    """The largest significant change between the last two years (by effect), else the largest
    change of all; and whether it is significant. (None, False) without any change tested."""
    changes = tests.filter(pl.col("comparison") == "change")
    if not changes.height:
        return None, False
    significant = changes.filter(pl.col("significant"))
    pool = significant if significant.height else changes
    top = pool.sort("effect", "indicator", "breakdown", descending=[True, False, False]).row(
        0, named=True
    )
    return top, bool(significant.height)
