"""Every registered model family honours the same interface (the engine's contract).

Each test runs once per family (the ``fitted`` fixture of tests/models/conftest.py: each family fitted once
per session on the shipped demo). What only one family promises lives in tests/models/families/.
"""

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import models
from models.families.base import CURVE_COLUMNS, DECAY_COLUMNS, IMPORTANCE_COLUMNS, PREDICT_COLUMNS, ROAS_COLUMNS
from models.options import checked_options
from models.summary import FITTED_COLUMNS, SUMMARY_TABLES

# Bootstrap replicates for the point families: small counts keep the suite quick (bench/intervals.py: defaults).
REPLICATES = {"ridge": 20, "lightgbm": 8, "xgboost": 8}
FAMILY_PARAMS = [pytest.param(n, marks=pytest.mark.slow) if n == "bayesian" else n for n in models.MODEL_NAMES]


def with_intervals(demo_fit, name):
    """Family ``name`` on the demo with 90% intervals: the Bayesian fit as it is, a copy of a point fit with its
    bootstrap run (kept on the session's fits, so tests/models/families/test_bootstrap.py reuses it)."""
    if name == "bayesian":
        return demo_fit(name).model
    done = vars(demo_fit).setdefault("bootstrapped", {})
    if name not in done:
        done[name] = demo_fit(name).model._clone_with_state().estimate_intervals(replicates=REPLICATES[name])
    return done[name]


@pytest.fixture(params=FAMILY_PARAMS)
def intervals(request, demo_fit):
    """Every registered family in turn, fitted on the demo, with its intervals."""
    return with_intervals(demo_fit, request.param)


def plan_for(model, periods=14):
    dates = model.future_dates(periods)
    spend = model.recent_spend()
    return pd.DataFrame({"date": dates, **{c: np.full(periods, spend[c]) for c in spend.index}})


def test_the_registry_builds_the_fitted_class(fitted):
    assert models.model_class(fitted.name) is type(fitted)
    assert fitted.channels == ["google", "facebook", "youtube", "instagram", "tiktok", "other"]
    assert fitted.frequency == "daily"


def test_metrics_cover_holdout_train_and_cv_and_are_useful(fitted):
    for prefix in ("", "train_", "cv_"):
        for metric in ("r2", "mape", "nrmse"):
            assert np.isfinite(fitted.metrics[prefix + metric]), prefix + metric
    assert fitted.metrics["holdout_periods"] == 110
    assert fitted.metrics["cv_folds"] == 3
    assert fitted.metrics["r2"] > 0.5 and fitted.metrics["cv_r2"] > 0.5, fitted.metrics


def test_progress_rises_from_zero_to_one(fitted, demo_fit):
    fractions = [f for _, f, _ in demo_fit(fitted.name).progress]
    assert len(fractions) >= 4 and fractions[-1] == 1.0
    assert fractions == sorted(fractions) and all(0 <= f <= 1 for f in fractions)


def test_contributions_sum_to_fitted_revenue(fitted):
    contributions = fitted.contributions()
    roles = fitted.roles
    assert list(contributions.columns) == ["baseline", "trend", "seasonality", *roles["controls"], *roles["channels"]]
    assert len(contributions) == len(fitted.history())
    np.testing.assert_allclose(contributions.sum(axis=1), fitted.predict_frame(fitted.history()), rtol=1e-9, atol=1e-6)
    assert (contributions[roles["channels"]] >= 0).all().all()


def test_roas_is_complete_non_negative_and_matches_the_contributions(fitted):
    roas = fitted.roas()
    assert list(roas.columns) == ROAS_COLUMNS
    assert list(roas["channel"]) == fitted.channels
    assert (roas["roas"] >= 0).all() and (roas["mroas"] >= -1e-9).all()
    np.testing.assert_allclose(roas["spend"], fitted.history()[fitted.channels].sum().to_numpy())
    np.testing.assert_allclose(roas["contribution"], fitted.contributions()[fitted.channels].sum().to_numpy())
    assert (roas["lower"] <= roas["roas"] + 1e-12).all() and (roas["upper"] >= roas["roas"] - 1e-12).all()


