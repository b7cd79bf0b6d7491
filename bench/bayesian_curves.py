"""The Bayesian model's curve on S-shaped and always-on data: time, diagnostics and recovery (not a test).

Run::

    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/bayesian_curves.py                   # s5000, demo5000
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/bayesian_curves.py --datasets 0,2,12 --cv-folds 0
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/bayesian_curves.py --saturation logistic

Datasets (``--datasets``, comma-separated):

- ``s5000``: 5,000 days, six always-on channels with S-shaped Hill curves (slope 2-3.5, half saturation
  0.5-2x the spend level), geometric carry-over, 8% noise: the kind of data where the logistic curve, which
  cannot bend upwards, reported tight intervals that missed the truth (issue 10);
- ``demo5000``: 5,000 days of the demo's process (``models.datasets.synthetic.generate_demo``; the truth over
  the same days from ``models.datasets.truth.channel_summary``);
- a number: the recovery bench's dataset of that seed (``bench/recovery.py``; seeds 3, 7, 11, 15, 19 and 23
  are held out there: do not tune on them).

Each dataset is fitted with ``BayesianMMM(saturation=..., draws=..., tune=..., cv_folds=...)``, defaults
otherwise (10% holdout), ``random_state`` 0; ``--repeat 2`` fits again in the same process, which then
reuses the compiled graph (what the dashboard's worker does from its second fit). One row per fit: wall
time of ``fit`` (CV refits included) and the CPU time it used (all threads: on a busy machine wall time
grows, CPU time hardly; two chains run in parallel, so on two idle cores the sampling takes about half
its CPU time), compile and sampling seconds of the main fit, R-hat, ESS, divergences,
the median over channels of ``|ROAS / true - 1|``, the share of 90% intervals holding the true ROAS, their
median width over the truth, and how many channels the health check says the data cannot pin down.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from models.datasets.process import ChannelSpec, ProcessSpec, random_spec
from models.datasets.simulate import simulate
from models.families.bayesian.model import BayesianMMM

HELD_OUT = frozenset(range(3, 24, 4))  # bench/recovery.py's held-out seeds
COLUMNS = ["dataset", "rows", "channels", "saturation", "fit s", "CPU s", "compile s", "sampling s", "max R-hat"]
COLUMNS += ["min ESS", "divergences", "ROAS error", "coverage", "width", "flagged"]
UNCLEAR_WORDS = ("cannot pin it down", "say little about")  # health.identification_checks' warnings


def s_curve_data(rows: int = 5000, seed: int = 101):
    """Always-on channels with S-shaped Hill curves (see the module docstring); the truth comes with it."""
    rng = np.random.default_rng(seed)
    channels = tuple(
        ChannelSpec(
            name=name,
            spend=float(np.exp(rng.uniform(np.log(200), np.log(5000)))),
            roas=float(rng.uniform(0.5, 4.0)),
            saturation="hill",
            saturation_params={"half_saturation": float(rng.uniform(0.5, 2.0)), "slope": float(rng.uniform(2, 3.5))},
            adstock="geometric",
            adstock_params={"alpha": float(rng.uniform(0.1, 0.7))},
            volatility=float(rng.uniform(0.25, 0.6)),
        )
        for name in ("search", "social", "video", "display", "tv", "radio")
    )
    spec = ProcessSpec(channels=channels, frequency="daily", n_periods=rows, noise_share=0.08, label="s5000")
    data = simulate(spec, seed)
    return data.frame, data.roles, data.true_roas


def demo_data(rows: int = 5000):
    """The demo process's first ``rows`` days and its true ROAS over them."""
    from models.datasets.synthetic import generate_demo
    from models.datasets.truth import CHANNELS, DEMO_START, channel_summary

    end = (pd.Timestamp(DEMO_START) + pd.Timedelta(days=rows - 1)).strftime("%Y-%m-%d")
    frame, _ = generate_demo(end=end)
    roles = {"date": "date", "target": "revenue", "channels": list(CHANNELS), "controls": ["price", "promo"]}
    return frame, roles, {c: float(v["roas"]) for c, v in channel_summary(frame).items()}


def dataset(name: str):
    """``(frame, roles, true ROAS per channel)`` of a dataset name (see the module docstring)."""
    if name == "s5000":
        return s_curve_data()
    if name == "demo5000":
        return demo_data()
    seed = int(name)
    data = simulate(random_spec(np.random.default_rng(seed)), seed)
    return data.frame, data.roles, data.true_roas


def evaluate(name: str, options: dict, repeat: int) -> list[dict]:
    """Fit the dataset ``repeat`` times in this process; one row per fit."""
    frame, roles, truth = dataset(name)
    rows = []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), os.times()
        model = BayesianMMM(random_state=0, **options).fit(frame, roles)
        seconds, cpu_seconds = time.perf_counter() - started, sum(os.times()[:2]) - sum(cpu[:2])
        table = model.roas().set_index("channel")
        true = pd.Series(truth)[table.index]
        d = model.diagnostics
        unclear = [c for c in model.health_check() if any(w in c["message"] for w in UNCLEAR_WORDS)]
        rows.append(
            {
                "dataset": name + (" (held out)" if name.isdigit() and int(name) in HELD_OUT else ""),
                "rows": len(frame),
                "channels": len(table),
                "saturation": model.saturation,
                "fit s": seconds,
                "CPU s": cpu_seconds,
                "compile s": d["compile_seconds"],
                "sampling s": d["sampling_seconds"],
                "max R-hat": d["rhat_max"],
                "min ESS": min(d["ess_bulk_min"], d["ess_tail_min"]),
                "divergences": d["divergences"],
                "ROAS error": float((table["roas"] / true - 1).abs().median()),
                "coverage": float(((table["lower"] <= true) & (true <= table["upper"])).mean()),
                "width": float(((table["upper"] - table["lower"]) / true).median()),
                "flagged": len(unclear),
            }
        )
        print(markdown(pd.DataFrame(rows[-1:])).splitlines()[-1], flush=True)
    return rows


def markdown(table: pd.DataFrame) -> str:
    """The rows as a Markdown table."""
    formats = {"fit s": "{:.1f}", "CPU s": "{:.0f}", "compile s": "{:.1f}", "sampling s": "{:.1f}"}
    formats["max R-hat"] = "{:.3f}"
    formats.update({"min ESS": "{:.0f}", "ROAS error": "{:.1%}", "coverage": "{:.0%}", "width": "{:.2f}"})
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for _, row in table.iterrows():
        cells = [formats.get(c, "{}").format(row[c]) for c in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="s5000,demo5000", help="s5000, demo5000 or bench seeds")
    parser.add_argument("--saturation", default=None, help="hill or logistic (default: the model's default)")
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--tune", type=int, default=None)
    parser.add_argument("--cv-folds", type=int, default=3, help="cross-validation refits (default 3, as in the app)")
    parser.add_argument("--repeat", type=int, default=1, help="fits per dataset in one process")
    args = parser.parse_args(argv)
    options = {"cv_folds": args.cv_folds}
    options.update({k: v for k in ("saturation", "draws", "tune") if (v := getattr(args, k)) is not None})
    print(f"{dt.date.today()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, options {options}")
    rows = []
    for name in args.datasets.split(","):
        rows.extend(evaluate(name.strip(), options, args.repeat))
    print()
    print(markdown(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
