"""Spend for a target: the least budget whose optimised plan reaches a revenue target.

:func:`minimum_budget` asks the optimiser (:func:`~models.planning.optimiser.optimize_budget`'s solver,
on one :class:`Horizon`) for its best plan at a series of budgets and returns the smallest budget whose
plan's expected revenue over the horizon reaches the target, as the same :class:`BudgetPlan`.
"""

from __future__ import annotations

import numpy as np

from models.planning.horizon import Horizon, amount, money, whole_number
from models.planning.limits import limits
from models.planning.messages import target_message
from models.planning.optimiser import BudgetPlan, Problem

SCAN = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0)  # budgets tried, x the recent spend
CAP = 20.0  # without maximums on every channel, budgets up to 20x the recent spend are considered
TOLERANCE = 0.002  # the budget found is within 0.2% of the least that reaches the target
TREE_TOLERANCE = 0.01  # 1% for models that are not additive (each budget's plan is a search on the model, and
# their best revenue is a step function of the budget)
MAX_STEPS = 40  # of the narrowing (each at least a tenth of the bracket: far fewer are needed)


def minimum_budget(fitted, target_revenue, periods, bounds=None, locked=None) -> BudgetPlan:
    """The smallest budget over the next ``periods`` periods whose optimised plan reaches ``target_revenue``.

    Parameters
    ----------
    fitted : PlannableModel
        Any fitted model.
    target_revenue : float
        Total expected revenue over the horizon to reach (``plan.expected["revenue"]``: baseline and
        carry-over included, as :func:`optimize_budget` reports it), in currency.
    periods : int
        The horizon, in periods after the data.
    bounds, locked : dict, optional
        Per-channel (min, max) spend per period and locked spend per period, as for :func:`optimize_budget`.

    Returns
    -------
    BudgetPlan
        The optimiser's plan at that budget (``plan.budget``), with a message that gives the budget and the
        target. Budgets from the locked and minimum spend up to the sum of the maximums (or, where a channel
        has none, :data:`CAP` times the recent spend) are considered: a scan up or down from the recent
        spend over multiples of it (:data:`SCAN`) brackets the least budget whose best plan reaches the
        target, and regula falsi narrows the bracket to within :data:`TOLERANCE` (:data:`TREE_TOLERANCE` for
        models that are not additive). With a tree model the best revenue need not rise with every budget;
        the budget found reaches the target and a budget tried at most that share below it did not.

    Raises
    ------
    ValueError
        In words, when no budget up to the cap reaches the target (with the most revenue any reaches).
    """
    target = amount(target_revenue, "The target revenue")
    periods = whole_number(periods, "The horizon")
    horizon = Horizon(fitted, periods)
    lo, hi, _ = limits(horizon.channels, bounds, locked)
    floor, ceiling = lo.sum(), hi.sum()
    reference = _reference_spend(horizon)
    cap = ceiling if np.isfinite(ceiling) else max(CAP * reference, floor)
    levels = np.unique(np.r_[floor, np.clip(reference * np.array(SCAN), floor, cap), cap])
    best = _Best(horizon, bounds, locked, target)
    below, above = _bracket(best, levels, int(np.argmin(abs(levels - np.clip(reference, floor, cap)))))
    if above is None:
        most, where = max((found[2], level) for level, found in best.seen.items())
        limit = "the sum of the maximums" if np.isfinite(ceiling) else f"{CAP:g} times the recent spend"
        advice = "Lower the target, or raise some maximums." if np.isfinite(ceiling) else "Lower the target."
        over = f"{periods} {horizon.unit}{'s' * (periods != 1)}"
        raise ValueError(
            f"No budget up to {money(cap * periods)} ({limit}) reaches a revenue of {money(target)} over {over}: "
            f"the most this model expects is about {money(most)} (with a budget of {money(where * periods)}). "
            f"{advice}"
        )
    tolerance = TOLERANCE if horizon.additive else TREE_TOLERANCE
    high = above if below is None else _narrow(best, below, above, tolerance)
    problem, x, revenue = best(high)
    plan = problem.report(x, high * periods, None, idle=below is not None)  # met at the floor: nothing to explain
    plan.messages.insert(0, target_message(target, high * periods, periods, revenue, below is None, horizon.unit))
    return plan


class _Best:
    """The optimiser's plan at a budget per period and its expected revenue over the horizon, remembered."""

    def __init__(self, horizon: Horizon, bounds, locked, target: float):
        self.horizon, self.bounds, self.locked, self.target = horizon, bounds, locked, target
        self.seen: dict[float, tuple[Problem, np.ndarray, float]] = {}

    def __call__(self, per_period: float) -> tuple[Problem, np.ndarray, float]:
        if per_period not in self.seen:
            problem = Problem(self.horizon, per_period, self.bounds, self.locked)
            x = problem.solve(None)
            self.seen[per_period] = (problem, x, float(self.horizon.totals(x).mean()))
        return self.seen[per_period]

    def gap(self, per_period: float) -> float:
        """Expected revenue at this budget above the target (>= 0: the target is reached)."""
        return self(per_period)[2] - self.target


def _bracket(best: _Best, levels: np.ndarray, start: int) -> tuple[float | None, float | None]:
    """Neighbouring levels (one that misses the target, the next that reaches it), scanning from ``start``.

    ``(None, floor)`` when the lowest level already reaches it; ``(last, None)`` when no level does.
    """
    if best.gap(levels[start]) >= 0:
        for i in range(start - 1, -1, -1):
            if best.gap(levels[i]) < 0:
                return float(levels[i]), float(levels[i + 1])
        return None, float(levels[0])
    for i in range(start + 1, len(levels)):
        if best.gap(levels[i]) >= 0:
            return float(levels[i - 1]), float(levels[i])
    return float(levels[-1]), None


def _narrow(best: _Best, below: float, above: float, tolerance: float) -> float:
    """The least budget in (below, above] that reaches the target, to within ``tolerance`` (a share of it).

    Regula falsi with the Illinois rule on the revenue gap (a few evaluations for smooth revenue curves),
    each step kept at least a tenth of the bracket from its ends, and after each budget that reaches the
    target a probe ``tolerance`` below it, which ends the search once the bracket is that narrow.
    """
    low_gap, high_gap, side = best.gap(below), best.gap(above), 0
    for _ in range(MAX_STEPS):
        if above - below <= tolerance * above:
            break
        span = above - below
        guess = below - low_gap * span / (high_gap - low_gap) if high_gap > low_gap else below + span / 2
        guess = min(max(guess, below + 0.1 * span), above - 0.1 * span)
        if best.gap(guess) >= 0:
            above, high_gap = guess, best.gap(guess)
            low_gap, side = (low_gap / 2 if side > 0 else low_gap), 1
            probe = above * (1 - 0.999 * tolerance)
            if probe > below:
                if best.gap(probe) >= 0:
                    above, high_gap = probe, best.gap(probe)
                else:
                    below, low_gap = probe, best.gap(probe)
        else:
            below, low_gap = guess, best.gap(guess)
            high_gap, side = (high_gap / 2 if side < 0 else high_gap), -1
    return above


def _reference_spend(horizon: Horizon) -> float:
    """The recent spend per period over all channels (else the data's average; else 1), to scale budgets by."""
    for spend in (horizon.current.sum(), horizon.spend_range["mean"].sum()):
        if spend > 0:
            return float(spend)
    return 1.0
