"""Verwacht section (`verwacht`): its texts and the pieces its figures share (rows, sources,
the model badge, downloads)."""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import model
from jeugdmonitor.analysis.stats import MIN_COUNT, rounded
from jeugdmonitor.data.regions import TYPE_LABELS, Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.sections.base import Figure
from jeugdmonitor.present.sections.common import source_line

KEY = "verwacht"
TITLE = "Verwacht en werkelijk jeugdzorggebruik"
MODEL_NOTE = "model: Jeugdmonitor (binomiaal GLM)"
PUBLISHED_R2 = 0.57  # published multilevel model of jeugdhulp per wijk (27 determinants)
SHORT = {
    "jeugdzorg": "Jeugdzorg totaal",
    "jeugdhulp": "Jeugdhulp",
    "jeugdhulp_verblijf": "Jeugdhulp met verblijf",
    "jeugdbescherming": "Jeugdbescherming",
    "jeugdreclassering": "Jeugdreclassering",
    "lokaal_team": "Lokaal team",
    "ambulant": "Begeleiding thuis",
    "pleegzorg": "Pleegzorg",
    "jeugdzorgplus": "Jeugdzorgplus",
    "instelling": "Instelling",
    "jeugd_ggz": "Jeugd-ggz",
    "lvb": "Verstandelijke beperking",
}
INTRO = (
    "U ziet hier het **verwachte** en het **werkelijke** jeugdzorggebruik in {year}: jeugdzorg als "
    "geheel, jeugdhulp, jeugdhulp met verblijf, jeugdbescherming en jeugdreclassering (echte "
    "CBS-cijfers), en zeven zorgvormen binnen de jeugdhulp (lokaal team, begeleiding thuis, "
    "pleegzorg, jeugdzorgplus, hulp in een instelling, jeugd-ggz en jeugdzorg bij een "
    "verstandelijke beperking). Voor die zorgvormen is geen open bron per gemeente: zonder eigen "
    "cijfers ziet u ze alleen als u de voorbeeldcijfers aanzet, en dan **gesimuleerd** en zo "
    "gelabeld.\n\n"
    "Het verwachte gebruik is een schatting op basis van achtergrondkenmerken van de gemeente "
    "waarvan we weten dat ze met jeugdzorggebruik samenhangen, allemaal CBS-cijfers: "
    "{predictors}. Per vorm is over alle gemeenten een binomiaal regressiemodel geschat; de "
    "verwachting van een samenwerkingsverband, jeugdregio of provincie is de som van de "
    "verwachtingen van de gemeenten die erin liggen. Voor een gemeente ziet u ook de wijken. "
    "{dropped}"
)
NL_TEXT = (
    "**Nederland is de referentie.** Het model is zo geschat dat het verwachte gebruik voor heel "
    "Nederland precies gelijk is aan het werkelijke gebruik; een verschil met de verwachting "
    "bestaat dus alleen voor een deel van het land. Kies een gemeente, samenwerkingsverband, "
    "jeugdregio of provincie om te zien of het gebruik daar hoger of lager is dan je op grond "
    "van de achtergrondkenmerken zou verwachten."
)
NL_TABLE_TEXT = (
    "Per zorgvorm het werkelijke en het verwachte aantal jeugdigen in heel Nederland; voor "
    "Nederland als geheel zijn die twee gelijk."
)
VENTILE_TEXT = (
    "Waar staat {name} ten opzichte van andere {plural}? Alle {plural} zijn geordend naar het "
    "verschil tussen werkelijk en verwacht gebruik (in procentpunten) en in {groups} even grote "
    "groepen verdeeld. Elke staaf is het gemiddelde verschil van één groep: links de {plural} "
    "die het meest **onder** de verwachting zitten, rechts die het meest **boven** de verwachting "
    "zitten. {marker}"
)
SIMULATED_VENTILE = (
    "Gesimuleerde cijfers. Alle {plural} in {groups} groepen, van het meest onder tot het meest "
    "boven de verwachting (zie de uitleg bij de eerste groepenfiguur hierboven); de oranje staaf "
    "bevat de gekozen regio, als die een getoond aantal en een verwachting heeft. De cijfers van "
    "de gekozen regio staan in de tabel bij de zorgvormen hierboven."
)
VENTILE_SHORT = (
    "Alle {plural} in {groups} groepen, van het meest onder tot het meest boven de verwachting "
    "(zie de uitleg bij de eerste groepenfiguur hierboven). {marker}"
)
WIJK_TEXT = (
    "Per wijk van {name}: het werkelijke jeugdzorggebruik (jeugdigen van 0 tot 23 jaar) min het "
    "verwachte, op grond van de kenmerken van de wijk zelf (inkomen, bijstand, huishoudens met "
    "kinderen, stedelijkheid en leeftijdsopbouw). Alle wijken van Nederland zijn geordend naar "
    "dat verschil (in procentpunten) en in {groups} even grote groepen verdeeld, zoals de "
    "gemeenten hierboven. De kleur van een wijk is haar groep: blauw zijn de wijken die het "
    "meest **onder** de verwachting zitten (groep 1), oranje die het meest **boven** de "
    "verwachting zitten (groep {groups}). Grijs: aantal kleiner dan {min_count} of geen "
    "verwachting (zie de tabel)."
)
CAUTION = (
    "Een verschil met de verwachting is geen oordeel. Het kan komen door lokaal beleid en de "
    "toegang tot jeugdhulp, door het aanbod in de buurt, door hoe er geregistreerd wordt, door "
    "kenmerken die het model niet kent, of door toeval (zie het 95%-interval)."
)
OUTRO = (
    "### Wat kan ik met de cijfers uit mijn regio?\n\n"
    "Zicht op het verschil tussen het verwachte en werkelijke jeugdzorggebruik geeft input voor "
    "een gesprek over de inzet van jeugdzorg, het signaleren en toeleiden met alle maatschappelijke "
    "partners en zorgaanbieders. Naar aanleiding van die gesprekken kunt u verbeteracties "
    "formuleren, die kunnen uitmonden in nieuw beleid, een uitvoeringsagenda of inkoopafspraken. "
    "Verdere afstemming en samenwerking, en de inzet van jeugdhulp op scholen, kan zo'n "
    "verbeteractie zijn; scholen betrekken bij de inkoop van jeugdhulp maakt integrale "
    "arrangementen mogelijk.\n\n"
    "Cijfers spreken niet voor zich. Bespreek ze met partners, kinderen, jongeren en opvoeders "
    "aan de hand van vier vragen:\n\n"
    "1. **Herkennen we dit beeld?** Hoe verhouden de cijfers zich tot de dagelijkse praktijk?\n"
    "2. **Hoe kunnen we het verklaren?** Welke verbanden worden zichtbaar, wat zijn mogelijke "
    "achterliggende oorzaken? Gebruik ook de ervaringen van ouders en jongeren en de "
    "praktijkkennis van professionals.\n"
    "3. **Wat vinden we van dit beeld?** Wat vinden partners, inwoners en de gemeente ervan?\n"
    "4. **Wat is er nodig voor verbetering?** Wat betekent dit voor toekomstige doelen, "
    "verbeteracties en afspraken?"
)


