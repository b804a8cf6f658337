"""Out-of-sample quality of a binomial share model: grouped k-fold cross-validation and R².

A model that explains the shares it was fitted on can still predict new units badly (it may
follow noise, or extrapolate), so the expected-use models are judged on units they did not see.
Units are split into k folds by *group*: for gemeenten each gemeente is its own group; for wijken
the group is the gemeente, so a gemeente's wijken are never split between training and test (a
wijk is then predicted by a model that has seen no wijk of its gemeente: the honest question for
a gemeente that wants to know what to expect). Each fold is predicted by the model fitted on the
other folds, with its predictors standardised on those folds only.

R² of the shares = 1 − Σ w·(y − ŷ)² / Σ w·(y − ȳ)², over all units with their out-of-fold
prediction ŷ, where ȳ is the (weighted) mean share of all units. Two weightings are reported:
every unit equally (w = 1: "how well are gemeenten/wijken told apart") and by size (w = the
denominator: "how well are youths placed", which keeps tiny units with noisy shares from
dominating). The baseline is the model without predictors, cross-validated the same way: it
predicts the pooled share of the training folds, so its R² is at or just below 0.

Binomial noise alone limits any model: a unit of n youths with share p varies by p(1 − p)/n
around its own true share. `noise_share` is that expected noise as a fraction of the total
variance: R² cannot meaningfully exceed 1 − noise_share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_FOLDS = 10
DEFAULT_REPEATS = 5
SEED = 20240101


def fold_ids(groups: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0..k−1) per unit: the distinct groups, sorted and shuffled with `seed`, are
    dealt round-robin over the folds, so every group lies in exactly one fold."""
    distinct, index = np.unique(np.asarray(groups), return_inverse=True)
    if len(distinct) < k:
        raise ValueError(f"{len(distinct)} groups cannot be split into {k} folds")
    order = np.random.default_rng(seed).permutation(len(distinct))
    fold_of_group = np.empty(len(distinct), dtype=int)
    fold_of_group[order] = np.arange(len(distinct)) % k
    return fold_of_group[index]


def fit_logit(
    successes: np.ndarray, trials: np.ndarray, design: np.ndarray, max_iter: int = 50
) -> np.ndarray:
    """Binomial ML coefficients (intercept first) of logit(successes/trials) ~ 1 + design.

    Newton-Raphson (= IRLS for the canonical logit link) in numpy: cross-validation fits each
    model 50 times, and statsmodels' GLM costs 8-10× more per fit in object set-up than the
    few small solves it needs. tests/test_model.py checks it equals statsmodels' fit.
    """
    exog = np.column_stack([np.ones(len(trials)), design])
    beta = np.zeros(exog.shape[1])
    pooled = successes.sum() / trials.sum()
    beta[0] = np.log(pooled / (1 - pooled))
    for _ in range(max_iter):
        p = 1 / (1 + np.exp(-(exog @ beta)))
        weight = trials * p * (1 - p)
        step = np.linalg.solve(exog.T @ (exog * weight[:, None]), exog.T @ (successes - trials * p))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            return beta
    raise RuntimeError(f"logit fit did not converge in {max_iter} iterations")


def out_of_fold(
    successes: np.ndarray, trials: np.ndarray, design: np.ndarray, folds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold predicted shares of the model and of the intercept-only baseline."""
    predicted = np.empty(len(trials))
    baseline = np.empty(len(trials))
    for fold in np.unique(folds):
        test, train = folds == fold, folds != fold
        mean = design[train].mean(axis=0)
        sd = design[train].std(axis=0)
        sd[sd == 0] = 1.0
        params = fit_logit(successes[train], trials[train], (design[train] - mean) / sd)
        eta = params[0] + ((design[test] - mean) / sd) @ params[1:]
        predicted[test] = 1 / (1 + np.exp(-eta))
        baseline[test] = successes[train].sum() / trials[train].sum()
    return predicted, baseline


def r_squared(share: np.ndarray, predicted: np.ndarray, weights: np.ndarray | None = None) -> float:
    """1 − Σ w(y − ŷ)² / Σ w(y − ȳ_w)²: the share of the variance of `share` that `predicted` explains."""
    w = np.ones(len(share)) if weights is None else np.asarray(weights, dtype=float)
    mean = float((w * share).sum() / w.sum())
    total = float((w * (share - mean) ** 2).sum())
    return 1 - float((w * (share - predicted) ** 2).sum()) / total


def noise_share(share: np.ndarray, trials: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Expected binomial noise Σ w·p(1 − p)/n as a fraction of the total variance of the shares."""
    w = np.ones(len(share)) if weights is None else np.asarray(weights, dtype=float)
    mean = float((w * share).sum() / w.sum())
    total = float((w * (share - mean) ** 2).sum())
    return float((w * share * (1 - share) / trials).sum()) / total


@dataclass(frozen=True)
class Quality:
    """Cross-validated R² of a share model and of its intercept-only baseline (mean of repeats)."""

    r2: float  # every unit equally
    r2_baseline: float
    r2_weighted: float  # weighted by the denominator
    r2_weighted_baseline: float
    noise: float  # expected binomial noise / total variance (units equally)
    noise_weighted: float
    r2_spread: float  # max − min of r2 over the repeats (how much the fold split matters)
    n_units: int
    n_groups: int
    folds: int
    repeats: int


def cross_validate(
    successes: np.ndarray,
    trials: np.ndarray,
    design: np.ndarray,
    groups: np.ndarray,
    *,
    folds: int = DEFAULT_FOLDS,
    repeats: int = DEFAULT_REPEATS,
    seed: int = SEED,
) -> Quality:
    """Grouped k-fold cross-validation, repeated with `repeats` different (seeded) fold splits."""
    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    design = np.asarray(design, dtype=float)
    share = successes / trials
    scores = []
    for rep in range(repeats):
        split = fold_ids(groups, folds, seed + rep)
        predicted, baseline = out_of_fold(successes, trials, design, split)
        scores.append(
            (
                r_squared(share, predicted),
                r_squared(share, baseline),
                r_squared(share, predicted, trials),
                r_squared(share, baseline, trials),
            )
        )
    mean = np.mean(scores, axis=0)
    r2s = [s[0] for s in scores]
    return Quality(
        r2=float(mean[0]),
        r2_baseline=float(mean[1]),
        r2_weighted=float(mean[2]),
        r2_weighted_baseline=float(mean[3]),
        noise=noise_share(share, trials),
        noise_weighted=noise_share(share, trials, trials),
        r2_spread=float(max(r2s) - min(r2s)),
        n_units=len(trials),
        n_groups=len(np.unique(groups)),
        folds=folds,
        repeats=repeats,
    )
