"""Section "Eerder signaleren": eenoudergezinnen, armoede, achterstandsleerlingen."""

from __future__ import annotations

from collections.abc import Callable

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import common, figures, unavailable
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Figure, Section

TITLE = "Eerder signaleren"
INTRO = """\
Iedere gemeente of regio streeft ernaar om kinderen zo gezond, veilig en kansrijk mogelijk te laten
opgroeien. Dat kan enerzijds door een sterke pedagogische basis voor kinderen en gezinnen te
stimuleren, maar ook door vroegtijdig te signaleren wanneer zich risico's voordoen voor kinderen of
gezinnen. Het liefst wilt u risico's voorkomen door preventief te handelen of — indien nodig —
vroegtijdig zo licht mogelijke hulp te bieden.

Hoe weet u dat zich risico's voordoen voor kinderen tijdens het opgroeien en opvoeden? Een aantal
factoren kan daarvoor een indicatie geven, zoals het opgroeien in een eenoudergezin of in armoede.
Ook als een leerling voldoet aan de criteria voor achterstandsleerlingen, kan dat een risico
betekenen voor de ontwikkeling van een kind en is inzet van een preventief (vve-)programma gewenst.

#### Toelichting cijfers

De figuren hieronder geven u een beeld van risicofactoren voor jeugdzorggebruik in uw gekozen
gemeente of regio. U kunt de gegevens vergelijken met andere regio's, gemeenten en het landelijk
gemiddelde. U ziet wat CBS meet, met de naam die CBS eraan geeft:

- jongeren met jeugdzorg die in een eenoudergezin wonen (CBS, 2022);
- huishoudens met een laag inkomen (CBS Kerncijfers wijken en buurten, 2021);
- inwoners met een laag opleidingsniveau (CBS Kerncijfers wijken en buurten, 2021).

De laatste twee gaan over huishoudens en inwoners, niet over kinderen: ze zeggen iets over de buurt
waarin kinderen opgroeien. Het aandeel kinderen in eenoudergezinnen of in armoede en het aandeel
achterstandsleerlingen zitten niet in de meegeleverde bestanden; bij elk onderwerp staat waar u ze
kunt krijgen en hoe u ze zelf inleest. Per wijk staan deze cijfers onder *Wijken*.
"""
MAP_TEXT = """\
Dit landkaartje geeft het aandeel {what} per gemeente of regio weer, waarbij de donkerste kleur het
hoogste aandeel weergeeft en de lichtste kleur het laagste. Uw regio is oranje omlijnd. De cijfers
per gemeente of regio kunt u als .csv-bestand (te openen in Excel) downloaden.
"""
AGE_TREND_TEXT = """\
De figuur geeft de trend van het aandeel {what} en de onderverdeling in de leeftijdsgroepen 0-4,
4-12 en 12-18 jaar voor uw gemeente/regio ten opzichte van het landelijk gemiddelde.
"""
OUTRO = """\
#### Wat kan ik met de cijfers uit mijn regio?

De cijfers geven u zicht op de mate waarin zich risico's voordoen voor kinderen tijdens het
opgroeien en opvoeden. De factoren die daarvoor een indicatie geven, zijn het opgroeien in een
eenoudergezin of in armoede. Ook als een leerling voldoet aan de criteria voor
achterstandsleerlingen, kan dat een risico betekenen voor de ontwikkeling van een kind en is inzet
van een preventief (vve-)programma gewenst.

Met deze indicatoren krijgt u inzicht in de omvang van de groep kinderen in uw gemeente of
samenwerkingsverband die opgroeit met deze potentiële risico's. Vervolgens kunt u als gemeente en
samenwerkingsverband in gesprek gaan met schoolbesturen en locatieleiders, en met de
basisvoorzieningen en wijkteams, over de wijze waarop deze kinderen en gezinnen tijdig kunnen worden
gesignaleerd en welke preventieve interventies voor hen gewenst of noodzakelijk zijn. De kennis in
de wijken over de problematiek van de (volwassen) bevolking kan aanvullend op deze gegevens tot een
gezamenlijke effectieve aanpak leiden. Door vroegtijdig te signaleren en preventief te handelen is
het veelal mogelijk om inzet van (specialistische) jeugdhulp te voorkomen.
"""
AGES = ["all", "age=0-4", "age=4-12", "age=12-18"]
AGE_LABELS = {
    "all": "Totaal 0-18 jaar",
    "age=0-4": "0-4 jaar",
    "age=4-12": "4-12 jaar",
    "age=12-18": "12-18 jaar",
}