# ---------------------------------------------------------------------------- shared pieces


def forms_by_kind(store: Store, year: int) -> tuple[list[model.CareForm], list[model.CareForm]]:
    """The care forms with a real outcome and those with a simulated one, in CARE_FORMS order."""

    def compute() -> tuple[list[model.CareForm], list[model.CareForm]]:
        fits = model.fit_all(store, year)
        forms = model.care_forms(store)
        return [f for f in forms if not fits[f.key].simulated], [
            f for f in forms if fits[f.key].simulated
        ]

    return store.cached(("verwacht_forms", year), compute)


def _level_rows(store: Store, region_type: str, year: int) -> dict[str, pl.DataFrame]:
    """Region code → one shown row per care form (suppressed, with labels); built once per level."""

    def compute() -> dict[str, pl.DataFrame]:
        frame = pl.concat(
            model.shown_values(store, form.key, region_type, year).with_columns(
                label=pl.lit(form.label), short=pl.lit(SHORT[form.key])
            )
            for form in model.care_forms(store)
        )
        parts = frame.partition_by("region_code", as_dict=True, maintain_order=True)
        return {code: part for (code,), part in parts.items()}

    return store.cached(("verwacht_rows", region_type, year), compute)


def _rows(store: Store, region: Region, year: int, forms: list[model.CareForm]) -> pl.DataFrame:
    """The region's shown rows of the given care forms, in their order (rows are gathered by
    position: the level's rows hold every modelled care form in `model.care_forms` order)."""
    rows = _level_rows(store, region.type, year)[region.code]
    return rows[[_form_index(store)[f.key] for f in forms]]


def _form_index(store: Store) -> dict[str, int]:
    """Care form → its row position in `_level_rows` (the order of `model.care_forms`)."""
    return {f.key: i for i, f in enumerate(model.care_forms(store))}


def _outcome_sources(store: Store, year: int, forms: tuple[str, ...]) -> list[str]:
    """The `source` of the outcome rows of the given care forms in the model year."""

    def compute() -> list[str]:
        wanted = [(f.indicator, f.breakdown) for f in model.CARE_FORMS if f.key in forms]
        rows = store.indicators.filter(
            pl.col("year") == year,
            pl.struct("indicator", "breakdown").is_in(
                pl.DataFrame(wanted, schema=["indicator", "breakdown"], orient="row")
                .to_struct()
                .implode()
            ),
        )
        return sorted(rows["source"].unique().to_list())

    return store.cached(("verwacht_outcome_sources", year, forms), compute)


