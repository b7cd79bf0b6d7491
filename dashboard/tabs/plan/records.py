"""The Optimise form turned into the engine's arguments, and an optimised plan as a JSON record for the
session store (with the inputs it was made from), and its allocation as a table."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def absolute_bounds(
    channels: Sequence[str],
    minimums: Sequence,
    maximums: Sequence,
    unit: str,
    recent: Mapping[str, float],
    locked: Sequence[str] = (),
) -> dict[str, tuple[float | None, float | None]]:
    """Per-channel (min, max) spend per period for the optimiser; ``unit`` "percent" reads the values as a
    percentage of the recent spend. Blank means no bound; locked channels get none (the lock wins)."""
    bounds = {}
    for channel, low, high in zip(channels, minimums, maximums):
        if channel in locked or (_blank(low) and _blank(high)):
            continue
        pair = []
        for value in (low, high):
            if _blank(value):
                pair.append(None)
            else:
                number = float(value)
                pair.append(number * recent[channel] / 100 if unit == "percent" else number)
        bounds[channel] = tuple(pair)
    return bounds


CAUTIOUS_QUANTILE = 0.1  # "cautious": the plan whose 10th percentile of revenue is highest
GOALS = ("budget", "target")  # the best revenue for a budget, or a revenue target for the least spend


def optimiser_arguments(form: Mapping, recent: Mapping[str, float]) -> dict:
    """The Optimise form as keyword arguments of ``models.optimize_budget`` (less the model and horizon):
    locked channels at their what-if spend, bounds in currency per period, the objective, and the quantile
    of revenue to maximise for a cautious plan."""
    if form["budget"] is None:
        raise ValueError("Enter the budget to split over the horizon (a number of at least 0).")
    objective = form["objective"] or "revenue"
    min_roas = form["min_roas"] if objective == "min_roas" else None
    arguments = {"budget": form["budget"], **constraints(form, recent), "objective": objective, "min_roas": min_roas}
    if form.get("risk") == "cautious":
        arguments["quantile"] = CAUTIOUS_QUANTILE
    return arguments


def target_arguments(form: Mapping, recent: Mapping[str, float]) -> dict:
    """The form as keyword arguments of ``models.minimum_budget``: the revenue to reach, bounds and locks."""
    target = form.get("target")
    if _blank(target) or float(target) <= 0:
        raise ValueError("Enter the revenue to reach over the horizon (a number above 0).")
    return {"target_revenue": float(target), **constraints(form, recent)}


def constraints(form: Mapping, recent: Mapping[str, float]) -> dict:
    """Bounds (currency per period) and locks (at the what-if spend) from the form."""
    channels = form["channels"]
    locked = {c: v for c, v, on in zip(channels, form["spend"], form["locks"]) if on}
    bounds = absolute_bounds(channels, form["minimums"], form["maximums"], form["unit"], recent, list(locked))
    return {"bounds": bounds, "locked": locked}


def form_inputs(form: Mapping, arguments: Mapping) -> dict:
    """What a plan was made from, as JSON: the what-if spend, horizon, goal, budget or target, objective,
    risk, locks and bounds (as typed and in currency per period)."""
    channels = form["channels"]
    return {
        "spend": dict(zip(channels, form["spend"])),
        "periods": form["periods"],
        "goal": form.get("goal") or "budget",
        "budget": form["budget"],
        "target": form.get("target"),
        "objective": form["objective"] or "revenue",
        "min_roas": form["min_roas"],
        "risk": form.get("risk") or "expected",
        "locked": list(arguments["locked"]),
        "bounds": {c: list(pair) for c, pair in arguments["bounds"].items()},
        "bound_unit": form["unit"],
    }


def _blank(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def plan_record(plan, prediction: pd.DataFrame, meta: Mapping, risk: Mapping | None = None) -> dict:
    """An optimised plan as JSON for the session store: allocation, expected totals, messages, prediction, and
    for a cautious plan what its caution costs (``risk``)."""
    table = plan.table()
    return {
        **meta,
        "budget": plan.budget,
        "periods": plan.periods,
        "allocation": _records(table),
        "expected": {k: _number(v) for k, v in plan.expected.items()},
        "risk": None if risk is None else {k: _number(v) for k, v in risk.items()},
        "messages": list(plan.messages),
        "prediction": _records(prediction.assign(date=prediction["date"].dt.strftime("%Y-%m-%d"))),
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _number(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _number(value):
    """JSON-safe: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def allocation_frame(record: Mapping) -> pd.DataFrame:
    """The plan's allocation as a tidy frame (NaN where a bound is absent), with the what-if spend the plan was
    made from (NaN when unknown). A bound is a limit the user set: a channel the optimiser left at no spend is
    not "at its minimum" unless the user gave it one above 0."""
    frame = pd.DataFrame(record["allocation"]).astype({"upper_bound": float})
    unset = (frame["at_bound"] == "minimum") & ~(frame["lower_bound"].astype(float) > 0)
    frame["at_bound"] = frame["at_bound"].mask(unset, "")
    spend = (record.get("inputs") or {}).get("spend") or {}
    frame["what_if"] = [_float(spend.get(c)) for c in frame["channel"]]
    return frame


def _float(value) -> float:
    return float("nan") if _blank(value) else float(value)
