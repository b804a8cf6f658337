"""Expected youth-care use (seed 002, F10/B2): one binomial GLM per care form, fitted across gemeenten.

For each care form the outcome is the share of youths using it (numerator of `denominator` youths
in a gemeente), modelled as logit(p) = β₀ + Σ βⱼ·zⱼ with standardised background characteristics
zⱼ. The expected count of a gemeente is n·p̂; the expected count of any other region is the
membership-weighted sum of its members' expected counts, exactly like actual counts are summed.

Predictor set, and why:
- `armoede` (share of minors in a low-income household) and `eenoudergezin` (share of minors in a
  single-parent family): the two family risk factors the NJi and CBS models use; both are strongly
  and consistently associated with jeugdhulp and, more so, with jeugdbescherming.
- `achterstandsleerlingen` (share of po pupils with low-educated parents): parental education, the
  third classic predictor; it also carries the school-side signal (lvb, onderwijs-related care).
- `stedelijkheid` = log(youths per km²): urban gemeenten have more specialised supply (jeugd-ggz,
  jeugdzorgplus) and more jeugdreclassering at equal risk. It uses the gemeente's area on the
  bundled 2024 map (`regions.area_km2`, measured by the build); youths rather than all
  inhabitants, because youth care is about them.
- `aandeel_12_18` (share of 12-17 year olds among 0-17): age structure. Care use rises with age,
  so an older youth population needs more care. The bundled population per age group is estimated
  from each gemeente's real five-year age bands (data/README.md), so it varies between gemeenten;
  a predictor that does not vary is dropped and the drop is reported (`ModelFit.dropped`).
Left out on purpose: gemeente size (no causal story; its association runs through urbanity) and
the supply of care (that is what a gemeente should compare itself on, not explain away).

The three risk factors are strongly correlated (in the simulated data r = 0.92-0.98). That does not harm
the expected values, which is what the model is for, but it makes the individual coefficients
unstable; the variance inflation factors are reported with the coefficients so nobody over-reads one.

Estimation and uncertainty: the coefficients are binomial maximum likelihood, so with the intercept
the expected counts add up exactly to the actual counts over all gemeenten (indirect
standardisation: NL is the reference). Gemeenten differ far more than binomial noise allows
(Pearson dispersion 2-70, reported), and that extra variance grows with gemeente size (a local
effect on the logit scale moves a large gemeente's count by more than its binomial noise), so a
constant-dispersion quasi-binomial covariance understates the uncertainty: in simulations with a
logit-scale gemeente effect of sd 0.1 its 95% intervals covered the true coefficient only 62-75% of
the time. The covariance is therefore the heteroskedasticity-robust sandwich with the HC3
(jackknife-like) leverage correction: large gemeenten have leverage up to 0.45, and the plain HC0
sandwich still covered only 87-93%; HC3 covered 93-95% (tests/test_model.py checks coverage).

The interval of actual/expected is computed on the log scale and adds two sources of uncertainty:
binomial noise in the actual count ("could this deviation be chance?", var log O ≈ (1 − p)/O) and
the model's uncertainty in the expected count (delta method with the HC3 covariance, summed over
member gemeenten: var log E ≈ (se_E/E)²). For gemeenten with extreme backgrounds (the large
cities) the second term dominates: the model is least sure exactly where it extrapolates.
The actual share's own interval (ci_low/ci_high) is Wilson, as everywhere in the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from scipy.stats import norm
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

from jeugdmonitor.indicators import YOUTH_AGES
from jeugdmonitor.regions import REGION_TYPES
from jeugdmonitor.stats import (
    N_VENTILES,
    Z95,
    count_labels,
    small,
    suppress,
    ventile_groups,
    ventile_means,
    wilson,
)

if TYPE_CHECKING:
    from jeugdmonitor.store import Store


@dataclass(frozen=True)
class CareForm:
    """One modelled care form: which indicator rows are its outcome, and its Dutch label."""

    key: str
    indicator: str
    breakdown: str
    label: str
    population: str = "jeugdigen"  # Dutch name of the denominator


CARE_FORMS: tuple[CareForm, ...] = (
    CareForm("jeugdhulp", "jeugdhulp", "all", "Jeugdhulp (totaal)"),
    CareForm(
        "lokaal_team",
        "jeugdhulp_zorgvorm",
        "zorgvorm=lokaal_team",
        "Ambulante jeugdhulp van het lokale team",
    ),
    CareForm("ambulant", "jeugdhulp_zorgvorm", "zorgvorm=ambulant", "Begeleiding thuis (ambulant)"),
    CareForm("pleegzorg", "jeugdhulp_zorgvorm", "zorgvorm=pleegzorg", "Pleegzorg"),
    CareForm("jeugdzorgplus", "jeugdhulp_zorgvorm", "zorgvorm=jeugdzorgplus", "Jeugdzorgplus"),
    CareForm(
        "instelling",
        "jeugdhulp_zorgvorm",
        "zorgvorm=instelling",
        "Hulp in een instelling voor jeugd- en opvoedhulp",
    ),
    CareForm("jeugd_ggz", "jeugdhulp_zorgvorm", "zorgvorm=jeugd_ggz", "Jeugd-ggz"),
    CareForm(
        "lvb",
        "jeugdhulp_zorgvorm",
        "zorgvorm=lvb",
        "Jeugdzorg bij een verstandelijke beperking",
    ),
    CareForm("jeugdbescherming", "jeugdbescherming", "all", "Jeugdbescherming"),
    CareForm(
        "jeugdreclassering",
        "jeugdreclassering",
        "all",
        "Jeugdreclassering (12-23)",
        "jongeren van 12 tot 23 jaar",
    ),
)
FORMS = {f.key: f for f in CARE_FORMS}

# predictor → Dutch label (with the unit of its raw value)
PREDICTORS: dict[str, str] = {
    "armoede": "Kinderen in armoede (%)",
    "eenoudergezin": "Kinderen in eenoudergezinnen (%)",
    "achterstandsleerlingen": "Achterstandsleerlingen po (%)",
    "stedelijkheid": "Stedelijkheid (ln jeugdigen per km²)",
    "aandeel_12_18": "Aandeel 12-17-jarigen (%)",
}
RISK_SOURCES = {  # predictor → (indicator, breakdown) in the indicators table
    "armoede": ("armoede", "all"),
    "eenoudergezin": ("eenoudergezin", "all"),
    "achterstandsleerlingen": ("achterstandsleerlingen", "age=4-12"),
}
INTERCEPT = "const"


# ------------------------------------------------------------------------------- the GLM itself


@dataclass(frozen=True)
class GlmResult:
    """A fitted binomial GLM: coefficients (intercept first), robust covariance, fitted shares."""

    terms: list[str]
    params: np.ndarray
    cov: np.ndarray
    fitted: np.ndarray  # expected share per row
    deviance: float
    null_deviance: float
    pearson_chi2: float
    df_resid: int

    @property
    def bse(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    @property
    def dispersion(self) -> float:
        return self.pearson_chi2 / self.df_resid if self.df_resid > 0 else float("nan")


def fit_binomial(successes: np.ndarray, trials: np.ndarray, design: pl.DataFrame) -> GlmResult:
    """Fit logit(successes/trials) ~ 1 + design: binomial ML, robust (HC3 sandwich) covariance.

    Uses proportions with `var_weights=trials` (statsmodels' two-column form computes the Pearson
    statistic on proportions without the trials, so its dispersion would be wrong).
    """
    trials = np.asarray(trials, dtype=float)
    share = np.asarray(successes, dtype=float) / trials
    exog = np.column_stack([np.ones(len(trials)), design.to_numpy().astype(float)])
    result = GLM(share, exog, family=Binomial(), var_weights=trials).fit()
    return GlmResult(
        terms=[INTERCEPT, *design.columns],
        params=np.asarray(result.params),
        cov=hc3_covariance(exog, trials, np.asarray(result.fittedvalues), successes),
        fitted=np.asarray(result.fittedvalues),
        deviance=float(result.deviance),
        null_deviance=float(result.null_deviance),
        pearson_chi2=float(result.pearson_chi2),
        df_resid=int(result.df_resid),
    )


def hc3_covariance(
    exog: np.ndarray, trials: np.ndarray, fitted: np.ndarray, successes: np.ndarray
) -> np.ndarray:
    """HC3 sandwich covariance of a canonical binomial GLM: scores scaled by 1/(1 − leverage).

    bread = (X'WX)⁻¹ with W = n·p·(1−p); meat = Σ xᵢxᵢ'·(yᵢ − nᵢpᵢ)²/(1 − hᵢ)², where hᵢ is the
    leverage of gemeente i in the weighted fit. Robust to any variance structure across gemeenten.
    """
    weight = trials * fitted * (1 - fitted)
    bread = np.linalg.inv(exog.T @ (exog * weight[:, None]))
    leverage = np.einsum("ik,kl,il->i", exog, bread, exog) * weight
    score = (
        exog * ((np.asarray(successes, dtype=float) - trials * fitted) / (1 - leverage))[:, None]
    )
    return bread @ (score.T @ score) @ bread


def vif(design: pl.DataFrame) -> dict[str, float]:
    """Variance inflation factor per predictor (diagonal of the inverse correlation matrix)."""
    if design.width < 2:
        return dict.fromkeys(design.columns, 1.0)
    corr = np.corrcoef(design.to_numpy().astype(float), rowvar=False)
    return dict(zip(design.columns, np.diag(np.linalg.inv(corr)).tolist(), strict=True))


# ------------------------------------------------------------------------------- the background


def model_year(store: Store, year: int | None = None) -> int:
    """The year to model: the given one, else the latest year with every outcome and predictor."""
    needed = [(f.indicator, f.breakdown) for f in CARE_FORMS] + list(RISK_SOURCES.values())

    def compute() -> int:
        have = (
            store.indicators.filter(
                pl.struct("indicator", "breakdown").is_in(
                    pl.DataFrame(needed, schema=["indicator", "breakdown"], orient="row")
                    .to_struct()
                    .implode()
                )
            )
            .group_by("year")
            .agg(pl.struct("indicator", "breakdown").n_unique().alias("n"))
            .filter(pl.col("n") == len(needed))
        )
        if not have.height:
            raise ValueError("no year has all outcomes and predictors of the expected-use model")
        return int(have["year"].max())

    return year if year is not None else store.cached("model_year", compute)


def background(store: Store, year: int | None = None) -> pl.DataFrame:
    """Per gemeente: youths (0-17), area, and the raw predictor values (percentages, ln density)."""
    year = model_year(store, year)

    def compute() -> pl.DataFrame:
        rows = store.indicators.filter(pl.col("year") == year)
        risk = [
            rows.filter(pl.col("indicator") == ind, pl.col("breakdown") == bd).select(
                "gemeente_code",
                pl.when(pl.col("denominator") > 0)
                .then(100 * pl.col("numerator") / pl.col("denominator"))
                .alias(name),
                pl.col("is_simulated").alias(f"{name}_simulated"),
            )
            for name, (ind, bd) in RISK_SOURCES.items()
        ]
        years = store.population["year"]
        pop_year = min(max(year, int(years.min())), int(years.max()))
        pop = (
            store.population.filter(
                (pl.col("year") == pop_year) & pl.col("age_group").is_in(YOUTH_AGES)
            )
            .group_by("gemeente_code")
            .agg(
                pl.col("population").sum().alias("youths"),
                (
                    100
                    * pl.col("population").filter(pl.col("age_group") == "12-18").sum()
                    / pl.col("population").sum()
                ).alias("aandeel_12_18"),
            )
        )
        frame = store.regions.filter(pl.col("type") == "gemeente").select(
            pl.col("code").alias("gemeente_code"), "name", "area_km2"
        )
        for part in (*risk, pop):
            frame = frame.join(part, on="gemeente_code", how="left")
        flags = [f"{name}_simulated" for name in RISK_SOURCES]
        frame = frame.with_columns(
            # an expectation built on simulated predictors is itself simulated
            inputs_simulated=pl.any_horizontal(pl.col(flags).fill_null(False))
        ).drop(flags)
        return frame.with_columns(
            stedelijkheid=pl.when(pl.col("area_km2") > 0).then(
                (pl.col("youths") / pl.col("area_km2")).log()
            )
        ).sort("gemeente_code")

    return store.cached(("model_background", year), compute)


def usable_predictors(frame: pl.DataFrame) -> tuple[list[str], dict[str, str]]:
    """The predictors to use and, for each dropped one, the (Dutch) reason it was dropped."""
    used, dropped = [], {}
    for name in PREDICTORS:
        if name not in frame.columns or frame[name].null_count() == frame.height:
            dropped[name] = "niet beschikbaar in de data"
        elif (frame[name].std() or 0.0) <= 1e-9 * max(abs(frame[name].mean() or 0.0), 1.0):
            dropped[name] = "varieert niet tussen gemeenten"
        else:
            used.append(name)
    return used, dropped


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
    gemeenten: pl.DataFrame  # gemeente_code, name, numerator, denominator, expected, gradient_*
    cov: np.ndarray = field(repr=False)


def _outcome(store: Store, form: CareForm, year: int) -> pl.DataFrame:
    return store.indicators.filter(
        pl.col("indicator") == form.indicator,
        pl.col("breakdown") == form.breakdown,
        pl.col("year") == year,
    ).select("gemeente_code", "numerator", "denominator", "is_simulated")


def fit_form(store: Store, form_key: str, year: int | None = None) -> ModelFit:
    """Fit (once per process) the GLM of one care form; KeyError for an unknown form key."""
    if form_key not in FORMS:
        raise KeyError(f"unknown care form {form_key!r}; choose from {', '.join(FORMS)}")
    form, year = FORMS[form_key], model_year(store, year)
    return store.cached(("model_fit", form_key, year), lambda: _fit(store, form, year))


def _fit(store: Store, form: CareForm, year: int) -> ModelFit:
    bg = background(store, year)
    data = bg.join(_outcome(store, form, year), on="gemeente_code", how="left").with_columns(
        pl.col("is_simulated") | pl.col("inputs_simulated")
    )
    candidates, dropped = usable_predictors(data)
    complete = data.filter(
        pl.all_horizontal(pl.col([*candidates, "numerator"]).is_not_null()),
        pl.col("denominator") > 0,
    )
    z = complete.select(
        ((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).alias(c) for c in candidates
    )
    res = fit_binomial(complete["numerator"].to_numpy(), complete["denominator"].to_numpy(), z)
    sd = {c: float(complete[c].std()) for c in candidates}
    mean = {c: float(complete[c].mean()) for c in candidates}
    inflation = vif(z)
    half = Z95 * res.bse
    coefficients = pl.DataFrame(
        {
            "term": res.terms,
            "label": ["Constante", *(PREDICTORS[c] for c in candidates)],
            "estimate": res.params,
            "std_error": res.bse,
            "ci_low": res.params - half,
            "ci_high": res.params + half,
            "odds_ratio": np.exp(res.params),
            "or_ci_low": np.exp(res.params - half),
            "or_ci_high": np.exp(res.params + half),
            "sd": [None, *(sd[c] for c in candidates)],
            "mean": [None, *(mean[c] for c in candidates)],
            "vif": [None, *(inflation[c] for c in candidates)],
        }
    ).with_columns(p_value=pl.Series(2 * norm.sf(np.abs(res.params / res.bse))))
    n = complete["denominator"].to_numpy().astype(float)
    p = res.fitted
    exog = np.column_stack([np.ones(complete.height), z.to_numpy()])
    # ∂(expected count)/∂β per gemeente: n·p·(1−p)·x — summed over members for region intervals.
    grad = exog * (n * p * (1 - p))[:, None]
    gemeenten = complete.select(
        "gemeente_code", "name", "numerator", "denominator", "is_simulated"
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
    return ModelFit(form, year, candidates, dropped, coefficients, stats, gemeenten, res.cov)


def fit_all(store: Store, year: int | None = None) -> dict[str, ModelFit]:
    """Every care form's fit (each cached per process)."""
    return {key: fit_form(store, key, year) for key in FORMS}


# ------------------------------------------------------------------------- expected per region


def expected_values(
    store: Store, form_key: str, region_type: str, year: int | None = None
) -> pl.DataFrame:
    """Actual and expected counts and shares for every region of a type, with the residuals.

    Columns: region_code, name, numerator, denominator, expected (counts, weighted sums over member
    gemeenten), rate, ci_low, ci_high (actual share, Wilson), expected_rate, expected_ci_low/high
    (delta method), difference (count), difference_pp (percentage points), ratio (actual/expected),
    ratio_ci_low/high, signal ('hoger dan verwacht' / 'lager dan verwacht' / null), n_missing
    (member gemeenten without expected value, left out of both sums), is_simulated.
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
        )
        agg = (
            member.join(fit.gemeenten.drop("name"), on="gemeente_code", how="left")
            .group_by("region_code", "name")
            .agg(
                (pl.col(c) * pl.col("weight")).sum()
                for c in ("numerator", "denominator", "expected", *grads)
            )
            .sort("region_code")
        )
        missing = (
            member.join(fit.gemeenten.select("gemeente_code"), on="gemeente_code", how="anti")
            .group_by("region_code")
            .len("n_missing")
        )
        simulated = (
            member.join(fit.gemeenten.select("gemeente_code", "is_simulated"), on="gemeente_code")
            .group_by("region_code")
            .agg(pl.col("is_simulated").any())
        )
        g = agg.select(grads).to_numpy()
        var = np.einsum("rk,kl,rl->r", g, fit.cov, g)
        se = np.sqrt(np.maximum(var, 0.0))
        lo, hi = wilson(pl.col("numerator"), pl.col("denominator"))
        log_se = (
            (1 - pl.col("numerator") / pl.col("denominator")) / pl.col("numerator")
            + (pl.col("expected_se") / pl.col("expected")) ** 2
        ).sqrt()
        out = (
            agg.drop(grads)
            .with_columns(expected_se=pl.Series(se))
            .with_columns(
                rate=pl.when(pl.col("denominator") > 0).then(
                    pl.col("numerator") / pl.col("denominator")
                ),
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
                .otherwise(pl.lit(None, dtype=pl.String))
            )
            .join(missing, on="region_code", how="left")
            .join(simulated, on="region_code", how="left")
            .with_columns(
                pl.col("n_missing").fill_null(0).cast(pl.Int64),
                pl.col("is_simulated").fill_null(False),
                care_form=pl.lit(form_key),
                year=pl.lit(fit.year, dtype=pl.Int32),
            )
        )
        return out

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
        for form in CARE_FORMS
    ]
    return pl.concat(rows)


def contributions(store: Store, code: str, form_key: str, year: int | None = None) -> pl.DataFrame:
    """Why a region's expected share differs from NL: βⱼ × (region's z-score) per predictor.

    The region's z-score is the youth-weighted mean of its members' standardised values; the
    contribution is on the log-odds scale (positive = raises the expected share).
    """
    fit = fit_form(store, form_key, year)
    coef = fit.coefficients.filter(pl.col("term") != INTERCEPT)
    scale = {t: (m, s) for t, m, s in coef.select("term", "mean", "sd").iter_rows()}
    z = background(store, fit.year).select(
        "gemeente_code",
        "youths",
        *(((pl.col(c) - scale[c][0]) / scale[c][1]).alias(c) for c in fit.predictors),
    )
    member = store.membership.filter(pl.col("region_code") == code)
    weighted = member.join(z, on="gemeente_code").select(
        (pl.col(c) * pl.col("weight") * pl.col("youths")).sum()
        / (pl.col("weight") * pl.col("youths")).sum()
        for c in fit.predictors
    )
    return (
        coef.select("term", "label", "estimate")
        .with_columns(
            z=pl.Series([weighted[c][0] for c in coef["term"]]),
        )
        .with_columns(contribution=pl.col("estimate") * pl.col("z"))
    )


@dataclass(frozen=True)
class Ventiles:
    """The ventile chart's data for one care form and level, and where the chosen region sits."""

    bars: pl.DataFrame  # group, mean, min, max, n_regions, highlight
    region_group: int | None  # the chosen region's group (None: not ranked, e.g. suppressed)
    n_regions: int  # regions ranked
    n_suppressed: int  # regions left out because their actual count is below MIN_COUNT


