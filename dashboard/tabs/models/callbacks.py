"""Models tab callbacks: fit each family in the background with progress and cancel; results and leaderboard."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from dash import Input, Output, State, ctx, no_update, set_props
from dash.exceptions import PreventUpdate

import models
from dashboard.figures.format import counted, period_name
from dashboard.ids import App, Models
from dashboard.jobs import FitSlots
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.models.comparison import comparison
from dashboard.tabs.models.fits import (
    STALE_AFTER,
    ended_since,
    fit_summaries,
    forget_running,
    job_marks,
    load_fit,
    running_fits,
    started_since,
)
from dashboard.tabs.models.job import fit_job
from dashboard.tabs.models.layout import DEFAULT_HOLDOUT
from dashboard.tabs.models.leaderboard import NO_FITS, empty_leaderboard, leaderboard_view
from dashboard.tabs.models.views import NOT_FITTED, results_view
from dashboard.ui import alert, muted

log = logging.getLogger(__name__)

# What the fit jobs announce (set_props) each time they save a stage, and at the end. No callback takes the
# job's declared output (its result store) as input: the browser holds back every callback downstream of a
# running job's outputs until the job ends, which would keep the results from filling in (and the page still).
STAGES = [Input(Models.stage_store(f), "data") for f in models.MODEL_NAMES]
LOST_AFTER = STALE_AFTER  # seconds without a sign of life before a running fit is called lost
DELIVERED_WITHIN = 30  # seconds in which an ended job's answer reaches the page (it polls every second)
# What the bar says from the click until the job reports: a fit waiting for a busy Celery worker sends nothing.
SENT_JS = """
function(clicks) {
    if (!clicks) { return [window.dash_clientside.no_update, window.dash_clientside.no_update]; }
    return [0, "Sent: waiting for the server to start the fit"];
}
"""
CANCELLED = "Cancelled: the fit was stopped (a first stage already saved stays, without what had not finished)"
QUEUE_PATIENCE = 15 * 60  # seconds a sent fit may wait for a free worker before it is called lost
WAITING = "Waiting for a free worker: other fits run first ({minutes} min so far)"
LOST = (
    "The fit stopped without finishing: the process running it was lost (a server restart, a worker that "
    "died, or no worker running). Nothing else was lost. Press Fit to run it again."
)


def register(app, store: SessionStore, slots: FitSlots | None = None) -> None:
    slots = slots or FitSlots(store, stale_after=STALE_AFTER)
    for family in models.MODEL_NAMES:
        register_family(app, store, family, slots)
    register_leaderboard(app, store)
    app.callback(
        Output(App.PULSE_SINCE, "data"),
        Output(App.PULSE, "disabled"),
        Input(App.RUNNING, "data"),
        *[State(Models.fit_button(f), "n_clicks") for f in models.MODEL_NAMES],
    )(bound(follow_fit, store))
    app.callback(
        Output(App.RUNNING, "data", allow_duplicate=True),
        Output(App.PULSE, "disabled", allow_duplicate=True),
        Input(App.PULSE, "n_intervals"),
        State(App.PULSE_SINCE, "data"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(check_fit_alive, store, slots))
    app.callback(
        Output(App.RUNNING, "data", allow_duplicate=True),
        Output(App.WATCH, "disabled"),
        Input(App.WATCH, "n_intervals"),
        State(App.RUNNING, "data"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(watch_fits, store))


def register_leaderboard(app, store: SessionStore) -> None:
    """The leaderboard (again whenever a fit is saved or the holdout slider moves) and the slider's note."""
    app.callback(
        Output(Models.RECOMMENDATION, "children"),
        Output(Models.LEADERBOARD, "children"),
        Output(Models.COMPARE_ROAS, "figure"),
        Output(Models.COMPARE_BOX, "style"),
        Output(Models.DISAGREEMENTS, "children"),
        inputs={
            "summary": Input(App.DATASET, "data"),
            "running": Input(App.RUNNING, "data"),
            "stages": STAGES,
            "percent": Input(Models.HOLDOUT, "value"),
        },
        state={"token": State(App.SESSION, "data")},
    )(bound(leaderboard, store))
    app.callback(
        Output(Models.HOLDOUT_NOTE, "children"),
        Input(Models.HOLDOUT, "value"),
        Input(App.DATASET, "data"),
        *STAGES,
        State(App.SESSION, "data"),
    )(bound(holdout_note, store))


