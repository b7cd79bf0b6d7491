"""Budget optimisation for any fitted model (see :mod:`models.planning` for how it works).

:func:`optimize_budget` splits a total budget over the next periods across channels to maximise revenue,
optionally subject to a minimum overall ROAS, within per-channel bounds and locks, and says in words which
constraints bind and where the plan leaves the spend levels the data have seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.interpolate import PchipInterpolator

from models.planning.frontier import ROAS_TOLERANCE, MinRoasFrontier
from models.planning.horizon import Horizon, amount, interval, media_interval, money, whole_number
from models.planning.limits import check_quantile, limits, project
from models.planning.messages import (
    concentration_messages,
    constraint_messages,
    mix_message,
    range_messages,
    risk_message,
)
from models.planning.search import (
    FINE_STEP_SHARES,
    STEP_SHARES,
    DrawCurves,
    quantile_score,
    transfer_search,
)

GRID_POINTS = 41  # spend levels per channel for the optimiser's response curves
MIX_TOLERANCE = 1e-6  # a plan this share of revenue below the recent mix is level with it (floating-point noise)
NEAR_ZERO = np.geomspace(1e-6, 1.0 / (GRID_POINTS - 1), 8)[:-1]  # and below the first (concave curves bend most)
ALLOCATION_COLUMNS = ["channel", "current", "optimal", "lower_bound", "upper_bound", "at_bound", "mroas"]
OBJECTIVES = ("revenue", "min_roas")
SEARCH_STARTS = 2  # non-additive models: the full-model search starts from the best two of the starts


@dataclass
class BudgetPlan:
    """Result of :func:`optimize_budget` and :func:`~models.planning.target.minimum_budget`.

    ``allocation``: channel, current (recent average spend per period), optimal, lower_bound, upper_bound
    (per period; NaN upper bound = none), at_bound ("", "minimum", "maximum" or "locked") and mroas (marginal
    ROAS at the optimum). ``expected``: revenue, incremental_revenue, roas and spend over the horizon for
    the optimal plan; current_* for the recent spend as it is and current_mix_* for the recent mix scaled
    to this budget; lift (revenue over the current mix at this budget); ``_lower``/``_upper`` where the
    model has intervals. ``messages``: the binding constraints in words.

    ``quantile``: the percentile of revenue the plan maximises (None: expected revenue). ``risk`` (with a
    quantile): ``quantile``, ``revenue_quantile`` (this plan's ``quantile``-th percentile of revenue over the
    horizon across the model's draws), ``expected_plan_revenue_quantile`` (the same for the expected-revenue
    plan at this budget) and ``expected_revenue_cost`` (expected revenue given up against that plan, >= 0).
    """

    allocation: pd.DataFrame
    expected: dict
    periods: int
    budget: float
    messages: list[str] = field(default_factory=list)
    quantile: float | None = None
    risk: dict | None = None

    def table(self) -> pd.DataFrame:
        """The allocation with spend over the horizon, for display and export."""
        out = self.allocation.copy()
        out["current_total"] = out["current"] * self.periods
        out["optimal_total"] = out["optimal"] * self.periods
        out["change"] = out["optimal"] - out["current"]
        return out


def optimize_budget(
    fitted, budget, periods, bounds=None, locked=None, objective="revenue", min_roas=None, quantile=None
):
    """Split ``budget`` (the total over the next ``periods`` periods) across channels to maximise revenue.

    ``bounds`` maps channel -> (min, max) spend per period, either may be None (no bound); ``locked`` maps
    channel -> spend per period, kept as it is. ``objective`` "revenue" spends the whole budget; with
    ``min_roas`` (or objective "min_roas") the overall ROAS (incremental revenue / spend) must reach
    ``min_roas``, and less than the budget may be spent. ``quantile`` q in (0, 0.5] maximises the q-th
    percentile of revenue over the horizon across the model's draws instead of its mean (a cautious plan;
    the model needs intervals), starting from the expected-revenue plan, so its q-th percentile is never
    lower than that plan's; with ``min_roas`` the cautious plan keeps the same spend and still meets it.
    Raises ValueError with a message a user can act on when the request cannot be met.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"Unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}.")
    if objective == "min_roas" and min_roas is None:
        raise ValueError("Give the minimum overall ROAS to reach.")
    if min_roas is not None:
        min_roas = amount(min_roas, "The minimum ROAS")
    quantile = check_quantile(quantile, fitted)
    periods = whole_number(periods, "The horizon")
    budget = amount(budget, "The budget")
    horizon = Horizon(fitted, periods)
    problem = Problem(horizon, budget / periods, bounds, locked)
    x = problem.solve(min_roas)
    if quantile is None:
        return problem.report(x, budget, min_roas)
    return problem.report(problem.cautious(x, quantile, min_roas), budget, min_roas, quantile=quantile, baseline=x)


