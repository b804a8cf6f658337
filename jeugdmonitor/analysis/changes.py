"""What an import or fetch would change, told before anything is written (and by `--dry-run`).

Importing one gemeente's rows changes more than that gemeente: Nederland, its provincie, jeugdregio
and SWVs are sums over members, their source line names the new source, and other regions'
"significantly different from NL" marks move with the NL value. So the report compares the values
the app would *show* (suppressed, rounded, as `jeugdmonitor.analysis.indicators.level_values` computes them
for every region type) before and after, instead of listing only the rows that were touched:

- rows replaced and added per indicator × year;
- every region whose shown values change, per region type, with before → after;
- coverage warnings: regions whose value would combine real and simulated member figures, or that
  miss members for that year.

The comparison is generic: any column `level_values` returns (e.g. coverage columns) is compared,
except the NL reference columns (NL's own change is reported as region NL01).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from jeugdmonitor.analysis.indicators import level_values
from jeugdmonitor.analysis.stats import percent_text, rounded, suppress
from jeugdmonitor.data.regions import NL_CODE, REGION_TYPES
from jeugdmonitor.data.store import KEYS, Store

VALUE_KEYS = ["region_code", "year", "breakdown"]
SLICE = ["indicator", "year", "breakdown"]
REFERENCE = {"nl_numerator", "nl_denominator", "nl_rate"}  # NL's change is reported as NL01
LABELS = {
    "numerator": "count",
    "denominator": "total",
    "rate": "percentage",
    "ci_low": "interval",
    "ci_high": "interval",
    "suppressed": "suppression",
    "is_simulated": "simulated flag",
    "source": "source",
    "significant": "difference with NL",
    "is_estimate": "estimate flag",
    "published_rate": "percentage",
    "rounding": "interval",
    "coverage": "coverage",
    "coverage_note": "coverage note",
    "has_value": "presence",
}
SHOWN_DIGITS = 3  # a rate is shown to 0.1 percentage point: 3 decimals of the fraction
TYPE_ORDER = ("nederland", "provincie", "jeugdregio", "swv_po", "swv_vo", "gemeente")
MAX_REGIONS = 8  # per region type in the text; the frame has them all


def row_changes(current: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Per indicator × year: how many rows the new ones replace and how many they add."""
    keys = KEYS["indicators"]
    marked = new.join(
        current.select(keys).with_columns(pl.lit(True).alias("__exists")), on=keys, how="left"
    )
    return (
        marked.group_by("indicator", "year")
        .agg(
            pl.col("__exists").fill_null(False).sum().alias("replaced"),
            (~pl.col("__exists").fill_null(False)).sum().alias("added"),
        )
        .sort("indicator", "year")
    )


def shown_values(store: Store, indicator: str, region_type: str) -> pl.DataFrame:
    """The values a figure shows for every region of a type: suppressed, counts rounded to 5,
    floats to the shown precision (the same steps as `sections.common.shown`).

    `has_value` says whether the region has a figure at all (shown, or suppressed as '< 10'): a
    region without one (no member has a count, or too few) shows nothing either way.
    """
    values = level_values(store, indicator, region_type)
    has_value = pl.col("numerator").is_not_null() | pl.col("rate").is_not_null()
    frame = suppress(values.with_columns(has_value.alias("has_value")))
    frame = frame.with_columns(
        rounded(pl.col("numerator")).alias("numerator"),
        rounded(pl.col("denominator")).alias("denominator"),
    )
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    return frame.with_columns(pl.col(floats).round(SHOWN_DIGITS)).drop(
        [c for c in REFERENCE if c in frame.columns]
    )


def region_changes(before: Store, after: Store, indicators: Iterable[str]) -> pl.DataFrame:
    """Every region × indicator × year × breakdown whose shown values differ, with what changed."""
    names = dict(after.regions.select("code", "display_name").iter_rows())
    parts = []
    for indicator in sorted(set(indicators)):
        for region_type in REGION_TYPES:
            old = shown_values(before, indicator, region_type)
            new = shown_values(after, indicator, region_type)
            compared = sorted(
                (set(old.columns) & set(new.columns)) - set(VALUE_KEYS) - {"indicator"}
            )
            joined = old.join(new, on=VALUE_KEYS, how="full", coalesce=True, suffix="__new")
            # a region without a figure before and after (e.g. every region but the importing
            # gemeente's for a year only it has) shows nothing either way: not a change
            present_old = pl.col("has_value").fill_null(False)
            present_new = pl.col("has_value__new").fill_null(False)
            differs = [
                pl.when(pl.col(c).ne_missing(pl.col(f"{c}__new"))).then(pl.lit(LABELS.get(c, c)))
                for c in compared
            ]
            found = (
                joined.with_columns(
                    pl.concat_list(differs)
                    .list.drop_nulls()
                    .list.unique(maintain_order=True)
                    .alias("changed"),
                    pl.when(present_old & ~present_new)
                    .then(pl.lit("no value any more"))
                    .when(~present_old & present_new)
                    .then(pl.lit("new value"))
                    .alias("presence"),
                )
                .filter(present_old | present_new)
                .filter((pl.col("changed").list.len() > 0) | pl.col("presence").is_not_null())
                .select(
                    pl.lit(region_type).alias("region_type"),
                    "region_code",
                    pl.lit(indicator).alias("indicator"),
                    "year",
                    "breakdown",
                    pl.col("rate").alias("rate_before"),
                    pl.col("rate__new").alias("rate_after"),
                    pl.col("changed"),
                    "presence",
                )
            )
            parts.append(found)
    if not parts:
        return pl.DataFrame()
    frame = pl.concat(parts, how="vertical_relaxed")
    return frame.with_columns(
        name=pl.col("region_code").replace_strict(names, default=pl.col("region_code"))
    ).sort(
        pl.col("region_type").replace_strict(
            {t: i for i, t in enumerate(TYPE_ORDER)}, return_dtype=pl.Int8
        ),
        "region_code",
        "indicator",
        "year",
        "breakdown",
    )


