"""Share tab: which model, how long the link lives, the links made, and the report download."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.ids import Share
from dashboard.shares import DEFAULT_DAYS, MAX_DAYS
from dashboard.ui import card, labelled, muted

WHAT_IS_SHARED = (
    "A link opens a read-only report, with no upload and no fitting: the data's dates and totals (not its rows), "
    "the model's return on ad spend and contributions with their 90% intervals, response curves, checks and the "
    "scenarios saved on the Plan tab (those made with another model under a heading of their own). Anyone with "
    'the link can open it until it expires or you revoke it; "Clear my data" revokes every link of this session.'
)
NO_LINKS = "No links yet."


def share_tab() -> html.Div:
    return html.Div([dcc.Store(id=Share.REVISION, data=0), link_card(), report_card()])


def link_card() -> dbc.Card:
    family = labelled("Model", dbc.Select(id=Share.FAMILY, size="sm"))
    days = labelled(
        f"Link expires after (days, 1-{MAX_DAYS})",
        dbc.Input(id=Share.DAYS, type="number", min=1, max=MAX_DAYS, step=1, value=DEFAULT_DAYS, size="sm"),
    )
    create = dbc.Button("Create a share link", id=Share.CREATE, color="primary", size="sm", class_name="mt-3")
    return card(
        [
            html.H5("Share a read-only report", className="card-title"),
            muted(WHAT_IS_SHARED, "small text-muted"),
            dbc.Row([dbc.Col(family, md=7, xl=5), dbc.Col(days, md=5, xl=4)], class_name="g-2"),
            create,
            html.Div(id=Share.MESSAGE, className="mt-3", role="status"),
            html.H6("Links of this session", className="mt-3"),
            html.Div(id=Share.LINKS, children=muted(NO_LINKS)),
        ]
    )


def report_card() -> dbc.Card:
    return card(
        [
            html.H5("Download the report", className="card-title"),
            muted(
                "The same report as one HTML file: it opens offline in any browser, can be sent by e-mail and "
                "prints cleanly to PDF.",
                "small text-muted",
            ),
            dbc.Button("Download report (HTML)", id=Share.REPORT, color="secondary", size="sm", outline=True),
            dcc.Download(id=Share.DOWNLOAD),
        ],
        class_name="mt-3 mb-4",
    )
