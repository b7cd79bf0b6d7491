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

from models.planning import (
    ALLOCATION_COLUMNS,
    GRID_POINTS,
    OBJECTIVES,
    RANGE_SLACK,
    Horizon,
    _amount,
    _interval,
    _money,
    _whole_number,
)


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
        min_roas = _amount(min_roas, "The minimum ROAS")
    periods = _whole_number(periods, "The horizon")
    budget = _amount(budget, "The budget")
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
            self.lo[c] = 0.0 if low is None else _amount(low, f"The minimum for {channel}")
            self.hi[c] = (
                np.inf
                if high is None or (isinstance(high, float) and np.isnan(high))
                else _amount(high, f"The maximum for {channel}")
            )
            if self.lo[c] > self.hi[c]:
                raise ValueError(
                    f"{channel}: the minimum ({_money(self.lo[c])}) is above the maximum ({_money(self.hi[c])})."
                )
        for channel, value in (locked or {}).items():
            c = channels.index(channel)
            value = _amount(value, f"The locked spend for {channel}")
            self.lo[c] = self.hi[c] = value
            self.locked[c] = True
        self._check_feasible()
        self.free = np.flatnonzero(~self.locked)
        self.curves = self._curves()

    def _check_feasible(self) -> None:
        names = self.h.channels
        floor = self.lo.sum()
        if floor > self.total * (1 + 1e-9):
            held = [f"{names[c]} {_money(self.lo[c])}" for c in np.flatnonzero(self.lo > 0)]
            raise ValueError(
                f"The budget is {_money(self.total)} per period, but the locked spend and minimums add up to "
                f"{_money(floor)} per period ({', '.join(held)}). Raise the budget to at least "
                f"{_money(floor * self.h.periods)} or lower the minimums/locks."
            )
        ceiling = self.hi.sum()
        if np.isfinite(ceiling) and ceiling < self.total * (1 - 1e-9):
            raise ValueError(
                f"The budget is {_money(self.total)} per period, but the maximums and locks allow only "
                f"{_money(ceiling)} per period. Lower the budget to {_money(ceiling * self.h.periods)} or raise "
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
        return np.array([self.curves[c].derivative()(v) for c, v in zip(self.free, y)], dtype=float)

    def solve(self, min_roas: float | None) -> np.ndarray:
        x = self.lo.copy()
        free_total = self.total - self.lo[self.locked].sum()
        if len(self.free) == 0 or free_total <= 0:
            return x
        lo, hi = self.lo[self.free], np.minimum(self.hi[self.free], free_total)
        scale = max(free_total, 1e-9)
        periods = self.h.periods
        locked_gain = 0.0  # the locked channels' revenue does not change; it still counts towards ROAS
        if min_roas is not None and self.locked.any():
            locked_gain = float(self.h.incremental(np.where(self.locked, self.lo, 0.0)).mean())
        locked_spend = self.lo[self.locked].sum()

        def negative(z):
            return -self.revenue(z * scale) / scale

        def negative_grad(z):
            return -self.gradient(z * scale)

        constraints = []
        if min_roas is None:
            constraints.append(
                {"type": "eq", "fun": lambda z: z.sum() - free_total / scale, "jac": lambda z: np.ones_like(z)}
            )
        else:
            constraints.append(
                {"type": "ineq", "fun": lambda z: free_total / scale - z.sum(), "jac": lambda z: -np.ones_like(z)}
            )
            constraints.append(
                {
                    "type": "ineq",
                    "fun": lambda z: (
                        locked_gain + self.revenue(z * scale) - min_roas * periods * (z.sum() * scale + locked_spend)
                    )
                    / (scale * periods),
                    "jac": lambda z: (self.gradient(z * scale) - min_roas * periods) / periods,
                }
            )
        box = list(zip(lo / scale, hi / scale))
        best, best_value = None, -np.inf
        for start in self._starts(lo, hi, free_total, roas_floor=min_roas is not None):
            result = minimize(
                negative,
                start / scale,
                jac=negative_grad,
                bounds=box,
                constraints=constraints,
                method="SLSQP",
                options={"maxiter": 200, "ftol": 1e-10},
            )
            z = np.clip(result.x * scale, lo, hi)
            if min_roas is None:
                z = _project(z, lo, hi, free_total)
            feasible = min_roas is None or self._roas_gap(z, locked_gain, locked_spend, min_roas) >= -1e-6
            value = self.revenue(z)
            if feasible and value > best_value:
                best, best_value = z, value
        nothing = best is not None and best.sum() + locked_spend <= 1e-9 * max(self.total, 1.0)
        if best is None or nothing:
            raise ValueError(self._roas_message(min_roas, lo, locked_gain, locked_spend))
        x[self.free] = best
        return x

    def _roas_gap(self, z, locked_gain, locked_spend, min_roas) -> float:
        spent = (z.sum() + locked_spend) * self.h.periods
        return (locked_gain + self.revenue(z)) - min_roas * spent

    def _roas_message(self, min_roas, lo, locked_gain, locked_spend) -> str:
        spent = (lo.sum() + locked_spend) * self.h.periods
        if spent > 0:
            best = (locked_gain + self.revenue(lo)) / spent
            where = "spending only the minimums and locks"
        else:  # the best single channel at its best level
            best, where = 0.0, "for any spend"
            for c in self.free:
                grid = self.curves[c].x[1:]
                ratios = self.curves[c](grid) / (grid * self.h.periods)
                if ratios.max() > best:
                    level = grid[ratios.argmax()]
                    best, where = (
                        float(ratios.max()),
                        f"spending {_money(level)} per period on {self.h.channels[c]} only",
                    )
        return (
            f"No allocation reaches an overall ROAS of {min_roas:.2f}: the best this model expects is about "
            f"{best:.2f} ({where}). Lower the minimum ROAS, or lower the minimums and locks."
        )

    def _starts(self, lo, hi, total, roas_floor=False) -> list[np.ndarray]:
        current = self.h.current[self.free]
        starts = [current if current.sum() > 0 else np.ones_like(lo), np.ones_like(lo)]
        finite = np.where(np.isfinite(hi), hi, total)
        starts.append(finite)
        starts = [_project(s * total / max(s.sum(), 1e-12), lo, hi, total) for s in starts]
        if roas_floor:  # a minimum ROAS may be reachable only with less spend: start inside it too
            starts += [_project(starts[0] * share, lo, hi, max(share * total, lo.sum())) for share in (0.3, 0.1, 0.02)]
            for i, c in enumerate(self.free):  # each channel alone at its best ROAS
                grid = self.curves[c].x[1:]
                if len(grid):
                    start = lo.copy()
                    start[i] = min(max(grid[np.argmax(self.curves[c](grid) / grid)], lo[i]), hi[i])
                    starts.append(start)
        return starts

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
        messages = _messages(allocation, expected, min_roas) + _range_messages(allocation, h.fitted.data_[h.channels])
        return BudgetPlan(allocation, expected, h.periods, budget, messages)

    def _expected(self, x: np.ndarray) -> dict:
        h = self.h
        optimal, current = h.totals(x), h.totals(h.current)
        mix = h.current * (x.sum() / h.current.sum()) if h.current.sum() > 0 else np.full_like(x, x.sum() / len(x))
        mixed = h.totals(mix)
        out = {}
        for name, totals, spend in (("", optimal, x), ("current_", current, h.current), ("current_mix_", mixed, mix)):
            spent = float(spend.sum() * h.periods)
            gain = totals - h._zero
            out[f"{name}revenue"] = float(totals.mean())
            out[f"{name}incremental_revenue"] = float(gain.mean())
            out[f"{name}roas"] = float(gain.mean() / spent) if spent > 0 else float("nan")
            out[f"{name}spend"] = spent
            if h.fitted.has_intervals:
                out[f"{name}revenue_lower"], out[f"{name}revenue_upper"] = _interval(h.noisy_totals(totals))
                out[f"{name}incremental_revenue_lower"], out[f"{name}incremental_revenue_upper"] = _interval(gain)
                if spent > 0:
                    out[f"{name}roas_lower"], out[f"{name}roas_upper"] = _interval(gain / spent)
        out["lift"] = float((optimal - mixed).mean())
        if h.fitted.has_intervals:
            out["lift_lower"], out["lift_upper"] = _interval(optimal - mixed)
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


def _messages(allocation: pd.DataFrame, expected: dict, min_roas: float | None) -> list[str]:
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
    if min_roas is not None and expected["roas"] < min_roas * (1 - 1e-3):
        messages.append(
            f"The full model puts this plan's overall ROAS at {expected['roas']:.2f}, below the {min_roas:.2f} "
            "asked: for this model the optimiser works on each channel's response separately (an "
            "approximation). Ask for a higher minimum ROAS or bound the channels to reach it."
        )
    elif min_roas is not None:
        messages.append(
            f"Overall ROAS {expected['roas']:.2f} (at least {min_roas:.2f} asked); "
            f"{expected['spend']:,.0f} of the budget is spent."
        )
    return messages


def _range_messages(allocation: pd.DataFrame, data: pd.DataFrame) -> list[str]:
    """Warn where the plan leaves the spend levels the data have seen: the model extrapolates there."""
    messages = []
    for row in allocation.itertuples():
        low, high = float(data[row.channel].min()), float(data[row.channel].max())
        if row.optimal > high * (1 + RANGE_SLACK):
            where, limit, kind = "above the most", high, "maximum"
        elif row.optimal < low * (1 - RANGE_SLACK):
            where, limit, kind = "below the least", low, "minimum"
        else:
            continue
        messages.append(
            f"{row.channel}: {_money(row.optimal)} per period is {where} the data ever saw ({_money(limit)}), so "
            f"the model is extrapolating there; for a safer plan set a {kind} of {_money(limit)}."
        )
    return messages
