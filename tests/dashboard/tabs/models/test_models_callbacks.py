"""The Models tab's callbacks called directly: the background fit, results, leaderboard and the watch that
shows a fit to a page reloaded while it ran."""

import re

import pytest
from dash import no_update

import models
from dashboard.figures.compare import LEADERBOARD_COLUMNS
from dashboard.ids import App, Models
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.callbacks import holdout_note, leaderboard, run_fit, show_results, watch_fits
from dashboard.tabs.models.fits import (
    STALE_AFTER,
    Heartbeat,
    fit_summaries,
    load_fit,
    load_fit_meta,
    load_model,
    running_fits,
)
from dashboard.tabs.models.job import fit_job, form_options, throttled
from models.checks import REFIT_CHECKS
from tests.dashboard.helpers import RIDGE, FakeClock, in_callback, triggered


class Killed(BaseException):
    """Stands for Cancel: the job's process is killed, so nothing after it runs (not even ``except Exception``)."""


def fit_error(store, family, token, *form) -> str:
    """The error run_fit returns, and checks that the page hears of it too (the family's stage store)."""
    result, props = in_callback(run_fit, store, family, print, 1, 10, token, *form)
    assert props == {Models.stage_store(family): {"data": result}}
    return result["error"]


def test_run_fit_saves_the_point_fit_then_its_intervals_and_checks(demo):
    _, store, token = demo
    sid = store.session_id(token)
    updates = []
    result, props = in_callback(run_fit, store, "ridge", updates.append, 1, 10, token, *RIDGE)
    version = load_dataset(store, sid).version
    assert result == {"version": version, "fitted_at": result["fitted_at"]}
    percents, labels = [p for p, _ in updates], [label for _, label in updates]
    assert percents == sorted(percents) and percents[-1] == 100 and labels[-1].startswith("Done in")
    assert any(label.startswith("Intervals: bootstrap refit") for label in labels)
    assert any(label.startswith("Placebo check") for label in labels)
    assert any(label.startswith("Simulated twin") for label in labels)
    fit = load_fit(store, sid, "ridge", version)
    assert set(fit.tables) == {"fitted", "contributions", "roas", "curves", "importance", "decay", "checks"}
    assert fit.meta["stages"] == {"intervals": "done", "checks": "done"} and fit.meta["revision"] == 2
    assert props == {Models.stage_store("ridge"): {"data": result}}  # the page hears of the end (and each stage)
    assert fit.meta["intervals"]["method"] == "block bootstrap" and fit.meta["intervals"]["level"] == 0.9
    roas = fit.tables["roas"]
    assert (roas["lower"] <= roas["roas"]).all() and (roas["upper"] > roas["roas"]).any()  # intervals, not points
    assert set(REFIT_CHECKS) <= set(fit.tables["checks"]["check"])
    assert set(fit.tables["checks"]["status"]) <= {"ok", "warn", "fail"}
    assert fit.meta["options"] == {"adstock": "geometric", "saturation": "hill", "trials": 20}
    assert fit.meta["frequency"] == "daily" and fit.meta["channels"] == load_dataset(store, sid).roles["channels"]
    restored = load_model(store, sid, "ridge", version)
    assert restored.summary().tables["roas"]["upper"].to_numpy() == pytest.approx(roas["upper"].to_numpy())
    assert running_fits(store, sid) == []  # the heartbeat is gone once every stage is saved


def test_each_stage_is_saved_before_it_is_announced(demo):
    _, store, token = demo
    sid, seen = store.session_id(token), []
    version = load_dataset(store, sid).version

    def announce(mark):
        meta = load_fit_meta(store, sid, "ridge", version)
        seen.append((mark["revision"], meta["revision"], dict(meta["stages"])))

    assert "error" not in fit_job(store, "ridge", token, 10, RIDGE, lambda _: None, announce)
    assert seen == [
        (0, 0, {"intervals": "pending", "checks": "pending"}),  # the point fit, shown at once
        (1, 1, {"intervals": "done", "checks": "pending"}),
        (2, 2, {"intervals": "done", "checks": "done"}),
    ]


