"""The verantwoording: where every figure comes from and how every estimate is made (Dutch).

One text for the app (section "Verantwoording", linked from every figure's source line) and the
report ("Bronnen en verantwoording"), so the two cannot drift apart. It is built from the
reviewed source list (`reference/sources.csv`: every table with its title and year), the methods
that `data/README.md` documents (in Dutch, for users), and figures read from the data itself (the
national check of the population estimate, which gemeenten have a partly estimated count, …), so
it always describes the data that is shown.

The verantwoording is a list of `Part`s. `PARTS` holds the builders in page order; another module
adds its own part (for example a table of which figures are real) with `register`, without
changing this one. A part has a title, markdown text and optionally a table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from jeugdmonitor.analysis.stats import MIN_COUNT, ROUND_TO
from jeugdmonitor.data.files import reference_csv
from jeugdmonitor.data.store import COVERAGE_MIN, Store
from jeugdmonitor.present import data_status

ANCHOR = "verantwoording"  # the section's id: every figure's source line links here
NL_YOUTH_2022 = 3_310_000  # CBS: youths 0-17 in Nederland on 1 January 2022 (about 3.31 million)
ESTIMATE_YEAR = 2022
SHORT = {"jeugdzorg_verwijzer": "verwijzer", "jeugdzorg_huishouden": "huishouden"}


@dataclass(frozen=True)
class Part:
    """One part of the verantwoording: a title, markdown text and an optional table."""

    key: str
    title: str
    text: str
    table: pl.DataFrame | None = None


PartBuilder = Callable[[Store], "Part | None"]


def _number(value: float, digits: int = 0) -> str:
    """Dutch notation: 3.293.207; 13,5."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _gemeente_names(store: Store, codes: list[str]) -> list[str]:
    names = dict(store.regions.select("code", "name").iter_rows())
    return sorted(names.get(c, c) for c in codes)


def sources_part(store: Store) -> Part:
    """Every source table with its publisher, title and year, and what it is used for."""
    table = reference_csv("sources", infer_schema_length=0).select(
        pl.col("publisher").alias("Bron"),
        pl.col("table").fill_null("").alias("Tabel"),
        pl.col("title").alias("Titel"),
        pl.col("years").alias("Jaar"),
        pl.col("used_for").alias("Gebruikt voor"),
    )
    return Part(
        "bronnen",
        "Bronnen",
        "De echte cijfers komen uit deze openbare tabellen (CBS StatLine, licentie CC BY 4.0: "
        "'Bron: CBS'; de regeling van OCW is wetgeving). Onder elke figuur staan de tabel en het "
        "jaar van die figuur. Eigen cijfers die u importeert, staan onder de figuur met hun eigen "
        "bron.",
        table,
    )


def status_part(store: Store) -> Part:
    """Which figures are real, derived, estimated or not available (`data_status`): the same
    table as in the README."""
    return Part(
        "echt",
        "Welke cijfers zijn echt?",
        "Per indicator: de bron (tabel), de jaren, de regioniveaus en wat het is. *Echt*: "
        "aantallen zoals CBS of DUO ze publiceert (de noemer, het aantal jeugdigen, kan een "
        "schatting zijn). *Afgeleid*: aantallen berekend uit een gepubliceerd percentage. "
        "*Geschat*: aantallen geschat uit afgeschermde cellen, met de marge in het interval. *Niet "
        "beschikbaar*: geen open bron in de meegeleverde bestanden; u ziet dan een toelichting en "
        "hoe u eigen cijfers inleest, en alleen op verzoek gesimuleerde voorbeeldcijfers. Eigen, "
        "ingelezen cijfers tellen als echt, met hun eigen bron.",
        data_status.display(data_status.status_table(store)),
    )


