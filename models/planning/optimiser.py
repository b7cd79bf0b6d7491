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
from scipy.optimize import minimize, minimize_scalar

from models.planning.horizon import Horizon, amount, interval, money, whole_number
from models.planning.limits import check_quantile, limits, project
from models.planning.messages import constraint_messages, range_messages, risk_message
from models.planning.search import (
    FINE_STEP_SHARES,
    STEP_SHARES,
    DrawCurves,
    grid_split,
    quantile_score,
    transfer_search,
)

GRID_POINTS = 41  # spend levels per channel for the optimiser's response curves
NEAR_ZERO = np.geomspace(1e-6, 1.0 / (GRID_POINTS - 1), 8)[:-1]  # and below the first (concave curves bend most)
ALLOCATION_COLUMNS = ["channel", "current", "optimal", "lower_bound", "upper_bound", "at_bound", "mroas"]
OBJECTIVES = ("revenue", "min_roas")
FRONTIER_LEVELS = 12  # evenly spaced spend levels from the minimums to the budget (minimum-ROAS plans)
FRONTIER_SMALL = np.geomspace(1e-3, 0.05, 6)  # and small shares of it, where high targets are reachable
TINY_SHARES = np.geomspace(1e-9, 1e-3, 7)  # each channel alone at these shares of the free budget (concave
# curves have their best ROAS as spend goes to 0)
BISECTIONS = 12  # refinements of the most spend that still reaches the minimum ROAS
ROAS_TOLERANCE = 1e-3  # a plan within 0.1% of the minimum ROAS meets it (rounding)
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


