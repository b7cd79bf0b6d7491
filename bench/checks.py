"""Benchmark of the checks: the time ``run_checks`` adds per family, and what the checks and compare() say.

Run: ``OMP_WAIT_POLICY=passive PYTENSOR_FLAGS=blas__ldflags=-lopenblas PYTHONPATH=. .venv/bin/python bench/checks.py``
(``--families ridge lightgbm`` for a subset, ``--rows 1096`` for one size).

Data: the demo's true process (``generate_demo``; 1,096 days is the shipped demo's span, 5,000 days runs
to 2036-09-08), default options, 10% holdout, 3 CV folds. For each family: the fit (the per-fold ROAS
the stability check reads is recorded inside it), the cheap checks (``checks()`` on a fresh fit: its
contributions and ROAS are computed there and cached), ``run_checks()`` (the placebo and twin refits),
the statuses, and the true median ROAS error; then what ``models.compare`` recommends.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import models
from models.datasets.synthetic import generate_demo
from models.datasets.truth import CHANNELS, channel_summary

ENDS = {1096: "2025-12-31", 5000: "2036-09-08"}
ROLES = {"date": "date", "target": "revenue", "channels": list(CHANNELS), "controls": ["price", "promo"]}


def run_family(name: str, frame, truth: dict) -> tuple[list[str], object]:
    """One table row (times, statuses, values, true error) and the fitted model."""
    start = time.perf_counter()
    fitted = models.fit(name, frame, ROLES)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    fitted.checks()
    cheap_seconds = time.perf_counter() - start
    start = time.perf_counter()
    table = fitted.run_checks().set_index("check")
    refit_seconds = time.perf_counter() - start
    roas = fitted.roas().set_index("channel")["roas"]
    error = np.median([abs(roas[c] / truth[c]["roas"] - 1) for c in CHANNELS])
    statuses = " ".join(f"{check.split()[0].lower()}:{row.status}" for check, row in table.iterrows())
    row = [
        name,
        f"{fit_seconds:.1f}",
        f"{cheap_seconds:.2f}",
        f"{refit_seconds:.1f}",
        f"{table.loc['Placebo channel', 'value']:.0%}",
        f"{table.loc['Simulated twin', 'value']:.0%}",
        f"{table.loc['ROAS stability', 'value']:.0%}",
        f"{error:.0%}",
        statuses,
    ]
    return row, fitted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=list(models.MODEL_NAMES))
    parser.add_argument("--rows", nargs="+", type=int, default=sorted(ENDS), choices=sorted(ENDS))
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}")
    header = "| family | fit (s) | checks() (s) | run_checks (s) | placebo share | twin error | ROAS spread "
    header += "| true ROAS error | statuses |"
    for rows in args.rows:
        frame, _ = generate_demo(end=ENDS[rows])
        truth = channel_summary(frame)
        print(f"\n{len(frame)} days\n\n{header}\n|" + "---|" * 9)
        fits = {}
        for name in args.families:
            row, fits[name] = run_family(name, frame, truth)
            print("| " + " | ".join(row) + " |", flush=True)
        if len(fits) > 1:
            table = models.compare(fits)
            print(f"\ncompare(): {table.attrs['recommended']} recommended. {table.loc[0, 'reason']}")
            for disagreement in table.attrs["disagreements"]:
                print(f"- {disagreement['message']}")


if __name__ == "__main__":
    main()
