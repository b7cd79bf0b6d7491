"""Search for a better plan on the full model: pairwise budget transfers with shrinking steps.

The optimiser's smooth problem (:mod:`models.planning.optimiser`) works on one response curve per channel,
which is the model's whole response only when the model is additive in channels. For the others (the tree
families, where one channel's effect depends on the others' spend) and for objectives that are not a sum
over channels (a percentile of revenue across the model's draws), :func:`transfer_search` improves a plan
on the model itself: from each start it tries moving a step of budget from every free channel to every
other (``C (C - 1)`` plans, evaluated in one batch), takes the best move while it raises the score, and
halves the step when none does. Every move keeps the total spend, the bounds and the locks, so a start
that meets them gives a plan that meets them.

A derivative-free search suits the trees: their revenue is a step function of spend, flat over most small
moves, so the large first steps (half of the free budget) cross the plateaus that stop a gradient.
For an additive model with many draws, :class:`DrawCurves` stands in for the model: one response curve per
channel and draw, so a percentile of revenue is searched without calling the model for every move.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.interpolate import PchipInterpolator

from models.planning.horizon import Horizon

# step sizes, as shares of the free channels' spend: from half of it down to about 0.8% (the trees' steps)
STEP_SHARES = tuple(0.5**k for k in range(1, 8))
FINE_STEP_SHARES = tuple(0.5**k for k in range(1, 11))  # down to 0.1%, for smooth objectives (percentiles)
MOVES_PER_STEP = 4  # improving moves taken at one step size before it is halved anyway
IMPROVEMENT = 1e-9  # a move must raise the score by more than this share of it (no cycling on plateaus)
CURVE_POINTS = 41  # spend levels per channel of :class:`DrawCurves`
GRID_STEPS = 100  # :func:`grid_split` shares the budget above the minimums out in steps of 1%

Evaluate = Callable[[np.ndarray], np.ndarray]  # plans (n, C) -> revenue over the horizon per draw (n, draws)
Score = Callable[[np.ndarray], np.ndarray]  # revenue draws (plans, draws) -> one score per plan
Feasible = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (plans (n, C), draws) -> allowed per plan


def mean_score(totals: np.ndarray) -> np.ndarray:
    """Expected revenue over the horizon: the mean over the model's draws, per plan."""
    return totals.mean(axis=1)


def quantile_score(q: float) -> Score:
    """The ``q``-th quantile over the model's draws of revenue over the horizon, per plan."""
    return lambda totals: np.quantile(totals, q, axis=1)


def grid_split(curves: list, lo: np.ndarray, hi: np.ndarray, total: float, steps: int = GRID_STEPS) -> np.ndarray:
    r"""The split of ``total`` over channels with the most summed value, on a grid, whatever the curves' shapes.

    The spend above the minimums is shared out in ``steps`` equal steps; dynamic programming,
    :math:`B_c(j) = \max_{k \le j} B_{c-1}(j - k) + v_c(k)`, finds the best split on that grid exactly (local
    optima of S-shaped curves do not trap it), and a smooth solver can refine it from there. ``curves`` are
    callables of spend, one per channel; a step that would pass a channel's maximum is not allowed.
    """
    room = total - lo.sum()
    if room <= 0 or not len(curves):
        return lo.astype(float)
    unit = room / steps
    k = np.arange(steps + 1)
    values = np.array(
        [
            np.where(lo[i] + k * unit <= hi[i] * (1 + 1e-9), curve(lo[i] + k * unit), -np.inf)
            for i, curve in enumerate(curves)
        ]
    )
    j, step = k[:, None], k[None, :]
    best, choices = values[0], []
    for row in values[1:]:
        candidates = np.where(step <= j, best[np.clip(j - step, 0, None)] + row[step], -np.inf)
        choices.append(candidates.argmax(axis=1))
        best = candidates.max(axis=1)
    if not np.isfinite(best[steps]):
        return lo.astype(float)
    taken, left = np.zeros(len(curves), dtype=int), steps
    for c in range(len(curves) - 1, 0, -1):
        taken[c] = choices[c - 1][left]
        left -= taken[c]
    taken[0] = left
    return lo + taken * unit


