"""The region against each gemeente the user chose: a table in "Wat valt op".

With `Choices.compare` (at most ten gemeenten, from the app's selector, `?compare=` or
`jeugdmonitor report --compare`) a table puts every real indicator of the region next to each
chosen gemeente, marked ▲ / ▼ where the gemeente is significantly higher / lower than the region.
Without a choice "Wat valt op" says which gemeenten a gemeente is compared with by default and
how to choose others. The same choice replaces the computed comparable gemeenten in the strips.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import highlights
from jeugdmonitor.analysis.compare import MAX_COMPARE
from jeugdmonitor.analysis.indicators import breakdown_labels, catalogue_entry, level_values
from jeugdmonitor.analysis.stats import MIN_COUNT, percent_text, rounded, wilson
from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.sections.base import Choices, Figure
from jeugdmonitor.present.sections.benchmark_strip import computed_peers_text
from jeugdmonitor.present.sections.common import (
    badge,
    interactive,
    is_nl,
    md_escape,
    real_sources,
    region_label,
    source_line,
)

MARKS = {"hoger": "\u00a0▲", "lager": "\u00a0▼"}  # no-break space: a mark stays by its value
HOW = (
    f"Kies bovenaan zelf tot {MAX_COMPARE} gemeenten om mee te vergelijken: dan staat hier een "
    "tabel met elk echt cijfer van deze regio naast dat van elke gekozen gemeente"
)


def _gemeente_values(store: Store, indicators: list[str], codes: list[str]) -> pl.DataFrame:
    """The real values of the chosen gemeenten (every year and breakdown of the indicators)."""
    return pl.concat(
        level_values(store, indicator, "gemeente").filter(
            pl.col("region_code").is_in(codes) & ~pl.col("is_simulated")
        )
        for indicator in indicators
    )


def comparison_rows(store: Store, region: Region | None, codes: list[str]) -> pl.DataFrame:
    """Per real indicator of the region and chosen gemeente: both values in the region's latest
    year, and `direction` ('hoger'/'lager': the gemeente significantly above/below the region,
    95%, each cell on its own); a gemeente's value below 10 (or simulated) is left empty."""
    own = highlights.latest_real(store, region)
    if not own.height or not codes:
        return pl.DataFrame()
    keys = ["indicator", "breakdown", "year"]
    values = _gemeente_values(store, own["indicator"].unique().to_list(), codes)
    others = (
        values.filter(~highlights.range_only().fill_null(False))
        .with_columns(**highlights.rate_range())
        .select(
            *keys,
            pl.col("region_code").alias("gemeente"),
            pl.col("numerator").alias("g_numerator"),
            pl.col("denominator").alias("g_denominator"),
            pl.col("rate").alias("g_rate"),
            pl.col("rate_low").alias("g_rate_low"),
            pl.col("rate_high").alias("g_rate_high"),
            "source",
            "is_estimate",
        )
    )
    pairs = own.join(pl.DataFrame({"gemeente": codes}), how="cross").join(
        others, on=[*keys, "gemeente"], how="left"
    )
    shown = (pl.col("g_numerator") >= MIN_COUNT) & (pl.col("g_denominator") >= MIN_COUNT)
    frame = pairs.with_columns(
        comparison=pl.lit("gemeente"),
        ref_year=pl.col("year"),
        numerator=pl.when(shown).then(pl.col("g_numerator")),
        denominator=pl.when(shown).then(pl.col("g_denominator")),
        ref_numerator=pl.col("numerator"),
        ref_denominator=pl.col("denominator"),
        ref_rate=pl.col("rate"),
        rate=pl.when(shown).then(pl.col("g_rate")),
        rate_low=pl.when(shown).then(pl.col("g_rate_low")),
        rate_high=pl.when(shown).then(pl.col("g_rate_high")),
    )
    low, high = wilson(pl.col("numerator"), pl.col("denominator"))
    tested = highlights.tested(frame.with_columns(ci_low=low, ci_high=high), adjust=False)
    return tested.select(
        *keys,
        "gemeente",
        pl.col("ref_rate").alias("region_rate"),
        "rate",
        "ci_low",
        "ci_high",
        "numerator",
        "denominator",
        "direction",
        "source",
        pl.col("is_estimate").fill_null(False),
    )


