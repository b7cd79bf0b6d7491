"""Data panel callbacks: upload, demo data, clear data and role corrections."""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import traceback

from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.ids import App, Data
from dashboard.settings import Settings
from dashboard.shares import clear_session
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.data.state import load_dataset, save_roles, save_upload
from dashboard.tabs.data.views import message, no_data, summary_view, warning_list
from models.data import DataError, Limits, check_upload_name, display_name, read_upload, validate_roles
from models.datasets import load_demo_bytes

log = logging.getLogger(__name__)
DEMO_NAME = "demo_daily.csv (synthetic demo data)"
SESSION_LOST = "Your session is not valid any more: load your data again."

# Checks the size in the browser, so an oversized file never travels to the server.
CHECK_SIZE_JS = """
function(contents, filename, config) {
    if (!contents) { return window.dash_clientside.no_update; }
    const payload = contents.split(',')[1] || '';
    const size = Math.floor(payload.length * 3 / 4);
    if (size > config.max_bytes) { return {filename: filename, size: size}; }
    return {filename: filename, contents: contents};
}
"""
# "Clear my data" opens the confirmation; "Delete my data" (which deletes) and "Keep my data" close it.
CLEAR_DIALOG_JS = """
function(_ask, _delete, _keep) {
    const trigger = window.dash_clientside.callback_context.triggered_id;
    return trigger === "data-clear-ask-button";
}
"""
ROLE_PICKERS = (Data.ROLE_TARGET, Data.ROLE_CHANNELS, Data.ROLE_CONTROLS)


def register_browser_side(app) -> None:
    """The callbacks that run in the browser: the upload's size check and Clear's confirmation."""
    app.clientside_callback(
        CHECK_SIZE_JS,
        Output(Data.PAYLOAD, "data"),
        Input(Data.UPLOAD, "contents"),
        State(Data.UPLOAD, "filename"),
        State(App.CONFIG, "data"),
    )
    app.clientside_callback(
        CLEAR_DIALOG_JS,
        Output(Data.CLEAR_DIALOG, "is_open"),
        Input(Data.CLEAR_ASK, "n_clicks"),
        Input(Data.CLEAR, "n_clicks"),
        Input(Data.CLEAR_KEEP, "n_clicks"),
        prevent_initial_call=True,
    )


