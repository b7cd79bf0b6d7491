"""Checks of a fit (``fitted.checks()``, ``fitted.run_checks()``): their wording, statuses and refits.

A good fit (XGBoost on the demo, known truth) passes every check; deliberately bad fits (a shuffled target,
no cross-validation) fail or warn in words that say what to do. Small fits only: ridge with 30 trials,
2 CV folds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import models
from models.checks import CHECK_COLUMNS, CHECK_ORDER, REFIT_CHECKS, STATUSES
from models.checks.basic import convergence_check, cross_validation_check, plausible_check, stability_check
from models.checks.refits import PLACEBO_WARN, TWIN_WARN, block_shuffle, placebo_check, twin_frame

CHEAP = [name for name in CHECK_ORDER if name not in REFIT_CHECKS and name != "Convergence"]


@pytest.fixture(scope="module")
def good(demo):
    """XGBoost on the demo with its checks run, and every progress report ``(fraction, message)``."""
    frame, roles = demo
    fitted = models.fit("xgboost", frame, roles, cv_folds=2)
    reports = []
    fitted.run_checks(progress=lambda fraction, message: reports.append((fraction, message)))
    return fitted, reports


@pytest.fixture(scope="module")
def ridge(demo):
    frame, roles = demo
    return models.fit("ridge", frame, roles, cv_folds=2, trials=30)


def by_check(table: pd.DataFrame) -> dict:
    return {row.check: row for row in table.itertuples()}


def test_a_good_fit_passes_every_check_and_says_so_with_numbers(good):
    fitted, _ = good
    table = fitted.checks()
    assert list(table.columns) == CHECK_COLUMNS
    assert list(table["check"]) == [*CHEAP, *REFIT_CHECKS]
    assert (table["status"] == "ok").all(), table[["check", "status", "detail"]].to_string()
    assert (table["action"] == "Nothing to do.").all()
    rows = by_check(table)
    assert "110 holdout days" in rows["Holdout error"].detail and "MAPE" in rows["Holdout error"].detail
    assert "2 refits on shorter histories" in rows["ROAS stability"].detail
    assert rows["ROAS stability"].detail.startswith("Over the last ") and " days, " in rows["ROAS stability"].detail
    assert "google's spend cut into blocks of 14-28 days" in rows["Placebo channel"].detail
    twin = rows["Simulated twin"].detail
    assert "simulated twin of your data" in twin and "median over 6 channels" in twin


def test_the_placebo_gets_a_roas_near_zero_and_the_twin_comes_back(good):
    values = by_check(good[0].checks())
    assert 0 <= values["Placebo channel"].value < PLACEBO_WARN
    assert 0 <= values["Simulated twin"].value < TWIN_WARN


def test_run_checks_says_what_runs_and_ends_at_one(good):
    _, reports = good
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions) and 0 <= fractions[0] and fractions[-1] == 1.0
    messages = [message for _, message in reports]
    assert messages[0] == "Placebo check: refitting with a shuffled copy of google"
    assert any(m.startswith("Simulated twin: refitting") for m in messages)
    assert max(f for f, m in reports if m.startswith("Placebo")) <= 0.5 <= min(f for f, m in reports if "twin" in m)


def test_a_fresh_fit_has_only_the_cheap_checks_and_a_refit_forgets_old_ones(good, demo):
    fitted, _ = good
    fresh = models.fit("ridge", *demo, cv_folds=0, trials=5)
    assert list(fresh.checks()["check"]) == CHEAP
    copy = models.load(fitted.to_bytes())
    copy.fit(*demo)
    assert list(copy.checks()["check"]) == CHEAP


def test_checks_survive_saving_and_loading(good):
    fitted, _ = good
    loaded = models.load(fitted.to_bytes())
    pd.testing.assert_frame_equal(loaded.checks(), fitted.checks())
    assert loaded.cv_roas_ == fitted.cv_roas_ and len(loaded.cv_roas_["folds"]) == 2


def test_a_shuffled_target_fails_the_forecast_checks_in_words(demo):
    frame, roles = demo
    shuffled = frame.assign(revenue=np.random.default_rng(0).permutation(frame["revenue"].to_numpy()))
    rows = by_check(models.fit("ridge", shuffled, roles, cv_folds=2, trials=30).checks())
    holdout = rows["Holdout error"]
    assert holdout.status == "fail" and holdout.value < 0.25, holdout.detail  # R² below 0, not the MAPE, fails it
    assert "R² -0.0" in holdout.detail and "below 0 fails" in holdout.detail
    assert holdout.action.startswith("Do not plan with this model")
    assert rows["Cross-validation error"].status == "fail"
    plausible = rows["Plausible ROAS"]
    assert plausible.status == "warn" and "google: ROAS 0.00 on 35% of spend" in plausible.detail
    assert "pausing it would show" in plausible.action


def test_without_cross_validation_two_checks_say_they_were_not_measured(demo):
    rows = by_check(models.fit("ridge", *demo, cv_folds=0, trials=5).checks())
    for name in ("Cross-validation error", "ROAS stability"):
        assert rows[name].status == "warn" and rows[name].detail.startswith("Not measured"), name
        assert "cv_folds of 2 or more" in rows[name].action


def test_the_twin_is_the_fit_plus_noise_of_the_residual_size(ridge):
    twin, noise_sd = twin_frame(ridge, np.random.default_rng(0))
    history, target = ridge.history(), ridge.roles["target"]
    expected = ridge.contributions().sum(axis=1).to_numpy()
    assert noise_sd == pytest.approx(np.std(history[target].to_numpy() - expected))
    noise = twin[target].to_numpy() - expected
    assert abs(noise.mean()) < 0.1 * noise_sd and np.std(noise) == pytest.approx(noise_sd, rel=0.1)
    pd.testing.assert_frame_equal(twin.drop(columns=target), history.drop(columns=target))


def test_block_shuffle_keeps_the_values_and_their_runs_but_not_their_timing():
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=1000))
    shuffled = block_shuffle(walk, 14, 28, np.random.default_rng(1))
    np.testing.assert_array_equal(np.sort(shuffled), np.sort(walk))
    assert abs(np.corrcoef(shuffled, walk)[0, 1]) < 0.5
    assert np.corrcoef(shuffled[1:], shuffled[:-1])[0, 1] > 0.8  # autocorrelation stays within blocks
    np.testing.assert_array_equal(block_shuffle(walk, 14, 28, np.random.default_rng(1)), shuffled)


def test_stability_fails_only_for_a_big_channel_that_moves_a_lot():
    spend = pd.DataFrame({"big": np.full(10, 95.0), "small": np.full(10, 5.0)})  # small: 5% of spend
    contributions = spend.copy()  # the full fit: ROAS 1 for both
    small_moves = {"periods": 10, "folds": [{"big": 1.1, "small": 3.0}, {"big": 0.9, "small": 0.5}]}
    check = stability_check(small_moves, contributions, spend)
    assert check["status"] == "warn" and "small a ROAS from 0.50 to 3.00 (250% of its median)" in check["detail"]
    big_moves = {"periods": 10, "folds": [{"big": 3.0, "small": 1.0}, {"big": 0.5, "small": 1.0}]}
    assert stability_check(big_moves, contributions, spend)["status"] == "fail"
    steady = {"periods": 10, "folds": [{"big": 1.1, "small": 1.2}, {"big": 0.9, "small": 0.9}]}
    assert stability_check(steady, contributions, spend)["status"] == "ok"


def test_plausible_roas_fails_negative_and_warns_high_or_dead_big_channels():
    table = pd.DataFrame(
        {"channel": ["a", "b", "c", "d"], "spend": [50.0, 20.0, 20.0, 10.0], "roas": [-0.3, 25.0, 0.01, 1.0]}
    )
    check = plausible_check(table)
    assert check["status"] == "fail" and check["value"] == 3
    assert "a: ROAS -0.30, negative" in check["detail"] and "b: ROAS 25.0, above 20" in check["detail"]
    assert "c: ROAS 0.01 on 20% of spend" in check["detail"] and "d:" not in check["detail"]
    assert plausible_check(table.iloc[[1, 3]])["status"] == "warn"
    assert plausible_check(table.iloc[[3]])["status"] == "ok"


def test_convergence_uses_the_bayesian_wording_and_maps_its_levels():
    good = {"rhat_max": 1.003, "ess_bulk_min": 900.0, "ess_tail_min": 800.0, "divergences": 0}
    assert convergence_check(None) is None
    ok = convergence_check(good)
    assert ok["status"] == "ok" and "The chains agree (R-hat 1.003" in ok["detail"]
    few = convergence_check({**good, "ess_bulk_min": 120.0})
    assert few["status"] == "warn" and "effective sample size below 400" in few["detail"]
    bad = convergence_check({**good, "rhat_max": 1.08, "divergences": 3})
    assert bad["status"] == "fail" and "R-hat 1.080" in bad["detail"] and "3 divergent transitions" in bad["detail"]
    assert bad["value"] == 1.08 and bad["action"].startswith("Do not act")


def test_every_family_gives_the_cheap_checks(fitted):
    table = fitted.checks()
    assert list(table.columns) == CHECK_COLUMNS and set(table["status"]) <= set(STATUSES)
    expected = [*CHEAP, "Convergence"] if fitted.diagnostics is not None else CHEAP
    assert list(table["check"]) == expected
    assert table["detail"].str.len().min() > 20 and table["action"].str.len().min() > 5
    assert len(fitted.cv_roas_["folds"]) == fitted.metrics["cv_folds"] == 3


def test_weekly_data_get_placebo_blocks_of_weeks(demo):
    frame, roles = demo
    weekly = frame.resample("W-SUN", on="date").agg(
        {**{c: "sum" for c in [roles["target"], *roles["channels"]]}, "price": "mean", "promo": "mean"}
    )
    fitted = models.fit("ridge", weekly.reset_index(), roles, cv_folds=2, trials=10)
    rows = by_check(fitted.run_checks())
    assert fitted.frequency == "weekly" and "blocks of 2-4 weeks" in rows["Placebo channel"].detail
    assert set(rows) == {*CHEAP, *REFIT_CHECKS} and np.isfinite(rows["Simulated twin"].value)


@pytest.mark.slow
def test_a_bayesian_placebo_is_read_at_its_intervals_lower_end(demo_fit):
    """The ROAS prior keeps the placebo's estimate above zero (0.57 on the demo: 40% of the real channels' overall
    ROAS, a warning before); what says whether the model credits it with revenue is how close its interval
    comes to zero."""
    fitted = demo_fit("bayesian").model
    check = placebo_check(fitted, lambda fraction, message: None)
    assert check["status"] == "ok" and 0 < check["value"] < PLACEBO_WARN, check["detail"]
    assert "(90% interval " in check["detail"] and "the interval's lower end is" in check["detail"]
    assert "above zero" in check["detail"] and check["action"] == "Nothing to do."


@pytest.mark.parametrize(
    "family, advice", [("lightgbm", "fewer trees"), ("ridge", "fewer search trials"), ("bayesian", "fewer controls")]
)
def test_the_advice_against_overfitting_names_what_the_familys_options_can_change(family, advice):
    """A Bayesian or ridge model has no trees: "fewer trees" was advice they could not follow."""
    metrics = {"cv_folds": 3, "cv_mape": 0.05, "cv_r2": 0.6, "cv_nrmse": 0.3, "train_nrmse": 0.1}
    found = cross_validation_check(metrics, family)
    assert found["status"] == "warn" and "overfits" in found["detail"]
    assert found["action"].startswith("Use a simpler model (") and found["action"].endswith(") or more data.")
    assert advice in found["action"] and (family in ("lightgbm", "xgboost")) == ("trees" in found["action"])
