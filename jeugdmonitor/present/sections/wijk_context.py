"""Section "Wijken: gezin, inkomen en opleiding": beside the jeugdzorg wijk map, per wijk of a
gemeente what CBS measures (`wijken.MEASURES`): jongeren met jeugdzorg in een eenoudergezin
(85335NED, 2022), huishoudens met een laag inkomen and inwoners met een laag opleidingsniveau
(Kerncijfers wijken en buurten, 2021). Each as a map (the highest wijk outlined) and a ranking
with intervals and the gemeente as reference. Other region types get a pointer to the gemeenten.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import wijken as values
from jeugdmonitor.analysis.stats import percent_text
from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.present.sections.common import md_escape, visible
from jeugdmonitor.present.sections.wijken import (
    WIDE_MAP,
    wijk_choropleth,
    wijk_download,
    wijk_table,
)

KEY = "wijken_context"
TITLE = "Wijken: gezin, inkomen en opleiding"
INTRO = """\
Naast het jeugdzorggebruik per wijk: hoe de wijken van uw gemeente verschillen in wat CBS meet over
gezinnen, inkomen en opleiding. Het aandeel jongeren met jeugdzorg dat in een eenoudergezin woont
(2022), het aandeel huishoudens met een laag inkomen en het aandeel inwoners (15-75 jaar) met een
laag opleidingsniveau (2021). De laatste twee gaan over huishoudens en inwoners, niet over
kinderen. Kleine wijken hebben brede intervallen: lees die niet te stellig.
"""
OTHER = "Cijfers per wijk zijn er per gemeente: kies een gemeente om de wijken te zien."
TALL = 30  # wijken: more rows than this and the ranking gets the page's width (and may a page)


def _figures(
    store: Store, region: Region, m: values.WijkMeasure, assets: charts.Assets
) -> list[Figure]:
    """Map (when the gemeente has wijk shapes) and ranking of one measure."""
    rows = values.measure_values(store, region.code, m.key)
    if not rows.height:
        return []
    name, plain = md_escape(region.name), region.name
    shown = rows.filter(pl.col("rate").is_not_null())
    top = shown.row(0, named=True) if shown.height else None
    ref = rows["ref_rate"][0]
    tall = rows.height > TALL
    summary = (
        f"**{name}: {percent_text(ref)}** {m.what} (wijken met cijfers samen, {m.year}). "
        f"{rows.height - shown.height} van {rows.height} wijken onderdrukt (minder dan 10). "
        + (
            f"Hoogste: {md_escape(top['gebied'])} ({percent_text(top['rate'])}); laagste: "
            f"{md_escape(shown.row(-1, named=True)['gebied'])} "
            f"({percent_text(shown.row(-1, named=True)['rate'])})."
            if top
            else ""
        )
    )
    common = dict(
        source=f"Bron en jaar data: {m.source}; wijkgrenzen CBS Wijk- en Buurtkaart 2022.",
        table=wijk_table(rows, "Totaal"),
        download=wijk_download(
            rows.with_columns(
                is_simulated=pl.lit(False),
                is_estimate=pl.lit(m.bounds is not None),
                coverage_note=pl.lit(None, pl.String),
                source=pl.lit(m.source),
            ),
            region,
        ),
        download_name=f"wijken_{m.key}_{region.code}_{m.year}.csv",
        download_label=f"alle wijken van {plain}",
        badge=f"CBS, {m.year}",
    )
    figures = []
    if values.has_map(store, region.code):
        chart = wijk_choropleth(store, region, rows, top, f"{m.title.lower()}, {m.year}", assets)
        figures.append(
            Figure(
                key=f"wijken_{m.key}_kaart",
                title=f"{m.title} per wijk in {plain}",
                explanation=(
                    f"Per wijk: {m.title.lower()}, als aandeel van de {m.base} ({m.year}). "
                    "Donkerblauw is het hoogste aandeel, lichtgrijs een wijk met minder dan 10; "
                    "de wijk met het hoogste aandeel is oranje omlijnd."
                ),
                chart=chart,
                summary=summary,
                layout="full" if rows.height > WIDE_MAP else "half",
                **common,
            )
        )
    figures.append(
        Figure(
            key=f"wijken_{m.key}_rangorde",
            title=f"{m.title}: wijken van {plain} op volgorde",
            explanation=(
                f"Elke wijk met zijn aandeel en 95%-interval; de gestippelde lijn is {name} als "
                "geheel. ▲ / ▼: de wijk ligt significant hoger / lager dan de gemeente."
            ),
            chart=charts.wijk_ranking(
                rows,
                ref,
                plain,
                description=(
                    f"Puntdiagram van alle {rows.height} wijken van {plain} op volgorde van "
                    f"{m.title.lower()} in {m.year}, met 95%-intervallen en de gemeente als "
                    "gestippelde lijn."
                ),
                x_title=f"Aandeel ({m.year})",
                width=260 if figures and not tall else 460,
            ),
            summary="" if figures else summary,
            layout="half" if figures and not tall else "full",
            tall=tall,
            **common,
        )
    )
    return figures


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Map and ranking per measure for a gemeente; a pointer for other region types."""
    if region is None or region.type != "gemeente":
        return Section(KEY, TITLE, f"{INTRO}\n{OTHER}", [])
    store = visible(store, choices)
    assets = assets or charts.Assets()
    figures = [f for m in values.MEASURES.values() for f in _figures(store, region, m, assets)]
    if not figures:
        return Section(KEY, TITLE, f"{INTRO}\nVoor {md_escape(region.name)} zijn geen wijkcijfers.")
    return Section(KEY, TITLE, INTRO, figures)
