"""Plan tab: what-if spend per channel with live predictions, then budget optimisation and its export."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.figures.explore import empty_figure
from dashboard.figures.models import compact_number
from dashboard.ids import Plan
from dashboard.plans import MAX_PERIODS, allocation_frame, slider_range

GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
NO_FITS = "Fit a model in the Models tab first: the Plan tab uses it to predict revenue and split a budget."


def plan_tab() -> html.Div:
    return html.Div(
        [
            dcc.Store(id=Plan.FITS),
            html.Div(id=Plan.RUNNING),
            html.Div(id=Plan.STATUS, className="mt-3", children=html.P(NO_FITS, className="text-muted")),
            html.Div(
                id=Plan.BODY, style={"display": "none"}, children=[settings_card(), what_if_row(), optimise_card()]
            ),
        ]
    )


def settings_card() -> dbc.Card:
    family = html.Div(
        [dbc.Label("Model", html_for=Plan.FAMILY, class_name="small mb-0"), dbc.Select(id=Plan.FAMILY, size="sm")]
    )
    periods = html.Div(
        [
            dbc.Label("Horizon: the next", html_for=Plan.PERIODS, class_name="small mb-0"),
            dbc.InputGroup(
                [
                    dbc.Input(id=Plan.PERIODS, type="number", min=1, max=MAX_PERIODS, step=1, debounce=True),
                    dbc.InputGroupText(id=Plan.PERIODS_UNIT, children="periods"),
                ],
                size="sm",
            ),
        ]
    )
    return dbc.Card(
        dbc.CardBody(dbc.Row([dbc.Col(family, md=4), dbc.Col(periods, md=3)], class_name="g-2")), class_name="mt-3"
    )


def graph(component_id: str, height: int, message: str) -> dcc.Graph:
    return dcc.Graph(
        id=component_id, figure=empty_figure(message), config=GRAPH_CONFIG, style={"height": f"{height}px"}
    )


def what_if_row() -> dbc.Row:
    spend = dbc.Card(
        dbc.CardBody(
            [
                html.H6("What if: spend per period", className="mb-1"),
                html.P(
                    "Starts at the recent average. Tick a channel's lock to keep it at this value when optimising.",
                    className="small text-muted",
                ),
                html.Div(id=Plan.CHANNELS),
            ]
        )
    )
    results = html.Div(
        [
            html.Div(id=Plan.WHATIF_SUMMARY),
            dbc.Card(dbc.CardBody(graph(Plan.PREDICTION, 340, "Pick a model")), class_name="mt-2"),
            dbc.Card(dbc.CardBody(graph(Plan.INCREMENTAL, 320, "Pick a model")), class_name="mt-2"),
            html.Div(id=Plan.WHATIF_TABLE, className="mt-2"),
        ]
    )
    return dbc.Row([dbc.Col(spend, lg=5), dbc.Col(results, lg=7)], class_name="g-3 mt-0")


def optimise_card() -> dbc.Card:
    objective = dbc.RadioItems(
        id=Plan.OBJECTIVE,
        options=[
            {"label": "Maximise revenue (spend the whole budget)", "value": "revenue"},
            {"label": "Maximise revenue with an overall ROAS of at least", "value": "min_roas"},
        ],
        value="revenue",
        class_name="small",
    )
    unit = dbc.RadioItems(
        id=Plan.BOUND_UNIT,
        options=[{"label": "per period", "value": "absolute"}, {"label": "% of recent spend", "value": "percent"}],
        value="absolute",
        inline=True,
        class_name="small",
    )
    settings = dbc.Row(
        [
            dbc.Col(
                labelled("Budget over the horizon", dbc.Input(id=Plan.BUDGET, type="number", min=0, size="sm")), md=3
            ),
            dbc.Col(
                [objective, dbc.Input(id=Plan.MIN_ROAS, type="number", min=0, step="any", value=1.0, size="sm")], md=5
            ),
            dbc.Col(dbc.Button("Optimise", id=Plan.OPTIMISE, color="primary", class_name="mt-3"), md=2),
        ],
        class_name="g-2 align-items-start",
    )
    exports = html.Div(
        [
            dbc.Button("Apply to what-if", id=Plan.APPLY, color="secondary", size="sm", disabled=True),
            dbc.Button("Plan and prediction (.xlsx)", id=Plan.EXPORT_XLSX, size="sm", outline=True, disabled=True),
            dbc.Button("Plan (.csv)", id=Plan.EXPORT_PLAN_CSV, size="sm", outline=True, disabled=True),
            dbc.Button("Prediction (.csv)", id=Plan.EXPORT_PREDICTION_CSV, size="sm", outline=True, disabled=True),
            dcc.Download(id=Plan.DOWNLOAD),
        ],
        className="d-flex gap-2 flex-wrap mt-3",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Optimise the budget", className="mb-2"),
                settings,
                html.Div([html.Small("Minimum and maximum spend:", className="me-2"), unit], className="d-flex mt-3"),
                html.Div(id=Plan.BOUNDS),
                dcc.Loading([dcc.Store(id=Plan.RESULT), html.Div(id=Plan.RESULT_VIEW, className="mt-3")], type="dot"),
                dbc.Row(
                    [
                        dbc.Col(graph(Plan.ALLOCATION, 360, "Optimise to see the plan"), lg=6),
                        dbc.Col(
                            [html.Div(id=Plan.ALLOCATION_TABLE), html.Ul(id=Plan.MESSAGES, className="small")], lg=6
                        ),
                    ],
                    class_name="g-3 mt-1",
                ),
                exports,
            ]
        ),
        class_name="mt-3 mb-4",
    )


def labelled(label: str, control) -> html.Div:
    return html.Div([dbc.Label(label, html_for=control.id, class_name="small mb-0"), control])


def channel_rows(recent: dict[str, float], history_max: dict[str, float], unit: str) -> list:
    """Per channel: name, a slider and a number for spend per period (synced), and a lock."""
    rows = []
    for channel, value in recent.items():
        top, step = slider_range(value, history_max[channel])
        value = round(value, 2)
        slider = dcc.Slider(
            id=Plan.slider(channel),
            min=0,
            max=top,
            step=step,
            value=value,
            marks=None,
            allow_direct_input=False,
            tooltip={"placement": "bottom"},
        )
        number = dbc.Input(
            id=Plan.spend(channel), type="number", min=0, step="any", value=value, debounce=True, size="sm"
        )
        lock = dbc.Checkbox(id=Plan.lock(channel), value=False, label="lock", label_class_name="small")
        rows.append(
            dbc.Row(
                [
                    dbc.Col(html.Span(channel, className="small fw-semibold"), width=9),
                    dbc.Col(lock, width=3, class_name="text-end"),
                    dbc.Col(slider, width=6),
                    dbc.Col(dbc.InputGroup([number, dbc.InputGroupText(unit)], size="sm"), width=6),
                ],
                class_name="g-1 align-items-center mb-2",
            )
        )
    return rows


def bound_rows(channels: list[str]) -> dbc.Table:
    """Per channel: optional minimum and maximum spend (blank: no bound)."""

    def box(component_id):
        return dbc.Input(id=component_id, type="number", min=0, step="any", placeholder="none", size="sm")

    header = html.Thead(html.Tr([html.Th("channel"), html.Th("minimum"), html.Th("maximum")]))
    body = html.Tbody(
        [html.Tr([html.Td(c), html.Td(box(Plan.minimum(c))), html.Td(box(Plan.maximum(c)))]) for c in channels]
    )
    return dbc.Table(
        [header, body], size="sm", borderless=True, class_name="small mb-0 mt-1", style={"maxWidth": "520px"}
    )


def with_interval(values: dict, name: str, show=compact_number) -> str:
    """``1.2M (90%: 1.1M – 1.3M)``, or the value alone for a model without intervals."""
    value = values.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    low, high = values.get(f"{name}_lower"), values.get(f"{name}_upper")
    if low is None or high is None:
        return show(value)
    return f"{show(value)} (90%: {show(low)} – {show(high)})"


def ratio(value) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.2f}"


def stat_cards(items: list[tuple[str, str]]) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(dbc.CardBody([html.Small(label, className="text-muted"), html.H6(value, className="mb-0")]))
            )
            for label, value in items
        ],
        class_name="g-2",
    )


def what_if_cards(totals: dict, periods: int, unit: str) -> dbc.Row:
    return stat_cards(
        [
            (f"Revenue, next {periods} {unit}", with_interval(totals, "revenue")),
            ("from media", with_interval(totals, "incremental_revenue")),
            ("Spend", compact_number(totals["spend"])),
            ("ROAS", with_interval(totals, "roas", ratio)),
        ]
    )


def what_if_table(channels: pd.DataFrame) -> dbc.Table:
    shown = pd.DataFrame(
        {
            "channel": channels["channel"],
            "spend per period": channels["spend"].map(lambda v: f"{v:,.0f}"),
            "spend over horizon": channels["total_spend"].map(lambda v: f"{v:,.0f}"),
            "incremental revenue": channels["incremental_revenue"].map(lambda v: f"{v:,.0f}"),
            "ROAS": channels["roas"].map(ratio),
            "marginal ROAS": channels["mroas"].map(ratio),
        }
    )
    return dbc.Table.from_dataframe(shown, size="sm", striped=True, responsive=True, class_name="small mb-0")


def plan_cards(record: dict) -> html.Div:
    """The plan's headline numbers; what the engine says about it (a missed minimum ROAS...) is listed below."""
    expected = record["expected"]
    lift, base = expected.get("lift"), expected.get("current_mix_revenue")
    share = f" ({lift / base:+.1%})" if lift is not None and base else ""
    return html.Div(
        [
            html.P(
                f"{record['label']}: a budget of {record['budget']:,.0f} over the next {record['periods']} "
                f"{record['unit']}.",
                className="small text-muted mb-1",
            ),
            stat_cards(
                [
                    ("Expected revenue (optimised)", with_interval(expected, "revenue")),
                    ("Current mix at this budget", with_interval(expected, "current_mix_revenue")),
                    ("Lift", with_interval(expected, "lift") + share),
                    (
                        "ROAS optimised / current mix",
                        f"{ratio(expected['roas'])} / {ratio(expected['current_mix_roas'])}",
                    ),
                ]
            ),
        ]
    )


def allocation_table(record: dict) -> dbc.Table:
    frame = allocation_frame(record)
    shown = pd.DataFrame(
        {
            "channel": frame["channel"],
            "current": frame["current"].map(lambda v: f"{v:,.0f}"),
            "optimised": frame["optimal"].map(lambda v: f"{v:,.0f}"),
            "change": frame["change"].map(lambda v: f"{v:+,.0f}"),
            "mROAS": frame["mroas"].map(ratio),
            "bound": frame["at_bound"],
        }
    )
    return dbc.Table.from_dataframe(shown, size="sm", striped=True, responsive=True, class_name="small mb-2")