def test_response_curves_start_at_zero_and_never_decrease(fitted):
    curves = fitted.response_curves(n_points=25)
    assert list(curves.columns) == CURVE_COLUMNS
    for channel, curve in curves.groupby("channel"):
        assert curve["spend"].iloc[0] == 0 and curve["response"].iloc[0] == pytest.approx(0, abs=1e-9), channel
        assert (np.diff(curve["response"]) >= -1e-9).all(), channel
        assert curve["response"].iloc[-1] > 0 and len(curve) == 25, channel


def test_more_spend_never_predicts_less(fitted):
    history = fitted.history()
    for channel in fitted.channels:
        more = history.assign(**{channel: history[channel] * 1.5 + 100})
        assert (fitted.predict_frame(more) >= fitted.predict_frame(history) - 1e-6).all(), channel


def test_predict_returns_the_plans_dates(fitted):
    plan = plan_for(fitted)
    predicted = fitted.predict(plan)
    assert list(predicted.columns) == PREDICT_COLUMNS
    assert list(pd.to_datetime(predicted["date"])) == list(plan["date"])
    assert predicted["mean"].between(predicted["lower"], predicted["upper"]).all()
    recent = fitted.history(28)[fitted.roles["target"]].mean()
    assert predicted["mean"].mean() == pytest.approx(recent, rel=0.25)  # plausible scale
    more = plan.assign(google=plan["google"] * 2)
    assert fitted.predict(more)["mean"].sum() >= predicted["mean"].sum()  # more spend never loses revenue


def test_predict_rejects_bad_plans(fitted):
    plan = plan_for(fitted)
    with pytest.raises(ValueError, match="missing"):
        fitted.predict(plan.drop(columns=["tiktok"]))
    with pytest.raises(ValueError, match="after"):
        fitted.predict(plan.assign(date=plan["date"] - pd.Timedelta(days=30)))
    with pytest.raises(ValueError, match="at least 0"):
        fitted.predict(plan.assign(google=-1.0))


def test_importance_and_decay_tables(fitted):
    importance = fitted.importance()
    assert list(importance.columns) == IMPORTANCE_COLUMNS and len(importance) > 0
    assert (importance["importance"] >= 0).all() and importance["importance"].is_monotonic_decreasing
    decay = fitted.decay_curves()
    assert list(decay.columns) == DECAY_COLUMNS and set(decay["channel"]) == set(fitted.channels)
    for _, weights in decay.groupby("channel"):
        assert weights["weight"].sum() == pytest.approx(1.0, abs=1e-6)
    assert len(fitted.decay_curves(max_lag=3)) == 4 * len(fitted.channels)


@pytest.mark.slow
def test_same_random_state_same_result(fitted, demo_fit):
    again = demo_fit.fresh(fitted.name).model
    assert again.metrics == fitted.metrics
    pd.testing.assert_frame_equal(again.roas(), fitted.roas())
    pd.testing.assert_frame_equal(again.contributions(), fitted.contributions())


def test_serialised_model_is_plain_data_and_predicts_the_same(fitted):
    blob = fitted.to_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert not any(name.endswith((".pkl", ".pickle")) for name in archive.namelist())
    restored = models.load(blob)
    assert type(restored) is type(fitted) and restored.get_params() == fitted.get_params()
    plan = plan_for(fitted)
    pd.testing.assert_frame_equal(restored.predict(plan), fitted.predict(plan))
    history = fitted.history()  # a restored Bayesian model agrees up to a few ulps
    np.testing.assert_allclose(restored.predict_frame(history), fitted.predict_frame(history), rtol=1e-12)
    pd.testing.assert_frame_equal(restored.contributions(), fitted.contributions())
    pd.testing.assert_frame_equal(restored.decay_curves(), fitted.decay_curves())
    pd.testing.assert_frame_equal(restored.importance(), fitted.importance())
    assert restored.metrics == fitted.metrics