def test_a_fit_cancelled_after_its_point_fit_stays_and_says_what_did_not_finish(demo):
    _, store, token = demo
    sid = store.session_id(token)
    summary = {"version": load_dataset(store, sid).version}

    def progress(update):
        if update[1].startswith("Intervals"):
            raise Killed

    with pytest.raises(Killed):
        fit_job(store, "ridge", token, 10, RIDGE, progress)
    fit = load_fit(store, sid, "ridge", summary["version"])
    assert fit.meta["stages"] == {"intervals": "pending", "checks": "pending"}
    with Heartbeat(store, sid, "ridge"):  # its job still beats: the page says what is coming
        stage = Models.stage_store("ridge")
        running = str(triggered(stage, show_results, store, "ridge", {}, summary, "ridge", token, prop="data"))
        assert "Estimating 90% intervals" in running and "check-running" in running
        # Cancel: App.RUNNING ends at once, while the killed job's heartbeat takes a while to go stale
        ended = str(triggered(App.RUNNING, show_results, store, "ridge", {}, summary, None, token, prop="data"))
    assert "were not finished" in ended and "check-not-run" in ended and "Fit again to run it" in ended
    assert "Holdout R²" in ended and Models.graph("ridge", "roas") in ended  # the point fit stays usable
    board = str(triggered(App.RUNNING, leaderboard, store, summary, None, [None] * 4, token, prop="data"))
    assert "placebo and twin not run" in board and "Fit a second family" in board


def test_fit_job_explains_missing_data_bad_sessions_and_bad_options(app, demo):
    store = app.session_store
    empty = store.new_session()
    assert "no data" in fit_error(store, "ridge", empty, *RIDGE).lower()
    assert "session" in fit_error(store, "ridge", "forged", *RIDGE).lower()
    _, store, token = demo
    error = fit_error(store, "lightgbm", token, 5)
    assert error == "Check the options: Trees must be a whole number of at least 10."  # the engine's words
    assert "Trees: enter a whole number from 10 to 3,000" in fit_error(store, "lightgbm", token, None)


def test_form_options_blank_only_where_the_family_says_what_blank_means():
    assert form_options("ridge", ("geometric", "hill", None)) == {"adstock": "geometric", "saturation": "hill"}
    assert form_options("lightgbm", ["150"]) == {"n_estimators": 150}
    with pytest.raises(ValueError, match="Trees"):
        form_options("xgboost", [""])
    with pytest.raises(ValueError, match="at most 4"):
        form_options("bayesian", ("geometric", "logistic", 1000, 500, 9))
    # the convergence check's advice (more warm-up steps) is something the form offers
    assert form_options("bayesian", ("geometric", "hill", 1000, 2000, 2))["tune"] == 2000


def test_progress_is_throttled_but_the_end_always_shows():
    updates = []
    report = throttled(updates.append)
    for i in range(50):
        report(i / 100, "Trial")
    report(1.0, "Done")
    assert 1 <= len(updates) < 10 and updates[-1] == (50, "Done (50%)")  # the point fit: the first half of the bar


def test_show_results_draws_the_fit_or_says_why_there_is_none(planned):
    app, key, _, token = planned
    store, summary = app.session_store, {"version": key.version}
    view = str(show_results(store, "ridge", None, summary, None, token))
    assert "Holdout R²" in view and all(Models.graph("ridge", k) in view for k in ("fit", "roas", "curves", "decay"))
    assert Models.checks("ridge") in view and all(name in view for name in REFIT_CHECKS)  # every family's checks
    assert "calibrated bootstrap" in view and "check-running" not in view
    assert "-day blocks of residuals" in view and "1, 2, 3... days later" in view  # the daily demo's words
    assert re.search(r"Fitted 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC in ", view)  # the server's clock, named as UTC
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


def test_leaderboard_with_one_fit_asks_for_a_second(planned):
    app, key, _, token = planned
    store = app.session_store
    summary = {"version": key.version, "rows": 1096}
    advice, table, _, style, agreement = leaderboard(store, summary, None, [None] * 4, token)
    assert models.LABELS["ridge"] in str(table) and "Fit a second family to compare" in str(advice)
    assert "table-success" not in str(table) and style == {"display": "none"} and agreement is None
    assert "No model fitted" in str(leaderboard(store, {"version": "other data", "rows": 9}, None, [], token))
    assert "Load data" in str(leaderboard(store, None, None, [None] * 4, token))
    assert [m["family"] for m in fit_summaries(store, key.sid, key.version)] == ["ridge"]


