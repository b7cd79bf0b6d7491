"""The Optimise form turned into the engine's arguments, and an optimised plan as a JSON record for the
session store, with the tables made from it for display and export."""

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


def optimiser_arguments(form: Mapping, recent: Mapping[str, float]) -> dict:
    """The Optimise form as keyword arguments of ``models.optimize_budget`` (less the model and horizon):
    locked channels at their what-if spend, bounds in currency per period, the objective."""
    if form["budget"] is None:
        raise ValueError("Enter the budget to split over the horizon (a number of at least 0).")
    channels = form["channels"]
    locked = {c: v for c, v, on in zip(channels, form["spend"], form["locks"]) if on}
    bounds = absolute_bounds(channels, form["minimums"], form["maximums"], form["unit"], recent, list(locked))
    objective = form["objective"] or "revenue"
    min_roas = form["min_roas"] if objective == "min_roas" else None
    return {"budget": form["budget"], "bounds": bounds, "locked": locked, "objective": objective, "min_roas": min_roas}


def _blank(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def plan_record(plan, prediction: pd.DataFrame, meta: Mapping) -> dict:
    """An optimised plan as JSON for the session store: allocation, expected totals, messages, prediction."""
    table = plan.table()
    return {
        **meta,
        "budget": plan.budget,
        "periods": plan.periods,
        "allocation": _records(table),
        "expected": {k: _number(v) for k, v in plan.expected.items()},
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
    """The plan's allocation as a tidy frame (NaN where a bound is absent)."""
    return pd.DataFrame(record["allocation"]).astype({"upper_bound": float})


def plan_sheet(record: Mapping) -> pd.DataFrame:
    """The allocation per channel with spend per period and over the horizon, and a total row."""
    frame = allocation_frame(record)
    out = pd.DataFrame(
        {
            "channel": frame["channel"],
            "current_per_period": frame["current"],
            "optimal_per_period": frame["optimal"],
            "change_per_period": frame["change"],
            "current_total": frame["current_total"],
            "optimal_total": frame["optimal_total"],
            "min_per_period": frame["lower_bound"],
            "max_per_period": frame["upper_bound"],
            "constraint": frame["at_bound"],
            "marginal_roas": frame["mroas"],
        }
    )
    sums = out[["current_per_period", "optimal_per_period", "change_per_period", "current_total", "optimal_total"]]
    total = pd.DataFrame([{"channel": "Total", **sums.sum().to_dict()}])
    return pd.concat([out, total], ignore_index=True)


def expected_sheet(record: Mapping) -> pd.DataFrame:
    """One row per expected total of the optimised plan (with its 90% interval where the model has one)."""
    expected = record["expected"]
    rows = [{"metric": "budget", "value": record["budget"], "lower": None, "upper": None}]
    rows.append({"metric": "periods", "value": record["periods"], "lower": None, "upper": None})
    for name, value in expected.items():
        if name.endswith(("_lower", "_upper")):
            continue
        rows.append(
            {
                "metric": name,
                "value": value,
                "lower": expected.get(f"{name}_lower"),
                "upper": expected.get(f"{name}_upper"),
            }
        )
    return pd.DataFrame(rows).astype({"value": float, "lower": float, "upper": float})


def plan_exports(record: Mapping) -> dict[str, pd.DataFrame]:
    """Every table of an optimised plan, by sheet name: plan, expected, prediction, messages."""
    prediction = pd.DataFrame(record["prediction"])
    prediction["date"] = pd.to_datetime(prediction["date"])
    return {
        "plan": plan_sheet(record),
        "expected": expected_sheet(record),
        "prediction": prediction[["date", "mean", "lower", "upper"]],
        "messages": pd.DataFrame({"message": record["messages"]}, dtype=object),
    }
