"""Page layout: a data panel (upload, summary, roles) beside the analysis tabs."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.explore import empty_figure
from dashboard.ids import App, Data, Explore
from dashboard.layout_models import models_tab
from dashboard.layout_plan import plan_tab
from dashboard.settings import Settings

GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def serve_layout(session_token: str, settings: Settings) -> html.Div:
    """The page, built per request so each new tab gets a session id issued by the server; a reloaded tab
    keeps the id it had (a session-storage store keeps the browser's value over the layout's)."""
    return html.Div(
        [
            dcc.Store(id=App.SESSION, data=session_token, storage_type="session"),
            dcc.Store(id=App.DATASET, storage_type="memory"),
            dcc.Store(id=App.CONFIG, data={"max_bytes": settings.limits.max_bytes}),
            dcc.Store(id=App.RUNNING, storage_type="memory"),
            dcc.Store(id=Data.PAYLOAD),
            dbc.Navbar(
                dbc.Container(dbc.NavbarBrand("Media Mix Modelling", class_name="fw-semibold")),
                color="dark",
                dark=True,
                class_name="mb-3",
            ),
            dbc.Container(
                dbc.Row([dbc.Col(data_panel(settings), lg=4, xl=3), dbc.Col(analysis_tabs(), lg=8, xl=9)]),
                fluid=True,
            ),
        ]
    )


def data_panel(settings: Settings) -> html.Div:
    mb = settings.limits.max_bytes / 1e6
    upload = dcc.Upload(
        id=Data.UPLOAD,
        children=html.Div(
            [
                "Drag and drop or ",
                html.A("choose a file", href="#"),
                html.Br(),
                html.Small(f"CSV or Excel (.xlsx), up to {mb:g} MB", className="text-muted"),
            ]
        ),
        className="upload-zone",
        multiple=False,
        accept=".csv,.txt,.tsv,.xlsx,.xls,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    buttons = html.Div(
        [
            dbc.Button("Try the demo data", id=Data.DEMO, color="primary", size="sm"),
            dbc.Button("Clear my data", id=Data.CLEAR, color="danger", outline=True, size="sm"),
        ],
        className="d-flex gap-2 mt-2",
    )
    return html.Div(
        [
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H5("Your data", className="card-title"),
                        upload,
                        buttons,
                        dcc.Loading(html.Div(id=Data.MESSAGE, className="mt-2"), type="dot"),
                    ]
                ),
                class_name="mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    html.Div(
                        id=Data.SUMMARY,
                        children=html.P(
                            "No data yet: upload a file or try the demo data.", className="text-muted mb-0"
                        ),
                    )
                ),
                class_name="mb-3",
            ),
            dbc.Card(dbc.CardBody(roles_form()), class_name="mb-3"),
        ]
    )


def roles_form() -> html.Div:
    def picker(label: str, component_id: str, multi: bool, hint: str) -> html.Div:
        return html.Div(
            [
                dbc.Label(label, html_for=component_id, class_name="mb-0 fw-semibold"),
                dcc.Dropdown(id=component_id, multi=multi, clearable=multi, placeholder=hint),
            ],
            className="mb-2",
        )

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


def analysis_tabs() -> dbc.Tabs:
    return dbc.Tabs(
        [
            dbc.Tab(explore_tab(), label="Explore", tab_id="explore"),
            dbc.Tab(models_tab(), label="Models", tab_id="models"),
            dbc.Tab(plan_tab(), label="Plan", tab_id="plan"),
        ],
        id=App.TABS,
        active_tab="explore",
    )


def graph(component_id: str, height: int) -> dcc.Graph:
    return dcc.Graph(
        id=component_id,
        figure=empty_figure("Upload data to see this chart"),
        config=GRAPH_CONFIG,
        style={"height": f"{height}px"},
    )


def explore_tab() -> html.Div:
    return html.Div(
        [
            html.Div(id=Explore.STATUS, className="mt-3"),
            dbc.Card(
                dbc.CardBody(
                    [
                        dbc.Checklist(id=Explore.CHANNELS, inline=True, switch=True, class_name="small"),
                        graph(Explore.SERIES, 420),
                    ]
                ),
                class_name="mt-3",
            ),
            dbc.Row(
                [
                    dbc.Col(dbc.Card(dbc.CardBody(graph(Explore.SHARE, 380))), md=6),
                    dbc.Col(dbc.Card(dbc.CardBody(graph(Explore.VIF, 380))), md=6),
                ],
                class_name="mt-3 g-3",
            ),
            dbc.Card(dbc.CardBody(graph(Explore.CORRELATION, 540)), class_name="mt-3"),
            dbc.Card(dbc.CardBody([stats_header(), html.Div(id=Explore.STATS)]), class_name="mt-3 mb-4"),
        ]
    )


def stats_header() -> html.Div:
    buttons = [
        dbc.Button("Download tables (.xlsx)", id=Explore.EXPORT_XLSX, size="sm", color="secondary", outline=True),
        dbc.Button("Summary (.csv)", id=Explore.EXPORT_CSV, size="sm", color="secondary", outline=True),
        dcc.Download(id=Explore.DOWNLOAD),
    ]
    return html.Div(
        [html.H6("Summary statistics", className="mb-0"), html.Div(buttons, className="d-flex gap-2")],
        className="d-flex justify-content-between align-items-center mb-2",
    )
