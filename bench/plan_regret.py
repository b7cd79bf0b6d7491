"""How much true revenue do optimised plans give up? Every family, the demo and simulated processes (not a test).

Run::

    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/plan_regret.py                 # regret table
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/plan_regret.py --part timing   # seconds per call
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/plan_regret.py --part cautious \
        --families lightgbm,xgboost                                                           # cautious plans

**Regret** (``--part regret``): for the shipped demo (its process: ``models.datasets.truth``) and the
simulated processes of :data:`SEEDS` (``bench/recovery.py``'s ``dataset(seed)``: a process drawn with the
seed and simulated with it; none of them held out there), each family is fitted with its defaults (the
Bayesian model with :data:`FAMILIES`' shorter chains) and ``models.optimize_budget`` splits 1x and 1.5x
the recent spend over the next 28 days (4 weeks for weekly data). The plan's true revenue over the horizon
(carry-over from the data included) is compared with the true optimum of the same budget: as a share of
the optimum's total revenue and of its media part (revenue above no spend in the horizon, the harder
measure; ``TrueProcess.regret``). For the tree families the plan before the joint refinement (the
per-channel plan: the same optimiser told the model is additive) is reported too, with how much more
revenue the model itself expects from the joint plan. "mix" is the same media-share regret for keeping
today's mix at that budget. A summary per family and plan closes the table.

**Timing** (``--part timing``): on the demo, seconds per call (median of 3 after a warm-up) of
``optimize_budget`` (budget only; with a minimum ROAS of 1.2), ``minimum_budget`` (the target: the
optimum's revenue at today's budget less 0.5%) and ``optimize_budget(quantile=0.1)``, for every family,
the point families without and with their bootstrap intervals, and with intervals plus a
``scenario_mean`` (the point fit: the bootstrap draws are centred on it), which planning uses for
expected revenue where a model has it (:meth:`models.planning.Horizon.means_many`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time

import numpy as np

import models
from bench.recovery import HORIZON, dataset
from models.data import read_upload
from models.datasets import load_demo_bytes
from models.datasets.truth import CHANNELS, true_horizon_revenue, true_optimum

SEEDS = (0, 2, 4, 5, 10)  # weekly S-shaped; daily S-shaped (7 channels); weekly logistic/Weibull (8); mixed; concave
FAMILIES = {"ridge": {}, "lightgbm": {}, "xgboost": {}, "bayesian": {"draws": 500, "tune": 300}}
SCALES = (1.0, 1.5)


class PerChannelOnly:
    """A fitted model that calls itself additive: the optimiser stops at its per-channel plan."""

    additive = True

    def __init__(self, fitted):
        self._fitted = fitted

    def __getattr__(self, name):
        return getattr(self._fitted, name)


def demo_case():
    """The demo data and a judge of plans by its true process."""
    upload = read_upload(load_demo_bytes(), "demo.csv")

    optima = {}  # the true optimum depends on the budget only (every fit holds the controls alike)

    def judge(fitted, spend: dict, periods: int) -> dict:
        x = np.array([spend[c] for c in CHANNELS])
        key = round(float(x.sum()), 6)
        if key not in optima:
            optima[key] = true_optimum(fitted, float(x.sum()), periods)[1]
        nothing = true_horizon_revenue(fitted, np.zeros(len(CHANNELS)), periods)
        return {"revenue": true_horizon_revenue(fitted, x, periods), "optimum": optima[key], "nothing": nothing}

    return "demo (daily, 6 ch.)", upload.frame, upload.roles, 28, judge


def simulated_case(seed: int):
    """A simulated dataset of ``bench/recovery.py`` and a judge of plans by its true process."""
    data = dataset(seed)
    channels = list(data.spec.channel_names)

    def judge(fitted, spend: dict, periods: int) -> dict:
        x = np.array([spend[c] for c in channels])
        r = data.truth.regret(data.frame, x, periods)
        return {"revenue": r["revenue"], "optimum": r["optimum"], "nothing": r["optimum"] - r["incremental"]}

    spec = data.spec
    label = f"seed {seed} ({spec.label.split(',')[0]}, {spec.frequency}, {len(spec.channels)} ch.)"
    return label, data.frame, data.roles, HORIZON[spec.frequency], judge


def timed(call, *args, repeats: int = 3, **kwargs):
    """The result of ``call(*args, **kwargs)`` and its median seconds over ``repeats`` runs after a warm-up."""
    result = call(*args, **kwargs)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = call(*args, **kwargs)
        seconds.append(time.perf_counter() - started)
    return result, float(np.median(seconds))


INTERVALS = {False: "no", True: "yes", "mean": "yes, with scenario_mean = predict_frame"}
ROWS: list[dict] = []  # every row printed, for the summary


def regret_rows(label, frame, roles, periods, judge, families):
    for name in families:
        fitted = models.fit(name, frame, roles, random_state=0, **FAMILIES[name])
        recent = fitted.recent_spend()
        variants = {"joint" if not fitted.additive else "plan": fitted}
        if not fitted.additive:
            variants = {"per-channel": PerChannelOnly(fitted), **variants}
        for scale in SCALES:
            budget = float(recent.sum()) * periods * scale
            mix = judge(fitted, (recent * scale).to_dict(), periods)
            mix_regret = (mix["optimum"] - mix["revenue"]) / (mix["optimum"] - mix["nothing"])
            first = None
            for variant, model in variants.items():
                plan, seconds = timed(models.optimize_budget, model, budget, periods)
                spend = plan.allocation.set_index("channel")["optimal"].to_dict()
                r = judge(fitted, spend, periods)
                lost = r["optimum"] - r["revenue"]
                first = plan.expected["revenue"] if first is None else first
                gain = plan.expected["revenue"] / first - 1 if variant == "joint" else float("nan")
                ROWS.append({"family": name, "variant": variant, "total": lost / r["optimum"], "seconds": seconds})
                print(
                    f"| {label} | {name} | {scale:g}x | {variant} | {seconds:.2f} | {lost / r['optimum']:.2%} "
                    f"| {lost / (r['optimum'] - r['nothing']):.1%} | {mix_regret:.1%} "
                    f"| {'' if np.isnan(gain) else f'{gain:+.2%}'} |",
                    flush=True,
                )


def part_regret(families) -> None:
    print(
        "| data | family | budget | plan | optimise s | regret: total | regret: media | mix: media "
        "| model's revenue vs per-channel |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    regret_rows(*demo_case(), families)
    for seed in SEEDS:
        regret_rows(*simulated_case(seed), families)
    print()
    print("| family | plan | cases | median regret: total | worst | at most 3% | median optimise s | slowest |")
    print("|---|---|---|---|---|---|---|---|")
    for name in families:
        for variant in dict.fromkeys(r["variant"] for r in ROWS if r["family"] == name):
            rows = [r for r in ROWS if r["family"] == name and r["variant"] == variant]
            total, seconds = np.array([r["total"] for r in rows]), np.array([r["seconds"] for r in rows])
            print(
                f"| {name} | {variant} | {len(rows)} | {np.median(total):.2%} | {total.max():.2%} "
                f"| {(total <= 0.03).mean():.0%} | {np.median(seconds):.2f} | {seconds.max():.2f} |"
            )


def part_cautious(families) -> None:
    """True regret of the tree families' plans by the percentile of revenue they maximise (None: the mean), with
    their bootstrap intervals, on the regret part's cases: does planning for a bad case lose less in truth?"""
    print("| data | family | budget | plan | optimise s | regret: total | regret: media | mix: media |")
    print("|---|---|---|---|---|---|---|---|")
    found: dict[tuple, list] = {}
    for label, frame, roles, periods, judge in [demo_case(), *(simulated_case(seed) for seed in SEEDS)]:
        for name in families:
            fitted = models.fit(name, frame, roles, random_state=0)
            fitted.estimate_intervals()
            recent = fitted.recent_spend()
            for scale in SCALES:
                budget = float(recent.sum()) * periods * scale
                mix = judge(fitted, (recent * scale).to_dict(), periods)
                media = mix["optimum"] - mix["nothing"]
                for quantile in (None, 0.5, 0.25, 0.1):
                    plan, seconds = timed(models.optimize_budget, fitted, budget, periods, repeats=1, quantile=quantile)
                    r = judge(fitted, plan.allocation.set_index("channel")["optimal"].to_dict(), periods)
                    lost, kept = r["optimum"] - r["revenue"], (mix["optimum"] - mix["revenue"]) / media
                    found.setdefault((name, quantile), []).append(lost / r["optimum"])
                    print(
                        f"| {label} | {name} | {scale:g}x | quantile {quantile} | {seconds:.2f} | "
                        f"{lost / r['optimum']:.2%} | {lost / media:.1%} | {kept:.1%} |",
                        flush=True,
                    )
    print("\n| family | plan | cases | median regret: total | worst | at most 3% |\n|---|---|---|---|---|---|")
    for (name, quantile), lost in found.items():
        lost = np.array(lost)
        share = (lost <= 0.03).mean()
        print(
            f"| {name} | quantile {quantile} | {len(lost)} | {np.median(lost):.2%} | {lost.max():.2%} | {share:.0%} |"
        )


