"""Section "Verwacht en werkelijk jeugdzorggebruik" (seed 002, F10/B2; benchmarks F14/B3).

For a region: actual against expected use per care form (ratio with interval), one ventile chart
per care form with the region's bar highlighted, the model's coefficients and why the region's
expectation differs, and for a gemeente the benchmark strip. For Nederland (or no region) it
explains that NL is the reference and shows the model itself.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor import charts, model
from jeugdmonitor.regions import NL_CODE, TYPE_LABELS, Region, get_region
from jeugdmonitor.sections.base import Figure, Section
from jeugdmonitor.sections.benchmark_strip import benchmark_figure
from jeugdmonitor.sections.common import LEVEL_PLURAL, md_escape, source_line
from jeugdmonitor.stats import (
    MIN_COUNT,
    count_text,
    decimal_text,
    percent_text,
    rounded,
)
from jeugdmonitor.store import Store

KEY = "verwacht"
TITLE = "Verwacht en werkelijk jeugdzorggebruik"
MODEL_NOTE = "model: Jeugdmonitor (binomiaal GLM)"
SHORT = {
    "jeugdhulp": "Jeugdhulp totaal",
    "lokaal_team": "Lokaal team",
    "ambulant": "Begeleiding thuis",
    "pleegzorg": "Pleegzorg",
    "jeugdzorgplus": "Jeugdzorgplus",
    "instelling": "Instelling",
    "jeugd_ggz": "Jeugd-ggz",
    "lvb": "Verstandelijke beperking",
    "jeugdbescherming": "Jeugdbescherming",
    "jeugdreclassering": "Jeugdreclassering",
}
INTRO = (
    "U ziet hier het **verwachte** en het **werkelijke** jeugdzorggebruik. Jeugdzorg is onderverdeeld "
    "in jeugdhulp (lokaal team, begeleiding thuis, pleegzorg, jeugdzorgplus, hulp in een "
    "instelling, jeugd-ggz en jeugdzorg bij een verstandelijke beperking), jeugdbescherming en "
    "jeugdreclassering.\n\n"
    "Het verwachte gebruik is een schatting op basis van achtergrondkenmerken van de jeugdigen en "
    "gezinnen in de gemeente, waarvan we weten dat ze met jeugdzorggebruik samenhangen: "
    "{predictors}. Per zorgvorm is over alle gemeenten een binomiaal regressiemodel geschat; de "
    "verwachting van een samenwerkingsverband, jeugdregio of provincie is de som van de "
    "verwachtingen van de gemeenten die erin liggen. {dropped}"
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


def _level_rows(store: Store, region_type: str, year: int) -> dict[str, pl.DataFrame]:
    """Region code → one shown row per care form (suppressed, with labels); built once per level."""

    def compute() -> dict[str, pl.DataFrame]:
        frame = pl.concat(
            model.shown_values(store, form.key, region_type, year).with_columns(
                label=pl.lit(form.label), short=pl.lit(SHORT[form.key])
            )
            for form in model.CARE_FORMS
        )
        parts = frame.partition_by("region_code", as_dict=True, maintain_order=True)
        return {code: part for (code,), part in parts.items()}

    return store.cached(("verwacht_rows", region_type, year), compute)


def _region_rows(store: Store, region: Region, year: int) -> pl.DataFrame:
    """The region's shown rows, one per care form in CARE_FORMS order."""
    return _level_rows(store, region.type, year)[region.code]


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
        pl.when(pl.col("suppressed"))
        .then(pl.lit(f"aantal < {MIN_COUNT}"))
        .otherwise(pl.col("signal_label"))
        .alias("Oordeel"),
        rounded("denominator").alias("Jeugdigen"),
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
            pl.col("suppressed").alias("onderdrukt"),
            pl.col("is_simulated").alias("gesimuleerd"),
        )
    )


def _download_all(store: Store, region_type: str, year: int) -> pl.DataFrame:
    """Every care form's download of a level in one table (the overview and NL figures)."""
    return store.cached(
        ("verwacht_download_all", region_type, year),
        lambda: pl.concat([_download(store, f.key, region_type, year) for f in model.CARE_FORMS]),
    )


def _intro(store: Store, year: int) -> str:
    fit = model.fit_form(store, "jeugdhulp", year)
    names = [model.PREDICTORS[p].split(" (")[0].lower() for p in fit.predictors]
    dropped = " ".join(
        f"{model.PREDICTORS[p].split(' (')[0]} zit niet in het model: {reason}."
        for p, reason in fit.dropped.items()
    )
    text = INTRO.format(predictors=", ".join(names), dropped=dropped)
    if store.is_simulated:
        text += (
            "\n\n> **Let op: gesimuleerde cijfers.** De gebundelde cijfers over jeugdzorg en "
            "achtergrondkenmerken zijn gesimuleerd (demo); de uitkomsten zeggen niets over een "
            "echte gemeente."
        )
    return text + f"\n\nJaar: {year}."


