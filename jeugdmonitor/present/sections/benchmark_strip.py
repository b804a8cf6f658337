"""The benchmark strip as a `Figure`: a gemeente among comparable gemeenten, NL, its jeugdregio,
its provincie and its own previous years (NJi tip "Bepaal de benchmark"; rows from `benchmark`).
"""

from __future__ import annotations

import dataclasses

import polars as pl

from jeugdmonitor.analysis.benchmark import (
    DEFAULT_K,
    FEATURES_TEXT,
    RANGE_LABEL,
    benchmark_rows,
    comparable_features,
    comparable_gemeenten,
    peer_set,
)
from jeugdmonitor.analysis.indicators import breakdown_labels, catalogue_entry, latest_year
from jeugdmonitor.analysis.stats import percent_text, rounded
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections.base import Figure
from jeugdmonitor.present.sections.common import (
    badge,
    csv_flag_columns,
    csv_rate_columns,
    estimated_denominator,
    md_escape,
    real_sources,
    source_line,
)

# CSV column of each comparison feature (Dutch, with its unit)
FEATURE_COLUMNS = {
    "omvang": "omvang_ln_jeugdigen",
    "stedelijkheid": "stedelijkheid_ln_adressen_per_km2",
    "kwetsbaarheid": "financiele_kwetsbaarheid_z",
    "huishoudens_met_kinderen": "huishoudens_met_kinderen_procent",
    "laag_inkomen": "laag_inkomen_procent",
    "sociaal_minimum": "sociaal_minimum_procent",
    "bijstand": "bijstand_per_1000_inwoners",
}


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


def _features(
    store: Store, code: str, k: int, chosen: tuple[str, ...] = ()
) -> dict[str, tuple[float, ...]]:
    """The gemeente and its peers (computed, or the user's `chosen`) → distance and the raw
    features they were compared on."""

    def compute() -> dict[str, tuple[float, ...]]:
        peers = (
            comparable_gemeenten(store, code, store.regions.height)
            .filter(pl.col("code").is_in(list(chosen)))
            .select("code", "distance")
            if chosen
            else comparable_gemeenten(store, code, k).select("code", "distance")
        )
        table = (
            pl.concat([pl.DataFrame({"code": [code], "distance": [0.0]}), peers])
            .join(comparable_features(store), on="code", how="left")
            .select("code", pl.col("distance", *FEATURE_COLUMNS).round(3))
        )
        return {r[0]: r[1:] for r in table.iter_rows()}

    return store.cached(("strip_features", code, k, chosen), compute)


