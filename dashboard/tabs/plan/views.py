"""HTML pieces of the Plan tab: spend controls per channel, what-if and plan cards, and tables."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.figures.format import MISSING_TEXT, compact_number, ratio
from dashboard.ids import Plan
from dashboard.tabs.models.comparison import recommended_row, score_phrase, why
from dashboard.tabs.plan.records import allocation_frame
from dashboard.ui import stat_cards


def slider_range(recent: float, history_max: float) -> tuple[float, float]:
    """Slider top and step: at least three times the recent spend and the largest spend in the data."""
    top = max(3 * recent, history_max, 1.0)
    magnitude = 10 ** math.floor(math.log10(top))
    top = math.ceil(top / magnitude * 2) * magnitude / 2  # 1, 1.5, 2, 2.5... times a power of ten
    return float(top), float(top / 200)


def channel_rows(recent: dict[str, float], history_max: dict[str, float], unit: str) -> list[dbc.Row]:
    """Per channel: name, a slider and a number for spend per period (kept equal), and a lock."""
    return [channel_row(channel, value, history_max[channel], unit) for channel, value in recent.items()]


def channel_row(channel: str, recent: float, history_max: float, unit: str) -> dbc.Row:
    top, step = slider_range(recent, history_max)
    value = round(recent, 2)
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
    number = dbc.Input(id=Plan.spend(channel), type="number", min=0, step="any", value=value, debounce=True, size="sm")
    lock = dbc.Checkbox(id=Plan.lock(channel), value=False, label="lock", label_class_name="small")
    return dbc.Row(
        [
            dbc.Col(html.Span(channel, className="small fw-semibold"), width=9),
            dbc.Col(lock, width=3, class_name="text-end"),
            dbc.Col(slider, width=6),
            dbc.Col(dbc.InputGroup([number, dbc.InputGroupText(unit)], size="sm"), width=6),
        ],
        class_name="g-1 align-items-center mb-2",
    )


def bound_box(component_id: dict) -> dbc.Input:
    return dbc.Input(id=component_id, type="number", min=0, step="any", placeholder="none", size="sm")


def bound_rows(channels: list[str]) -> dbc.Table:
    """Per channel: optional minimum and maximum spend (blank: no bound)."""
    header = html.Thead(html.Tr([html.Th("channel"), html.Th("minimum"), html.Th("maximum")]))
    rows = [
        html.Tr([html.Td(c), html.Td(bound_box(Plan.minimum(c))), html.Td(bound_box(Plan.maximum(c)))])
        for c in channels
    ]
    return dbc.Table(
        [header, html.Tbody(rows)],
        size="sm",
        borderless=True,
        class_name="small mb-0 mt-1",
        style={"maxWidth": "520px"},
    )


def with_interval(values: dict, name: str, show=compact_number) -> str:
    """``1.2M (90%: 1.1M – 1.3M)``, or the value alone for a model without intervals."""
    value = values.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING_TEXT
    low, high = values.get(f"{name}_lower"), values.get(f"{name}_upper")
    if low is None or high is None:
        return show(value)
    return f"{show(value)} (90%: {show(low)} – {show(high)})"


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
    roas = f"{ratio(expected['roas'])} / {ratio(expected['current_mix_roas'])}"
    headline = (
        f"{record['label']}: a budget of {record['budget']:,.0f} over the next {record['periods']} {record['unit']}."
    )
    return html.Div(
        [
            html.P(headline, className="small text-muted mb-1"),
            stat_cards(
                [
                    ("Expected revenue (optimised)", with_interval(expected, "revenue")),
                    ("Current mix at this budget", with_interval(expected, "current_mix_revenue")),
                    ("Lift", with_interval(expected, "lift") + share),
                    ("ROAS optimised / current mix", roas),
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


def recommendation_line(record: dict | None, family: str, label: str) -> html.Span | None:
    """One line on the model in use: recommended and why, the user's own choice, or the only one so far."""
    if not record:
        return None
    best = recommended_row(record)
    if len(record["rows"]) == 1:
        text = f"Using {label}, the only model fitted: {why(best)}. Fit another family in the Models tab to compare."
    elif best["family"] == family:
        text = f"Using {label}: recommended because {score_phrase(record)}: {why(best)}."
    else:
        text = f"Using {label}, your choice. Recommended: {best['model']}, because {score_phrase(record)}."
    return html.Span(text, className="text-muted")
