"""Expected youth-care use (NJi "Verwacht en werkelijk"): one binomial GLM per care form, fitted across gemeenten.

For each care form the outcome is the share of youths using it (numerator of `denominator` youths
in a gemeente, CBS 2022), modelled as logit(p) = β₀ + Σ βⱼ·zⱼ with standardised background
characteristics zⱼ. The expected count of a gemeente is n·p̂; the expected count of any other
region is the membership-weighted sum of its members' expected counts, exactly like actual counts.

Outcomes (`CARE_FORMS`): the real CBS figures of 2022 — jeugdzorg in natura 0-17 (85335NED),
jeugdhulp, jeugdhulp met verblijf (as a share of the youths with jeugdhulp, CBS's own denominator),
jeugdbescherming and jeugdreclassering (of the 12-22 year olds) from 85098NED — and the seven
zorgvormen of the NJi page, which have no open source per gemeente and stay simulated: their fits,
expectations and figures are flagged simulated (`ModelFit.simulated`, from the outcome rows).

Predictors: real CBS figures only (`PREDICTORS`; `background` builds them per 2024 gemeente from
the `context` and `population` tables, each from the latest year up to the model year that has it):
- `laag_inkomen`: households with a low income (%, KWB 2021 `p_hh_lkk`), and
- `sociaal_minimum`: households under or around the social minimum (%, KWB 2021 `p_hh_osm`). Poverty
  and financial stress are the most consistent family risk factors for jeugdbescherming and, less
  so, for jeugdhulp; the two measures draw the line at different heights.
- `bijstand`: persons with bijstand per 1,000 inhabitants (KWB 2021 `a_soz_wb` / `a_inw`): long-term
  dependence on the last safety net, which goes with multi-problem families; per inhabitant so
  that large gemeenten are comparable with small ones.
- `huishoudens_met_kinderen`: households with children as % of all households (KWB 2022): family
  structure. Where few households have children (cities with students and singles) the children
  who do live there more often grow up in one-parent or low-income families; where many do
  (suburbs, villages) families are more often two-parent. It is the closest real stand-in for
  single-parenthood, which no bundled source has per gemeente.
- `stedelijkheid`: ln of the address density (KWB 2022 `ste_oad`, the measure behind CBS's
  stedelijkheid classes): urban gemeenten have more specialised supply and more jeugdbescherming
  and jeugdreclassering at equal risk, rural ones more informal help.
- `inkomen`: median standardised household income (× 1,000 euro, CBS Inkomen van huishoudens
  2024): the income level of the typical household, the other end of the income distribution
  than the two poverty shares. The median rather than the mean, which a few very high incomes
  pull up. CBS publishes no figure for Schiermonnikoog, Vlieland and Rozendaal: those three get
  no expectation (`ModelFit.excluded` says why) rather than an invented income.
- `aandeel_12_18`: 12-17 year olds as % of the 0-17 year olds (population 2022, estimated from
  CBS age bands): care use rises with age, so an older youth population needs more care.
The three poverty measures and the bijstand rate enter as ln(1 + value): their effect flattens at
high values (ten-fold bijstand does not mean ten-fold care), and on the log scale the extremes of the
large cities no longer decide the fit. In 5 × 10-fold cross-validation (2022) this raised the
out-of-sample R² weighted by youths of jeugdzorg from −0.12 to 0.05, of jeugdhulp from −0.07 to
0.08, of jeugdbescherming from 0.45 to 0.50 and of jeugdreclassering from 0.38 to 0.61, and lowered
that of jeugdhulp met verblijf from 0.50 to 0.46.
Left out on purpose: gemeente size (no causal story; its association runs through urbanity), and
the supply of care (that is what a gemeente should compare itself on, not explain away).

The poverty measures are strongly correlated (low income and social minimum r = 0.99, bijstand
r = 0.95): that does not harm the expected values, which is what the model is for, but it makes
the individual coefficients unstable; the variance inflation factors are reported with the
coefficients so nobody over-reads one.

How good is it? `quality` cross-validates every form over gemeenten (10 folds, 5 seeded repeats,
`jeugdmonitor.analysis.crossval`) and reports the out-of-sample R² of the shares next to the model without
predictors. The numbers (2022; R² with every gemeente equal / weighted by youths):
jeugdzorg 0.16 / 0.05, jeugdhulp 0.17 / 0.08, met verblijf 0.45 / 0.46, jeugdbescherming 0.52 /
0.50, jeugdreclassering 0.41 / 0.61; the baseline lies between −0.09 and 0.00 everywhere. The
public characteristics explain the heavy end of care (verblijf, jeugdbescherming,
jeugdreclassering) well and the total use of jeugdzorg poorly: how many children get jeugdhulp
depends much more on the gemeente's own access and supply (wijkteams, the role of huisarts and
school, registration) than on its population, and the large cities use less than their poverty
suggests (weighted by youths the four largest weigh heavily). For orientation: a published
multilevel model of jeugdhulp per wijk with 27 determinants, including non-public microdata on the
families themselves, explains about 57% of the variance between wijken; see
`jeugdmonitor.analysis.wijk_model` for the wijk-level comparison.

Estimation and uncertainty: the coefficients are binomial maximum likelihood, so with the intercept
the expected counts add up exactly to the actual counts over all gemeenten in the fit (indirect
standardisation: NL is the reference). Gemeenten differ far more than binomial noise allows
(Pearson dispersion 3-38 for the real forms, reported), and that extra variance grows with gemeente
size (a local effect on the logit scale moves a large gemeente's count by more than its binomial
noise), so a constant-dispersion quasi-binomial covariance understates the uncertainty: in
simulations on the real design with a logit-scale gemeente effect of sd 0.1 its 95% intervals
covered the true slopes only 60-85% of the time. The covariance is therefore the
heteroskedasticity-robust sandwich with the HC3 (jackknife-like) leverage correction: large
gemeenten have leverage up to 0.49, and the plain HC0 sandwich still covered only 84-93%; HC3
covered 94-96% (tests/test_model.py checks coverage).

The interval of actual/expected is computed on the log scale and adds two sources of uncertainty:
binomial noise in the actual count ("could this deviation be chance?", var log O ≈ (1 − p)/O) and
the model's uncertainty in the expected count (delta method with the HC3 covariance, summed over
member gemeenten: var log E ≈ (se_E/E)²). For gemeenten with extreme backgrounds (the large
cities) the second term dominates: the model is least sure exactly where it extrapolates.
The actual share's own interval (ci_low/ci_high) is Wilson, as everywhere in the app.

Gemeenten without a count (CBS suppresses counts below 10: 158 gemeenten for jeugdreclassering,
8 for jeugdbescherming and verblijf) are not in that form's fit. Since it is the small gemeenten
with few cases whose counts go missing, the small gemeenten that remain lean high; their
expectation is then slightly too high. A region's actual and expected counts are summed over the
same members, and like every region value (`jeugdmonitor.analysis.indicators`) a region gets no ratio
when the members in the fit hold less than 90% of its youths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from scipy.stats import norm

from jeugdmonitor.analysis import crossval
from jeugdmonitor.analysis.glm import coefficient_table, fit_binomial
from jeugdmonitor.analysis.indicators import COVERAGE_MIN, coverage_note

# `model.CARE_FORMS`, `model.predictor_years`, … stay where callers and notebooks find them
from jeugdmonitor.analysis.model_inputs import CARE_FORMS as CARE_FORMS
from jeugdmonitor.analysis.model_inputs import (
    FORMS,
    INTERCEPT,
    PREDICTORS,
    CareForm,
    background,
    care_forms,
    model_term,
    model_year,
    term_label,
    usable_predictors,
)
from jeugdmonitor.analysis.model_inputs import predictor_sources as predictor_sources
from jeugdmonitor.analysis.model_inputs import predictor_years as predictor_years
from jeugdmonitor.analysis.stats import (
    N_VENTILES,
    ROUNDING,
    Z95,
    count_labels,
    small,
    suppress,
    ventile_groups,
    ventile_means,
    wilson_rate,
)
from jeugdmonitor.data.regions import REGION_TYPES

if TYPE_CHECKING:
    from jeugdmonitor.data.store import Store


# --------------------------------------------------------------------------------- the fit


@dataclass(frozen=True)
class ModelFit:
    """The fitted model of one care form and year, plus its per-gemeente expected values."""

    form: CareForm
    year: int
    predictors: list[str]
    dropped: dict[str, str]
    coefficients: pl.DataFrame
    stats: dict[str, float]
    gemeenten: pl.DataFrame  # gemeente_code, name, numerator, denominator, expected, grad_*
    excluded: pl.DataFrame  # gemeente_code, name, reason (Dutch): gemeenten left out of the fit
    design: np.ndarray = field(repr=False)  # model terms (unstandardised) of `gemeenten`' rows
    cov: np.ndarray = field(repr=False)

    @property
    def simulated(self) -> bool:
        """True when the outcome is simulated (the predictors are always real CBS figures)."""
        return bool(self.gemeenten["is_simulated"].any())


NO_COUNT = "geen CBS-aantal (kleiner dan 10 of niet gepubliceerd)"
NO_PREDICTOR = "CBS publiceert geen {what} voor deze gemeente"


def _outcome(store: Store, form: CareForm, year: int) -> pl.DataFrame:
    """The care form's counts per gemeente; a merged gemeente counted over too few of its parts
    (coverage below COVERAGE_MIN) has no outcome, as everywhere else."""
    return store.indicators.filter(
        pl.col("indicator") == form.indicator,
        pl.col("breakdown") == form.breakdown,
        pl.col("year") == year,
        pl.col("coverage").is_null() | (pl.col("coverage") >= COVERAGE_MIN),
    ).select("gemeente_code", "numerator", "denominator", "is_simulated")


def fit_form(store: Store, form_key: str, year: int | None = None) -> ModelFit:
    """Fit (once per process) the GLM of one care form; KeyError for an unknown form key."""
    if form_key not in FORMS:
        raise KeyError(f"unknown care form {form_key!r}; choose from {', '.join(FORMS)}")
    form, year = FORMS[form_key], model_year(store, year)
    return store.cached(("model_fit", form_key, year), lambda: _fit(store, form, year))


def _exclusion_reason(candidates: list[str]) -> pl.Expr:
    """Why a gemeente is not in the fit (Dutch), or null: first a missing predictor, then the count."""
    reason = (
        pl.when(pl.col("numerator").is_null() | ~(pl.col("denominator") > 0))
        .then(pl.lit(NO_COUNT))
        .otherwise(pl.lit(None, pl.String))
    )
    for name in reversed(candidates):
        what = PREDICTORS[name].split(" (")[0].lower()
        reason = (
            pl.when(pl.col(name).is_null())
            .then(pl.lit(NO_PREDICTOR.format(what=what)))
            .otherwise(reason)
        )
    return reason


def _fit(store: Store, form: CareForm, year: int) -> ModelFit:
    bg = background(store, year)
    data = bg.join(_outcome(store, form, year), on="gemeente_code", how="left")
    candidates, dropped = usable_predictors(data)
    data = data.with_columns(reason=_exclusion_reason(candidates))
    complete = data.filter(pl.col("reason").is_null())
    terms = complete.select(model_term(c) for c in candidates)
    z = terms.select(
        ((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).alias(c) for c in candidates
    )
    res = fit_binomial(complete["numerator"].to_numpy(), complete["denominator"].to_numpy(), z)
    coefficients = coefficient_table(
        res, [term_label(c) for c in candidates], terms, z
    ).with_columns(p_value=pl.Series(2 * norm.sf(np.abs(res.params / res.bse))))
    n = complete["denominator"].to_numpy().astype(float)
    p = res.fitted
    exog = np.column_stack([np.ones(complete.height), z.to_numpy()])
    # ∂(expected count)/∂β per gemeente: n·p·(1−p)·x — summed over members for region intervals.
    grad = exog * (n * p * (1 - p))[:, None]
    gemeenten = complete.select(
        "gemeente_code", "name", "numerator", "denominator", "is_simulated", "youths"
    ).with_columns(
        pl.Series("expected", n * p),
        *(pl.Series(f"grad_{i}", grad[:, i]) for i in range(grad.shape[1])),
    )
    observed = complete["numerator"].to_numpy() / n
    stats = {
        "n_gemeenten": float(complete.height),
        "n_excluded": float(data.height - complete.height),
        "deviance": res.deviance,
        "null_deviance": res.null_deviance,
        "explained_deviance": 1 - res.deviance / res.null_deviance
        if res.null_deviance > 0
        else float("nan"),
        "dispersion": res.dispersion,
        "df_resid": float(res.df_resid),
        "corr_observed_expected": float(np.corrcoef(observed, p)[0, 1]),
        "actual_total": float(complete["numerator"].sum()),
        "expected_total": float((n * p).sum()),
    }
    excluded = data.filter(pl.col("reason").is_not_null()).select("gemeente_code", "name", "reason")
    return ModelFit(
        form, year, candidates, dropped, coefficients, stats, gemeenten, excluded,
        terms.to_numpy().astype(float), res.cov,
    )  # fmt: skip


def fit_all(store: Store, year: int | None = None) -> dict[str, ModelFit]:
    """Every care form's fit (each cached per process)."""
    return {f.key: fit_form(store, f.key, year) for f in care_forms(store)}


