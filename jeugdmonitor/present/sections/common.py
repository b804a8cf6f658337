"""Shared building blocks of the sections: shown values, tables, downloads, texts.

Every value that reaches a figure passes through `shown()`: counts below 10 (and the rates,
intervals and significance built on them) are blanked, and displayed counts are rounded to 5. Rates
are always computed from the exact (weighted) counts before rounding, never averaged.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import polars as pl

from jeugdmonitor.analysis import benchmark
from jeugdmonitor.analysis.indicators import (
    breakdown_labels,
    catalogue_entry,
    latest_year,
    level_values,
    years,
)
from jeugdmonitor.analysis.stats import ESTIMATE_BOUNDS, count_text, percent_text, rounded, suppress
from jeugdmonitor.data.files import formula_safe
from jeugdmonitor.data.regions import NL_CODE, TYPE_LABELS, Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections.base import Choices, Figure

NL_NAME = charts.NL_LABEL
LEGEND_HELP = (
    "Klik in de legenda op een lijn om alleen die lijn te zien (de verticale as past zich aan); "
    "met shift-klik zet u lijnen erbij of haalt u ze weg, met dubbelklik in de figuur ziet u "
    "weer alles."
)


def interactive(text: str) -> str:
    """Markdown for a sentence about clicking in a chart: shown on screen, left out of print."""
    return f'<span class="jm-interactive">{text}</span>'


def screen_or_paper(screen: str, paper: str) -> str:
    """Markdown shown on screen as `screen` and in print as `paper` (a shorter text that says
    where the rest is: the app, the CSV download); classes in `markup.FIGURE_CSS`."""
    return f'<span class="jm-screen-only">{screen}</span><span class="jm-print-only">{paper}</span>'


NO_REGION_NOTE = (
    "U heeft nog geen regio gekozen: u ziet het landelijk overzicht. Kies hierboven een gemeente, "
    "samenwerkingsverband, jeugdregio of provincie."
)
# Map level per region type; NL (and "geen regio") is shown on the gemeente map.
MAP_LEVEL = {
    "gemeente": "gemeente",
    "swv_po": "swv_po",
    "swv_vo": "swv_vo",
    "jeugdregio": "jeugdregio",
    "provincie": "provincie",
    "nederland": "gemeente",
}
LEVEL_PLURAL = {
    "gemeente": "gemeenten",
    "swv_po": "samenwerkingsverbanden po",
    "swv_vo": "samenwerkingsverbanden vo",
    "jeugdregio": "jeugdregio's",
    "provincie": "provincies",
}
LEVEL_SINGULAR = {level: TYPE_LABELS[level].lower() for level in LEVEL_PLURAL}
TABLE_COLUMNS = {
    "gebied": "Regio",
    "categorie": "Uitsplitsing",
    "year": "Jaar",
    "numerator": "Aantal",
    "denominator": "Totaal",
    "pct": "Percentage",
    "ci_low_pct": "95%-BI ondergrens",
    "ci_high_pct": "95%-BI bovengrens",
    "verschil": "Verschil met NL",
    "dekking": "Dekking",
}
DERIVED_MARK = "percentage ×"  # in `source`: a count derived from a published percentage
PARTLY_ESTIMATED = ", aantal deels geschat"  # in `source`: suppressed age cells filled in
PARTLY_ESTIMATED_NOTE = (
    "CBS onderdrukte een leeftijdsgroep (minder dan 10); die is aangevuld uit het totaal."
)
DERIVED_NOTE = (
    "Aantallen uit 85098NED zijn berekend als gepubliceerd percentage × het aantal jongeren."
)
SHARE_MARK = "aandeel ×"  # in `source`: households from a KWB percentage (no population involved)
SHARE_NOTE = "Aantallen zijn berekend als gepubliceerd percentage × aantal huishoudens."
ESTIMATE_NOTE = (
    "Het aantal jeugdigen (de noemer) is een schatting uit CBS-leeftijdsgroepen; zie de "
    "verantwoording."
)
# a comparison whose reference has no value (e.g. Nederland without a figure) is no comparison
NO_COMPARISON = "geen vergelijking"


# characters that markdown (or marimo's math: $…$, \[…\], \(…\)) would read as syntax
_MD_SPECIAL = re.compile(r"[\\`*_\[\]|#~$]")


def md_escape(text: str) -> str:
    r"""Escape a name from the data for markdown/HTML (DESIGN §6: names never become markup).

    HTML is escaped, and markdown syntax characters become numeric character references rather
    than backslash escapes: marimo renders `\[…\]` as display math, so `[klik](…)` escaped with
    backslashes still changed the page. Line breaks become spaces (no new blocks).
    """
    escaped = html.escape(" ".join(str(text).splitlines()), quote=False)
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", escaped)


def is_nl(region: Region | None) -> bool:
    """True for 'geen regio gekozen' and for Nederland itself (both show the NL overview)."""
    return region is None or region.code == NL_CODE


def region_label(region: Region | None) -> str:
    """The name used in legends and texts ('Nederland' when no region is chosen)."""
    return NL_NAME if is_nl(region) else region.display_name  # type: ignore[union-attr]


def map_level(region: Region | None) -> str:
    """The map level for a region: its own type, or gemeenten for NL / no region."""
    return "gemeente" if region is None else MAP_LEVEL[region.type]


def visible(store: Store, choices: Choices) -> Store:
    """The store a page reads: only real rows, unless the user asked for simulated figures too.

    Without the simulated rows every figure, region sum, Nederland, model and download rests on
    real (or imported) figures only; an indicator without any then shows its "geen open bron"
    note. The real-only store is made once per process and keeps its own caches.
    """
    if choices.include_simulated or not store.is_simulated:
        return store
    return store.cached("real_only_store", lambda: _real_only(store))


def _real_only(store: Store) -> Store:
    import dataclasses
    import threading

    real = store.indicators.filter(~pl.col("is_simulated"))
    return dataclasses.replace(store, indicators=real, _cache={}, _lock=threading.Lock())


# An estimate whose bounds lie further apart than this share of the estimate says too little for
# one number: the figures show its range instead (`range_only`; the strip uses the same limit).
RANGE_LIMIT = benchmark.RANGE_LIMIT


def shown(frame: pl.DataFrame) -> pl.DataFrame:
    """Suppress small counts (and what is built on them), then round displayed counts to 5.

    An estimate with bounds too wide for one number (`RANGE_LIMIT`) keeps its interval but loses
    its rate: `range_only` marks it, and the figures show the range."""
    if "numerator_low" in frame.columns:
        wide = (pl.col("numerator_high") - pl.col("numerator_low")) > RANGE_LIMIT * pl.col(
            "numerator"
        )
        frame = frame.with_columns(range_only=wide.fill_null(False)).with_columns(
            rate=pl.when(pl.col("range_only")).then(None).otherwise(pl.col("rate")),
            significant=pl.when(pl.col("range_only")).then(None).otherwise(pl.col("significant")),
        )
    return suppress(frame).with_columns(
        rounded(pl.col("numerator")).alias("numerator"),
        rounded(pl.col("denominator")).alias("denominator"),
        *(rounded(pl.col(b)).alias(b) for b in ESTIMATE_BOUNDS if b in frame.columns),
    )


def with_labels(store: Store, frame: pl.DataFrame) -> pl.DataFrame:
    """Add the Dutch breakdown label as `categorie` and sort by the breakdown order."""
    labels = breakdown_labels(store)
    order = store.cached(
        "breakdown_order", lambda: dict(store.breakdowns.select("breakdown", "sort").iter_rows())
    )
    return frame.with_columns(
        categorie=pl.col("breakdown").replace_strict(labels, default=pl.col("breakdown")),
        volgorde=pl.col("breakdown").replace_strict(order, default=999, return_dtype=pl.Int32),
    ).sort("volgorde", maintain_order=True)


def shown_level(store: Store, indicator: str, region_type: str) -> pl.DataFrame:
    """`shown`, labelled values of every region of a type (all years/breakdowns), with `gebied`.

    Computed once per process; a region's rows are then one filter away.
    """

    def compute() -> pl.DataFrame:
        names = store.regions.select(pl.col("code").alias("region_code"), gebied="display_name")
        return with_labels(store, shown(level_values(store, indicator, region_type))).join(
            names, on="region_code", how="left"
        )

    return store.cached(("shown_level", indicator, region_type), compute)


def _region_rows(store: Store, indicator: str, region_type: str, code: str) -> pl.DataFrame:
    """A region's shown rows (`rol` 'regio'), from a per-process partition of `shown_level`."""
    parts = store.cached(
        ("shown_parts", indicator, region_type),
        lambda: (
            shown_level(store, indicator, region_type)
            .with_columns(rol=pl.lit("regio"))
            .partition_by("region_code", as_dict=True, maintain_order=True)
        ),
    )
    empty = store.cached(
        ("shown_empty", indicator, region_type),
        lambda: (
            shown_level(store, indicator, region_type).with_columns(rol=pl.lit("regio")).clear()
        ),
    )
    return parts.get((code,), empty)


