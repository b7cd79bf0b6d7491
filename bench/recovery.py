"""Recovery over varied processes: how well does each family find the truth it was not told? (not a test)

Run::

    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/recovery.py --families ridge,lightgbm,xgboost
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/recovery.py --families bayesian   # its subset
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/recovery.py --quick                 # 4 small sets
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/recovery.py --summary                # from the CSV

Datasets: :data:`SEEDS` each draw a process (``models.datasets.process.random_spec``) and simulate it
with the same seed (``models.datasets.simulate.simulate``). :data:`HELD_OUT` (a quarter of them) are
not to be used for tuning any family: they are reported on their own, as a check on overfitting.
The Bayesian family costs tens of seconds a fit, so it runs on :data:`BAYESIAN_SEEDS` unless
``--bayesian-seeds all``.

Each family is fitted with its defaults (``models.fit(name, frame, roles, random_state=0)``, 10% holdout
and CV included) and judged against the truth:

- ROAS and mROAS error: ``|estimate - true| / true`` per channel, from ``fitted.roas()``;
- coverage: the share of channels whose true ROAS lies inside the ``roas()`` table's ``lower``..``upper``
  (the 90% interval; point models repeat the estimate, so theirs is about 0) and the interval's width
  over the true ROAS;
- regret: ``models.optimize_budget(fitted, budget=recent spend x H, periods=H)`` with H = 28 days or 4
  weeks; its plan's true revenue over the horizon (carry-over from the data included) against the true
  optimum of the same budget, as a share of the optimum's incremental revenue (above no spend). The same
  figure for keeping the recent mix is given as a yardstick.

A family that fails on a dataset is recorded as an error row; the run goes on. Rows are merged into
``bench/recovery_results.csv`` (one per dataset and family) and ``bench/recovery_channels.csv`` (one per
channel), replacing earlier rows of the same dataset and family, and a Markdown summary is printed.
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
from models.datasets.process import random_spec
from models.datasets.simulate import SimulatedData, simulate

SEEDS = tuple(range(24))
HELD_OUT = frozenset(seed for seed in SEEDS if seed % 4 == 3)  # never look at these while tuning
QUICK_SEEDS = (0, 5, 17, 23)  # small weekly sets, one held out
BAYESIAN_SEEDS = (0, 4, 17, 21, 18, 7, 23, 19)  # six weekly and two daily sets (about 2,000 rows); three held out
HORIZON = {"daily": 28, "weekly": 4}
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_CSV = BENCH_DIR / "recovery_results.csv"
CHANNELS_CSV = BENCH_DIR / "recovery_channels.csv"
KEYS = ["seed", "family"]
MEASURES = ["fit_s", "roas_s", "roas_error", "mroas_error", "coverage", "width", "holdout_r2", "holdout_mape"]
MEASURES += ["regret", "mix_regret", "optimise_s"]
CHANNEL_COLUMNS = [*KEYS, "channel", "saturation", "adstock", "flighted", "saturation_at_level", "true_roas", "roas"]
CHANNEL_COLUMNS += ["lower", "upper"]
CHANNEL_COLUMNS += ["true_mroas", "mroas", "roas_error", "mroas_error", "covered", "width", "signal"]
SIGNAL_BINS = (0.0, 1.0, 2.0, 4.0, 8.0, np.inf)  # bins of channel_signal for the summary


def dataset(seed: int) -> SimulatedData:
    """The bench's dataset of ``seed``: a process drawn with it, simulated with it."""
    return simulate(random_spec(np.random.default_rng(seed)), seed)


def describe(data: SimulatedData) -> dict:
    """The dataset's columns of a results row."""
    spec = data.spec
    return {
        "seed": data.seed,
        "held_out": data.seed in HELD_OUT,
        "label": spec.label,
        "response": spec.label.split(",")[0],
        "frequency": spec.frequency,
        "rows": spec.n_periods,
        "channels": len(spec.channels),
        "controls": "+".join(spec.controls),
        "noise_share": round(spec.noise_share, 4),
        "correlation": round(spec.correlation, 3),
    }


def channel_signal(data: SimulatedData) -> dict[str, float]:
    r"""Per channel, how clearly the data show it: :math:`\mathrm{sd}_t(c_t) \sqrt{T} / \sigma`.

    :math:`c_t` is the channel's true contribution in period :math:`t`, :math:`T` the number of periods and
    :math:`\sigma` the sd of the noise. About the t-statistic of the channel's effect if everything else
    (its curve's shape, the baseline, the other channels) were known: below 1-2 the channel's movements
    are lost in the noise and no model can read its ROAS off the data; what it reports is its prior or
    its structure.
    """
    channels = list(data.spec.channel_names)
    media = data.truth.media_effect(data.frame[channels].to_numpy(float))
    noise = data.frame[data.roles["target"]].to_numpy(float) - data.truth.expected_revenue(data.frame)
    return dict(zip(channels, media.std(axis=0) * np.sqrt(len(noise)) / noise.std()))


