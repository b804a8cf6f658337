"""Section "Verwacht en werkelijk jeugdzorggebruik".

For a region: actual against expected use per care form (ratio with interval), one ventile chart
per care form with the region's bar highlighted, and how good the model is and what it rests on.
The real CBS forms of 2022 come first (badge "CBS, 2022"); the seven simulated zorgvormen follow,
flagged. A gemeente also gets its wijken (actual − expected per wijk on the map, ranked among all
wijken of NL in the same ventiles) and the benchmark strip with its comparable gemeenten. For
Nederland (or no region) it explains that NL is the reference and shows the model itself.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import model, wijk_model
from jeugdmonitor.analysis import wijken as wijk_maps
from jeugdmonitor.analysis.stats import (
    MIN_COUNT,
    N_VENTILES,
    count_labels,
    count_text,
    decimal_text,
    percent_text,
    rounded,
)
from jeugdmonitor.data.regions import NL_CODE, TYPE_LABELS, Region, get_region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import unavailable
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.present.sections.benchmark_strip import benchmark_figure
from jeugdmonitor.present.sections.common import LEVEL_PLURAL, md_escape, source_line, visible

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


# ------------------------------------------------------------------------------- the figures


def _overview_figure(
    store: Store, region: Region, year: int, forms: list[model.CareForm], *, simulated: bool
) -> Figure:
    rows = _rows(store, region, year, forms)
    name = md_escape(region.display_name)
    signals = list(zip(rows["short"], rows["signal"], strict=True))
    higher = [short for short, signal in signals if signal == "hoger dan verwacht"]
    lower = [short for short, signal in signals if signal == "lager dan verwacht"]
    summary = []
    if higher:
        summary.append(f"hoger dan verwacht: {', '.join(higher).lower()}")
    if lower:
        summary.append(f"lager dan verwacht: {', '.join(lower).lower()}")
    found = (
        _first_upper("; ".join(summary)) + "."
        if summary
        else "Bij geen enkele vorm wijkt het gebruik duidelijk af van de verwachting."
    )
    missing: dict[str, list[str]] = {}
    for short, note, num in rows.select("short", "note", "numerator").iter_rows():
        if note and num is None:
            missing.setdefault(note, []).append(short.lower())
    if len(missing) == 1 and len(next(iter(missing.values()))) == rows.height:
        found = f"Voor {name} is er geen verwachting: {md_escape(next(iter(missing)))}."
    elif missing:
        found += "".join(
            f" Geen vergelijking voor {', '.join(shorts)}: "
            f"{md_escape(note.removeprefix('geen waarde: '))}."
            for note, shorts in missing.items()
        )
    what = "zorgvorm (gesimuleerd)" if simulated else "vorm van jeugdzorg"
    explanation = (
        f"Per {what} het werkelijke gebruik in {name} gedeeld door het verwachte gebruik. "
        f"1 betekent precies zoals verwacht; 1,2 betekent 20% meer dan verwacht. De lijn is het "
        f"95%-interval: ligt 1 erbuiten, dan is het verschil waarschijnlijk geen toeval. {found}"
    )
    title = (
        f"Zorgvormen (gesimuleerd): werkelijk gedeeld door verwacht, {region.display_name}"
        if simulated
        else f"Werkelijk gedeeld door verwacht jeugdzorggebruik, {region.display_name}"
    )
    return _figure(
        store,
        year,
        forms,
        simulated=simulated,
        key="verwacht_zorgvormen" if simulated else "verwacht_overzicht",
        title=title,
        explanation=explanation,
        chart=charts.ratio_chart(rows, region.display_name),
        table=_region_table(rows),
        download=_download_forms(store, forms, region.type, year),
        download_name=f"verwacht_werkelijk_{'zorgvormen_' if simulated else ''}{region.type}_{year}.csv",
    )


def _left_out(store: Store, form_key: str, region_type: str, year: int, v: model.Ventiles) -> str:
    """Which regions of the level the ventiles leave out (the same for every region)."""

    def compute() -> str:
        plural = LEVEL_PLURAL[region_type]
        left_out = []
        if v.n_suppressed:
            left_out.append(f"{v.n_suppressed} met een aantal kleiner dan {MIN_COUNT}")
        if v.n_no_value:
            left_out.append(f"{v.n_no_value} zonder cijfer of verwachting")
        text = f" Niet meegeteld: {' en '.join(left_out)}." if left_out else ""
        if v.bars.height < N_VENTILES:
            text += f" Er zijn maar {v.n_regions} {plural}, dus elke staaf is één regio."
        return text

    return store.cached(("verwacht_left_out", form_key, region_type, year), compute)


def _form_figure(
    store: Store, region: Region, form: model.CareForm, year: int, *, first: bool = False
) -> Figure:
    """One care form's ventile figure. The first one of the section says in full how to read
    a ventile chart; the others in one sentence (a page of twelve identical paragraphs helps no
    reader, and every distinct text costs a markdown render)."""
    row = _level_rows(store, region.type, year)[region.code].row(
        _form_index(store)[form.key], named=True
    )
    v = model.ventiles(store, form.key, region.code, year)
    name = md_escape(region.display_name)
    plural = LEVEL_PLURAL[region.type]
    groups = v.bars.height
    if v.region_group is not None:
        marker = f"De oranje staaf (groep {v.region_group} van {groups}) bevat {name}."
    else:
        marker = f"{name} is niet gemarkeerd: er is geen getoond aantal of geen verwachting."
    if row["numerator"] is None and row["note"]:
        numbers = (
            f"Voor {name} is er geen vergelijking: "
            f"{md_escape(row['note'].removeprefix('geen waarde: '))}."
        )
    elif row["suppressed"]:
        numbers = (
            f"In {name} gaat het om minder dan {MIN_COUNT} {form.population}; dat aantal en het "
            f"percentage tonen we niet. Verwacht: {percent_text(row['expected_rate'])}."
        )
    else:
        verdict = row["signal"] or "niet duidelijk anders dan verwacht"
        numbers = (
            f"In {name} kreeg {percent_text(row['rate'])} van de {form.population} "
            f"(ongeveer {count_text(row['numerator'])}) {form.label.lower()}; verwacht was "
            f"{percent_text(row['expected_rate'])} (ongeveer {count_text(row['expected'])}). "
            f"Werkelijk / verwacht = {decimal_text(row['ratio'])} (95%-interval "
            f"{decimal_text(row['ratio_ci_low'])}–{decimal_text(row['ratio_ci_high'])}): {verdict}."
        )
        if row["note"]:
            numbers += f" Berekend over {md_escape(row['note'])}."
    left_out = _left_out(store, form.key, region.type, year, v)
    simulated = model.fit_form(store, form.key, year).simulated
    if first:
        how = VENTILE_TEXT.format(name=name, plural=plural, groups=groups, marker=marker)
        explanation = f"{numbers}\n\n{how}{left_out}"
    elif simulated:
        # the same text for every region of the level: the numbers of the simulated zorgvormen
        # are in the zorgvormen table above, the region's bar is orange in the chart
        explanation = SIMULATED_VENTILE.format(plural=plural, groups=groups) + left_out
    else:
        how = VENTILE_SHORT.format(plural=plural, groups=groups, marker=marker)
        explanation = f"{numbers}\n\n{how}{left_out}"
    base = store.cached(
        ("verwacht_ventile_table", form.key, region.type, year),
        lambda: v.bars.select(
            pl.col("group").alias("Groep"),
            pl.col("mean").round(3).alias("Gemiddeld verschil (procentpunt)"),
            pl.col("min").round(3).alias("Van"),
            pl.col("max").round(3).alias("Tot"),
            pl.col("n_regions").alias("Aantal regio's"),
        ),
    )
    table = base.with_columns(
        pl.Series(
            "Bevat",
            [region.display_name if g == v.region_group else "" for g in base["Groep"]],
            dtype=pl.String,
        )
    )
    return _figure(
        store,
        year,
        [form],
        simulated=simulated,
        key=f"verwacht_{form.key}",
        title=f"{form.label}: werkelijk min verwacht, {plural}",
        explanation=explanation,
        chart=charts.ventile_chart(v.bars, region.display_name, plural),
        table=table,
        download=_download(store, form.key, region.type, year),
        download_name=f"verwacht_{form.key}_{region.type}_{year}.csv",
    )


# ---------------------------------------------------------------------------------- wijken


WIJK_SOURCE = (
    "Bron en jaar data: CBS 85335NED (jeugdzorg per wijk), 2022; achtergrondkenmerken: CBS "
    "Kerncijfers wijken en buurten 2022 (inkomen en bijstand: 2021); {note}. Het aantal jeugdigen "
    "per wijk is een schatting uit de KWB-leeftijdsgroepen; zie de verantwoording."
)


def _wijk_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Per wijk: count (rounded, suppressed), shares, difference, ratio, ventile and verdict."""
    return rows.select(
        pl.col("name").alias("Wijk"),
        rounded("numerator").alias("Jeugdigen met jeugdzorg"),
        rounded(pl.when(pl.col("denominator") >= MIN_COUNT).then(pl.col("denominator"))).alias(
            "Jeugdigen 0-22 (geschat)"
        ),
        (100 * pl.when(~pl.col("suppressed")).then(pl.col("rate"))).round(1).alias("Werkelijk %"),
        (100 * pl.col("expected_rate")).round(1).alias("Verwacht %"),
        pl.col("difference_pp").round(1).alias("Verschil (procentpunt)"),
        pl.col("ratio").round(2).alias("Werkelijk / verwacht"),
        pl.col("ratio_ci_low").round(2).alias("95%-interval van"),
        pl.col("ratio_ci_high").round(2).alias("95%-interval tot"),
        pl.col("group").alias(f"Groep (1-{N_VENTILES})"),
        pl.when(pl.col("suppressed") & pl.col("numerator").is_null())
        .then(pl.lit(f"aantal < {MIN_COUNT}"))
        .when(pl.col("group").is_null())
        .then(pl.col("reason"))
        .otherwise(pl.col("signal").fill_null(model.NO_SIGNAL))
        .alias("Oordeel"),
    )


