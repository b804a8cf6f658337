"""Figure builders shared by the sections: bars vs NL, NL map, trend and the problematiek radar.

Each returns a complete `Figure` (chart, summary, table, source line, download, simulated flag);
the section modules only choose indicators, breakdowns and the Dutch texts of the NJi pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from jeugdmonitor.analysis.indicators import level_values
from jeugdmonitor.analysis.stats import percent_text
from jeugdmonitor.data.regions import Region, members, regions_of_type
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import common as c
from jeugdmonitor.present.sections.base import Figure
from jeugdmonitor.present.sections.benchmark_strip import benchmark_figure


def _in_sentence(title: str) -> str:
    """A title inside a sentence: first letter lower case, names ('Nederland') kept."""
    return title[:1].lower() + title[1:]


def bars(
    store: Store,
    region: Region | None,
    *,
    indicator: str,
    breakdowns: Sequence[str],
    key: str,
    title: str,
    explanation: str,
    what: str,
    summary_breakdown: str = "all",
    layout: str = "half",
    also: Sequence[tuple[str, str]] = (),
) -> Figure:
    """Region vs NL per breakdown for the latest year, with intervals and ▲/▼ marks.

    `also` adds key-figure sentences for other breakdowns: (breakdown, what).
    """
    year = c.latest(store, indicator)
    frame = c.region_vs_nl(store, indicator, region, year=year, breakdowns=breakdowns)
    cats = c.categories(frame)
    name = c.region_label(region)
    chart = charts.bars_vs_nl(
        frame,
        width=210 if layout == "half" else 460,
        description=(
            f"Staafdiagram: {_in_sentence(title)} in {name}"
            + ("" if c.is_nl(region) else " vergeleken met Nederland")
            + f", {year}, per {', '.join(cats)}. Foutbalken tonen het 95%-betrouwbaarheidsinterval;"
            " ▲ of ▼ betekent significant hoger of lager dan Nederland."
        ),
    )
    return c.make_figure(
        store,
        key=key,
        title=title,
        explanation=f"{explanation.strip()} {charts.SIG_NOTE}",
        indicators=[indicator],
        chart=chart,
        frame=frame,
        region=region,
        year=year,
        summary_text=" ".join(
            [
                c.summary(frame, region, what=what, breakdown=summary_breakdown),
                *(c.summary(frame, region, what=w, breakdown=b) for b, w in also),
            ]
        ),
        layout=layout,
    )


RADAR_HELP = (
    "Klik in de legenda op een naam om die lijn uit te lichten; dubbelklik om alles te zien."
)
_OUTLINE_SENTENCE = re.compile(r"\s*Uw regio is oranje\s+omlijnd\.")


def nl_map(
    store: Store,
    region: Region | None,
    *,
    indicator: str,
    breakdown: str = "all",
    key: str,
    title: str,
    explanation: str,
    assets: charts.Assets | None = None,
    layout: str = "half",
) -> Figure:
    """Choropleth of NL at the region's level (gemeenten for NL), the chosen region outlined."""
    year = c.latest(store, indicator)
    level = c.map_level(region)
    frame = c.level_map_frame(store, indicator, level, year, breakdown)
    selected = None if c.is_nl(region) else region.code  # type: ignore[union-attr]
    plural = c.LEVEL_PLURAL[level]
    assets = assets or charts.Assets()
    chart = charts.choropleth(
        assets.table(
            ("map", indicator, level, year, breakdown),
            lambda: c.level_map_json(store, indicator, level, year, breakdown),
        ),
        geo=assets.geo(level, lambda: store.geo_text(level)),
        selected=frame.filter(pl.col("code") == selected) if selected else None,
        description=(
            f"Kaart van Nederland per {c.LEVEL_SINGULAR[level]}: "
            f"{_in_sentence(title)}, {year}. Donkerder blauw is een hoger aandeel, lichtgrijs is "
            "onderdrukt (minder dan 10)."
            + (f" {c.region_label(region)} is oranje omlijnd." if selected else "")
        ),
    )
    shown = c.region_vs_nl(store, indicator, region, year=year, breakdowns=[breakdown])
    spread = store.cached(
        ("map_spread", indicator, level, year, breakdown), lambda: _spread(frame, plural)
    )
    return c.make_figure(
        store,
        key=key,
        title=title,
        # without a chosen region nothing is outlined, so the map text must not say so
        explanation=explanation if selected else _OUTLINE_SENTENCE.sub("", explanation),
        indicators=[indicator],
        chart=chart,
        frame=shown,
        region=region,
        year=year,
        summary_text=spread,
        layout=layout,
    )


