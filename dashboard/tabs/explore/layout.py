"""Explore tab: revenue and spend over time, spend share, collinearity, correlations and statistics."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.theme import blank_figure
from dashboard.ids import Explore
from dashboard.ui import caption, card, explained, graph

NO_DATA = "Upload data to see this chart"
CORRELATION_NOTE = (
    "Each cell: how closely two series move together, from -1 (opposite) through 0 (unrelated) to 1 (together). "
    "Target, channels and controls only."
)
VIF_NOTE = (
    ": a bar per channel. Past the dotted line at 5 its spend largely follows the other channels'; past the dashed "
    "line at 10 the model cannot tell their effects apart."
)
SCOPE = "explore"  # help-button ids: explore-help-vif, explore-help-correlation (and the table's explore-stats-)


def chart(component_id: str, height: int) -> dcc.Graph:
    return graph(component_id, blank_figure(NO_DATA), height)


def explore_tab() -> html.Div:
    series = [
        period_picker(),
        dbc.Checklist(id=Explore.CHANNELS, inline=True, switch=True, class_name="small"),
        chart(Explore.SERIES, 420),
    ]
    return html.Div(
        [
            html.Div(id=Explore.STATUS, className="mt-3"),
            card(series),
            dbc.Row(
                [
                    dbc.Col(card(chart(Explore.SHARE, 380), ""), xl=6),  # side by side from 1200 px; stacked below
                    dbc.Col(
                        card([chart(Explore.VIF, 380), caption([*explained("VIF", ("VIF",), SCOPE), VIF_NOTE])], ""),
                        xl=6,
                    ),
                ],
                class_name="mt-3 g-3",
            ),
            card(
                [
                    chart(Explore.CORRELATION, 540),
                    caption([*explained("Correlation", ("correlation",), SCOPE), ". ", CORRELATION_NOTE]),
                ]
            ),
            card([stats_header(), html.Div(id=Explore.STATS)], "mt-3 mb-4"),
        ]
    )


def period_picker() -> html.Div:
    """ "Show per" day, week or month (options follow the data's frequency)."""
    return html.Div(
        [
            dbc.Label("Show per", html_for=Explore.PERIOD, class_name="small mb-0 me-2"),
            dbc.RadioItems(id=Explore.PERIOD, inline=True, class_name="small"),
        ],
        className="d-flex align-items-center mb-2",
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