def quality(store: Store, form_key: str, year: int | None = None) -> crossval.Quality:
    """Out-of-sample R² of a form's shares (grouped k-fold over gemeenten) and its baseline."""
    fit = fit_form(store, form_key, year)

    def compute() -> crossval.Quality:
        g = fit.gemeenten
        return crossval.cross_validate(
            g["numerator"].to_numpy().astype(float),
            g["denominator"].to_numpy().astype(float),
            fit.design,
            g["gemeente_code"].to_numpy(),
        )

    return store.cached(("model_quality", form_key, fit.year), compute)


# ------------------------------------------------------------------------- expected per region


def expected_values(
    store: Store, form_key: str, region_type: str, year: int | None = None
) -> pl.DataFrame:
    """Actual and expected counts and shares for every region of a type, with the residuals.

    Columns: region_code, name, numerator, denominator, expected (counts, weighted sums over the
    member gemeenten in the fit), rate, ci_low, ci_high (actual share, Wilson), expected_rate,
    expected_ci_low/high (delta method), difference (count), difference_pp (percentage points),
    ratio (actual/expected), ratio_ci_low/high, signal ('hoger dan verwacht' / 'lager dan
    verwacht' / null), n_members, n_missing (members not in the fit, left out of both sums),
    coverage (share of the region's youths in members in the fit), note (why a region has no
    value, or which part it covers), is_simulated. Below COVERAGE_MIN the counts are null.
    """
    if region_type not in REGION_TYPES:
        raise KeyError(f"unknown region type {region_type!r}")
    fit = fit_form(store, form_key, year)

    def compute() -> pl.DataFrame:
        k = fit.cov.shape[0]
        grads = [f"grad_{i}" for i in range(k)]
        member = store.membership.join(
            store.regions.filter(pl.col("type") == region_type).select(
                pl.col("code").alias("region_code"), "name"
            ),
            on="region_code",
        ).join(
            background(store, fit.year).select("gemeente_code", "youths"),
            on="gemeente_code",
            how="left",
        )
        in_fit = pl.col("expected").is_not_null()
        youth = pl.col("weight") * pl.col("youths").fill_null(0)
        agg = (
            member.join(fit.gemeenten.drop("name", "youths"), on="gemeente_code", how="left")
            .group_by("region_code", "name")
            .agg(
                *(
                    (pl.col(c) * pl.col("weight")).filter(in_fit).sum()
                    for c in ("numerator", "denominator", "expected", *grads)
                ),
                pl.len().alias("n_members"),
                in_fit.sum().cast(pl.Int64).alias("n_covered"),
                (youth.filter(in_fit).sum() / youth.sum()).alias("coverage"),
            )
            .sort("region_code")
        )
        g = agg.select(grads).to_numpy()
        var = np.einsum("rk,kl,rl->r", g, fit.cov, g)
        se = np.sqrt(np.maximum(var, 0.0))
        enough = (pl.col("n_covered") >= pl.col("n_members")) | (
            (pl.col("coverage") >= COVERAGE_MIN) & (pl.col("n_covered") > 0)
        )
        if region_type == "gemeente":
            reasons = dict(fit.excluded.select("gemeente_code", "reason").iter_rows())
            note = pl.col("region_code").replace_strict(
                reasons, default=None, return_dtype=pl.String
            )
        else:
            note = coverage_note(region_type)
        agg = agg.with_columns(expected_se=pl.Series(se), note=note).with_columns(
            pl.when(enough).then(pl.col(c)).alias(c)
            for c in ("numerator", "denominator", "expected", "expected_se")
        )
        # a gemeente shows the percentage its source published (85098NED), as everywhere else
        form = FORMS[form_key]
        published = store.indicators.filter(
            pl.col("indicator") == form.indicator,
            pl.col("breakdown") == form.breakdown,
            pl.col("year") == fit.year,
        ).select(pl.col("gemeente_code").alias("region_code"), "published_rate")
        if region_type != "gemeente":
            published = published.clear()
        agg = agg.join(published, on="region_code", how="left").with_columns(
            pl.when(pl.col("numerator").is_not_null()).then(pl.col("published_rate"))
            .alias("published_rate")
        )  # fmt: skip
        counted = pl.col("numerator") / pl.col("denominator")
        shown_rate = pl.coalesce(pl.col("published_rate"), counted)
        rounding = pl.when(pl.col("published_rate").is_not_null()).then(ROUNDING).otherwise(0.0)
        lo, hi = wilson_rate(shown_rate, pl.col("denominator"), rounding)
        log_se = (
            (1 - pl.col("numerator") / pl.col("denominator")) / pl.col("numerator")
            + (pl.col("expected_se") / pl.col("expected")) ** 2
        ).sqrt()
        return (
            agg.drop(grads)
            .with_columns(
                rate=pl.when(pl.col("denominator") > 0).then(shown_rate),
                ci_low=lo,
                ci_high=hi,
                expected_rate=pl.col("expected") / pl.col("denominator"),
                expected_ci_low=(pl.col("expected") - Z95 * pl.col("expected_se")).clip(0.0)
                / pl.col("denominator"),
                expected_ci_high=(pl.col("expected") + Z95 * pl.col("expected_se"))
                / pl.col("denominator"),
                difference=pl.col("numerator") - pl.col("expected"),
            )
            .with_columns(
                difference_pp=100 * (pl.col("rate") - pl.col("expected_rate")),
                ratio=pl.col("numerator") / pl.col("expected"),
                ratio_ci_low=pl.col("numerator") / pl.col("expected") * (-Z95 * log_se).exp(),
                ratio_ci_high=pl.col("numerator") / pl.col("expected") * (Z95 * log_se).exp(),
            )
            .with_columns(
                signal=pl.when(pl.col("ratio_ci_low") > 1)
                .then(pl.lit("hoger dan verwacht"))
                .when(pl.col("ratio_ci_high") < 1)
                .then(pl.lit("lager dan verwacht"))
                .otherwise(pl.lit(None, dtype=pl.String)),
                n_missing=(pl.col("n_members") - pl.col("n_covered")).cast(pl.Int64),
                # an expectation from a model fitted on simulated outcomes is simulated everywhere
                is_simulated=pl.lit(fit.simulated),
                care_form=pl.lit(form_key),
                year=pl.lit(fit.year, dtype=pl.Int32),
            )
            .drop("n_covered", "published_rate")
        )

    return store.cached(("model_expected", form_key, region_type, fit.year), compute)