def register_family(app, store: SessionStore, family: str, slots: FitSlots) -> None:
    fit_id, cancel_id = Models.fit_button(family), Models.cancel_button(family)
    options = [State(Models.option(family, spec["name"]), "value") for spec in models.family_options(family)]
    app.callback(
        Output(Models.result_store(family), "data"),
        Input(fit_id, "n_clicks"),
        State(Models.HOLDOUT, "value"),
        State(App.SESSION, "data"),
        *options,
        background=True,
        running=[
            (Output(fit_id, "disabled"), True, False),
            (Output(cancel_id, "disabled"), False, True),
            (Output(App.RUNNING, "data"), family, None),  # app-wide, so other tabs can say a fit runs
        ],
        progress=[Output(Models.progress(family), "value"), Output(Models.progress(family), "label")],
        cancel=[Input(cancel_id, "n_clicks")],
        prevent_initial_call=True,
    )(functools.update_wrapper(functools.partial(run_fit, store, family, slots=slots), run_fit))
    app.clientside_callback(  # at once, in the browser: the job's own progress replaces it once it starts
        SENT_JS,
        Output(Models.progress(family), "value", allow_duplicate=True),
        Output(Models.progress(family), "label", allow_duplicate=True),
        Input(fit_id, "n_clicks"),
        prevent_initial_call=True,
    )
    app.callback(Input(cancel_id, "n_clicks"), State(App.SESSION, "data"), prevent_initial_call=True)(
        bound(cancelled, store, slots, family)
    )
    app.callback(
        Output(Models.results(family), "children"),
        Input(Models.stage_store(family), "data"),
        Input(App.DATASET, "data"),
        Input(App.RUNNING, "data"),
        State(App.SESSION, "data"),
    )(bound(show_results, store, family))


def run_fit(
    store: SessionStore, family: str, set_progress: Callable, _clicks, holdout, token, *values, slots=None
) -> dict:
    """Fit in a background process, then add intervals and checks; the bar follows the engine's progress and
    each saved stage is announced to the family's stage store, so the results fill in as they finish."""
    announce = functools.partial(announce_stage, family)
    result = fit_job(store, family, token, holdout, values, set_progress, announce, slots, click=_clicks)
    announce_stage(family, result)  # the end, or why it failed
    return result


def cancelled(store: SessionStore, slots: FitSlots, family: str, _clicks, token) -> None:
    """Cancel kills the family's job (Dash does): free the session's fit slot and its running mark at once,
    so a new fit can start now rather than when the dead job's heartbeat goes stale, and say so on the bar."""
    sid = store.session_or_none(token)
    if sid is not None:
        slots.release_session(sid)
        forget_running(store, sid, family)
        set_props(Models.progress(family), {"value": 0, "label": CANCELLED})


def follow_fit(store: SessionStore, running: str | None, *clicks) -> tuple:
    """(App.PULSE_SINCE, pulse off): start the pulse when a fit starts, from now, noting which click of the
    family's Fit button sent it (its job keeps the same number: ``clicks`` are every family's n_clicks, in
    models.MODEL_NAMES order); stop the pulse when none runs."""
    if not running:
        return None, True
    by_family = dict(zip(models.MODEL_NAMES, clicks))
    return {"family": running, "since": store.clock(), "click": by_family.get(running)}, False


