"""Verwacht section (`verwacht`): the model itself, its coefficients (with what pulls a
region's expectation) and its quality."""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import model, wijk_model
from jeugdmonitor.analysis.stats import percent_text
from jeugdmonitor.data.regions import NL_CODE, Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections.base import Figure
from jeugdmonitor.present.sections.common import md_escape
from jeugdmonitor.present.sections.verwacht_common import (
    PUBLISHED_R2,
    SHORT,
    _figure,
    forms_by_kind,
)


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