def region_expected(store: Store, code: str, year: int | None = None) -> pl.DataFrame:
    """One row per care form for one region (all columns of `expected_values`, plus the label)."""
    region = store.region_index.get(code)
    if region is None:
        raise KeyError(f"unknown region code {code!r}")
    rows = [
        expected_values(store, form.key, region["type"], year)
        .filter(pl.col("region_code") == code)
        .with_columns(label=pl.lit(form.label))
        for form in care_forms(store)
    ]
    return pl.concat(rows)


def region_z(
    store: Store, form_key: str, region_type: str, year: int | None = None
) -> dict[str, dict[str, float | None]]:
    """Region code → predictor → the region's z-score: the youth-weighted mean of its members'
    standardised model terms (members with every predictor; None when it has none). Computed for
    every region of a type at once, once per process."""
    fit = fit_form(store, form_key, year)

    def compute() -> dict[str, dict[str, float | None]]:
        coef = fit.coefficients.filter(pl.col("term") != INTERCEPT)
        scale = {t: (m, s) for t, m, s in coef.select("term", "mean", "sd").iter_rows()}
        z = (
            background(store, fit.year)
            .drop_nulls(fit.predictors)
            .select(
                "gemeente_code",
                "youths",
                *(((model_term(c) - scale[c][0]) / scale[c][1]).alias(c) for c in fit.predictors),
            )
        )
        codes = store.regions.filter(pl.col("type") == region_type).select(
            pl.col("code").alias("region_code")
        )
        weight = pl.col("weight") * pl.col("youths")
        weighted = (
            store.membership.join(codes, on="region_code")
            .join(z, on="gemeente_code")
            .group_by("region_code")
            .agg((pl.col(c) * weight).sum() / weight.sum() for c in fit.predictors)
        )
        found = {
            row["region_code"]: {c: row[c] for c in fit.predictors}
            for row in weighted.iter_rows(named=True)
        }
        empty = dict.fromkeys(fit.predictors)
        return {code: found.get(code, empty) for code in codes["region_code"]}

    return store.cached(("model_region_z", form_key, region_type, fit.year), compute)