def _overview_figure(store: Store, region: Region, year: int) -> Figure:
    rows = _region_rows(store, region, year)
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
        "; ".join(summary).capitalize() + "."
        if summary
        else "Bij geen enkele zorgvorm wijkt het gebruik duidelijk af van de verwachting."
    )
    explanation = (
        f"Per zorgvorm het werkelijke gebruik in {name} gedeeld door het verwachte gebruik. "
        f"1 betekent precies zoals verwacht; 1,2 betekent 20% meer dan verwacht. De lijn is het "
        f"95%-interval: ligt 1 erbuiten, dan is het verschil waarschijnlijk geen toeval. {found}"
    )
    return _figure(
        store,
        year,
        key="verwacht_overzicht",
        title=f"Werkelijk gedeeld door verwacht jeugdzorggebruik, {region.display_name}",
        explanation=explanation,
        chart=charts.ratio_chart(rows, region.display_name),
        table=_region_table(rows),
        download=_download_all(store, region.type, year),
        download_name=f"verwacht_werkelijk_{region.type}_{year}.csv",
        simulated=bool(rows["is_simulated"].any()),
    )


def _form_figure(store: Store, region: Region, form: model.CareForm, year: int) -> Figure:
    row = _region_rows(store, region, year).row(model.CARE_FORMS.index(form), named=True)
    v = model.ventiles(store, form.key, region.code, year)
    name = md_escape(region.display_name)
    plural = LEVEL_PLURAL[region.type]
    groups = v.bars.height
    if v.region_group is not None:
        marker = f"De oranje staaf (groep {v.region_group} van {groups}) bevat {name}."
    else:
        marker = f"{name} is niet gemarkeerd: het aantal is kleiner dan {MIN_COUNT}."
    if v.n_suppressed:
        marker += (
            f" {v.n_suppressed} {plural} met minder dan {MIN_COUNT} jeugdigen in deze zorgvorm "
            "tellen niet mee."
        )
    if groups < model.N_VENTILES:
        marker += f" Er zijn maar {v.n_regions} {plural}, dus elke staaf is één regio."
    if row["suppressed"]:
        numbers = (
            f"In {name} gaat het om minder dan {MIN_COUNT} jeugdigen; dat aantal en het "
            f"percentage tonen we niet. Verwacht: {percent_text(row['expected_rate'], 2)}."
        )
    else:
        verdict = row["signal"] or "niet duidelijk anders dan verwacht"
        numbers = (
            f"In {name} kreeg {percent_text(row['rate'], 2)} van de {form.population} "
            f"(ongeveer {count_text(row['numerator'])}) {form.label.lower()}; verwacht was "
            f"{percent_text(row['expected_rate'], 2)} (ongeveer {count_text(row['expected'])}). "
            f"Werkelijk / verwacht = {decimal_text(row['ratio'])} (95%-interval "
            f"{decimal_text(row['ratio_ci_low'])}–{decimal_text(row['ratio_ci_high'])}): {verdict}."
        )
    explanation = (
        numbers
        + "\n\n"
        + VENTILE_TEXT.format(name=name, plural=plural, groups=groups, marker=marker)
    )
    table = v.bars.select(
        pl.col("group").alias("Groep"),
        pl.col("mean").round(3).alias("Gemiddeld verschil (procentpunt)"),
        pl.col("min").round(3).alias("Van"),
        pl.col("max").round(3).alias("Tot"),
        pl.col("n_regions").alias("Aantal regio's"),
        pl.when(pl.col("highlight"))
        .then(pl.lit(region.display_name))
        .otherwise(pl.lit(""))
        .alias("Bevat"),
    )
    return _figure(
        store,
        year,
        key=f"verwacht_{form.key}",
        title=f"{form.label}: werkelijk min verwacht, {plural}",
        explanation=explanation,
        chart=charts.ventile_chart(v.bars, region.display_name, plural),
        table=table,
        download=_download(store, form.key, region.type, year),
        download_name=f"verwacht_{form.key}_{region.type}_{year}.csv",
        simulated=bool(row["is_simulated"]),
    )


