"""Saved scenarios: a what-if or an optimised plan kept by name in the session store (so they go with the
session's data when it is cleared or expires), with the model and data version they came from, their inputs,
and the numbers the comparison shows."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime

import models
from dashboard.store import SessionStore
from dashboard.tabs.plan.records import allocation_frame

SCENARIOS = "scenarios"  # one JSON list per session
MAX_NAME = 40
MAX_SCENARIOS = 20
MAX_COMPARED = 4
TOTALS = ("revenue", "roas")  # each with _lower/_upper where the model has intervals


def load_scenarios(store: SessionStore, sid: str | None) -> list[dict]:
    """The session's scenarios, oldest first ([] without a session or when there are none)."""
    blob = store.get(sid, SCENARIOS) if sid is not None else None
    return json.loads(blob) if blob is not None else []


def write_scenarios(store: SessionStore, sid: str, scenarios: list[dict]) -> None:
    if scenarios:
        store.put(sid, SCENARIOS, json.dumps(scenarios).encode())
    else:
        store.delete(sid, SCENARIOS)


def checked_name(name, scenarios: list[dict]) -> str:
    """The name trimmed, or ValueError in words when it is empty, too long, taken, or the list is full."""
    text = " ".join(str(name or "").split())
    if not text:
        raise ValueError("Give the scenario a name.")
    if len(text) > MAX_NAME:
        raise ValueError(f"Keep the name to {MAX_NAME} characters or fewer.")
    if text.casefold() in {s["name"].casefold() for s in scenarios}:
        raise ValueError(f"There is already a scenario called {text!r}: pick another name.")
    if len(scenarios) >= MAX_SCENARIOS:
        raise ValueError(f"You have {MAX_SCENARIOS} scenarios, the most kept: delete one first.")
    return text


def next_name(scenarios: list[dict]) -> str:
    """ "Scenario n" for the first n from the count + 1 that is not taken."""
    taken, n = {s["name"].casefold() for s in scenarios}, len(scenarios) + 1
    while f"scenario {n}" in taken:
        n += 1
    return f"Scenario {n}"


def add_scenario(store: SessionStore, sid: str, name, scenario: Mapping) -> dict:
    """Check the name and save ``scenario`` under it; the saved record (ValueError in words if refused)."""
    scenarios = load_scenarios(store, sid)
    saved = {**scenario, "id": secrets.token_hex(4), "name": checked_name(name, scenarios)}
    saved["saved_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_scenarios(store, sid, [*scenarios, saved])
    return saved


def delete_scenario(store: SessionStore, sid: str, scenario_id: str) -> None:
    write_scenarios(store, sid, [s for s in load_scenarios(store, sid) if s["id"] != scenario_id])


def plan_kind(record: Mapping) -> str:
    """What kind of optimised plan a plan record is, in words."""
    if record.get("goal") == "target":
        return "spend for target"
    if record.get("risk"):
        return "cautious plan"
    objective = (record.get("inputs") or {}).get("objective")
    return "optimised (minimum ROAS)" if objective == "min_roas" else "optimised"


def plan_scenario(record: Mapping) -> dict:
    """A scenario from an optimised plan record (the session's last plan)."""
    frame, expected = allocation_frame(record), record["expected"]
    totals = {k: expected.get(k) for name in TOTALS for k in (name, f"{name}_lower", f"{name}_upper")}
    totals |= {"spend": expected["spend"], "lift": expected.get("lift")}
    totals |= {"mix_revenue": expected.get("current_mix_revenue"), "target": record.get("target")}
    return {
        **{k: record[k] for k in ("family", "label", "version", "periods", "unit")},
        "per": record.get("per"),
        "kind": plan_kind(record),
        "inputs": record.get("inputs") or {},
        "channels": [
            {"channel": r.channel, "spend": r.optimal, "mroas": _plain(r.mroas), "bound": r.at_bound}
            for r in frame.itertuples()
        ],
        "totals": totals,
    }


def what_if_scenario(horizon, spend: Mapping[str, float], meta: Mapping, inputs: Mapping) -> dict:
    """A scenario from the what-if on the sliders, with its lift over the recent average mix at the same total
    spend (two engine what-ifs on the horizon)."""
    fitted = horizon.fitted
    recent = fitted.recent_spend()
    spend = {c: float(spend.get(c, recent[c])) for c in horizon.channels}  # as the what-if: left out, recent
    result = models.what_if(fitted, spend, horizon.periods, horizon=horizon)
    total = sum(spend.values())
    scale = total / float(recent.sum()) if float(recent.sum()) > 0 else 0.0
    mix = models.what_if(
        fitted, {c: float(recent[c]) * scale for c in horizon.channels}, horizon.periods, horizon=horizon
    )
    totals = {k: _plain(result.totals.get(k)) for name in TOTALS for k in (name, f"{name}_lower", f"{name}_upper")}
    totals |= {"spend": _plain(result.totals["spend"]), "mix_revenue": _plain(mix.totals["revenue"]), "target": None}
    totals["lift"] = _plain(result.totals["revenue"] - mix.totals["revenue"])
    channels = [
        {"channel": r.channel, "spend": _plain(r.spend), "mroas": _plain(r.mroas), "bound": ""}
        for r in result.channels.itertuples()
    ]
    scenario = {**meta, "kind": "what-if", "periods": horizon.periods, "inputs": dict(inputs)}
    return scenario | {"channels": channels, "totals": totals}


def _plain(value):
    """A JSON-safe float (None for a missing or infinite value)."""
    if value is None:
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None


def scenario_notes(scenario: Mapping, family: str | None, version: str | None) -> list[str]:
    """Why a scenario may not match the plan on screen: another model, or other data (another upload, named,
    or an older version of this one)."""
    notes = []
    if family and scenario["family"] != family:
        notes.append(f"made with {scenario['label']}, not the model selected")
    if version and scenario["version"] != version:
        data = scenario.get("data")
        notes.append(f"made on other data ({data})" if data else "made on an older version of the data")
    return notes