def contributions(store: Store, code: str, form_key: str, year: int | None = None) -> pl.DataFrame:
    """Why a region's expected share differs from NL: βⱼ × (region's z-score) per predictor.

    The region's z-score is the youth-weighted mean of its members' standardised model terms
    (`region_z`); the contribution is on the log-odds scale (positive = raises the expected
    share). A region whose members all lack a predictor gets null.
    """
    region = store.region_index.get(code)
    if region is None:
        raise KeyError(f"unknown region code {code!r}")
    fit = fit_form(store, form_key, year)
    z = region_z(store, form_key, region["type"], fit.year)[code]
    coef = fit.coefficients.filter(pl.col("term") != INTERCEPT)
    return (
        coef.select("term", "label", "estimate")
        .with_columns(z=pl.Series([z[t] for t in coef["term"]], dtype=pl.Float64).fill_nan(None))
        .with_columns(contribution=pl.col("estimate") * pl.col("z"))
    )


@dataclass(frozen=True)
class Ventiles:
    """The ventile chart's data for one care form and level, and where the chosen region sits."""

    bars: pl.DataFrame  # group, mean, min, max, n_regions, highlight
    region_group: int | None  # the chosen region's group (None: not ranked, e.g. suppressed)
    n_regions: int  # regions ranked
    n_suppressed: int  # regions left out because their actual count is below MIN_COUNT
    n_no_value: int = 0  # regions left out because they have no count or no expectation