def _table(store: Store, rows: pl.DataFrame, region_name: str, codes: list[str]) -> pl.DataFrame:
    """Wide: one row per indicator, the region's value and each gemeente's value with ▲/▼."""
    names = {c: store.region_index[c]["display_name"] for c in codes}
    cells = rows.with_columns(
        cel=pl.when(pl.col("rate").is_null())
        .then(pl.lit("–"))
        .otherwise(
            pl.col("rate").map_elements(percent_text, return_dtype=pl.String)
            + pl.col("direction").replace_strict(MARKS, default="", return_dtype=pl.String)
        ),
        Cijfer=pl.col("indicator").map_elements(
            lambda i: catalogue_entry(store, i)["title_nl"], return_dtype=pl.String
        ),
        Uitsplitsing=pl.col("breakdown").replace_strict(
            breakdown_labels(store), default=pl.col("breakdown")
        ),
    )
    index = ["Cijfer", "Uitsplitsing", "year"]
    wide = cells.pivot(on="gemeente", index=index, values="cel", maintain_order=True)
    first = cells.unique(index, keep="first", maintain_order=True).select(
        *index, pl.col("region_rate").map_elements(percent_text, return_dtype=pl.String)
    )
    return (
        first.join(wide, on=index, maintain_order="left")
        .rename({"year": "Jaar", "region_rate": region_name, **names})
        .select("Cijfer", "Uitsplitsing", "Jaar", region_name, *names.values())
    )


def _download(rows: pl.DataFrame, store: Store, code: str) -> pl.DataFrame:
    """The comparison as a long CSV, in the columns of the other downloads."""
    return rows.select(
        pl.lit(code).alias("regiocode_vergeleken"),
        pl.col("gemeente").alias("regiocode"),
        pl.col("gemeente")
        .replace_strict({c: store.region_index[c]["display_name"] for c in rows["gemeente"]})
        .alias("regio"),
        "indicator",
        pl.col("year").alias("jaar"),
        pl.col("breakdown").alias("uitsplitsing"),
        rounded("numerator").alias("aantal"),
        rounded("denominator").alias("totaal"),
        (pl.col("rate") * 100).round(1).alias("percentage"),
        (pl.col("ci_low") * 100).round(1).alias("bi95_ondergrens"),
        (pl.col("ci_high") * 100).round(1).alias("bi95_bovengrens"),
        (pl.col("region_rate") * 100).round(1).alias("percentage_vergeleken_regio"),
        pl.col("direction").alias("verschil_met_vergeleken_regio"),
        pl.col("source").alias("bron"),
    )


def comparison_figure(store: Store, region: Region | None, choices: Choices) -> Figure | None:
    """The table of the region against each chosen gemeente (None without a choice)."""
    code = None if is_nl(region) else region.code  # type: ignore[union-attr]
    codes = [c for c in choices.compare if c != code]
    if not codes:
        return None
    rows = comparison_rows(store, None if is_nl(region) else region, codes)
    name = region_label(region)
    escaped = md_escape(name)
    listed = ", ".join(md_escape(store.region_index[c]["display_name"]) for c in codes)
    explanation = (
        f"{escaped} naast de {len(codes)} gemeenten die u koos: {listed}; elk echt cijfer in het "
        f"laatste jaar van {escaped}. ▲ / ▼: de gemeente ligt significant hoger / lager dan "
        f"{escaped} (95%, per cel getoetst, niet gecorrigeerd voor het aantal vergelijkingen). "
        "–: geen cijfer (minder dan 10, of alleen gesimuleerd)."
    )
    if not rows.height:
        return None
    flags = rows.with_columns(is_simulated=pl.lit(False))
    years = sorted(rows["year"].unique().to_list())
    return Figure(
        key="vergelijking_tabel",
        title=f"{name} en de gekozen gemeenten",
        explanation=explanation,
        source=source_line(
            store,
            rows["indicator"][0],
            years,
            False,
            real_sources(flags),
            estimated=bool(rows["is_estimate"].any()),
        ),
        chart=None,
        table=_table(store, rows, name, codes),
        download=_download(rows, store, code or "NL01"),
        download_name=f"vergelijking_{code or 'NL01'}_gekozen_gemeenten.csv",
        download_label="deze vergelijking",
        badge=badge(flags, years),
    )


def how_to_choose(store: Store, region: Region | None, choices: Choices) -> str:
    """Markdown: whom the region is compared with, and how to choose gemeenten yourself."""
    code = None if is_nl(region) else region.code  # type: ignore[union-attr]
    if [c for c in choices.compare if c != code]:
        return ""
    default = ""
    if region is not None and region.type == "gemeente":
        default = f'<span class="jm-note">{computed_peers_text(store, region.code)}</span> '
    strips = (
        "; die gemeenten vervangen dan ook de vergelijkbare gemeenten in de vergelijkingsfiguren"
        if default
        else ""
    )
    return default + interactive(f"{HOW}{strips}.")
