"""The optimiser's plan in words: which constraints bind, and where the plan leaves the data's spend levels."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from models.planning.horizon import money

RANGE_SLACK = 0.01  # plans beyond the observed spend range by more than this share get a warning
EQUAL_MROAS = 0.10  # marginal ROAS within 10% of each other are "about equal"
CONCENTRATED = 0.8  # a plan that puts this share of its spend in one channel (of three or more) says so
CUT = 0.5  # a plan that leaves a channel this share of its recent spend or less "cuts" it
UNCERTAIN = 3.0  # a 90% ROAS interval whose upper end is this many times its lower end (the health check's
# identification flag, models.families.bayesian.health.WIDE_RATIO) or reaches 0: the data do not pin it down


def constraint_messages(
    allocation: pd.DataFrame,
    expected: dict,
    min_roas: float | None,
    additive: bool = True,
    quantile=None,
    unit: str = "period",
    first: Mapping[str, float] | None = None,
) -> list[str]:
    """The binding constraints in words, with what an extra 1,000 would add where it matters.

    ``additive``: whether the model's revenue is a sum over channels (else the plan was chosen on the whole
    model and marginal ROAS one channel at a time need not agree); ``quantile``: the plan maximises that
    percentile of revenue, not its mean; ``unit``: what one period is called ("day", "week"); ``first``: by
    channel left without spend, the revenue its first 1,000 would add (channels not in it are not explained).
    """
    first = first or {}
    messages = []
    for row in allocation.itertuples():
        extra = f"each extra 1,000 there would add about {row.mroas * 1000:,.0f}"
        if row.at_bound == "maximum":
            messages.append(f"{row.channel} is at its maximum ({row.optimal:,.0f} per {unit}); {extra}.")
        elif row.at_bound == "locked":
            messages.append(f"{row.channel} is locked at {row.optimal:,.0f} per {unit}; {extra}.")
        elif row.channel in first:
            messages.append(
                f"{row.channel} gets no spend: its first 1,000 would add only about {first[row.channel]:,.0f}."
                if additive
                else f"{row.channel} gets no spend: the model expects more revenue with its budget elsewhere "
                f"(its first 1,000 alone would add about {first[row.channel]:,.0f})."
            )
        elif row.at_bound == "minimum":
            messages.append(
                f"{row.channel} is at its minimum ({row.optimal:,.0f} per {unit}): the optimiser would spend "
                f"less there ({extra})."
            )
    messages += marginal_messages(
        allocation[(allocation.at_bound == "") & (allocation.optimal > 0)], additive, quantile
    )
    if min_roas is not None:  # the optimiser returns only plans that meet it by the full model
        messages.append(
            f"Overall ROAS {expected['roas']:.2f} (at least {min_roas:.2f} asked); "
            f"{expected['spend']:,.0f} of the budget is spent."
        )
    return messages


def marginal_messages(free: pd.DataFrame, additive: bool, quantile) -> list[str]:
    """What the marginal ROAS of the channels free to move say; "about equal" only when it is true."""
    if free.empty:
        return []
    mroas = free.mroas.to_numpy(float)
    names = ", ".join(free.channel)
    if len(free) == 1:
        return [f"{names} takes the rest of the budget; each extra 1,000 there adds about {mroas[0] * 1000:,.0f}."]
    if mroas.max() - mroas.min() <= EQUAL_MROAS * max(abs(mroas).max(), 1e-12):
        return [
            f"At the optimum, each extra 1,000 of budget in {names} adds about {mroas.mean() * 1000:,.0f} "
            "(their marginal ROAS is about equal there)."
        ]
    low, high = free.iloc[int(mroas.argmin())], free.iloc[int(mroas.argmax())]
    spread = f"from {low.mroas:.2f} in {low.channel} to {high.mroas:.2f} in {high.channel}"
    if not additive:
        why = (
            "the model is not additive (a channel's effect depends on the others' spend), so the plan was chosen "
            "on the whole model, and one channel's marginal ROAS at a time need not agree"
        )
    elif quantile is not None:
        why = "the cautious plan weighs the low end of revenue, not its mean, which these marginal ROAS measure"
    else:
        why = "the response curves bend within the step they are measured over (1% more spend)"
    return [f"Marginal ROAS differ between the channels free to move ({spread}): {why}."]


def risk_message(risk: dict) -> str:
    """What the cautious plan gains at the low end of revenue and gives up on average, in words."""
    q = f"{percentile(risk['quantile'])}-percentile revenue"
    gain = risk["revenue_quantile"] - risk["expected_plan_revenue_quantile"]
    if gain <= 1e-9 * max(abs(risk["revenue_quantile"]), 1.0):
        return (
            f"The expected-revenue plan is also the cautious one: no split found raises the {q} "
            f"({money(risk['revenue_quantile'])})."
        )
    cost = risk["expected_revenue_cost"]
    gives_up = (
        f"gives up {money(cost)} of expected revenue"
        if cost > 1e-9 * abs(risk["revenue_quantile"])
        else "gives up no expected revenue"
    )
    return f"The cautious plan raises the {q} by {money(gain)} (to {money(risk['revenue_quantile'])}) and {gives_up}."


def percentile(q: float) -> str:
    """0.1 -> "10th", 0.01 -> "1st", 0.025 -> "2.5th"."""
    value = round(q * 100, 2)
    if value != int(value):
        return f"{value:g}th"
    value = int(value)
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def target_message(target: float, budget: float, periods: int, revenue: float, floor: bool, unit="period") -> str:
    """What :func:`~models.planning.target.minimum_budget` found, in words (``unit``: "day", "week")."""
    horizon = f"{periods} {unit}{'s' * (periods != 1)}"
    if floor and budget <= 0:
        return (
            f"The target revenue of {money(target)} is reached with no media spend over {horizon}: the model "
            f"expects {money(revenue)} without it. Raise the target to plan media spend."
        )
    if floor:
        return (
            f"The target revenue of {money(target)} is reached without spending more than the minimums and locks "
            f"ask ({money(budget)} over {horizon}; expected revenue {money(revenue)})."
        )
    return (
        f"A budget of {money(budget)} over {horizon} is the least that reaches the target revenue of "
        f"{money(target)} (expected revenue {money(revenue)})."
    )


def range_messages(allocation: pd.DataFrame, observed: pd.DataFrame, unit: str = "period") -> list[str]:
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
            f"{row.channel}: {money(row.optimal)} per {unit} is {where} the data ever saw ({money(limit)}), so "
            f"the model is extrapolating there; for a safer plan set a {kind} of {money(limit)}."
        )
    return messages


def concentration_messages(allocation: pd.DataFrame) -> list[str]:
    """A plan that puts most of its spend in one channel (of three or more) rests on that one channel's
    estimated curve: say so, with the way to spread the risk."""
    spend = allocation.set_index("channel")["optimal"].astype(float)
    if len(spend) < 3 or spend.sum() <= 0 or spend.max() < CONCENTRATED * spend.sum():
        return []
    top = spend.idxmax()
    return [
        f"The plan puts {spend[top] / spend.sum():.0%} of its spend in {top}: it rests on this model's curve for "
        f"{top} alone, so check that channel's ROAS interval and checks first, or set a maximum for {top} (or "
        "minimums elsewhere) to spread the risk."
    ]


def mix_message(shortfall: float, breaks_limits: bool) -> str:
    """Why a plan that expects less than the recent average mix at the same spend is the plan (a "lift" below 0)."""
    if breaks_limits:
        return (
            f"The recent average mix at this spend would earn about {money(shortfall)} more, but it breaks the "
            "minimums, maximums or locks you set: the plan keeps them. Loosen them to let the plan beat the mix."
        )
    return (
        f"The recent average mix at this spend would earn about {money(shortfall)} more by this model than the plan "
        "found: keep the recent mix, or try the optimiser again from it (lock the channels you are sure of)."
    )


def uncertain_cut_messages(allocation: pd.DataFrame, roas: pd.DataFrame, unit: str = "period") -> list[str]:
    """Channels the plan cuts to half their recent spend or less although the model cannot pin down their ROAS
    (``roas``: the fit's ROAS table with its 90% ``lower`` and ``upper``): the cut rests on a guess, so say so,
    with the lock that keeps the channel while a test settles it. Locked channels, channels at a maximum the
    user set and models without intervals (both ends equal) are not flagged."""
    if not {"lower", "upper"} <= set(roas.columns):
        return []
    ranges = roas.set_index("channel")
    messages = []
    for row in allocation.itertuples():
        if row.channel not in ranges.index or row.at_bound in ("locked", "maximum"):
            continue
        estimate, low, high = (float(ranges.loc[row.channel, k]) for k in ("roas", "lower", "upper"))
        wide = high > 0 and (low <= 0 or high >= UNCERTAIN * low) and high > low
        if not (row.current > 0 and row.optimal <= CUT * row.current and wide):
            continue
        messages.append(
            f"The plan cuts {row.channel} from {money(row.current)} to {money(row.optimal)} per {unit}, but this "
            f"model cannot pin down {row.channel}'s ROAS ({estimate:.2f}, 90% interval {max(low, 0.0):.2f} to "
            f"{high:.2f}), so the cut rests on a guess: lock {row.channel} at its recent spend to keep it, and "
            "test a cut (a few weeks at lower spend) before making it."
        )
    return messages
