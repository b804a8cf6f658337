"""Section "Jeugdzorggebruik": by age vs NL, map of NL, trend per care form."""

from __future__ import annotations

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import common, figures
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Section

TITLE = "Jeugdzorggebruik"
INTRO = """\
Zicht op het jeugdzorggebruik geeft input voor het gesprek tussen onderwijs en gemeente/jeugdhulp
over verdere afstemming en samenwerking en de inzet van jeugdhulp en onderwijszorgarrangementen
(oza's) op scholen. En over de wijze waarop voor deze risicogroepen het schoolsucces en daarmee hun
toekomstkansen bevorderd worden.

Hieronder ziet u het jeugdzorggebruik van kinderen en jongeren in uw gekozen gemeente of regio.
Jeugdzorg omvat jeugdhulp, jeugdbescherming en jeugdreclassering. U kunt de gegevens vergelijken met
andere regio's, gemeenten en het landelijk gemiddelde, en u ziet de trend over de afgelopen jaren.
"""
AGE_TITLE = "Jeugdzorggebruik naar leeftijd"
AGE_TEXT = """\
De figuur geeft het aandeel kinderen dat een vorm van jeugdzorg ontvangt voor uw gemeente/regio en
het landelijk gemiddelde, met de onderverdeling in 0-4-jarigen, 4-12-jarigen en 12-18-jarigen.
"""
MAP_TITLE = "Jeugdzorggebruik in Nederland"
MAP_TEXT = """\
Dit landkaartje geeft het percentuele gebruik van jeugdzorg per gemeente of regio weer, waarbij
donkerblauw het hoogste gebruik weergeeft en lichtblauw het laagste. Uw regio is oranje omlijnd.
De cijfers per gemeente of regio kunt u als .csv-bestand (te openen in Excel) downloaden.
"""
TREND_TITLE = "Trend jeugdzorggebruik"
TREND_TEXT = """\
De figuur geeft de trend van het jeugdzorggebruik (CBS) voor uw gemeente/regio en Nederland, met
de onderverdeling in jeugdhulp, jeugdbescherming en jeugdreclassering voor de jaren waarin CBS die
per gemeente publiceert (als percentage). Jeugdreclassering is het aandeel van de jongeren van
12 tot 23 jaar. Toont u alleen jeugdbescherming of jeugdreclassering, dan past de verticale as zich
aan en worden ook die kleine aantallen leesbaar.
"""
REFERRER_TITLE = "Wie verwijst naar jeugdzorg?"
REFERRER_TEXT = """\
Het aandeel van de trajecten jeugdhulp in natura per verwijzer: de gemeentelijke toegang
(wijkteam), de huisarts, de jeugdarts, een gecertificeerde instelling, een medisch specialist, de
rechter of officier van justitie, geen verwijzer, of een onbekende verwijzer; samen 100%.
Trajecten jeugdbescherming en jeugdreclassering hebben geen verwijzer en tellen niet mee.
Jeugdarts en huisarts zijn de verwijzers waar scholen en hun partners het meest mee samenwerken.
"""
HOUSEHOLD_TITLE = "Jeugdzorg en gezinssituatie"
HOUSEHOLD_TEXT = """\
Bij welk huishouden wonen de jongeren met jeugdzorg: in een eenoudergezin, bij een paar (twee
ouders) of in een ander huishouden? Vergelijk het aandeel eenoudergezinnen met Nederland.
"""
REFERRERS = [
    "verwijzer=gemeentelijke_toegang",
    "verwijzer=huisarts",
    "verwijzer=jeugdarts",
    "verwijzer=gecertificeerde_instelling",
    "verwijzer=medisch_specialist",
    "verwijzer=rechter_om",
    "verwijzer=geen",
    "verwijzer=onbekend",
]
HOUSEHOLDS = ["huishouden=eenouder", "huishouden=paar", "huishouden=ander"]
AGES = ["all", "age=0-4", "age=4-12", "age=12-18"]
FORMS = [
    ("jeugdzorg", "all", "Jeugdzorg (totaal)"),
    ("jeugdhulp", "all", "Jeugdhulp"),
    ("jeugdbescherming", "all", "Jeugdbescherming"),
    ("jeugdreclassering", "all", "Jeugdreclassering (12-23 jaar)"),
]
TREND_BREAK = 2021  # CBS (Beleidsinformatie Jeugd) reports a trend break between 2020 and 2021


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Bars by age, the NL map, the trend per care form and (for a gemeente) the benchmark strip."""
    store = common.visible(store, choices)
    return Section(
        key="jeugdzorg",
        title=TITLE,
        intro=INTRO,
        figures=[
            figures.bars(
                store,
                region,
                indicator="jeugdzorg",
                breakdowns=AGES,
                key="jeugdzorg_leeftijd",
                title=AGE_TITLE,
                explanation=AGE_TEXT,
                what="van de jeugdigen (0-18 jaar) heeft jeugdzorg",
            ),
            figures.nl_map(
                store,
                region,
                indicator="jeugdzorg",
                key="jeugdzorg_kaart",
                title=MAP_TITLE,
                explanation=MAP_TEXT,
                assets=assets,
            ),
            figures.trend(
                store,
                region,
                parts=FORMS,
                key="jeugdzorg_trend",
                title=TREND_TITLE,
                explanation=TREND_TEXT,
                series_title="Vorm van jeugdzorg",
                trend_break=TREND_BREAK,
            ),
            *figures.strip(store, region, indicator="jeugdzorg", peers=choices.compare),
            figures.bars(
                store,
                region,
                indicator="jeugdzorg_verwijzer",
                breakdowns=REFERRERS,
                key="jeugdzorg_verwijzer",
                title=REFERRER_TITLE,
                explanation=REFERRER_TEXT,
                what="van de trajecten is verwezen door de jeugdarts",
                summary_breakdown="verwijzer=jeugdarts",
                also=[("verwijzer=huisarts", "door de huisarts")],
            ),
            figures.bars(
                store,
                region,
                indicator="jeugdzorg_huishouden",
                breakdowns=HOUSEHOLDS,
                key="jeugdzorg_huishouden",
                title=HOUSEHOLD_TITLE,
                explanation=HOUSEHOLD_TEXT,
                what="van de jongeren met jeugdzorg woont in een eenoudergezin",
                summary_breakdown="huishouden=eenouder",
            ),
        ],
    )