def with_signal(channels: pd.DataFrame) -> pd.DataFrame:
    """``channels`` with :func:`channel_signal` filled in where missing (rows written before it existed)."""
    channels = channels.copy()
    if "signal" not in channels:
        channels["signal"] = np.nan
    for seed in channels.loc[channels["signal"].isna(), "seed"].unique():
        signal = channel_signal(dataset(int(seed)))
        rows = channels["seed"] == seed
        channels.loc[rows, "signal"] = channels.loc[rows, "channel"].map(signal)
    return channels


def channel_rows(data: SimulatedData, family: str, table: pd.DataFrame) -> list[dict]:
    """Per channel: truth, estimate, errors, whether the interval holds the truth, and the channel's signal."""
    truth = data.channel_truth.set_index("channel")
    signal = channel_signal(data)
    rows = []
    for channel, est in table.set_index("channel").iterrows():
        true = truth.loc[channel]
        rows.append(
            {
                "seed": data.seed,
                "family": family,
                "channel": channel,
                "saturation": true["saturation"],
                "adstock": true["adstock"],
                "flighted": bool(true["flighted"]),
                "saturation_at_level": true["saturation_at_level"],
                "true_roas": true["roas"],
                "roas": est["roas"],
                "lower": est["lower"],
                "upper": est["upper"],
                "true_mroas": true["mroas"],
                "mroas": est["mroas"],
                "roas_error": abs(est["roas"] - true["roas"]) / true["roas"],
                "mroas_error": abs(est["mroas"] - true["mroas"]) / true["mroas"],
                "covered": bool(est["lower"] <= true["roas"] <= est["upper"]),
                "width": (est["upper"] - est["lower"]) / true["roas"],
                "signal": signal[channel],
            }
        )
    return rows


def plan_regret(data: SimulatedData, fitted) -> tuple[float, float, float]:
    """True regret of the family's optimised plan and of the recent mix; seconds the optimiser took."""
    periods = HORIZON[data.spec.frequency]
    channels = list(data.spec.channel_names)
    recent = fitted.recent_spend()[channels].to_numpy(float)
    started = time.perf_counter()
    plan = models.optimize_budget(fitted, budget=float(recent.sum()) * periods, periods=periods)
    seconds = time.perf_counter() - started
    optimal = plan.allocation.set_index("channel").loc[channels, "optimal"].to_numpy(float)
    regret = data.truth.regret(data.frame, optimal, periods)["regret"]
    return regret, data.truth.regret(data.frame, recent, periods)["regret"], seconds


def evaluate(data: SimulatedData, family: str) -> tuple[dict, list[dict]]:
    """Fit ``family`` on ``data`` with its defaults and judge it; never raises (errors become a row)."""
    row = {**describe(data), "family": family, "status": "ok", "error": "", **dict.fromkeys(MEASURES, np.nan)}
    try:
        started = time.perf_counter()
        fitted = models.fit(family, data.frame, data.roles, random_state=0)
        row["fit_s"] = time.perf_counter() - started
        started = time.perf_counter()
        table = fitted.roas()
        row["roas_s"] = time.perf_counter() - started
        channels = channel_rows(data, family, table)
        row.update(summarise_channels(pd.DataFrame(channels)))
        row["holdout_r2"], row["holdout_mape"] = fitted.metrics.get("r2"), fitted.metrics.get("mape")
        row["regret"], row["mix_regret"], row["optimise_s"] = plan_regret(data, fitted)
    except Exception as exc:  # a family failing on one dataset must not end the run
        row.update(status="error", error=f"{type(exc).__name__}: {exc}"[:300])
        traceback.print_exc()
        return row, []
    return row, channels


def summarise_channels(channels: pd.DataFrame) -> dict:
    """A dataset's medians over its channels and its interval coverage."""
    return {
        "roas_error": channels["roas_error"].median(),
        "mroas_error": channels["mroas_error"].median(),
        "coverage": channels["covered"].mean(),
        "width": channels["width"].median(),
    }


def merge(path: Path, rows: list[dict]) -> pd.DataFrame:
    """Write ``rows`` into the CSV at ``path``, replacing its rows of the same dataset and family."""
    new = pd.DataFrame(rows)
    if path.exists() and len(new):
        old = pd.read_csv(path)
        done = set(map(tuple, new[KEYS].drop_duplicates().to_numpy().tolist()))
        old = old[[tuple(k) not in done for k in old[KEYS].to_numpy().tolist()]]
        new = pd.concat([old, new], ignore_index=True)
    if len(new):
        new.sort_values(KEYS, kind="stable").to_csv(path, index=False, float_format="%.6g")
    return new


