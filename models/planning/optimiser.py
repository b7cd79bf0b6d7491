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
from scipy.optimize import minimize

from models.planning.horizon import Horizon, amount, interval, money, whole_number
from models.planning.messages import constraint_messages, range_messages

GRID_POINTS = 41  # spend levels per channel for the optimiser's response curves
ALLOCATION_COLUMNS = ["channel", "current", "optimal", "lower_bound", "upper_bound", "at_bound", "mroas"]
OBJECTIVES = ("revenue", "min_roas")
FRONTIER_LEVELS = 12  # evenly spaced spend levels from the minimums to the budget (minimum-ROAS plans)
FRONTIER_SMALL = np.geomspace(1e-3, 0.05, 6)  # and small shares of it, where high targets are reachable
BISECTIONS = 12  # refinements of the most spend that still reaches the minimum ROAS
ROAS_TOLERANCE = 1e-3  # a plan within 0.1% of the minimum ROAS meets it (rounding)


@dataclass
class BudgetPlan:
    """Result of :func:`optimize_budget`.

    ``allocation``: channel, current (recent average spend per period), optimal, lower_bound, upper_bound
    (per period; NaN upper bound = none), at_bound ("", "minimum", "maximum" or "locked") and mroas (marginal
    ROAS at the optimum). ``expected``: revenue, incremental_revenue, roas and spend over the horizon for
    the optimal plan; current_* for the recent spend as it is and current_mix_* for the recent mix scaled
    to this budget; lift (revenue over the current mix at this budget); ``_lower``/``_upper`` where the
    model has intervals. ``messages``: the binding constraints in words.
    """

    allocation: pd.DataFrame
    expected: dict
    periods: int
    budget: float
    messages: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """The allocation with spend over the horizon, for display and export."""
        out = self.allocation.copy()
        out["current_total"] = out["current"] * self.periods
        out["optimal_total"] = out["optimal"] * self.periods
        out["change"] = out["optimal"] - out["current"]
        return out


