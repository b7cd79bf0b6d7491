"""HTML pieces of the Plan tab: spend controls per channel, what-if and plan cards, and tables."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.figures.format import (
    compact_number,
    compact_numbers,
    distinct_texts,
    interval_text,
    percent_change,
    ratio,
    ratios,
    signed_whole,
    unit_of,
    whole,
)
from dashboard.ids import Plan
from dashboard.tabs.models.comparison import cautions, recommended_row, score_phrase, why
from dashboard.tabs.plan.compare import interval_of, shown_values
from dashboard.tabs.plan.records import allocation_frame
from dashboard.ui import alert, explained, explained_table, hidden_label, named, stat_cards

CAUTIOUS_NOTE = (
    "Cautious plan: it makes the revenue you get in a bad case (the 10th percentile of the model's range) as "
    "high as it can, and gives up some expected revenue for it."
)
# The glossary terms that explain each measure column of the what-if and plan tables (help buttons' words).
WHAT_IF_TERMS = {
    "incremental revenue": ("incremental revenue",),
    "ROAS": ("ROAS",),
    "marginal ROAS": ("marginal ROAS",),
}
ALLOCATION_TERMS = {"marginal ROAS": ("marginal ROAS",), "bound": ("bound",)}
# Help-button id scopes: one per table or row of cards, so two of them on the page never share an id.
WHAT_IF_SCOPE, WHAT_IF_TABLE_SCOPE = "plan-whatif", "plan-whatif-table"
PLAN_SCOPE, ALLOCATION_SCOPE = "plan-result", "plan-allocation"
TABLE = {"size": "sm", "striped": True, "responsive": True}  # how the tab's tables look
MIX = "current_mix_revenue"  # the plan's revenue with the recent average mix at the same budget
SEE_MODELS = (
    "Its plans and what-ifs rest on the same numbers: treat them with caution too, and see the Models tab for "
    "what failed and what to do."
)


def slider_range(recent: float, history_max: float) -> tuple[float, float]:
    """Slider top and step: at least three times the recent spend and the largest spend in the data."""
    top = max(3 * recent, history_max, 1.0)
    magnitude = 10 ** math.floor(math.log10(top))
    top = math.ceil(top / magnitude * 2) * magnitude / 2  # 1, 1.5, 2, 2.5... times a power of ten
    return float(top), float(top / 200)


def spend_shown(spend: float) -> float:
    """A spend per period as the number boxes show it: whole from 100 up (2,262, as the tables write it, not
    2262.47), cents below."""
    return float(round(spend)) if abs(spend) >= 100 else round(float(spend), 2)


def channel_rows(
    spend: dict[str, float], history_max: dict[str, float], unit: str, locked: set[str] = frozenset()
) -> list[dbc.Row]:
    """Per channel: name, a slider and a number for spend per period (kept equal), and a lock."""
    return [
        channel_row(channel, value, history_max[channel], unit, channel in locked) for channel, value in spend.items()
    ]


def channel_row(channel: str, spend: float, history_max: float, unit: str, locked: bool = False) -> dbc.Row:
    top, step = slider_range(spend, history_max)
    value = spend_shown(spend)
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
    lock = dbc.Checkbox(id=Plan.lock(channel), value=locked, label="lock", label_class_name="small")
    name = f"{channel} spend {unit}"
    return dbc.Row(
        [
            dbc.Col(html.Span(channel, className="small fw-semibold"), width=9),
            dbc.Col(lock, width=3, class_name="text-end"),
            dbc.Col(named(slider, name), width=6),
            dbc.Col(
                [
                    hidden_label(name, Plan.spend(channel)),
                    dbc.InputGroup([number, dbc.InputGroupText(unit)], size="sm"),
                ],
                width=6,
            ),
        ],
        class_name="g-1 align-items-center mb-2",
    )


def bound_box(component_id: dict, value=None) -> dbc.Input:
    return dbc.Input(id=component_id, type="number", min=0, step="any", placeholder="none", size="sm", value=value)


def bound_rows(channels: list[str], minimums: dict | None = None, maximums: dict | None = None) -> dbc.Table:
    """Per channel: optional minimum and maximum spend (blank: no bound), with any values kept from before."""
    minimums, maximums = minimums or {}, maximums or {}
    header = html.Thead(html.Tr([html.Th("channel"), html.Th("minimum"), html.Th("maximum")]))
    rows = [
        html.Tr(
            [
                html.Td(c),
                html.Td([hidden_label(f"{c} minimum", Plan.minimum(c)), bound_box(Plan.minimum(c), minimums.get(c))]),
                html.Td([hidden_label(f"{c} maximum", Plan.maximum(c)), bound_box(Plan.maximum(c), maximums.get(c))]),
            ]
        )
        for c in channels
    ]
    return dbc.Table(
        [header, html.Tbody(rows)],
        size="sm",
        borderless=True,
        class_name="small mb-0 mt-1",
        style={"maxWidth": "520px"},
    )


def with_interval(values: dict, name: str, numbers=compact_numbers) -> str:
    """``1.71M (90%: 1.68M – 1.74M)`` with enough digits that the three differ, or the value alone for a model
    without intervals."""
    return interval_text(values.get(name), values.get(f"{name}_lower"), values.get(f"{name}_upper"), numbers)


def what_if_cards(totals: dict, periods: int, unit: str) -> dbc.Row:
    """Revenue with its 90% interval, the part from media, spend and ROAS, each measure with its help button."""
    return stat_cards(
        [
            (
                explained(f"Revenue, next {periods} {unit}", ("90% interval",), WHAT_IF_SCOPE),
                with_interval(totals, "revenue"),
            ),
            (
                explained("from media", ("incremental revenue",), WHAT_IF_SCOPE),
                with_interval(totals, "incremental_revenue"),
            ),
            ("Spend", compact_number(totals["spend"])),
            (explained("ROAS", ("ROAS",), WHAT_IF_SCOPE), with_interval(totals, "roas", ratios)),
        ]
    )


def what_if_table(channels: pd.DataFrame, per: str = "period") -> dbc.Table:
    """The what-if per channel; ``per``: what one period is called ("day", "week")."""
    shown = pd.DataFrame(
        {
            "channel": channels["channel"],
            f"spend per {per}": channels["spend"].map(whole),
            "spend over horizon": channels["total_spend"].map(whole),
            "incremental revenue": channels["incremental_revenue"].map(whole),
            "ROAS": channels["roas"].map(ratio),
            "marginal ROAS": channels["mroas"].map(ratio),
        }
    )
    return explained_table(shown, WHAT_IF_TERMS, WHAT_IF_TABLE_SCOPE, **TABLE, class_name="small mb-0")


def significant(value, digits: int = 3) -> str:
    """An amount found by a search, to ``digits`` significant digits in the short form (2.90M, 152k, 48.6k, 950):
    the search stops within a fraction of a percent, so the last digits of 2,900,779 mean nothing."""
    value = float(value)
    if value:  # rounded before the unit is picked: 999,700 reads 1.00M, not 1000k
        value = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    size = abs(value)
    divisor, suffix = unit_of([size])
    leading = math.floor(math.log10(size / divisor)) + 1 if size else digits
    return distinct_texts([value], max(0, digits - leading), divisor, suffix)[0]


def plan_headline(record: dict) -> str:
    """What was asked, in one line: a budget split, or the least spend that reaches a revenue target (the target
    as the user typed it, the budget found rounded for reading)."""
    horizon = f"the next {record['periods']} {record['unit']}"
    if record.get("goal") == "target":
        return (
            f"{record['label']}: reaching {whole(record.get('target'))} of revenue over {horizon} needs a "
            f"budget of about {significant(record['budget'])} (the least spend whose expected revenue reaches it)."
        )
    return f"{record['label']}: a budget of {whole(record['budget'])} over {horizon}."


def risk_cards(record: dict) -> list[tuple[str, str]]:
    """For a cautious plan: its bad-case revenue beside the expected-revenue plan's, and what caution costs."""
    risk = record.get("risk")
    if not risk:
        return []
    p = f"{risk['quantile'] * 100:.0f}th"
    cautious, expected = compact_numbers([risk["revenue_quantile"], risk["expected_plan_revenue_quantile"]])
    label = f"Revenue at the {p} percentile: cautious / expected plan"
    return [
        (explained(label, ("percentile",), PLAN_SCOPE), f"{cautious} / {expected}"),
        ("Cost of caution in expected revenue", compact_number(risk["expected_revenue_cost"])),
    ]


