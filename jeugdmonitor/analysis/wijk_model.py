"""Expected jeugdzorg per wijk: one binomial GLM over all wijken of NL, 2022.

Outcome: youths 0-22 with jeugdzorg in natura (CBS 85335NED `jz_totaal`) of the estimated youths
0-22 of the wijk (`youth_0_23`, from the KWB age bands; data/README.md). The 0-22 total rather than
0-17: CBS suppresses every count below 10, and the 0-17 total must be added up from three age
cells of which one is suppressed in 2,309 of the 3,340 wijken, while the 0-22 total is one cell,
suppressed in 502 (the small wijken). A wijk whose count is suppressed is not in the fit and shows
as "< 10"; one whose count exceeds its estimated youths (an estimate gone wrong) is left out.

Predictors, from the wijk's own KWB figures (`WIJK_PREDICTORS`), as close to the gemeente model as
the wijk data allow (see `jeugdmonitor.analysis.model` for why each matters):
- low income, social minimum and bijstand per 1,000 inhabitants (each as ln(1 + value)), and
  households in the lowest 40% of incomes (`p_hh_li`: the income level, since CBS publishes no
  standardised income per wijk in the bundled files). KWB 2022 has no income or benefit figures
  at all (the columns are empty), so these four come from KWB 2021, matched by wijk code within the
  same 2024 gemeente. A wijk's income composition changes slowly, and the gemeente model uses the
  same 2021 figures, so both levels see the same picture. A code is only matched when the wijk's
  number of households changed by at most 25% (`REDRAWN`): above that the wijk was redrawn or
  largely rebuilt and its 2021 figures may describe other households. The 2021 income figures
  are themselves suppressed for small wijken; wijken without them are not in the fit.
- households with children as % of all households and ln address density (KWB 2022).
- age structure: 15-24 year olds as % of the 0-24 year olds (KWB 2022), since care use differs by
  age and the outcome spans 0-22.

The wijk model has no gemeente effect: every wijk is compared with wijken of the same profile in
the whole country, and the ventiles rank all wijken of NL (the "same ventile logic" as for
gemeenten). Wijken of a gemeente whose access to jeugdzorg is wide then lie mostly above their
expectation; the gemeente figure of the section says how the gemeente as a whole compares.

Quality (`wijk_quality`): out-of-sample R² of the wijk shares with 10 folds *grouped by gemeente*
(a gemeente's wijken are never split, so a wijk is predicted by a model that saw no wijk of its
gemeente), 5 seeded repeats, next to the model without predictors. 2022: R² 0.02 with every wijk
equal and 0.16 weighted by youths (baseline 0.00 / −0.01); explained deviance (in sample) 0.23.
Binomial noise is 21% of the unweighted variance (most wijken are small) and 8% of the weighted.
The gemeente a wijk lies in says much more: the gemeente's own pooled wijk share predicts 40%
(unweighted) / 53% (weighted) of the variance between wijken (`between_gemeente_r2`, in sample)
— local access, supply and registration, which no public characteristic of the wijk captures.
A published multilevel model of jeugdhulp per wijk with 27 determinants, including non-public
microdata on the families, explains about 57% of the variance between wijken: it knows each
household (income, parental health and care use, debts) rather than a wijk average, and its
multilevel part absorbs the gemeente's level. The transparent public model gets a little over a
quarter of that out of sample (0.16 of 0.57, weighted). Given each gemeente's level (one parameter
per gemeente, as a multilevel model has) the same wijk predictors reach 0.72 weighted / 0.43
unweighted in sample (measured once, 2022): the gap is the gemeente, not the wijk profile.

The covariance is HC3 as in the gemeente model; the interval of actual/expected adds binomial
noise and the model's uncertainty in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from jeugdmonitor.analysis import crossval
from jeugdmonitor.analysis.glm import coefficient_table, fit_binomial
from jeugdmonitor.analysis.stats import MIN_COUNT, N_VENTILES, Z95, ventile_groups, ventile_means

if TYPE_CHECKING:
    from jeugdmonitor.data.store import Store

WIJK_YEAR = 2022
INCOME_YEAR = 2021  # KWB 2022 publishes no income or benefit figures per wijk
REDRAWN = 0.25  # a wijk code whose households changed by more than this is not matched to 2021
WIJK_PREDICTORS: dict[str, str] = {
    "laag_inkomen": "Huishoudens met een laag inkomen (%, log)",
    "sociaal_minimum": "Huishoudens rond het sociaal minimum (%, log)",
    "bijstand": "Bijstand (personen per 1.000 inwoners, log)",
    "laagste_40_inkomen": "Huishoudens in de laagste 40% van de inkomens (%)",
    "huishoudens_met_kinderen": "Huishoudens met kinderen (%)",
    "stedelijkheid": "Stedelijkheid (ln adressen per km²)",
    "aandeel_15_24": "Aandeel 15-24-jarigen van de 0-24-jarigen (%)",
}
NO_COUNT = f"aantal kleiner dan {MIN_COUNT} (CBS toont het niet)"
NO_INCOME = "geen inkomenscijfers 2021 van deze wijk"
OVER = "meer jeugdigen met jeugdzorg dan geschatte jeugdigen"
NO_PREDICTOR = "kenmerken van de wijk ontbreken"


def wijk_background(store: Store) -> pl.DataFrame:
    """Per wijk of 2022: codes, name, count, estimated youths, predictors (model scale) and why a
    wijk is not in the fit (`reason`, Dutch; null when it is)."""

    def compute() -> pl.DataFrame:
        wijken = store.wijken
        now = wijken.filter(pl.col("year") == WIJK_YEAR)
        before = wijken.filter(pl.col("year") == INCOME_YEAR).select(
            "wijk_code",
            "gemeente_code",
            pl.col("a_hh").alias("hh_before"),
            pl.col("a_inw").alias("inw_before"),
            pl.col("p_hh_lkk").alias("lkk"),
            pl.col("p_hh_osm").alias("osm"),
            pl.col("p_hh_li").alias("li"),
            pl.col("a_soz_wb").alias("soz"),
        )
        joined = now.join(before, on=["wijk_code", "gemeente_code"], how="left")
        same = ((pl.col("a_hh") / pl.col("hh_before") - 1).abs() <= REDRAWN).fill_null(False)

        def matched(expr: pl.Expr) -> pl.Expr:
            return pl.when(same).then(expr)

        frame = joined.select(
            "wijk_code",
            "name",
            "gemeente_code",
            pl.col("jz_totaal").alias("numerator"),
            pl.col("youth_0_23").alias("denominator"),
            matched((1 + pl.col("lkk")).log()).alias("laag_inkomen"),
            matched((1 + pl.col("osm")).log()).alias("sociaal_minimum"),
            matched((1 + 1000 * pl.col("soz") / pl.col("inw_before")).log()).alias("bijstand"),
            matched(pl.col("li")).alias("laagste_40_inkomen"),
            (100 * pl.col("a_hh_m_k") / pl.col("a_hh")).alias("huishoudens_met_kinderen"),
            pl.col("ste_oad").log().alias("stedelijkheid"),
            (100 * pl.col("a_15_24") / (pl.col("a_00_14") + pl.col("a_15_24"))).alias(
                "aandeel_15_24"
            ),
        ).with_columns(
            pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in WIJK_PREDICTORS
        )
        income = ["laag_inkomen", "sociaal_minimum", "bijstand", "laagste_40_inkomen"]
        rest = [c for c in WIJK_PREDICTORS if c not in income]
        reason = (
            pl.when(pl.col("numerator").is_null())
            .then(pl.lit(NO_COUNT))
            .when(~(pl.col("denominator") >= pl.col("numerator")))
            .then(pl.lit(OVER))
            .when(pl.any_horizontal(pl.col(income).is_null()))
            .then(pl.lit(NO_INCOME))
            .when(pl.any_horizontal(pl.col(rest).is_null()))
            .then(pl.lit(NO_PREDICTOR))
            .otherwise(pl.lit(None, pl.String))
        )
        return frame.with_columns(reason=reason).sort("gemeente_code", "wijk_code")

    return store.cached("wijk_background", compute)


@dataclass(frozen=True)
class WijkFit:
    """The fitted wijk model: coefficients, fit statistics and the wijken in the fit."""

    year: int
    coefficients: pl.DataFrame
    stats: dict[str, float]
    wijken: pl.DataFrame  # wijk_code, gemeente_code, numerator, denominator, expected, expected_se
    design: np.ndarray = field(repr=False)  # model terms (unstandardised) of `wijken`' rows
    cov: np.ndarray = field(repr=False)


def fit_wijken(store: Store) -> WijkFit:
    """Fit (once per process) the wijk GLM on every wijk with a count and all predictors."""
    return store.cached("wijk_fit", lambda: _fit(store))


def _fit(store: Store) -> WijkFit:
    data = wijk_background(store)
    complete = data.filter(pl.col("reason").is_null())
    names = list(WIJK_PREDICTORS)
    terms = complete.select(names)
    z = terms.select(((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).alias(c) for c in names)
    y = complete["numerator"].to_numpy().astype(float)
    n = complete["denominator"].to_numpy().astype(float)
    res = fit_binomial(y, n, z)
    coefficients = coefficient_table(res, [WIJK_PREDICTORS[c] for c in names], terms, z)
    p = res.fitted
    exog = np.column_stack([np.ones(complete.height), z.to_numpy()])
    grad = exog * (n * p * (1 - p))[:, None]
    se = np.sqrt(np.maximum(np.einsum("rk,kl,rl->r", grad, res.cov, grad), 0.0))
    wijken = complete.select("wijk_code", "gemeente_code", "numerator", "denominator").with_columns(
        pl.Series("expected", n * p), pl.Series("expected_se", se)
    )
    stats = {
        "n_wijken": float(complete.height),
        "n_excluded": float(data.height - complete.height),
        "n_gemeenten": float(complete["gemeente_code"].n_unique()),
        "explained_deviance": 1 - res.deviance / res.null_deviance,
        "dispersion": res.dispersion,
        "actual_total": float(y.sum()),
        "expected_total": float((n * p).sum()),
    }
    return WijkFit(WIJK_YEAR, coefficients, stats, wijken, terms.to_numpy().astype(float), res.cov)


def between_gemeente_r2(store: Store) -> tuple[float, float]:
    """In-sample R² of the wijk shares (units equal, weighted by youths) when each wijk is given
    its gemeente's pooled share: how much of the variance between wijken lies between gemeenten."""
    fit = fit_wijken(store)
    frame = fit.wijken.with_columns(
        pooled=pl.col("numerator").sum().over("gemeente_code")
        / pl.col("denominator").sum().over("gemeente_code")
    )
    share = (frame["numerator"] / frame["denominator"]).to_numpy()
    pooled = frame["pooled"].to_numpy()
    n = frame["denominator"].to_numpy().astype(float)
    return crossval.r_squared(share, pooled), crossval.r_squared(share, pooled, n)