def optimize_budget(fitted, budget, periods, bounds=None, locked=None, objective="revenue", min_roas=None):
    """Split ``budget`` (the total over the next ``periods`` periods) across channels to maximise revenue.

    ``bounds`` maps channel -> (min, max) spend per period, either may be None (no bound); ``locked`` maps
    channel -> spend per period, kept as it is. ``objective`` "revenue" spends the whole budget; with
    ``min_roas`` (or objective "min_roas") the overall ROAS (incremental revenue / spend) must reach
    ``min_roas``, and less than the budget may be spent. Raises ValueError with a message a user can act
    on when the request cannot be met.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"Unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}.")
    if objective == "min_roas" and min_roas is None:
        raise ValueError("Give the minimum overall ROAS to reach.")
    if min_roas is not None:
        min_roas = amount(min_roas, "The minimum ROAS")
    periods = whole_number(periods, "The horizon")
    budget = amount(budget, "The budget")
    horizon = Horizon(fitted, periods)
    problem = _Problem(horizon, budget / periods, bounds, locked)
    x = problem.solve(min_roas)
    return problem.report(x, budget, min_roas)


class _Problem:
    """Bounds, locks and the per-channel response curves of one optimisation."""

    def __init__(self, horizon: Horizon, per_period: float, bounds, locked):
        self.h, self.total = horizon, per_period
        channels = horizon.channels
        n = len(channels)
        self.lo, self.hi = np.zeros(n), np.full(n, np.inf)
        self.locked = np.zeros(n, dtype=bool)
        for channel in sorted(set(bounds or {}) | set(locked or {})):
            if channel not in channels:
                raise ValueError(f"Unknown channel {channel!r}; the model's channels are {', '.join(channels)}.")
        for channel, pair in (bounds or {}).items():
            c = channels.index(channel)
            low, high = (None, None) if pair is None else pair
            self.lo[c] = 0.0 if low is None else amount(low, f"The minimum for {channel}")
            self.hi[c] = (
                np.inf
                if high is None or (isinstance(high, float) and np.isnan(high))
                else amount(high, f"The maximum for {channel}")
            )
            if self.lo[c] > self.hi[c]:
                raise ValueError(
                    f"{channel}: the minimum ({money(self.lo[c])}) is above the maximum ({money(self.hi[c])})."
                )
        for channel, value in (locked or {}).items():
            c = channels.index(channel)
            value = amount(value, f"The locked spend for {channel}")
            self.lo[c] = self.hi[c] = value
            self.locked[c] = True
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
            grids[c] = np.unique(np.r_[np.linspace(0.0, max(top, 1e-9), GRID_POINTS), self.lo[c]])
            scenarios = np.tile(self.h.current, (len(grids[c]), 1))
            scenarios[:, c] = grids[c]
            plans.append(scenarios)
        if not plans:
            return {}
        means = self.h.totals_many(np.vstack(plans)).mean(axis=1)
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
            return x
        return self._solve_min_roas(x, lo, hi, free_total, min_roas)

    def best_at(self, spend: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The most revenue for exactly ``spend`` per period over the free channels (SLSQP, several starts)."""
        scale = max(spend, 1e-9)
        box = list(zip(lo / scale, hi / scale))
        constraint = {"type": "eq", "fun": lambda z: z.sum() - spend / scale, "jac": lambda z: np.ones_like(z)}
        best, best_value = None, -np.inf
        for start in self._starts(lo, hi, spend):
            result = minimize(
                lambda z: -self.revenue(z * scale) / scale,
                start / scale,
                jac=lambda z: -self.gradient(z * scale),
                bounds=box,
                constraints=[constraint],
                method="SLSQP",
                options={"maxiter": 200, "ftol": 1e-10},
            )
            z = _project(np.clip(result.x * scale, lo, hi), lo, hi, spend)
            value = self.revenue(z)
            if value > best_value:
                best, best_value = z, value
        return best

    def _solve_min_roas(self, x, lo, hi, free_total, min_roas) -> np.ndarray:
        """Feasibility first, on the spend/revenue frontier.

        The most revenue for a given spend never falls as spend grows, so the best plan with an overall ROAS
        of at least ``min_roas`` is the frontier point with the most spend that still reaches it. The
        frontier is traced at spend levels from the minimums to the budget (linear and geometric, so targets
        reachable only with little spend are found), plus each channel alone at its best ROAS; the last
        feasible level is refined by bisection. Every candidate is then judged with the full model (not the
        per-channel curves), so the plan returned meets the minimum by the model's own prediction whenever
        any candidate does, and "the best this model expects" is the best ROAS over all of them.
        """
        floor = lo.sum()
        span = max(free_total - floor, 0.0)
        levels = np.unique(np.r_[floor + span * np.linspace(0, 1, FRONTIER_LEVELS), floor + span * FRONTIER_SMALL])
        candidates = [self.best_at(level, lo, hi) for level in levels if level > 0]
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
        for i in range(len(lo)):  # each channel alone at its best ROAS (S-shaped curves peak inside)
            grid = self.curves[self.free[i]].x[1:]
            if len(grid):
                z = lo.copy()
                z[i] = min(max(grid[np.argmax(self.curves[self.free[i]](grid) / grid)], lo[i]), hi[i])
                candidates.append(z)
        return self._pick(x, np.array(candidates), min_roas)

    def _pick(self, x, candidates: np.ndarray, min_roas: float) -> np.ndarray:
        """The candidate with the most revenue whose full-model ROAS meets the minimum; else ValueError in words
        with the best ROAS any candidate reaches (for tree models the per-channel curves may promise more than
        the full model gives: the full model decides)."""
        plans = np.tile(x, (len(candidates), 1))
        plans[:, self.free] = candidates
        spent = plans.sum(axis=1) * self.h.periods
        gain = self.h.totals_many(plans).mean(axis=1) - self.h.zero.mean()
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
        current = self.h.current[self.free]
        starts = [current if current.sum() > 0 else np.ones_like(lo), np.ones_like(lo)]
        finite = np.where(np.isfinite(hi), hi, total)
        starts.append(finite)
        return [_project(s * total / max(s.sum(), 1e-12), lo, hi, total) for s in starts]

    # -- the report
    def report(self, x: np.ndarray, budget: float, min_roas: float | None) -> BudgetPlan:
        h = self.h
        for c in range(len(x)):  # snap to bounds the solver reached up to rounding: bounds hold exactly
            if abs(x[c] - self.lo[c]) <= 1e-6 * max(self.total, 1.0):
                x[c] = self.lo[c]
            elif np.isfinite(self.hi[c]) and abs(x[c] - self.hi[c]) <= 1e-6 * max(self.total, 1.0):
                x[c] = self.hi[c]
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
        messages = constraint_messages(allocation, expected, min_roas) + range_messages(allocation, h.spend_range)
        return BudgetPlan(allocation, expected, h.periods, budget, messages)

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


def _project(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float) -> np.ndarray:
    """The point ``clip(x + t, lo, hi)`` whose sum is ``total`` (bisection on the shift ``t``)."""
    finite_hi = np.where(np.isfinite(hi), hi, total + np.abs(x).max() + 1.0)
    low, high = -np.abs(x).max() - total - 1.0, total + 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if np.clip(x + mid, lo, finite_hi).sum() < total:
            low = mid
        else:
            high = mid
    out = np.clip(x + high, lo, finite_hi)
    free = (out > lo) & (out < finite_hi)
    if free.any():  # remove the bisection's last rounding from the unbounded entries
        out[free] += (total - out.sum()) / free.sum()
    return out
