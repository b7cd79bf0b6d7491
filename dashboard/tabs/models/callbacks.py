"""Models tab callbacks: fit each family in the background with progress and cancel; results and leaderboard."""

from __future__ import annotations

from collections.abc import Callable

from dash import Input, Output, State, ctx, no_update

import models
from dashboard.ids import App, Models
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.models.fits import fit_summaries, load_fit, running_fits
from dashboard.tabs.models.job import fit_job
from dashboard.tabs.models.views import NOT_FITTED, leaderboard_table, results_view
from dashboard.ui import alert, muted

RESULTS = [Input(Models.result_store(f), "data") for f in models.MODEL_NAMES]


def register(app, store: SessionStore) -> None:
    for family in models.MODEL_NAMES:
        register_family(app, store, family)
    app.callback(
        Output(Models.LEADERBOARD, "children"),
        inputs={"summary": Input(App.DATASET, "data"), "running": Input(App.RUNNING, "data"), "results": RESULTS},
        state={"token": State(App.SESSION, "data")},
    )(bound(leaderboard, store))
    app.callback(
        Output(App.RUNNING, "data", allow_duplicate=True),
        Output(App.WATCH, "disabled"),
        Input(App.WATCH, "n_intervals"),
        State(App.RUNNING, "data"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(watch_fits, store))


def register_family(app, store: SessionStore, family: str) -> None:
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
    )(bound(run_fit, store, family))
    app.callback(
        Output(Models.results(family), "children"),
        Input(Models.result_store(family), "data"),
        Input(App.DATASET, "data"),
        Input(App.RUNNING, "data"),
        State(App.SESSION, "data"),
    )(bound(show_results, store, family))


def run_fit(store: SessionStore, family: str, set_progress: Callable, _clicks, holdout, token, *values) -> dict:
    """Fit in a background process; the bar follows the engine's progress."""
    return fit_job(store, family, token, holdout, values, set_progress)


def show_results(store: SessionStore, family: str, result: dict | None, summary: dict | None, running, token):
    """The family's latest fit on the current data, or why there is none; read again whenever a fit ends
    (App.RUNNING), so a page reloaded during a fit shows it once it is done."""
    if running and ctx.triggered_id == App.RUNNING:  # a fit started: nothing new to show until it ends
        return no_update
    if result and result.get("error"):
        return alert(result["error"], "danger", class_name="")
    if not summary:
        return None
    fit = load_fit(store, store.session_or_none(token), family, summary["version"])
    if fit is None:
        return muted(NOT_FITTED, "text-muted small")
    return results_view(family, fit)


def leaderboard(store: SessionStore, summary: dict | None, running, results, token):
    """Every model fitted on the current data, scored on the same holdout; the best first."""
    if not summary:
        return muted("Load data, then fit a model.")
    return leaderboard_table(fit_summaries(store, store.session_or_none(token), summary["version"]))


def watch_fits(store: SessionStore, _ticks, shown: str | None, token) -> tuple:
    """(App.RUNNING, stop polling): the family whose fit still runs for this session, polled after a page
    load found one running (see dashboard/session.py); None and stop once every fit has ended."""
    running = running_fits(store, store.session_or_none(token))
    family = running[0] if running else None
    return (no_update if family == shown else family), not running