def _spread(frame: pl.DataFrame, plural: str) -> str:
    """The lowest and highest region on a map, and how many are suppressed (region-independent)."""
    valid = frame.filter(pl.col("rate").is_not_null()).sort("rate")
    if not valid.height:
        return f"Alle {frame.height} {plural} onderdrukt (aantallen kleiner dan 10)."
    lo, hi = valid.row(0, named=True), valid.row(-1, named=True)
    return (
        f"Laagste: {c.md_escape(lo['gebied'])} ({percent_text(lo['rate'])}); hoogste: "
        f"{c.md_escape(hi['gebied'])} "
        f"({percent_text(hi['rate'])}); {frame.height - valid.height} van {frame.height} {plural} "
        "onderdrukt."
    )


def trend(
    store: Store,
    region: Region | None,
    *,
    parts: Sequence[tuple[str, str, str]],
    key: str,
    title: str,
    explanation: str,
    series_title: str,
    trend_break: int | None = None,
) -> Figure:
    """Lines over all years for (indicator, breakdown, label) parts, region solid and NL dashed.

    Years with provisional CBS figures get a '*'; `trend_break` is the first year after a break
    in the series that CBS reports, marked when years on both sides are shown.
    """
    frames = []
    for indicator in dict.fromkeys(p[0] for p in parts):
        labels = {b: label for i, b, label in parts if i == indicator}
        rows = c.region_vs_nl(store, indicator, region, breakdowns=list(labels))
        serie = pl.col("breakdown").replace_strict(labels)
        frames.append(rows.with_columns(serie=serie, categorie=serie))  # table rows per series
    frame = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    indicators = list(dict.fromkeys(p[0] for p in parts))
    span = c.all_years(store, indicators[0])
    series = [label for _, _, label in parts]
    name = c.region_label(region)
    provisional = c.provisional_years(frame)
    shown = frame.filter(pl.col("rate").is_not_null())["year"]
    shown_break = (
        trend_break
        if trend_break is not None and shown.len() and shown.min() < trend_break <= shown.max()
        else None
    )
    marks = c.trend_marks(provisional, shown_break)
    chart = charts.trend(
        frame,
        series=series,
        series_title=series_title,
        provisional=provisional,
        break_before=shown_break,
        description=(
            f"Lijndiagram: {_in_sentence(title)} van {span[0]} tot en met {span[-1]} voor {name}"
            + ("" if c.is_nl(region) else " (doorgetrokken) en Nederland (gestreept)")
            + f", per {series_title.lower()}: {', '.join(series)}. {marks}{c.LEGEND_HELP}"
        ),
    )
    table = c.figure_table(frame)
    last = frame[
        [
            i
            for i, (y, s) in enumerate(zip(frame["year"], frame["serie"], strict=True))
            if y == span[-1] and s == series[0]
        ]
    ]
    return c.make_figure(
        store,
        key=key,
        title=title,
        explanation=f"{explanation.strip()} {marks}{c.interactive(c.LEGEND_HELP)} {charts.SIG_NOTE}",
        indicators=indicators,
        chart=chart,
        frame=frame,
        region=region,
        year=span,
        summary_text=f"{span[-1]}, {series[0].lower()}: "
        + c.summary(last, region, what="", breakdown=parts[0][1]),
        table=table,
    )


def strip(
    store: Store,
    region: Region | None,
    *,
    indicator: str,
    breakdown: str = "all",
    peers: tuple[str, ...] = (),
) -> list[Figure]:
    """For a gemeente: the benchmark strip of an indicator (F14) against its computed comparable
    gemeenten or the user's own `peers` (`Choices.compare`); other regions have no peers."""
    if region is None or region.type != "gemeente":
        return []
    return [benchmark_figure(store, region.code, indicator, breakdown, peers=peers)]