def check_fit_alive(store: SessionStore, slots: FitSlots, _ticks, followed: dict | None, token) -> tuple:
    """(App.RUNNING, pulse off) every few seconds while a fit runs: when its job has shown no sign of life for
    LOST_AFTER seconds (a killed worker, a web restart, no worker at all) and did not end normally, say so in
    words, re-enable Fit and end the running state; otherwise change nothing."""
    if not followed:
        raise PreventUpdate
    sid, family, click = store.session_or_none(token), followed["family"], followed.get("click")
    if store.clock() - followed["since"] <= LOST_AFTER:
        raise PreventUpdate  # the job may still be starting (a fork, a Celery worker picking it up)
    alive = family in running_fits(store, sid) or (sid is not None and slots.session_holder(sid) == family)
    ended = ended_since(store, sid, family, followed["since"], click)
    if ended is not None and store.clock() - ended > DELIVERED_WITHIN:
        return shown_after_restart(family)
    if alive or ended is not None:
        raise PreventUpdate  # running, queued, or ended a moment ago (its result is on its way to the page)
    waited = store.clock() - followed["since"]
    if not started_since(store, sid, family, followed["since"], click) and waited <= QUEUE_PATIENCE:
        # Sent, not started: the Celery worker is busy with other fits (the task waits in Redis, in order).
        set_props(Models.progress(family), {"value": 0, "label": WAITING.format(minutes=int(waited // 60))})
        raise PreventUpdate
    log.warning(  # times, clicks and slots only: what an operator needs to tell a dead worker from a race
        "a %s fit was called lost: followed since %.1f (now %.1f, click %s), marks %s, session slot %s",
        family,
        followed["since"],
        store.clock(),
        click,
        job_marks(store, sid, family),
        slots.session_holder(sid) if sid is not None else None,
    )
    if sid is not None:
        slots.release_session(sid)
    set_props(Models.fit_button(family), {"disabled": False})
    set_props(Models.cancel_button(family), {"disabled": True})
    set_props(Models.progress(family), {"value": 0, "label": "Stopped: the fit's worker was lost"})
    set_props(Models.stage_store(family), {"data": {"error": LOST}})
    return None, True


def shown_after_restart(family: str) -> tuple:
    """(App.RUNNING, pulse off) for a fit that ended and was saved, but whose result never reached this page
    (the web process restarted while it ran and the page's wait for the job's answer died with it, or it is
    just late). End the
    running state and show the saved fit (its stage store makes the results and leaderboard read it)."""
    set_props(Models.fit_button(family), {"disabled": False})
    set_props(Models.cancel_button(family), {"disabled": True})
    set_props(Models.progress(family), {"value": 100, "label": "Done: the fit was saved"})
    set_props(Models.stage_store(family), {"data": {"recovered": True}})
    return None, True


def holdout_note(store: SessionStore, percent, summary: dict | None, *stages_token) -> str:
    """What the slider does: the next fits keep its last periods out of training, and the leaderboard scores
    the fits shown on them at once; fits made with a shorter holdout trained on some of them (marked *)."""
    token = stages_token[-1]
    if not summary or not percent:
        return "The holdout applies to the next fits and to the leaderboard's holdout columns."
    periods = models.holdout_periods(summary["rows"], percent / 100)
    used = sorted(
        {
            m["metrics"]["holdout_periods"]
            for m in fit_summaries(store, store.session_or_none(token), summary["version"])
        }
    )
    frequency = summary.get("frequency")  # days or weeks in the words; "periods" when unknown
    if not used or used == [periods]:
        return f"Fits are scored on the last {counted(periods, frequency)}."
    return (
        f"The leaderboard scores every fit on the last {counted(periods, frequency)}; the fits shown kept the last "
        f"{', '.join(map(str, used))} out of training. Where a fit trained on some of the new holdout, its errors "
        f"are marked *: fit it again for a fully out-of-sample score. The next fits keep these "
        f"{period_name(frequency, plural=True)} out."
    )


def announce_stage(family: str, mark: dict) -> None:
    """Tell the page that the family's fit was saved again, ended or failed (set_props works from a background
    job; the job's declared output would hold back the callbacks that read it until the job ends)."""
    set_props(Models.stage_store(family), {"data": mark})


def show_results(store: SessionStore, family: str, stage: dict | None, summary: dict | None, running, token):
    """The family's latest fit on the current data, or why there is none; read again whenever its job saves a
    stage or ends (its stage store) and whenever a fit ends (App.RUNNING), so a page reloaded during a fit
    shows it once it is done."""
    if running and ctx.triggered_id == App.RUNNING:  # a fit started: nothing new to show until it ends
        return no_update
    if stage and stage.get("error"):
        return alert(stage["error"], "danger", class_name="")
    if not summary:
        return None
    sid = store.session_or_none(token)
    fit = load_fit(store, sid, family, summary["version"])
    if fit is None:
        return muted(NOT_FITTED, "text-muted small")
    return results_view(family, fit, family in running_now(store, sid, running))


def running_now(store: SessionStore, sid: str | None, running) -> list[str]:
    """The families whose job still runs (a heartbeat), less those App.RUNNING has just said ended: a
    cancelled job's heartbeat takes a while to go stale."""
    found = running_fits(store, sid)
    if found and ctx.triggered_id == App.RUNNING:
        return [family for family in found if family == running]
    return found


def leaderboard(store: SessionStore, summary: dict | None, running, stages, token, percent=None):
    """Every model fitted on the current data, ranked by models.compare's score, with the recommendation in
    words, ROAS side by side and where the models disagree; the holdout columns score every fit on the
    slider's holdout (the last periods it sets), whatever holdout the fit was made with."""
    if not summary:
        return empty_leaderboard("Load data, then fit a model.")
    sid = store.session_or_none(token)
    record = comparison(store, sid, summary["version"])
    if record is None:
        return empty_leaderboard(NO_FITS)
    fits = {row["family"]: load_fit(store, sid, row["family"], summary["version"]) for row in record["rows"]}
    if any(fit is None for fit in fits.values()):  # a fit was replaced meanwhile: its save triggers us again
        raise PreventUpdate
    rows = len(next(iter(fits.values())).tables["fitted"])  # the periods of the data every fit shown was made on
    periods = models.holdout_periods(rows, (percent or DEFAULT_HOLDOUT) / 100)
    return leaderboard_view(record, fits, running_now(store, sid, running), periods)


def watch_fits(store: SessionStore, _ticks, shown: str | None, token) -> tuple:
    """(App.RUNNING, stop polling): the family whose fit still runs for this session, polled after a page
    load found one running (see dashboard/session.py); None and stop once every fit has ended."""
    running = running_fits(store, store.session_or_none(token))
    family = running[0] if running else None
    return (no_update if family == shown else family), not running
