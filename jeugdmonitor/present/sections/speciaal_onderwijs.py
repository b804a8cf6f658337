"""Section "Speciaal onderwijs": share per type, NL map and trend vs NL."""

from __future__ import annotations

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import common, figures
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Section

TITLE = "Speciaal onderwijs"
INTRO = """\
U ziet het aantal kinderen uit uw gemeente/regio dat ingeschreven staat in het speciaal onderwijs,
onderverdeeld naar de verschillende typen speciaal onderwijs. Het totale percentage speciaal
onderwijs ziet u ook op de landkaart.

Met deze cijfers weet u hoeveel kinderen in uw regio ingeschreven staan in het speciaal
basisonderwijs, het speciaal onderwijs en het voortgezet speciaal onderwijs. Veel van deze kinderen
hebben naast de extra ondersteuning die zij in dit type onderwijs ontvangen ook hulp of
ondersteuning vanuit de Jeugdwet nodig. Ook zijn er kinderen die zorg nodig hebben vanuit de Wet
langdurige zorg of de Zorgverzekeringswet.
"""
BARS_TITLE = "Speciaal onderwijs per onderwijssoort"
BARS_TEXT = """\
De figuur geeft per soort speciaal onderwijs het aandeel van de kinderen en jongeren van 4 tot en
met 17 jaar weer dat erin zit, naar de gemeente waar zij wonen (niet waar de school staat).
"""
ESTIMATE_TEXT = """\
**Een schatting.** DUO telt de leerlingen van 1 oktober 2024 per school en per postcode waar zij
wonen, maar toont aantallen van 1 tot 4 als "<5"; in het speciaal onderwijs is dat bijna elke cel.
Het aantal per school (schooljaar 2023/24) is wel bekend; dat is verdeeld over de postcodes van de
leerlingen. De marge telt mee in het 95%-interval; is de marge te groot voor één getal, dan ziet u
alleen het bereik. Noemer: het geschatte aantal 4- tot en met 17-jarigen (leerlingen in het gewone
voortgezet onderwijs staan niet in dit DUO-bestand). Zie de verantwoording voor de methode.
"""
SWV_TEXT = (
    " Leerlingen tellen mee in het samenwerkingsverband van hun woonpostcode (de postcodetabel "
    "van de regio-indeling passend onderwijs); de noemer volgt dezelfde postcodes."
)
MAP_TITLE = "Speciaal onderwijs in Nederland"
MAP_TEXT = """\
Dit landkaartje geeft het aandeel speciaal onderwijs per gemeente of regio weer, waarbij de
donkerste kleur het hoogste aandeel weergeeft en de lichtste kleur het laagste; lichtgrijs is minder
dan 10 leerlingen, of een schatting met een te grote marge (de muis toont dan het bereik).
Uw regio is oranje omlijnd. De cijfers per gemeente of regio kunt u als .csv-bestand (te openen in
Excel) downloaden.
"""
TREND_TITLE = "Trend speciaal onderwijs"
TREND_TEXT = """\
De figuur geeft de trend van het speciaal onderwijs, in totaal en per soort, voor uw gemeente/regio
ten opzichte van het landelijk gemiddelde.
"""
OUTRO = """\
#### Wat kan ik met de cijfers uit mijn regio?

Zicht op de problematiek van jeugdigen in de gemeente/regio geeft de mogelijkheid om gerichte
keuzes te maken in het preventieve aanbod, om zoveel mogelijk problemen vroegtijdig aan te pakken en
verdere zwaardere hulp te voorkomen. Scholen bieden basisondersteuning en jeugdhulp biedt
preventieprogramma's (zoals sociale vaardigheden en weerbaarheidstrainingen) aan op scholen,
waarmee zij bijdragen aan de pedagogische basiskwaliteit. Ook jeugdhulpprofessionals in de wijk (of
elders) helpen ouders en kinderen met individuele adviesgesprekken en groepsgericht aanbod, of
bieden kortdurende hulp. Zicht op de meest voorkomende problematiek onder jeugdigen helpt focus aan
te brengen in het palet van preventieve activiteiten.

Wanneer kinderen hulp en ondersteuning nodig hebben, is kwalitatief hoogwaardige opvoeding, opvang,
onderwijs, ondersteuning en hulpverlening nodig, maar vooral ook goede afstemming daartussen. Zicht
op het jeugdzorggebruik per onderwijssoort geeft input voor het gesprek tussen onderwijs en
gemeente/jeugdhulp over verdere afstemming en samenwerking en de inzet van jeugdhulp op scholen,
bijvoorbeeld bij het ontwikkelen van onderwijszorgarrangementen. Voor een zo effectief mogelijke
aanpak is een integrale aanpak van belang. Het is zinvol deze gegevens te relateren aan de
NEET-cijfers (jongeren die geen werk hebben en geen opleiding volgen), om gerichter preventief
beleid en onderwijszorgarrangementen in te zetten — niet alleen ter ondersteuning van de kinderen en
jongeren, maar ook van hun gezinnen.
"""
INDICATOR = "speciaal_onderwijs"
TYPES = ["all", "type=sbo", "type=so", "type=vso"]


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Bars per type (latest year), the NL map of the total share, the trend per type when there
    are several years, and (for a gemeente) the benchmark strip of the total share."""
    store = common.visible(store, choices)
    labels = {"all": "Speciaal onderwijs totaal"} | {
        b: label
        for b, label in store.breakdowns.select("breakdown", "label_nl").iter_rows()
        if b.startswith("type=")
    }
    swv = region is not None and region.type in ("swv_po", "swv_vo")
    parts = [
        figures.bars(
            store,
            region,
            indicator=INDICATOR,
            breakdowns=TYPES,
            key="speciaal_onderwijs_aandeel",
            title=BARS_TITLE,
            explanation=BARS_TEXT + (SWV_TEXT if swv else ""),
            what="van de 4- tot en met 17-jarigen zit in het speciaal onderwijs",
        ),
        figures.nl_map(
            store,
            region,
            indicator=INDICATOR,
            key="speciaal_onderwijs_kaart",
            title=MAP_TITLE,
            explanation=MAP_TEXT,
            assets=assets,
        ),
    ]
    if len(common.all_years(store, INDICATOR)) > 1:
        parts.append(
            figures.trend(
                store,
                region,
                parts=[(INDICATOR, b, labels[b]) for b in TYPES],
                key="speciaal_onderwijs_trend",
                title=TREND_TITLE,
                explanation=TREND_TEXT,
                series_title="Soort",
            )
        )
    parts += figures.strip(store, region, indicator=INDICATOR, peers=choices.compare)
    return Section(
        key="speciaal_onderwijs",
        title=TITLE,
        intro=INTRO + "\n" + ESTIMATE_TEXT,
        figures=parts,
        outro=OUTRO,
    )
