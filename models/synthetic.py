r"""The demo dataset: daily media spend and revenue with a known ground truth.

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
Run ``python -m models.synthetic`` to rewrite ``models/datasets/demo_daily.csv``
and ``demo_daily_truth.json``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.transforms import geometric_adstock, hill_saturation

CHANNELS = ("google", "facebook", "youtube", "instagram", "tiktok", "other")
DEMO_COLUMNS = ("date", *CHANNELS, "price", "promo", "revenue")
BASE_COMPONENTS = ("baseline", "trend", "weekly_seasonality", "yearly_seasonality", "price", "promo")
DEFAULT_SEED = 20230101
DEMO_START, DEMO_END = "2023-01-01", "2025-12-31"
DATASETS_DIR = Path(__file__).resolve().parent / "datasets"


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

# Spend profile per channel: mean per day, weekday multipliers (Mon..Sun),
# sd of log campaign level, sd of log daily noise. Campaign levels are drawn
# independently per channel, which keeps channels apart (low collinearity).
_SPEND_PROFILES = {
    "google": (3000.0, (1.10, 1.08, 1.05, 1.02, 0.95, 0.85, 0.95), 0.35, 0.12),
    "facebook": (2000.0, (0.95, 0.95, 0.95, 1.00, 1.05, 1.05, 1.05), 0.45, 0.15),
    "youtube": (1200.0, (1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00), 0.30, 0.10),
    "instagram": (800.0, (0.90, 0.90, 0.95, 1.00, 1.05, 1.10, 1.10), 0.40, 0.20),
    "tiktok": (500.0, (0.90, 0.90, 0.95, 1.00, 1.05, 1.10, 1.10), 0.45, 0.20),
    "other": (300.0, (1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00), 0.25, 0.25),
}
_YOUTUBE_FLIGHT_DAYS, _YOUTUBE_DARK_DAYS = (14, 35), (7, 21)
_TIKTOK_GROWTH = (0.4, 1.6)
_OTHER_ZERO_SHARE = 0.05
_LIST_PRICE = 20.0


def _alternating_mask(
    n_days: int, off_days: tuple[int, int], on_days: tuple[int, int], rng: np.random.Generator
) -> np.ndarray:
    """Boolean mask of alternating off/on runs with uniform integer lengths."""
    n_runs = n_days // (off_days[0] + on_days[0]) + 2
    off = rng.integers(off_days[0], off_days[1] + 1, size=n_runs)
    on = rng.integers(on_days[0], on_days[1] + 1, size=n_runs)
    lengths = np.column_stack([off, on]).ravel()
    states = np.tile([False, True], n_runs)
    return np.repeat(states, lengths)[:n_days]


def _campaign_levels(n_days: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Mean-one log-normal spend level, constant within 2-6 week campaigns."""
    lengths = rng.integers(14, 43, size=n_days // 14 + 1)
    levels = rng.lognormal(-(sigma**2) / 2, sigma, size=lengths.size)
    return np.repeat(levels, lengths)[:n_days]


def simulate_spend(n_days: int, start: str | pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """Simulate daily spend per channel (currency per day, never negative).

    Spend = mean x weekday multiplier x campaign level x log-normal noise.
    YouTube runs in flights (2-5 weeks on, 1-3 weeks dark), TikTok grows
    linearly from 0.4x to 1.6x its mean, and ``other`` is off on about 5 % of
    days.

    Parameters
    ----------
    n_days : int
        Number of consecutive days.
    start : str or pandas.Timestamp
        First day.
    rng : numpy.random.Generator
        Source of randomness (draws are consumed in a fixed order).

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` and one per channel in :data:`CHANNELS`, rounded to
        cents.
    """
    dates = pd.date_range(start, periods=n_days, freq="D")
    weekday = dates.day_of_week.to_numpy()
    frame = pd.DataFrame({"date": dates})
    for name in CHANNELS:
        mean, weekly, campaign_sd, noise_sd = _SPEND_PROFILES[name]
        spend = (
            mean
            * np.asarray(weekly)[weekday]
            * _campaign_levels(n_days, campaign_sd, rng)
            * rng.lognormal(-(noise_sd**2) / 2, noise_sd, size=n_days)
        )
        if name == "youtube":
            on = _alternating_mask(n_days, _YOUTUBE_DARK_DAYS, _YOUTUBE_FLIGHT_DAYS, rng)
            spend *= on / on.mean()
        elif name == "tiktok":
            spend *= np.linspace(*_TIKTOK_GROWTH, n_days)
        elif name == "other":
            spend *= rng.random(n_days) >= _OTHER_ZERO_SHARE
        frame[name] = np.round(spend, 2)
    return frame


def simulate_price_promo(n_days: int, rng: np.random.Generator) -> pd.DataFrame:
    """Simulate the price (about 20, with discount weeks) and promotion days.

    Price is 20 with small daily noise (sd 0.25), cut by 10-25 % during
    discount runs of 3-10 days (about 10 % of days). ``promo`` is 1 during
    promotion runs of 1-4 days (about 10 % of days), independent of price.

    Returns
    -------
    pandas.DataFrame
        Columns ``price`` (rounded to cents) and ``promo`` (0/1 integers).
    """
    discounted = _alternating_mask(n_days, (30, 90), (3, 10), rng)
    depth = rng.choice([0.10, 0.15, 0.20, 0.25], size=n_days)
    runs = np.cumsum(np.r_[True, np.diff(discounted)]) - 1
    cut = np.where(discounted, depth[runs], 0.0)
    price = _LIST_PRICE * (1 - cut) + rng.normal(0, 0.25, n_days)
    promo = _alternating_mask(n_days, (12, 34), (1, 4), rng)
    return pd.DataFrame({"price": np.round(price, 2), "promo": promo.astype(int)})


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


DESCRIPTION = (
    "Synthetic daily data of a fictional online shop (models/synthetic.py). "
    "revenue = baseline + trend_per_day*t + weekly_amplitude*cos(2pi(weekday-weekly_peak_day)/7) "
    "+ yearly_amplitude*cos(2pi(dayofyear-yearly_peak_day)/365.25) + price_effect*(price-reference_price) "
    "+ promo_uplift*promo + sum_c beta_c*hill(adstock_c(spend_c)) + N(0, noise_sd^2); t = days since start, "
    "weekday Monday=0. adstock_c: normalised unbounded geometric adstock, daily decay alpha_c, zero before the "
    "first day; hill(x) = x^s/(x^s+K^s). ROAS and mROAS (+1% spend) use the CSV's rounded spend and count "
    "revenue inside the window only."
)


def generate_demo(
    seed: int = DEFAULT_SEED, truth: DemoTruth = DEFAULT_TRUTH, end: str = DEMO_END
) -> tuple[pd.DataFrame, dict]:
    """Simulate the demo dataset and its ground truth.

    Parameters
    ----------
    seed : int
        Seed of :func:`numpy.random.default_rng`; same seed, same data.
    truth : DemoTruth
        Parameters; the data run from ``truth.start`` to ``end`` daily.
    end : str
        Last day (ISO date).

    Returns
    -------
    frame : pandas.DataFrame
        Columns :data:`DEMO_COLUMNS`; money rounded to cents.
    truth_dict : dict
        JSON-serialisable parameters, per-channel totals, ROAS and mROAS,
        media share of revenue, seed and a description of the process.
    """
    rng = np.random.default_rng(seed)
    n_days = len(pd.date_range(truth.start, end, freq="D"))
    frame = simulate_spend(n_days, truth.start, rng)
    frame = pd.concat([frame, simulate_price_promo(n_days, rng)], axis=1)
    components = decompose(frame, truth)
    noise = rng.normal(0.0, truth.noise_sd, n_days)
    frame["revenue"] = np.round(components.drop(columns="date").sum(axis=1) + noise, 2)
    if not (frame["revenue"] > 0).all():
        raise ValueError("these parameters give non-positive revenue on some days")
    return frame[list(DEMO_COLUMNS)], _truth_dict(frame, truth, seed, components)


def _truth_dict(frame: pd.DataFrame, truth: DemoTruth, seed: int, components: pd.DataFrame) -> dict:
    """Assemble the JSON-serialisable ground truth of a generated frame."""
    media = float(components[list(truth.channels)].to_numpy().sum())
    revenue = float(frame["revenue"].sum())
    return {
        "description": DESCRIPTION,
        "seed": int(seed),
        "start": frame["date"].iloc[0].strftime("%Y-%m-%d"),
        "end": frame["date"].iloc[-1].strftime("%Y-%m-%d"),
        "n_days": len(frame),
        "frequency": "D",
        "columns": list(DEMO_COLUMNS),
        "parameters": truth.global_parameters(),
        "channels": channel_summary(frame, truth),
        "total_revenue": revenue,
        "total_media_contribution": media,
        "media_share_of_revenue": media / revenue,
        "mean_daily_revenue": revenue / len(frame),
    }


def write_demo(out_dir: str | Path = DATASETS_DIR, seed: int = DEFAULT_SEED) -> tuple[Path, Path]:
    """Write ``demo_daily.csv`` and ``demo_daily_truth.json`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame, truth = generate_demo(seed)
    csv_path, json_path = out / "demo_daily.csv", out / "demo_daily_truth.json"
    frame.to_csv(csv_path, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    json_path.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return csv_path, json_path


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m models.synthetic [--out-dir DIR] [--seed N]``."""
    parser = argparse.ArgumentParser(description="Write the demo MMM dataset.")
    parser.add_argument("--out-dir", default=str(DATASETS_DIR))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    for path in write_demo(args.out_dir, args.seed):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
