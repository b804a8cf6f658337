"""The expected-use model: known coefficients are recovered, totals add up, regions aggregate."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
from scipy.stats import norm

from jeugdmonitor import model
from jeugdmonitor.regions import REGION_TYPES
from jeugdmonitor.store import load

TRUE_BETA = np.array([-2.0, 0.10, 0.15, 0.20, -0.05])
PREDICTORS = ["armoede", "eenoudergezin", "achterstandsleerlingen", "stedelijkheid"]


@pytest.fixture(scope="module")
def store():
    return load()


@pytest.fixture(scope="module")
def design(store):
    """The real (collinear) standardised predictors and youth counts of the bundled gemeenten."""
    bg = model.background(store)
    z = bg.select(((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).alias(c) for c in PREDICTORS)
    return z, bg["youths"].to_numpy()


def simulate(design, rng, local_sd=0.0):
    z, n = design
    eta = np.column_stack([np.ones(len(n)), z.to_numpy()]) @ TRUE_BETA
    eta = eta + local_sd * rng.standard_normal(len(n))
    return rng.binomial(n, 1 / (1 + np.exp(-eta)))


def test_recovers_known_coefficients_within_their_intervals(design):
    """Data simulated with known coefficients: the fit recovers every one within its interval.

    One data set is one lucky or unlucky draw (five separate 95% intervals all hold only ~77% of
    the time), so this checks 100 data sets: all five coefficients inside their simultaneous
    (Bonferroni) 95% intervals in at least 90% of them, and no bias beyond Monte Carlo error.
    """
    z, n = design
    rng = np.random.default_rng(7)
    z_joint = float(norm.ppf(1 - 0.05 / (2 * len(TRUE_BETA))))
    reps, all_inside, estimates = 100, 0, []
    for _ in range(reps):
        res = model.fit_binomial(simulate(design, rng), n, z)
        assert res.terms == ["const", *PREDICTORS]
        assert np.all(2 * model.Z95 * res.bse < 0.5)  # informative, not trivially wide
        all_inside += bool(np.all(np.abs(res.params - TRUE_BETA) <= z_joint * res.bse))
        estimates.append(res.params)
    estimates = np.array(estimates)
    assert all_inside / reps >= 0.90, all_inside
    mc_error = estimates.std(axis=0) / np.sqrt(reps)
    assert np.all(np.abs(estimates.mean(axis=0) - TRUE_BETA) <= 3 * mc_error)


@pytest.mark.parametrize(("local_sd", "low"), [(0.0, 0.90), (0.1, 0.85)])
def test_interval_coverage_in_repeated_simulation(design, local_sd, low):
    """95% intervals cover the truth ~95% of the time, also with extra gemeente-level variation."""
    z, n = design
    rng = np.random.default_rng(2024)
    reps, hits = 200, np.zeros(len(TRUE_BETA))
    for _ in range(reps):
        res = model.fit_binomial(simulate(design, rng, local_sd), n, z)
        hits += np.abs(res.params - TRUE_BETA) <= model.Z95 * res.bse
    coverage = hits / reps
    assert np.all(coverage >= low), coverage
    assert np.all(coverage <= 0.99), coverage


def test_every_care_form_is_fitted_with_every_varying_predictor(store):
    fits = model.fit_all(store)
    assert set(fits) == {f.key for f in model.CARE_FORMS}
    assert {"lokaal_team", "jeugd_ggz", "lvb", "jeugdbescherming", "jeugdreclassering"} <= set(fits)
    for fit in fits.values():
        # the age structure is estimated from each gemeente's own five-year bands: it varies
        assert fit.predictors == [*PREDICTORS, "aandeel_12_18"] and not fit.dropped
        assert fit.coefficients.height == len(fit.predictors) + 1
        assert (fit.coefficients["ci_low"] < fit.coefficients["estimate"]).all()
        assert (fit.coefficients["estimate"] < fit.coefficients["ci_high"]).all()
        assert 0 < fit.stats["explained_deviance"] < 1
        outcomes = store.indicators.filter(
            (pl.col("indicator") == fit.form.indicator)
            & (pl.col("breakdown") == fit.form.breakdown)
            & (pl.col("year") == fit.year)
        )
        assert fit.stats["n_gemeenten"] == outcomes.height


@pytest.mark.parametrize("form", [f.key for f in model.CARE_FORMS])
def test_expected_total_equals_actual_total_over_gemeenten(store, form):
    values = model.expected_values(store, form, "gemeente")
    actual, expected = values["numerator"].sum(), values["expected"].sum()
    assert abs(expected / actual - 1) < 0.005
    assert values.height == 342


@pytest.mark.parametrize("region_type", REGION_TYPES)
def test_regions_sum_member_expectations(store, region_type):
    """Every level adds up to the same national totals (membership weights sum to 1)."""
    gm = model.expected_values(store, "jeugdhulp", "gemeente")
    level = model.expected_values(store, "jeugdhulp", region_type)
    assert level["expected"].sum() == pytest.approx(gm["expected"].sum(), rel=1e-9)
    assert level["numerator"].sum() == pytest.approx(gm["numerator"].sum(), rel=1e-9)
    assert (level["n_missing"] == 0).all()


def test_jeugdregio_expected_is_sum_of_its_gemeenten(store):
    gm = model.expected_values(store, "jeugdbescherming", "gemeente")
    members = store.membership.filter(pl.col("region_code") == "JZ01")["gemeente_code"]
    region = model.expected_values(store, "jeugdbescherming", "jeugdregio").filter(
        pl.col("region_code") == "JZ01"
    )
    want = gm.filter(pl.col("region_code").is_in(members.implode()))["expected"].sum()
    assert region["expected"][0] == pytest.approx(want)


def test_nl_is_the_reference(store):
    nl = model.region_expected(store, "NL01")
    assert nl.height == len(model.CARE_FORMS)
    assert np.allclose(nl["ratio"].to_numpy(), 1.0, atol=1e-9)
    assert nl["signal"].is_null().all()


def test_residuals_and_interval_are_consistent(store):
    values = model.expected_values(store, "jeugdhulp", "gemeente")
    assert np.allclose(values["difference"], values["numerator"] - values["expected"])
    assert (values["ratio_ci_low"] <= values["ratio"]).all()
    assert (values["ratio"] <= values["ratio_ci_high"]).all()
    higher = values.filter(pl.col("signal") == "hoger dan verwacht")
    assert higher.height > 0 and (higher["ratio_ci_low"] > 1).all()


def test_contributions_explain_the_linear_predictor(store):
    """β·z summed over predictors + intercept gives the expected log-odds of a gemeente."""
    fit = model.fit_form(store, "jeugdhulp")
    contrib = model.contributions(store, "GM0363", "jeugdhulp")
    intercept = fit.coefficients.filter(pl.col("term") == "const")["estimate"][0]
    row = fit.gemeenten.filter(pl.col("gemeente_code") == "GM0363").row(0, named=True)
    p = row["expected"] / row["denominator"]
    assert intercept + contrib["contribution"].sum() == pytest.approx(np.log(p / (1 - p)))


def test_missing_predictor_excludes_the_gemeente_and_says_so(store):
    dropped = store.indicators.filter(
        ~((pl.col("indicator") == "armoede") & (pl.col("gemeente_code") == "GM0060"))
    )
    broken = dataclasses.replace(store, indicators=dropped, _cache={})
    fit = model.fit_form(broken, "jeugdhulp")
    assert fit.stats["n_excluded"] == 1
    nl = model.expected_values(broken, "jeugdhulp", "nederland")
    assert nl["n_missing"][0] == 1
    assert nl["expected"][0] == pytest.approx(nl["numerator"][0], rel=1e-9)


def test_bad_input_gives_clear_errors(store):
    with pytest.raises(KeyError, match="unknown care form 'bogus'"):
        model.fit_form(store, "bogus")
    with pytest.raises(KeyError, match="unknown region code 'GM9999'"):
        model.region_expected(store, "GM9999")
    with pytest.raises(KeyError, match="unknown region type"):
        model.expected_values(store, "jeugdhulp", "wijk")
