"""Bootstrap intervals of the point families: added time, stability, coverage and width (not a test).

Run::

    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/intervals.py                 # all three parts
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/intervals.py --part time     # or stability, coverage

- **time**: on about 5,000 daily rows of the demo's process, the point fit, ``estimate_intervals()`` with the
  family's default replicate count, the result tables with intervals (``summary()``), a what-if and a budget
  optimisation with and without intervals (planning evaluates every replicate).
- **stability**: on the shipped demo, the Monte Carlo spread of the 90% ROAS interval's ends over three
  bootstrap seeds (the point fit held), as a share of the interval's width, per replicate count.
- **methods** (not in ``all``; minutes): the 90% ROAS interval of bootstraps of 30 replicates on the five
  variants x :data:`SEEDS`, three years each. Ridge: around the point fit refitting with the tuned settings,
  around the point fit re-running the whole search per replicate, and the shipped worlds drawn from the
  plausible set (``models.families.bootstrap``); LightGBM: around its own fit (decays re-chosen, reseeded)
  and the shipped worlds.
- **coverage**: five variants of the demo's process (:data:`VARIANTS`: the demo, S-shaped curves, concave and
  weaker channels, long carry-over with more noise, strong saturation) x :data:`SEEDS`, two and four years
  of daily data: the share of channels whose true ROAS (``models.datasets.truth.channel_summary``) lies in the
  interval, and the interval's median width over the true ROAS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time

import numpy as np
import pandas as pd

import models
from models.data import read_upload
from models.datasets import load_demo_bytes
from models.datasets.synthetic import generate_demo
from models.datasets.truth import DemoTruth, channel_summary
from models.families.base import no_progress
from models.families.bootstrap import BLOCK_PERIODS, bounds, moving_blocks

FAMILIES = ("ridge", "lightgbm", "xgboost")
END_5000 = "2036-09-08"  # about 5,000 daily rows from the demo's start
ENDS = {"2 years": "2024-12-31", "4 years": "2026-12-31"}
SEEDS = (1, 2, 3)
REPLICATE_COUNTS = (10, 20, 30, 50, 100)
VARIANTS = {
    "demo": {},
    "s-shaped": {"slope": (2.5, 3.0, 2.5, 2.8, 3.0, 2.5)},
    "concave, weaker": {
        "slope": (0.7, 0.8, 0.9, 0.7, 0.8, 0.6),
        "beta": (9000.0, 6000.0, 3000.0, 2500.0, 1500.0, 600.0),
    },
    "long carry-over, noisier": {"alpha": (0.6, 0.7, 0.85, 0.6, 0.5, 0.4), "noise_sd": 3000.0},
    "strong saturation": {
        "half_saturation": (1500.0, 1000.0, 700.0, 400.0, 300.0, 200.0),
        "beta": (9000.0, 5000.0, 3000.0, 2000.0, 1500.0, 400.0),
    },
}


def simulated(variant: str, seed: int, end: str) -> tuple[pd.DataFrame, dict, dict]:
    """A variant's data, roles and true ROAS per channel."""
    truth = DemoTruth(**VARIANTS[variant])
    frame, _ = generate_demo(seed=seed, truth=truth, end=end)
    roles = {"date": "date", "target": "revenue", "channels": list(truth.channels), "controls": ["price", "promo"]}
    return frame, roles, {c: v["roas"] for c, v in channel_summary(frame, truth).items()}


def timed(call, *args, **kwargs):
    """``call(*args, **kwargs)`` and the seconds it took."""
    started = time.perf_counter()
    result = call(*args, **kwargs)
    return result, time.perf_counter() - started


def planning_seconds(fitted) -> tuple[float, float]:
    """Seconds of a 28-day what-if at the recent spend and of optimising the same budget."""
    spend = fitted.recent_spend().to_dict()
    _, what_if = timed(models.what_if, fitted, spend, 28)
    _, optimise = timed(models.optimize_budget, fitted, float(sum(spend.values())) * 28, 28)
    return what_if, optimise


