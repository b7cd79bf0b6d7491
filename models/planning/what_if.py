"""What-if: the predicted outcome of one spend plan over the next periods, with any fitted model.

A plan is a constant spend per period for each channel; channels it leaves out keep their recent average.
Every number comes from the model on the data's last periods followed by the plan (:class:`Horizon`), so
spend carried over from the data counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.planning.horizon import CREDIBLE, Horizon, amount, interval, media_interval

CHANNEL_COLUMNS = ["channel", "spend", "total_spend", "incremental_revenue", "roas", "mroas"]


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
    Incremental revenue and ROAS per channel are against not spending on that channel in the horizon;
    marginal ROAS is the extra revenue of a small step more spend (:meth:`Horizon.steps`).
    """
    horizon = horizon if horizon is not None and horizon.periods == periods else Horizon(fitted, periods)
    x = _spend_vector(horizon, spend)
    n = len(x)
    steps = horizon.steps(x)
    plans = np.vstack([x, np.where(np.eye(n, dtype=bool), 0.0, x), x + np.diag(steps)])
    many = horizon.per_period_many(plans)  # (1 + 2C, periods, draws)
    draws = many[0]
    means = many.sum(axis=1).mean(axis=1)
    return WhatIf(
        prediction=_prediction(horizon, draws),
        channels=_channel_table(horizon, x, means, steps),
        totals=_totals(horizon, x, draws.sum(axis=0), fitted.has_intervals),
    )


def _prediction(horizon: Horizon, draws: np.ndarray) -> pd.DataFrame:
    """Mean revenue per period with its 90% interval (observation noise included, where the model has it)."""
    per_period_noise = horizon.fitted.noise_scale()
    if per_period_noise is None:
        low = high = draws[:, 0]
    else:
        rng = np.random.default_rng(horizon.fitted.random_state)
        low, high = np.quantile(draws + rng.standard_normal(draws.shape) * per_period_noise, CREDIBLE, axis=1)
    return pd.DataFrame({"date": horizon.dates, "mean": draws.mean(axis=1), "lower": low, "upper": high})


def _channel_table(horizon: Horizon, x: np.ndarray, means: np.ndarray, steps: np.ndarray) -> pd.DataFrame:
    """Per channel: spend, incremental revenue against not spending there, ROAS and marginal ROAS.

    ``means`` is the mean revenue over the horizon of the plan, then of the plan without each channel,
    then of the plan with each channel's spend raised by its step.
    """
    n, periods = len(x), horizon.periods
    money = x * periods
    gain = means[0] - means[1 : n + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        roas = np.where(money > 0, gain / np.where(money > 0, money, 1.0), np.nan)
    return pd.DataFrame(
        {
            "channel": horizon.channels,
            "spend": x,
            "total_spend": money,
            "incremental_revenue": gain,
            "roas": roas,
            "mroas": (means[n + 1 :] - means[0]) / (steps * periods),
        }
    )[CHANNEL_COLUMNS]


def _totals(horizon: Horizon, x: np.ndarray, totals: np.ndarray, has_intervals: bool) -> dict:
    """Revenue, incremental revenue, ROAS and spend over the horizon (+ 90% intervals where the model has them)."""
    incremental = totals - horizon.zero
    spent = float(x.sum() * horizon.periods)
    result = {
        "revenue": float(totals.mean()),
        "incremental_revenue": float(incremental.mean()),
        "roas": float(incremental.mean() / spent) if spent > 0 else float("nan"),
        "spend": spent,
    }
    if has_intervals:
        result["revenue_lower"], result["revenue_upper"] = interval(horizon.noisy_totals(totals))
        result["incremental_revenue_lower"], result["incremental_revenue_upper"] = media_interval(incremental)
        if spent > 0:
            result["roas_lower"], result["roas_upper"] = media_interval(incremental / spent)
    return result


def _spend_vector(horizon: Horizon, spend) -> np.ndarray:
    """Spend per period per channel, in the horizon's channel order; channels left out keep their recent spend."""
    spend = {} if spend is None else dict(spend)
    unknown = sorted(set(spend) - set(horizon.channels))
    if unknown:
        raise ValueError(f"Unknown channel(s) in the plan: {', '.join(map(str, unknown))}.")
    x = horizon.current.copy()
    for c, channel in enumerate(horizon.channels):
        if channel in spend:
            x[c] = amount(spend[channel], f"Spend for {channel}")
    return x
