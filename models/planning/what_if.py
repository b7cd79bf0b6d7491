"""What-if: the predicted outcome of one spend plan over the next periods, with any fitted model.

A plan is a constant spend per period for each channel; channels it leaves out keep their recent average.
Every number comes from the model on the data's last periods followed by the plan (:class:`Horizon`), so
spend carried over from the data counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.planning.horizon import CREDIBLE, Horizon, amount, interval, media_interval

CHANNEL_COLUMNS = ["channel", "spend", "total_spend", "incremental_revenue", "roas", "mroas"]
SHAPLEY_EXACT = 8  # channels up to which shapley_gains evaluates every subset (2^8 = 256 plans)
SHAPLEY_ORDERS = 32  # above that, random orders in which the channels are switched on (C + 1 plans each)


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
    Incremental revenue and ROAS per channel are against not spending on that channel in the horizon when
    the model is additive in channels; when its channels interact (the tree families) they are each
    channel's Shapley share of the plan's revenue from media (:func:`shapley_gains`), so that they add up
    to it. Marginal ROAS is the extra revenue of a small step more spend (:meth:`Horizon.steps`).
    """
    horizon = horizon if horizon is not None and horizon.periods == periods else Horizon(fitted, periods)
    x = _spend_vector(horizon, spend)
    n = len(x)
    steps = horizon.steps(x)
    without = [np.where(np.eye(n, dtype=bool), 0.0, x)] if horizon.additive else []
    many = horizon.per_period_many(np.vstack([x, x + np.diag(steps), *without]))  # (1 + C [+ C], periods, draws)
    draws = many[0]
    means = many.sum(axis=1).mean(axis=1)
    gain = means[0] - means[n + 1 :] if horizon.additive else shapley_gains(horizon, x)
    return WhatIf(
        prediction=_prediction(horizon, draws),
        channels=_channel_table(horizon, x, gain, (means[1 : n + 1] - means[0]) / (steps * periods)),
        totals=_totals(horizon, x, draws.sum(axis=0), fitted.has_intervals),
    )


def shapley_gains(horizon: Horizon, x: np.ndarray) -> np.ndarray:
    r"""Each channel's Shapley share of the expected revenue from media of plan ``x`` over the horizon.

    With :math:`v(S)` the expected revenue when the channels in :math:`S` spend as in ``x`` and the others
    nothing, channel :math:`i` gets the average, over every order in which the channels could be switched
    on, of what switching it on adds: :math:`\sum_{S \not\ni i} \frac{|S|!\,(C - |S| - 1)!}{C!}
    [v(S \cup \{i\}) - v(S)]`. The shares add up to :math:`v(\text{all}) - v(\emptyset)`, the plan's
    revenue above no spend, whatever the interactions; for an additive model each is the revenue against
    not spending on the channel. Exact over the :math:`2^C` subsets up to :data:`SHAPLEY_EXACT` channels;
    above, the mean over :data:`SHAPLEY_ORDERS` random orders (seeded by the model's ``random_state``).
    """
    n = len(x)
    if n <= SHAPLEY_EXACT:
        subsets = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)  # row k: the bits of k
        values = horizon.means_many(np.where(subsets, x, 0.0))
        sizes = subsets.sum(axis=1)
        weight = np.array([math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n) for k in range(n)])
        gains = np.empty(n)
        for i in range(n):
            rest = np.flatnonzero(~subsets[:, i])
            gains[i] = (weight[sizes[rest]] * (values[rest | (1 << i)] - values[rest])).sum()
        return gains
    rng = np.random.default_rng(int(getattr(horizon.fitted, "random_state", 0) or 0))
    orders = np.array([rng.permutation(n) for _ in range(SHAPLEY_ORDERS)])
    ranks = np.argsort(orders, axis=1)  # ranks[o, c]: when channel c is switched on in order o
    plans = np.where(ranks[:, None, :] < np.arange(n + 1)[None, :, None], x, 0.0)  # (orders, C + 1, C)
    values = horizon.means_many(plans.reshape(-1, n)).reshape(SHAPLEY_ORDERS, n + 1)
    added = np.diff(values, axis=1)  # added[o, k]: what the k-th channel switched on in order o adds
    return np.take_along_axis(added, ranks, axis=1).mean(axis=0)


def _prediction(horizon: Horizon, draws: np.ndarray) -> pd.DataFrame:
    """Mean revenue per period with its 90% interval (observation noise included, where the model has it)."""
    per_period_noise = horizon.fitted.noise_scale()
    if per_period_noise is None:
        low = high = draws[:, 0]
    else:
        rng = np.random.default_rng(horizon.fitted.random_state)
        low, high = np.quantile(draws + rng.standard_normal(draws.shape) * per_period_noise, CREDIBLE, axis=1)
    return pd.DataFrame({"date": horizon.dates, "mean": draws.mean(axis=1), "lower": low, "upper": high})


def _channel_table(horizon: Horizon, x: np.ndarray, gain: np.ndarray, mroas: np.ndarray) -> pd.DataFrame:
    """Per channel: spend, incremental revenue (``gain``), ROAS and marginal ROAS."""
    money = x * horizon.periods
    with np.errstate(divide="ignore", invalid="ignore"):
        roas = np.where(money > 0, gain / np.where(money > 0, money, 1.0), np.nan)
    return pd.DataFrame(
        {
            "channel": horizon.channels,
            "spend": x,
            "total_spend": money,
            "incremental_revenue": gain,
            "roas": roas,
            "mroas": mroas,
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