def plan_cards(record: dict) -> html.Div:
    """The plan's headline numbers; what the engine says about it (a missed minimum ROAS...) is listed below."""
    expected, recent = record["expected"], record.get("recent", "recent periods")
    lift, base = expected.get("lift"), expected.get("current_mix_revenue")
    share = f" ({percent_change(lift / base)})" if lift is not None and base else ""
    roas = " / ".join(ratios([expected["roas"], expected["current_mix_roas"]]))
    # Side by side, the two revenues share their unit and digits: 10.4M beside 10.0M, never 10M beside 10M.
    optimised, mix = shown_values("interval", [interval_of(expected, "revenue"), interval_of(expected, MIX)])
    cards = [
        (explained("Expected revenue (optimised)", ("90% interval",), PLAN_SCOPE), optimised),
        (explained(f"Recent average mix ({recent}) at this budget", ("recent average mix",), PLAN_SCOPE), mix),
        (explained("Lift over the recent average mix", ("lift",), PLAN_SCOPE), with_interval(expected, "lift") + share),
        (explained("ROAS optimised / recent average mix", ("ROAS",), PLAN_SCOPE), roas),
    ]
    lines = [html.P(plan_headline(record), className="small text-muted mb-1")]
    if record.get("risk"):
        lines.append(html.P(CAUTIOUS_NOTE, className="small text-muted mb-1"))
    return html.Div([*lines, stat_cards(cards + risk_cards(record))])


