"""The expected-use model: real predictors, known coefficients recovered (HC3), totals add up,
regions aggregate with coverage, cross-validation never sees its test units, the wijk model."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import norm
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

from jeugdmonitor.analysis import crossval, model, wijk_model
from jeugdmonitor.analysis.indicators import COVERAGE_MIN
from jeugdmonitor.data.regions import REGION_TYPES
from jeugdmonitor.data.store import load

REAL = ["jeugdzorg", "jeugdhulp", "jeugdhulp_verblijf", "jeugdbescherming", "jeugdreclassering"]
SIMULATED = ["lokaal_team", "ambulant", "pleegzorg", "jeugdzorgplus", "instelling", "jeugd_ggz",
             "lvb"]  # fmt: skip
NO_INCOME = {"GM0088", "GM0096", "GM0277"}  # Schiermonnikoog, Vlieland, Rozendaal: CBS has none
TRUE_BETA = np.array([-2.0, 0.10, -0.05, 0.15, -0.10, 0.05, -0.08, 0.06])


@pytest.fixture(scope="module")
def store():
    return load()


@pytest.fixture(scope="module")
def design(store):
    """The real (collinear) standardised model terms and youth counts of the gemeenten in the fit."""
    fit = model.fit_form(store, "jeugdzorg")
    z = (fit.design - fit.design.mean(axis=0)) / fit.design.std(axis=0, ddof=1)
    frame = pl.DataFrame(z, schema=fit.predictors, orient="row")
    return frame, fit.gemeenten["youths"].to_numpy()


def simulate(design, rng, local_sd=0.0):
    z, n = design
    eta = np.column_stack([np.ones(len(n)), z.to_numpy()]) @ TRUE_BETA
    eta = eta + local_sd * rng.standard_normal(len(n))
    return rng.binomial(n, 1 / (1 + np.exp(-eta)))


# ------------------------------------------------------------------------ the predictors


def context_value(store, code, variable, year):
    row = store.context.filter(
        pl.col("gemeente_code") == code, pl.col("variable") == variable, pl.col("year") == year
    )
    return row["value"][0] if row.height else None


@pytest.mark.parametrize("code", ["GM0344", "GM1900", "GM0363"])
def test_predictors_are_the_real_cbs_figures(store, code):
    """Every predictor recomputed straight from the context and population tables."""
    bg = model.background(store).filter(pl.col("gemeente_code") == code).row(0, named=True)
    assert bg["laag_inkomen"] == pytest.approx(context_value(store, code, "pct_laag_inkomen", 2021))
    assert bg["sociaal_minimum"] == pytest.approx(
        context_value(store, code, "pct_sociaal_minimum", 2021)
    )
    assert bg["bijstand"] == pytest.approx(
        1000
        * context_value(store, code, "bijstand", 2021)
        / context_value(store, code, "inwoners", 2021)
    )
    assert bg["huishoudens_met_kinderen"] == pytest.approx(
        100
        * context_value(store, code, "huishoudens_met_kinderen", 2022)
        / context_value(store, code, "huishoudens", 2022)
    )
    assert bg["stedelijkheid"] == pytest.approx(
        np.log(context_value(store, code, "adressendichtheid", 2022))
    )
    assert bg["inkomen"] == pytest.approx(
        context_value(store, code, "inkomen_gestandaardiseerd_mediaan", 2024)
    )
    pop = store.population.filter(pl.col("gemeente_code") == code, pl.col("year") == 2022)
    ages = dict(pop.select("age_group", "population").iter_rows())
    youths = ages["0-4"] + ages["4-12"] + ages["12-18"]
    assert bg["youths"] == youths
    assert bg["aandeel_12_18"] == pytest.approx(100 * ages["12-18"] / youths)
    assert model.predictor_years(store) == {
        "laag_inkomen": 2021, "sociaal_minimum": 2021, "bijstand": 2021,
        "huishoudens_met_kinderen": 2022, "stedelijkheid": 2022, "inkomen": 2024,
    }  # fmt: skip


def test_no_simulated_indicator_feeds_the_predictors(store):
    """The background depends on context and population only: wiping every simulated indicator
    row changes no predictor value."""
    real_only = dataclasses.replace(
        store, indicators=store.indicators.filter(~pl.col("is_simulated")), _cache={}
    )
    assert model.background(real_only, 2022).equals(model.background(store))


# -------------------------------------------------------------------- the GLM and its HC3 covariance


def test_recovers_known_coefficients_within_their_intervals(design):
    """Data simulated with known coefficients on the real design: the fit recovers every one
    within its interval.

    One data set is one lucky or unlucky draw (eight separate 95% intervals all hold only ~66% of
    the time), so this checks 100 data sets: all coefficients inside their simultaneous
    (Bonferroni) 95% intervals in at least 90% of them, and no bias beyond Monte Carlo error.
    """
    z, n = design
    rng = np.random.default_rng(7)
    z_joint = float(norm.ppf(1 - 0.05 / (2 * len(TRUE_BETA))))
    reps, all_inside, estimates = 100, 0, []
    for _ in range(reps):
        res = model.fit_binomial(simulate(design, rng), n, z)
        assert res.terms == ["const", *z.columns]
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


def test_hc3_equals_the_jackknife_formula_by_hand(design):
    """HC3 = (X'WX)⁻¹ X' diag(e²/(1−h)²) X (X'WX)⁻¹, computed here without `hc3_covariance`."""
    z, n = design
    y = simulate(design, np.random.default_rng(3), 0.1)
    res = model.fit_binomial(y, n, z)
    x = np.column_stack([np.ones(len(n)), z.to_numpy()])
    p = res.fitted
    w = n * p * (1 - p)
    bread = np.linalg.inv((x * w[:, None]).T @ x)
    h = np.array([w[i] * x[i] @ bread @ x[i] for i in range(len(n))])
    e = (y - n * p) / (1 - h)
    meat = sum(np.outer(x[i], x[i]) * e[i] ** 2 for i in range(len(n)))
    assert np.allclose(bread @ meat @ bread, res.cov, rtol=1e-9, atol=0)


# ----------------------------------------------------------------------------------- the fits


def test_every_care_form_is_fitted_on_real_predictors(store):
    fits = model.fit_all(store)
    assert list(fits) == REAL + SIMULATED
    incomes = set(
        store.context.filter(pl.col("variable") == "inkomen_gestandaardiseerd_mediaan")[
            "gemeente_code"
        ]
    )
    for key, fit in fits.items():
        assert fit.predictors == list(model.PREDICTORS) and not fit.dropped
        assert fit.simulated == (key in SIMULATED)
        assert fit.coefficients.height == len(fit.predictors) + 1
        assert (fit.coefficients["ci_low"] < fit.coefficients["estimate"]).all()
        assert (fit.coefficients["estimate"] < fit.coefficients["ci_high"]).all()
        assert 0 < fit.stats["explained_deviance"] < 1
        outcomes = store.indicators.filter(
            (pl.col("indicator") == fit.form.indicator)
            & (pl.col("breakdown") == fit.form.breakdown)
            & (pl.col("year") == fit.year)
            # a merged gemeente counted over too few of its former gemeenten has no value
            & (pl.col("coverage").is_null() | (pl.col("coverage") >= 0.9))
        )
        with_income = outcomes.filter(pl.col("gemeente_code").is_in(list(incomes)))
        assert fit.stats["n_gemeenten"] == with_income.height
        assert fit.stats["n_gemeenten"] + fit.stats["n_excluded"] == 342
        no_income = fit.excluded.filter(pl.col("reason").str.contains("inkomen"))
        assert set(no_income["gemeente_code"]) == NO_INCOME


def test_outcomes_are_2022_and_jeugdreclassering_keeps_its_own_denominator(store):
    fit = model.fit_form(store, "jeugdreclassering")
    assert fit.year == 2022
    row = fit.gemeenten.filter(pl.col("gemeente_code") == "GM0344").row(0, named=True)
    cbs = store.indicators.filter(
        pl.col("indicator") == "jeugdreclassering",
        pl.col("gemeente_code") == "GM0344",
        pl.col("year") == 2022,
    ).row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (cbs["numerator"], cbs["denominator"])
    # CBS suppressed the other gemeenten' counts; Amsterdam counts without Weesp (< 10)
    assert fit.stats["n_gemeenten"] == 185


@pytest.mark.parametrize("form", REAL + SIMULATED)
def test_expected_total_equals_actual_total_over_gemeenten(store, form):
    values = model.expected_values(store, form, "gemeente")
    actual, expected = values["numerator"].sum(), values["expected"].sum()
    assert abs(expected / actual - 1) < 1e-6
    assert values.height == 342


@pytest.mark.parametrize("region_type", REGION_TYPES)
def test_regions_sum_member_expectations(store, region_type):
    """Every level adds up to the same national totals (membership weights sum to 1); the only
    members left out are the three gemeenten without an income figure."""
    gm = model.expected_values(store, "jeugdhulp", "gemeente")
    level = model.expected_values(store, "jeugdhulp", region_type)
    assert level["numerator"].null_count() == (len(NO_INCOME) if region_type == "gemeente" else 0)
    assert level["expected"].sum() == pytest.approx(gm["expected"].sum(), rel=1e-9)
    assert level["numerator"].sum() == pytest.approx(gm["numerator"].sum(), rel=1e-9)
    members = store.membership.filter(pl.col("gemeente_code").is_in(list(NO_INCOME)))
    expected_missing = (
        level.select("region_code")
        .join(members.group_by("region_code").len("n"), on="region_code", how="left")
        .sort("region_code")["n"]
        .fill_null(0)
    )
    assert level.sort("region_code")["n_missing"].to_list() == expected_missing.to_list()


def test_jeugdregio_expected_is_sum_of_its_gemeenten(store):
    gm = model.expected_values(store, "jeugdbescherming", "gemeente")
    members = store.membership.filter(pl.col("region_code") == "JZ01")["gemeente_code"]
    region = model.expected_values(store, "jeugdbescherming", "jeugdregio").filter(
        pl.col("region_code") == "JZ01"
    )
    want = gm.filter(pl.col("region_code").is_in(members.implode()))["expected"].sum()
    assert region["expected"][0] == pytest.approx(want)


def test_region_below_coverage_gets_no_ratio_and_says_why(store):
    """Jeugdreclassering: CBS suppressed 155 small gemeenten, so Fryslân's members in the fit hold
    less than 90% of its youths (computed here from membership and population)."""
    fit = model.fit_form(store, "jeugdreclassering")
    in_fit = set(fit.gemeenten["gemeente_code"])
    youths = dict(model.background(store).select("gemeente_code", "youths").iter_rows())
    for region_type, code in (("provincie", "PV21"), ("nederland", "NL01"), ("jeugdregio", "JZ01")):
        members = store.membership.filter(pl.col("region_code") == code)
        total = sum(w * youths[g] for g, w in members.select("gemeente_code", "weight").iter_rows())
        covered = sum(
            w * youths[g]
            for g, w in members.select("gemeente_code", "weight").iter_rows()
            if g in in_fit
        )
        row = (
            model.expected_values(store, "jeugdreclassering", region_type)
            .filter(pl.col("region_code") == code)
            .row(0, named=True)
        )
        assert row["coverage"] == pytest.approx(covered / total)
        if covered / total < COVERAGE_MIN:
            assert row["ratio"] is None and row["numerator"] is None
            assert row["note"].startswith("geen waarde")
        else:
            assert row["ratio"] is not None
    assert (
        model.expected_values(store, "jeugdreclassering", "provincie").filter(
            pl.col("region_code") == "PV21"
        )["ratio"][0]
        is None
    )  # Fryslân: 84% of its youths


def test_nl_is_the_reference(store):
    nl = model.region_expected(store, "NL01")
    assert nl.height == len(model.CARE_FORMS)
    shown = nl.filter(pl.col("ratio").is_not_null())
    assert set(shown["care_form"]) == set(REAL + SIMULATED) - {"jeugdreclassering"}
    assert np.allclose(shown["ratio"].to_numpy(), 1.0, atol=1e-9)
    assert shown["signal"].is_null().all()
    jr = nl.filter(pl.col("care_form") == "jeugdreclassering").row(0, named=True)
    assert "185 van 342" in jr["note"]


def test_simulated_forms_give_simulated_expectations_everywhere(store):
    for key in SIMULATED:
        assert model.expected_values(store, key, "gemeente")["is_simulated"].all()
    for key in REAL:
        assert not model.expected_values(store, key, "provincie")["is_simulated"].any()


def test_residuals_and_interval_are_consistent(store):
    values = model.expected_values(store, "jeugdhulp", "gemeente").drop_nulls("ratio")
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
    assert model.contributions(store, "GM0088", "jeugdhulp")["contribution"].is_null().all()


def test_missing_predictor_excludes_the_gemeente_and_says_so(store):
    dropped = store.context.filter(
        ~((pl.col("variable") == "pct_laag_inkomen") & (pl.col("gemeente_code") == "GM0060"))
    )
    broken = dataclasses.replace(store, context=dropped, _cache={})
    fit = model.fit_form(broken, "jeugdhulp")
    assert fit.stats["n_excluded"] == len(NO_INCOME) + 1
    reason = fit.excluded.filter(pl.col("gemeente_code") == "GM0060")["reason"][0]
    assert reason == "CBS publiceert geen huishoudens met een laag inkomen voor deze gemeente"
    gm = model.expected_values(broken, "jeugdhulp", "gemeente").filter(
        pl.col("region_code") == "GM0060"
    )
    assert gm["ratio"][0] is None and gm["note"][0] == reason
    nl = model.expected_values(broken, "jeugdhulp", "nederland")
    assert nl["n_missing"][0] == len(NO_INCOME) + 1
    assert nl["expected"][0] == pytest.approx(nl["numerator"][0], rel=1e-9)


def test_bad_input_gives_clear_errors(store):
    with pytest.raises(KeyError, match="unknown care form 'bogus'"):
        model.fit_form(store, "bogus")
    with pytest.raises(KeyError, match="unknown region code 'GM9999'"):
        model.region_expected(store, "GM9999")
    with pytest.raises(KeyError, match="unknown region type"):
        model.expected_values(store, "jeugdhulp", "wijk")


# --------------------------------------------------------------------------- cross-validation


def test_numpy_logit_fit_equals_statsmodels(design):
    z, n = design
    y = simulate(design, np.random.default_rng(11), 0.1).astype(float)
    ours = crossval.fit_logit(y, n.astype(float), z.to_numpy())
    exog = np.column_stack([np.ones(len(n)), z.to_numpy()])
    theirs = GLM(y / n, exog, family=Binomial(), var_weights=n).fit().params
    assert np.allclose(ours, theirs, rtol=1e-8, atol=1e-10)


def test_folds_keep_groups_together_and_are_seeded():
    groups = np.array([f"GM{i % 37:04d}" for i in range(400)])
    folds = crossval.fold_ids(groups, 10, seed=5)
    for g in np.unique(groups):
        assert len(set(folds[groups == g])) == 1
    assert set(folds) == set(range(10))
    assert (crossval.fold_ids(groups, 10, seed=5) == folds).all()
    assert not (crossval.fold_ids(groups, 10, seed=6) == folds).all()
    with pytest.raises(ValueError, match="cannot be split"):
        crossval.fold_ids(groups[:3], 10, seed=5)


def test_out_of_fold_predictions_never_see_their_unit(design):
    """Fold 0's predictions recomputed by hand: statsmodels on the other folds only (standardised
    on them), so a unit is always predicted by a model that did not see it."""
    z, n = design
    y = simulate(design, np.random.default_rng(5), 0.1).astype(float)
    n = n.astype(float)
    x = z.to_numpy()
    folds = crossval.fold_ids(np.arange(len(n)), 10, seed=1)
    predicted, baseline = crossval.out_of_fold(y, n, x, folds)
    test, train = folds == 0, folds != 0
    mean, sd = x[train].mean(axis=0), x[train].std(axis=0)
    exog = np.column_stack([np.ones(train.sum()), (x[train] - mean) / sd])
    params = GLM(y[train] / n[train], exog, family=Binomial(), var_weights=n[train]).fit().params
    eta = params[0] + ((x[test] - mean) / sd) @ params[1:]
    assert np.allclose(predicted[test], 1 / (1 + np.exp(-eta)), rtol=1e-9)
    assert np.allclose(baseline[test], y[train].sum() / n[train].sum())
    # changing the test units' own outcomes does not change their predictions
    y2 = y.copy()
    y2[test] = n[test] // 2
    again, _ = crossval.out_of_fold(y2, n, x, folds)
    assert np.allclose(again[test], predicted[test])


def test_r_squared_by_hand():
    share = np.array([0.1, 0.2, 0.3, 0.4])
    pred = np.array([0.15, 0.2, 0.25, 0.4])
    assert crossval.r_squared(share, pred) == pytest.approx(1 - 0.005 / 0.05)
    w = np.array([1.0, 1.0, 1.0, 3.0])
    mean = (share * w).sum() / w.sum()
    want = 1 - (w * (share - pred) ** 2).sum() / (w * (share - mean) ** 2).sum()
    assert crossval.r_squared(share, pred, w) == pytest.approx(want)
    assert crossval.r_squared(share, np.full(4, share.mean())) == pytest.approx(0.0)


def test_cross_validation_tells_signal_from_noise(design):
    """With a real signal R² beats the baseline by far; with predictors of pure noise it does
    not (out of sample, extra predictors can only hurt)."""
    z, n = design
    rng = np.random.default_rng(9)
    y = simulate(design, rng, 0.05)
    groups = np.arange(len(n))
    signal = crossval.cross_validate(y, n, z.to_numpy(), groups, repeats=2)
    assert signal.r2_weighted > 0.5 and signal.r2_weighted_baseline < 0.01
    noise = crossval.cross_validate(y, n, rng.standard_normal((len(n), 7)), groups, repeats=2)
    assert noise.r2_weighted < signal.r2_weighted_baseline + 0.02
    assert abs(noise.r2_baseline - signal.r2_baseline) < 1e-12  # same baseline, same folds


def test_quality_of_the_real_forms(store):
    """Out-of-sample R² beats the model without predictors for every real form, the baseline
    is at or just below 0, and the heavy forms are explained better than jeugdzorg as a whole."""
    q = {key: model.quality(store, key) for key in REAL}
    for key, quality in q.items():
        assert quality.r2 > quality.r2_baseline, key
        assert quality.r2_weighted > quality.r2_weighted_baseline, key
        # (jeugdreclassering's baseline is the lowest: Amsterdam, high and large, is in its fit)
        assert -0.15 < quality.r2_baseline <= 0.0 and -0.15 < quality.r2_weighted_baseline <= 0.0
        assert quality.n_units == model.fit_form(store, key).stats["n_gemeenten"]
        assert quality.r2_spread < 0.05  # the fold split does not decide the number
    for heavy in ("jeugdhulp_verblijf", "jeugdbescherming", "jeugdreclassering"):
        assert q[heavy].r2_weighted > q["jeugdzorg"].r2_weighted + 0.2


# ------------------------------------------------------------------------------- the wijk model


def test_wijk_predictors_match_2021_income_by_code_within_the_gemeente(store):
    bg = wijk_model.wijk_background(store)
    assert bg.height == store.wijken.filter(pl.col("year") == 2022).height
    w21 = store.wijken.filter(pl.col("year") == 2021)
    w22 = store.wijken.filter(pl.col("year") == 2022)
    # a wijk present in both years with similar households: its 2021 low income, logged
    pair = (
        w22.join(w21, on=["wijk_code", "gemeente_code"], suffix="_21")
        .filter(
            pl.col("p_hh_lkk_21").is_not_null(),
            (pl.col("a_hh") / pl.col("a_hh_21") - 1).abs() < 0.05,
        )
        .row(0, named=True)
    )
    mine = bg.filter(pl.col("wijk_code") == pair["wijk_code"]).row(0, named=True)
    assert mine["laag_inkomen"] == pytest.approx(np.log1p(pair["p_hh_lkk_21"]))
    assert mine["bijstand"] == pytest.approx(
        np.log1p(1000 * pair["a_soz_wb_21"] / pair["a_inw_21"])
    )
    assert mine["huishoudens_met_kinderen"] == pytest.approx(100 * pair["a_hh_m_k"] / pair["a_hh"])
    # a redrawn wijk (households changed by more than a quarter) gets no 2021 income
    redrawn = w22.join(w21, on=["wijk_code", "gemeente_code"], suffix="_21").filter(
        (pl.col("a_hh") / pl.col("a_hh_21") - 1).abs() > wijk_model.REDRAWN,
        pl.col("p_hh_lkk_21").is_not_null(),
    )
    assert redrawn.height > 0
    assert (
        bg.filter(pl.col("wijk_code").is_in(redrawn["wijk_code"].implode()))["laag_inkomen"]
        .is_null()
        .all()
    )


def test_wijk_fit_uses_only_wijken_with_a_count_and_every_predictor(store):
    bg = wijk_model.wijk_background(store)
    fit = wijk_model.fit_wijken(store)
    suppressed = store.wijken.filter(pl.col("year") == 2022, pl.col("jz_totaal").is_null())
    assert bg.filter(pl.col("reason") == wijk_model.NO_COUNT).height == suppressed.height
    assert fit.stats["n_wijken"] + fit.stats["n_excluded"] == bg.height
    assert fit.wijken["numerator"].null_count() == 0
    assert (fit.wijken["numerator"] <= fit.wijken["denominator"]).all()
    assert fit.stats["expected_total"] == pytest.approx(fit.stats["actual_total"], rel=1e-9)
    assert fit.coefficients["term"].to_list() == ["const", *wijk_model.WIJK_PREDICTORS]


def test_wijk_ventiles_rank_all_wijken_of_nl(store):
    values = wijk_model.wijk_values(store)
    ranked = values.filter(pl.col("group").is_not_null())
    assert ranked.height == wijk_model.fit_wijken(store).stats["n_wijken"]
    sizes = ranked.group_by("group").len()["len"]
    assert sizes.len() == 20 and sizes.max() - sizes.min() <= 1
    # independently: the wijk with the largest positive difference is in group 20
    top = ranked.sort("difference_pp", descending=True).row(0, named=True)
    assert top["group"] == 20
    assert values.filter(pl.col("suppressed"))["group"].is_null().all()
    bars = wijk_model.wijk_ventiles(store)
    assert bars["mean"].is_sorted() and bars["n_regions"].sum() == ranked.height


def test_utrecht_has_all_ten_wijken_with_a_ventile(store):
    utrecht = wijk_model.gemeente_wijken(store, "GM0344")
    assert utrecht.height == 10 and utrecht["group"].null_count() == 0
    d = utrecht.with_columns(
        check=100 * (pl.col("numerator") / pl.col("denominator"))
        - 100 * pl.col("expected") / pl.col("denominator")
    )
    assert np.allclose(d["check"], d["difference_pp"])
    assert wijk_model.gemeente_wijken(store, "GM9999").height == 0


def test_wijk_quality_groups_folds_by_gemeente(store):
    q = wijk_model.wijk_quality(store)
    fit = wijk_model.fit_wijken(store)
    assert q.n_units == fit.stats["n_wijken"] and q.n_groups == fit.stats["n_gemeenten"]
    assert q.r2_weighted > q.r2_weighted_baseline + 0.1
    assert q.r2 > q.r2_baseline
    # a gemeente's wijken share one fold in every repeat
    groups = fit.wijken["gemeente_code"].to_numpy()
    for rep in range(q.repeats):
        folds = crossval.fold_ids(groups, q.folds, crossval.SEED + rep)
        per_gemeente = (
            pl.DataFrame({"g": groups, "f": folds}).group_by("g").agg(pl.col("f").n_unique())
        )
        assert (per_gemeente["f"] == 1).all()
    unweighted, weighted = wijk_model.between_gemeente_r2(store)
    assert weighted > q.r2_weighted  # the gemeente a wijk lies in says more than its profile


# ------------------------------------------------------------------------------- the notebook

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "expected_use.py"


def test_expected_use_notebook_is_lint_clean_and_runs():
    check = subprocess.run(
        [sys.executable, "-m", "marimo", "check", "--strict", str(NOTEBOOK)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    run = subprocess.run(
        [sys.executable, str(NOTEBOOK)], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
