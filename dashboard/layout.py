"""The page: app-wide stores, the data panel beside the analysis tabs."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.ids import App, Data
from dashboard.settings import Settings
from dashboard.tabs.data.layout import data_panel
from dashboard.tabs.explore.layout import explore_tab
from dashboard.tabs.models.layout import models_tab
from dashboard.tabs.plan.layout import plan_tab
from dashboard.tabs.share.layout import share_tab

PULSE_EVERY_MS = 5000  # how often a page with a running fit checks that its job is alive
WATCH_EVERY_MS = 2000  # how often a reloaded page asks whether a fit that runs is done
EXPIRY_EVERY_MS = 60_000  # how often a page asks whether its data expired (more often for a short TTL)

# Dash's page around the app, with the page's language declared (screen readers pick their voice by it); every
# placeholder of Dash's default is kept, and the inline scripts Dash adds (hashed by the CSP) are unchanged.
PAGE = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def serve_layout(session_token: str, settings: Settings) -> html.Div:
    """The page, built per request so each new tab gets a session id issued by the server; a reloaded tab
    keeps the id it had (a session-storage store keeps the browser's value over the layout's)."""
    return html.Div(
        [
            dcc.Store(id=App.SESSION, data=session_token, storage_type="session"),
            dcc.Store(id=App.DATASET, storage_type="memory"),
            dcc.Store(id=App.CONFIG, data={"max_bytes": settings.limits.max_bytes}),
            dcc.Store(id=App.RUNNING, storage_type="memory"),
            dcc.Interval(id=App.WATCH, interval=WATCH_EVERY_MS, disabled=True),
            dcc.Interval(id=App.PULSE, interval=PULSE_EVERY_MS, disabled=True),
            dcc.Store(id=App.PULSE_SINCE, storage_type="memory"),
            dcc.Interval(id=App.EXPIRY, interval=min(EXPIRY_EVERY_MS, settings.session_ttl * 500)),
            dcc.Store(id=Data.PAYLOAD),
            dbc.Navbar(
                dbc.Container(dbc.NavbarBrand("Media Mix Modelling", class_name="fw-semibold")),
                color="dark",
                dark=True,
                class_name="mb-3",
            ),
            dbc.Container(
                [
                    html.Div(id=App.NOTICE, role="alert"),
                    dbc.Row([dbc.Col(data_panel(settings), lg=4, xl=3), dbc.Col(analysis_tabs(), lg=8, xl=9)]),
                ],
                fluid=True,
            ),
        ]
    )


def analysis_tabs() -> dbc.Tabs:
    return dbc.Tabs(
        [
            dbc.Tab(explore_tab(), label="Explore", tab_id="explore"),
            dbc.Tab(models_tab(), label="Models", tab_id="models"),
            dbc.Tab(plan_tab(), label="Plan", tab_id="plan"),
            dbc.Tab(share_tab(), label="Share", tab_id="share"),
        ],
        id=App.TABS,
        active_tab="explore",
    )
