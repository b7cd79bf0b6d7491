"""Does ``models.compare`` recommend a family whose ROAS is near the best one's? Measured on the recovery bench.

Run::

    OMP_WAIT_POLICY=passive PYTENSOR_FLAGS=blas__ldflags=-lopenblas PYTHONPATH=. \\
        .venv/bin/python bench/recommendation.py --families ridge,lightgbm,xgboost   # 24 datasets
    OMP_WAIT_POLICY=passive PYTENSOR_FLAGS=blas__ldflags=-lopenblas PYTHONPATH=. \\
        .venv/bin/python bench/recommendation.py --families bayesian --bayesian-seeds all  # 24 datasets
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/recommendation.py --summary  # from the CSV
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/recommendation.py --tune     # weight grid
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/recommendation.py --rescore  # after new weights

Datasets are :mod:`bench.recovery`'s (``dataset(seed)``, seeds 0-23; :data:`bench.recovery.HELD_OUT` are
never used for tuning; the Bayesian family on :data:`bench.recovery.BAYESIAN_SEEDS` unless
``--bayesian-seeds all``). Each family is fitted with its defaults
(``models.fit(name, frame, roles, random_state=0)``), ``fitted.run_checks()`` adds the placebo and twin
refits, and its true median ROAS error is measured as ``bench/recovery.py`` does (its ``channel_rows`` and
``summarise_channels``). One row per dataset and family goes to ``bench/recommendation_results.csv`` as it
comes (rows already there with status ok are skipped unless ``--force``): the true error and what
``models.compare`` reads (r2, mape, nrmse, cv_nrmse, ok/warn/fail counts, twin error, placebo share, ROAS
spread), with compare's score and recommendation among the families of that run (``compared_with``);
``--rescore`` rewrites those two columns from the stored inputs after :data:`models.comparison.WEIGHTS` change.

A *case* is one dataset and a set of families to choose from: "point" (ridge, LightGBM, XGBoost; every
seed) and "all four" (with the Bayesian family; the seeds it ran on). A rule's choice is a *hit* when its
family's error is at most 1.25 times the best family's (the issue's target: hits on at least 80% of cases).
``--summary`` scores every case again with :func:`models.comparison._scores` (the one formula; the weights
are swapped in for a rule) and reports hits for compare's weights and for simple baselines, on tuning and
held-out seeds. ``--tune`` searches a coarse grid of :data:`models.comparison.WEIGHTS` and
:data:`~models.comparison.FULL_PENALTY_AT` on the tuning cases only (most hits, then the smallest mean
ratio of chosen to best error), takes the simplest weights (fewest non-zero terms) within one case of the
best, and reports them on the held-out cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

import models
from bench.recommendation_report import INPUTS, KEYS, case_table, cases, rescore, score_choice, summary, tune
from bench.recovery import BAYESIAN_SEEDS, HELD_OUT, SEEDS, channel_rows, dataset, summarise_channels

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_CSV = BENCH_DIR / "recommendation_results.csv"
COLUMNS = [*KEYS, "held_out", "label", "frequency", "rows", "channels", "status", "error", "fit_s", "checks_s"]
COLUMNS += ["roas_error", *INPUTS, "score", "recommended", "compared_with"]


# --------------------------------------------------------------------------------------------- the runs


def evaluate(data, family: str) -> tuple[dict, object | None]:
    """Fit ``family`` with its defaults, run its checks and measure its true ROAS error; never raises."""
    spec = data.spec
    row = {
        "seed": data.seed,
        "family": family,
        "held_out": data.seed in HELD_OUT,
        "label": spec.label,
        "frequency": spec.frequency,
        "rows": spec.n_periods,
        "channels": len(spec.channels),
        "status": "ok",
        "error": "",
    }
    try:
        started = time.perf_counter()
        fitted = models.fit(family, data.frame, data.roles, random_state=0)
        row["fit_s"] = time.perf_counter() - started
        started = time.perf_counter()
        fitted.run_checks()
        row["checks_s"] = time.perf_counter() - started
        row["roas_error"] = summarise_channels(pd.DataFrame(channel_rows(data, family, fitted.roas())))["roas_error"]
    except Exception as exc:  # a family failing on one dataset must not end the run
        row.update(status="error", error=f"{type(exc).__name__}: {exc}"[:300])
        traceback.print_exc()
        return row, None
    return row, fitted


def with_compare(rows: list[dict], fits: dict) -> list[dict]:
    """``rows`` with compare()'s inputs, score and recommendation among ``fits`` (compare's own output)."""
    if not fits:
        return rows
    try:
        table = models.compare(fits).set_index("model")
    except Exception as exc:  # e.g. a check that could not run: keep the rows, say so
        traceback.print_exc()
        for row in rows:
            if row["family"] in fits:
                row.update(status="error", error=f"compare: {type(exc).__name__}: {exc}"[:300])
        return rows
    for row in rows:
        if row["family"] in table.index:
            found = table.loc[row["family"]]
            row.update({column: found[column] for column in [*INPUTS, "score", "recommended"]})
            row["compared_with"] = "+".join(fits)
    return rows


def merge(rows: list[dict]) -> pd.DataFrame:
    """Write ``rows`` into :data:`RESULTS_CSV`, replacing its rows of the same dataset and family."""
    new = pd.DataFrame(rows, columns=COLUMNS)
    if RESULTS_CSV.exists():
        old = pd.read_csv(RESULTS_CSV)
        done = set(map(tuple, new[KEYS].to_numpy().tolist()))
        old = old[[tuple(k) not in done for k in old[KEYS].to_numpy().tolist()]]
        new = pd.concat([old, new], ignore_index=True)
    new = new.sort_values(KEYS, kind="stable")
    new.to_csv(RESULTS_CSV, index=False, float_format="%.6g")
    return new


def done_rows() -> set[tuple[int, str]]:
    """(seed, family) already in the CSV with status ok."""
    if not RESULTS_CSV.exists():
        return set()
    old = pd.read_csv(RESULTS_CSV)
    old = old[old["status"] == "ok"]
    return set(zip(old["seed"].astype(int), old["family"]))


def run(seeds: Sequence[int], families: Sequence[str], bayesian_seeds: set[int] | None, force: bool) -> None:
    """Fit, check and compare every family on every dataset; a dataset's rows are saved when it is done."""
    done = set() if force else done_rows()
    for seed in seeds:
        skip_bayesian = bayesian_seeds is not None and seed not in bayesian_seeds
        todo = [f for f in families if (seed, f) not in done and not (f == "bayesian" and skip_bayesian)]
        if not todo:
            continue
        data = dataset(seed)
        print(f"seed {seed}: {data.spec.label}, {data.spec.n_periods} rows, {len(data.spec.channels)} channels")
        rows, fits = [], {}
        for family in todo:
            row, fitted = evaluate(data, family)
            rows.append(row)
            if fitted is not None:
                fits[family] = fitted
        rows = with_compare(rows, fits)
        for row in rows:
            print(
                f"  {row['family']}: {row['status']}, fit {row.get('fit_s', np.nan):.1f} s + checks "
                f"{row.get('checks_s', np.nan):.1f} s; ROAS error {row.get('roas_error', np.nan):.1%}, twin "
                f"{row.get('twin_error', np.nan):.0%}, placebo {row.get('placebo_share', np.nan):.0%}, spread "
                f"{row.get('roas_spread', np.nan):.0%}, score {row.get('score', np.nan):.1f}"
                f"{' (recommended)' if bool(row.get('recommended', False)) else ''}",
                flush=True,
            )
        merge(rows)


