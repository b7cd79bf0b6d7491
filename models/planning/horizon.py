"""A fitted model's next periods, ready to be evaluated for many spend plans, and what planning asks of it.

:class:`PlannableModel` is what planning needs from a fitted model (a ``typing.Protocol``, as
PyMC-Marketing's optimiser declares the model it accepts); :class:`Horizon` builds the frame of the next
``periods`` periods once and evaluates spend plans on it in blocks. The small checks and formats that
what-if and the optimiser share (:func:`amount`, :func:`whole_number`, :func:`money`, :func:`interval`,
:func:`media_interval`)
live here too.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from models.data.dates import period_unit

CREDIBLE = (0.05, 0.95)  # 90% intervals, as the Bayesian model's other outputs
BLOCKS = 64  # plans evaluated in one call of the model
TREE_STEP = 0.1  # tree models: marginal ROAS from at least 10% of the channel's mean spend
FIRST_SPEND = 1000.0  # the "first 1,000" of a channel the optimiser leaves without spend
BUMP = 0.01  # marginal ROAS: revenue from 1% more spend (at least one currency unit) per period


# ------------------------------------------------------------------------- what a model must offer
class PlannableModel(Protocol):
    """What planning needs from a fitted model (every family in :data:`models.MODEL_NAMES` has it)."""

    channels: list[str]
    roles: dict
    has_intervals: bool
    smooth_response: bool
    additive: bool  # revenue is a sum of one term per channel (a model without it: ``smooth_response``)
    random_state: int

    def recent_spend(self) -> pd.Series: ...
    def spend_range(self) -> pd.DataFrame: ...
    def history(self, periods: int | None = None) -> pd.DataFrame: ...
    def carryover_periods(self) -> int: ...
    def future_dates(self, periods: int) -> pd.DatetimeIndex: ...
    def future_frame(self, plan: pd.DataFrame) -> pd.DataFrame: ...
    def scenario_draws(self, frame: pd.DataFrame) -> np.ndarray: ...
    # optional: def scenario_mean(self, frame) -> np.ndarray (the mean of scenario_draws, cheaper; see means_many)
    def noise_scale(self) -> np.ndarray | None: ...


# ---------------------------------------------------------------------------------- the horizon
class Horizon:
    """A fitted model's next ``periods`` periods, ready to be evaluated for many spend plans.

    The frame (the history the adstock needs, then the future periods with controls held) is built once;
    :meth:`totals` fills in the future spend and returns revenue over the horizon per posterior draw.
    """

    def __init__(self, fitted: PlannableModel, periods: int):
        periods = whole_number(periods, "The horizon")
        self.fitted, self.periods = fitted, periods
        # what one period is called in messages: "per day" on daily data, "per week" on weekly
        self.unit = period_unit(getattr(fitted, "frequency", None))
        # per-channel response curves are the whole model only when it is additive in channels
        self.additive = bool(getattr(fitted, "additive", fitted.smooth_response))
        self.channels = list(fitted.channels)
        date = fitted.roles["date"]
        plan = pd.DataFrame({date: fitted.future_dates(periods), **dict.fromkeys(self.channels, 0.0)})
        future = fitted.future_frame(plan)
        history = fitted.history(fitted.carryover_periods())
        self.frame = pd.concat([history, future], ignore_index=True)
        self.start = len(history)
        self.dates = pd.DatetimeIndex(future[date])
        self.current = fitted.recent_spend()[self.channels].to_numpy(float)
        self.spend_range = fitted.spend_range().set_index("channel").loc[self.channels]
        self._columns = [self.frame.columns.get_loc(c) for c in self.channels]
        self.zero = self.per_period(np.zeros(len(self.channels))).sum(axis=0)  # revenue per draw with no spend
        # tree models are step functions of spend: a 1% bump often changes nothing, so take a wider step
        typical = self.spend_range["mean"].to_numpy(float)
        self._min_step = np.maximum(1.0, 0.0 if fitted.smooth_response else TREE_STEP * typical)

    def steps(self, spend: np.ndarray) -> np.ndarray:
        """The extra spend per period used for marginal ROAS at ``spend``."""
        return np.maximum(BUMP * spend, self._min_step)

    def per_period_many(self, spends: np.ndarray, predict=None) -> np.ndarray:
        """Expected revenue per plan, future period and draw, ``(plans, periods, draws)``, for ``(plans, C)``.

        The plans are stacked into one frame, each block the history then the future, and the model is
        called once per ``BLOCKS`` plans. Every feature but adstock is computed row by row, and the history
        in front of each block covers the adstock's memory, so each block's future rows are predicted
        exactly as they would be alone. ``predict`` (frame -> ``(rows, k)``) replaces the model's
        ``scenario_draws``.
        """
        predict = self.fitted.scenario_draws if predict is None else predict
        spends = np.atleast_2d(np.asarray(spends, float))
        rows = len(self.frame)
        out = []
        for first in range(0, len(spends), BLOCKS):
            chunk = spends[first : first + BLOCKS]
            frame = pd.concat([self.frame] * len(chunk), ignore_index=True)
            future = (np.arange(len(chunk))[:, None] * rows + np.arange(self.start, rows)[None, :]).ravel()
            frame.iloc[future, self._columns] = np.repeat(chunk, self.periods, axis=0)
            draws = predict(frame)
            out.append(draws.reshape(len(chunk), rows, -1)[:, self.start :, :])
        return np.concatenate(out)

    def per_period(self, spend: np.ndarray) -> np.ndarray:
        """Expected revenue per future period and draw, ``(periods, draws)``, for spend per period ``(C,)``."""
        return self.per_period_many(np.asarray(spend, float)[None, :])[0]

    def totals_many(self, spends: np.ndarray) -> np.ndarray:
        """Expected revenue over the horizon per plan and draw, ``(plans, draws)``."""
        return self.per_period_many(spends).sum(axis=1)

    def means_many(self, spends: np.ndarray) -> np.ndarray:
        """Expected revenue over the horizon per plan, ``(plans,)``: the mean over the model's draws.

        A model may offer ``scenario_mean(frame)`` (revenue per row, the mean of :meth:`scenario_draws`
        without evaluating every draw: a bootstrap model's mean is its point fit); the optimiser's searches
        for the most expected revenue then skip the draws.
        """
        mean = getattr(self.fitted, "scenario_mean", None)
        if mean is None:
            return self.totals_many(spends).mean(axis=1)
        return self.per_period_many(spends, lambda frame: np.asarray(mean(frame), float)[:, None]).sum(axis=1)[:, 0]

    def totals(self, spend: np.ndarray) -> np.ndarray:
        """Expected revenue over the horizon per draw, ``(draws,)``."""
        return self.totals_many(np.asarray(spend, float)[None, :])[0]

    def incremental(self, spend: np.ndarray) -> np.ndarray:
        """Revenue over the horizon above that with no spend in it, per draw (carry-over cancels)."""
        return self.totals(spend) - self.zero

    def noisy_totals(self, totals: np.ndarray) -> np.ndarray:
        """Revenue over the horizon per draw with observation noise added (intervals of the outcome)."""
        scale = self.fitted.noise_scale()
        if scale is None:
            return totals
        rng = np.random.default_rng(self.fitted.random_state)
        return totals + rng.standard_normal(totals.shape) * scale * np.sqrt(self.periods)

    def first_gains(self, spend: np.ndarray, amount: float = FIRST_SPEND) -> np.ndarray:
        """Revenue over the horizon that ``amount`` more spend over the horizon would add, per channel, at
        ``spend`` (posterior mean): what the first 1,000 of a channel left at zero would bring, measured, not
        a marginal ROAS (the slope at zero of a concave curve) times 1,000."""
        plans = np.vstack([spend, spend + np.eye(len(spend)) * amount / self.periods])
        means = self.means_many(plans)
        return means[1:] - means[0]

    def marginal_roas(self, spend: np.ndarray) -> np.ndarray:
        """Extra revenue per extra unit of spend, per channel, at ``spend`` (posterior mean)."""
        steps = self.steps(spend)
        plans = np.vstack([spend, spend + np.diag(steps)])
        means = self.means_many(plans)
        return (means[1:] - means[0]) / (steps * self.periods)


def whole_number(value, what: str) -> int:
    """``value`` as a whole number of periods, at least 1; ValueError naming ``what`` otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a whole number of periods, at least 1.") from None
    if not np.isfinite(number) or number < 1 or number != int(number):
        raise ValueError(f"{what} must be a whole number of periods, at least 1.")
    return int(number)


def interval(values: np.ndarray) -> tuple[float, float]:
    """The 90% interval (:data:`CREDIBLE`) of ``values``."""
    low, high = np.quantile(values, CREDIBLE)
    return float(low), float(high)


def media_interval(gain: np.ndarray) -> tuple[float, float]:
    """The 90% interval of revenue from media (above no spend), or of its ROAS, per draw ``gain``.

    Every family's media effects are non-negative by construction (ridge's channel coefficients are bounded
    at zero, the trees are monotone in spend, the Bayesian ROAS are positive), so a draw below zero (a
    bootstrap world whose error is larger than the effect) counts as zero: an interval of media revenue
    never reaches below it.
    """
    return interval(np.maximum(gain, 0.0))


def amount(value, what: str) -> float:
    """``value`` as a number of at least 0 (spend, budget, ROAS); ValueError naming ``what`` otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number of at least 0.") from None
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be a number of at least 0.")
    return number


def money(value: float) -> str:
    """1,234 for large amounts, 12.35 for small ones, 0 for nothing."""
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