def time_part() -> None:
    frame, roles, _ = simulated("demo", 20230101, END_5000)
    print(f"### Added time on {len(frame):,} daily rows\n")
    print(
        "| family | replicates | fit (s) | estimate_intervals (s) | summary() with intervals (s) "
        "| what-if / optimise (s) | the same without intervals (s) | saved model (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for family in FAMILIES:
        fitted, fit_s = timed(models.fit, family, frame, roles)
        point_what, point_opt = planning_seconds(fitted)
        _, boot_s = timed(fitted.estimate_intervals)
        _, summary_s = timed(fitted.summary)
        what_s, opt_s = planning_seconds(fitted)
        size = len(fitted.to_bytes()) / 1e6
        print(
            f"| {family} | {fitted.interval_summary()['replicates']} | {fit_s:.2f} | {boot_s:.1f} | {summary_s:.1f} "
            f"| {what_s:.2f} / {opt_s:.2f} | {point_what:.2f} / {point_opt:.2f} | {size:.1f} |"
        )
    print()


def stability_part() -> None:
    upload = read_upload(load_demo_bytes(), "demo_daily.csv")
    print("### Monte Carlo spread of the interval ends (shipped demo, 1,096 days)\n")
    print("| family | replicates | seconds | spread of lower / width | spread of upper / width | median width |")
    print("|---|---|---|---|---|---|")
    for family in ("ridge", "lightgbm"):
        fitted = models.fit(family, upload.frame, upload.roles)
        for count in REPLICATE_COUNTS:
            lows, highs, seconds = [], [], []
            for seed in range(3):
                fitted.random_state = seed  # the bootstrap's seed; the point fit stays
                _, took = timed(fitted.estimate_intervals, replicates=count)
                table = fitted.roas()
                lows.append(table["lower"].to_numpy())
                highs.append(table["upper"].to_numpy())
                seconds.append(took)
            width = np.mean(highs, axis=0) - np.mean(lows, axis=0)
            spread_low = np.median(np.std(lows, axis=0) / width)
            spread_high = np.median(np.std(highs, axis=0) / width)
            print(
                f"| {family} | {count} | {np.mean(seconds):.1f} | {spread_low:.1%} | {spread_high:.1%} "
                f"| {np.median(width):.2f} |"
            )
    print()


def around_the_point_fit(fitted, retune: bool, count: int = 30) -> np.ndarray:
    """ROAS draws (count, C) of a residual block bootstrap around the point fit: tuned settings or a new search."""
    target, channels = fitted.roles_["target"], fitted.roles_["channels"]
    train = fitted.data_.iloc[: fitted.holdout_start_].reset_index(drop=True)
    expected = fitted.predict_frame(train)
    residuals = train[target].to_numpy(float) - expected
    spend = fitted.data_[channels].sum().to_numpy(float)
    draws = []
    for i in range(count):
        star = train.copy()
        star[target] = expected + moving_blocks(
            residuals - residuals.mean(), BLOCK_PERIODS["daily"], np.random.default_rng(i)
        )
        replicate = fitted._replicate_shell()
        replicate.random_state = 1000 + i
        replicate._fit_family(star, no_progress, reuse=not retune)
        draws.append(replicate._channel_totals(fitted.data_) / spend)
    return np.array(draws)


METHODS = {  # family -> the bootstraps compared (the tree families have no search to repeat)
    "ridge": ("tuned settings", "search per replicate", "plausible worlds"),
    "lightgbm": ("own refit around the point fit", "plausible worlds"),
}


def method_bounds(fitted, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The 90% ROAS interval of one bootstrap (30 replicates) of ``fitted``."""
    if method == "plausible worlds":
        table = fitted.estimate_intervals(replicates=30).roas()
        return table["lower"].to_numpy(float), table["upper"].to_numpy(float)
    point = fitted.roas()["roas"].to_numpy(float)
    retune = method != "tuned settings"  # ridge: a new search; trees: new decays and seed
    return bounds(around_the_point_fit(fitted, retune), point, 0.0)


def methods_part() -> None:
    rows = []
    for variant in VARIANTS:
        for seed in SEEDS:
            frame, roles, truth = simulated(variant, seed, "2025-12-31")
            true = np.array([truth[c] for c in roles["channels"]])
            for family, methods in METHODS.items():
                fitted = models.fit(family, frame, roles, random_state=seed)
                for method in methods:
                    (low, high), seconds = timed(method_bounds, fitted, method)
                    rows += [
                        {"family": family, "method": method, "covered": lo <= t <= hi, "width": (hi - lo) / t}
                        | {"seconds": seconds}
                        for lo, hi, t in zip(low, high, true)
                    ]
            print(f"  {variant}, seed {seed} done", flush=True)
    table = pd.DataFrame(rows)
    print("\n### Three bootstraps, 30 replicates (5 variants x 3 seeds x 6 channels, 3 years daily)\n")
    print("| family | method | coverage | median width | seconds per fit (1,096 rows) |")
    print("|---|---|---|---|---|")
    for (family, method), cell in table.groupby(["family", "method"], sort=False):
        print(
            f"| {family} | {method} | {cell['covered'].mean():.0%} | {cell['width'].median():.2f} "
            f"| {cell['seconds'].mean():.1f} |"
        )
    print()


def coverage_part(families: tuple[str, ...]) -> None:
    rows = []
    for variant in VARIANTS:
        for length, end in ENDS.items():
            for seed in SEEDS:
                frame, roles, truth = simulated(variant, seed, end)
                for family in families:
                    fitted = models.fit(family, frame, roles, random_state=seed)
                    _, seconds = timed(fitted.estimate_intervals)
                    for _, row in fitted.roas().iterrows():
                        true = truth[row["channel"]]
                        rows.append(
                            {
                                "family": family,
                                "variant": variant,
                                "length": length,
                                "seed": seed,
                                "channel": row["channel"],
                                "covered": row["lower"] <= true <= row["upper"],
                                "width": (row["upper"] - row["lower"]) / true,
                                "error": abs(row["roas"] / true - 1),
                                "seconds": seconds,
                            }
                        )
                print(f"  {variant}, {length}, seed {seed} done", flush=True)
    table = pd.DataFrame(rows)
    print(f"\n### Coverage of the true ROAS ({len(SEEDS)} seeds x 6 channels per cell)\n")
    print("| family | data | " + " | ".join(VARIANTS) + " | all | median width | median ROAS error |")
    print("|---|---|" + "---|" * (len(VARIANTS) + 3))
    for (family, length), cell in table.groupby(["family", "length"], sort=False):
        covered = cell.groupby("variant")["covered"].mean()
        print(
            f"| {family} | {length} | "
            + " | ".join(f"{covered[v]:.0%}" for v in VARIANTS)
            + f" | **{cell['covered'].mean():.0%}** | {cell['width'].median():.2f} | {cell['error'].median():.0%} |"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description="Bootstrap intervals: time, stability, coverage.")
    parser.add_argument("--part", choices=("time", "stability", "coverage", "methods", "all"), default="all")
    parser.add_argument("--families", default=",".join(FAMILIES))
    args = parser.parse_args()
    print(f"{dt.date.today()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}\n")
    if args.part in ("time", "all"):
        time_part()
    if args.part in ("stability", "all"):
        stability_part()
    if args.part == "methods":
        methods_part()
    if args.part in ("coverage", "all"):
        coverage_part(tuple(args.families.split(",")))


if __name__ == "__main__":
    main()