# --------------------------------------------------------------------------------------------- the cases


def main(argv: Sequence[str] | None = None) -> None:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default=",".join(models.MODEL_NAMES), help="comma-separated family names")
    parser.add_argument("--seeds", help="comma-separated seeds (default: all of SEEDS)")
    parser.add_argument(
        "--bayesian-seeds", default=",".join(map(str, BAYESIAN_SEEDS)), help="seeds for bayesian, or 'all'"
    )
    parser.add_argument("--force", action="store_true", help="refit rows already in the CSV")
    parser.add_argument("--summary", action="store_true", help="report from the CSV and stop")
    parser.add_argument("--cases", action="store_true", help="with --summary: every case's families")
    parser.add_argument("--tune", action="store_true", help="grid-search the weights on the tuning cases")
    parser.add_argument(
        "--rescore", action="store_true", help="rewrite the CSV's score and recommended with the current weights"
    )
    args = parser.parse_args(argv)
    if args.rescore:
        rescore(pd.read_csv(RESULTS_CSV)).to_csv(RESULTS_CSV, index=False, float_format="%.6g")
        print(f"{RESULTS_CSV.name}: score and recommended rewritten with the current weights")
        return
    if args.summary or args.tune:
        results = pd.read_csv(RESULTS_CSV)
        if args.summary:
            print(summary(results))
            if args.cases:
                table = cases(results)
                print("\n**Cases** (chosen: compare() with the current weights)\n")
                print(case_table(table, score_choice(table)))
        if args.tune:
            print(tune(results))
        return
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = set(families) - set(models.MODEL_NAMES)
    if unknown:
        parser.error(f"unknown families {', '.join(sorted(unknown))}; choose from {', '.join(models.MODEL_NAMES)}")
    seeds = tuple(int(s) for s in args.seeds.split(",")) if args.seeds else SEEDS
    bayesian = None if args.bayesian_seeds == "all" else {int(s) for s in args.bayesian_seeds.split(",")}
    print(
        f"{dt.date.today()}: {len(seeds)} datasets, families {', '.join(families)}; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}"
    )
    started = time.perf_counter()
    run(seeds, families, bayesian, args.force)
    print(f"\nTotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
