"""The Plan tab's spend controls for a model: at the recent average, or the user's spend, locks and bounds kept
when the model changes (for the channels it has), with what was dropped or lies outside the data in words."""

from __future__ import annotations

from collections.abc import Mapping

from dash import html

from dashboard.figures.format import period_name, whole
from dashboard.tabs.plan.state import recent_window
from dashboard.tabs.plan.views import bound_rows, channel_rows, spend_shown
from dashboard.ui import alert

RANGE_SLACK = 0.01  # as the engine: a spend beyond the data's range by more than 1% is an extrapolation


def kept_controls(fitted, values: Mapping | None, before: str | None = None, start: Mapping | None = None) -> tuple:
    """(channel rows, bound rows, the spend they start at, a note or None) for ``fitted``; ``values`` (ids, spend,
    locks, minimums, maximums as the page has them) are kept for the model's channels when the user set any of
    them (``start``: the spend the page's controls started at), else and for None they start at the recent
    average; ``before`` names the model they were set on when it was another one."""
    recent = fitted.recent_spend()
    seen = fitted.spend_range().set_index("channel")
    kept = user_values(values)
    if not user_set(kept, start):  # the page as it was built: nothing of the user's to keep or to speak of
        kept = user_values(None)
    spend = {c: kept["spend"].get(c, float(recent[c])) for c in fitted.channels}
    unit = period_name(fitted.frequency)
    rows = channel_rows(spend, seen["max"].to_dict(), f"per {unit}", kept["locked"] & set(fitted.channels))
    bounds = bound_rows(fitted.channels, kept["minimums"], kept["maximums"])
    dropped = sorted(set(kept["spend"]) - set(fitted.channels))
    outside = [
        out_of_range(c, v, seen.loc[c, "min"], seen.loc[c, "max"], unit)
        for c, v in kept["spend"].items()
        if c in seen.index
    ]
    window = recent_window(fitted.frequency)
    outside += [
        paused(c, seen.loc[c, "max"], unit, window) for c in fitted.channels if c not in kept["spend"] and not recent[c]
    ]
    note = switch_note(before, bool(kept["spend"]), dropped, [o for o in outside if o])
    return rows, bounds, {c: spend_shown(v) for c, v in spend.items()}, note  # rounded as the controls show it


def user_values(values: Mapping | None) -> dict:
    """The page's spend (numbers only), locked channels and non-blank bounds, by channel."""
    if not values or not values.get("ids"):
        return {"spend": {}, "locked": set(), "minimums": {}, "maximums": {}}
    channels = [i["channel"] for i in values["ids"]]

    def by_channel(name: str) -> dict:
        return {c: v for c, v in zip(channels, values[name]) if v is not None and v != ""}

    spend = {c: float(v) for c, v in by_channel("spend").items() if float(v) >= 0}
    locked = {c for c, on in zip(channels, values["locks"]) if on}
    return {"spend": spend, "locked": locked, "minimums": by_channel("minimums"), "maximums": by_channel("maximums")}


def user_set(kept: Mapping, start: Mapping | None) -> bool:
    """Whether the user set anything on the page: a lock, a bound, or a spend other than the one the controls
    started at (``start``; None when unknown, so that any spend counts)."""
    if kept["locked"] or kept["minimums"] or kept["maximums"]:
        return True
    start = start or {}
    return any(spend_shown(v) != start.get(c) for c, v in kept["spend"].items())


def out_of_range(channel: str, spend: float, low: float, high: float, unit: str) -> str | None:
    """The channel's spend in words when it lies outside what the data have seen, else None."""
    if spend > high * (1 + RANGE_SLACK):
        where, limit = "above the most", high
    elif spend < low * (1 - RANGE_SLACK):
        where, limit = "below the least", low
    else:
        return None
    return (
        f"{channel}: {whole(spend)} per {unit} is {where} the data saw ({whole(limit)}), so this model "
        "extrapolates there."
    )


def paused(channel: str, most: float, unit: str, window: str) -> str | None:
    """A channel with no spend in the recent window that spent before (flighted: it runs in bursts): its recent
    average, where its what-if and the default budget start, is 0; say so, or a plan silently leaves it out."""
    if not most > 0:
        return None
    return (
        f"{channel} spent nothing in the {window}, so its what-if starts at 0 and the default budget leaves it "
        f"out; it has spent up to {whole(most)} per {unit} before. Set its spend if you plan to run it."
    )


def switch_note(before: str | None, kept: bool, dropped: list[str], outside: list[str]) -> html.Div | None:
    """What a change of model kept and dropped, and the spends outside the data's range, in words."""
    lines = []
    if kept and before:
        lines.append(f"Kept your spend, locks and bounds from {before}.")
    if dropped:
        lines.append(f"Not in this model, so dropped: {', '.join(dropped)}.")
    lines.extend(outside)
    if not lines:
        return None
    return alert([html.Div(line) for line in lines], "info", class_name="py-2 small mb-2")
