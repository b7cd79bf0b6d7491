"""Helpers of the dashboard tests: the ridge form, a fake clock, and calling a callback as Dash would."""

from __future__ import annotations

import json
import time
from contextvars import copy_context

from dash._callback_context import context_value
from dash._utils import AttributeDict

RIDGE = ("geometric", "hill", 20)  # the ridge form in the order of models.family_options("ridge"); 20 trials: seconds
XGBOOST = (100,)  # the XGBoost form: 100 trees (a few seconds with its intervals and checks)


class FakeClock:
    """A clock the tests move by hand, for the session store's idle TTL (seconds since the epoch)."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def triggered(component_id, function, *args, prop: str = "n_clicks", **kwargs):
    """Call ``function`` as Dash would after ``component_id``'s ``prop`` changed (ctx.triggered_id), the way
    Dash's testing guide sets the callback context."""
    name = (
        json.dumps(component_id, sort_keys=True, separators=(",", ":"))
        if isinstance(component_id, dict)
        else component_id
    )

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{name}.{prop}", "value": 1}]))
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
