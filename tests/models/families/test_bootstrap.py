"""Bootstrap intervals of the point families (models/families/bootstrap.py): ridge and LightGBM.

Small replicate counts keep this file quick; ``bench/intervals.py`` measures the defaults. The shared demo fits
are copied before ``estimate_intervals`` so the contract tests keep seeing point models.
"""

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

import models
from models.datasets import load_demo_truth
from models.datasets.synthetic import generate_demo
from models.datasets.truth import DemoTruth, channel_summary
from models.families.bootstrap import OUTCOME_REPLICATES, bounds, moving_blocks
from models.families.features import read_once, shared
from models.families.robyn import plausible_trials

FAMILIES = ("ridge", "lightgbm")
REPLICATES = {"ridge": 20, "lightgbm": 8}  # as in test_contract.py
# Quick simulated processes for coverage (2 years): the demo's, S-shaped, concave and weaker, long carry-over.
VARIANTS = {
    "demo": (5, {}),
    "s-shaped": (2, {"slope": (2.5, 3.0, 2.5, 2.8, 3.0, 2.5)}),
    "concave": (3, {"slope": (0.7, 0.8, 0.9, 0.7, 0.8, 0.6), "beta": (9000.0, 6000.0, 3000.0, 2500.0, 1500.0, 600.0)}),
    "long carry-over": (4, {"alpha": (0.6, 0.7, 0.85, 0.6, 0.5, 0.4), "noise_sd": 3000.0}),
}
MIN_COVERAGE = 0.7  # 90% intervals; measured 0.8-0.9 over many more datasets (bench/RESULTS.md)


def simulated(seed: int, end: str = "2024-12-31", **truth):
    """A simulated daily dataset of the demo's process with ``truth`` changed: frame, roles, true ROAS."""
    process = DemoTruth(**truth)
    frame, _ = generate_demo(seed=seed, truth=process, end=end)
    roles = {"date": "date", "target": "revenue", "channels": list(process.channels), "controls": ["price", "promo"]}
    return frame, roles, {c: v["roas"] for c, v in channel_summary(frame, process).items()}


@pytest.fixture
def with_intervals(demo_fit):
    """``with_intervals(name)``: a copy of the shared demo fit with its bootstrap run, kept on the session's fits
    (test_contract.py makes the same ones with the same counts)."""

    def get(name):
        done = vars(demo_fit).setdefault("bootstrapped", {})
        if name not in done:
            done[name] = demo_fit(name).model._clone_with_state().estimate_intervals(replicates=REPLICATES[name])
        return done[name]

    return get


@pytest.fixture(params=FAMILIES)
def bootstrapped(request, with_intervals):
    return with_intervals(request.param)


def plan_for(model, periods=7):
    spend = model.recent_spend()
    return pd.DataFrame({"date": model.future_dates(periods), **{c: np.full(periods, spend[c]) for c in spend.index}})


# ------------------------------------------------------------------------------------ the maths
def test_moving_blocks_keep_runs_of_consecutive_values():
    values = np.arange(100.0)
    drawn = moving_blocks(values, 10, np.random.default_rng(0))
    assert drawn.shape == values.shape
    runs = drawn.reshape(10, 10)
    assert (np.diff(runs, axis=1) == 1).all()  # each block is ten consecutive periods
    assert len(moving_blocks(values[:7], 28, np.random.default_rng(0))) == 7  # a block never exceeds the data


def test_bounds_are_quantiles_widened_to_hold_the_estimate():
    draws = np.arange(101.0)[:, None]
    low, high = bounds(draws, np.array([50.0]))
    assert low[0] == pytest.approx(5.0) and high[0] == pytest.approx(95.0)
    low, high = bounds(draws, np.array([99.0]), floor=10.0)
    assert low[0] == 10.0 and high[0] == 99.0