def test_leaderboard_ranks_by_the_comparison_and_shows_roas_side_by_side(compared):
    app, token, sid, version = compared
    store = app.session_store
    summary = {"version": version, "rows": len(load_dataset(store, sid).frame)}
    advice, table, figure, style, warning = leaderboard(store, summary, None, [], token, 10)
    fits = {m["label"]: load_model(store, sid, m["family"], version) for m in fit_summaries(store, sid, version)}
    record = models.compare(fits)  # what the leaderboard shows, computed here again
    assert f"{record.loc[0, 'model']}, because its checks score best" in str(advice) and "Provisional" not in str(
        advice
    )
    assert str(table).count("table-success") == 1 and style == {}
    assert [trace.name for trace in figure.data] == list(record["model"])  # ranked order, one bar set each
    assert all(trace.error_y.array is not None for trace in figure.data)  # every family with intervals
    if record.attrs["disagreements"]:
        assert all(item["channel"] in str(warning) for item in record.attrs["disagreements"])
    else:
        assert "agree on every channel" in str(warning)


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
    error = fit_error(store, "ridge", token, "geometric", "hill", 5000)
    assert error == "Check the options: Search trials must be at most 2,000."


def test_the_holdout_slider_says_it_sets_the_next_fits_holdout(compared):
    app, token, sid, version = compared
    store = app.session_store
    summary = load_dataset(store, sid).summary()  # the daily demo
    stages = [None] * len(models.MODEL_NAMES)
    assert holdout_note(store, 10, summary, *stages, token) == "Fits are scored on the last 110 days."
    moved = holdout_note(store, 20, summary, *stages, token)
    assert "The leaderboard scores every fit on the last 219 days" in moved and "kept the last 110" in moved
    assert "marked *" in moved and "fit it again" in moved and "keep these days out" in moved
    weekly = summary | {"rows": 20, "frequency": "weekly"}  # 20 weeks: 10% is the last 2, 5% the last 1
    assert holdout_note(store, 10, weekly, *stages, token).startswith(
        "The leaderboard scores every fit on the last 2 weeks;"
    )
    assert "on the last 1 week;" in holdout_note(store, 5, weekly, *stages, token)
    assert "keep these weeks out" in holdout_note(store, 5, weekly, *stages, token)
    assert holdout_note(store, 10, summary | {"frequency": None}, *stages, token).endswith("last 110 periods.")
    assert "applies to the next fits" in holdout_note(store, 20, None, *stages, token)


def test_the_holdout_slider_scores_the_fits_shown_again(compared):
    app, token, sid, version = compared
    store = app.session_store
    summary = load_dataset(store, sid).summary()
    ridge = load_model(store, sid, "ridge", version)
    fitted_table = ridge.summary().tables["fitted"]

    def shown_r2(percent) -> str:  # the ridge row's holdout R² as the leaderboard shows it
        _, table, *_ = leaderboard(store, summary, None, [], token, percent)
        rows = table.children[0].children[1].children
        row = next(r for r in rows if r.children[0].children == models.LABELS["ridge"])
        return row.children[LEADERBOARD_COLUMNS.index("R² (holdout)") - 1].children, str(table)

    own, text = shown_r2(10)  # the holdout the fits were made with: their own metrics, no mark
    assert own == f"{ridge.metrics['r2']:.3f}" and "Trained on some" not in text and "last 110 days" in text
    wider, text = shown_r2(20)  # re-scored on the last 219 days, 109 of which ridge was trained on
    expected = models.score_last(fitted_table, 219)
    assert expected["trained_on"] == 109 and wider == f"{expected['r2']:.3f} *" and wider != own + " *"
    assert "last 219 days" in text and "Trained on some of these days" in text
    assert f"{models.LABELS['ridge']} (109)" in text
    shorter, text = shown_r2(5)  # inside the fits' own holdout: out of sample, so no mark
    assert shorter == f"{models.score_last(fitted_table, 55)['r2']:.3f}" and "Trained on some" not in text