def register(app, store: SessionStore, settings: Settings) -> None:
    register_browser_side(app)
    app.callback(
        Output(App.DATASET, "data"),
        Output(Data.MESSAGE, "children"),
        Output(Data.UPLOAD, "contents"),
        Output(App.SESSION, "data"),
        Input(Data.PAYLOAD, "data"),
        Input(Data.DEMO, "n_clicks"),
        Input(Data.CLEAR, "n_clicks"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(change_data, store, settings))
    app.callback(
        Output(Data.ROLE_MESSAGE, "children", allow_duplicate=True),
        Input(Data.PAYLOAD, "data"),
        Input(Data.DEMO, "n_clicks"),
        Input(Data.CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )(clear_role_message)
    roles_limit = settings.limits.max_columns  # most channels + controls (MMM_MAX_COLUMNS)
    pickers = [Output(Data.ROLE_DATE, "options"), Output(Data.ROLE_DATE, "value")]
    pickers += [Output(p, prop) for p in ROLE_PICKERS for prop in ("options", "value")]
    app.callback(Output(Data.SUMMARY, "children"), *pickers, Input(App.DATASET, "data"))(show_dataset)
    app.callback(
        Output(Data.ROLE_UNUSED, "children"), Input(App.DATASET, "data"), *[Input(p, "value") for p in ROLE_PICKERS]
    )(unused_columns)
    app.callback(
        Output(App.DATASET, "data", allow_duplicate=True),
        Output(Data.ROLE_MESSAGE, "children"),
        *[Input(p, "value") for p in ROLE_PICKERS],
        State(Data.ROLE_DATE, "value"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(functools.update_wrapper(functools.partial(change_roles, store, max_roles=roles_limit), change_roles))


def change_data(store: SessionStore, settings: Settings, payload, _demo, _clear, token) -> tuple:
    """Replace the session's dataset with an upload or the demo, or delete it; a token this server did not
    issue (e.g. its secret changed) is replaced by a fresh session."""
    sid, new_token = store.session_or_none(token), no_update
    if sid is None:
        new_token = store.new_session()
        sid = store.session_id(new_token)
    if ctx.triggered_id == Data.CLEAR:
        clear_session(store, sid)
        return None, message("Your data was deleted from the server.", "secondary"), None, new_token
    if ctx.triggered_id == Data.DEMO:
        content, filename = load_demo_bytes(), DEMO_NAME
    else:
        content, filename = decode_payload(payload)
    return (*ingest(store, sid, content, filename, settings), new_token)


def clear_role_message(*_) -> None:
    """A new upload, the demo or Clear starts afresh: a message about the previous data's roles goes."""
    return None


def show_dataset(summary: dict | None) -> tuple:
    """Describe what was read and fill the role pickers (the empty state when there is no data)."""
    if not summary:
        return no_data(), [], None, [], None, [], [], [], []
    roles, columns = summary["roles"], summary["columns"]
    return (
        summary_view(summary),
        summary["date_columns"],
        roles["date"],
        columns,
        roles["target"],
        columns,
        roles["channels"],
        columns,
        roles["controls"],
    )


def unused_columns(summary: dict | None, *chosen) -> str:
    """Columns given no role, so people see what the models will leave out."""
    if not summary:
        return ""
    used = {c for value in chosen for c in (value if isinstance(value, list) else [value]) if c}
    unused = [c for c in summary["columns"] if c not in used]
    return f"Not used: {', '.join(unused)}" if unused else "Every column has a role."


def change_roles(
    store: SessionStore, target, channels, controls, date, token, *, max_roles: int = Limits().max_columns
) -> tuple:
    """Validate and save corrected roles: (new dataset summary for App.DATASET, which every tab follows,
    message). Roles equal to the stored ones (the pickers being filled from App.DATASET) save nothing and
    return no_update, so App.DATASET never loops."""
    roles = {"date": date, "target": target, "channels": list(channels or []), "controls": list(controls or [])}
    if not roles["target"]:
        raise PreventUpdate
    sid = store.session_or_none(token)
    if sid is None:
        return no_update, message(SESSION_LOST, "danger")
    dataset = load_dataset(store, sid)
    if dataset is None:
        raise PreventUpdate
    if roles == dataset.roles:
        return no_update, None
    try:
        warnings = validate_roles(dataset.frame, roles, max_roles=max_roles)
    except DataError as exc:
        return no_update, message(str(exc), "danger")
    updated = save_roles(store, sid, dataset, roles, warnings)
    return updated.summary(), warning_list(warnings, "Roles saved.")


def decode_payload(payload: dict | None) -> tuple[bytes | None, str]:
    """The uploaded bytes, or None when the browser flagged the file as too large (b"" when mangled)."""
    if not payload:
        raise PreventUpdate
    filename = display_name(payload.get("filename"))  # no control or bidi characters, no folders
    if "contents" not in payload:
        return None, filename
    try:
        return base64.b64decode(payload["contents"].split(",", 1)[1], validate=True), filename
    except (IndexError, AttributeError, binascii.Error):
        return b"", filename


def ingest(store: SessionStore, sid: str, content: bytes | None, filename: str, settings: Settings) -> tuple:
    """Read, validate and store: (summary, message, cleared upload); a rejected file leaves the previous
    dataset untouched."""
    if content is None:
        limit = settings.limits.max_bytes / 1e6
        return no_update, message(f"{filename}: the file is larger than the {limit:g} MB limit.", "danger"), None
    try:
        if filename != DEMO_NAME:
            check_upload_name(filename)
        upload = read_upload(content, filename, settings.limits)
    except DataError as exc:
        unchanged = html.Small("Your previous data, if any, is unchanged.")
        return no_update, message([html.Strong(filename), f": {exc}", html.Br(), unchanged], "danger"), None
    except Exception as exc:  # a bug must not show a traceback or keep half-read data
        # Log where it failed, never the message: it could quote the user's cells.
        where = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unexpected %s reading an upload:\n%s", type(exc).__name__, where)
        unreadable = f"{filename}: this file could not be read. Check it is a CSV or .xlsx file."
        return no_update, message(unreadable, "danger"), None
    dataset = save_upload(store, sid, upload, filename)
    return dataset.summary(), warning_list(upload.warnings, f"Read {filename}."), None
