"""Page load: show what the tab's session holds on the server (data, roles, fits, the last plan)."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from dashboard.datasets import load_dataset
from dashboard.ids import App, Plan
from dashboard.plans import latest_plan
from dashboard.store import InvalidSession, SessionStore


def register(app, store: SessionStore) -> None:
    @app.callback(
        Output(App.SESSION, "data", allow_duplicate=True),
        Output(App.DATASET, "data", allow_duplicate=True),
        Output(Plan.RESULT, "data", allow_duplicate=True),
        Input(App.SESSION, "data"),
        State(App.DATASET, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def restore(token, shown):
        """Show the session's data; fits, leaderboard and the Plan tab follow App.DATASET."""
        # App.SESSION is session storage: after a reload the store takes the tab's earlier token over the
        # layout's new one, and this runs again with it.
        return restored_state(store, token, shown)


def restored_state(store: SessionStore, token, shown: dict | None) -> tuple:
    """(session token, dataset summary, plan reference) for the page from the server's copy: a new token for
    one this server did not issue, the empty state for a session whose data expired or was cleared, and
    no_update where the page already shows the stored version."""
    try:
        sid = store.session_id(token)
    except InvalidSession:
        return store.new_session(), None, None
    dataset = load_dataset(store, sid)
    if dataset is None:
        return no_update, None, None
    if (shown or {}).get("version") == dataset.version:
        return no_update, no_update, no_update
    return no_update, dataset.summary(), latest_plan(store, sid, dataset.version)
