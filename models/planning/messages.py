"""The optimiser's plan in words: which constraints bind, and where the plan leaves the data's spend levels."""

from __future__ import annotations

import pandas as pd

from models.planning.horizon import money

RANGE_SLACK = 0.01  # plans beyond the observed spend range by more than this share get a warning


def constraint_messages(allocation: pd.DataFrame, expected: dict, min_roas: float | None) -> list[str]:
    """The binding constraints in words, with what an extra 1,000 would add where it matters."""
    messages = []
    for row in allocation.itertuples():
        extra = f"each extra 1,000 there would add about {row.mroas * 1000:,.0f}"
        if row.at_bound == "maximum":
            messages.append(f"{row.channel} is at its maximum ({row.optimal:,.0f} per period); {extra}.")
        elif row.at_bound == "locked":
            messages.append(f"{row.channel} is locked at {row.optimal:,.0f} per period; {extra}.")
        elif row.at_bound == "minimum" and row.lower_bound == 0:
            messages.append(
                f"{row.channel} gets no spend: its first 1,000 would add only about {row.mroas * 1000:,.0f}."
            )
        elif row.at_bound == "minimum":
            messages.append(
                f"{row.channel} is at its minimum ({row.optimal:,.0f} per period): the optimiser would spend "
                f"less there ({extra})."
            )
    free = allocation[(allocation.at_bound == "") & (allocation.optimal > 0)]
    if len(free):
        messages.append(
            f"At the optimum, each extra 1,000 of budget in {', '.join(free.channel)} adds about "
            f"{free.mroas.mean() * 1000:,.0f} (their marginal ROAS is about equal there)."
        )
    if min_roas is not None:  # the optimiser returns only plans that meet it by the full model
        messages.append(
            f"Overall ROAS {expected['roas']:.2f} (at least {min_roas:.2f} asked); "
            f"{expected['spend']:,.0f} of the budget is spent."
        )
    return messages


def range_messages(allocation: pd.DataFrame, observed: pd.DataFrame) -> list[str]:
    """Warn where the plan leaves the spend levels the data have seen: the model extrapolates there."""
    messages = []
    for row in allocation.itertuples():
        low, high = float(observed.loc[row.channel, "min"]), float(observed.loc[row.channel, "max"])
        if row.optimal > high * (1 + RANGE_SLACK):
            where, limit, kind = "above the most", high, "maximum"
        elif row.optimal < low * (1 - RANGE_SLACK):
            where, limit, kind = "below the least", low, "minimum"
        else:
            continue
        messages.append(
            f"{row.channel}: {money(row.optimal)} per period is {where} the data ever saw ({money(limit)}), so "
            f"the model is extrapolating there; for a safer plan set a {kind} of {money(limit)}."
        )
    return messages