def coverage(store: Store, slices: pl.DataFrame) -> pl.DataFrame:
    """Per region (not gemeente) × slice: members, members with a value, members with a real value,
    and the share of the region's (weighted) denominator that the real rows cover."""
    member = store.membership.join(
        store.regions.select(pl.col("code").alias("region_code"), "type", "display_name"),
        on="region_code",
    ).filter(pl.col("type") != "gemeente")
    rows = store.indicators.join(slices, on=SLICE).select(
        "gemeente_code", *SLICE, "denominator", "is_simulated"
    )
    combos = member.join(slices, how="cross").join(rows, on=["gemeente_code", *SLICE], how="left")
    weighted = pl.col("denominator") * pl.col("weight")
    return (
        combos.group_by("type", "region_code", "display_name", *SLICE)
        .agg(
            pl.len().alias("members"),
            pl.col("denominator").is_not_null().sum().alias("with_value"),
            (pl.col("is_simulated") == False).sum().alias("real"),  # noqa: E712 - null-aware
            (weighted.filter(pl.col("is_simulated") == False).sum() / weighted.sum())  # noqa: E712
            .fill_nan(None)
            .alias("real_share"),
        )
        .sort(*SLICE, "type", "region_code")
    )


def coverage_warnings(after: Store, new_rows: pl.DataFrame) -> list[str]:
    """Regions that would mix real and simulated members, or lack members, in a touched slice."""
    slices = new_rows.select(SLICE).unique().sort(SLICE)
    cov = coverage(after, slices)
    kinds = {
        "would combine real and simulated gemeente figures": (
            cov.filter((pl.col("real") > 0) & (pl.col("real") < pl.col("with_value"))),
            lambda r: (
                f"{r['real']} of {r['members']} gemeenten real, "
                f"{percent_text(r['real_share'])} of the denominator"
            ),
        ),
        "would miss gemeenten without a value": (
            cov.filter(pl.col("with_value") < pl.col("members")),
            lambda r: f"{r['with_value']} of {r['members']} gemeenten have a value",
        ),
    }
    lines = []
    for what, (found, text) in kinds.items():
        for (indicator, year, breakdown), group in found.group_by(SLICE, maintain_order=True):
            group = group.sort(
                pl.col("type").replace_strict(
                    {t: i for i, t in enumerate(TYPE_ORDER)}, return_dtype=pl.Int8
                ),
                "region_code",
            )
            lines.append(f"{indicator} {year} {breakdown}: {group.height} region(s) {what}:")
            lines += [
                f"    {r['region_code']} {r['display_name']}: {text(r)}"
                for r in group.head(MAX_REGIONS).iter_rows(named=True)
            ]
            if group.height > MAX_REGIONS:
                lines.append(f"    … and {group.height - MAX_REGIONS} more")
    return lines


def _values(row: dict) -> str:
    if row["presence"]:
        return row["presence"]
    before, after = percent_text(row["rate_before"]), percent_text(row["rate_after"])
    what = ", ".join(row["changed"])
    return f"{before} → {after}" + (f" ({what})" if what else "")


def format_changes(rows: pl.DataFrame, regions: pl.DataFrame, warnings: list[str]) -> str:
    """The plain-text report printed by import/fetch (and by `--dry-run`)."""
    lines = [
        "Rows per indicator × year:",
        f"  {'indicator':<26}{'year':>6}{'replaced':>10}{'added':>8}",
    ]
    for r in rows.iter_rows(named=True):
        lines.append(f"  {r['indicator']:<26}{r['year']:>6}{r['replaced']:>10,}{r['added']:>8,}")
    if regions.height:
        n = regions.select("region_code").n_unique()
        lines.append(f"Regions whose shown values change: {n} (all region types)")
        for (region_type,), group in regions.group_by("region_type", maintain_order=True):
            codes = group["region_code"].unique(maintain_order=True).to_list()
            lines.append(f"  {region_type}: {len(codes)}")
            for code in codes[:MAX_REGIONS]:
                own = group.filter(pl.col("region_code") == code)
                first = own.row(0, named=True)
                extra = f"; {own.height - 1} more value(s)" if own.height > 1 else ""
                lines.append(
                    f"    {code} {first['name']}: {first['indicator']} {first['year']} "
                    f"{first['breakdown']} {_values(first)}{extra}"
                )
            if len(codes) > MAX_REGIONS:
                lines.append(f"    … and {len(codes) - MAX_REGIONS} more")
        if NL_CODE in set(regions["region_code"].to_list()):
            lines.append(
                "  Note: Nederland changes, so the NL line, the NL source line and the "
                "'significant' marks of other regions change with it."
            )
    else:
        lines.append("Regions whose shown values change: none")
    lines.append("Coverage warnings:" if warnings else "Coverage warnings: none")
    lines += [f"  {w}" if w.startswith("    ") else f"  - {w}" for w in warnings]
    return "\n".join(lines)


def describe(before: Store, after: Store, new_rows: pl.DataFrame) -> str:
    """Everything an import/fetch of `new_rows` changes between two stores, as text."""
    return format_changes(
        row_changes(before.indicators, new_rows),
        region_changes(before, after, new_rows["indicator"].unique().to_list()),
        coverage_warnings(after, new_rows),
    )