def test_unknown_and_unfitted_models_say_so():
    with pytest.raises(ValueError, match="Unknown model"):
        models.fit("prophet", pd.DataFrame(), {})
    with pytest.raises(NotFittedError):
        models.model_class("ridge")().roas()


# ------------------------------------------------------------------------------ the public face
def test_summary_tables_have_the_documented_columns(fitted):
    summary = fitted.summary()
    assert summary.family == fitted.name and summary.channels == fitted.channels
    assert summary.frequency == "daily"
    tables = summary.tables
    assert list(tables) == list(SUMMARY_TABLES)
    assert list(tables["fitted"].columns) == FITTED_COLUMNS == ["date", "actual", "predicted", "holdout"]
    assert int(tables["fitted"]["holdout"].sum()) == summary.metrics["holdout_periods"]
    assert list(tables["roas"].columns) == ROAS_COLUMNS
    assert list(tables["curves"].columns) == CURVE_COLUMNS
    assert list(tables["importance"].columns) == IMPORTANCE_COLUMNS
    assert list(tables["decay"].columns) == DECAY_COLUMNS
    parts = tables["contributions"].drop(columns=tables["contributions"].columns[0])
    np.testing.assert_allclose(parts.sum(axis=1), tables["fitted"]["predicted"], rtol=1e-6)
    assert set(summary.recent_spend) == set(fitted.channels)
    observed = summary.spend_range.set_index("channel")
    assert (observed["min"] <= observed["mean"]).all() and (observed["mean"] <= observed["max"]).all()
    assert (summary.diagnostics is not None) == (fitted.name == "bayesian")
    assert (summary.health is not None) == (fitted.name == "bayesian")


@pytest.mark.parametrize("name", models.MODEL_NAMES)
def test_declared_options_take_the_constructor_defaults(name):
    cls = models.model_class(name)
    specs = models.family_options(name)
    assert specs, name
    defaults = cls().get_params()
    for spec in specs:
        assert spec["default"] == defaults[spec["name"]]
        if spec["choices"] is not None:
            assert spec["default"] in [value for value, _ in spec["choices"]]


def test_a_fit_is_scored_again_on_other_last_periods_from_its_fitted_table(fitted):
    table, metrics = fitted.summary().tables["fitted"], fitted.metrics
    own = models.score_last(table, metrics["holdout_periods"])  # its own holdout: the fit's own metrics
    assert own["trained_on"] == 0 and own["periods"] == metrics["holdout_periods"] == 110
    for key in ("r2", "mape", "nrmse"):
        assert own[key] == pytest.approx(metrics[key], rel=1e-6, abs=1e-9)
    wider = models.score_last(table, 220)  # twice the holdout: the first 110 of them were trained on
    assert wider["trained_on"] == 110 and wider["periods"] == 220
    shorter = models.score_last(table.sample(frac=1, random_state=0), 55)  # any row order: the last dates count
    assert shorter["trained_on"] == 0 and shorter["periods"] == 55
    expected = models.score_last(table.sort_values("date").tail(55), 55)
    assert shorter["r2"] == pytest.approx(expected["r2"]) and shorter["r2"] != pytest.approx(own["r2"])
    with pytest.raises(ValueError, match="at least 2"):
        models.score_last(table, 1)


def test_bayesian_default_is_the_hill_curve_the_readme_describes():
    spec = {s["name"]: s for s in models.family_options("bayesian")}
    assert spec["saturation"]["default"] == "hill"


def test_options_out_of_bounds_are_refused_in_words():
    ridge = models.model_class("ridge")
    assert checked_options(ridge, {"trials": "50", "adstock": "", "saturation": "logistic"}) == {
        "trials": 50,
        "saturation": "logistic",
    }
    with pytest.raises(ValueError, match="at most 2,000"):
        checked_options(ridge, {"trials": 10000})
    with pytest.raises(ValueError, match="choose one of"):
        checked_options(ridge, {"adstock": "exotic"})
    with pytest.raises(ValueError, match="Unknown option"):
        checked_options(ridge, {"alpha": 1})


