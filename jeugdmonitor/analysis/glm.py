"""The binomial GLM itself (statsmodels), with HC3 standard errors, the coefficient table and
variance inflation factors: numbers in, numbers out, no store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

from jeugdmonitor.analysis.model_inputs import INTERCEPT
from jeugdmonitor.analysis.stats import Z95

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


def coefficient_table(
    res: Any, labels: list[str], terms: pl.DataFrame, z: pl.DataFrame
) -> pl.DataFrame:
    """Per term of a fit on standardised predictors `z` (intercept first): estimate, SE, 95%
    interval, odds ratio per SD with its interval, and the SD, mean and VIF of the predictor as
    it was (`terms`). One table for the gemeente and the wijk models."""
    names = z.columns
    half = Z95 * res.bse
    inflation = vif(z)
    return pl.DataFrame(
        {
            "term": res.terms,
            "label": ["Constante", *labels],
            "estimate": res.params,
            "std_error": res.bse,
            "ci_low": res.params - half,
            "ci_high": res.params + half,
            "odds_ratio": np.exp(res.params),
            "or_ci_low": np.exp(res.params - half),
            "or_ci_high": np.exp(res.params + half),
            "sd": [None, *(float(terms[c].std()) for c in names)],
            "mean": [None, *(float(terms[c].mean()) for c in names)],
            "vif": [None, *(inflation[c] for c in names)],
        }
    )


def vif(design: pl.DataFrame) -> dict[str, float]:
    """Variance inflation factor per predictor (diagonal of the inverse correlation matrix)."""
    if design.width < 2:
        return dict.fromkeys(design.columns, 1.0)
    corr = np.corrcoef(design.to_numpy().astype(float), rowvar=False)
    return dict(zip(design.columns, np.diag(np.linalg.inv(corr)).tolist(), strict=True))
