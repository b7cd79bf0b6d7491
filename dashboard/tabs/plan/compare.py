"""Saved scenarios side by side: one measure per row, one scenario per column, as numbers with a kind (for the
page and the workbook alike), and spend per channel as a tidy table for the chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from dashboard.exports import Sheet
from dashboard.figures.format import (
    MISSING_TEXT,
    compact_numbers,
    interval_text,
    one_period,
    percent_change,
    ratio,
    ratios,
    whole,
)
from dashboard.tabs.plan.saved import scenario_notes

INTERVAL_MEASURES = {"revenue": "Expected revenue over the horizon (90% interval)", "roas": "ROAS (90% interval)"}
LIFT = "Lift over the recent average mix (same spend)"
# The glossary terms that explain a measure (its name before any ": channel"), for the page's help buttons.
MEASURE_TERMS = {
    INTERVAL_MEASURES["revenue"]: ("90% interval",),
    INTERVAL_MEASURES["roas"]: ("ROAS", "90% interval"),
    "Marginal ROAS": ("marginal ROAS",),
    LIFT: ("lift", "recent average mix"),
    "Bounds that bind": ("bound",),
}


def channels_of(scenarios: Sequence[Mapping]) -> list[str]:
    """Every channel of the scenarios, in the order first seen."""
    return list(dict.fromkeys(row["channel"] for s in scenarios for row in s["channels"]))


def by_channel(scenario: Mapping, field: str) -> dict:
    return {row["channel"]: row[field] for row in scenario["channels"]}


def binding(scenario: Mapping) -> str:
    """The bounds that bind, in words: "google locked, tv at its maximum", or "none"."""
    parts = [
        f"{row['channel']} {'locked' if row['bound'] == 'locked' else 'at its ' + row['bound']}"
        for row in scenario["channels"]
        if row["bound"]
    ]
    return ", ".join(parts) or "none"


def per_period(scenarios: Sequence[Mapping]) -> str:
    """What one period of the scenarios is called: "day" or "week" as their horizons count them ("period"
    when they differ or are unknown)."""
    units = {s.get("unit") for s in scenarios}
    return one_period(units.pop()) if len(units) == 1 else "period"


def comparison_rows(scenarios: Sequence[Mapping], family: str | None, version: str | None) -> list[dict]:
    """Rows of the comparison: ``measure``, ``kind`` (text, money, cents, ratio, interval, ratio interval, lift)
    and ``values`` (one per scenario; an interval is (value, lower, upper), a lift (amount, share of the mix's
    revenue))."""
    channels, totals, per = channels_of(scenarios), [s["totals"] for s in scenarios], per_period(scenarios)
    notes = ["; ".join(scenario_notes(s, family, version)) for s in scenarios]
    rows = [
        measure_row("Model", "text", [s["label"] for s in scenarios]),
        measure_row("Kind", "text", [s["kind"] for s in scenarios]),
        measure_row("Horizon", "text", [f"{s['periods']} {s['unit']}" for s in scenarios]),
        *([measure_row("Note", "text", notes)] if any(notes) else []),
        *[
            measure_row(f"Spend per {per}: {c}", "cents", [by_channel(s, "spend").get(c) for s in scenarios])
            for c in channels
        ],
        measure_row("Spend over the horizon", "money", [t["spend"] for t in totals]),
        *(
            [measure_row("Revenue target", "money", [t.get("target") for t in totals])]
            if any(t.get("target") for t in totals)
            else []
        ),
        measure_row(INTERVAL_MEASURES["revenue"], "interval", [interval_of(t, "revenue") for t in totals]),
        measure_row(INTERVAL_MEASURES["roas"], "ratio interval", [interval_of(t, "roas") for t in totals]),
        *[
            measure_row(f"Marginal ROAS: {c}", "ratio", [by_channel(s, "mroas").get(c) for s in scenarios])
            for c in channels
        ],
        measure_row(LIFT, "lift", [(t.get("lift"), _share(t)) for t in totals]),
        measure_row("Bounds that bind", "text", [binding(s) for s in scenarios]),
    ]
    return rows


def measure_row(measure: str, kind: str, values: list) -> dict:
    return {"measure": measure, "kind": kind, "values": values}


def measure_name(measure: str) -> str:
    """A measure without its channel: "Marginal ROAS: google" -> "Marginal ROAS"."""
    return measure.split(": ", 1)[0]


def measure_terms(measure: str) -> tuple[str, ...]:
    """The glossary terms that explain a comparison row (none for plain ones such as spend or the model)."""
    return MEASURE_TERMS.get(measure_name(measure), ())


def interval_of(totals: Mapping, name: str) -> tuple:
    """(value, lower, upper) of a measure of ``totals``."""
    return tuple(totals.get(k) for k in (name, f"{name}_lower", f"{name}_upper"))


def _share(totals: Mapping) -> float | None:
    lift, base = totals.get("lift"), totals.get("mix_revenue")
    return lift / base if lift is not None and base else None


def shown_values(kind: str, values: Sequence) -> list[str]:
    """A comparison row's cells as text for the page. Intervals are written together: the scenarios' amounts share
    one unit and one number of digits (as many as it takes for values that differ to read differently), so that
    a cautious plan's 1.409M never stands beside an expected plan's 1.4M."""
    if kind == "text":
        return [value or "" for value in values]
    if kind in ("interval", "ratio interval"):
        numbers = _together(compact_numbers if kind == "interval" else ratios, [v for value in values for v in value])
        return [interval_text(*value, numbers=numbers) for value in values]
    if kind == "lift":  # each on its own: lifts of 83k and 1.5k written together would read 83k and 2k
        return [
            MISSING_TEXT if amount is None else f"{compact_numbers([amount])[0]} ({percent_change(share)})"
            for amount, share in values
        ]
    if kind == "ratio":  # each on its own, two decimals as the plan table: 0.02, never 0.018610 to differ
        return [ratio(value) for value in values]
    return [whole(value) for value in values]


def _together(numbers, row: list):
    """``numbers`` (compact_numbers or ratios) that writes any of ``row``'s values as it writes them all at once."""
    texts = dict(zip(row, numbers(row)))
    return lambda values: [texts.get(v, numbers([v])[0]) for v in values]