def _wijk_download(rows: pl.DataFrame, year: int) -> pl.DataFrame:
    return rows.select(
        pl.col("wijk_code").alias("wijkcode"),
        pl.col("name").alias("wijk"),
        pl.col("gemeente_code").alias("gemeentecode"),
        pl.lit(year).alias("jaar"),
        rounded("numerator").alias("werkelijk_aantal"),
        rounded(pl.when(pl.col("denominator") >= MIN_COUNT).then(pl.col("denominator"))).alias(
            "jeugdigen_0_22_geschat"
        ),
        (100 * pl.when(~pl.col("suppressed")).then(pl.col("rate")))
        .round(2)
        .alias("werkelijk_percentage"),
        (100 * pl.col("expected_rate")).round(2).alias("verwacht_percentage"),
        pl.col("difference_pp").round(2).alias("verschil_procentpunt"),
        pl.col("ratio").round(3).alias("werkelijk_gedeeld_door_verwacht"),
        pl.col("ratio_ci_low").round(3).alias("bi95_ondergrens"),
        pl.col("ratio_ci_high").round(3).alias("bi95_bovengrens"),
        pl.col("group").alias("groep"),
        pl.col("signal").alias("oordeel"),
        pl.col("reason").alias("toelichting"),
        pl.col("suppressed").alias("onderdrukt"),
        pl.lit(False).alias("gesimuleerd"),
    )


