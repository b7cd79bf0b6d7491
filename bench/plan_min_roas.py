"""Minimum-ROAS plans on data of several processes: is a reachable target ever called impossible? (not a test)

Run::

    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/plan_min_roas.py

For three simulated daily datasets (the demo's process with its seed; another seed with S-shaped Hill
curves, slopes 2.5-3; another seed with weaker, more concave channels), ridge and LightGBM are fitted with
default options, and ``models.optimize_budget`` is asked for minimum overall ROAS targets from 0.5 to 8 at
the recent budget over 28 days. Reported per dataset and family: the highest target met, the lowest target
refused, whether every refused target lies above every met one (a reachable target never refused), the
"best this model expects" figure in the refusals against the best ROAS actually met, whether every returned
plan meets its target by the full model's prediction, and the time per call.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import time

import numpy as np

import models
from models.datasets.synthetic import generate_demo
from models.datasets.truth import DemoTruth

PERIODS = 28
TARGETS = np.round(np.arange(0.5, 8.01, 0.25), 2)
DATASETS = {
    "demo process, seed 7": (7, DemoTruth()),
    "S-shaped, seed 101": (101, DemoTruth(slope=(2.5, 3.0, 2.8, 2.6, 3.0, 2.5))),
    "concave and weak, seed 202": (
        202,
        DemoTruth(slope=(0.8, 0.9, 1.0, 0.8, 0.9, 0.7), beta=(9000.0, 4000.0, 2500.0, 1500.0, 1200.0, 300.0)),
    ),
}
BEST = re.compile(r"the best this model expects is about ([0-9.]+)")


def run(fitted) -> dict:
    budget = float(fitted.recent_spend().sum()) * PERIODS
    met, refused, best_claims, misses, seconds = [], [], [], 0, []
    for target in TARGETS:
        started = time.perf_counter()
        try:
            plan = models.optimize_budget(fitted, budget, PERIODS, min_roas=float(target))
        except ValueError as exc:
            seconds.append(time.perf_counter() - started)
            refused.append(target)
            best_claims.extend(float(m) for m in BEST.findall(str(exc)))
            continue
        seconds.append(time.perf_counter() - started)
        roas = plan.expected["roas"]
        met.append((target, roas))
        misses += roas < target * (1 - 1e-3)
    best_met = max((r for _, r in met), default=float("nan"))
    return {
        "highest met": max((t for t, _ in met), default=float("nan")),
        "lowest refused": min(refused, default=float("nan")),
        "ordered": not met or not refused or max(t for t, _ in met) < min(refused),
        "claimed best": min(best_claims, default=float("nan")),
        "best met": best_met,
        "misses": misses,
        "seconds": float(np.median(seconds)),
    }


def main() -> None:
    machine = f"{os.cpu_count()} CPUs; Python {platform.python_version()}"
    print(f"{dt.date.today()}: {machine}; targets {TARGETS[0]}-{TARGETS[-1]}")
    print(
        "| data | family | highest target met | lowest refused | reachable never refused | 'best' claimed "
        "| best ROAS met | plans under target | s per call |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (seed, truth) in DATASETS.items():
        frame, _ = generate_demo(seed=seed, truth=truth)
        roles = {"date": "date", "target": "revenue", "channels": list(truth.channels), "controls": ["price", "promo"]}
        for family in ("ridge", "lightgbm"):
            fitted = models.fit(family, frame, roles, random_state=0, cv_folds=0)
            r = run(fitted)
            print(
                f"| {name} | {family} | {r['highest met']:.2f} | {r['lowest refused']:.2f} "
                f"| {'yes' if r['ordered'] else 'NO'} "
                f"| {r['claimed best']:.2f} | {r['best met']:.2f} | {r['misses']} | {r['seconds']:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