def wijk_quality(store: Store) -> crossval.Quality:
    """Out-of-sample R² of the wijk shares, folds grouped by gemeente, and its baseline."""
    fit = fit_wijken(store)
    return store.cached(
        "wijk_quality",
        lambda: crossval.cross_validate(
            fit.wijken["numerator"].to_numpy().astype(float),
            fit.wijken["denominator"].to_numpy().astype(float),
            fit.design,
            fit.wijken["gemeente_code"].to_numpy(),
        ),
    )


def wijk_values(store: Store) -> pl.DataFrame:
    """Every wijk of 2022 with actual and expected jeugdzorg, the residual and its ventile.

    Columns: wijk_code, name, gemeente_code, numerator (null when suppressed), denominator,
    expected, rate, expected_rate, difference_pp, ratio, ratio_ci_low/high, signal, group (1..20
    among all wijken of NL with a shown count and an expectation, by difference_pp; null
    otherwise), reason (why a wijk has no group), suppressed (count below 10).
    """

    def compute() -> pl.DataFrame:
        fit = fit_wijken(store)
        log_se = (
            (1 - pl.col("numerator") / pl.col("denominator")) / pl.col("numerator")
            + (pl.col("expected_se") / pl.col("expected")) ** 2
        ).sqrt()
        values = (
            wijk_background(store)
            .select("wijk_code", "name", "gemeente_code", "numerator", "denominator", "reason")
            .join(
                fit.wijken.select("wijk_code", "expected", "expected_se"),
                on="wijk_code",
                how="left",
            )
            .with_columns(
                rate=pl.col("numerator") / pl.col("denominator"),
                expected_rate=pl.col("expected") / pl.col("denominator"),
                ratio=pl.col("numerator") / pl.col("expected"),
            )
            .with_columns(
                difference_pp=100 * (pl.col("rate") - pl.col("expected_rate")),
                ratio_ci_low=pl.col("ratio") * (-Z95 * log_se).exp(),
                ratio_ci_high=pl.col("ratio") * (Z95 * log_se).exp(),
                suppressed=(pl.col("numerator") < MIN_COUNT).fill_null(True)
                | (pl.col("denominator") < MIN_COUNT).fill_null(True),
            )
            .with_columns(
                signal=pl.when(pl.col("ratio_ci_low") > 1)
                .then(pl.lit("hoger dan verwacht"))
                .when(pl.col("ratio_ci_high") < 1)
                .then(pl.lit("lager dan verwacht"))
                .otherwise(pl.lit(None, pl.String))
            )
        )
        ranked = values.filter(~pl.col("suppressed") & pl.col("expected").is_not_null())
        groups = ventile_groups(ranked, "difference_pp", "wijk_code").select("wijk_code", "group")
        return values.join(groups, on="wijk_code", how="left").sort("gemeente_code", "wijk_code")

    return store.cached("wijk_values", compute)


def wijk_ventiles(store: Store, n_groups: int = N_VENTILES) -> pl.DataFrame:
    """The national wijk ventiles: group, mean, min, max of actual − expected (pp), n_regions."""
    values = wijk_values(store)
    return store.cached(
        ("wijk_ventiles", n_groups),
        lambda: ventile_means(
            values.filter(pl.col("group").is_not_null()), "difference_pp", "wijk_code", n_groups
        ),
    )


def gemeente_wijken(store: Store, code: str) -> pl.DataFrame:
    """The `wijk_values` rows of one 2024 gemeente (all its 2022 wijken, also of merged parts)."""
    parts = store.cached(
        "wijk_values_by_gemeente",
        lambda: wijk_values(store).partition_by("gemeente_code", as_dict=True),
    )
    found = parts.get((code,))
    return found if found is not None else wijk_values(store).clear()
