"""Helpers of the dashboard tests: the ridge form, the Plan tab's form, a fake clock, and calling a callback as
Dash would."""

from __future__ import annotations

import io
import json
import time
from contextvars import copy_context

from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard.ids import Plan

RIDGE = ("geometric", "hill", 20)  # the ridge form in the order of models.family_options("ridge"); 20 trials: seconds
XGBOOST = (100,)  # the XGBoost form: 100 trees (a few seconds with its intervals and checks)


PLAN_PERIODS = 28


def plan_form(channels, **changes) -> dict:
    """The Plan tab's optimiser form with channel names: 1,000 a period on each, a budget of 200,000."""
    base = {
        "periods": PLAN_PERIODS,
        "goal": "budget",
        "budget": 200_000,
        "target": None,
        "objective": "revenue",
        "min_roas": None,
        "risk": "expected",
        "unit": "absolute",
        "channels": channels,
        "spend": [1000.0] * len(channels),
        "locks": [False] * len(channels),
        "minimums": [None] * len(channels),
        "maximums": [None] * len(channels),
    }
    return {**base, **changes}


def browser_form(channels, **changes) -> dict:
    """The optimiser form as a callback receives it: spend ids instead of channel names."""
    values = plan_form(channels, **changes)
    values["ids"] = [Plan.spend(c) for c in values.pop("channels")]
    return values


def channels_of(app, key) -> list[str]:
    """The channels of the fit ``key`` points at."""
    return app.plan_cache.model(key).channels


class FakeClock:
    """A clock the tests move by hand, for the session store's idle TTL (seconds since the epoch)."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def triggered(component_id, function, *args, prop: str = "n_clicks", value: object = 1, **kwargs):
    """Call ``function`` as Dash would after ``component_id``'s ``prop`` changed to ``value`` (ctx.triggered_id),
    the way Dash's testing guide sets the callback context."""
    name = (
        json.dumps(component_id, sort_keys=True, separators=(",", ":"))
        if isinstance(component_id, dict)
        else component_id
    )

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{name}.{prop}", "value": value}]))
        return function(*args, **kwargs)

    return copy_context().run(run)


def in_callback(function, *args, **kwargs) -> tuple:
    """(what ``function`` returns, the props it set with dash.set_props), called inside a callback context."""
    props = {}

    def run():
        context_value.set(AttributeDict(triggered_inputs=[], updated_props=props))
        return function(*args, **kwargs)

    return copy_context().run(run), props


def components(component) -> list:
    """The component and every component inside it, depth first."""
    found = [component]
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            found.extend(components(child))
    return found


def help_buttons(tree) -> dict[str, tuple[str, str]]:
    """{label asked about ("What is X?" -> X): (button id, the words read out for it)} of the help buttons in a
    tree, checking each is a real button described by a hidden text and shown by a tooltip with the same words."""
    import dash_bootstrap_components as dbc
    from dash import html

    parts = components(tree)
    texts = {c.id: c.children for c in parts if isinstance(c, html.Span) and isinstance(getattr(c, "id", None), str)}
    tooltips = {c.target: c.children for c in parts if isinstance(c, dbc.Tooltip)}
    found = {}
    for button in (c for c in parts if isinstance(c, html.Button) and c.className == "help-button"):
        props = button.to_plotly_json()["props"]
        assert button.type == "button" and props["aria-label"].startswith("What is ")
        assert tooltips[button.id] == texts[props["aria-describedby"]]
        found[props["aria-label"].removeprefix("What is ").removesuffix("?")] = (button.id, tooltips[button.id])
    return found


def string_ids(*trees) -> list[str]:
    """Every string id in the trees, repeats included (a repeat is a Dash error on one page)."""
    return [c.id for tree in trees for c in components(tree) if isinstance(getattr(c, "id", None), str)]


def notes_then_data(frame) -> bytes:
    """An .xlsx whose first sheet is notes and whose second, "Data", holds ``frame`` (dates as real dates)."""
    import openpyxl
    import pandas as pd

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Exported from the ad platforms; the data are on the sheet 'Data'."])
    sheet = book.create_sheet("Data")
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([pd.Timestamp(row[0]).to_pydatetime(), *row[1:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