def test_plausible_trials_are_within_one_standard_error_of_the_best():
    nrmse = np.array([0.100, 0.105, 0.1071, 0.2, np.inf])
    # 50 validation rows: 1 / sqrt(100) = 10% above the best
    assert plausible_trials(nrmse, 50).tolist() == [0, 1, 2]
    assert plausible_trials(nrmse, 5000).tolist() == [0]  # more data, a tighter set
    assert plausible_trials(np.array([np.inf]), 10).tolist() == [0]


# --------------------------------------------------------------------------- on the demo data
def test_intervals_hold_the_estimate_and_are_not_degenerate(bootstrapped):
    assert bootstrapped.has_intervals
    roas = bootstrapped.roas()
    assert (roas["lower"] <= roas["roas"]).all() and (roas["roas"] <= roas["upper"]).all()
    assert ((roas["upper"] - roas["lower"]) / roas["roas"] > 0.05).mean() >= 0.8
    assert (roas["contribution_lower"] <= roas["contribution"]).all()
    assert (roas["contribution"] <= roas["contribution_upper"]).all()
    np.testing.assert_allclose(roas["contribution_upper"] / roas["spend"], roas["upper"], rtol=1e-9)
    assert (roas["lower"] >= 0).all()


def test_curves_have_never_decreasing_bands_around_the_response(bootstrapped):
    curves = bootstrapped.response_curves(n_points=20)
    assert (curves["lower"] <= curves["response"] + 1e-9).all() and (curves["response"] <= curves["upper"] + 1e-9).all()
    for channel, curve in curves.groupby("channel"):
        assert curve["lower"].iloc[0] == curve["upper"].iloc[0] == 0, channel
        assert (np.diff(curve["lower"]) >= 0).all() and (np.diff(curve["upper"]) >= 0).all(), channel
        assert curve["upper"].iloc[-1] > curve["lower"].iloc[-1], channel


def test_predictions_and_planning_draws_carry_the_spread(bootstrapped):
    plan = plan_for(bootstrapped)
    predicted = bootstrapped.predict(plan)
    assert ((predicted["lower"] < predicted["mean"]) & (predicted["mean"] < predicted["upper"])).all()
    noise = bootstrapped.noise_scale()
    assert noise.shape == (REPLICATES[bootstrapped.name],) and (noise > 0).all()
    history = bootstrapped.history(60)
    draws = bootstrapped.scenario_draws(history)
    assert draws.shape == (60, REPLICATES[bootstrapped.name])
    np.testing.assert_allclose(draws.mean(axis=1), bootstrapped.predict_frame(history), rtol=1e-9)  # the point fit
    np.testing.assert_allclose(
        bootstrapped.scenario_mean(history), draws.mean(axis=1), rtol=1e-9
    )  # planning's shortcut
    assert draws.std(axis=1).min() > 0


def test_replicates_reading_one_frame_once_predict_exactly_as_each_alone(bootstrapped):
    frame = bootstrapped.history(60)
    replicates = bootstrapped.intervals_.replicates[:OUTCOME_REPLICATES]
    alone = np.column_stack([r.world.predict_frame(frame) - r.fit.predict_frame(frame) for r in replicates])
    alone -= alone.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(bootstrapped.intervals_.deviations(frame), alone, rtol=1e-12, atol=1e-9)


def test_what_is_read_once_is_shared_inside_the_block_only():
    frame, other, calls = pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"x": [3.0]}), []

    def read(which):
        return lambda: calls.append(which) or which["x"].to_numpy(float)

    assert shared(frame, "x", read(frame)) is not shared(frame, "x", read(frame)) and len(calls) == 2  # outside
    with read_once(frame):
        first = shared(frame, "x", read(frame))
        assert shared(frame, "x", read(frame)) is first and not first.flags.writeable and len(calls) == 3
        assert list(shared(other, "x", read(other))) == [3.0] and len(calls) == 4  # another frame: read anew
    assert shared(frame, "x", read(frame)) is not first and len(calls) == 5  # the block's memory is gone


