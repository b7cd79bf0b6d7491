"""Plan tab: what-if spend per channel with live predictions, then budget optimisation and its export."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.theme import empty_figure
from dashboard.ids import Plan
from dashboard.tabs.plan.state import MAX_PERIODS
from dashboard.ui import card, graph, labelled

NO_FITS = "Fit a model in the Models tab first: the Plan tab uses it to predict revenue and split a budget."
PICK = "Pick a model"
OPTIMISE_FIRST = "Optimise to see the plan"


def plan_tab() -> html.Div:
    return html.Div(
        [
            dcc.Store(id=Plan.FITS),
            dcc.Store(id=Plan.RECOMMENDED),
            html.Div(id=Plan.RUNNING),
            html.Div(id=Plan.STATUS, className="mt-3", children=html.P(NO_FITS, className="text-muted")),
            html.Div(
                id=Plan.BODY, style={"display": "none"}, children=[settings_card(), what_if_row(), optimise_card()]
            ),
        ]
    )


def chart(component_id: str, height: int, message: str) -> dcc.Graph:
    return graph(component_id, empty_figure(message), height)


def settings_card() -> dbc.Card:
    family = labelled("Model", dbc.Select(id=Plan.FAMILY, size="sm"))
    horizon = dbc.InputGroup(
        [
            dbc.Input(id=Plan.PERIODS, type="number", min=1, max=MAX_PERIODS, step=1, debounce=True),
            dbc.InputGroupText(id=Plan.PERIODS_UNIT, children="periods"),
        ],
        size="sm",
    )
    periods = html.Div([dbc.Label("Horizon: the next", html_for=Plan.PERIODS, class_name="small mb-0"), horizon])
    row = dbc.Row([dbc.Col(family, md=4), dbc.Col(periods, md=3)], class_name="g-2")
    return card([row, html.Div(id=Plan.RECOMMENDATION, className="small mt-2")])


def what_if_row() -> dbc.Row:
    hint = "Starts at the recent average. Tick a channel's lock to keep it at this value when optimising."
    spend = card(
        [html.H6("What if: spend per period", className="mb-1"), html.P(hint, className="small text-muted")]
        + [html.Div(id=Plan.CHANNELS)],
        "",
    )
    results = html.Div(
        [
            html.Div(id=Plan.WHATIF_SUMMARY),
            card(chart(Plan.PREDICTION, 340, PICK), "mt-2"),
            card(chart(Plan.INCREMENTAL, 320, PICK), "mt-2"),
            html.Div(id=Plan.WHATIF_TABLE, className="mt-2"),
        ]
    )
    return dbc.Row([dbc.Col(spend, lg=5), dbc.Col(results, lg=7)], class_name="g-3 mt-0")


def optimise_settings() -> dbc.Row:
    """Budget, objective (with the minimum ROAS) and the Optimise button."""
    objective = dbc.RadioItems(
        id=Plan.OBJECTIVE,
        options=[
            {"label": "Maximise revenue (spend the whole budget)", "value": "revenue"},
            {"label": "Maximise revenue with an overall ROAS of at least", "value": "min_roas"},
        ],
        value="revenue",
        class_name="small",
    )
    min_roas = dbc.Input(id=Plan.MIN_ROAS, type="number", min=0, step="any", value=1.0, size="sm")
    budget = labelled("Budget over the horizon", dbc.Input(id=Plan.BUDGET, type="number", min=0, size="sm"))
    return dbc.Row(
        [
            dbc.Col(budget, md=3),
            dbc.Col([objective, min_roas], md=5),
            dbc.Col(dbc.Button("Optimise", id=Plan.OPTIMISE, color="primary", class_name="mt-3"), md=2),
        ],
        class_name="g-2 align-items-start",
    )


def bound_unit() -> html.Div:
    unit = dbc.RadioItems(
        id=Plan.BOUND_UNIT,
        options=[{"label": "per period", "value": "absolute"}, {"label": "% of recent spend", "value": "percent"}],
        value="absolute",
        inline=True,
        class_name="small",
    )
    return html.Div([html.Small("Minimum and maximum spend:", className="me-2"), unit], className="d-flex mt-3")


def plan_buttons() -> html.Div:
    """Apply and the downloads, enabled once there is a plan."""
    return html.Div(
        [
            dbc.Button("Apply to what-if", id=Plan.APPLY, color="secondary", size="sm", disabled=True),
            dbc.Button("Plan and prediction (.xlsx)", id=Plan.EXPORT_XLSX, size="sm", outline=True, disabled=True),
            dbc.Button("Plan (.csv)", id=Plan.EXPORT_PLAN_CSV, size="sm", outline=True, disabled=True),
            dbc.Button("Prediction (.csv)", id=Plan.EXPORT_PREDICTION_CSV, size="sm", outline=True, disabled=True),
            dcc.Download(id=Plan.DOWNLOAD),
        ],
        className="d-flex gap-2 flex-wrap mt-3",
    )


def optimise_card() -> dbc.Card:
    result = dcc.Loading([dcc.Store(id=Plan.RESULT), html.Div(id=Plan.RESULT_VIEW, className="mt-3")], type="dot")
    details = [html.Div(id=Plan.ALLOCATION_TABLE), html.Ul(id=Plan.MESSAGES, className="small")]
    plan = dbc.Row(
        [dbc.Col(chart(Plan.ALLOCATION, 360, OPTIMISE_FIRST), lg=6), dbc.Col(details, lg=6)], class_name="g-3 mt-1"
    )
    heading = html.H6("Optimise the budget", className="mb-2")
    return card(
        [heading, optimise_settings(), bound_unit(), html.Div(id=Plan.BOUNDS), result, plan, plan_buttons()],
        "mt-3 mb-4",
    )