def _source(store: Store, year: int, forms: list[model.CareForm], simulated: bool) -> str:
    """'Bron en jaar data' of a model figure: the outcome's tables, the predictors, the model."""
    background = "; ".join(model.predictor_sources(store, year))
    outcome = [] if simulated else _outcome_sources(store, year, tuple(f.key for f in forms))
    return source_line(
        store,
        forms[0].indicator,
        year,
        simulated,
        outcome,
        note=f"achtergrondkenmerken: {background}; {MODEL_NOTE}",
        estimated=True,
    )


def model_badge(year: int) -> str:
    """The badge of a model output fitted on real CBS figures of a year."""
    return f"model op CBS {year}"


def _figure(
    store: Store, year: int, forms: list[model.CareForm], *, simulated: bool, **fields: object
) -> Figure:
    """A Figure with this section's source line and, for a model on real values, the badge
    'model op CBS <year>' (a model output is not a CBS figure)."""
    return Figure(
        source=_source(store, year, forms, simulated),
        badge="" if simulated else model_badge(year),
        simulated=simulated,
        **fields,  # type: ignore[arg-type]
    )


def _region_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Per care form: counts (rounded to 5, suppressed < 10), shares, ratio and interval."""
    return rows.select(
        pl.col("label").alias("Zorgvorm"),
        rounded("numerator").alias("Werkelijk aantal"),
        (100 * pl.col("rate")).round(2).alias("Werkelijk %"),
        rounded("expected").alias("Verwacht aantal"),
        (100 * pl.col("expected_rate")).round(2).alias("Verwacht %"),
        pl.col("difference_pp").round(2).alias("Verschil (procentpunt)"),
        pl.col("ratio").round(2).alias("Werkelijk / verwacht"),
        pl.col("ratio_ci_low").round(2).alias("95%-interval van"),
        pl.col("ratio_ci_high").round(2).alias("95%-interval tot"),
        pl.when(pl.col("note").is_not_null() & pl.col("numerator").is_null())
        .then(pl.col("note"))
        .when(pl.col("suppressed"))
        .then(pl.lit(f"aantal < {MIN_COUNT}"))
        .otherwise(pl.col("signal_label"))
        .alias("Oordeel"),
        rounded("denominator").alias("Noemer"),
    )


def _download(store: Store, form_key: str, region_type: str, year: int) -> pl.DataFrame:
    """Actual and expected for every region of the level, suppressed, for the CSV download."""
    return store.cached(
        ("verwacht_download", form_key, region_type, year),
        lambda: _download_frame(store, form_key, region_type, year),
    )


def _download_frame(store: Store, form_key: str, region_type: str, year: int) -> pl.DataFrame:
    names = store.regions.select(pl.col("code").alias("region_code"), "display_name")
    return (
        model.shown_values(store, form_key, region_type, year)
        .join(names, on="region_code", how="left", maintain_order="left")
        .select(
            pl.col("region_code").alias("regiocode"),
            pl.col("display_name").alias("regio"),
            pl.lit(TYPE_LABELS[region_type]).alias("regiotype"),
            pl.col("year").alias("jaar"),
            pl.col("care_form").alias("zorgvorm"),
            pl.lit(model.FORMS[form_key].label).alias("zorgvorm_label"),
            rounded("numerator").alias("werkelijk_aantal"),
            rounded("expected").alias("verwacht_aantal"),
            rounded("denominator").alias("totaal"),
            (100 * pl.col("rate")).round(2).alias("werkelijk_percentage"),
            (100 * pl.col("expected_rate")).round(2).alias("verwacht_percentage"),
            pl.col("difference_pp").round(2).alias("verschil_procentpunt"),
            pl.col("ratio").round(3).alias("werkelijk_gedeeld_door_verwacht"),
            pl.col("ratio_ci_low").round(3).alias("bi95_ondergrens"),
            pl.col("ratio_ci_high").round(3).alias("bi95_bovengrens"),
            pl.col("signal_label").alias("oordeel"),
            pl.col("note").alias("toelichting"),
            pl.col("suppressed").alias("onderdrukt"),
            pl.col("is_simulated").alias("gesimuleerd"),
        )
    )


def _download_forms(
    store: Store, forms: list[model.CareForm], region_type: str, year: int
) -> pl.DataFrame:
    """Several care forms' downloads of a level in one table (the overview and NL figures)."""
    keys = tuple(f.key for f in forms)
    return store.cached(
        ("verwacht_download_forms", keys, region_type, year),
        lambda: pl.concat([_download(store, k, region_type, year) for k in keys]),
    )


def _intro(store: Store, year: int) -> str:
    fit = model.fit_form(store, "jeugdzorg", year)
    names = [model.PREDICTORS[p].split(" (")[0].lower() for p in fit.predictors]
    dropped = " ".join(
        f"{model.PREDICTORS[p].split(' (')[0]} zit niet in het model: {reason}."
        for p, reason in fit.dropped.items()
    )
    listed = ", ".join(names[:-1]) + f" en {names[-1]}" if len(names) > 1 else "".join(names)
    return INTRO.format(year=year, predictors=listed, dropped=dropped).rstrip()
