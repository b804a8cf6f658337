"""What `jeugdmonitor fetch --plan` prints: tables and years it would fetch, what becomes real.

Built from the catalogue alone (`cbs.read_plan`) and the current data/: nothing else is read from
CBS and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from jeugdmonitor.data.sources import cbs
from jeugdmonitor.data.sources import cbs_catalog as cat


def years_text(years: Iterable[int]) -> str:
    """[2020, 2021, 2022, 2024] → '2020-2022, 2024'."""
    ordered, runs = sorted(set(years)), []
    for y in ordered:
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs) or "none"


def left_aside(plan: cat.Plan) -> list[str]:
    """What the catalogue does not offer, and what it offers that is not taken, with reasons."""
    lines = []
    for w in plan.missing:
        kind = f"series {w.name} (no title matches {w.pattern!r})" if w.is_series else w.name
        lines.append(f"Not in the catalogue, skipped: {kind}; {w.where}")
    for table, w, why in plan.skipped:
        lines.append(f"Offered but not fetched: {table.identifier} for {w.name}: {why}")
    return lines


def becomes_real(plan: cat.Plan, specs: list[cbs.Spec]) -> dict[tuple[str, str], list[int]]:
    """(indicator, breakdown) → the years the plan's tables would make real (as far as the
    catalogue tells: a table's own time dimension may still lack a year)."""
    years_of = {
        name: {y for t in plan.for_name(name) for y in t.years}
        for name in {s.source_name for s in specs}
    }
    by_key = {(s.indicator, s.breakdown, s.part): s for s in specs}
    out = {}
    for (ind, brk, part), num in by_key.items():
        if part != "numerator":
            continue
        den = by_key[(ind, brk, "denominator")]
        years = years_of.get(num.source_name, set())
        if den.table != cbs.POPULATION:
            years &= years_of.get(den.source_name, set())
        if years:
            out[(ind, brk)] = sorted(years)
    return out


def describe(
    plan: cat.Plan,
    specs: list[cbs.Spec],
    indicators: pl.DataFrame,
    catalog_where: str,
) -> str:
    """The plan as text for the command line."""
    lines = [f"CBS catalogue: {catalog_where} ({plan.n_catalog} tables listed)."]
    lines.append("Tables and years that would be fetched:")
    for t in sorted(plan.tables, key=lambda t: (t.wanted.name, t.years, t.table.identifier)):
        what = f"series {t.wanted.name}" if t.wanted.is_series else "table"
        when = years_text(t.years) if t.years else "every year in its time dimension"
        lines.append(
            f"  {t.table.identifier:<10} {when:<12} {t.table.title} ({what}; "
            f"modified {t.table.modified or 'unknown'})"
        )
    if not plan.tables:
        lines.append("  none")
    lines += left_aside(plan)

    real = becomes_real(plan, specs)
    pop = {y for t in plan.tables for y in t.years if t.wanted.name in _population_tables(specs)}
    lines.append("Indicators that would become real (is_simulated = false):")
    grouped: dict[tuple[str, tuple[int, ...]], list[str]] = {}
    for (ind, brk), years in sorted(real.items()):
        grouped.setdefault((ind, tuple(years)), []).append(brk)
    dens = {(s.indicator, s.breakdown): s for s in specs if s.part == "denominator"}
    for (ind, years), breakdowns in sorted(grouped.items()):
        note = ""
        if any(dens[(ind, b)].table == cbs.POPULATION for b in breakdowns):
            estimated = [y for y in years if y not in pop]
            note = (
                f"; denominator: population CBS 03759ned for {years_text(set(years) & pop)}"
                if not estimated
                else f"; denominator: the estimated population in data/ for {years_text(estimated)}"
                + (f", CBS 03759ned for {years_text(set(years) & pop)}" if set(years) & pop else "")
            )
        lines.append(f"  {ind} ({', '.join(sorted(breakdowns))}): {years_text(years)}{note}")
    if not real:
        lines.append("  none")
    lines.append(
        "Population per age group from CBS 03759ned: "
        + (years_text(pop) if pop else "none (the estimate in data/ stays)")
    )

    made = pl.DataFrame(
        [(i, b, y) for (i, b), ys in real.items() for y in ys],
        schema={"indicator": pl.String, "breakdown": pl.String, "year": pl.Int32},
        orient="row",
    )
    left = indicators.select("indicator", "breakdown", "year", "is_simulated").join(
        made, on=["indicator", "breakdown", "year"], how="anti"
    )
    simulated = (
        left.filter(pl.col("is_simulated")).group_by("indicator").agg(pl.col("year").unique())
    )
    lines.append("Stays simulated:")
    for ind, years in sorted(simulated.iter_rows()):
        lines.append(f"  {ind}: {years_text(years)}")
    if not simulated.height:
        lines.append("  nothing")
    kept = left.filter(~pl.col("is_simulated")).group_by("indicator").agg(pl.col("year").unique())
    if kept.height:
        lines.append(
            "Stays real as it is (not fetched again): "
            + "; ".join(f"{i} {years_text(y)}" for i, y in sorted(kept.iter_rows()))
        )
    return "\n".join(lines)


def _population_tables(specs: list[cbs.Spec]) -> set[str]:
    return {s.source_name for s in specs if s.indicator == cbs.POPULATION}