def family_order(families: pd.Series) -> list[str]:
    """The families present, in the order of ``models.MODEL_NAMES`` (others after them)."""
    present = list(dict.fromkeys(families))
    return [f for f in models.MODEL_NAMES if f in present] + [f for f in present if f not in models.MODEL_NAMES]


def family_table(results: pd.DataFrame, channels: pd.DataFrame) -> str:
    """Markdown: one row per family; channel figures pooled over every channel of every dataset."""
    lines = [
        "| family | datasets (errors) | median ROAS error | median mROAS error | 90% coverage | median width "
        "| median regret | mean regret | regret < mix | fit s (median) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for family in family_order(results["family"]):
        rows = results[results["family"] == family]
        ok = rows[rows["status"] == "ok"]
        mine = channels[channels["family"] == family]
        if ok.empty:
            lines.append(f"| {family} | 0 ({len(rows)}) | | | | | | | | |")
            continue
        lines.append(
            f"| {family} | {len(ok)} ({len(rows) - len(ok)}) | {mine['roas_error'].median():.1%} "
            f"| {mine['mroas_error'].median():.1%} | {mine['covered'].mean():.0%} | {mine['width'].median():.2f} "
            f"| {ok['regret'].median():.1%} | {ok['regret'].mean():.1%} "
            f"| {(ok['regret'] < ok['mix_regret']).mean():.0%} | {ok['fit_s'].median():.1f} |"
        )
    return "\n".join(lines)


def breakdown(results: pd.DataFrame, channels: pd.DataFrame, by: str) -> str:
    """Markdown: median ROAS error (and median regret) per family and value of ``by``."""
    merged = channels.merge(results[["seed", "family", by]].drop_duplicates(), on=["seed", "family"])
    error = merged.pivot_table(index=by, columns="family", values="roas_error", aggfunc="median")
    regret = results[results["status"] == "ok"].pivot_table(
        index=by, columns="family", values="regret", aggfunc="median"
    )
    count = results.groupby(by)["seed"].nunique()
    families = family_order(results["family"])
    lines = [f"| {by} | datasets | " + " | ".join(f"{f}: ROAS err / regret" for f in families) + " |"]
    lines.append("|---|---|" + "---|" * len(families))
    for value in error.index:
        cells = [f"{error.loc[value].get(f, np.nan):.0%} / {regret.loc[value].get(f, np.nan):.0%}" for f in families]
        lines.append(f"| {value} | {count[value]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def channel_breakdown(channels: pd.DataFrame, by: str, bins: Sequence[float] | None = None) -> str:
    """Markdown: median ROAS and mROAS error per family and channel attribute ``by`` (binned by ``bins``)."""
    channels = channels.copy()
    if bins is not None:
        channels[by] = pd.cut(channels[by], bins, right=False).astype(str)
    families = family_order(channels["family"])
    grouped = channels.groupby([by, "family"])[["roas_error", "mroas_error"]].median()
    count = channels.drop_duplicates(["seed", "channel"]).groupby(by).size()
    lines = [f"| {by} | channels | " + " | ".join(f"{f}: ROAS err / mROAS err" for f in families) + " |"]
    lines.append("|---|---|" + "---|" * len(families))
    for value in count.index:
        cells = []
        for family in families:
            key = (value, family)
            cells.append(
                f"{grouped.loc[key, 'roas_error']:.0%} / {grouped.loc[key, 'mroas_error']:.0%}"
                if key in grouped.index
                else ""
            )
        lines.append(f"| {value} | {count[value]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def signal_breakdown(channels: pd.DataFrame) -> str:
    """Markdown: median ROAS error and 90% coverage per family, by bins of the channels' signal."""
    channels = channels.assign(bin=pd.cut(channels["signal"], SIGNAL_BINS, right=False))
    families = family_order(channels["family"])
    lines = ["| signal | channels | " + " | ".join(f"{f}: ROAS err / coverage" for f in families) + " |"]
    lines.append("|---|---|" + "---|" * len(families))
    for interval, rows in channels.groupby("bin", observed=True):
        cells = []
        for family in families:
            mine = rows[rows["family"] == family]
            cells.append(f"{mine['roas_error'].median():.0%} / {mine['covered'].mean():.0%}" if len(mine) else "")
        count = len(rows.drop_duplicates(["seed", "channel"]))
        lines.append(f"| {interval} | {count} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def dataset_table(results: pd.DataFrame) -> str:
    """Markdown: the datasets of the run, one row each."""
    first = results.drop_duplicates("seed").sort_values("seed")
    lines = ["| seed | held out | process | rows | channels | controls | noise | correlation | recent mix regret |"]
    lines.append("|---|---|---|---|---|---|---|---|---|")
    regret = results.groupby("seed")["mix_regret"].median()
    for _, row in first.iterrows():
        lines.append(
            f"| {row['seed']} | {'yes' if row['held_out'] else ''} | {row['label']} | {row['rows']} "
            f"| {row['channels']} | {row['controls'] if isinstance(row['controls'], str) else ''} "
            f"| {row['noise_share']:.1%} | {row['correlation']:.2f} | {regret.get(row['seed'], np.nan):.0%} |"
        )
    return "\n".join(lines)


def report(results: pd.DataFrame, channels: pd.DataFrame) -> str:
    """The Markdown summary: all, tuning and held-out datasets; by response kind and by frequency."""
    held = results["held_out"].astype(bool)
    common = set.intersection(*(set(rows["seed"]) for _, rows in results.groupby("family")))
    subsets = [("All datasets", held | ~held), ("Tuning datasets", ~held), ("Held-out datasets", held)]
    if common != set(results["seed"]):
        subsets.append(("Datasets every family ran on", results["seed"].isin(common)))
    parts = []
    for title, mask in subsets:
        subset = results[mask]
        seeds = set(subset["seed"])
        parts += [f"**{title}** (seeds {', '.join(map(str, sorted(seeds)))})", ""]
        parts += [family_table(subset, channels[channels["seed"].isin(seeds)]), ""]
    parts += ["**By response kind** (all datasets)", "", breakdown(results, channels, "response"), ""]
    parts += ["**By frequency** (all datasets)", "", breakdown(results, channels, "frequency"), ""]
    parts += ["**By how saturated a channel runs**: its curve at its spend level, share of the maximum", ""]
    parts += [channel_breakdown(channels, "saturation_at_level", [0.0, 0.3, 0.6, 0.8, 1.0]), ""]
    parts += ["**By channel flighting**", "", channel_breakdown(channels, "flighted"), ""]
    parts += ["**By how clearly the data show a channel** (`channel_signal`: sd of its true contribution x"]
    parts += ["sqrt(periods) / noise sd)", "", signal_breakdown(with_signal(channels)), ""]
    parts += ["**Datasets**", "", dataset_table(results)]
    return "\n".join(parts)


def run(seeds: Sequence[int], families: Sequence[str], bayesian_seeds: Sequence[int] | None) -> None:
    """Fit every family on every dataset, merging rows into the CSVs as they come."""
    results, channels = [], []
    for seed in seeds:
        data = dataset(seed)
        print(f"seed {seed}: {data.spec.label}, {data.spec.n_periods} rows, {len(data.spec.channels)} channels")
        for family in families:
            if family == "bayesian" and bayesian_seeds is not None and seed not in bayesian_seeds:
                continue
            started = time.perf_counter()
            row, rows = evaluate(data, family)
            print(
                f"  {family}: {row['status']} in {time.perf_counter() - started:.1f} s; "
                f"ROAS error {row.get('roas_error', np.nan):.1%}, regret {row.get('regret', np.nan):.1%}",
                flush=True,
            )
            results.append(row)
            channels.extend(rows)
            merge(RESULTS_CSV, [row])
            merge(CHANNELS_CSV, rows)
    print()
    print(report(pd.DataFrame(results), pd.DataFrame(channels, columns=CHANNEL_COLUMNS)))


def main(argv: Sequence[str] | None = None) -> None:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Recovery of ROAS, mROAS and plans over simulated processes.")
    parser.add_argument("--families", default=",".join(models.MODEL_NAMES), help="comma-separated family names")
    parser.add_argument("--seeds", help="comma-separated seeds (default: all of SEEDS)")
    parser.add_argument("--quick", action="store_true", help=f"only seeds {QUICK_SEEDS}")
    parser.add_argument(
        "--bayesian-seeds", default=",".join(map(str, BAYESIAN_SEEDS)), help="seeds for bayesian, or 'all'"
    )
    parser.add_argument("--summary", action="store_true", help="print the summary of the CSVs and stop")
    args = parser.parse_args(argv)
    if args.summary:
        print(report(pd.read_csv(RESULTS_CSV), pd.read_csv(CHANNELS_CSV)))
        return
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = set(families) - set(models.MODEL_NAMES)
    if unknown:
        parser.error(f"unknown families {', '.join(sorted(unknown))}; choose from {', '.join(models.MODEL_NAMES)}")
    seeds = QUICK_SEEDS if args.quick else tuple(int(s) for s in args.seeds.split(",")) if args.seeds else SEEDS
    bayesian = None if args.bayesian_seeds == "all" else {int(s) for s in args.bayesian_seeds.split(",")}
    print(
        f"{dt.date.today()}: {len(seeds)} datasets, families {', '.join(families)}; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}"
    )
    started = time.perf_counter()
    run(seeds, families, bayesian)
    print(f"\nTotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
