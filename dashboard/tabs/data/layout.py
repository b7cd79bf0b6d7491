"""The data panel beside the tabs: upload, demo and clear buttons, what was read, and the column roles."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.ids import Data
from dashboard.settings import Settings
from dashboard.tabs.data.views import no_data
from dashboard.ui import card, named

ACCEPT = ".csv,.txt,.tsv,.xlsx,.xls,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def data_panel(settings: Settings) -> html.Div:
    return html.Div(
        [
            card([html.H5("Your data", className="card-title"), upload_box(settings), buttons(), messages()], "mb-3"),
            card(html.Div(id=Data.SUMMARY, children=no_data()), "mb-3"),
            card(roles_form(), "mb-3"),
        ]
    )


def upload_box(settings: Settings) -> html.Div:
    hint = f"CSV or Excel (.xlsx), up to {settings.limits.max_bytes / 1e6:g} MB"
    upload = dcc.Upload(
        id=Data.UPLOAD,
        children=html.Div(
            [
                "Drag and drop or ",
                html.A("choose a file", href="#"),
                html.Br(),
                html.Small(hint, className="text-muted"),
            ]
        ),
        className="upload-zone",
        multiple=False,
        accept=ACCEPT,
    )
    return named(upload, f"Choose a data file: {hint}")


def buttons() -> html.Div:
    return html.Div(
        [
            dbc.Button("Try the demo data", id=Data.DEMO, color="primary", size="sm"),
            dbc.Button("Clear my data", id=Data.CLEAR_ASK, color="danger", outline=True, size="sm"),
            clear_dialog(),
        ],
        className="d-flex gap-2 mt-2",
    )


def clear_dialog() -> dbc.Modal:
    """Clear asks first: it deletes everything the session holds, at once and for good."""
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Delete your data from the server?")),
            dbc.ModalBody(
                "Your data, every fit, the plans and scenarios, and your share links are deleted now and cannot be "
                "brought back. A fit that is running stops."
            ),
            dbc.ModalFooter(
                [
                    dbc.Button("Keep my data", id=Data.CLEAR_KEEP, color="secondary", outline=True, size="sm"),
                    dbc.Button("Delete my data", id=Data.CLEAR, color="danger", size="sm"),
                ]
            ),
        ],
        id=Data.CLEAR_DIALOG,
        is_open=False,
    )


def messages() -> dcc.Loading:
    return dcc.Loading(html.Div(id=Data.MESSAGE, className="mt-2"), type="dot")


def picker(label: str, component_id: str, multi: bool, hint: str) -> html.Div:
    return html.Div(
        [
            dbc.Label(label, html_for=component_id, class_name="mb-0 fw-semibold"),
            dcc.Dropdown(id=component_id, multi=multi, clearable=multi, placeholder=hint),
        ],
        className="mb-2",
    )


def roles_form() -> html.Div:
    return html.Div(
        [
            html.H5("Column roles", className="card-title"),
            html.P("Detected from the column names; correct any of them here.", className="small text-muted"),
            picker("Date", Data.ROLE_DATE, False, "Date column"),
            picker("Target (revenue)", Data.ROLE_TARGET, False, "What spend drives"),
            picker("Paid media channels (spend)", Data.ROLE_CHANNELS, True, "Spend columns"),
            picker("Controls", Data.ROLE_CONTROLS, True, "Price, promotions, events..."),
            html.Div(id=Data.ROLE_UNUSED, className="small text-muted mb-2"),
            html.Div(id=Data.ROLE_MESSAGE),
        ]
    )
