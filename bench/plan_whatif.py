"""Benchmark of the Plan tab's server time (not a test).

Run: ``OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/plan_whatif.py``

For ridge and LightGBM fitted on the demo data (1,096 days, 6 channels) and stored in a real session:

* what-if: the time of the what-if callback's function (``what_if_outputs``: the cached model and horizon,
  the engine's what-if, two figures, the cards and the table) for 200 slider moves with the cache warm,
  one channel changed per move as a person would, over the default 28-day horizon. The issue asks for a
  p95 of at most 200 ms.
* optimiser: the time of the Optimise callback's function (``optimised_plan``: the engine's
  ``optimize_budget`` plus the prediction of the plan) for three requests: budget only; a lock plus
  bounds; a minimum overall ROAS. Median of 5 runs each.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import models
from dashboard import create_app
from dashboard.settings import Settings
from dashboard.tabs.data.callbacks import ingest
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.job import fit_job
from dashboard.tabs.plan.callbacks import what_if_outputs
from dashboard.tabs.plan.optimise import optimised_plan
from dashboard.tabs.plan.state import FitKey, fitted_families
from models.datasets import load_demo_bytes

FAMILIES = ("ridge", "lightgbm")
PERIODS = 28
MOVES = 200
RUNS = 5


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def what_if_moves(cache, key: FitKey, recent: dict[str, float]) -> list[float]:
    """Milliseconds per slider move: one channel to a random level between 0 and 3x its recent spend."""
    rng = np.random.default_rng(0)
    spend = dict(recent)
    what_if_outputs(cache, key, PERIODS, spend)  # warm: model and horizon in the cache
    times = []
    for _ in range(MOVES):
        channel = list(spend)[rng.integers(len(spend))]
        spend[channel] = float(rng.uniform(0, 3 * recent[channel]))
        start = time.perf_counter()
        what_if_outputs(cache, key, PERIODS, spend)
        times.append((time.perf_counter() - start) * 1000)
    return times


def optimiser_requests(channels: list[str], recent: dict[str, float]) -> dict[str, dict]:
    n = len(channels)
    base = {
        "periods": PERIODS,
        "budget": round(sum(recent.values()) * PERIODS),
        "objective": "revenue",
        "min_roas": None,
        "unit": "absolute",
        "channels": channels,
        "spend": [recent[c] for c in channels],
        "locks": [False] * n,
        "minimums": [None] * n,
        "maximums": [None] * n,
    }
    return {
        "budget only": base,
        "lock + bounds": {
            **base,
            "locks": [i == 0 for i in range(n)],
            "unit": "percent",
            "minimums": [None, 50, 50, None, None, None][:n],
            "maximums": [None, 150, None, 200, None, None][:n],
        },
        "min ROAS 1.5": {**base, "objective": "min_roas", "min_roas": 1.5},
    }


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder) / "data", secret_key="bench", sweep_interval=3600)
        app = create_app(settings)
        store, cache = app.session_store, app.plan_cache
        token = store.new_session()
        sid = store.session_id(token)
        ingest(store, sid, load_demo_bytes(), "demo.csv", settings)
        for family in FAMILIES:
            defaults = tuple(spec["default"] for spec in models.family_options(family))
            fit_job(store, family, token, 10, defaults, lambda _: None)
        version = load_dataset(store, sid).version
        fits = fitted_families(store, sid, version)
        for family in FAMILIES:
            key = FitKey(sid, family, version, fits[family]["stamp"])
            fitted = cache.model(key)
            recent = fitted.recent_spend().to_dict()
            channels = fitted.channels
            moves = what_if_moves(cache, key, recent)
            optimiser = {}
            for name, form in optimiser_requests(channels, recent).items():
                seconds = []
                for _ in range(RUNS):
                    start = time.perf_counter()
                    result = optimised_plan(cache, key, fits[family]["label"], {**form, "family": family})
                    seconds.append(time.perf_counter() - start)
                    assert "error" not in result, result
                optimiser[name] = statistics.median(seconds)
            rows.append((family, len(channels), moves, optimiser))
        store.stop_sweeper()

    print(f"Plan tab server time on {platform.machine()}, {os.cpu_count()} cores: demo data (1,096 days, 6 channels),")
    print(
        f"horizon {PERIODS} days; what-if over {MOVES} slider moves with the cache warm; optimiser median of {RUNS}.\n"
    )
    names = list(rows[0][3])
    print(
        "| model | channels | what-if p50 | what-if p95 | what-if max | "
        + " | ".join(f"optimise: {n}" for n in names)
        + " |"
    )
    print("|---" * (5 + len(names)) + "|")
    for family, n, moves, optimiser in rows:
        timing = " | ".join(f"{optimiser[name]:.2f} s" for name in names)
        print(
            f"| {family} | {n} | {percentile(moves, 50):.1f} ms | {percentile(moves, 95):.1f} ms | "
            f"{max(moves):.1f} ms | {timing} |"
        )


if __name__ == "__main__":
    main()
