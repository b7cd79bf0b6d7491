"""The Plan tab's state: loaded models and horizons cached in-process, form values turned into engine
arguments, optimised plans kept in the session store, and display tables and exports made from them."""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard.datasets import PLAN
from dashboard.fits import fit_summaries, load_fit_meta, load_model
from dashboard.store import SessionStore
from models.planning import Horizon

DEFAULT_PERIODS = {"daily": 28, "weekly": 4}  # about the next month
MAX_PERIODS = 730
PERIOD_NAMES = {"daily": ("day", "days"), "weekly": ("week", "weeks")}
EXPECTED_LABELS = {
    "revenue": "Expected revenue over the horizon",
    "incremental_revenue": "Revenue from the media spend",
    "roas": "Overall ROAS",
    "spend": "Spend over the horizon",
    "lift": "Lift over the current mix at this budget",
}


class LRU:
    """A small thread-safe least-recently-used map whose entries also expire after ``ttl`` seconds idle."""

    def __init__(self, size: int, ttl: float):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build: Callable[[], object]):
        """The cached value for ``key``, or ``build()`` stored under it (None is returned, not stored)."""
        now = time.monotonic()
        with self._lock:
            for old in [k for k, (_, used) in self._items.items() if now - used > self.ttl]:
                del self._items[old]
            if key in self._items:
                value, _ = self._items.pop(key)
                self._items[key] = (value, now)
                return value
        value = build()  # outside the lock: loading a model takes a while
        if value is not None:
            with self._lock:
                self._items[key] = (value, now)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def drop(self, keep: Callable[[tuple], bool]) -> None:
        """Forget every entry whose key ``keep`` rejects."""
        with self._lock:
            for key in [k for k in self._items if not keep(k)]:
                del self._items[key]

    def __len__(self) -> int:
        return len(self._items)


class FitKey(NamedTuple):
    """One fit of one family on one version of a session's data."""

    sid: str
    family: str
    version: str
    stamp: str


class PlanCache:
    """Fitted models per fit and their horizons per number of periods, kept in this process so that
    moving a slider never reloads a model from the session store."""

    def __init__(self, store: SessionStore, size: int = 8, ttl: float = 900):
        self.store = store
        self.models = LRU(size, ttl)
        self.horizons = LRU(size, ttl)
        self.metas = LRU(size, ttl)

    def model(self, key: FitKey):
        """The session's fitted model, or None when it has none for this data."""
        return self.models.get(key, lambda: load_model(self.store, key.sid, key.family, key.version))

    def meta(self, key: FitKey) -> dict | None:
        """The fit's stored metadata: channels, recent spend per period (the one copy of it)..."""
        return self.metas.get(key, lambda: load_fit_meta(self.store, key.sid, key.family, key.version))

    def horizon(self, key: FitKey, periods) -> Horizon | None:
        """A Horizon for the model's next ``periods`` periods; ValueError for a horizon out of range."""
        periods = checked_periods(periods)
        fitted = self.model(key)
        if fitted is None:
            return None
        return self.horizons.get((*key, periods), lambda: Horizon(fitted, periods))

    def forget(self, sid: str, version: str | None) -> None:
        """Drop the session's entries for any other data (or all of them when it has none now)."""
        for lru in (self.models, self.horizons, self.metas):
            lru.drop(lambda key: key[0] != sid or key[2] == version)


def fitted_families(store: SessionStore, sid: str | None, version: str | None) -> dict:
    """family -> label and fit stamp, for every fit on this data (small JSON for the browser)."""
    if sid is None or version is None:
        return {}
    return {
        meta["family"]: {"label": meta["label"], "stamp": fit_stamp(meta)}
        for meta in fit_summaries(store, sid, version)
    }


def save_plan(store: SessionStore, sid: str, record: Mapping) -> dict:
    """Keep an optimised plan in the session store, replacing the last one; the browser gets its id only."""
    reference = {"plan": secrets.token_hex(8), "version": record["version"]}
    store.put(sid, PLAN, json.dumps({**record, "id": reference["plan"]}).encode())
    return reference


def load_plan(store: SessionStore, sid: str, reference: Mapping | None) -> dict | None:
    """The stored plan ``reference`` points at, or None (replaced, made on other data, or deleted)."""
    blob = store.get(sid, PLAN) if reference else None
    if blob is None:
        return None
    record = json.loads(blob)
    if record["id"] != reference.get("plan") or record["version"] != reference.get("version"):
        return None
    return record


def latest_plan(store: SessionStore, sid: str, version: str) -> dict | None:
    """A reference to the session's last plan when it was made on this version of the data, else None."""
    blob = store.get(sid, PLAN)
    record = json.loads(blob) if blob is not None else None
    if record is None or record["version"] != version:
        return None
    return {"plan": record["id"], "version": version}


def checked_periods(periods) -> int:
    """A whole number of periods from 1 to MAX_PERIODS, or ValueError in words."""
    try:
        number = float(periods)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= MAX_PERIODS:
        raise ValueError(f"The horizon must be a whole number of periods from 1 to {MAX_PERIODS}.")
    return int(number)


def fit_stamp(summary: Mapping) -> str:
    """Identifies one fit of a family, so a refit on the same data is never served from the cache."""
    return f"{summary['fitted_at']}|{summary['fit_seconds']!r}"


def period_name(frequency: str, plural: bool = False) -> str:
    return PERIOD_NAMES.get(frequency, ("period", "periods"))[plural]


def slider_range(recent: float, history_max: float) -> tuple[float, float]:
    """Slider top and step: at least three times the recent spend and the largest spend in the data."""
    top = max(3 * recent, history_max, 1.0)
    magnitude = 10 ** math.floor(math.log10(top))
    top = math.ceil(top / magnitude * 2) * magnitude / 2  # 1, 1.5, 2, 2.5... times a power of ten
    return float(top), float(top / 200)


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