def _nl_rows(store: Store, indicator: str) -> pl.DataFrame:
    """NL's shown rows as the reference: `gebied` 'Nederland', `rol` 'nl', no significance."""
    return store.cached(
        ("shown_nl", indicator),
        lambda: _region_rows(store, indicator, "nederland", NL_CODE).with_columns(
            gebied=pl.lit(NL_NAME), rol=pl.lit("nl"), significant=pl.lit(None, pl.String)
        ),
    )


def region_vs_nl(
    store: Store,
    indicator: str,
    region: Region | None,
    *,
    year: int | None = None,
    breakdowns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Shown rows of the region and of NL (or only NL), with `gebied`, `rol` and `categorie`.

    NL rows never carry a significance mark (NL is the reference). A region's `gebied` is its
    display name (`region_label`).
    """
    nl = _nl_rows(store, indicator)
    if is_nl(region):
        frame = nl
    else:
        own = _region_rows(store, indicator, region.type, region.code)  # type: ignore[union-attr]
        frame = pl.concat([own, nl])
    if year is not None and breakdowns is not None:
        return frame.filter((pl.col("year") == year) & pl.col("breakdown").is_in(breakdowns))
    if year is not None:
        return frame.filter(pl.col("year") == year)
    if breakdowns is not None:
        return frame.filter(pl.col("breakdown").is_in(breakdowns))
    return frame


def level_map_frame(
    store: Store, indicator: str, level: str, year: int, breakdown: str
) -> pl.DataFrame:
    """Shown values of every region of a level for one year and breakdown (the map's data)."""

    def compute() -> pl.DataFrame:
        names = store.regions.select(pl.col("code").alias("region_code"), gebied="display_name")
        return (
            shown(
                level_values(store, indicator, level).filter(
                    (pl.col("year") == year) & (pl.col("breakdown") == breakdown)
                )
            )
            .join(names, on="region_code", how="left")
            .select(
                pl.col("region_code").alias("code"),
                "gebied",
                "rate",
                "ci_low",
                "ci_high",
                "numerator",
                "denominator",
                "is_simulated",
            )
        )

    return store.cached(("map_frame", indicator, level, year, breakdown), compute)


def level_map_json(store: Store, indicator: str, level: str, year: int, breakdown: str) -> str:
    """`level_map_frame` serialised once for the map's dataset (shared by all regions)."""
    return store.cached(
        ("map_json", indicator, level, year, breakdown),
        lambda: charts.map_rows(level_map_frame(store, indicator, level, year, breakdown)),
    )


def csv_rate_columns() -> list[pl.Expr]:
    """A rate in every CSV download: `percentage` and its 95% interval, one decimal."""
    return [
        (pl.col("rate") * 100).round(1).alias("percentage"),
        (pl.col("ci_low") * 100).round(1).alias("bi95_ondergrens"),
        (pl.col("ci_high") * 100).round(1).alias("bi95_bovengrens"),
    ]


def csv_flag_columns() -> list[pl.Expr]:
    """The last columns of every CSV download: suppressed, simulated and the source."""
    return [
        pl.col("suppressed").alias("onderdrukt"),
        pl.col("is_simulated").alias("gesimuleerd"),
        pl.col("is_estimate").alias("geschat"),
        pl.col("coverage_note").alias("dekking"),
        pl.col("source").alias("bron"),
    ]


def download(store: Store, indicator: str, level: str) -> tuple[pl.DataFrame, str]:
    """The CSV download: one indicator for every region of a level, all years and breakdowns.

    Suppressed and rounded exactly like the figures; percentages with one decimal.
    """

    def compute() -> tuple[pl.DataFrame, str]:
        names = store.regions.select(pl.col("code").alias("region_code"), "name", "display_name")
        frame = with_labels(store, shown(level_values(store, indicator, level)))
        table = frame.join(names, on="region_code", how="left").select(
            pl.col("region_code").alias("regiocode"),
            pl.col("display_name").alias("regio"),
            pl.lit(TYPE_LABELS[level]).alias("regiotype"),
            pl.col("indicator"),
            pl.col("year").alias("jaar"),
            pl.col("breakdown").alias("uitsplitsing"),
            pl.col("categorie").alias("uitsplitsing_label"),
            pl.col("numerator").alias("aantal"),
            pl.col("denominator").alias("totaal"),
            *csv_rate_columns(),
            # the percentage is the one the source published; the count is derived from it
            (pl.col("rounding") > 0).alias("aantal_afgeleid"),
            (pl.col("nl_rate") * 100).round(1).alias("percentage_nederland"),
            pl.when(pl.col("rate").is_null())
            .then(None)
            .when(pl.col("nl_rate").is_null())
            .then(pl.lit(NO_COMPARISON))
            .otherwise(pl.col("significant"))
            .alias("verschil_met_nl"),
            *csv_flag_columns(),
        )
        span = years(store, indicator)
        plural = LEVEL_PLURAL.get(level, level)  # 'nederland': NL's own rows
        name = f"{indicator}_{plural.replace(' ', '_')}_{span[0]}-{span[-1]}.csv"
        return table, name

    return store.cached(("download", indicator, level), compute)


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """A download as CSV for Dutch Excel: semicolons, decimal commas, UTF-8 with BOM; text cells
    that Excel would run as a formula are neutralised (`files.formula_safe`)."""
    return formula_safe(frame).write_csv(separator=";", decimal_comma=True).encode("utf-8-sig")


def figure_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The text alternative of a figure: counts, percentages, interval and difference with NL."""
    present = [c for c in ("gebied", "categorie", "year") if c in frame.columns]
    return frame.select(
        *(pl.col(c).alias(TABLE_COLUMNS[c]) for c in present),
        pl.col("numerator").alias(TABLE_COLUMNS["numerator"]),
        pl.col("denominator").alias(TABLE_COLUMNS["denominator"]),
        (pl.col("rate") * 100).round(1).alias(TABLE_COLUMNS["pct"]),
        (pl.col("ci_low") * 100).round(1).alias(TABLE_COLUMNS["ci_low_pct"]),
        (pl.col("ci_high") * 100).round(1).alias(TABLE_COLUMNS["ci_high_pct"]),
        pl.when(pl.col("gebied") == NL_NAME)
        .then(pl.lit("referentie"))
        .when(pl.col("coverage_note").str.starts_with("geen waarde").fill_null(False))
        .then(pl.lit("geen waarde (onvolledig)"))
        .when(pl.col("suppressed"))
        .then(pl.lit("onderdrukt (< 10)"))
        .when(pl.col("nl_rate").is_null() if "nl_rate" in frame.columns else pl.lit(False))
        .then(pl.lit(NO_COMPARISON))
        .when(pl.col("range_only") if "range_only" in frame.columns else pl.lit(False))
        .then(pl.lit(RANGE_TEXT))
        .otherwise(pl.col("significant").fill_null("niet significant"))
        .alias(TABLE_COLUMNS["verschil"]),
        *(
            [pl.col("coverage_note").fill_null("").alias(TABLE_COLUMNS["dekking"])]
            if frame["coverage_note"].is_not_null().any()
            else []
        ),
    )


RANGE_TEXT = "alleen een bereik: de marge van de schatting is te groot voor één getal"


def summary(
    frame: pl.DataFrame, region: Region | None, *, what: str, breakdown: str = "all"
) -> str:
    """One sentence with count, percentage, interval and the comparison with NL (markdown)."""
    # a handful of rows: picked in Python, cheaper than a polars filter on a small frame
    rows = {
        r["rol"]: r
        for r in (
            frame.row(i, named=True) for i, b in enumerate(frame["breakdown"]) if b == breakdown
        )
    }
    nl = rows.get("nl")
    what = f" {what}" if what else ""  # e.g. the trend's line gives no 'what'
    if is_nl(region) or "regio" not in rows:
        if nl is None:
            return ""
        return (
            f"**Nederland: {percent_text(nl['rate'])}**{what} ({count_text(nl['numerator'])} van "
            f"{count_text(nl['denominator'])})."
        )
    r = rows["regio"]
    name = md_escape(region_label(region))
    note = r.get("coverage_note")
    if r.get("range_only") and not r["suppressed"]:
        return (
            f"**{name}:** tussen {percent_text(r['ci_low'])} en {percent_text(r['ci_high'])}"
            f"{what} ({RANGE_TEXT}); Nederland: {percent_text(nl['rate']) if nl else '–'}."
        )
    if r["rate"] is None:
        reason = (
            note if note else "te weinig waarnemingen (minder dan 10) om een percentage te tonen"
        )
        return f"**{name}:** {reason}; Nederland: {percent_text(nl['rate']) if nl else '–'}."
    covered = f" Berekend {_without(note)}." if note else ""
    counts = f"{count_text(r['numerator'])} van {count_text(r['denominator'])}; "
    if r.get("published_rate") is not None:  # the percentage is CBS's, the count derived from it
        counts = (
            f"afgeleid aantal {count_text(r['numerator'])} van {count_text(r['denominator'])}; "
        )
    head = (
        f"**{name}: {percent_text(r['rate'])}**{what} ({counts}"
        f"95%-BI {percent_text(r['ci_low'])} – {percent_text(r['ci_high'])})"
    )
    if nl is None or nl["rate"] is None:
        return f"{head}; {NO_COMPARISON} met Nederland (Nederland heeft geen waarde).{covered}"
    verdict = {
        "hoger": "significant **hoger** dan",
        "lager": "significant **lager** dan",
    }.get(r["significant"] or "", "niet significant verschillend van")
    return f"{head}, {verdict} Nederland ({percent_text(nl['rate'])}).{covered}"


def _without(note: str) -> str:
    """A coverage note inside a sentence: 'zonder Weesp: < 10' → 'zonder Weesp (< 10)',
    '34 van 36 gemeenten (…)' → 'over 34 van 36 gemeenten (…)'."""
    if note.startswith("zonder "):
        return note.replace(": ", " (", 1) + ")"
    return f"over {note}"


def source_line(
    store: Store,
    indicator: str,
    year: int | Sequence[int],
    simulated: bool,
    sources: Sequence[str] = (),
    note: str = "",
    estimated: bool = False,
    partly_estimated: str = "",
) -> str:
    """'Bron en jaar data: …' under a figure, saying plainly when values are simulated.

    `sources` are the `source` values of the real (imported) rows shown: they replace the
    catalogue's source, so a user's own figures are credited as such. `note` adds e.g. the model.
    `partly_estimated` names the region whose own count is partly estimated (suppressed age cells
    filled in): the line then says 'aantal deels geschat' for it.
    """
    if isinstance(year, int):
        when = str(year)
    else:
        span = list(year)
        when = f"{span[0]}–{span[-1]}"
    short = sorted({_short_source(s) for s in sources})
    if short:  # real rows name their own table and year
        source, when_part = "; ".join(short), ""
    else:
        source, when_part = catalogue_entry(store, indicator)["source"], f", {when}"
    derived = any(DERIVED_MARK in s for s in sources)
    shares = any(SHARE_MARK in s for s in sources)
    if simulated and sources:
        flag = " Let op: een deel van de waarden is gesimuleerd (demo), niet echt."
    elif simulated:
        flag = " Let op: de waarden zijn gesimuleerd (demo), niet echt."
    else:
        flag = ""
    extra = f"; {note}" if note else ""
    estimate = f" {ESTIMATE_NOTE}" if estimated else ""
    how = f" {DERIVED_NOTE}" if derived else ""
    partly = (
        f" Aantal deels geschat voor {partly_estimated}: {PARTLY_ESTIMATED_NOTE}"
        if partly_estimated
        else ""
    )
    how += f" {SHARE_NOTE}" if shares else ""
    return f"Bron en jaar data: {source}{extra}{when_part}.{flag}{how}{partly}{estimate}"


def _short_source(source: str) -> str:
    """A row's source as shown under a figure: table and year ('CBS 85098NED, 2022 (voorlopig)').

    The derivation after ':' is said once per figure (DERIVED_NOTE), and a partly estimated count
    once for the region it concerns (`source_line`'s `partly_estimated`); CBS's national row is the
    same table and year as its gemeenten.
    """
    return source.split(": ", 1)[0].replace(PARTLY_ESTIMATED, "").removesuffix(" (Nederland)")


def provisional_years(frame: pl.DataFrame) -> list[int]:
    """Years of a figure with real rows that CBS still calls provisional ('voorlopig' or 'nader
    voorlopig' in `source`), as StatLine marks them with '*'."""
    if "source" not in frame.columns or not frame.height:
        return []
    real = frame.filter(~pl.col("is_simulated") & pl.col("source").str.contains("voorlopig"))
    return sorted(set(real["year"].to_list()))


def trend_marks(provisional: Sequence[int], trend_break: int | None) -> str:
    """The sentences under a trend that explain its '*' years and its trend-break band."""
    text = ""
    if provisional:
        years = ", ".join(map(str, provisional))
        text += (
            f"Jaren met * bevatten voorlopige cijfers van CBS ({years}); die kunnen nog wijzigen. "
        )
    if trend_break is not None:
        text += (
            f"CBS meldt een trendbreuk tussen {trend_break - 1} en {trend_break} (grijze band): "
            "vergelijk de jaren voor en na de breuk met voorzichtigheid. "
        )
    return text


def badge(frame: pl.DataFrame, year: int | Sequence[int]) -> str:
    """The label after a figure's title for real values: 'CBS, 2022' (or 'eigen cijfers, …').

    Empty when the frame holds simulated values (the front ends then show 'gesimuleerd').
    """
    if not frame.height or frame["is_simulated"].any():
        return ""
    years = [year] if isinstance(year, int) else list(year)
    when = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    sources = real_sources(frame)
    publishers = {s.split()[0] for s in sources}
    who = publishers.pop() if publishers in ({"CBS"}, {"DUO"}) else "eigen cijfers"
    estimate = ", schatting" if sources and all("schatting" in s for s in sources) else ""
    return f"{who}, {when}{estimate}"


def real_sources(frame: pl.DataFrame) -> list[str]:
    """The distinct sources of the non-simulated rows of a frame (each may list several, '; ')."""
    if "source" not in frame.columns or not frame.height or frame["is_simulated"].all():
        return []
    real = frame.filter(~pl.col("is_simulated"))["source"].drop_nulls()
    return sorted({part for text in real.to_list() for part in text.split("; ")})


def estimated_denominator(frame: pl.DataFrame) -> bool:
    """True when a row shown is an estimate whose population note applies (`ESTIMATE_NOTE`):
    not for households counted from a KWB percentage (`SHARE_MARK`)."""
    if not frame.height:
        return False
    shares = (
        frame["source"].fill_null("").str.contains(SHARE_MARK)
        if "source" in frame.columns
        else pl.repeat(False, frame.height, eager=True)
    )
    return bool((frame["is_estimate"].fill_null(False) & ~shares).any())


def make_figure(
    store: Store,
    *,
    key: str,
    title: str,
    explanation: str,
    indicators: Sequence[str],
    chart: object,
    frame: pl.DataFrame,
    region: Region | None,
    year: int | Sequence[int],
    summary_text: str = "",
    layout: str = "full",
    table: pl.DataFrame | None = None,
) -> Figure:
    """Assemble a `Figure` with the shared source line, table, download and simulated flag."""
    simulated = bool(frame["is_simulated"].any()) if frame.height else False
    estimated = estimated_denominator(frame)
    level = map_level(region)
    parts = [download(store, indicator, level) for indicator in indicators]
    if len(parts) == 1:
        data, name = parts[0]
    else:  # e.g. the trend of jeugdhulp, jeugdbescherming and jeugdreclassering: one file
        data = store.cached(
            ("download_concat", tuple(indicators), level), lambda: pl.concat([p[0] for p in parts])
        )
        name = f"{key}_{parts[0][1].split('_', 1)[1]}"
    return Figure(
        key=key,
        title=title,
        explanation=explanation,
        source=source_line(
            store,
            indicators[0],
            year,
            simulated,
            real_sources(frame),
            estimated=estimated,
            partly_estimated=_partly_estimated(frame, region),
        ),
        chart=chart,
        table=figure_table(frame) if table is None else table,
        download=data,
        download_name=name,
        simulated=simulated,
        badge=badge(frame, year),
        summary=summary_text,
        layout=layout,
    )


def _partly_estimated(frame: pl.DataFrame, region: Region | None) -> str:
    """The region's name when its own shown count is partly estimated, else ''."""
    if not frame.height or "source" not in frame.columns:
        return ""
    own = frame.filter(pl.col("rol") == ("nl" if is_nl(region) else "regio"))
    sources = own["source"].drop_nulls()
    if not sources.str.contains(PARTLY_ESTIMATED, literal=True).any():
        return ""
    return region_label(region)


def latest(store: Store, indicator: str) -> int:
    """Most recent year of an indicator (re-exported for the section modules)."""
    return latest_year(store, indicator)


def all_years(store: Store, indicator: str) -> list[int]:
    """Every year of an indicator, ascending."""
    return years(store, indicator)


def categories(frame: pl.DataFrame) -> list[str]:
    """Category labels in breakdown order (the `sort` of the breakdown table)."""
    ordered = sorted(zip(frame["volgorde"], frame["categorie"], strict=True), key=lambda r: r[0])
    return list(dict.fromkeys(label for _, label in ordered))