def population_part(store: Store) -> Part:
    """The estimate of the youths per age group, with its national check."""
    pop = store.population.filter(pl.col("year") == ESTIMATE_YEAR)
    youth = pop.filter(pl.col("age_group").is_in(["0-4", "4-12", "12-18"]))["population"].sum()
    bounded = pop.filter(pl.col("source").str.contains("begrensd"))["gemeente_code"].unique()
    gap = 100 * (youth / NL_YOUTH_2022 - 1)
    text = f"""\
CBS publiceert per gemeente geen aantallen in de leeftijdsgroepen die de monitor gebruikt
(0-3, 4-11, 12-17 en 18-22 jaar). Ze zijn geschat uit echte CBS-cijfers:

- de *Kerncijfers wijken en buurten* tellen per gemeente en wijk de inwoners van 0-14 en van
  15-24 jaar (2019, 2021, 2022);
- *Regionale kerncijfers Nederland* (1 januari 2025) verdeelt de inwoners van elke gemeente in
  groepen van vijf jaar. Binnen zo'n groep is elk jaar even groot genomen: de 0-3-jarigen zijn 4/5
  van de groep jonger dan 5, de 12-14-jarigen 3/5 van de 10-14-jarigen.
- De 15-17-jarigen komen uit de jongere groep: 3/5 van de 10-14-jarigen, maal hoeveel groter de
  groep van 15-19 jaar landelijk is dan die van 10-14 jaar. Alleen als de gemeente zelf minder
  15-19-jarigen heeft, geldt haar eigen aantal (3/5 van de 15-19-jarigen). Studenten van 18 en 19
  jaar blazen de groep van 15-19 jaar op in studentensteden (in Maastricht is die 1,9 keer zo groot
  als de groep van 10-14 jaar); zo tellen zij niet als 15-17-jarigen mee.
- CBS telt de jongeren met jeugdhulp (85098NED) onder de jongeren met jeugdzorg (85335NED). Een
  gemeente kan daarom niet meer jeugdigen hebben dan jeugdzorg gedeeld door het aandeel jeugdhulp.
  Waar de schatting hoger uitkwam, is het aantal 15-17-jarigen verlaagd tot die grens
  ({len(bounded)} gemeenten). Zo ligt het jeugdzorggebruik nergens onder het jeugdhulpgebruik.
- 2020 is het gemiddelde van 2019 en 2021; 2023 en 2024 liggen op de lijn van 2022 naar 2025.

Controle: samen tellen de gemeenten {_number(youth)} jeugdigen van 0-17 jaar in 2022; CBS telde er
ongeveer 3,31 miljoen ({_number(gap, 1)}%). Een aantal jeugdigen is dus een schatting; dat staat
onder elke figuur die het gebruikt."""
    return Part("bevolking", "Aantal jeugdigen per leeftijdsgroep (schatting)", text)


def _what(title: str, indicator: str, label: str) -> str:
    """'jeugdreclassering', 'verwijzer huisarts', 'verwijzer onbekend' (lower case)."""
    short = SHORT.get(indicator, title).lower()
    if label in ("Totaal", "all"):
        return short
    label = label.lower()
    return label if label.startswith(short) else f"{short} {label}"


def _merged_examples(store: Store, limit: int = 3) -> str:
    """A few 2024 gemeenten shown without a suppressed former gemeente, with what is missing."""
    shown = store.indicators.filter(
        pl.col("note").is_not_null() & (pl.col("coverage") >= COVERAGE_MIN)
    )
    titles = dict(store.catalogue.select("indicator", "title_nl").iter_rows())
    labels = dict(store.breakdowns.select("breakdown", "label_nl").iter_rows())
    names = dict(store.regions.select("code", "name").iter_rows())
    found = sorted(
        {
            f"{names.get(code, code)}, {_what(titles.get(ind, ind), ind, labels.get(brk, brk))}"
            f" {year}: {note}"
            for code, ind, year, brk, note in shown.select(
                "gemeente_code", "indicator", "year", "breakdown", "note"
            ).iter_rows()
        }
    )
    more = f"; en {len(found) - limit} andere" if len(found) > limit else ""
    return "; ".join(found[:limit]) + more