def _by_age(
    store: Store,
    region: Region | None,
    assets: charts.Assets | None,
    *,
    indicator: str,
    noun: str,
    what: str,
    verb: str,
    peers: tuple[str, ...] = (),
) -> list[Figure]:
    """Bars by age, the NL map, the trend by age and (for a gemeente) the strip of one risk factor."""
    return [
        figures.bars(
            store,
            region,
            indicator=indicator,
            breakdowns=AGES,
            key=f"{indicator}_leeftijd",
            title=f"Onderverdeling {noun}",
            explanation=(
                f"De figuur geeft het aandeel {what} voor uw gemeente/regio weer, het landelijk "
                "gemiddelde en de onderverdeling in 0-4-jarigen, 4-12-jarigen en 12-18-jarigen."
            ),
            what=f"van de minderjarigen {verb}",
        ),
        figures.nl_map(
            store,
            region,
            indicator=indicator,
            key=f"{indicator}_kaart",
            title=f"{noun[0].upper()}{noun[1:]} in Nederland",
            explanation=MAP_TEXT.format(what=what),
            assets=assets,
        ),
        figures.trend(
            store,
            region,
            parts=[(indicator, b, AGE_LABELS[b]) for b in AGES],
            key=f"{indicator}_trend",
            title=f"Trend {noun}",
            explanation=AGE_TREND_TEXT.format(what=what),
            series_title="Leeftijd",
        ),
        *figures.strip(store, region, indicator=indicator, peers=peers),
    ]


SINGLE_PARENT_TEXT = (
    "Het aandeel van de jongeren (0-23 jaar) met jeugdzorg in natura dat in een eenoudergezin "
    "woont (CBS 85335NED, 2022), naast Nederland. Dit gaat over jongeren mét jeugdzorg; het "
    "aandeel eenoudergezinnen onder alle gezinnen publiceert CBS niet in de meegeleverde "
    "bestanden. De verdeling over eenoudergezin, paar en ander huishouden staat bij "
    "*Jeugdzorggebruik*."
)
INCOME_TEXT = (
    "Het aandeel van de huishoudens met een laag inkomen, onder of rond het sociaal minimum, en "
    "met een inkomen in de laagste 40% (CBS Kerncijfers wijken en buurten, 2021). Dit gaat over "
    "huishoudens, niet over kinderen. CBS publiceert percentages; een regio telt de huishoudens "
    "van haar gemeenten op (percentage × huishoudens), en het interval rekent met de afronding "
    "van het percentage op één decimaal."
)
EDUCATION_TEXT = (
    "Het aandeel van de inwoners van 15 tot 75 jaar met een laag, middelbaar of hoog "
    "opleidingsniveau (CBS Kerncijfers wijken en buurten, 2021). Dit gaat over inwoners, niet over "
    "leerlingen: het is geen maat voor achterstandsleerlingen, wel voor de omgeving waarin "
    "kinderen opgroeien."
)


def _real_block(
    store: Store,
    region: Region | None,
    assets: charts.Assets | None,
    *,
    indicator: str,
    breakdowns: list[str],
    main: str,
    title: str,
    text: str,
    what: str,
    map_what: str,
    peers: tuple[str, ...] = (),
) -> list[Figure]:
    """A real CBS measure: bars vs NL (half), the NL map of its main breakdown (half) and, for a
    gemeente, the benchmark strip."""
    return [
        figures.bars(
            store,
            region,
            indicator=indicator,
            breakdowns=breakdowns,
            key=f"{indicator}_aandeel",
            title=title,
            explanation=text,
            what=what,
            summary_breakdown=main,
        ),
        figures.nl_map(
            store,
            region,
            indicator=indicator,
            breakdown=main,
            key=f"{indicator}_kaart",
            title=f"{title} in Nederland",
            explanation=MAP_TEXT.format(what=map_what),
            assets=assets,
        ),
        *figures.strip(store, region, indicator=indicator, breakdown=main, peers=peers),
    ]