def ventiles(
    store: Store, form_key: str, code: str, year: int | None = None, n_groups: int = N_VENTILES
) -> Ventiles:
    """Rank all regions of `code`'s level by actual − expected share (pp) into n_groups groups.

    Regions whose actual count is below MIN_COUNT are left out entirely (their rate is suppressed),
    so no bar is built on a suppressed count; the chosen region is highlighted only when ranked.
    """
    region = store.region_index.get(code)
    if region is None:
        raise KeyError(f"unknown region code {code!r}")
    values = expected_values(store, form_key, region["type"], year)

    def compute() -> tuple[pl.DataFrame, pl.DataFrame, int]:
        shown = values.filter(~small())
        grouped = ventile_groups(shown, "difference_pp", "region_code", n_groups)
        means = ventile_means(shown, "difference_pp", "region_code", n_groups)
        return grouped.select("region_code", "group"), means, values.height - shown.height

    key = ("model_ventiles", form_key, region["type"], values["year"][0], n_groups)
    grouped, means, n_suppressed = store.cached(key, compute)
    group = store.cached(key + ("index",), lambda: dict(grouped.iter_rows())).get(code)
    bars = means.with_columns(highlight=pl.col("group") == (group if group is not None else -1))
    return Ventiles(bars, group, grouped.height, n_suppressed)


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
