"""The benchmark strip as a `Figure`: a gemeente among comparable gemeenten, NL, its jeugdregio,
its provincie and its own previous years (seed 004 "Bepaal de benchmark"; rows from `benchmark`).
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor import charts
from jeugdmonitor.benchmark import DEFAULT_K, FEATURES_TEXT, benchmark_rows, comparable_gemeenten
from jeugdmonitor.indicators import breakdown_labels, catalogue_entry, latest_year
from jeugdmonitor.sections.base import Figure
from jeugdmonitor.sections.common import md_escape, source_line
from jeugdmonitor.stats import percent_text, rounded
from jeugdmonitor.store import Store


def _display_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The strip as a readable table (counts rounded to 5, suppressed values blank)."""

    return rows.select(
        pl.col("row").alias("Vergelijking"),
        pl.col("name").alias("Regio"),
        pl.col("year").alias("Jaar"),
        rounded("numerator").alias("Aantal"),
        rounded("denominator").alias("Noemer"),
        (100 * pl.col("rate")).round(1).alias("Percentage"),
        (100 * pl.col("ci_low")).round(1).alias("95%-interval van"),
        (100 * pl.col("ci_high")).round(1).alias("95%-interval tot"),
    )


def benchmark_figure(
    store: Store,
    code: str,
    indicator: str,
    breakdown: str = "all",
    year: int | None = None,
    k: int = DEFAULT_K,
) -> Figure:
    """The benchmark strip of one gemeente and indicator as a ready `Figure` (chart, text, table)."""
    entry = catalogue_entry(store, indicator)
    year = latest_year(store, indicator) if year is None else year
    rows = benchmark_rows(store, code, indicator, breakdown, year, k)
    peers = comparable_gemeenten(store, code, k)
    name = md_escape(store.region_index[code]["display_name"])
    part = "" if breakdown == "all" else f", {breakdown_labels(store).get(breakdown, breakdown)}"
    what = f"{entry['title_nl']}{part}"
    me = rows.filter(pl.col("kind") == "gemeente")
    own = (
        f"{percent_text(me['rate'][0])} in {year}"
        if me.height and me["rate"][0] is not None
        else f"{year}: aantal kleiner dan 10, niet getoond"
    )
    explanation = (
        f"{name} ({own}) naast de {k} gemeenten die er het meest op lijken, de eigen "
        f"jeugdregio, de provincie, Nederland en eerdere jaren. Vergelijkbaar betekent: het "
        f"dichtst bij {name} op {FEATURES_TEXT} (gestandaardiseerd, even zwaar). "
        f"De vergelijkbare gemeenten zijn: {', '.join(md_escape(n) for n in peers['name'])}. "
        "De lijnen zijn 95%-intervallen; aantallen onder 10 worden niet getoond."
    )
    simulated = bool(rows["is_simulated"].any()) if "is_simulated" in rows.columns else True
    download = peers.with_columns(pl.col("distance").round(3)).rename(
        {"code": "gemeente_code", "name": "gemeente", "distance": "afstand"}
    )
    return Figure(
        key=f"benchmark_{indicator}_{breakdown.replace('=', '_')}",
        title=f"{what}: {name} vergeleken",
        explanation=explanation,
        source=source_line(store, indicator, year, simulated),
        chart=charts.benchmark_strip_chart(rows, f"{what} ({entry['unit']})"),
        table=_display_table(rows),
        download=download,
        download_name=f"vergelijkbare_gemeenten_{code}.csv",
        simulated=simulated,
    )
