"""Page load: show what the tab's session holds on the server (data, roles, fits, the last plan, a fit
that still runs)."""

from __future__ import annotations

from dash import Input, Output, State, no_update
from flask import Response, request

from dashboard.ids import App, Plan
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.fits import running_fits
from dashboard.tabs.plan.state import latest_plan

CLEAR_ROUTE = "/_mmm/clear"  # assets/clear.js posts the tab's token here when "Clear my data" is clicked


def register(app, store: SessionStore) -> None:
    app.server.add_url_rule(CLEAR_ROUTE, "clear-now", bound(clear_now, store), methods=["POST"])
    # App.SESSION is session storage: after a reload the store takes the tab's earlier token over the
    # layout's new one, and this runs again with it.
    app.callback(
        Output(App.SESSION, "data", allow_duplicate=True),
        Output(App.DATASET, "data", allow_duplicate=True),
        Output(Plan.RESULT, "data", allow_duplicate=True),
        Output(App.WATCH, "disabled"),
        Input(App.SESSION, "data"),
        State(App.DATASET, "data"),
        prevent_initial_call="initial_duplicate",
    )(bound(restore, store))


def clear_now(store: SessionStore):
    """Delete the session's data now, outside Dash's callback queue (which holds "Clear" back while a fit
    runs); the running fit sees its data gone and stops without saving. 204 whatever the token: an unknown
    or forged one clears nothing and learns nothing."""
    body = request.get_json(silent=True)
    sid = store.session_or_none(body.get("token") if isinstance(body, dict) else None)
    if sid is not None:
        store.clear(sid)
    return Response(status=204)


def restore(store: SessionStore, token, shown: dict | None) -> tuple:
    """(session token, dataset summary, plan reference, stop watching for fits) for the page from the server's
    copy: a new token for one this server did not issue, the empty state for a session whose data expired or
    was cleared, no_update where the page already shows the stored version, and a watch on any fit that runs
    (fits, leaderboard and the Plan tab follow App.DATASET and App.RUNNING)."""
    sid = store.session_or_none(token)
    if sid is None:
        return store.new_session(), None, None, True
    dataset = load_dataset(store, sid)
    if dataset is None:
        return no_update, None, None, True
    watch = not running_fits(store, sid)
    if (shown or {}).get("version") == dataset.version:
        return no_update, no_update, no_update, watch
    return no_update, dataset.summary(), latest_plan(store, sid, dataset.version), watch