def _wijk_summary(rows: pl.DataFrame, name: str) -> str:
    """Which wijken lie clearly above / below their expectation, and the wijken together."""
    ranked = rows.filter(pl.col("group").is_not_null())
    if not ranked.height:
        return f"Geen enkele wijk van {name} heeft een getoond aantal én een verwachting."
    parts = []
    for signal, word in (("hoger dan verwacht", "boven"), ("lager dan verwacht", "onder")):
        hit = ranked.filter(pl.col("signal") == signal).sort(
            "difference_pp", descending=word == "boven"
        )
        if hit.height:
            names = ", ".join(md_escape(n) for n in hit["name"].head(5))
            more = f" en {hit.height - 5} andere" if hit.height > 5 else ""
            parts.append(f"duidelijk {word} de verwachting: {names}{more}")
    actual, expected = ranked["numerator"].sum(), ranked["expected"].sum()
    which = (
        "De enige wijk met een getoond aantal heeft"
        if ranked.height == 1
        else f"De {ranked.height} wijken met een getoond aantal hebben samen"
    )
    together = f"{which} {decimal_text(actual / expected)} keer het verwachte gebruik" + (
        "; liggen bijna alle wijken aan dezelfde kant, dan gaat het vooral om de gemeente als "
        "geheel (toegang, aanbod, registratie), niet om de wijken."
        if ranked.height >= 4
        and max(
            ranked.filter(pl.col("difference_pp") > 0).height,
            ranked.filter(pl.col("difference_pp") < 0).height,
        )
        >= 0.8 * ranked.height
        else "."
    )
    found = _first_upper("; ".join(parts)) + ". " if parts else ""
    return f"**{name}:** {found}{together}"


