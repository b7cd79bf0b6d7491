"""Benchmark of the model families on about 5,000 days of synthetic data with a known truth (not a test).

Run: ``OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/model_families.py``

For each family: the wall time of ``models.fit`` with default options, the holdout and cross-validated
scores, the median absolute relative error of ROAS against the data-generating truth, and the time of
what the dashboard computes after a fit (the result tables the background job stores) and the time
to build the results tab from them (what a user waits for once the job has ended).
A family whose module cannot be imported yet is listed as not available.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

import models
from dashboard.tabs.models.fits import FitResult, fit_meta
from dashboard.tabs.models.views import results_view
from models.datasets.synthetic import generate_demo
from models.datasets.truth import CHANNELS, channel_summary

FAMILIES = ("ridge", "lightgbm", "xgboost")
END = "2036-09-08"  # about 5,000 daily rows from the demo's start


def load_family(name: str):
    """The model class, or None when its module (or library) is not importable yet."""
    try:
        return models.model_class(name)
    except (ImportError, AttributeError):
        return None


def run_family(name: str, frame, roles, truth: dict) -> list[str]:
    """One table row: fit, score and time the dashboard's follow-up calls."""
    if load_family(name) is None:
        return [name, "not available", "", "", "", "", "", "", ""]
    start = time.perf_counter()
    fitted = models.fit(name, frame, roles)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    summary = fitted.summary()  # the tables the background job stores after the fit
    output_seconds = time.perf_counter() - start
    tables = summary.tables
    meta = fit_meta(summary, "bench", fit_seconds, {})
    start = time.perf_counter()
    results_view(name, FitResult(meta=meta, tables=tables))  # what the tab renders when the job ends
    view_seconds = time.perf_counter() - start
    roas = tables["roas"].set_index("channel")["roas"]
    errors = [abs(roas[c] / truth[c]["roas"] - 1) for c in CHANNELS]
    m = fitted.metrics
    return [
        name,
        f"{fit_seconds:.2f}",
        f"{m['r2']:.3f}",
        f"{m['mape']:.3f}",
        f"{m['nrmse']:.3f}",
        f"{m['cv_r2']:.3f}",
        f"{np.median(errors):.3f}",
        f"{output_seconds:.2f}",
        f"{view_seconds:.2f}",
    ]


def main() -> None:
    frame, _ = generate_demo(end=END)
    roles = {"date": "date", "target": "revenue", "channels": list(CHANNELS), "controls": ["price", "promo"]}
    truth = channel_summary(frame)
    cpus, python = os.cpu_count(), platform.python_version()
    print(f"{len(frame)} daily rows x {len(CHANNELS)} channels; {cpus} CPUs; Python {python}")
    print()
    header = [
        "family",
        "fit (s)",
        "holdout r2",
        "holdout mape",
        "holdout nrmse",
        "cv_r2",
        "median abs ROAS error",
        "result tables (s)",
        "tab render (s)",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in FAMILIES:
        print("| " + " | ".join(run_family(name, frame, roles, truth)) + " |", flush=True)


if __name__ == "__main__":
    main()