def counts_part(store: Store) -> Part:
    """Counts that are estimated or derived: suppressed age cells, 85098NED, merged gemeenten."""
    jz = store.indicators.filter(
        (pl.col("indicator") == "jeugdzorg") & (pl.col("breakdown") == "all")
    )
    partly = jz.filter(pl.col("source").str.contains("aantal deels geschat"))
    latest = partly.filter(pl.col("year") == partly["year"].max()) if partly.height else partly
    names = ", ".join(_gemeente_names(store, latest["gemeente_code"].to_list()))
    examples = _merged_examples(store)
    text = f"""\
**Jeugdzorg van 0-17 jaar.** CBS publiceert de jongeren met jeugdzorg in natura per
leeftijdsgroep (0-3, 4-11, 12-17, 18-22 jaar), afgerond op 5 en onderdrukt onder de 10. Het
aantal van 0-17 jaar is de som van de drie jongste groepen. Is een van die groepen onderdrukt, dan
is ze geschat: het gepubliceerde totaal min de gepubliceerde groepen, gelijk verdeeld over de
onderdrukte groepen (elk hoogstens 9), afgerond op 5 zoals CBS afrondt. De bron zegt dan *aantal
deels geschat* ({latest.height} gemeenten in {latest["year"].max() if latest.height else "-"}:
{names or "geen"}). Per wijk gaat het net zo.

**Jeugdhulp, jeugdhulp met verblijf, jeugdbescherming en jeugdreclassering.** CBS publiceert
deze per gemeente als percentage met één decimaal (85098NED). De monitor toont dat percentage
zoals CBS het publiceerde. Het aantal erbij is afgeleid: percentage × het (geschatte) aantal
jeugdigen van 0-17 jaar (jeugdreclassering: 12-22 jaar; jeugdhulp met verblijf: de jongeren met
jeugdhulp). Zo'n afgeleid aantal onder de 10 wordt niet getoond, het percentage wel. Het interval
houdt ook rekening met de afronding: een gepubliceerd 12,3% ligt tussen 12,25% en 12,35%.
Nederland toont de landelijke cijfers van CBS zelf.

**Verwijzers.** Alleen jeugdhulptrajecten hebben een verwijzer; trajecten jeugdbescherming en
jeugdreclassering niet. Het aandeel per verwijzer is daarom een aandeel van de trajecten met een
verwijzer (inclusief *geen verwijzer* en *verwijzer onbekend*); samen is dat 100%.

**Samengevoegde gemeenten.** Cijfers van 2021 en 2022 gaan over de gemeenten van dat jaar en zijn
opgeteld tot de gemeenten van 2024 (bijvoorbeeld Weesp bij Amsterdam). Ontbreekt het cijfer van
een van de vroegere gemeenten (onderdrukt), dan geldt dezelfde regel als voor regio's: het
cijfer wordt getoond als de vroegere gemeenten met een cijfer samen minstens
{COVERAGE_MIN:.0%} van de jeugdigen hebben, en het zegt wat ontbreekt ({examples or "geen"});
anders is er geen waarde, met de reden erbij."""
    return Part("aantallen", "Geschatte en afgeleide aantallen", text)


