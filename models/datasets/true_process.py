r"""The true process behind a simulated dataset: revenue of any spend, true ROAS, the true best budget split.

Revenue in period :math:`t` (currency per period) is

.. math::

    \text{revenue}_t = b\Bigl(1 + g\,\tau_t + A_y \cos\tfrac{2\pi (j_t - j_y)}{365.25}
        + A_w \cos\tfrac{2\pi (d_t - d_w)}{7}
        + \gamma \tfrac{p_0 - p_t}{p_0} + \delta\,\text{promo}_t\Bigr)
        + \sum_c \beta_c\, h_c\bigl(a_c(x_c)_t\bigr) + \varepsilon_t

with :math:`\tau_t` the periods since the start over the data's last period index (so :math:`g` is the
baseline's growth over the data), :math:`j_t` the day of the year, :math:`d_t` the weekday (Monday = 0;
weekly term for daily data only), :math:`p_t` the price and :math:`p_0` the list price. :math:`a_c` is a
normalised adstock of :mod:`models.curves` (lag weights summing to 1 over ``l_max`` periods, zero spend
before the first row) and :math:`h_c` a saturation curve of the same registry, so a constant spend
:math:`x` ends up earning :math:`\beta_c h_c(x)` per period. Noise :math:`\varepsilon_t` is added by
:func:`models.datasets.simulate.simulate`; everything here is noise-free.

Channels are additive, so the true optimum of a budget split is separable: :meth:`TrueProcess.true_optimum`
finds it by dynamic programming over a grid of the budget (global, even for S-shaped curves) and then
polishes it with SLSQP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from models.curves import lookup_adstock, lookup_saturation
from models.families.features import RECENT_PERIODS, period_days

TRUTH_COLUMNS = ["channel", "spend", "contribution", "roas", "mroas"]
LIST_PRICE = 20.0
YEARLY_PEAK_DAY = 340  # early December
WEEKLY_PEAK_DAY = 5  # Saturday
GRID_UNITS = 200  # budget steps of the dynamic programme in true_optimum


@dataclass(frozen=True)
class TrueProcess:
    """Parameters of the process in the module docstring, in absolute units (currency, periods).

    Per-channel tuples follow ``channels``. ``saturation_params`` are absolute (Hill ``half_saturation``
    in spend per period; logistic ``lam`` per unit of spend); ``beta`` is the most a channel can earn per
    period. ``trend``, the amplitudes, ``price_effect`` and ``promo_uplift`` are shares of ``baseline``.
    """

    channels: tuple[str, ...]
    frequency: str
    l_max: int
    adstocks: tuple[str, ...]
    adstock_params: tuple[Mapping[str, float], ...]
    saturations: tuple[str, ...]
    saturation_params: tuple[Mapping[str, float], ...]
    beta: tuple[float, ...]
    baseline: float
    start: str
    n_periods: int
    trend: float = 0.0
    yearly_amplitude: float = 0.0
    weekly_amplitude: float = 0.0
    controls: tuple[str, ...] = ()
    price_effect: float = 0.0
    promo_uplift: float = 0.0

    # ------------------------------------------------------------------ revenue of any frame
    def channel_effect(self, c: int, spend: np.ndarray) -> np.ndarray:
        r"""Revenue per period from channel ``c``: :math:`\beta_c h_c(a_c(x))`, for ``spend`` of shape
        ``(periods,)`` or ``(periods, k)`` (``k`` spend paths of the same channel at once)."""
        carried = lookup_adstock(self.adstocks[c]).apply(spend, self.adstock_params[c], self.l_max, normalize=True)
        return self.beta[c] * lookup_saturation(self.saturations[c]).apply(carried, self.saturation_params[c])

    def media_effect(self, spend: np.ndarray) -> np.ndarray:
        """Revenue per period and channel, ``(periods, channels)``, from spend of the same shape."""
        spend = np.asarray(spend, dtype=float)
        return np.column_stack([self.channel_effect(c, spend[:, c]) for c in range(len(self.channels))])

    def base_revenue(self, frame: pd.DataFrame) -> np.ndarray:
        """Revenue per row without media: baseline, trend, seasonality and controls (module docstring)."""
        dates = pd.to_datetime(frame["date"])
        periods = (dates - pd.Timestamp(self.start)).dt.days.to_numpy(float) / period_days(self.frequency)
        share = 1.0 + self.trend * periods / max(self.n_periods - 1, 1)
        share += self.yearly_amplitude * np.cos(
            2 * np.pi * (dates.dt.day_of_year.to_numpy() - YEARLY_PEAK_DAY) / 365.25
        )
        share += self.weekly_amplitude * np.cos(2 * np.pi * (dates.dt.day_of_week.to_numpy() - WEEKLY_PEAK_DAY) / 7)
        if "price" in self.controls:
            share += self.price_effect * (LIST_PRICE - frame["price"].to_numpy(float)) / LIST_PRICE
        if "promo" in self.controls:
            share += self.promo_uplift * frame["promo"].to_numpy(float)
        return self.baseline * share

    def expected_revenue(self, frame: pd.DataFrame) -> np.ndarray:
        """Noise-free revenue per row of ``frame`` (``date``, channels and controls; rows consecutive)."""
        return self.base_revenue(frame) + self.media_effect(frame[list(self.channels)].to_numpy(float)).sum(axis=1)

    def channel_truth(self, frame: pd.DataFrame) -> pd.DataFrame:
        r"""True spend, contribution, ROAS and marginal ROAS per channel over the rows of ``frame``.

        Contribution is the revenue with the data's spend minus the revenue with the channel zeroed,
        carry-over inside the window included (revenue after the last row is not counted, as in the
        models' ``roas()``); ROAS = contribution / spend; mROAS = (revenue with the channel's spend
        1.01 times every period - revenue) / (0.01 spend).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`TRUTH_COLUMNS`, one row per channel.
        """
        total = self.expected_revenue(frame).sum()
        rows = []
        for name in self.channels:
            zeroed, bumped = frame.copy(), frame.copy()
            zeroed[name] = 0.0
            bumped[name] = bumped[name] * 1.01
            spend = float(frame[name].sum())
            contribution = float(total - self.expected_revenue(zeroed).sum())
            gain = float(self.expected_revenue(bumped).sum() - total)
            rows.append([name, spend, contribution, contribution / spend, gain / (0.01 * spend)])
        return pd.DataFrame(rows, columns=TRUTH_COLUMNS)

    # ------------------------------------------------------------------ the periods after the data
    def future_frame(self, history: pd.DataFrame, spend: np.ndarray, periods: int) -> pd.DataFrame:
        """The ``periods`` rows after ``history`` at constant ``spend`` per period (channels' order).

        Controls are held at their mean over the last month of ``history``, as a fitted model holds them
        (``MediaMixModel.future_frame``).
        """
        step = pd.Timedelta(days=period_days(self.frequency))
        last = pd.Timestamp(history["date"].iloc[-1])
        future = pd.DataFrame({"date": [last + step * (i + 1) for i in range(periods)]})
        for name, value in zip(self.channels, np.asarray(spend, dtype=float)):
            future[name] = float(value)
        recent = history.tail(RECENT_PERIODS[self.frequency])
        for control in self.controls:
            future[control] = float(recent[control].mean())
        return future

    def true_revenue(self, history: pd.DataFrame, spend: np.ndarray, periods: int) -> float:
        """Total noise-free revenue over the ``periods`` after ``history`` at ``spend`` per period.

        ``history`` is the data (``date``, channels, controls); its last ``l_max`` rows carry over into
        the horizon. ``spend`` is per period, one value per channel in ``channels`` order.
        """
        tail = history[["date", *self.channels, *self.controls]].tail(self.l_max)
        frame = pd.concat([tail, self.future_frame(history, spend, periods)], ignore_index=True)
        return float(self.expected_revenue(frame)[len(tail) :].sum())

    def horizon_media(self, history: pd.DataFrame, c: int, grid: np.ndarray, periods: int) -> np.ndarray:
        """Channel ``c``'s revenue over the horizon at each constant spend per period in ``grid``."""
        tail = history[self.channels[c]].to_numpy(float)[-self.l_max :]
        paths = np.vstack([np.repeat(tail[:, None], len(grid), axis=1), np.tile(grid, (periods, 1))])
        return self.channel_effect(c, paths)[len(tail) :].sum(axis=0)

    def true_optimum(
        self, history: pd.DataFrame, budget_per_period: float, periods: int, starts: tuple[np.ndarray, ...] = ()
    ) -> tuple[np.ndarray, float]:
        """The split of ``budget_per_period`` maximising :meth:`true_revenue`, and that revenue.

        Global on a grid of :data:`GRID_UNITS` budget steps (dynamic programming over the channels, which
        add up), then polished by SLSQP from that split, from the recent mix scaled to the budget and from
        any ``starts`` (spend per period); the best of all these plans is returned, so the optimum is never
        below the recent mix.
        """
        grid = np.linspace(0.0, budget_per_period, GRID_UNITS + 1)
        values = np.vstack([self.horizon_media(history, c, grid, periods) for c in range(len(self.channels))])
        recent = history[list(self.channels)].tail(RECENT_PERIODS[self.frequency]).mean().to_numpy(float)
        recent_mix = recent / recent.sum() if recent.sum() > 0 else np.full(len(recent), 1.0 / len(recent))
        candidates = [grid[best_split(values)], recent_mix * budget_per_period, *starts]
        candidates += [self._polish(history, budget_per_period, periods, x) for x in candidates[:2]]
        revenues = [self.true_revenue(history, x, periods) for x in candidates]
        best = int(np.argmax(revenues))
        return np.asarray(candidates[best], dtype=float), revenues[best]

    def _polish(self, history: pd.DataFrame, budget: float, periods: int, start: np.ndarray) -> np.ndarray:
        """SLSQP over budget shares (each in [0, 1], summing to 1) from ``start``, on the media revenue.

        The base revenue does not depend on the split, so only the channels' horizon revenue is maximised;
        its gradient is each channel's own forward difference (the channels add up).
        """
        n, scale = len(self.channels), 1.0
        step = 1e-6 * budget + 1e-9

        def negative(shares: np.ndarray) -> tuple[float, np.ndarray]:
            spend = np.clip(shares, 0.0, None) * budget
            pairs = [self.horizon_media(history, c, np.array([spend[c], spend[c] + step]), periods) for c in range(n)]
            value = sum(pair[0] for pair in pairs)
            slope = np.array([(pair[1] - pair[0]) / step for pair in pairs])
            return -value / scale, -slope * budget / scale

        scale = max(abs(negative(np.asarray(start, dtype=float) / max(budget, 1e-12))[0]), 1.0)
        result = minimize(
            negative,
            np.asarray(start, dtype=float) / max(budget, 1e-12),
            jac=True,
            bounds=[(0.0, 1.0)] * n,
            constraints=[{"type": "eq", "fun": lambda shares: shares.sum() - 1.0, "jac": lambda shares: np.ones(n)}],
            method="SLSQP",
            options={"ftol": 1e-12, "maxiter": 200},
        )
        shares = np.clip(result.x, 0.0, None)
        return shares / max(shares.sum(), 1e-12) * budget

    def regret(self, history: pd.DataFrame, spend: np.ndarray, periods: int) -> dict:
        """How much true revenue the plan ``spend`` (per period) loses against the true optimum of its budget.

        Returns
        -------
        dict
            ``revenue`` (the plan's true revenue over the horizon), ``optimum`` (the true optimum's),
            ``incremental`` (the optimum's revenue above no spend in the horizon) and ``regret``
            = (optimum - revenue) / incremental.
        """
        spend = np.asarray(spend, dtype=float)
        revenue = self.true_revenue(history, spend, periods)
        _, optimum = self.true_optimum(history, float(spend.sum()), periods, starts=(spend,))
        nothing = self.true_revenue(history, np.zeros(len(self.channels)), periods)
        incremental = optimum - nothing
        return {
            "revenue": revenue,
            "optimum": optimum,
            "incremental": incremental,
            "regret": (optimum - revenue) / incremental if incremental > 0 else float("nan"),
        }


def best_split(values: np.ndarray) -> np.ndarray:
    r"""Grid steps per channel maximising :math:`\sum_c v_c(k_c)` subject to :math:`\sum_c k_c = N`.

    ``values`` is ``(channels, N + 1)``: channel ``c``'s value at ``k`` steps. Dynamic programming,
    :math:`B_c(j) = \max_{k \le j} B_{c-1}(j - k) + v_c(k)`, exact on the grid whatever the curves' shapes.
    """
    n = values.shape[1] - 1
    j, k = np.arange(n + 1)[:, None], np.arange(n + 1)[None, :]
    best, choices = values[0].astype(float), []
    for row in values[1:]:
        candidates = np.where(k <= j, best[np.clip(j - k, 0, None)] + row[k], -np.inf)
        choices.append(candidates.argmax(axis=1))
        best = candidates.max(axis=1)
    steps, left = np.zeros(len(values), dtype=int), n
    for c in range(len(values) - 1, 0, -1):
        steps[c] = choices[c - 1][left]
        left -= steps[c]
    steps[0] = left
    return steps