def _simulated_or_note(
    store: Store, indicator: str, shown: Callable[[], list[Figure]], title: str
) -> list[Figure]:
    """The figures when the page has rows for them (imported, or simulated when the user asked
    for them), else the note on where to get them."""
    if unavailable.has_rows(store, indicator):
        return shown()
    return [unavailable.note_figure(store, indicator, key=f"{indicator}_bron", title=title)]


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Three risk factors as CBS measures them (bars, NL map, strip), each followed by the
    figure the NJi page asks for when there is one (imported or, when asked, simulated) or a
    note on where to get it."""
    store = common.visible(store, choices)
    return Section(
        key="eerder_signaleren",
        title=TITLE,
        intro=INTRO,
        figures=[
            *_real_block(
                store,
                region,
                assets,
                peers=choices.compare,
                indicator="jeugdzorg_huishouden",
                breakdowns=["huishouden=eenouder"],
                main="huishouden=eenouder",
                title="Jeugdzorg in eenoudergezinnen",
                text=SINGLE_PARENT_TEXT,
                what="van de jongeren met jeugdzorg woont in een eenoudergezin",
                map_what="jongeren met jeugdzorg in een eenoudergezin",
            ),
            *_simulated_or_note(
                store,
                "eenoudergezin",
                lambda: _by_age(
                    store,
                    region,
                    assets,
                    indicator="eenoudergezin",
                    noun="kinderen in eenoudergezinnen",
                    what="minderjarigen in eenoudergezinnen",
                    verb="woont in een eenoudergezin",
                    peers=choices.compare,
                ),
                "Kinderen in eenoudergezinnen",
            ),
            *_real_block(
                store,
                region,
                assets,
                peers=choices.compare,
                indicator="laag_inkomen",
                breakdowns=["inkomen=laag", "inkomen=sociaal_minimum", "inkomen=laagste_40"],
                main="inkomen=laag",
                title="Huishoudens met een laag inkomen",
                text=INCOME_TEXT,
                what="van de huishoudens heeft een laag inkomen",
                map_what="huishoudens met een laag inkomen",
            ),
            *_simulated_or_note(
                store,
                "armoede",
                lambda: _by_age(
                    store,
                    region,
                    assets,
                    indicator="armoede",
                    noun="kinderen in armoede",
                    what="minderjarigen in armoede",
                    verb="groeit op in armoede",
                    peers=choices.compare,
                ),
                "Kinderen in armoede",
            ),
            *_real_block(
                store,
                region,
                assets,
                peers=choices.compare,
                indicator="opleidingsniveau",
                breakdowns=["opleiding=laag", "opleiding=middelbaar", "opleiding=hoog"],
                main="opleiding=laag",
                title="Inwoners met een laag opleidingsniveau",
                text=EDUCATION_TEXT,
                what="van de inwoners van 15-75 jaar heeft een laag opleidingsniveau",
                map_what="inwoners met een laag opleidingsniveau",
            ),
            *_simulated_or_note(
                store,
                "achterstandsleerlingen",
                lambda: _achterstand(store, region, assets, choices.compare),
                "Achterstandsleerlingen",
            ),
        ],
        outro=OUTRO,
    )


def _achterstand(
    store: Store,
    region: Region | None,
    assets: charts.Assets | None,
    peers: tuple[str, ...] = (),
) -> list[Figure]:
    """Achterstandsleerlingen 4-12 (only imported or simulated figures exist): bars, map, trend,
    strip."""
    achterstand = "achterstandsleerlingen"
    return [
        figures.bars(
            store,
            region,
            indicator=achterstand,
            breakdowns=["age=4-12"],
            key="achterstandsleerlingen_aandeel",
            title="Onderverdeling achterstandsleerlingen",
            explanation=(
                "Achterstandsleerlingen zijn leerlingen in het basisonderwijs die tot een "
                "achterstandscategorie behoren; er wordt ook wel gesproken van risicoleerlingen. "
                "Kinderen vallen in deze categorie als hun ouders laag opgeleid zijn. U kunt "
                "deze cijfers vergelijken met andere gemeenten en samenwerkingsverbanden en "
                "met de landelijke cijfers."
            ),
            what="van de leerlingen (4-12 jaar) is achterstandsleerling",
            summary_breakdown="age=4-12",
        ),
        figures.nl_map(
            store,
            region,
            indicator=achterstand,
            breakdown="age=4-12",
            key="achterstandsleerlingen_kaart",
            title="Achterstandsleerlingen in Nederland",
            explanation=MAP_TEXT.format(what="achterstandsleerlingen"),
            assets=assets,
        ),
        figures.trend(
            store,
            region,
            parts=[(achterstand, "age=4-12", "4-12 jaar")],
            key="achterstandsleerlingen_trend",
            title="Trend achterstandsleerlingen",
            explanation=(
                "De figuur geeft de trend van het aandeel achterstandsleerlingen in de "
                "leeftijdsgroep 4-12 jaar voor uw gemeente/regio ten opzichte van het "
                "landelijk gemiddelde."
            ),
            series_title="Leeftijd",
        ),
        *figures.strip(store, region, indicator=achterstand, breakdown="age=4-12", peers=peers),
    ]