# ------------------------------------------------------------------------------- 90% intervals
def test_point_models_repeat_the_estimate_until_their_bootstrap_runs(fitted):
    if fitted.name == "bayesian":
        return
    assert not fitted.has_intervals and fitted.noise_scale() is None and fitted.summary().intervals is None
    roas = fitted.roas()
    assert (roas["lower"] == roas["roas"]).all() and (roas["contribution_lower"] == roas["contribution"]).all()
    assert fitted.scenario_draws(fitted.history(10)).shape == (10, 1)


def test_every_output_has_an_interval_that_holds_the_estimate(intervals):
    assert intervals.has_intervals
    roas = intervals.roas()
    assert list(roas.columns) == ROAS_COLUMNS
    assert (roas["lower"] <= roas["roas"] + 1e-9).all() and (roas["roas"] <= roas["upper"] + 1e-9).all()
    assert (roas["contribution_lower"] <= roas["contribution"] + 1e-6).all()
    assert (roas["contribution"] <= roas["contribution_upper"] + 1e-6).all()
    assert (roas["upper"] > roas["lower"]).mean() >= 0.8  # not degenerate
    curves = intervals.response_curves(n_points=15)
    assert (curves["lower"] <= curves["response"] + 1e-6).all() and (curves["response"] <= curves["upper"] + 1e-6).all()
    assert (curves.groupby("channel")["upper"].last() > curves.groupby("channel")["lower"].last()).all()
    predicted = intervals.predict(plan_for(intervals))
    assert ((predicted["lower"] < predicted["mean"]) & (predicted["mean"] < predicted["upper"])).all()


def test_planning_draws_and_noise_agree_in_shape(intervals):
    draws = intervals.scenario_draws(intervals.history(20))
    assert draws.ndim == 2 and draws.shape[0] == 20 and draws.shape[1] > 1
    assert np.shape(intervals.noise_scale()) == (draws.shape[1],)


def test_intervals_survive_storage(intervals):
    restored = models.load(intervals.to_bytes())
    assert restored.has_intervals
    pd.testing.assert_frame_equal(restored.roas(), intervals.roas(), rtol=1e-9)
    plan = plan_for(intervals)
    pd.testing.assert_frame_equal(restored.predict(plan), intervals.predict(plan), rtol=1e-9)


# ------------------------------------------------------------------------------- planning
def test_an_additive_family_has_no_interaction_between_channels(fitted):
    """``additive`` is what the optimiser trusts its per-channel curves on: revenue must then add up."""
    from models.planning import Horizon

    assert isinstance(fitted.additive, bool)
    horizon = Horizon(fitted, 14)
    base = horizon.current
    a, b, both = base.copy(), base.copy(), base.copy()
    a[0] = both[0] = base[0] * 2 + 100
    b[1] = both[1] = base[1] * 2 + 100
    t = horizon.totals_many(np.vstack([base, a, b, both])).mean(axis=1)
    interaction = abs(t[3] - t[1] - t[2] + t[0])
    if fitted.additive:
        assert interaction <= 1e-6 * abs(t[0]), fitted.name


def test_a_cautious_plan_raises_the_low_percentile(intervals):
    budget = float(intervals.recent_spend().sum()) * 14
    plan = models.optimize_budget(intervals, budget, 14, quantile=0.1)
    risk = plan.risk
    assert plan.quantile == 0.1 and set(risk) == {
        "quantile",
        "revenue_quantile",
        "expected_plan_revenue_quantile",
        "expected_revenue_cost",
    }
    assert risk["revenue_quantile"] >= risk["expected_plan_revenue_quantile"]
    assert risk["expected_revenue_cost"] >= 0
    assert plan.allocation["optimal"].sum() * 14 == pytest.approx(budget, rel=1e-9)
    assert any("10th-percentile revenue" in m for m in plan.messages)
