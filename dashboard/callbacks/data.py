"""Upload, demo data, clear data and role corrections."""

from __future__ import annotations

import base64
import binascii
import logging
import traceback

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.datasets import load_dataset, save_roles, save_upload
from dashboard.ids import App, Data
from dashboard.settings import Settings
from dashboard.store import InvalidSession, SessionStore
from models.data import DataError, read_upload, validate_roles
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


def register(app, store: SessionStore, settings: Settings) -> None:
    app.clientside_callback(
        CHECK_SIZE_JS,
        Output(Data.PAYLOAD, "data"),
        Input(Data.UPLOAD, "contents"),
        State(Data.UPLOAD, "filename"),
        State(App.CONFIG, "data"),
    )

    @app.callback(
        Output(App.DATASET, "data"),
        Output(Data.MESSAGE, "children"),
        Output(Data.UPLOAD, "contents"),
        Output(App.SESSION, "data"),
        Input(Data.PAYLOAD, "data"),
        Input(Data.DEMO, "n_clicks"),
        Input(Data.CLEAR, "n_clicks"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )
    def change_data(payload, _demo, _clear, token):
        """Replace the session's dataset with an upload or the demo, or delete it."""
        new_token = no_update
        try:
            sid = store.session_id(token)
        except InvalidSession:  # e.g. the server's secret changed: carry on in a fresh session
            new_token = store.new_session()
            sid = store.session_id(new_token)
        if ctx.triggered_id == Data.CLEAR:
            store.clear(sid)
            return None, alert("Your data was deleted from the server.", "secondary"), None, new_token
        if ctx.triggered_id == Data.DEMO:
            content, filename = load_demo_bytes(), DEMO_NAME
        else:
            content, filename = decode_payload(payload, settings)
        return (*ingest(store, sid, content, filename, settings), new_token)

    app.callback(
        Output(Data.SUMMARY, "children"),
        Output(Data.ROLE_DATE, "options"),
        Output(Data.ROLE_DATE, "value"),
        Output(Data.ROLE_TARGET, "options"),
        Output(Data.ROLE_TARGET, "value"),
        Output(Data.ROLE_CHANNELS, "options"),
        Output(Data.ROLE_CHANNELS, "value"),
        Output(Data.ROLE_CONTROLS, "options"),
        Output(Data.ROLE_CONTROLS, "value"),
        Input(App.DATASET, "data"),
    )(show_dataset)

    app.callback(
        Output(Data.ROLE_UNUSED, "children"),
        Input(App.DATASET, "data"),
        Input(Data.ROLE_TARGET, "value"),
        Input(Data.ROLE_CHANNELS, "value"),
        Input(Data.ROLE_CONTROLS, "value"),
    )(unused_columns)

    @app.callback(
        Output(App.DATASET, "data", allow_duplicate=True),
        Output(Data.ROLE_MESSAGE, "children"),
        Input(Data.ROLE_TARGET, "value"),
        Input(Data.ROLE_CHANNELS, "value"),
        Input(Data.ROLE_CONTROLS, "value"),
        State(Data.ROLE_DATE, "value"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )
    def change_roles(target, channels, controls, date, token):
        """Validate and save corrected roles; the new version goes to App.DATASET, which every tab follows."""
        roles = {"date": date, "target": target, "channels": list(channels or []), "controls": list(controls or [])}
        return save_changed_roles(store, token, roles)


def show_dataset(summary: dict | None) -> tuple:
    """Describe what was read and fill the role pickers (the empty state when there is no data)."""
    if not summary:
        empty = html.P("No data yet: upload a file or try the demo data.", className="text-muted mb-0")
        return empty, [], None, [], None, [], [], [], []
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


def save_changed_roles(store: SessionStore, token, roles: dict) -> tuple:
    """(new dataset summary for App.DATASET, message). Roles equal to the stored ones (the pickers being
    filled from App.DATASET) save nothing and return no_update, so App.DATASET never loops."""
    if not roles["target"]:
        raise PreventUpdate
    try:
        sid = store.session_id(token)
    except InvalidSession:
        return no_update, alert(SESSION_LOST, "danger")
    dataset = load_dataset(store, sid)
    if dataset is None:
        raise PreventUpdate
    if roles == dataset.roles:
        return no_update, None
    try:
        warnings = validate_roles(dataset.frame, roles)
    except DataError as exc:
        return no_update, alert(str(exc), "danger")
    updated = save_roles(store, sid, dataset, roles, warnings)
    return updated.summary(), warning_list(warnings, "Roles saved.")


def unused_columns(summary: dict | None, *chosen) -> str:
    """Columns given no role, so people see what the models will leave out."""
    if not summary:
        return ""
    used = {c for value in chosen for c in (value if isinstance(value, list) else [value]) if c}
    unused = [c for c in summary["columns"] if c not in used]
    return f"Not used: {', '.join(unused)}" if unused else "Every column has a role."


def decode_payload(payload: dict | None, settings: Settings) -> tuple[bytes | None, str]:
    """The uploaded bytes, or None with the reason when the browser flagged or mangled the file."""
    if not payload:
        raise PreventUpdate
    filename = str(payload.get("filename") or "upload")[:200]
    if "contents" not in payload:
        return None, filename
    try:
        return base64.b64decode(payload["contents"].split(",", 1)[1], validate=True), filename
    except (IndexError, AttributeError, binascii.Error):
        return b"", filename


def ingest(store: SessionStore, sid: str, content: bytes | None, filename: str, settings: Settings):
    """Read, validate and store; a rejected file leaves the previous dataset untouched."""
    if content is None:
        limit = settings.limits.max_bytes / 1e6
        return no_update, alert(f"{filename}: the file is larger than the {limit:g} MB limit.", "danger"), None
    try:
        upload = read_upload(content, filename, settings.limits)
    except DataError as exc:
        return (
            no_update,
            alert(
                [html.Strong(filename), f": {exc}", html.Br(), html.Small("Your previous data, if any, is unchanged.")],
                "danger",
            ),
            None,
        )
    except Exception as exc:  # a bug must not show a traceback or keep half-read data
        # Log where it failed, never the message: it could quote the user's cells.
        log.error(
            "unexpected %s reading an upload:\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__))
        )
        return (
            no_update,
            alert(f"{filename}: this file could not be read. Check it is a CSV or .xlsx file.", "danger"),
            None,
        )
    dataset = save_upload(store, sid, upload, filename)
    return dataset.summary(), warning_list(upload.warnings, f"Read {filename}."), None


def alert(children, color: str) -> dbc.Alert:
    return dbc.Alert(children, color=color, class_name="mb-0 small", dismissable=True)


def warning_list(warnings: list[str], headline: str) -> dbc.Alert:
    if not warnings:
        return alert(headline, "success")
    return alert(
        [html.Strong(headline), " Please check:", html.Ul([html.Li(w) for w in warnings], className="mb-0")], "warning"
    )


def summary_view(summary: dict) -> html.Div:
    """What was read: file, rows, date range, frequency, sheet and the columns left unused."""
    items = [
        ("File", summary["filename"]),
        ("Rows", f"{summary['rows']:,}"),
        ("Dates", f"{summary['start']} to {summary['end']}"),
        ("Frequency", summary["frequency"]),
    ]
    if summary.get("sheet"):
        items.append(("Sheet", summary["sheet"]))
    return html.Div(
        [
            html.H5("What was read", className="card-title"),
            html.Dl(
                [
                    part
                    for label, value in items
                    for part in (html.Dt(label, className="col-5"), html.Dd(value, className="col-7 mb-1"))
                ],
                className="row summary-list small mb-0",
            ),
        ]
    )
