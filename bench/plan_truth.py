"""How good are the optimised budgets? The model's optimum against the demo's true optimum (not a test).

Run::

    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/plan_truth.py

For each model family fitted on the shipped demo data (1,096 days, defaults; the Bayesian model with
2 chains x 1000 + 1000), and budgets of 1x and 1.5x the recent spend over the next 28 days:
``models.optimize_budget`` is timed, and the true revenue of its split (the demo's data-generating
process, with the data's last spend carrying over and controls as the model holds them) is compared
with the true optimum, found by optimising the true process directly (SLSQP, two starts:
``models.datasets.truth.true_optimum``, the same function the planning tests use), and with
keeping today's mix. Gaps are shares of the true optimum's revenue: of total revenue over the horizon
(what the tests assert: at most 2% for ridge and Bayesian) and of the media part alone (revenue above
no spend in the horizon), which is the harder measure.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time

import numpy as np

import models
from models.data import read_upload
from models.datasets import load_demo_bytes
from models.datasets.truth import CHANNELS, true_horizon_revenue, true_optimum

PERIODS = 28
FAMILIES = {"ridge": {}, "lightgbm": {}, "xgboost": {}, "bayesian": {}}


def main(families: list[str]) -> None:
    upload = read_upload(load_demo_bytes(), "demo.csv")
    print(
        f"{dt.date.today()}: demo {len(upload.frame)} days; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print()
    print("| model | budget | optimise s | true gap: total | true gap: media | today's mix gap: media |")
    print("|---|---|---|---|---|---|")
    for name in families:
        fitted = models.fit(name, upload.frame, upload.roles, random_state=0, **FAMILIES[name])
        recent = fitted.recent_spend()[list(CHANNELS)].to_numpy()
        nothing = true_horizon_revenue(fitted, np.zeros(len(CHANNELS)), PERIODS)
        for scale in (1.0, 1.5):
            budget = recent.sum() * PERIODS * scale
            models.optimize_budget(fitted, budget, PERIODS)  # warm-up (imports)
            times = []
            for _ in range(3):
                start = time.perf_counter()
                plan = models.optimize_budget(fitted, budget, PERIODS)
                times.append(time.perf_counter() - start)
            optimal = plan.allocation.set_index("channel").loc[list(CHANNELS), "optimal"].to_numpy()
            got = true_horizon_revenue(fitted, optimal, PERIODS)
            _, best = true_optimum(fitted, budget / PERIODS, PERIODS)
            today = true_horizon_revenue(fitted, recent * scale, PERIODS)
            print(
                f"| {name} | {scale:g}x recent | {min(times):.2f} | {(best - got) / best:.2%} | "
                f"{(best - got) / (best - nothing):.1%} | {(best - today) / (best - nothing):.1%} |",
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1:] or list(FAMILIES))