def part_timing(families) -> None:
    label, frame, roles, periods, _ = demo_case()
    print("| family | intervals | optimise | min ROAS 1.2 | minimum_budget | quantile 0.1 |")
    print("|---|---|---|---|---|---|")
    for name in families:
        fitted = models.fit(name, frame, roles, random_state=0, **FAMILIES[name])
        for intervals in (False, True, "mean") if name != "bayesian" else (True,):
            if intervals is True and name != "bayesian":
                fitted.estimate_intervals()
            if intervals == "mean":  # what a family-side scenario_mean would give (bootstrap draws are centred)
                fitted.scenario_mean = fitted.predict_frame
            budget = float(fitted.recent_spend().sum()) * periods
            plan, optimise = timed(models.optimize_budget, fitted, budget, periods)
            _, roas = timed(models.optimize_budget, fitted, budget, periods, min_roas=1.2)
            target = plan.expected["revenue"] * 0.995
            _, least = timed(models.minimum_budget, fitted, target, periods)
            cautious = "n/a"
            if fitted.has_intervals:
                _, seconds = timed(models.optimize_budget, fitted, budget, periods, quantile=0.1)
                cautious = f"{seconds:.2f}"
            print(
                f"| {name} | {INTERVALS[intervals]} | {optimise:.2f} | {roas:.2f} | {least:.2f} | {cautious} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["regret", "timing", "cautious"], default="regret")
    parser.add_argument("--families", default=",".join(FAMILIES))
    args = parser.parse_args()
    families = args.families.split(",")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{dt.datetime.now():%Y-%m-%d %H:%M}: {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"load average {load:.2f} at the start"
    )
    print()
    {"regret": part_regret, "timing": part_timing, "cautious": part_cautious}[args.part](families)


if __name__ == "__main__":
    main()