def allocation_table(record: dict) -> dbc.Table:
    frame = allocation_frame(record)
    recent = f"recent average ({record.get('recent', 'recent periods')})"
    shown = pd.DataFrame(
        {
            "channel": frame["channel"],
            recent: frame["current"].map(whole),
            "your what-if": frame["what_if"].map(whole),
            "optimised": frame["optimal"].map(whole),
            "bound": frame["at_bound"],  # beside the spend it limits: the last column scrolled out of a laptop's view
            "change vs recent": frame["change"].map(signed_whole),
            "marginal ROAS": frame["mroas"].map(ratio),
        }
    )
    return explained_table(shown, ALLOCATION_TERMS, ALLOCATION_SCOPE, **TABLE, class_name="small mb-2")


def recommendation_line(record: dict | None, family: str, label: str, checks=None) -> list | None:
    """One line on the model in use: recommended and why, the user's own choice, or the only one so far; then a
    warning when any of its ``checks`` (the fit's checks table) fails: the plans rest on its numbers."""
    warning = failed_checks_warning(checks, label)
    if not record:
        return [warning] if warning else None
    best = recommended_row(record)
    if len(record["rows"]) == 1:
        text = f"Using {label}, the only model fitted: {why(best)}. Fit another family in the Models tab to compare."
    elif best["family"] == family:
        text = f"Using {label}: recommended because {score_phrase(record)}: {why(best)}."
    else:
        text = f"Using {label}, your choice. Recommended: {best['model']}, because {score_phrase(record)}."
    return [html.Span(text, className="text-muted"), *([warning] if warning else [])]


def failed_checks_warning(checks, label: str) -> dbc.Alert | None:
    """ "Bayesian (PyMC): 1 of this model's checks fails (Convergence): treat its ROAS with caution. Its plans..."
    in a warning, or None when no check fails (or none ran)."""
    said = cautions(checks)
    if not said:
        return None
    failed = checks[checks["status"] == "fail"]  # each with what to do, as the Models tab says it
    actions = html.Ul([html.Li(f"{row.check}: {row.action}") for row in failed.itertuples()], className="mb-0 mt-1")
    content = [html.Strong(f"{label}: "), f"{said[0]} {SEE_MODELS}", actions]
    return alert(content, "warning", class_name="mt-2 mb-0 py-2 small")
