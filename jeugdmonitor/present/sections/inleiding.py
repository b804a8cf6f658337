"""Opening section "Inleiding" of the theme "Hoe zorgt u voor de jeugd?": introduction and how to
read the figures."""

from __future__ import annotations

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.sections import common as c
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Section

TITLE = "Inleiding"

INTRO = """\
De meeste kinderen ontwikkelen zich goed. Maar sommige kinderen hebben extra ondersteuning of hulp
nodig op school en/of thuis. Gemeenten en zorgaanbieders zijn verantwoordelijk voor het bieden van
jeugdhulp. Gemeenten zijn verantwoordelijk voor de toegang tot de specialistische jeugdhulp.
Samenwerkingsverbanden Passend Onderwijs po en vo zijn verantwoordelijk voor de inrichting van de
onderwijsondersteuning en het afgeven van toelaatbaarheidsverklaringen voor het (voortgezet)
speciaal onderwijs.

Scholen zijn belangrijke signaleerders van gedrags- en ontwikkelingsproblemen bij jongeren, maar
ook van belemmeringen thuis. Scholen bieden een normaliserende omgeving voor kinderen uit gezinnen
met ondersteuningsvragen; schoolsucces is een beschermende factor voor de ontwikkeling van
kinderen. Onderwijs- en jeugdhulpprofessionals moeten steeds de vraag stellen of zij zelf het kind
kunnen helpen of dat aanvullende expertise nodig is. Scholen en jeugdhulp moeten elkaar kennen, de
verbinding maken en samenwerken.

Maar welke interventies zijn in uw regio of gemeente nodig? Welke problematiek komt het meest
voor? Welk preventief aanbod kunnen we het beste ontwikkelen en welke interventies moeten we
doorontwikkelen? Zicht op de problematiek waar kinderen mee kampen en op het jeugdzorggebruik per
onderwijssoort helpt u deze vragen te beantwoorden, en geeft input voor het gesprek tussen
onderwijs en gemeente/jeugdhulp over afstemming, samenwerking en de inzet van jeugdhulp op scholen,
onder andere in onderwijszorgarrangementen.

#### Toelichting cijfers

Deze monitor toont de indicatoren die u een goed totaalbeeld geven van de kinderen en jongeren in
uw gekozen gemeente of regio. U kunt de gegevens vergelijken met andere regio's, gemeenten en het
landelijk gemiddelde. Bij elke figuur ziet u:

- het **aantal** en het **percentage** (aantallen afgerond op 5; aantallen onder de 10 worden niet
  getoond, en de percentages die erop berusten ook niet);
- het **95%-betrouwbaarheidsinterval** (Wilson) en **▲ / ▼** waar uw regio significant hoger of
  lager ligt dan Nederland; kleine gemeenten hebben brede intervallen, lees die niet te stellig;
- de **bron en het jaar**, en een **download** (.csv) met de cijfers van alle regio's van hetzelfde
  niveau.

De volgende onderwerpen komen aan bod: problematiek, jeugdzorggebruik, jeugdzorggebruik naar
onderwijssoort, speciaal onderwijs en — onder *Eerder signaleren* — jeugdzorg in eenoudergezinnen,
huishoudens met een laag inkomen en inwoners met een laag opleidingsniveau. U ziet alleen echte
cijfers; waar geen open bron is, leest u wie de cijfers heeft en hoe u eigen cijfers inleest (zie
*Welke cijfers zijn echt?* onder *Bronnen en verantwoording*). Gesimuleerde voorbeeldcijfers ziet u alleen als u die aanzet
(in de app met de schakelaar *Toon ook voorbeeldcijfers (gesimuleerd)*), en dan steeds zo gelabeld.
"""


def build(
    store: Store,
    region: Region | None,
    *,
    assets: object = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """The introduction; without a region it also says how to choose one."""
    del store, assets
    intro = INTRO if region is not None else f"{c.NO_REGION_NOTE}\n\n{INTRO}"
    return Section(key="inleiding", title=TITLE, intro=intro)