def ventiles(
    store: Store, form_key: str, code: str, year: int | None = None, n_groups: int = N_VENTILES
) -> Ventiles:
    """Rank all regions of `code`'s level by actual − expected share (pp) into n_groups groups.

    Regions whose actual count is below MIN_COUNT are left out entirely (their rate is suppressed),
    so no bar is built on a suppressed count, and so are regions without a count or without an
    expectation (`n_no_value`); the chosen region is highlighted only when ranked.
    """
    region = store.region_index.get(code)
    if region is None:
        raise KeyError(f"unknown region code {code!r}")
    values = expected_values(store, form_key, region["type"], year)

    def compute() -> tuple[pl.DataFrame, pl.DataFrame, int, int]:
        shown = values.filter(~small())
        grouped = ventile_groups(shown, "difference_pp", "region_code", n_groups)
        means = ventile_means(shown, "difference_pp", "region_code", n_groups)
        no_value = values.filter(pl.col("numerator").is_null() | pl.col("expected").is_null())
        n_suppressed = values.height - shown.height - no_value.height
        return grouped.select("region_code", "group"), means, n_suppressed, no_value.height

    key = ("model_ventiles", form_key, region["type"], values["year"][0], n_groups)
    grouped, means, n_suppressed, n_no_value = store.cached(key, compute)
    group = store.cached(key + ("index",), lambda: dict(grouped.iter_rows())).get(code)
    bars = means.with_columns(highlight=pl.col("group") == (group if group is not None else -1))
    return Ventiles(bars, group, grouped.height, n_suppressed, n_no_value)


NO_SIGNAL = "niet duidelijk anders"
DERIVED = (
    "rate",
    "ci_low",
    "ci_high",
    "difference",
    "difference_pp",
    "ratio",
    "ratio_ci_low",
    "ratio_ci_high",
    "signal",
)


def shown_values(
    store: Store, form_key: str, region_type: str, year: int | None = None
) -> pl.DataFrame:
    """`expected_values` ready to show: everything built on an actual count < MIN_COUNT blanked.

    Adds `suppressed`, `signal_label` (signal, or 'niet duidelijk anders') and `count_label`
    (rounded count, or '< 10'). Expected values stay: without the actual count they reveal nothing.
    """
    values = expected_values(store, form_key, region_type, year)

    def compute() -> pl.DataFrame:
        return suppress(values, derived=DERIVED).with_columns(
            signal_label=pl.when(pl.col("suppressed"))
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(pl.col("signal").fill_null(pl.lit(NO_SIGNAL))),
            count_label=count_labels("numerator"),
        )

    return store.cached(("model_shown", form_key, region_type, values["year"][0]), compute)
