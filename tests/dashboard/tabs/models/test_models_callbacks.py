"""The Models tab's callbacks called directly: the background fit, results, leaderboard and the watch that
shows a fit to a page reloaded while it ran."""

import pytest
from dash import no_update

import models
from dashboard.ids import App, Models
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.callbacks import leaderboard, run_fit, show_results, watch_fits
from dashboard.tabs.models.fits import STALE_AFTER, Heartbeat, fit_summaries, load_fit, load_model, running_fits
from dashboard.tabs.models.job import form_options, throttled
from dashboard.tabs.models.views import leaderboard_table
from tests.dashboard.helpers import RIDGE, FakeClock, triggered


def test_run_fit_stores_the_model_and_its_summary_and_reports_progress(demo):
    _, store, token = demo
    sid = store.session_id(token)
    updates = []
    result = run_fit(store, "ridge", updates.append, 1, 10, token, *RIDGE)
    version = load_dataset(store, sid).version
    assert result == {"version": version, "fitted_at": result["fitted_at"]}
    percents = [p for p, _ in updates]
    assert percents == sorted(percents) and percents[-1] == 100 and "Done" in updates[-1][1]
    fit = load_fit(store, sid, "ridge", version)
    assert set(fit.tables) == {"fitted", "contributions", "roas", "curves", "importance", "decay"}
    assert fit.meta["options"] == {"adstock": "geometric", "saturation": "hill", "trials": 20}
    assert fit.meta["frequency"] == "daily" and fit.meta["channels"] == load_dataset(store, sid).roles["channels"]
    restored = load_model(store, sid, "ridge", version)
    assert restored.summary().tables["fitted"]["predicted"].to_numpy() == pytest.approx(
        fit.tables["fitted"]["predicted"].to_numpy()
    )
    assert running_fits(store, sid) == []  # the heartbeat is gone once the fit is saved


def test_fit_job_explains_missing_data_bad_sessions_and_bad_options(app, demo):
    store = app.session_store
    empty = store.new_session()
    assert "no data" in run_fit(store, "ridge", print, 1, 10, empty, *RIDGE)["error"].lower()
    assert "session" in run_fit(store, "ridge", print, 1, 10, "forged", *RIDGE)["error"].lower()
    _, store, token = demo
    error = run_fit(store, "lightgbm", print, 1, 10, token, 5)["error"]
    assert error == "Check the options: Trees must be a whole number of at least 10."  # the engine's words
    assert (
        "Trees: enter a whole number from 10 to 3,000" in run_fit(store, "lightgbm", print, 1, 10, token, None)["error"]
    )


def test_form_options_blank_only_where_the_family_says_what_blank_means():
    assert form_options("ridge", ("geometric", "hill", None)) == {"adstock": "geometric", "saturation": "hill"}
    assert form_options("lightgbm", ["150"]) == {"n_estimators": 150}
    with pytest.raises(ValueError, match="Trees"):
        form_options("xgboost", [""])
    with pytest.raises(ValueError, match="at most 4"):
        form_options("bayesian", ("geometric", "logistic", 1000, 9))


def test_progress_is_throttled_but_the_end_always_shows():
    updates = []
    report = throttled(updates.append)
    for i in range(50):
        report(i / 100, "Trial")
    report(1.0, "Done")
    assert 1 <= len(updates) < 10 and updates[-1] == (95, "Done (95%)")


def test_show_results_draws_the_fit_or_says_why_there_is_none(planned):
    app, key, _, token = planned
    store, summary = app.session_store, {"version": key.version}
    view = str(show_results(store, "ridge", None, summary, None, token))
    assert "Holdout R²" in view and all(Models.graph("ridge", k) in view for k in ("fit", "roas", "curves", "decay"))
    assert "Not fitted" in str(show_results(store, "xgboost", None, summary, None, token))
    assert "Check the options" in str(
        show_results(store, "ridge", {"error": "Check the options"}, summary, None, token)
    )
    assert show_results(store, "ridge", None, None, None, token) is None
    assert "Not fitted" in str(show_results(store, "ridge", None, summary, None, "forged"))
    started = triggered(App.RUNNING, show_results, store, "ridge", None, summary, "xgboost", token, prop="data")
    assert started is no_update  # a fit starting elsewhere redraws nothing
    ended = triggered(App.RUNNING, show_results, store, "ridge", None, summary, None, token, prop="data")
    assert "Holdout R²" in str(ended)  # a fit ending (or found done after a reload) reads the store again


def test_leaderboard_lists_the_fits_on_this_data(planned):
    app, key, _, token = planned
    store = app.session_store
    board = str(leaderboard(store, {"version": key.version}, None, [None] * 4, token))
    assert models.LABELS["ridge"] in board and "same holdout" in board
    assert "No model fitted" in str(leaderboard(store, {"version": "other data"}, None, [None] * 4, token))
    assert "Load data" in str(leaderboard(store, None, None, [None] * 4, token))
    assert [m["family"] for m in fit_summaries(store, key.sid, key.version)] == ["ridge"]


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


def test_watch_follows_the_heartbeat_of_a_fit_that_runs(demo):
    _, store, token = demo
    sid, clock = store.session_id(token), FakeClock()
    store.clock = clock
    assert watch_fits(store, 1, None, token) == (no_update, True)  # nothing runs: stop polling
    with Heartbeat(store, sid, "xgboost") as heartbeat:
        assert running_fits(store, sid) == ["xgboost"]
        assert watch_fits(store, 1, None, token) == ("xgboost", False)  # App.RUNNING: other tabs say so
        assert watch_fits(store, 2, "xgboost", token) == (no_update, False)
    assert running_fits(store, sid) == ["xgboost"]  # stopped beating (killed by Cancel), not yet stale
    clock.advance(STALE_AFTER + 1)
    assert running_fits(store, sid) == []  # a killed job goes stale by itself
    assert watch_fits(store, 3, "xgboost", token) == (None, True)  # App.RUNNING ends: the results re-read the store
    with Heartbeat(store, sid, "ridge") as heartbeat:
        assert running_fits(store, sid) == ["ridge"]
    heartbeat.finished()  # a fit that ended normally says so at once
    assert running_fits(store, sid) == []
    assert watch_fits(store, 1, None, "forged") == (no_update, True)


def test_too_many_trials_are_explained_not_taken_for_automatic(demo):
    _, store, token = demo
    error = run_fit(store, "ridge", print, 1, 10, token, "geometric", "hill", 5000)["error"]
    assert error == "Check the options: Search trials must be at most 2,000."