class DrawCurves:
    r"""Revenue over the horizon per draw of an additive model, from one curve per free channel and draw.

    For a model whose revenue is a sum over channels, draw ``d``'s revenue at plan ``x`` is
    :math:`T_d(r) + \sum_c [T_d(r \text{ with } x_c) - T_d(r)]` for a reference plan ``r``; each channel's
    term is evaluated with the model on a grid of spend levels (one batch) and interpolated per draw with a
    monotone cubic. Exact for additive models up to the interpolation; callable like
    :meth:`Horizon.totals_many`.
    """

    def __init__(self, horizon: Horizon, reference: np.ndarray, hi: np.ndarray, free: np.ndarray):
        self.reference, self.free = np.asarray(reference, float), np.asarray(free)
        top = self.reference[self.free].sum()
        grids, plans = [], []
        for c in self.free:
            grid = np.unique(np.r_[np.linspace(0.0, max(min(hi[c], top), 1e-9), CURVE_POINTS), self.reference[c]])
            block = np.tile(self.reference, (len(grid), 1))
            block[:, c] = grid
            grids.append(grid)
            plans.append(block)
        totals = horizon.totals_many(np.vstack([self.reference[None, :], *plans]))
        self.base, first, self.curves = totals[0], 1, []
        for grid in grids:
            self.curves.append(PchipInterpolator(grid, totals[first : first + len(grid)] - self.base, axis=0))
            first += len(grid)

    def __call__(self, plans: np.ndarray) -> np.ndarray:
        plans = np.atleast_2d(plans)
        out = np.tile(self.base, (len(plans), 1))
        for c, curve in zip(self.free, self.curves):
            out += curve(plans[:, c])
        return out


def transfer_search(
    evaluate: Evaluate,
    starts: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    free: np.ndarray,
    score: Score = mean_score,
    feasible: Feasible | None = None,
    shares: tuple[float, ...] = STEP_SHARES,
) -> tuple[np.ndarray, float]:
    """The best plan found from ``starts`` ``(k, C)`` by pairwise transfers between the ``free`` channels.

    Parameters
    ----------
    evaluate : callable
        Revenue over the horizon per draw ``(n, draws)`` of plans ``(n, C)`` (spend per period per channel):
        :meth:`Horizon.totals_many`, or a stand-in such as :class:`DrawCurves`.
    starts : ndarray
        Plans to start from; each should meet ``lo <= x <= hi`` (and ``feasible``). All are searched at
        once: every round evaluates the moves of every start in one batch.
    lo, hi : ndarray
        Bounds per channel (``hi`` may be ``inf``); locked channels are simply not in ``free``.
    free : ndarray
        Indices of the channels whose spend may move.
    score : callable
        Revenue draws ``(plans, draws)`` to the score to maximise (default: the mean).
    feasible : callable, optional
        ``(plans, draws)`` to a boolean mask of the plans allowed (e.g. a minimum overall ROAS).
    shares : tuple of float
        Step sizes as shares of the free channels' total spend, largest first.

    Returns
    -------
    (ndarray, float)
        The plan with the highest score (the starts included) and its score; of equal scores, the one from
        the earliest start (a move is taken only when it raises the score).
    """
    states = np.array(starts, dtype=float, ndmin=2)
    _, first = np.unique(states, axis=0, return_index=True)
    states = states[np.sort(first)]  # duplicates out, order kept: on a tie the earlier start wins
    values = score(evaluate(states))
    pairs = [(a, b) for a in free for b in free if a != b]
    if not pairs:
        return _best(states, values)
    pool = states[:, free].sum(axis=1)
    for share in shares:
        active = np.ones(len(states), dtype=bool)
        for _ in range(MOVES_PER_STEP):
            moves, owner = _moves(states[active], np.flatnonzero(active), pool[active] * share, lo, hi, pairs)
            if not len(moves):
                break
            totals = evaluate(moves)
            scores = score(totals)
            if feasible is not None:
                scores = np.where(feasible(moves, totals), scores, -np.inf)
            improved = np.zeros(len(states), dtype=bool)
            for s in np.unique(owner):
                mine = np.flatnonzero(owner == s)
                k = mine[np.argmax(scores[mine])]
                if scores[k] > values[s] + IMPROVEMENT * abs(values[s]):
                    states[s], values[s], improved[s] = moves[k], scores[k], True
            active &= improved
            if not active.any():
                break
    return _best(states, values)


def _moves(states, owners, steps, lo, hi, pairs) -> tuple[np.ndarray, np.ndarray]:
    """Every transfer of up to ``steps[i]`` from channel a to channel b of each state, within the bounds."""
    moves, owner = [], []
    for x, s, step in zip(states, owners, steps):
        for a, b in pairs:
            amount = min(step, x[a] - lo[a], hi[b] - x[b])
            if amount > 1e-9 * max(step, 1.0):
                y = x.copy()
                y[a] -= amount
                y[b] += amount
                moves.append(y)
                owner.append(s)
    return np.array(moves), np.array(owner, dtype=int)


def _best(states: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
    k = int(np.argmax(values))
    return states[k].copy(), float(values[k])