class Problem(MinRoasFrontier):
    """Bounds, locks and the per-channel response curves of one optimisation."""

    def __init__(self, horizon: Horizon, per_period: float, bounds, locked):
        self.h, self.total = horizon, per_period
        self.lo, self.hi, self.locked = limits(horizon.channels, bounds, locked)
        self._check_feasible()
        self.free = np.flatnonzero(~self.locked)
        self.curves = self._curves()
        self.slopes = {c: curve.derivative() for c, curve in self.curves.items()}
        # the locked channels' revenue does not change with the plan; it still counts towards the overall ROAS
        self.locked_gain = (
            float(self.h.incremental(np.where(self.locked, self.lo, 0.0)).mean()) if self.locked.any() else 0.0
        )

    def _check_feasible(self) -> None:
        names = self.h.channels
        floor = self.lo.sum()
        if floor > self.total * (1 + 1e-9):
            held = [f"{names[c]} {money(self.lo[c])}" for c in np.flatnonzero(self.lo > 0)]
            raise ValueError(
                f"The budget is {money(self.total)} per {self.h.unit}, but the locked spend and minimums add up "
                f"to {money(floor)} per {self.h.unit} ({', '.join(held)}). Raise the budget to at least "
                f"{money(floor * self.h.periods)} or lower the minimums/locks."
            )
        ceiling = self.hi.sum()
        if np.isfinite(ceiling) and ceiling < self.total * (1 - 1e-9):
            raise ValueError(
                f"The budget is {money(self.total)} per {self.h.unit}, but the maximums and locks allow only "
                f"{money(ceiling)} per {self.h.unit}. Lower the budget to {money(ceiling * self.h.periods)} or raise "
                "some maximums."
            )

    def _curves(self) -> dict[int, PchipInterpolator]:
        """Posterior-mean incremental revenue over the horizon against the channel's spend, per free channel."""
        grids, plans = {}, []
        for c in self.free:
            top = min(self.hi[c], self.total - (self.lo.sum() - self.lo[c]))
            grids[c] = np.unique(np.r_[np.linspace(0.0, 1.0, GRID_POINTS), NEAR_ZERO] * max(top, 1e-9))
            grids[c] = np.unique(np.r_[grids[c], self.lo[c]])
            scenarios = np.tile(self.h.current, (len(grids[c]), 1))
            scenarios[:, c] = grids[c]
            plans.append(scenarios)
        if not plans:
            return {}
        means = self.h.means_many(np.vstack(plans))
        curves, first = {}, 0
        for c in self.free:
            values = means[first : first + len(grids[c])]
            first += len(grids[c])
            values = np.maximum.accumulate(values - values[0])  # never decreasing
            curves[c] = PchipInterpolator(grids[c], values, extrapolate=True)
        return curves

    # -- the smooth problem in the free channels
    def revenue(self, y: np.ndarray) -> float:
        return float(sum(self.curves[c](v) for c, v in zip(self.free, y)))

    def gradient(self, y: np.ndarray) -> np.ndarray:
        return np.array([self.slopes[c](v) for c, v in zip(self.free, y)], dtype=float)

    def solve(self, min_roas: float | None) -> np.ndarray:
        """The optimal spend per period: the whole budget, or with ``min_roas`` the best feasible point."""
        x = self.lo.copy()
        free_total = self.total - self.lo[self.locked].sum()
        if len(self.free) == 0 or free_total <= 0:
            if min_roas is not None:
                self._check_roas_met(x, min_roas)
            return x
        lo, hi = self.lo[self.free], np.minimum(self.hi[self.free], free_total)
        if min_roas is None:
            x[self.free] = self.best_at(free_total, lo, hi)
            starts = self._best_starts([x, *(self._full(z) for z in self._starts(lo, hi, free_total))])
        else:
            x = self._solve_min_roas(x, lo, hi, free_total, min_roas)
            starts = [x]
        if not self.h.additive:  # the curves are one channel at a time: improve the plan on the whole model
            x, _ = transfer_search(self._means, starts, self.lo, self.hi, self.free, feasible=self._meets(min_roas))
        return self.snap(x)

    def _best_starts(self, starts: list[np.ndarray]) -> list[np.ndarray]:
        """The :data:`SEARCH_STARTS` plans with the most expected revenue by the full model (non-additive models)."""
        if self.h.additive:
            return starts[:1]
        means = self.h.means_many(np.array(starts))
        return [starts[i] for i in np.argsort(-means, kind="stable")[:SEARCH_STARTS]]

    def _means(self, plans: np.ndarray) -> np.ndarray:
        """Expected revenue over the horizon per plan as one draw, ``(plans, 1)``, for the search."""
        return self.h.means_many(plans)[:, None]

    def cautious(self, expected_plan: np.ndarray, quantile: float, min_roas: float | None) -> np.ndarray:
        """The plan with the highest ``quantile``-th percentile of revenue found from the expected-revenue plan,
        with the same spend, bounds, locks and minimum ROAS.

        Additive models are searched on per-draw response curves (:class:`DrawCurves`), the others on the
        model itself; either way the plan is judged on the full model at the end and the expected-revenue plan
        is kept unless the cautious one has the higher percentile.
        """
        if len(self.free) < 2 or expected_plan[self.free].sum() <= 0:
            return expected_plan
        additive = self.h.additive
        evaluate = DrawCurves(self.h, expected_plan, self.hi, self.free) if additive else self.h.totals_many
        score = quantile_score(quantile)
        shares = FINE_STEP_SHARES if additive else STEP_SHARES
        x, _ = transfer_search(
            evaluate, [expected_plan], self.lo, self.hi, self.free, score, self._meets(min_roas), shares
        )
        x = self.snap(x)
        both = self.h.totals_many(np.vstack([x, expected_plan]))
        keep = score(both)[0] > score(both)[1] and (min_roas is None or self._meets(min_roas)(x[None], both[:1])[0])
        return x if keep else expected_plan

    def _meets(self, min_roas: float | None):
        """The full model's test of a minimum overall ROAS, for the search (None: no minimum)."""
        if min_roas is None:
            return None
        zero = self.h.zero.mean()

        def meets(plans: np.ndarray, totals: np.ndarray) -> np.ndarray:
            spent = plans.sum(axis=1) * self.h.periods
            return (spent > 0) & (totals.mean(axis=1) - zero >= min_roas * (1 - ROAS_TOLERANCE) * spent)

        return meets

    def snap(self, x: np.ndarray) -> np.ndarray:
        """``x`` with entries the solver left within rounding of a bound put on it: bounds hold exactly."""
        x = x.copy()
        slack = 1e-6 * x.sum()  # of the plan's own spend: a plan spending very little keeps it
        for c in range(len(x)):
            if abs(x[c] - self.lo[c]) <= slack:
                x[c] = self.lo[c]
            elif np.isfinite(self.hi[c]) and abs(x[c] - self.hi[c]) <= slack:
                x[c] = self.hi[c]
        return x

    def _starts(self, lo, hi, total) -> list[np.ndarray]:
        """Today's mix, an even split and the maximums, each scaled to ``total`` over the free channels."""
        current = self.h.current[self.free]
        starts = [current if current.sum() > 0 else np.ones_like(lo), np.ones_like(lo)]
        finite = np.where(np.isfinite(hi), hi, total)
        starts.append(finite)
        return [project(s * total / max(s.sum(), 1e-12), lo, hi, total) for s in starts]

    def _full(self, z: np.ndarray) -> np.ndarray:
        """A plan over all channels from spend ``z`` of the free ones (the others at their locks)."""
        x = self.lo.copy()
        x[self.free] = z
        return x

    # -- the report
    def report(self, x, budget, min_roas, quantile=None, baseline=None, idle=True) -> BudgetPlan:
        """The plan ``x`` as a :class:`BudgetPlan`; with ``quantile``, its risk against ``baseline`` (the
        expected-revenue plan at the same budget); ``idle``: say why channels left without spend get none
        (not when a revenue target is met without any)."""
        h = self.h
        x = self.snap(x)
        mroas = h.marginal_roas(x)
        at = []
        for c in range(len(x)):
            if self.locked[c]:
                at.append("locked")
            elif np.isfinite(self.hi[c]) and x[c] >= self.hi[c]:
                at.append("maximum")
            elif x[c] <= self.lo[c] and (self.lo[c] > 0 or mroas[c] > 0):
                at.append("minimum")
            else:
                at.append("")
        allocation = pd.DataFrame(
            {
                "channel": h.channels,
                "current": h.current,
                "optimal": x,
                "lower_bound": self.lo,
                "upper_bound": np.where(np.isfinite(self.hi), self.hi, np.nan),
                "at_bound": at,
                "mroas": mroas,
            }
        )[ALLOCATION_COLUMNS]
        expected = self._expected(x)
        # every channel left at no spend it could have had (a tree's flat curve too: its at_bound is "")
        zero = (allocation.optimal <= 0) & (allocation.lower_bound == 0) & allocation.at_bound.isin(["minimum", ""])
        idle = allocation.index[zero] if idle else []
        first = dict(zip(allocation.channel[idle], h.first_gains(x)[idle])) if len(idle) else {}
        messages = constraint_messages(
            allocation, expected, min_roas, additive=h.additive, quantile=quantile, unit=h.unit, first=first
        )
        risk = None if quantile is None else self._risk(x, baseline, quantile)
        if risk is not None:
            messages.append(risk_message(risk))
        messages += range_messages(allocation, h.spend_range, h.unit) + concentration_messages(allocation)
        below = expected["lift"] < -MIX_TOLERANCE * abs(expected["revenue"])  # not a rounding's worth below it
        if below and quantile is None:  # the recent mix would do better: say why the plan is kept
            messages.append(mix_message(-expected["lift"], self._breaks_limits(self._mix(x))))
        return BudgetPlan(allocation, expected, h.periods, budget, messages, quantile=quantile, risk=risk)

    def _risk(self, x: np.ndarray, baseline: np.ndarray, quantile: float) -> dict:
        """The cautious plan's percentile of revenue against the expected-revenue plan's, and what it costs."""
        draws = self.h.totals_many(np.vstack([x, baseline]))
        low = np.quantile(draws, quantile, axis=1)
        return {
            "quantile": quantile,
            "revenue_quantile": float(low[0]),
            "expected_plan_revenue_quantile": float(low[1]),
            "expected_revenue_cost": float(max(draws[1].mean() - draws[0].mean(), 0.0)),
        }

    def _mix(self, x: np.ndarray) -> np.ndarray:
        """The recent average mix scaled to the plan's spend (an even split when nothing was spent recently)."""
        h = self.h
        return h.current * (x.sum() / h.current.sum()) if h.current.sum() > 0 else np.full_like(x, x.sum() / len(x))

    def _breaks_limits(self, spend: np.ndarray) -> bool:
        """Whether ``spend`` (per period) leaves a minimum, maximum or lock of this problem."""
        slack = 1e-9 * max(float(np.abs(spend).max()), 1.0)
        return bool(np.any(spend < self.lo - slack) or np.any(spend > self.hi + slack))

    def _expected(self, x: np.ndarray) -> dict:
        h = self.h
        optimal, current, mix = h.totals(x), h.totals(h.current), self._mix(x)
        mixed = h.totals(mix)
        out = {}
        for name, totals, spend in (("", optimal, x), ("current_", current, h.current), ("current_mix_", mixed, mix)):
            spent = float(spend.sum() * h.periods)
            gain = totals - h.zero
            out[f"{name}revenue"] = float(totals.mean())
            out[f"{name}incremental_revenue"] = float(gain.mean())
            out[f"{name}roas"] = float(gain.mean() / spent) if spent > 0 else float("nan")
            out[f"{name}spend"] = spent
            if h.fitted.has_intervals:
                out[f"{name}revenue_lower"], out[f"{name}revenue_upper"] = interval(h.noisy_totals(totals))
                out[f"{name}incremental_revenue_lower"], out[f"{name}incremental_revenue_upper"] = media_interval(gain)
                if spent > 0:
                    out[f"{name}roas_lower"], out[f"{name}roas_upper"] = media_interval(gain / spent)
        out["lift"] = float((optimal - mixed).mean())
        if h.fitted.has_intervals:
            out["lift_lower"], out["lift_upper"] = interval(optimal - mixed)
        return out
