"""The Models tab's job and views, called directly (the browser tests drive them end to end)."""

import pytest

from dashboard import create_app
from dashboard.callbacks.data import ingest
from dashboard.callbacks.models import family_options, fit_job, leaderboard_table
from dashboard.datasets import load_dataset
from dashboard.fits import fit_summaries, load_fit, load_model
from models.datasets import load_demo_bytes


@pytest.fixture
def session(settings):
    app = create_app(settings)
    store = app.session_store
    sid_token = store.new_session()
    yield store, sid_token
    store.stop_sweeper()


def test_fit_job_stores_model_and_tables_and_reports_progress(session, settings):
    store, token = session
    sid = store.session_id(token)
    ingest(store, sid, load_demo_bytes(), "demo.csv", settings)
    updates = []
    result = fit_job(store, "ridge", token, 10, ("geometric", "hill", "20"), updates.append)
    version = load_dataset(store, sid).version
    assert result == {"version": version, "fitted_at": result["fitted_at"]}
    percents = [p for p, _ in updates]
    assert percents == sorted(percents) and percents[-1] == 100 and "Done" in updates[-1][1]
    fit = load_fit(store, sid, "ridge", version)
    assert set(fit.tables) == {"fitted", "contributions", "roas", "curves", "importance", "decay"}
    assert fit.meta["options"] == {"adstock": "geometric", "saturation": "hill", "trials": 20}
    restored = load_model(store, sid, "ridge", version)
    assert restored.predict_frame(restored.data_) == pytest.approx(fit.tables["fitted"]["predicted"].to_numpy())
    assert [s["family"] for s in fit_summaries(store, sid, version)] == ["ridge"]
    ingest(store, sid, load_demo_bytes(), "again.csv", settings)  # new data: old fits are gone
    assert fit_summaries(store, sid, load_dataset(store, sid).version) == []
    assert not [n for n in store.names(sid) if n.startswith("fit:")]


def test_fit_job_explains_missing_data_and_bad_sessions(session):
    store, token = session
    assert "no data" in fit_job(store, "ridge", token, 10, (None, None, None), lambda _: None)["error"].lower()
    assert "session" in fit_job(store, "ridge", "forged", 10, (None, None, None), lambda _: None)["error"].lower()


def test_options_blank_means_default():
    assert family_options("lightgbm", [None]) == {}
    assert family_options("lightgbm", ["150"]) == {"n_estimators": 150}


def test_leaderboard_warns_when_holdouts_differ():
    def row(family, periods, nrmse):
        metrics = {k: 0.5 for k in ("r2", "mape", "cv_r2", "cv_mape", "cv_nrmse", "train_r2")}
        return {
            "family": family,
            "label": family,
            "fit_seconds": 1.0,
            "metrics": {**metrics, "nrmse": nrmse, "holdout_periods": periods},
        }

    same = str(leaderboard_table([row("ridge", 110, 0.1), row("xgboost", 110, 0.2)]))
    assert "same holdout" in same and "different holdouts" not in same
    differ = str(leaderboard_table([row("ridge", 110, 0.1), row("xgboost", 220, 0.2)]))
    assert "different holdouts" in differ
