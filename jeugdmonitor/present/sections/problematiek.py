"""Section "Problematiek": radar of the deviation from NL and bars per area."""

from __future__ import annotations

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import common, figures, unavailable
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Section

TITLE = "Problematiek"
INTRO = """\
U ziet hier de cijfers over psychische problematiek van jeugdigen in uw gemeente of regio. Hiermee
wordt voor de onderstaande problemen weergegeven hoeveel jeugdigen met deze specifieke problemen
kampen.
"""
RADAR_TITLE = "Problematiek vergeleken met elkaar en heel Nederland"
RADAR_TEXT = """\
Hoe verschilt de problematiek in uw gemeente (of in de gemeenten binnen uw samenwerkingsverband of
regio) van andere gemeenten in Nederland? De figuur geeft voor een aantal onderwerpen de afwijking
van uw gemeente/regio ten opzichte van het Nederlands gemiddelde (de gestippelde ring). Hoe verder
naar buiten, hoe hoger de prevalentie van het betreffende kenmerk is. Bij een samenwerkingsverband,
jeugdregio of provincie is elke gemeente een dunne lijn; zonder gekozen regio zijn dat de
provincies.
"""
BARS_TITLE = "Relatief aandeel per probleemgebied"
BARS_TEXT = """\
De figuur geeft aan welk aandeel van de jeugdigen in uw gemeente/regio kampt met de verschillende
problemen, ten opzichte van het Nederlands gemiddelde.
"""


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Radar and bars of the problem areas for the latest year (or the note where there are none)."""
    del assets
    store = common.visible(store, choices)
    if not unavailable.has_rows(store, "problematiek"):
        note = unavailable.note_figure(
            store, "problematiek", key="problematiek_bron", title="Problematiek per gemeente"
        )
        return Section(key="problematiek", title=TITLE, intro=INTRO, figures=[note])
    breakdowns = store.cached(
        "problem_breakdowns",
        lambda: store.breakdowns.filter(store.breakdowns["dimension"] == "probleem")[
            "breakdown"
        ].to_list(),
    )
    return Section(
        key="problematiek",
        title=TITLE,
        intro=INTRO,
        figures=[
            figures.radar(
                store, region, key="problematiek_radar", title=RADAR_TITLE, explanation=RADAR_TEXT
            ),
            figures.bars(
                store,
                region,
                indicator="problematiek",
                breakdowns=breakdowns,
                key="problematiek_aandeel",
                title=BARS_TITLE,
                explanation=BARS_TEXT,
                what="van de jeugdigen heeft emotionele problemen",
                summary_breakdown="probleem=emotioneel",
            ),
        ],
    )