def test_plans_get_intervals_once_the_bootstrap_has_run(bootstrapped, demo_fit):
    spend = bootstrapped.recent_spend().to_dict()
    with_bands = models.what_if(bootstrapped, spend, 14).totals
    without = models.what_if(demo_fit(bootstrapped.name).model, spend, 14).totals
    assert with_bands["revenue"] == pytest.approx(without["revenue"], rel=1e-9)  # the same point fit
    assert with_bands["revenue_lower"] < with_bands["revenue"] < with_bands["revenue_upper"]
    assert "revenue_lower" not in without


def test_intervals_hold_most_true_roas_on_the_demo(bootstrapped):
    truth = load_demo_truth()["channels"]
    roas = bootstrapped.roas().set_index("channel")
    held = [roas.loc[c, "lower"] <= truth[c]["roas"] <= roas.loc[c, "upper"] for c in roas.index]
    assert np.mean(held) >= 4 / 6, roas[["roas", "lower", "upper"]]


def test_intervals_survive_storage(bootstrapped):
    blob = bootstrapped.to_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = archive.namelist()
    assert "boot/intervals.json" in names and "boot/0/world.json" in names and "boot/0/fit.json" in names
    assert not any(name.endswith((".pkl", ".pickle")) for name in names)
    restored = models.load(blob)
    assert restored.has_intervals and restored.interval_summary() == bootstrapped.interval_summary()
    pd.testing.assert_frame_equal(restored.roas(), bootstrapped.roas())
    pd.testing.assert_frame_equal(restored.response_curves(n_points=10), bootstrapped.response_curves(n_points=10))
    plan = plan_for(bootstrapped)
    pd.testing.assert_frame_equal(restored.predict(plan), bootstrapped.predict(plan))
    history = bootstrapped.history(40)
    np.testing.assert_allclose(restored.scenario_draws(history), bootstrapped.scenario_draws(history), rtol=1e-12)


def test_a_model_saved_without_intervals_loads_without_them(demo_fit):
    point = demo_fit("ridge").model
    restored = models.load(point.to_bytes())
    assert not restored.has_intervals and restored.noise_scale() is None
    roas = restored.roas()
    assert (roas["lower"] == roas["roas"]).all() and (roas["contribution_upper"] == roas["contribution"]).all()
    assert restored.summary().intervals is None


def test_a_ridge_saved_before_plausible_sets_were_kept_still_gets_intervals(demo_fit):
    model = demo_fit("ridge").model._clone_with_state()
    model.plausible_ = None  # as restored from an older file: the search runs again, with the same seed
    model.estimate_intervals(replicates=4)
    again = demo_fit("ridge").model._clone_with_state().estimate_intervals(replicates=4)
    pd.testing.assert_frame_equal(model.roas(), again.roas())


