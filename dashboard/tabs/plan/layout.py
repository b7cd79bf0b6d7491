"""Plan tab: what-if spend per channel with live predictions, then budget optimisation and its export."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.theme import blank_figure
from dashboard.ids import Plan
from dashboard.tabs.plan.saved import MAX_NAME
from dashboard.tabs.plan.state import MAX_PERIODS
from dashboard.ui import caption, card, graph, hidden_label, labelled

NO_FITS = "Fit a model in the Models tab first: the Plan tab uses it to predict revenue and split a budget."
PICK = "Pick a model"
HIDDEN = {"display": "none"}
OPTIMISE_FIRST = "Optimise to see the plan"
# What each chart shows and how to read it, one plain line under the chart.
CHART_CAPTIONS = {
    Plan.PREDICTION: "The revenue the model expects in each coming day or week with the spend on the sliders; the band "
    "is the 90% interval: the range it expects revenue to fall in.",
    Plan.INCREMENTAL: "Revenue each channel adds over the horizon at this spend, on top of what you would get with "
    "no media. ROAS above each bar: revenue per unit of spend. Hover for the marginal ROAS: what the next unit "
    "of spend would return.",
    Plan.ALLOCATION: "Spend per day or week for each channel: grey the recent average, then your "
    "what-if and the optimised plan. Where the optimised bar is taller than the grey one, the plan moves money "
    "into that channel; where it is shorter, out of it.",
    Plan.COMPARISON_GRAPH: "Spend per day or week for each channel, one bar per ticked scenario, to see how they "
    "split the money differently.",
}


def plan_tab() -> html.Div:
    return html.Div(
        [
            dcc.Store(id=Plan.FITS),
            dcc.Store(id=Plan.RECOMMENDED),
            dcc.Store(id=Plan.CONTROLS),
            html.Div(id=Plan.RUNNING),
            html.Div(id=Plan.STATUS, className="mt-3", children=html.P(NO_FITS, className="text-muted")),
            html.Div(
                id=Plan.BODY,
                style={"display": "none"},
                children=[settings_card(), what_if_row(), optimise_card(), scenarios_card()],
            ),
        ]
    )


def chart(component_id: str, height: int, message: str) -> html.Div:
    """An empty chart with a line under it on how to read it once it is drawn."""
    return html.Div([graph(component_id, blank_figure(message), height), caption(CHART_CAPTIONS[component_id])])


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
    hint = (
        "Starts at the recent average (the mean of about the last month of data). Type a number and press Enter "
        "or leave the box. Tick a channel's lock to keep it at this value when optimising; changing the model "
        "keeps your spend, locks and bounds."
    )
    spend = card(
        [html.H6("What if: your spend", className="mb-1"), html.P(hint, className="small text-muted")]
        + [html.Div(id=Plan.CONTROLS_NOTE), html.Div(id=Plan.CHANNELS)],
        "",
    )
    results = html.Div(
        [
            html.Div(id=Plan.WHATIF_SUMMARY),
            card(chart(Plan.PREDICTION, 340, PICK), "mt-2"),
            card(chart(Plan.INCREMENTAL, 320, PICK), "mt-2"),
            card(html.Div(id=Plan.WHATIF_TABLE), "mt-2"),
        ]
    )
    return dbc.Row([dbc.Col(spend, xl=5), dbc.Col(results, xl=7)], class_name="g-3 mt-0")


def optimise_settings() -> dbc.Row:
    """Goal (a budget to split or a revenue to reach), its number, the objective, the risk appetite, Optimise."""
    goal = dbc.RadioItems(
        id=Plan.GOAL,
        options=[
            {"label": "Best revenue for a budget", "value": "budget"},
            {"label": "Reach a revenue for the least spend", "value": "target"},
        ],
        value="budget",
        class_name="small",
    )
    optimise = dbc.Button("Optimise", id=Plan.OPTIMISE, color="primary", class_name="mt-3")
    return dbc.Row(
        [
            dbc.Col(labelled("Goal", goal), md=3),
            dbc.Col([budget_fields(), target_fields()], md=4),
            dbc.Col(risk_fields(), md=3),
            dbc.Col(optimise, md=2),
        ],
        class_name="g-2 align-items-start",
    )


def budget_fields() -> html.Div:
    objective = dbc.RadioItems(
        id=Plan.OBJECTIVE,
        options=[
            {"label": "Maximise revenue (spend the whole budget)", "value": "revenue"},
            {"label": "Maximise revenue with an overall ROAS of at least", "value": "min_roas"},
        ],
        value="revenue",
        class_name="small mt-1",
    )
    min_roas = dbc.Input(id=Plan.MIN_ROAS, type="number", min=0, step="any", value=1.0, size="sm")
    budget = labelled("Budget over the horizon", dbc.Input(id=Plan.BUDGET, type="number", min=0, size="sm"))
    roas_label = hidden_label("Least overall ROAS", Plan.MIN_ROAS)  # the option above says it in words
    return html.Div([budget, objective, roas_label, min_roas], id=Plan.BUDGET_BOX)


def target_fields() -> html.Div:
    target = dbc.Input(id=Plan.TARGET, type="number", min=0, step="any", placeholder="e.g. 2000000", size="sm")
    hint = html.Small(
        "The optimiser finds the smallest budget whose expected revenue reaches it.", className="text-muted"
    )
    return html.Div([labelled("Revenue to reach over the horizon", target), hint], id=Plan.TARGET_BOX, style=HIDDEN)


def risk_fields() -> html.Div:
    """Shown only for a model with intervals: a cautious plan needs the range of revenue."""
    risk = dbc.RadioItems(
        id=Plan.RISK,
        options=[
            {"label": "Expected revenue", "value": "expected"},
            {"label": "Cautious (10th percentile)", "value": "cautious"},
        ],
        value="expected",
        class_name="small",
    )
    hint = html.Small(
        "Cautious: the best revenue in a bad case, at some cost in expected revenue.", className="text-muted"
    )
    return html.Div([labelled("Risk appetite", risk), hint], id=Plan.RISK_BOX, style=HIDDEN)


def bound_unit() -> html.Div:
    unit = dbc.RadioItems(
        id=Plan.BOUND_UNIT,
        options=[{"label": "amounts", "value": "absolute"}, {"label": "% of recent spend", "value": "percent"}],
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
        [dbc.Col(chart(Plan.ALLOCATION, 360, OPTIMISE_FIRST), xl=6), dbc.Col(details, xl=6)], class_name="g-3 mt-1"
    )
    heading = html.H6("Optimise the budget", className="mb-2")
    return card([heading, optimise_settings(), bound_unit(), html.Div(id=Plan.BOUNDS), result, plan, plan_buttons()])


def scenarios_card() -> dbc.Card:
    """Save the what-if or the optimised plan by name; tick up to four saved scenarios to compare them."""
    name = dbc.Input(id=Plan.SCENARIO_NAME, type="text", value="Scenario 1", maxLength=MAX_NAME, size="sm")
    source = dbc.RadioItems(
        id=Plan.SCENARIO_SOURCE,
        options=[{"label": "the what-if", "value": "what-if"}, {"label": "the optimised plan", "value": "plan"}],
        value="what-if",
        inline=True,
        class_name="small",
    )
    save = dbc.Button("Save scenario", id=Plan.SAVE_SCENARIO, color="secondary", size="sm")
    form = dbc.Row(
        [dbc.Col(labelled("Scenario name", name), md=4), dbc.Col(labelled("Save", source), md=5), dbc.Col(save, md=3)],
        class_name="g-2 align-items-end",
    )
    compare = [
        html.Div(id=Plan.COMPARISON, className="mt-2"),
        chart(Plan.COMPARISON_GRAPH, 340, "Tick up to four scenarios to compare them"),
        dbc.Button("Comparison (.xlsx)", id=Plan.EXPORT_COMPARISON, size="sm", outline=True, disabled=True),
        dcc.Download(id=Plan.COMPARISON_DOWNLOAD),
    ]
    return card(
        [html.H6("Scenarios", className="mb-2"), dcc.Store(id=Plan.SCENARIOS), form]
        + [html.Div(id=Plan.SCENARIO_MESSAGE, className="mt-2"), html.Div(id=Plan.SCENARIO_LIST, className="mt-2")]
        + compare,
        "mt-3 mb-4",
    )