def comparison_sheet(rows: list[dict], names: list[str]) -> Sheet:
    """The comparison for the workbook: intervals and lifts spread over rows of plain numbers."""
    out, kinds = [], []
    for row in rows:
        for measure, kind, values in _numeric(row):
            out.append({"Measure": measure, **dict(zip(names, values))})
            kinds.append(kind)
    return Sheet(pd.DataFrame(out, columns=["Measure", *names]), dict.fromkeys(names, kinds))


def _numeric(row: dict) -> list[tuple]:
    kind, values = row["kind"], row["values"]
    if kind in ("interval", "ratio interval"):
        number = "money" if kind == "interval" else "ratio"
        base = row["measure"].replace(" (90% interval)", "")
        return [
            (base, number, [v[0] for v in values]),
            (f"{base}: lower (90%)", number, [v[1] for v in values]),
            (f"{base}: upper (90%)", number, [v[2] for v in values]),
        ]
    if kind == "lift":
        return [
            (row["measure"], "money", [v[0] for v in values]),
            (f"{row['measure']}: share", "share", [v[1] for v in values]),
        ]
    return [(row["measure"], None if kind == "text" else kind, values)]


def spend_frame(scenarios: Sequence[Mapping]) -> pd.DataFrame:
    """Spend per period per channel and scenario, tidy, for the grouped bars."""
    rows = [
        {"scenario": s["name"], "channel": row["channel"], "spend": row["spend"]}
        for s in scenarios
        for row in s["channels"]
    ]
    return pd.DataFrame(rows, columns=["scenario", "channel", "spend"])


def spend_sheet(scenarios: Sequence[Mapping]) -> Sheet:
    """Spend per period: a row per channel, a column per scenario."""
    names = [s["name"] for s in scenarios]
    table = spend_frame(scenarios).pivot(index="channel", columns="scenario", values="spend")
    table = table.reindex(index=channels_of(scenarios), columns=names)
    frame = pd.DataFrame({"Channel": table.index, **{name: table[name].to_numpy() for name in names}})
    return Sheet(frame, dict.fromkeys(names, "cents"))


OBJECTIVES = {"revenue": "Maximise revenue", "min_roas": "Maximise revenue with a minimum overall ROAS"}
RISKS = {"expected": "Expected revenue", "cautious": "Cautious (10th percentile)"}
OPTIMISER_INPUTS = ("budget", "target", "goal", "objective", "min_roas", "risk")  # a what-if used none of them


def inputs_sheet(scenarios: Sequence[Mapping]) -> Sheet:
    """What each scenario was made from: horizon, goal, budget or target, objective, risk (in the words the Plan
    tab uses; blank for a what-if, which the optimiser did not make), locks and bounds."""
    rows, per = [], per_period(scenarios)
    for s in scenarios:
        inputs = dict(s.get("inputs") or {})
        if s.get("kind") == "what-if":
            inputs = {k: v for k, v in inputs.items() if k not in OPTIMISER_INPUTS}
        bounds = "; ".join(f"{c} {_bound_text(pair)}" for c, pair in (inputs.get("bounds") or {}).items())
        rows.append(
            {
                "Scenario": s["name"],
                "Model": s["label"],
                "Kind": s["kind"],
                "Horizon": f"{s['periods']} {s['unit']}",
                # a target's budget is the one found (the budget box was not used), a budget goal's the one asked
                "Budget": s["totals"].get("spend") if inputs.get("goal") == "target" else inputs.get("budget"),
                "Revenue target": inputs.get("target") if inputs.get("goal") == "target" else None,
                "Objective": OBJECTIVES.get(inputs.get("objective"), inputs.get("objective")),
                "Minimum ROAS": inputs.get("min_roas") if inputs.get("objective") == "min_roas" else None,
                "Risk": RISKS.get(inputs.get("risk"), inputs.get("risk")),
                "Locked": ", ".join(inputs.get("locked") or []),
                f"Bounds per {per}": bounds,
                "Saved at (UTC)": _utc(s.get("saved_at")),
            }
        )
    frame = pd.DataFrame(rows)
    kinds = {"Budget": "money", "Revenue target": "money", "Minimum ROAS": "ratio", "Saved at (UTC)": "datetime"}
    return Sheet(frame, kinds)


def _utc(stamp) -> pd.Timestamp | None:
    """An ISO time with its offset as a UTC time a worksheet holds (Excel has no time zones); None if unreadable."""
    when = pd.to_datetime(stamp, utc=True, errors="coerce")
    return None if pd.isna(when) else when.tz_localize(None)


def _bound_text(pair) -> str:
    low, high = (list(pair) + [None, None])[:2]
    if low is None:
        return f"at most {whole(high)}"
    return f"at least {whole(low)}" if high is None else f"{whole(low)} to {whole(high)}"