def _download(
    store: Store,
    rows: pl.DataFrame,
    code: str,
    k: int,
    indicator: str,
    chosen: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The strip for the CSV download, with the column names of every other download; the
    gemeente and its peers also get their distance and the features they were compared on."""
    features = _features(store, code, k, chosen)
    none = (None,) * (1 + len(FEATURE_COLUMNS))
    compared = [
        features.get(c, none) if kind in ("gemeente", "peer") else none
        for kind, c in zip(rows["kind"], rows["region_code"], strict=True)
    ]
    extra = [
        pl.Series(name, [v[i] for v in compared], dtype=pl.Float64)
        for i, name in enumerate(["afstand", *FEATURE_COLUMNS.values()])
    ]
    return rows.select(
        pl.col("row").alias("vergelijking"),
        pl.col("region_code").alias("regiocode"),
        pl.col("name").alias("regio"),
        pl.lit(indicator).alias("indicator"),
        pl.col("year").alias("jaar"),
        rounded("numerator").alias("aantal"),
        rounded("denominator").alias("totaal"),
        *csv_rate_columns(),
        *extra,
        *csv_flag_columns(),
    )


def _strip_chart(rows: pl.DataFrame, title_value: str, own: bool) -> charts.Spec:
    """The strip's chart; its description names the user's own gemeenten as such."""
    chart = charts.benchmark_strip_chart(rows, title_value)
    if not own:
        return chart
    text = chart.description.replace("naast vergelijkbare gemeenten", "naast de gekozen gemeenten")
    return dataclasses.replace(chart, description=text)


def peers_text(store: Store, code: str, codes: list[str], own: bool, k: int = DEFAULT_K) -> str:
    """Markdown: whom a gemeente is compared with in its strips. The computed set and why it was
    chosen are explained once, in "Wat valt op" (`computed_peers_text`)."""
    name = md_escape(store.region_index[code]["display_name"])
    if own:
        names = ", ".join(md_escape(store.region_index[c]["display_name"]) for c in codes)
        peers = f"de {len(codes)} door u gekozen gemeenten ({names})"
    else:
        peers = f"de {k} vergelijkbare gemeenten ([welke en waarom](#wat_valt_op))"
    return f"{name} naast {peers}, de eigen jeugdregio, de provincie, Nederland en eerdere jaren"


def computed_peers_text(store: Store, code: str, k: int = DEFAULT_K) -> str:
    """Markdown: a gemeente's k comparable gemeenten and what makes them comparable."""
    name = md_escape(store.region_index[code]["display_name"])
    codes, _ = peer_set(store, code, k)
    names = ", ".join(md_escape(store.region_index[c]["display_name"]) for c in codes)
    return (
        f"De {k} vergelijkbare gemeenten liggen het dichtst bij {name} op {FEATURES_TEXT} "
        f"(gestandaardiseerd, even zwaar): {names}."
    )


def benchmark_figure(
    store: Store,
    code: str,
    indicator: str,
    breakdown: str = "all",
    year: int | None = None,
    k: int = DEFAULT_K,
    peers: tuple[str, ...] = (),
) -> Figure:
    """The benchmark strip of one gemeente and indicator as a ready `Figure` (chart, text, table).

    `peers`: the user's own comparison gemeenten (`Choices.compare`) instead of the computed k.
    """
    entry = catalogue_entry(store, indicator)
    year = latest_year(store, indicator) if year is None else year
    rows = benchmark_rows(store, code, indicator, breakdown, year, k, peers)
    codes, own = peer_set(store, code, k, peers)
    chosen = tuple(codes) if own else ()
    plain = store.region_index[code]["display_name"]  # the title is plain text
    name = md_escape(plain)
    part = "" if breakdown == "all" else f", {breakdown_labels(store).get(breakdown, breakdown)}"
    what = f"{entry['title_nl']}{part}"
    rate = dict(zip(rows["kind"], rows["rate"], strict=True)).get("gemeente")
    others = [
        f"{md_escape(n).lower() if kind == 'peers' else md_escape(n)} {percent_text(r)}"
        for kind, n, r in zip(rows["kind"], rows["name"], rows["rate"], strict=True)
        if kind in ("peers", "jeugdregio", "provincie", "nederland")
    ]
    summary = (
        f"**{name}: {percent_text(rate)}** ({year}). Ter vergelijking: {', '.join(others)}."
        + (
            " – = niet getoond: aantal kleiner dan 10, of daaruit af te leiden"
            + (
                ", of een schatting met een te grote marge (alleen het interval)"
                if RANGE_LABEL in rows["count_label"].to_list()
                else ""
            )
            + "."
            if "–" in percent_text(rate) + "".join(others)
            else ""
        )
    )
    # the same text for every strip of a gemeente (the numbers are in the summary line), so
    # the app renders its markdown once per gemeente
    explanation = peers_text(store, code, codes, own, k) + " (lijnen: 95%-intervallen)."
    simulated = bool(rows["is_simulated"].any())
    estimated = estimated_denominator(rows)
    part_key = breakdown.replace("=", "_")
    return Figure(
        key=f"benchmark_{indicator}_{part_key}",
        title=f"{what}: {plain} vergeleken",
        explanation=explanation,
        source=source_line(
            store, indicator, year, simulated, real_sources(rows), estimated=estimated
        ),
        chart=_strip_chart(rows, f"{what} ({entry['unit']})", own),
        table=_display_table(rows),
        download=_download(store, rows, code, k, indicator, chosen),
        download_name=f"vergelijking_{indicator}_{part_key}_{code}_{year}.csv",
        download_label="deze vergelijking",
        simulated=simulated,
        badge=badge(rows, year),
        summary=summary,
    )