def _problem_members(store: Store, region: Region | None, year: int) -> tuple[pl.DataFrame, str]:
    """Member lines for the radar: gemeenten of the region, or the provincies for NL."""
    if c.is_nl(region):
        codes = regions_of_type(store, "provincie")["code"]
        level, title = "provincie", c.LEVEL_PLURAL["provincie"]
    elif region.type == "gemeente":  # type: ignore[union-attr]
        return pl.DataFrame(), ""
    else:
        codes = members(store, region.code)["gemeente_code"]  # type: ignore[union-attr]
        level, title = "gemeente", "gemeenten in de regio"
    names = store.regions.select(pl.col("code").alias("region_code"), gebied="display_name")
    frame = c.with_labels(
        store,
        c.shown(
            level_values(store, "problematiek", level).filter(
                pl.col("region_code").is_in(codes.implode()) & (pl.col("year") == year)
            )
        ),
    ).join(names, on="region_code")
    return frame.with_columns(rol=pl.lit("lid")), title


def radar(
    store: Store,
    region: Region | None,
    *,
    key: str,
    title: str,
    explanation: str,
) -> Figure:
    """Ratio to NL per problem area: the region bold, its member gemeenten (or provincies) thin."""
    indicator = "problematiek"
    year = c.latest(store, indicator)
    own = c.region_vs_nl(store, indicator, region, year=year)
    cats = c.categories(own)
    member_rows, member_title = _problem_members(store, region, year)
    own_rows = own.filter(pl.col("rol") == "regio")
    cols = ["gebied", "rol", "categorie", "rate", "nl_rate"]
    lines = pl.concat(
        [f.select(cols) for f in (own_rows, member_rows) if f.height], how="vertical_relaxed"
    ).with_columns(ratio=pl.col("rate") / pl.col("nl_rate"))
    name = c.region_label(region)
    # nothing to draw (every area suppressed, no members): no chart, the table says it all
    drawable = charts.radar_drawable(lines, cats)
    chart = (
        charts.radar(
            lines,
            categories=cats,
            description=(
                f"Radardiagram: verhouding tussen het percentage in {name} en het Nederlandse "
                f"gemiddelde per probleemgebied, {year}. De gestippelde ring is Nederland (1); verder "
                "naar buiten is een hoger percentage dan landelijk."
                + (f" Dunne lijnen: de {member_title}." if member_title else "")
            ),
        )
        if drawable
        else None
    )
    name = c.md_escape(name)
    if own_rows.height:
        # an index needs the region's rate and Nederland's (none when too few gemeenten have one)
        valid = own_rows.filter(
            pl.col("rate").is_not_null() & pl.col("nl_rate").is_not_null()
        ).with_columns(index=(pl.col("rate") / pl.col("nl_rate") * 100).round(0))
        # the largest deviation from NL in either direction (index 62 beats index 109)
        top = (
            valid.sort((pl.col("index") - 100).abs(), "categorie").row(-1, named=True)
            if valid.height
            else None
        )
        hidden = own_rows.height - valid.height
        note = (
            f" {hidden} van de {own_rows.height} probleemgebieden zijn onderdrukt (minder dan 10"
            " jeugdigen); daarom staan er alleen punten."
            if hidden and top
            else ""
        )
        summary = (
            f"**{name}:** het grootste verschil met Nederland is bij "
            f"{top['categorie'].lower()} (index {top['index']:.0f}; NL = 100: "
            f"{'hoger' if top['index'] > 100 else 'lager'} dan landelijk).{note}"
            if top
            else f"**{name}:** Nederland heeft geen waarde om mee te vergelijken."
            if own_rows["rate"].is_not_null().any()
            else f"**{name}:** te weinig waarnemingen om de figuur te tekenen."
        )
    else:
        summary = (
            "Nederland is de referentie (de gestippelde ring); elke lijn is een provincie, met "
            "haar naam in de legenda en in de tabel."
        )
    # the table lists the region (and NL) and then every member line drawn, so each line has
    # its numbers in text too
    rows = pl.concat([own, member_rows], how="diagonal_relaxed") if member_rows.height else own
    table = c.figure_table(rows).with_columns(
        (rows["rate"] / rows["nl_rate"]).round(2).alias("Verhouding met NL")
    )
    if member_title:
        explanation = f"{explanation.strip()} {c.interactive(RADAR_HELP)}"
    return c.make_figure(
        store,
        key=key,
        title=title,
        explanation=explanation,
        indicators=[indicator],
        chart=chart,
        frame=own,
        region=region,
        year=year,
        summary_text=summary,
        layout="half",
        table=table,
    )
