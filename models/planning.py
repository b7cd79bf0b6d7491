"""Plan future spend with any fitted model: what-if predictions and budget optimisation.

A plan is a constant spend per period for each channel over the next ``periods`` periods. Every number
comes from the fitted model itself (:meth:`~models.base.MediaMixModel.scenario_draws`) on the data's last
periods followed by the plan, so spend carried over from the data (adstock) counts, and controls are held
at their recent average (:meth:`~models.base.MediaMixModel.future_frame`).

* :func:`what_if` predicts revenue for one plan: per period, in total, and per channel the incremental
  revenue (against not spending on that channel in the horizon), ROAS and marginal ROAS.
* :func:`models.budget.optimize_budget` splits a total budget to maximise revenue, optionally subject to a minimum
  overall ROAS, within per-channel bounds and locks. There are no hidden bounds: a channel without a bound
  can take anything from 0 to the whole budget.

How the optimiser works: each free channel's incremental revenue over the horizon is evaluated on a grid
of spend levels with the model (other channels at their recent spend) and interpolated with a monotone
cubic (:class:`scipy.interpolate.PchipInterpolator`), which gives SLSQP a smooth objective with exact
gradients; it starts from several points and keeps the best. For the additive models (ridge, Bayesian)
a channel's revenue depends on its own spend only, so this is the model's response up to interpolation;
for the tree models it is a per-channel approximation. The allocation is then evaluated exactly with the
model, with intervals from the posterior for the Bayesian model (its posterior-mean response is what is
optimised).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

CREDIBLE = (0.05, 0.95)  # 90% intervals, as the Bayesian model's other outputs
GRID_POINTS = 41  # spend levels per channel for the optimiser's response curves
BLOCKS = 64  # plans evaluated in one call of the model
TREE_STEP = 0.1  # tree models: marginal ROAS from at least 10% of the channel's mean spend
RANGE_SLACK = 0.01  # plans beyond the observed spend range by more than this share get a warning
BUMP = 0.01  # marginal ROAS: revenue from 1% more spend (at least one currency unit) per period
ALLOCATION_COLUMNS = ["channel", "current", "optimal", "lower_bound", "upper_bound", "at_bound", "mroas"]
CHANNEL_COLUMNS = ["channel", "spend", "total_spend", "incremental_revenue", "roas", "mroas"]
OBJECTIVES = ("revenue", "min_roas")


# ------------------------------------------------------------------------- what a model must offer
class PlannableModel(Protocol):
    """What planning needs from a fitted model (every family in :data:`models.MODEL_NAMES` has it)."""

    channels: list[str]
    roles: dict
    has_intervals: bool
    smooth_response: bool
    random_state: int

    def recent_spend(self) -> pd.Series: ...
    def spend_range(self) -> pd.DataFrame: ...
    def history(self, periods: int | None = None) -> pd.DataFrame: ...
    def carryover_periods(self) -> int: ...
    def future_dates(self, periods: int) -> pd.DatetimeIndex: ...
    def future_frame(self, plan: pd.DataFrame) -> pd.DataFrame: ...
    def scenario_draws(self, frame: pd.DataFrame) -> np.ndarray: ...
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

    def per_period_many(self, spends: np.ndarray) -> np.ndarray:
        """Expected revenue per plan, future period and draw, ``(plans, periods, draws)``, for ``(plans, C)``.

        The plans are stacked into one frame, each block the history then the future, and the model is
        called once per ``BLOCKS`` plans. Every feature but adstock is computed row by row, and the history
        in front of each block covers the adstock's memory, so each block's future rows are predicted
        exactly as they would be alone.
        """
        spends = np.atleast_2d(np.asarray(spends, float))
        rows = len(self.frame)
        out = []
        for first in range(0, len(spends), BLOCKS):
            chunk = spends[first : first + BLOCKS]
            frame = pd.concat([self.frame] * len(chunk), ignore_index=True)
            future = (np.arange(len(chunk))[:, None] * rows + np.arange(self.start, rows)[None, :]).ravel()
            frame.iloc[future, self._columns] = np.repeat(chunk, self.periods, axis=0)
            draws = self.fitted.scenario_draws(frame)
            out.append(draws.reshape(len(chunk), rows, -1)[:, self.start :, :])
        return np.concatenate(out)

    def per_period(self, spend: np.ndarray) -> np.ndarray:
        """Expected revenue per future period and draw, ``(periods, draws)``, for spend per period ``(C,)``."""
        return self.per_period_many(np.asarray(spend, float)[None, :])[0]

    def totals_many(self, spends: np.ndarray) -> np.ndarray:
        """Expected revenue over the horizon per plan and draw, ``(plans, draws)``."""
        return self.per_period_many(spends).sum(axis=1)

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

    def marginal_roas(self, spend: np.ndarray) -> np.ndarray:
        """Extra revenue per extra unit of spend, per channel, at ``spend`` (posterior mean)."""
        steps = self.steps(spend)
        plans = np.vstack([spend, spend + np.diag(steps)])
        means = self.totals_many(plans).mean(axis=1)
        return (means[1:] - means[0]) / (steps * self.periods)


def whole_number(value, what: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a whole number of periods, at least 1.") from None
    if not np.isfinite(number) or number < 1 or number != int(number):
        raise ValueError(f"{what} must be a whole number of periods, at least 1.")
    return int(number)


def interval(values: np.ndarray) -> tuple[float, float]:
    low, high = np.quantile(values, CREDIBLE)
    return float(low), float(high)


# ------------------------------------------------------------------------------------- what-if
@dataclass
class WhatIf:
    """Predicted outcome of a plan. ``prediction``: date, mean, lower, upper per period; ``channels``: one
    row per channel (spend per period, total spend, incremental revenue, ROAS, marginal ROAS); ``totals``:
    revenue (+ _lower/_upper), incremental_revenue, roas and spend over the horizon."""

    prediction: pd.DataFrame
    channels: pd.DataFrame
    totals: dict


def what_if(fitted, spend, periods: int, horizon: Horizon | None = None) -> WhatIf:
    """Predict revenue over the next ``periods`` periods with ``spend`` per period per channel.

    ``spend`` maps channel -> spend per period (a dict or Series; channels left out keep their recent
    average). Pass a :class:`Horizon` built for the same model and periods to skip rebuilding it.
    """
    horizon = horizon if horizon is not None and horizon.periods == periods else Horizon(fitted, periods)
    x = _spend_vector(horizon, spend)
    n = len(x)
    steps = horizon.steps(x)
    plans = np.vstack([x, np.where(np.eye(n, dtype=bool), 0.0, x), x + np.diag(steps)])
    many = horizon.per_period_many(plans)  # (1 + 2C, periods, draws)
    draws = many[0]
    totals = draws.sum(axis=0)
    means = many.sum(axis=1).mean(axis=1)
    noisy = horizon.noisy_totals(totals)
    per_period_noise = horizon.fitted.noise_scale()
    if per_period_noise is None:
        low = high = draws[:, 0]
    else:
        rng = np.random.default_rng(horizon.fitted.random_state)
        low, high = np.quantile(draws + rng.standard_normal(draws.shape) * per_period_noise, CREDIBLE, axis=1)
    prediction = pd.DataFrame({"date": horizon.dates, "mean": draws.mean(axis=1), "lower": low, "upper": high})
    money = x * periods
    gain = means[0] - means[1 : n + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        roas = np.where(money > 0, gain / np.where(money > 0, money, 1.0), np.nan)
    channels = pd.DataFrame(
        {
            "channel": horizon.channels,
            "spend": x,
            "total_spend": money,
            "incremental_revenue": gain,
            "roas": roas,
            "mroas": (means[n + 1 :] - means[0]) / (steps * periods),
        }
    )[CHANNEL_COLUMNS]
    incremental = totals - horizon.zero
    spent = float(x.sum() * periods)
    result = {
        "revenue": float(totals.mean()),
        "incremental_revenue": float(incremental.mean()),
        "roas": float(incremental.mean() / spent) if spent > 0 else float("nan"),
        "spend": spent,
    }
    if fitted.has_intervals:
        result["revenue_lower"], result["revenue_upper"] = interval(noisy)
        result["incremental_revenue_lower"], result["incremental_revenue_upper"] = interval(incremental)
        if spent > 0:
            result["roas_lower"], result["roas_upper"] = interval(incremental / spent)
    return WhatIf(prediction=prediction, channels=channels, totals=result)


def _spend_vector(horizon: Horizon, spend) -> np.ndarray:
    spend = {} if spend is None else dict(spend)
    unknown = sorted(set(spend) - set(horizon.channels))
    if unknown:
        raise ValueError(f"Unknown channel(s) in the plan: {', '.join(map(str, unknown))}.")
    x = horizon.current.copy()
    for c, channel in enumerate(horizon.channels):
        if channel in spend:
            x[c] = amount(spend[channel], f"Spend for {channel}")
    return x


def amount(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number of at least 0.") from None
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be a number of at least 0.")
    return number


def money(value: float) -> str:
    """1,234 for large amounts, 12.35 for small ones."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def optimize_budget(fitted, budget, periods, bounds=None, locked=None, objective="revenue", min_roas=None):
    """:func:`models.budget.optimize_budget` (kept here too: planning is where people look for it)."""
    from models.budget import optimize_budget as optimize

    return optimize(fitted, budget, periods, bounds=bounds, locked=locked, objective=objective, min_roas=min_roas)