def regions_part(store: Store) -> Part:
    """How region values, memberships and Nederland are made."""
    text = f"""\
**Regio's.** Het cijfer van een samenwerkingsverband, jeugdregio of provincie is de som van de
aantallen van de gemeenten (met hun gewicht), gedeeld door de som van hun jeugdigen: nooit een
gemiddelde van percentages. Gemeenten zonder cijfer tellen niet mee; hebben de gemeenten met een
cijfer samen minder dan {COVERAGE_MIN:.0%} van de jeugdigen, dan krijgt de regio geen waarde. De
figuur zegt welk deel is meegeteld.

**Indeling.** Gemeenten, jeugdregio's en provincies zijn die van 2024 (CBS/PDOK). Bij welke
jeugdregio en provincie een gemeente hoort, is afgeleid door de kaarten over elkaar te leggen; het
is geen officiële lijst. De samenwerkingsverbanden po en vo komen uit de Regeling
regio-indeling passend onderwijs (stand 2015), per postcode. Het gewicht van een gemeente in een
samenwerkingsverband is het deel van haar jeugdigen dat er woont: binnen een vroegere gemeente
geschat uit het deel van haar postcodes, tussen de delen van een samengevoegde gemeente uit hun
eigen jeugdigen (Weesp ligt in een ander samenwerkingsverband dan de rest van Amsterdam). Daarom
staan deze indelingen met het label *afgeleid*.

**Nederland.** Nederland gebruikt de landelijke cijfers die CBS zelf publiceert (85335NED en
85098NED, 2022), niet de som van afgeronde en deels onderdrukte gemeentecijfers."""
    return Part("regios", "Regio's, indeling en Nederland", text)


def statistics_part(store: Store) -> Part:
    """Suppression, rounding, intervals and comparisons."""
    text = f"""\
Aantallen onder de {MIN_COUNT} worden niet getoond (ook niet het percentage dat erop rust),
behalve een percentage dat CBS zelf publiceerde. Getoonde aantallen zijn afgerond op
{ROUND_TO}. Elk percentage heeft een 95%-betrouwbaarheidsinterval (Wilson); ▲/▼ betekent dat
het cijfer significant hoger/lager is dan Nederland (of, bij wijken, dan de gemeente). Heeft de
vergelijking geen waarde (bijvoorbeeld een onderdrukt landelijk cijfer), dan staat er *geen
vergelijking*, nooit *niet significant*.

**Verwacht gebruik** komt uit een model (binomiale regressie op de echte CBS-cijfers van 2022 en
echte achtergrondkenmerken van gemeenten en wijken); het label *model op CBS 2022* zegt dat het
geen gepubliceerd cijfer is. De kwaliteit van het model staat in het onderdeel *Verwacht en
werkelijk*. **Vergelijkbare gemeenten** lijken op de gekozen gemeente in grootte en
achtergrondkenmerken.

**Gesimuleerde cijfers.** Voor probleemgebieden, speciaal onderwijs, jeugdzorg per
onderwijssoort, eenoudergezinnen, armoede, achterstandsleerlingen en jeugdhulp per zorgvorm is
per gemeente geen openbare bron beschikbaar. Waar de monitor ze toont, zijn ze gesimuleerd en zo
gemarkeerd (*gesimuleerd*); ze staan nooit in één reeks met echte cijfers."""
    return Part("statistiek", "Onderdrukking, afronding, intervallen en modellen", text)


# (key, builder) in page order
PARTS: list[tuple[str, PartBuilder]] = [
    ("bronnen", sources_part),
    ("echt", status_part),
    ("bevolking", population_part),
    ("aantallen", counts_part),
    ("regios", regions_part),
    ("statistiek", statistics_part),
]


def register(key: str, builder: PartBuilder, *, after: str | None = None) -> None:
    """Add (or replace) a part; `after` is the key of the part it follows (default: at the end).

    For example a table of which figures are real, estimated or simulated: its module calls
    `register("echt", real_figures_part, after="bronnen")` when it is imported.
    """
    PARTS[:] = [(k, b) for k, b in PARTS if k != key]
    keys = [k for k, _ in PARTS]
    at = keys.index(after) + 1 if after in keys else len(PARTS)
    PARTS.insert(at, (key, builder))


def parts(store: Store) -> list[Part]:
    """Every part, built from the store (computed once per store)."""

    def compute() -> list[Part]:
        return [p for p in (builder(store) for _, builder in PARTS) if p is not None]

    return store.cached(("verantwoording", tuple(k for k, _ in PARTS)), compute)


def markdown(store: Store, level: int = 3) -> str:
    """All text parts as one markdown text with headings of `level` (tables left out)."""
    return "\n\n".join(f"{'#' * level} {p.title}\n\n{p.text}" for p in parts(store))
