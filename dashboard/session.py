"""The page's session: on load, show what the tab's session holds on the server (data, roles, fits, the last
plan, a fit that still runs); later, say so when the data expired; "Clear my data" outside Dash's queue."""

from __future__ import annotations

from dash import Input, Output, State, no_update
from flask import Response, request

from dashboard.ids import App, Data, Plan
from dashboard.shares import clear_session
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.data.state import DATASET, load_dataset
from dashboard.tabs.data.views import message
from dashboard.tabs.models.fits import running_fits
from dashboard.tabs.plan.state import latest_plan

CLEAR_ROUTE = "/_mmm/clear"  # assets/clear.js posts the tab's token here when "Clear my data" is clicked
EXPIRED = (
    "Your data is no longer on the server: a session left unused for {idle} is deleted with everything it "
    "held (data, fits, plans), or it was cleared in another tab. Upload your file again, or try the demo data."
)


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
    app.callback(
        Output(App.DATASET, "data", allow_duplicate=True),
        Output(Data.MESSAGE, "children", allow_duplicate=True),
        Output(App.NOTICE, "children"),
        Input(App.EXPIRY, "n_intervals"),
        State(App.SESSION, "data"),
        State(App.DATASET, "data"),
        State(App.NOTICE, "children"),
        prevent_initial_call=True,
    )(bound(check_expiry, store))


def clear_now(store: SessionStore):
    """Delete the session's data now, outside Dash's callback queue (which holds "Clear" back while a fit
    runs); the running fit sees its data gone and stops without saving. 204 whatever the token: an unknown
    or forged one clears nothing and learns nothing."""
    body = request.get_json(silent=True)
    sid = store.session_or_none(body.get("token") if isinstance(body, dict) else None)
    if sid is not None:
        clear_session(store, sid)
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


def check_expiry(store: SessionStore, _tick, token, shown: dict | None, notice=None) -> tuple:
    """(dataset summary, message, notice): the empty state and why, once the data this page shows are gone
    from the server (the session expired or was cleared elsewhere); nothing while they are there. Asking does
    not count as use: an open tab nobody works in still expires. A notice that the store was unreachable
    (dashboard/errors.py) goes once the store answers again; while it does not, this raises and the notice
    stays."""
    if notice:
        store.ping()
    cleared = None if notice else no_update
    if not shown:
        return no_update, no_update, cleared
    sid = store.session_or_none(token)
    if sid is not None and DATASET in store.names(sid):
        return no_update, no_update, cleared
    return None, message(EXPIRED.format(idle=idle_text(store.ttl)), "warning"), cleared


def idle_text(seconds: int) -> str:
    """ "2 hours", "30 minutes", "45 seconds": the session's TTL in words."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"
