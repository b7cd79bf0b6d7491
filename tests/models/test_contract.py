"""Every registered model family honours the same interface (the engine's contract)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import models
from models.base import CURVE_COLUMNS, IMPORTANCE_COLUMNS, PREDICT_COLUMNS, ROAS_COLUMNS
from models.data import read_upload
from models.datasets import load_demo_bytes

FAST = {
    "ridge": {"trials": 40},
    "bayesian": {"draws": 100, "tune": 100, "chains": 2},
}  # keep the shared contract quick; defaults are covered by family tests


@pytest.fixture(scope="module")
def demo():
    upload = read_upload(load_demo_bytes(), "demo.csv")
    return upload.frame, upload.roles


@pytest.fixture(scope="module", params=models.MODEL_NAMES)
def fitted(request, demo):
    frame, roles = demo
    calls = []
    model = models.fit(
        request.param,
        frame,
        roles,
        holdout=0.1,
        random_state=0,
        progress=lambda f, m: calls.append((f, m)),
        **FAST.get(request.param, {}),
    )
    model.progress_calls = calls
    return model


def plan_for(model, periods=14):
    dates = model.future_dates(periods)
    spend = model.recent_spend()
    return pd.DataFrame({"date": dates, **{c: np.full(periods, spend[c]) for c in spend.index}})


def test_metrics_cover_holdout_train_and_cv(fitted):
    for prefix in ("", "train_", "cv_"):
        for metric in ("r2", "mape", "nrmse"):
            assert np.isfinite(fitted.metrics[prefix + metric]), prefix + metric
    assert fitted.metrics["holdout_periods"] == 110
    assert fitted.progress_calls and fitted.progress_calls[-1][0] == 1.0
    assert all(0 <= f <= 1 for f, _ in fitted.progress_calls)


def test_contributions_sum_to_fitted_revenue(fitted):
    contributions = fitted.contributions()
    assert list(contributions.columns[:3]) == ["baseline", "trend", "seasonality"]
    assert set(fitted.roles_["channels"]) <= set(contributions.columns)
    assert len(contributions) == len(fitted.data_)
    np.testing.assert_allclose(contributions.sum(axis=1), fitted.predict_frame(fitted.data_), rtol=1e-9, atol=1e-6)


def test_roas_is_complete_and_non_negative(fitted):
    roas = fitted.roas()
    assert list(roas.columns) == ROAS_COLUMNS
    assert list(roas["channel"]) == fitted.roles_["channels"]
    assert (roas["roas"] >= 0).all() and (roas["mroas"] >= -1e-9).all()
    np.testing.assert_allclose(roas["spend"], fitted.data_[fitted.roles_["channels"]].sum().to_numpy())
    assert (roas["lower"] <= roas["roas"] + 1e-12).all() and (roas["upper"] >= roas["roas"] - 1e-12).all()


def test_response_curves_start_at_zero_and_never_decrease(fitted):
    curves = fitted.response_curves(n_points=25)
    assert list(curves.columns) == CURVE_COLUMNS
    for channel, curve in curves.groupby("channel"):
        assert curve["spend"].iloc[0] == 0 and curve["response"].iloc[0] == pytest.approx(0, abs=1e-9), channel
        assert (np.diff(curve["response"]) >= -1e-9).all(), channel
        assert len(curve) == 25


def test_predict_returns_the_plans_dates(fitted):
    plan = plan_for(fitted)
    predicted = fitted.predict(plan)
    assert list(predicted.columns) == PREDICT_COLUMNS
    assert list(pd.to_datetime(predicted["date"])) == list(plan["date"])
    assert predicted["mean"].between(predicted["lower"], predicted["upper"]).all()
    recent = fitted.data_[fitted.roles_["target"]].tail(28).mean()
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
    decay = fitted.decay_curves()
    assert set(decay["channel"]) == set(fitted.roles_["channels"])
    for _, weights in decay.groupby("channel"):
        assert weights["weight"].sum() == pytest.approx(1.0, abs=1e-6)


def test_same_random_state_same_result(fitted, demo):
    frame, roles = demo
    again = models.fit(fitted.name, frame, roles, holdout=0.1, random_state=0, **FAST.get(fitted.name, {}))
    pd.testing.assert_frame_equal(again.roas(), fitted.roas())


def test_serialised_model_predicts_the_same(fitted):
    restored = models.load(fitted.to_bytes())
    plan = plan_for(fitted)
    pd.testing.assert_frame_equal(restored.predict(plan), fitted.predict(plan))
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
    assert list(tables["fitted"].columns) == ["date", "actual", "predicted", "holdout"]
    assert int(tables["fitted"]["holdout"].sum()) == summary.metrics["holdout_periods"]
    assert list(tables["roas"].columns) == ROAS_COLUMNS
    assert list(tables["curves"].columns) == CURVE_COLUMNS
    assert list(tables["importance"].columns) == IMPORTANCE_COLUMNS
    assert list(tables["decay"].columns) == ["channel", "lag", "weight"]
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


def test_bayesian_default_is_the_logistic_curve_the_readme_describes():
    spec = {s["name"]: s for s in models.family_options("bayesian")}
    assert spec["saturation"]["default"] == "logistic"


def test_options_out_of_bounds_are_refused_in_words():
    from models.options import checked_options

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