def coefficients(store: Store, year: int | None = None) -> pl.DataFrame:
    """Every care form's coefficients (intercept left out) with the form's short Dutch label."""
    year = model.model_year(store, year)

    def compute() -> pl.DataFrame:
        return pl.concat(
            f.coefficients.filter(pl.col("term") != model.INTERCEPT).with_columns(
                care_form=pl.lit(key), short=pl.lit(SHORT[key])
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
        coef = coefficients(store, year)
        table = coef.select(
            pl.col("short").alias("Zorgvorm"),
            pl.col("label").alias("Kenmerk"),
            pl.col("estimate").round(3).alias("Coëfficiënt (log-odds per SD)"),
            pl.col("ci_low").round(3).alias("95%-interval van"),
            pl.col("ci_high").round(3).alias("95%-interval tot"),
            pl.col("odds_ratio").round(3).alias("Odds ratio per SD"),
            pl.col("sd").round(2).alias("1 SD"),
            pl.col("vif").round(1).alias("VIF"),
        )
        return charts.coefficient_chart(coef), table, _model_download(store, year)

    return store.cached(("verwacht_model_parts", year), compute)


def _coefficient_figure(store: Store, region: Region | None, year: int) -> Figure:
    jh = model.fit_form(store, "jeugdhulp", year).stats
    explanation = (
        "Hoe hangt elk achtergrondkenmerk samen met het gebruik, als de andere kenmerken gelijk "
        "blijven? Een odds ratio boven 1 betekent: bij een hogere waarde (één standaarddeviatie) "
        "van het kenmerk verwachten we meer gebruik. De kenmerken hangen sterk met elkaar samen "
        "(zie de VIF in de tabel), dus lees vooral de verwachting samen, niet één kenmerk los. "
        f"Voor jeugdhulp verklaart het model {100 * jh['explained_deviance']:.0f}% van de "
        f"deviantie tussen gemeenten (correlatie werkelijk–verwacht "
        f"{decimal_text(jh['corr_observed_expected'])}); de spreiding is "
        f"{jh['dispersion']:.0f} keer zo groot als bij puur toeval, er zijn dus echte lokale "
        "verschillen."
    )
    if region is not None and region.code != NL_CODE:
        contrib = model.contributions(store, region.code, "jeugdhulp", year).sort(
            "contribution", descending=True
        )
        top = contrib.row(0, named=True)
        low = contrib.row(contrib.height - 1, named=True)
        name = md_escape(region.display_name)
        explanation += (
            f"\n\nWaarom verwachten we in {name} meer of minder jeugdhulp dan in een gemiddelde "
            f"gemeente? Het meest omhoog trekt: {top['label'].split(' (')[0].lower()}; het meest "
            f"omlaag: {low['label'].split(' (')[0].lower()}."
        )
    chart, table, download = _model_parts(store, year)
    return _figure(
        store,
        year,
        key="verwacht_model",
        title="Waarop is de verwachting gebaseerd?",
        explanation=explanation,
        chart=chart,
        table=table,
        download=download,
        download_name=f"verwacht_model_{year}.csv",
        download_label="modelcoëfficiënten en fit",
        simulated=store.is_simulated,
    )


def _nl_figure(store: Store, year: int) -> Figure:
    rows = _level_rows(store, "nederland", year)[NL_CODE]
    table = rows.select(
        pl.col("label").alias("Zorgvorm"),
        rounded("numerator").alias("Aantal jeugdigen"),
        (100 * pl.col("rate")).round(2).alias("Percentage"),
        rounded("expected").alias("Verwacht aantal"),
        rounded("denominator").alias("Jeugdigen"),
    )
    return _figure(
        store,
        year,
        key="verwacht_nederland",
        title="Jeugdzorggebruik in Nederland: de referentie",
        explanation=NL_TABLE_TEXT,
        chart=None,
        table=table,
        download=_download_all(store, "nederland", year),
        download_name=f"verwacht_werkelijk_nederland_{year}.csv",
        download_label="Nederland per zorgvorm",
        simulated=bool(rows["is_simulated"].any()),
    )


def section(store: Store, region: Region | str | None, year: int | None = None) -> Section:
    """The section for a region (code or `Region`); None or NL gives the NL reference view."""
    if isinstance(region, str):
        found = get_region(store, region)
        if found is None:
            raise KeyError(f"unknown region code {region!r}")
        region = found
    year = model.model_year(store, year)
    intro = _intro(store, year)
    if region is None or region.type == "nederland":
        figures = [_nl_figure(store, year), _coefficient_figure(store, None, year)]
        return Section(KEY, TITLE, intro + "\n\n" + NL_TEXT, figures, OUTRO)
    figures = [_overview_figure(store, region, year)]
    figures += [_form_figure(store, region, form, year) for form in model.CARE_FORMS]
    if region.type == "gemeente":
        figures.append(benchmark_figure(store, region.code, "jeugdhulp", "all", year))
    figures.append(_coefficient_figure(store, region, year))
    return Section(KEY, TITLE, intro + "\n\n" + CAUTION, figures, OUTRO)


def build(store: Store, region: Region | None, *, assets: object | None = None) -> Section:
    """Registry entry point (same signature as the other sections; this one draws no maps)."""
    return section(store, region)


def _figure(store: Store, year: int, **fields: object) -> Figure:
    """A Figure with the shared 'Bron en jaar data' line (plus the model) for this section."""
    simulated = bool(fields["simulated"])
    source = source_line(store, "jeugdhulp", year, simulated, note=MODEL_NOTE)
    badge = "" if simulated else f"CBS, {year}"
    return Figure(source=source, badge=badge, **fields)  # type: ignore[arg-type]