class Problem:
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
                f"The budget is {money(self.total)} per period, but the locked spend and minimums add up to "
                f"{money(floor)} per period ({', '.join(held)}). Raise the budget to at least "
                f"{money(floor * self.h.periods)} or lower the minimums/locks."
            )
        ceiling = self.hi.sum()
        if np.isfinite(ceiling) and ceiling < self.total * (1 - 1e-9):
            raise ValueError(
                f"The budget is {money(self.total)} per period, but the maximums and locks allow only "
                f"{money(ceiling)} per period. Lower the budget to {money(ceiling * self.h.periods)} or raise "
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

    def best_at(self, spend: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The most revenue for exactly ``spend`` per period over the free channels (SLSQP, several starts: the
        best split on a grid first, so S-shaped curves' local optima do not trap it)."""
        scale = max(spend, 1e-9)
        box = list(zip(lo / scale, hi / scale))
        constraint = {"type": "eq", "fun": lambda z: z.sum() - spend / scale, "jac": lambda z: np.ones_like(z)}
        best, best_value = None, -np.inf
        grid = grid_split([self.curves[c] for c in self.free], lo, hi, spend)
        for start in [project(grid, lo, hi, spend), *self._starts(lo, hi, spend)]:
            result = minimize(
                lambda z: -self.revenue(z * scale) / scale,
                start / scale,
                jac=lambda z: -self.gradient(z * scale),
                bounds=box,
                constraints=[constraint],
                method="SLSQP",
                options={"maxiter": 200, "ftol": 1e-10},
            )
            z = project(np.clip(result.x * scale, lo, hi), lo, hi, spend)
            value = self.revenue(z)
            if value > best_value:
                best, best_value = z, value
        return best

    def _solve_min_roas(self, x, lo, hi, free_total, min_roas) -> np.ndarray:
        """Feasibility first, on the spend/revenue frontier.

        The most revenue for a given spend never falls as spend grows, so the best plan with an overall ROAS
        of at least ``min_roas`` is the frontier point with the most spend that still reaches it. The
        frontier is traced at spend levels from the minimums to the budget (linear and geometric, so targets
        reachable only with little spend are found), plus each channel alone near its best ROAS and at tiny
        shares of the budget; the last feasible level is refined by bisection, and when no level is feasible
        the spend with the best ROAS is searched for between the levels around the best one. Every candidate
        is then judged with the full model (not the per-channel curves), so the plan returned meets the
        minimum by the model's own prediction whenever any candidate does, and "the best this model expects"
        is the best ROAS over all of them.
        """
        floor = lo.sum()
        span = max(free_total - floor, 0.0)
        levels = np.unique(np.r_[floor + span * np.linspace(0, 1, FRONTIER_LEVELS), floor + span * FRONTIER_SMALL])
        levels = levels[levels > 0]
        candidates = [self.best_at(level, lo, hi) for level in levels]
        gaps = [self._approximate_gap(z, min_roas) for z in candidates]
        if span > 0 and len(candidates) and max(gaps) < 0:  # none meets it: look closely at the best ROAS
            peak = self._roas_peak(levels, candidates, lo, hi, floor, span)
            candidates.insert(int(np.searchsorted(levels, peak.sum())), peak)
            gaps = [self._approximate_gap(z, min_roas) for z in candidates]
        feasible = [i for i, gap in enumerate(gaps) if gap >= 0]
        if feasible and feasible[-1] + 1 < len(candidates):  # refine between the last feasible level and the next
            low, high = candidates[feasible[-1]].sum(), candidates[feasible[-1] + 1].sum()
            for _ in range(BISECTIONS):
                middle = (low + high) / 2
                z = self.best_at(middle, lo, hi)
                if self._approximate_gap(z, min_roas) >= 0:
                    candidates.append(z)
                    low = middle
                else:
                    high = middle
        for i in range(len(lo)):  # each channel alone, near its best ROAS and at tiny spend
            for level in np.r_[self._best_roas_levels(self.free[i]), span * TINY_SHARES]:
                z = lo.copy()
                z[i] = min(max(level, lo[i]), hi[i])
                candidates.append(z)
        return self._pick(x, np.array(candidates), min_roas)

    def _roas_peak(self, levels, candidates, lo, hi, floor, span) -> np.ndarray:
        """The frontier plan with the best overall ROAS by the curves: a bounded scalar search on the spend above
        the minimums (in logs), between the levels next to the best one."""
        k = int(np.argmax([self._approximate_roas(z) for z in candidates]))
        tiny = span * TINY_SHARES[0]
        left = np.log(max(levels[k - 1] - floor, tiny) if k > 0 else tiny)
        right = np.log(max(levels[min(k + 1, len(levels) - 1)] - floor, tiny))
        best = minimize_scalar(
            lambda log_extra: -self._approximate_roas(self.best_at(floor + np.exp(log_extra), lo, hi)),
            bounds=(left, right),
            method="bounded",
            options={"xatol": 1e-3},
        )
        return self.best_at(floor + np.exp(best.x), lo, hi)

    def _approximate_roas(self, z: np.ndarray) -> float:
        """Overall ROAS by the per-channel curves (locked channels included)."""
        spent = (z.sum() + self.lo[self.locked].sum()) * self.h.periods
        return self._approximate_gap(z, 0.0) / spent if spent > 0 else -np.inf

    def _best_roas_levels(self, c: int) -> np.ndarray:
        """Spend levels around the grid point where channel ``c``'s curve has its best ROAS (S-shaped curves
        peak inside; concave ones at the first point, where :data:`TINY_SHARES` take over)."""
        grid = self.curves[c].x
        if len(grid) < 2:
            return grid
        k = 1 + int(np.argmax(self.curves[c](grid[1:]) / grid[1:]))
        return np.linspace(grid[k - 1], grid[min(k + 1, len(grid) - 1)], 9)[1:]

    def _pick(self, x, candidates: np.ndarray, min_roas: float) -> np.ndarray:
        """The candidate with the most revenue whose full-model ROAS meets the minimum; else ValueError in words
        with the best ROAS any candidate reaches (for tree models the per-channel curves may promise more than
        the full model gives: the full model decides)."""
        plans = np.tile(x, (len(candidates), 1))
        plans[:, self.free] = candidates
        spent = plans.sum(axis=1) * self.h.periods
        gain = self.h.means_many(plans) - self.h.zero.mean()
        with np.errstate(divide="ignore", invalid="ignore"):
            roas = np.where(spent > 0, gain / np.where(spent > 0, spent, 1.0), -np.inf)
        meets = roas >= min_roas * (1 - ROAS_TOLERANCE)
        if meets.any():
            return plans[np.flatnonzero(meets)[np.argmax(gain[meets])]]
        best = int(np.argmax(roas))
        alone = np.count_nonzero(plans[best] > 0) == 1
        where = (
            f"spending {money(plans[best].max())} per period on {self.h.channels[int(np.argmax(plans[best]))]} only"
            if alone
            else f"spending {money(plans[best].sum())} per period"
        )
        raise ValueError(
            f"No allocation reaches an overall ROAS of {min_roas:.2f}: the best this model expects is about "
            f"{max(roas[best], 0.0):.2f} ({where}). Lower the minimum ROAS, or lower the minimums and locks."
        )

    def _approximate_gap(self, z: np.ndarray, min_roas: float) -> float:
        """Revenue above what the minimum ROAS asks, by the per-channel curves (locked channels included)."""
        spent = (z.sum() + self.lo[self.locked].sum()) * self.h.periods
        if spent <= 0:
            return -np.inf
        return self.locked_gain + self.revenue(z) - min_roas * spent

    def _check_roas_met(self, x: np.ndarray, min_roas: float) -> None:
        """With nothing free to move, the locks and minimums either meet the minimum ROAS or not."""
        self._pick(x, np.zeros((1, len(self.free))), min_roas)

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
    def report(self, x, budget, min_roas, quantile=None, baseline=None) -> BudgetPlan:
        """The plan ``x`` as a :class:`BudgetPlan`; with ``quantile``, its risk against ``baseline`` (the
        expected-revenue plan at the same budget)."""
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
        messages = constraint_messages(allocation, expected, min_roas, additive=h.additive, quantile=quantile)
        risk = None if quantile is None else self._risk(x, baseline, quantile)
        if risk is not None:
            messages.append(risk_message(risk))
        messages += range_messages(allocation, h.spend_range)
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

    def _expected(self, x: np.ndarray) -> dict:
        h = self.h
        optimal, current = h.totals(x), h.totals(h.current)
        mix = h.current * (x.sum() / h.current.sum()) if h.current.sum() > 0 else np.full_like(x, x.sum() / len(x))
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
                out[f"{name}incremental_revenue_lower"], out[f"{name}incremental_revenue_upper"] = interval(gain)
                if spent > 0:
                    out[f"{name}roas_lower"], out[f"{name}roas_upper"] = interval(gain / spent)
        out["lift"] = float((optimal - mixed).mean())
        if h.fitted.has_intervals:
            out["lift_lower"], out["lift_upper"] = interval(optimal - mixed)
        return out