@pytest.mark.parametrize("name", FAMILIES)
def test_same_seed_same_intervals_and_progress_in_words(demo_fit, with_intervals, name):
    messages = []
    again = demo_fit(name).model._clone_with_state()
    again.estimate_intervals(replicates=REPLICATES[name], progress=lambda f, m: messages.append((f, m)))
    pd.testing.assert_frame_equal(again.roas(), with_intervals(name).roas())
    assert f"Bootstrap refit 3 of {REPLICATES[name]}" in [m for _, m in messages]
    fractions = [f for f, _ in messages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    if name == "ridge":  # another seed, other draws (the tree families' reference search would rerun too: slow)
        other = demo_fit(name).model._clone_with_state()
        other.random_state = 1
        other.estimate_intervals(replicates=REPLICATES[name])
        assert not other.roas()[["lower", "upper"]].equals(again.roas()[["lower", "upper"]])


def test_fit_with_intervals_in_one_call(demo):
    frame, roles = demo
    calls = []
    fitted = models.fit("ridge", frame, roles, trials=30, intervals=5, progress=lambda f, m: calls.append((f, m)))
    assert fitted.has_intervals and fitted.interval_summary()["replicates"] == 5
    assert fitted.summary().intervals["level"] == 0.9
    assert calls[-1] == (1.0, "Intervals ready") and "Bootstrap refit 5 of 5" in [m for _, m in calls]
    assert [f for f, _ in calls] == sorted(f for f, _ in calls)
    with pytest.raises(ValueError, match="replicates"):
        fitted.estimate_intervals(replicates=1)
    bayesian = models.model_class("bayesian")()
    assert bayesian.estimate_intervals() is bayesian  # a posterior's intervals come with the fit


# ------------------------------------------------------------------------ on simulated processes
@pytest.mark.parametrize("name", FAMILIES)
def test_intervals_hold_the_true_roas_across_processes(name):
    held = []
    for seed, truth in VARIANTS.values():
        frame, roles, true_roas = simulated(seed, **truth)
        fitted = models.fit(name, frame, roles, random_state=seed).estimate_intervals(replicates=REPLICATES[name] + 7)
        table = fitted.roas().set_index("channel")
        held += [table.loc[c, "lower"] <= true_roas[c] <= table.loc[c, "upper"] for c in table.index]
    assert np.mean(held) >= MIN_COVERAGE, f"{np.mean(held):.0%} of {len(held)} channels"


def test_widths_shrink_with_more_data():
    frame, roles, _ = simulated(1, end="2026-12-31")
    widths = []
    for rows in (730, len(frame)):  # two years, then four
        part = frame.iloc[:rows]
        true_roas = channel_summary(part, DemoTruth())
        table = models.fit("ridge", part, roles, random_state=1).estimate_intervals(replicates=30).roas()
        widths.append(
            np.median([(u - lo) / true_roas[c]["roas"] for c, lo, u in table[["channel", "lower", "upper"]].values])
        )
    assert widths[1] < 0.9 * widths[0], widths


def test_weekly_data_get_intervals_too(demo):
    frame, roles = demo
    weekly = frame.resample("W-SUN", on=roles["date"]).sum(numeric_only=True).reset_index()
    fitted = models.fit("ridge", weekly, roles, trials=40, intervals=10)
    assert fitted.frequency == "weekly" and fitted.interval_summary()["block_periods"] == 4
    roas = fitted.roas()
    assert (roas["lower"] <= roas["roas"]).all() and (roas["roas"] <= roas["upper"]).all()
    assert (roas["upper"] > roas["lower"]).mean() >= 0.8
    predicted = fitted.predict(plan_for(fitted, periods=4))
    assert (predicted["lower"] < predicted["upper"]).all()


def test_refitting_drops_the_intervals_of_the_earlier_fit(demo):
    frame, roles = demo
    fitted = models.fit("ridge", frame, roles, trials=20, intervals=3)
    assert fitted.has_intervals
    assert not fitted.fit(frame.iloc[:700], roles).has_intervals


@pytest.mark.slow
def test_media_revenue_intervals_never_reach_below_zero(demo_fit):
    """Trees with their default replicates on the demo: some worlds' errors are larger than the media effect, and
    recent spend's revenue from media read "106,809 (90%: -28,408 – 291,541)" and ROAS -0.13 – 1.38 in the Plan
    tab; every family's media effects are non-negative by construction, so the interval stops at zero."""
    fitted = demo_fit("lightgbm").model._clone_with_state().estimate_intervals()
    totals = models.what_if(fitted, {}, 28).totals
    assert totals["incremental_revenue_lower"] >= 0 and totals["roas_lower"] >= 0, totals
    assert totals["incremental_revenue_lower"] <= totals["incremental_revenue"] <= totals["incremental_revenue_upper"]
    expected = models.optimize_budget(fitted, budget=float(fitted.recent_spend().sum()) * 28, periods=28).expected
    for name in ("", "current_", "current_mix_"):
        assert expected[f"{name}incremental_revenue_lower"] >= 0 and expected[f"{name}roas_lower"] >= 0, expected
