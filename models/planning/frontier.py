"""Minimum-ROAS plans, feasibility first: the most revenue at each spend level on the spend/revenue frontier.

Mixed into :class:`models.planning.optimiser.Problem`: for spend levels from the minimums to the budget it
solves the equality-constrained "most revenue for this spend" problem (no ROAS constraint for SLSQP to miss),
adds each channel alone at its best ROAS, bisects the last feasible level, then judges every candidate with
the full model, so a plan is returned only if it meets the minimum by the model's own prediction.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from models.planning.horizon import money
from models.planning.limits import project
from models.planning.search import grid_split

FRONTIER_LEVELS = 12  # evenly spaced spend levels from the minimums to the budget (minimum-ROAS plans)
FRONTIER_SMALL = np.geomspace(1e-3, 0.05, 6)  # and small shares of it, where high targets are reachable
TINY_SHARES = np.geomspace(1e-9, 1e-3, 7)  # each channel alone at these shares of the free budget (concave
# curves have their best ROAS as spend goes to 0)
BISECTIONS = 12  # refinements of the most spend that still reaches the minimum ROAS
ROAS_TOLERANCE = 1e-3  # a plan within 0.1% of the minimum ROAS meets it (rounding)


class MinRoasFrontier:
    """The minimum-ROAS search of an optimisation problem (``self.h``, ``self.free``, ``self.revenue``...)."""

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
        alone, channel = np.count_nonzero(plans[best] > 0) == 1, self.h.channels[int(np.argmax(plans[best]))]
        where = (
            f"spending {money(plans[best].max())} per {self.h.unit} on {channel} only"
            if alone
            else f"spending {money(plans[best].sum())} per {self.h.unit}"
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
