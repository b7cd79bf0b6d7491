"""The demo dataset: simulated daily spend, price and promotions, run through the true process.

Spend per channel follows campaigns, weekdays and flights (:func:`simulate_spend`); price has discount
weeks and there are promotion days (:func:`simulate_price_promo`); revenue is the true process of
:mod:`models.datasets.truth` plus Gaussian noise. Run ``python -m models.datasets.synthetic`` to rewrite
``models/datasets/demo_daily.csv`` and ``demo_daily_truth.json``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from models.datasets import DATASETS_DIR
from models.datasets.truth import CHANNELS, DEFAULT_TRUTH, DemoTruth, channel_summary, decompose

DEMO_COLUMNS = ("date", *CHANNELS, "price", "promo", "revenue")
DEFAULT_SEED = 20230101
DEMO_END = "2025-12-31"

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


DESCRIPTION = (
    "Synthetic daily data of a fictional online shop (models/datasets/synthetic.py). "
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
    """Command line: ``python -m models.datasets.synthetic [--out-dir DIR] [--seed N]``."""
    parser = argparse.ArgumentParser(description="Write the demo MMM dataset.")
    parser.add_argument("--out-dir", default=str(DATASETS_DIR))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    for path in write_demo(args.out_dir, args.seed):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