def _wijk_figure(store: Store, region: Region, year: int, assets: charts.Assets | None) -> Figure:
    rows = wijk_model.gemeente_wijken(store, region.code).sort("name", "wijk_code")
    name = md_escape(region.display_name)
    chart = _wijk_chart(store, region, rows, assets)
    explanation = WIJK_TEXT.format(name=name, groups=N_VENTILES, min_count=MIN_COUNT)
    if chart is None:
        explanation += f" Van {name} zijn geen wijkgrenzen beschikbaar; de tabel toont alle wijken."
    return Figure(
        key="verwacht_wijken",
        title=f"Jeugdzorg per wijk: werkelijk min verwacht, {region.display_name}",
        explanation=explanation,
        source=WIJK_SOURCE.format(note=MODEL_NOTE),
        chart=chart,
        table=_wijk_table(rows),
        download=_wijk_download(rows, wijk_model.WIJK_YEAR),
        download_name=f"verwacht_wijken_{region.code}_{wijk_model.WIJK_YEAR}.csv",
        download_label="alle wijken van de gemeente",
        simulated=False,
        badge=model_badge(wijk_model.WIJK_YEAR),
        summary=_wijk_summary(rows, name),
    )


def _wijk_chart(
    store: Store, region: Region, rows: pl.DataFrame, assets: charts.Assets | None
) -> charts.Spec | None:
    """The gemeente's wijk map (the Wijken section's map and TopoJSON, `charts.choropleth`)
    coloured by each wijk's ventile; None when the gemeente has no polygons."""
    if not wijk_maps.has_map(store, region.code):
        return None
    assets = assets or charts.Assets()
    table = rows.select(
        pl.col("wijk_code").alias("code"),
        pl.col("name").alias("gebied"),
        "group",
        pl.when(~pl.col("suppressed")).then(pl.col("rate")).alias("rate"),
        "expected_rate",
        "difference_pp",
        count_labels("numerator").alias("count_label"),
        pl.when(pl.col("group").is_null())
        .then(pl.col("reason"))
        .otherwise(pl.col("signal").fill_null(model.NO_SIGNAL))
        .alias("oordeel"),
    )
    above = rows.filter(pl.col("group") > N_VENTILES // 2).height
    below = rows.filter(pl.col("group") <= N_VENTILES // 2).height
    return charts.choropleth(
        table,
        geo=assets.geo(
            f"wijk_{region.code}", lambda: wijk_maps.map_text(store, region.code), "wijk"
        ),
        selected=None,
        description=(
            f"Kaart van werkelijk min verwacht jeugdzorggebruik in de wijken van "
            f"{region.display_name}: per wijk de groep (1 tot "
            f"{N_VENTILES}) van het verschil tussen werkelijk en verwacht jeugdzorggebruik onder "
            f"alle wijken van Nederland; blauw onder, oranje boven de verwachting, grijs zonder "
            f"getoond aantal of verwachting. {above} wijken liggen in de bovenste helft, {below} "
            "in de onderste."
        ),
        legend_title="Groep: werkelijk − verwacht",
        width=400,
        height=380,
        kind="ventile",
    )


# ------------------------------------------------------------------------- the model itself


def coefficients(store: Store, year: int | None = None) -> pl.DataFrame:
    """Every care form's coefficients (intercept left out) with the form's short Dutch label and
    whether its outcome is simulated."""
    year = model.model_year(store, year)

    def compute() -> pl.DataFrame:
        return pl.concat(
            f.coefficients.filter(pl.col("term") != model.INTERCEPT).with_columns(
                care_form=pl.lit(key), short=pl.lit(SHORT[key]), simulated=pl.lit(f.simulated)
            )
            for key, f in model.fit_all(store, year).items()
        )

    return store.cached(("verwacht_coefficients", year), compute)


FIT_COLUMNS = {  # ModelFit.stats key → CSV column
    "n_gemeenten": "aantal_gemeenten",
    "n_excluded": "uitgesloten_gemeenten",
    "deviance": "deviantie",
    "null_deviance": "nuldeviantie",
    "explained_deviance": "verklaarde_deviantie",
    "dispersion": "dispersie",
    "df_resid": "vrijheidsgraden_residu",
    "corr_observed_expected": "correlatie_werkelijk_verwacht",
}


def _model_download(store: Store, year: int) -> pl.DataFrame:
    """Every care form's coefficients (intercept included) and fit statistics, for the CSV."""
    rows = []
    for key, fit in model.fit_all(store, year).items():
        fit_stats = {column: fit.stats[k] for k, column in FIT_COLUMNS.items()}
        fit_stats["weggelaten_kenmerken"] = "; ".join(f"{p}: {r}" for p, r in fit.dropped.items())
        rows.append(
            fit.coefficients.select(
                pl.lit(key).alias("zorgvorm"),
                pl.lit(model.FORMS[key].label).alias("zorgvorm_label"),
                pl.lit(fit.simulated).alias("gesimuleerd"),
                pl.col("term").alias("kenmerk"),
                pl.col("label").alias("kenmerk_label"),
                pl.col("estimate").alias("coefficient_log_odds_per_sd"),
                pl.col("std_error").alias("standaardfout"),
                pl.col("ci_low").alias("bi95_ondergrens"),
                pl.col("ci_high").alias("bi95_bovengrens"),
                pl.col("odds_ratio").alias("odds_ratio_per_sd"),
                pl.col("p_value").alias("p_waarde"),
                pl.col("mean").alias("gemiddelde_kenmerk"),
                pl.col("sd").alias("sd_kenmerk"),
                pl.col("vif"),
            ).with_columns(**{c: pl.lit(v) for c, v in fit_stats.items()})
        )
    return pl.concat(rows)


def _model_parts(store: Store, year: int) -> tuple[charts.Spec, pl.DataFrame, pl.DataFrame]:
    """The region-independent parts of the model figure: chart, table, download (built once)."""

    def compute() -> tuple[charts.Spec, pl.DataFrame, pl.DataFrame]:
        coef = coefficients(store, year).filter(~pl.col("simulated"))
        table = coef.select(
            pl.col("short").alias("Vorm"),
            pl.col("label").alias("Kenmerk"),
            pl.col("estimate").round(3).alias("Coëfficiënt (log-odds per SD)"),
            pl.col("ci_low").round(3).alias("95%-interval van"),
            pl.col("ci_high").round(3).alias("95%-interval tot"),
            pl.col("odds_ratio").round(3).alias("Odds ratio per SD"),
            pl.col("sd").round(2).alias("1 SD (modelschaal)"),
            pl.col("vif").round(1).alias("VIF"),
        )
        return charts.coefficient_chart(coef), table, _model_download(store, year)

    return store.cached(("verwacht_model_parts", year), compute)


FINANCIAL = ("laag_inkomen", "sociaal_minimum", "bijstand", "inkomen")
FINANCIAL_LABEL = (
    "de financiële situatie (laag inkomen, sociaal minimum, bijstand en inkomen samen)"
)


PULL_LABELS = {  # predictor → (article, Dutch name) in 'het lage aandeel …'
    "huishoudens_met_kinderen": ("het", "aandeel huishoudens met kinderen"),
    "stedelijkheid": ("de", "stedelijkheid"),
    "aandeel_12_18": ("het", "aandeel 12-17-jarigen"),
}


def _pulls(store: Store, code: str, year: int) -> list[tuple[str, float]]:
    """What raises and lowers a region's expected jeugdzorg most: the contributions on the
    log-odds scale, with the four strongly correlated financial predictors taken together (one
    of them alone can have the 'wrong' sign through collinearity; their sum is stable)."""
    return store.cached(("verwacht_pulls", code, year), lambda: _compute_pulls(store, code, year))


def _compute_pulls(store: Store, code: str, year: int) -> list[tuple[str, float]]:
    fit = model.fit_form(store, "jeugdzorg", year)
    region = store.region_index[code]
    z = model.region_z(store, "jeugdzorg", region["type"], year)[code]
    totals: dict[str, float] = {}
    for term, label, estimate in fit.coefficients.select("term", "label", "estimate").iter_rows():
        if term == model.INTERCEPT or z.get(term) is None or z[term] != z[term]:  # null or NaN
            continue
        if term in FINANCIAL:
            key = FINANCIAL_LABEL
        elif term in PULL_LABELS:
            article, name = PULL_LABELS[term]
            key = f"{article} {'hoge' if z[term] > 0 else 'lage'} {name}"
        else:
            key = label.split(" (")[0].lower()
        totals[key] = totals.get(key, 0.0) + estimate * z[term]
    return sorted(totals.items(), key=lambda kv: kv[1], reverse=True)


def _coefficient_figure(store: Store, region: Region | None, year: int) -> Figure:
    real, _ = forms_by_kind(store, year)
    jz = model.fit_form(store, "jeugdzorg", year).stats
    explanation = (
        "Hoe hangt elk achtergrondkenmerk samen met het gebruik, als de andere kenmerken gelijk "
        "blijven? Een odds ratio boven 1 betekent: bij een hogere waarde (één standaarddeviatie) "
        "van het kenmerk verwachten we meer gebruik. Inkomen, sociaal minimum en bijstand hangen "
        "sterk met elkaar samen (zie de VIF in de tabel), dus lees vooral de verwachting samen, "
        "niet één kenmerk los. De spreiding van het jeugdzorggebruik tussen gemeenten is "
        f"{jz['dispersion']:.0f} keer zo groot als bij puur toeval: er zijn echte lokale "
        "verschillen. De coëfficiënten van de gesimuleerde zorgvormen staan in de download."
    )
    if region is not None and region.code != NL_CODE:
        pulls = _pulls(store, region.code, year)
        if len(pulls) >= 2:
            name = md_escape(region.display_name)
            explanation += (
                f"\n\nWaarom verwachten we in {name} meer of minder jeugdzorg dan in een "
                f"gemiddelde gemeente? Het meest omhoog trekt: {pulls[0][0]}; het meest omlaag: "
                f"{pulls[-1][0]}."
            )
    chart, table, download = _model_parts(store, year)
    return _figure(
        store,
        year,
        real,
        simulated=False,
        key="verwacht_model",
        title="Waarop is de verwachting gebaseerd?",
        explanation=explanation,
        chart=chart,
        table=table,
        download=download,
        download_name=f"verwacht_model_{year}.csv",
        download_label="modelcoëfficiënten en fit",
    )


def quality_table(store: Store, year: int) -> pl.DataFrame:
    """Per real form and for the wijk model: explained deviance and out-of-sample R² with the
    intercept-only baseline (both weightings), as numbers (fractions)."""

    def compute() -> pl.DataFrame:
        real, _ = forms_by_kind(store, year)
        rows = []
        for form in real:
            fit = model.fit_form(store, form.key, year)
            q = model.quality(store, form.key, year)
            rows.append(
                (SHORT[form.key], "gemeenten", int(fit.stats["n_gemeenten"]),
                 fit.stats["explained_deviance"], q.r2, q.r2_baseline, q.r2_weighted,
                 q.r2_weighted_baseline, q.noise)
            )  # fmt: skip
        wfit, wq = wijk_model.fit_wijken(store), wijk_model.wijk_quality(store)
        rows.append(
            ("Jeugdzorg per wijk (0-22)", "wijken", int(wfit.stats["n_wijken"]),
             wfit.stats["explained_deviance"], wq.r2, wq.r2_baseline, wq.r2_weighted,
             wq.r2_weighted_baseline, wq.noise)
        )  # fmt: skip
        return pl.DataFrame(
            rows,
            schema=["model", "unit", "n", "explained_deviance", "r2", "r2_baseline",
                    "r2_weighted", "r2_weighted_baseline", "noise"],
            orient="row",
        )  # fmt: skip

    return store.cached(("verwacht_quality", year), compute)


def _first_upper(text: str) -> str:
    """The text with its first letter upper case (unlike str.capitalize, the rest untouched)."""
    return text[:1].upper() + text[1:]


def _pct(value: float) -> str:
    return percent_text(value)  # one decimal, as every percentage


def _quality_figure(store: Store, year: int) -> Figure:
    """Region-independent: built once per process."""
    return store.cached(("verwacht_quality_figure", year), lambda: _build_quality(store, year))


def _build_quality(store: Store, year: int) -> Figure:
    real, _ = forms_by_kind(store, year)
    q = quality_table(store, year)
    by = {m: r for m, r in zip(q["model"], q.iter_rows(named=True), strict=True)}
    heavy = [SHORT[k] for k in ("jeugdhulp_verblijf", "jeugdbescherming", "jeugdreclassering")]
    heavy = [m for m in heavy if m in by]
    wijk = q.row(q.height - 1, named=True)
    between = wijk_model.between_gemeente_r2(store)
    jz = by.get(SHORT["jeugdzorg"])
    explanation = (
        "We schatten het model steeds op 90% van de gemeenten en voorspellen "
        "de overige 10% (tienvoudige kruisvalidatie, vijf keer herhaald). Voor de wijken blijven "
        "alle wijken van een gemeente bij elkaar: een wijk wordt voorspeld door een model dat geen "
        "enkele wijk van die gemeente heeft gezien. R² is het deel van de verschillen tussen "
        "gemeenten (of wijken) dat de voorspelling verklaart, met elke gemeente even zwaar of "
        "gewogen naar het aantal jeugdigen; een model zonder kenmerken haalt ongeveer 0."
        + (
            f"\n\nJeugdhulp met verblijf, jeugdbescherming en jeugdreclassering hangen sterk samen "
            f"met de openbare kenmerken (R² {', '.join(_pct(by[m]['r2_weighted']) for m in heavy)}, "
            f"gewogen); het totale jeugdzorggebruik veel minder "
            f"({_pct(jz['r2_weighted'])} gewogen, {_pct(jz['r2'])} met elke gemeente even zwaar): "
            "hoeveel kinderen jeugdhulp krijgen hangt meer af van de toegang en het aanbod in de "
            "gemeente dan van haar bevolking."
            if heavy and jz
            else ""
        )
        + f"\n\nTer oriëntatie: een gepubliceerd multilevelmodel van jeugdhulp per wijk, met 27 "
        f"kenmerken waaronder niet-openbare microdata over de gezinnen zelf, verklaart ongeveer "
        f"{_pct(PUBLISHED_R2)} van de verschillen tussen wijken. Ons wijkmodel, met alleen openbare "
        f"wijkcijfers, voorspelt buiten de steekproef {_pct(wijk['r2_weighted'])} (gewogen naar "
        f"jeugdigen; {_pct(wijk['r2'])} met elke wijk even zwaar, want de vele kleine wijken "
        f"hebben veel toevalsruis: {_pct(wijk['noise'])} van hun spreiding). Het kent alleen "
        "wijkgemiddelden, niet de gezinnen, en niet de gemeente: alleen al de gemeente waarin een "
        f"wijk ligt verklaart {_pct(between[1])} van de verschillen tussen wijken (lokale "
        "toegang, aanbod en registratie), en dat deel vangt een multilevelmodel op."
    )
    table = q.select(
        pl.col("model").alias("Model"),
        pl.format("{} {}", "n", "unit").alias("Eenheden"),
        (100 * pl.col("explained_deviance")).round(1).alias("Verklaarde deviantie %"),
        (100 * pl.col("r2_weighted")).round(1).alias("R² buiten steekproef, gewogen %"),
        (100 * pl.col("r2_weighted_baseline")).round(1).alias("Zonder kenmerken, gewogen %"),
        (100 * pl.col("r2")).round(1).alias("R² buiten steekproef, elke eenheid even zwaar %"),
        (100 * pl.col("r2_baseline")).round(1).alias("Zonder kenmerken, elke eenheid %"),
    )
    download = q.select(
        pl.col("model").alias("model"),
        pl.col("unit").alias("eenheid"),
        pl.col("n").alias("aantal_eenheden"),
        pl.col("explained_deviance").round(4).alias("verklaarde_deviantie"),
        pl.col("r2_weighted").round(4).alias("r2_buiten_steekproef_gewogen"),
        pl.col("r2_weighted_baseline").round(4).alias("r2_zonder_kenmerken_gewogen"),
        pl.col("r2").round(4).alias("r2_buiten_steekproef"),
        pl.col("r2_baseline").round(4).alias("r2_zonder_kenmerken"),
        pl.col("noise").round(4).alias("aandeel_toevalsruis"),
    )
    return _figure(
        store,
        year,
        real,
        simulated=False,
        key="verwacht_kwaliteit",
        title="Hoe goed voorspelt het model?",
        explanation=explanation,
        chart=charts.quality_chart(q, PUBLISHED_R2),
        table=table,
        download=download,
        download_name=f"verwacht_modelkwaliteit_{year}.csv",
        download_label="modelkwaliteit",
    )


def _nl_figure(store: Store, year: int, forms: list[model.CareForm], *, simulated: bool) -> Figure:
    rows = _level_rows(store, "nederland", year)[NL_CODE].filter(
        pl.col("care_form").is_in([f.key for f in forms])
    )
    table = rows.select(
        pl.col("label").alias("Vorm"),
        rounded("numerator").alias("Werkelijk aantal"),
        (100 * pl.col("rate")).round(2).alias("Percentage"),
        rounded("expected").alias("Verwacht aantal"),
        rounded("denominator").alias("Noemer"),
        pl.col("note").fill_null("").alias("Toelichting"),
    )
    return _figure(
        store,
        year,
        forms,
        simulated=simulated,
        key="verwacht_nederland_zorgvormen" if simulated else "verwacht_nederland",
        title="Zorgvormen in Nederland (gesimuleerd)"
        if simulated
        else "Jeugdzorggebruik in Nederland: de referentie",
        explanation=NL_TABLE_TEXT,
        chart=None,
        table=table,
        download=_download_forms(store, forms, "nederland", year),
        download_name=f"verwacht_werkelijk_{'zorgvormen_' if simulated else ''}nederland_{year}.csv",
        download_label="Nederland per vorm",
    )


def section(
    store: Store,
    region: Region | str | None,
    year: int | None = None,
    *,
    assets: charts.Assets | None = None,
    peers: tuple[str, ...] = (),
) -> Section:
    """The section for a region (code or `Region`); None or NL gives the NL reference view.

    `peers`: the user's own comparison gemeenten for the benchmark strip (`Choices.compare`)."""
    if isinstance(region, str):
        found = get_region(store, region)
        if found is None:
            raise KeyError(f"unknown region code {region!r}")
        region = found
    year = model.model_year(store, year)
    intro = _intro(store, year)
    real, simulated = forms_by_kind(store, year)
    if region is None or region.type == "nederland":
        figures = [_nl_figure(store, year, real, simulated=False)]
        if simulated:
            figures.append(_nl_figure(store, year, simulated, simulated=True))
        else:
            figures.append(_zorgvormen_note(store))
        figures += [_quality_figure(store, year), _coefficient_figure(store, None, year)]
        return Section(KEY, TITLE, intro + "\n\n" + NL_TEXT, figures, OUTRO)
    figures = [_overview_figure(store, region, year, real, simulated=False)]
    figures += [
        _form_figure(store, region, form, year, first=i == 0) for i, form in enumerate(real)
    ]
    if region.type == "gemeente":
        figures.append(_wijk_figure(store, region, year, assets))
        figures.append(benchmark_figure(store, region.code, "jeugdhulp", "all", year, peers=peers))
    if simulated:
        figures.append(_overview_figure(store, region, year, simulated, simulated=True))
        figures += [_form_figure(store, region, form, year) for form in simulated]
    else:
        figures.append(_zorgvormen_note(store))
    figures += [_quality_figure(store, year), _coefficient_figure(store, region, year)]
    return Section(KEY, TITLE, intro + "\n\n" + CAUTION, figures, OUTRO)


def _zorgvormen_note(store: Store) -> Figure:
    """Where the seven zorgvormen (no open source) would be: who holds them, how to import."""
    return unavailable.note_figure(
        store, "jeugdhulp_zorgvorm", key="verwacht_zorgvormen_bron", title="De zeven zorgvormen"
    )


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Registry entry point (same signature as the other sections): the model on real figures,
    plus the simulated zorgvormen when the user asked for them."""
    return section(visible(store, choices), region, assets=assets, peers=choices.compare)
