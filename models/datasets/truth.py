r"""The demo data's true process: revenue of any spend plan, with a known ground truth.

The data-generating process (DGP) is written out here once, so tests and the
budget optimiser can ask it for the *true* revenue of any spend plan. Revenue
per day :math:`t` is, in currency,

.. math::

    \text{revenue}_t = b_0 + g\,t
        + A_w \cos\left(2\pi \frac{d_t - d_w}{7}\right)
        + A_y \cos\left(2\pi \frac{j_t - j_y}{365.25}\right)
        + \gamma\,(p_t - p_0) + \delta\,\text{promo}_t
        + \sum_c \beta_c\, h\left(a_c(x_c)_t;\, K_c, s_c\right)
        + \varepsilon_t, \qquad \varepsilon_t \sim N(0, \sigma^2)

with :math:`t` days since the start, :math:`d_t` the weekday (Monday = 0),
:math:`j_t` the day of the year, :math:`p_t` the price, :math:`a_c` the
normalised geometric adstock (:func:`models.transforms.geometric_adstock`)
and :math:`h` the Hill curve (:func:`models.transforms.hill_saturation`).
:mod:`models.datasets.synthetic` simulates spend, price and promotions and
writes the demo files; this module is the true process they are run through.
It also finds the true optimum of a budget split (:func:`true_optimum`), which
the planning tests and ``bench/plan_truth.py`` compare the optimiser with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from models.transforms import geometric_adstock, hill_saturation

CHANNELS = ("google", "facebook", "youtube", "instagram", "tiktok", "other")
BASE_COMPONENTS = ("baseline", "trend", "weekly_seasonality", "yearly_seasonality", "price", "promo")
DEMO_START = "2023-01-01"


@dataclass(frozen=True)
class DemoTruth:
    r"""True parameters of the demo DGP (see the module docstring).

    Per-channel tuples follow ``channels``; money is in currency per day.

    Parameters
    ----------
    channels : tuple of str
        Paid-media columns, in order.
    alpha, half_saturation, slope : tuple of float
        Daily adstock decay in ``[0, 1)``; Hill :math:`K_c` (adstocked spend
        per day giving half of ``beta``); Hill shape :math:`s_c > 0`.
    beta : tuple of float
        Largest possible daily revenue from the channel (Hill tends to 1).
    baseline : float
        Revenue level :math:`b_0` on the start day with no media.
    trend_per_day : float
        Linear growth :math:`g` of the baseline, per day.
    weekly_amplitude, weekly_peak_day : float, int
        :math:`A_w` and the peak weekday :math:`d_w` (Monday = 0).
    yearly_amplitude, yearly_peak_day : float, int
        :math:`A_y` and the peak day of the year :math:`j_y`.
    reference_price, price_effect : float
        :math:`p_0` and :math:`\gamma`, revenue per unit of price above
        :math:`p_0` (negative: discounts raise revenue).
    promo_uplift : float
        :math:`\delta`, extra revenue on a promotion day.
    noise_sd : float
        :math:`\sigma` of the Gaussian day-to-day noise.
    start : str
        Day :math:`t = 0` of the trend (ISO date).
    """

    channels: tuple[str, ...] = CHANNELS
    alpha: tuple[float, ...] = (0.3, 0.5, 0.8, 0.5, 0.4, 0.2)
    half_saturation: tuple[float, ...] = (3500.0, 2200.0, 1300.0, 900.0, 700.0, 400.0)
    slope: tuple[float, ...] = (1.2, 1.5, 1.8, 1.3, 1.8, 1.0)
    beta: tuple[float, ...] = (14000.0, 7000.0, 3800.0, 2500.0, 2000.0, 400.0)
    baseline: float = 26000.0
    trend_per_day: float = 4.0
    weekly_amplitude: float = 1500.0
    weekly_peak_day: int = 6
    yearly_amplitude: float = 3500.0
    yearly_peak_day: int = 340
    reference_price: float = 20.0
    price_effect: float = -1000.0
    promo_uplift: float = 3000.0
    noise_sd: float = 2000.0
    start: str = DEMO_START

    def __post_init__(self) -> None:
        sizes = {len(getattr(self, name)) for name in _CHANNEL_FIELDS}
        if sizes != {len(self.channels)}:
            raise ValueError("every per-channel parameter needs one value per channel")

    def channel_parameters(self) -> dict[str, dict[str, float]]:
        """Return ``{channel: {alpha, half_saturation, slope, beta}}``."""
        return {
            name: {field: getattr(self, field)[i] for field in _CHANNEL_FIELDS} for i, name in enumerate(self.channels)
        }

    def global_parameters(self) -> dict[str, float | int | str]:
        """Return every parameter that is not per channel."""
        skip = {"channels", *_CHANNEL_FIELDS}
        return {key: value for key, value in asdict(self).items() if key not in skip}


_CHANNEL_FIELDS = ("alpha", "half_saturation", "slope", "beta")
DEFAULT_TRUTH = DemoTruth()


def media_effect(spend: pd.DataFrame | np.ndarray, truth: DemoTruth = DEFAULT_TRUTH) -> pd.DataFrame | np.ndarray:
    r"""True daily revenue from each channel's spend.

    .. math:: m_{c,t} = \beta_c \, h\big(a_c(x_c)_t;\, K_c, s_c\big)

    with :math:`a_c` the normalised geometric adstock (decay ``alpha``, spend
    before the first row counted as zero) and :math:`h` the Hill curve.

    Parameters
    ----------
    spend : pandas.DataFrame or numpy.ndarray
        Daily spend: a frame with the ``truth.channels`` columns, or an array
        of shape ``(n_days, n_channels)`` in ``truth.channels`` order.
    truth : DemoTruth
        Parameters.

    Returns
    -------
    pandas.DataFrame or numpy.ndarray
        Contribution in currency per day and channel; a frame (same index,
        columns ``truth.channels``) for a frame, else an array.
    """
    is_frame = isinstance(spend, pd.DataFrame)
    values = spend[list(truth.channels)].to_numpy(float) if is_frame else spend
    adstocked = geometric_adstock(values, truth.alpha, normalize=True)
    effect = steady_state_effect(adstocked, truth)
    if is_frame:
        return pd.DataFrame(effect, index=spend.index, columns=list(truth.channels))
    return effect


def steady_state_effect(daily_spend: Sequence[float] | np.ndarray, truth: DemoTruth = DEFAULT_TRUTH) -> np.ndarray:
    r"""True long-run daily revenue per channel when spend stays constant.

    Normalised adstock of a constant :math:`x_c` converges to :math:`x_c`, so
    the response is :math:`\beta_c h(x_c; K_c, s_c)`. ``daily_spend`` has the
    channel axis last (``truth.channels`` order); the optimum of a daily budget
    split can be found on this function.
    """
    daily = np.asarray(daily_spend, dtype=float)
    return np.asarray(truth.beta) * hill_saturation(daily, truth.half_saturation, truth.slope)


def decompose(frame: pd.DataFrame, truth: DemoTruth = DEFAULT_TRUTH) -> pd.DataFrame:
    """True noise-free revenue components of each day, in currency.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``date`` (consecutive days), ``price``, ``promo`` and the
        ``truth.channels`` spend columns.
    truth : DemoTruth
        Parameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``date``, :data:`BASE_COMPONENTS` and one per channel. Their
        sum over the non-date columns is the expected revenue; the demo's
        ``revenue`` adds Gaussian noise to it.
    """
    dates = pd.to_datetime(frame["date"])
    days = (dates - pd.Timestamp(truth.start)).dt.days.to_numpy(float)
    weekday = dates.dt.day_of_week.to_numpy(float)
    yearday = dates.dt.day_of_year.to_numpy(float)
    parts = pd.DataFrame(
        {
            "date": dates.to_numpy(),
            "baseline": np.full(len(frame), truth.baseline),
            "trend": truth.trend_per_day * days,
            "weekly_seasonality": truth.weekly_amplitude * np.cos(2 * np.pi * (weekday - truth.weekly_peak_day) / 7),
            "yearly_seasonality": truth.yearly_amplitude
            * np.cos(2 * np.pi * (yearday - truth.yearly_peak_day) / 365.25),
            "price": truth.price_effect * (frame["price"].to_numpy(float) - truth.reference_price),
            "promo": truth.promo_uplift * frame["promo"].to_numpy(float),
        },
        index=frame.index,
    )
    return pd.concat([parts, media_effect(frame, truth)], axis=1)


def expected_revenue(frame: pd.DataFrame, truth: DemoTruth = DEFAULT_TRUTH) -> pd.Series:
    """True noise-free revenue per day: the sum of :func:`decompose`."""
    return decompose(frame, truth).drop(columns="date").sum(axis=1)


def future_revenue(history: pd.DataFrame, future: pd.DataFrame, truth: DemoTruth = DEFAULT_TRUTH) -> pd.Series:
    """True noise-free revenue of the ``future`` rows, the ``history`` rows' spend carrying over into them.

    Both frames have ``date``, ``price``, ``promo`` and the channel columns; ``future`` follows ``history``.
    """
    columns = ["date", *truth.channels, "price", "promo"]
    frame = pd.concat([history[columns], future[columns]], ignore_index=True)
    return expected_revenue(frame, truth).iloc[len(history) :].reset_index(drop=True)


def channel_summary(frame: pd.DataFrame, truth: DemoTruth = DEFAULT_TRUTH) -> dict:
    """True totals, ROAS and marginal ROAS per channel over the frame's days.

    ``roas`` = total contribution / total spend. ``mroas`` = extra revenue
    from 1 % more spend on every day of that channel / the extra spend.
    Both count revenue inside the window only: carry-over past the last day
    is left out (for YouTube, decay 0.8, about four days' worth of effect).

    Returns
    -------
    dict
        ``{channel: {alpha, half_saturation, slope, beta, total_spend,
        total_contribution, contribution_share, roas, mroas}}``; plain floats.
    """
    spend = frame[list(truth.channels)].astype(float)
    contribution = media_effect(spend, truth).sum()
    # Channels are additive, so raising all of them at once gives each one's gain.
    gain = media_effect(spend * 1.01, truth).sum() - contribution
    summary = truth.channel_parameters()
    for name in truth.channels:
        total = float(spend[name].sum())
        summary[name].update(
            total_spend=total,
            total_contribution=float(contribution[name]),
            contribution_share=float(contribution[name] / contribution.sum()),
            roas=float(contribution[name] / total),
            mroas=float(gain[name] / (0.01 * total)),
        )
    return summary


def true_horizon_revenue(model, spend: Sequence[float], periods: int, truth: DemoTruth = DEFAULT_TRUTH) -> float:
    """True noise-free revenue over a fitted model's next ``periods`` periods at ``spend`` per period.

    ``spend`` follows ``truth.channels``; the data's last spend carries over into the horizon and the
    controls are held as the model holds them (:meth:`~models.families.base.MediaMixModel.future_frame`).
    ``model`` is a fitted model on the demo data (any :class:`models.planning.PlannableModel`).
    """
    date = model.roles["date"]
    plan = pd.DataFrame({date: model.future_dates(periods), **dict(zip(truth.channels, spend))})
    future = model.future_frame(plan).rename(columns={date: "date"})
    history = model.history().rename(columns={date: "date"})
    return float(future_revenue(history, future, truth).sum())


def true_optimum(model, per_period: float, periods: int, truth: DemoTruth = DEFAULT_TRUTH) -> tuple[np.ndarray, float]:
    """The split of ``per_period`` spend that maximises :func:`true_horizon_revenue`, and that revenue.

    Found by optimising the true process directly: SLSQP over the shares of the budget (each in
    ``[0, 1]``, summing to 1), from an even split and from the model's recent mix; the better end wins.
    """
    n = len(truth.channels)
    recent = model.recent_spend()[list(truth.channels)].to_numpy(float)

    def negative(shares: np.ndarray) -> float:
        return -true_horizon_revenue(model, shares * per_period, periods, truth) / 1e6

    best, value = None, -np.inf
    for start in (np.full(n, 1 / n), recent / recent.sum()):
        result = minimize(
            negative,
            start,
            bounds=[(0, 1)] * n,
            constraints=[{"type": "eq", "fun": lambda shares: shares.sum() - 1}],
            method="SLSQP",
            options={"ftol": 1e-12, "maxiter": 300},
        )
        revenue = true_horizon_revenue(model, result.x * per_period, periods, truth)
        if revenue > value:
            best, value = result.x * per_period, revenue
    return best, value
