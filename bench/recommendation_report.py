"""Scoring and reports of bench/recommendation.py: which family compare() picks under given weights, how often
that pick is within WITHIN x the best family's true ROAS error, and the grid search over the weights (not a
test). Reads the rows bench/recommendation.py stores; refits nothing.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

import models
from models import comparison

KEYS = ["seed", "family"]
INPUTS = ["r2", "mape", "nrmse", "cv_nrmse", "ok", "warn", "fail", "twin_error", "placebo_share", "roas_spread"]
WITHIN = 1.25  # a hit: chosen family's error <= WITHIN x the best family's
POINT = ("ridge", "lightgbm", "xgboost")
EARLIER = (  # compare()'s judgement weights before this bench calibrated them (a baseline in --summary)
    {"twin": 30.0, "stability": 30.0, "placebo": 15.0, "fail": 5.0, "warn": 1.0, "fit": 5.0},
    {"twin": 0.5, "placebo": 0.5, "stability": 1.0, "fit": 1.0},
)


def cases(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (case, family): point cases on every seed, "all four" cases where bayesian ran.

    ``nrmse`` becomes the ratio to the case's best, so one :func:`comparison._scores` call over every case
    gives each case's own fit gap (the best's ratio is 1 in every case, hence the global minimum).
    """
    ok = results[results["status"] == "ok"].copy()
    parts = []
    point = ok[ok["family"].isin(POINT)].assign(kind="point")
    parts.append(point)
    four_seeds = set(ok.loc[ok["family"] == "bayesian", "seed"])
    parts.append(ok[ok["seed"].isin(four_seeds)].assign(kind="all four"))
    table = pd.concat(parts, ignore_index=True)
    table["case"] = table["kind"] + ":" + table["seed"].astype(str)
    table["nrmse"] = table["nrmse"] / table.groupby("case")["nrmse"].transform("min")
    table["best_error"] = table.groupby("case")["roas_error"].transform("min")
    table["ratio"] = table["roas_error"] / table["best_error"]
    order = {f: i for i, f in enumerate(models.MODEL_NAMES)}
    table["at"] = table["family"].map(order)
    return table.sort_values(["case", "at"], ignore_index=True)


@contextlib.contextmanager
def weights(w: dict | None = None, full_at: dict | None = None) -> Iterator[None]:
    """Swap ``comparison.WEIGHTS`` / ``FULL_PENALTY_AT`` for the block (so ``_scores`` is the one formula)."""
    saved = dict(comparison.WEIGHTS), dict(comparison.FULL_PENALTY_AT)
    comparison.WEIGHTS.update(w or {})
    comparison.FULL_PENALTY_AT.update(full_at or {})
    try:
        yield
    finally:
        comparison.WEIGHTS.clear()
        comparison.WEIGHTS.update(saved[0])
        comparison.FULL_PENALTY_AT.clear()
        comparison.FULL_PENALTY_AT.update(saved[1])


def choose_by(table: pd.DataFrame, key: np.ndarray, ascending: bool) -> np.ndarray:
    """Per case, the row with the best ``key`` (ties as compare(): smaller twin error, then family order)."""
    twin = table["twin_error"].fillna(np.inf).to_numpy()
    key = np.where(np.isnan(key), np.inf if ascending else -np.inf, key)
    order = np.lexsort((table["at"].to_numpy(), twin, key if ascending else -key, table["case"].to_numpy()))
    cases_sorted = table["case"].to_numpy()[order]
    first = np.r_[True, cases_sorted[1:] != cases_sorted[:-1]]
    chosen = np.zeros(len(table), bool)
    chosen[order[first]] = True
    return chosen


def score_choice(table: pd.DataFrame, w: dict | None = None, full_at: dict | None = None) -> np.ndarray:
    """compare()'s choice per case under ``w`` / ``full_at`` (the current weights when None)."""
    with weights(w, full_at):
        scores = comparison._scores(table).to_numpy()
    return choose_by(table, scores, ascending=False)


def rules(table: pd.DataFrame) -> dict[str, Callable[[], np.ndarray]]:
    """Named choice rules: compare's current weights and simple baselines."""

    def always(family: str) -> Callable[[], np.ndarray]:
        return lambda: (table["family"] == family).to_numpy()

    return {
        "compare(), current weights": lambda: score_choice(table),
        "compare(), earlier weights": lambda: score_choice(table, *EARLIER),
        "always ridge": always("ridge"),
        "always lightgbm": always("lightgbm"),
        "always xgboost": always("xgboost"),
        "always bayesian": always("bayesian"),
        "best holdout NRMSE": lambda: choose_by(table, table["nrmse"].to_numpy(), True),
        "best CV NRMSE": lambda: choose_by(table, table["cv_nrmse"].to_numpy(), True),
        "smallest twin error": lambda: choose_by(table, table["twin_error"].to_numpy(), True),
        "smallest ROAS spread": lambda: choose_by(table, table["roas_spread"].to_numpy(), True),
        "smallest placebo share": lambda: choose_by(table, table["placebo_share"].abs().to_numpy(), True),
        "fewest fails, then warns": lambda: choose_by(table, (table["fail"] * 10 + table["warn"]).to_numpy(), True),
        "oracle (best family)": lambda: (table["ratio"] == 1).to_numpy(),
    }


def tally(table: pd.DataFrame, chosen: np.ndarray) -> pd.DataFrame:
    """Per case: the chosen family, its ratio to the best error and whether it is a hit (cases it names)."""
    picked = table[chosen].drop_duplicates("case")
    return picked.assign(hit=picked["ratio"] <= WITHIN)[["case", "kind", "seed", "held_out", "family", "ratio", "hit"]]


SUBSETS = [("point", False), ("point", True), ("all four", False), ("all four", True)]


def cell(picked: pd.DataFrame, kind: str, held: bool) -> str:
    """``hits/n (share), mean ratio`` for one subset of cases."""
    sub = picked[(picked["kind"] == kind) & (picked["held_out"] == held)]
    if sub.empty:
        return ""
    return f"{int(sub['hit'].sum())}/{len(sub)} ({sub['hit'].mean():.0%}), {sub['ratio'].mean():.2f}"


def hits_table(table: pd.DataFrame, choices: dict[str, np.ndarray]) -> str:
    """Markdown: hits per rule on the four subsets of cases."""
    counts = table.drop_duplicates("case").groupby(["kind", "held_out"]).size()
    head = [f"{k}, {'held out' if h else 'tuning'} ({counts.get((k, h), 0)})" for k, h in SUBSETS]
    lines = ["| rule | " + " | ".join(head) + " |", "|---|" + "---|" * len(head)]
    for name, chosen in choices.items():
        picked = tally(table, chosen)
        cells = [cell(picked, k, h) for k, h in SUBSETS]
        if any(cells):
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def case_table(table: pd.DataFrame, chosen: np.ndarray) -> str:
    """Markdown: per case, every family's true error and check values; the chosen one marked."""
    lines = ["| case | held out | family | ROAS error | ratio | twin | placebo | spread | NRMSE / best | fail/warn |"]
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for row in table.itertuples():
        mark = " **(chosen)**" if chosen[row.Index] else ""
        lines.append(
            f"| {row.case} | {'yes' if row.held_out else ''} | {row.family}{mark} | {row.roas_error:.0%} "
            f"| {row.ratio:.2f} "
            f"| {row.twin_error:.0%} | {row.placebo_share:.0%} | {row.roas_spread:.0%} | {row.nrmse:.2f} "
            f"| {row.fail:.0f}/{row.warn:.0f} |"
        )
    return "\n".join(lines)


def rank_agreement(table: pd.DataFrame) -> str:
    """Markdown: per input, the mean Spearman correlation within a case between it and the true error."""
    columns = ["twin_error", "roas_spread", "placebo_share", "nrmse", "cv_nrmse", "mape", "fail", "warn"]
    lines = ["| input | mean within-case rank correlation with true ROAS error: point | all four |", "|---|---|---|"]
    for column in columns:
        cells = []
        for kind in ("point", "all four"):
            sub = table[table["kind"] == kind]
            rhos = [
                g[column].corr(g["roas_error"], method="spearman")
                for _, g in sub.groupby("case")
                if g[column].nunique() > 1
            ]
            cells.append(f"{np.nanmean(rhos):+.2f} ({len(rhos)})" if rhos else "")
        lines.append(f"| {column} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rescore(results: pd.DataFrame) -> pd.DataFrame:
    """``score`` and ``recommended`` again from the stored inputs with the current weights (no refit).

    Each row is scored among the families it was compared with (``seed``, ``compared_with``) and the
    recommendation taken as compare() takes it: highest score, then smaller twin error, then the order given.
    """
    results = results.copy()
    ok = results["status"].eq("ok") & results["compared_with"].notna()
    for _, group in results[ok].groupby(["seed", "compared_with"]):
        scores = comparison._scores(group.reset_index(drop=True)).to_numpy()
        order = group["compared_with"].iloc[0].split("+")
        at = group["family"].map({f: i for i, f in enumerate(order)}).to_numpy()
        twin = group["twin_error"].fillna(np.inf).to_numpy()
        first = np.lexsort((at, twin, -scores))[0]
        results.loc[group.index, "score"] = scores
        results.loc[group.index, "recommended"] = np.arange(len(group)) == first
    return results


def consistency(results: pd.DataFrame) -> str:
    """Does ``_scores`` on the stored columns give back compare()'s stored scores (same comparison sets)?"""
    ok = results[(results["status"] == "ok") & results["score"].notna()]
    worst = 0.0
    for _, group in ok.groupby(["seed", "compared_with"]):
        again = comparison._scores(group.reset_index(drop=True)).to_numpy()
        worst = max(worst, float(np.max(np.abs(again - group["score"].to_numpy()))))
    return f"_scores on the stored columns vs compare()'s stored score: largest difference {worst:.2f} points"


def summary(results: pd.DataFrame) -> str:
    """The Markdown report of ``--summary``."""
    table = cases(results)
    choices = {name: rule() for name, rule in rules(table).items()}
    errors = results[results["status"] != "ok"]
    parts = [consistency(results), ""]
    if len(errors):
        parts += [f"Error rows: {', '.join(f'{s}/{f}' for s, f in errors[KEYS].to_numpy())}", ""]
    parts += [
        f"**Hits**: cases where the rule's family has a median ROAS error within {WITHIN:g}x the best family's "
        "(hits/cases (share), mean ratio chosen/best)",
        "",
        hits_table(table, choices),
        "",
        "**Which input ranks the families like their true error**",
        "",
        rank_agreement(table),
        "",
        "**Families' true median ROAS error per case** (all seeds)",
        "",
        errors_by_family(table),
    ]
    return "\n".join(parts)


def errors_by_family(table: pd.DataFrame) -> str:
    """Markdown: median true error per family and how often it is best / within 1.25x, per kind of case."""
    lines = ["| cases | family | median ROAS error | best | within 1.25x of best |", "|---|---|---|---|---|"]
    for kind in ("point", "all four"):
        sub = table[table["kind"] == kind]
        n = sub["case"].nunique()
        for family in models.MODEL_NAMES:
            mine = sub[sub["family"] == family]
            if mine.empty:
                continue
            lines.append(
                f"| {kind} ({n}) | {family} | {mine['roas_error'].median():.1%} | {(mine['ratio'] == 1).sum()} "
                f"| {(mine['ratio'] <= WITHIN).sum()} |"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- tuning

GRID_WEIGHTS = {
    "twin": (0.0, 15.0, 30.0, 60.0),
    "stability": (0.0, 15.0, 30.0, 60.0),
    "placebo": (0.0, 15.0, 30.0),
    "fail": (0.0, 5.0, 10.0),
    "warn": (0.0, 1.0, 3.0),
    "fit": (0.0, 5.0, 15.0, 30.0),
}
GRID_FULL_AT = {"twin": (0.25, 0.5, 1.0), "stability": (0.5, 1.0, 2.0), "placebo": (0.5, 1.0), "fit": (0.25, 1.0)}


def grid() -> Iterator[tuple[dict, dict]]:
    """Every weight combination; full-penalty points only where their weight is not 0."""
    names = list(GRID_WEIGHTS)
    for values in itertools.product(*GRID_WEIGHTS.values()):
        w = dict(zip(names, values))
        live = [k for k in GRID_FULL_AT if w[k] > 0]
        for at in itertools.product(*(GRID_FULL_AT[k] for k in live)):
            full = {k: comparison.FULL_PENALTY_AT[k] for k in GRID_FULL_AT}
            full.update(dict(zip(live, at)))
            yield w, full


def tune(results: pd.DataFrame) -> str:
    """Grid search on the tuning cases; the simplest weights within one case of the best; held-out result."""
    table = cases(results)
    tuning = table[~table["held_out"].astype(bool)].reset_index(drop=True)
    n_cases = tuning["case"].nunique()
    ratio = tuning["ratio"].to_numpy()
    found = []
    started = time.perf_counter()
    for w, full in grid():
        chosen = score_choice(tuning, w, full)
        r = ratio[chosen]
        found.append((int((r <= WITHIN).sum()), float(r.mean()), sum(v > 0 for v in w.values()), w, full))
    seconds = time.perf_counter() - started
    current = score_choice(tuning)
    current_hits = int((ratio[current] <= WITHIN).sum())
    best_hits = max(f[0] for f in found)
    near = [f for f in found if f[0] >= best_hits - 1]
    simplest = min(f[2] for f in near)
    pick = sorted((f for f in near if f[2] == simplest), key=lambda f: (-f[0], f[1]))[0]
    top = sorted(found, key=lambda f: (-f[0], f[1], f[2]))[:10]
    lines = [
        f"{len(found)} weight combinations on {n_cases} tuning cases in {seconds:.0f} s. Current weights: "
        f"{current_hits}/{n_cases} hits, mean ratio {ratio[current].mean():.2f}. Best: {best_hits}/{n_cases} "
        f"({sum(f[0] == best_hits for f in found)} combinations). Within one case of it: {len(near)}; the simplest "
        f"use {simplest} terms.",
        "",
        "**Top 10 on the tuning cases** (hits, mean ratio, weights; full-penalty points)",
        "",
    ]
    lines += [f"- {h}/{n_cases}, {m:.2f}: {describe(w, full)}" for h, m, _, w, full in top]
    first = top[0]
    lines += [
        "",
        f"**Chosen** (simplest within one case of the best): {describe(pick[3], pick[4])}",
        f"**Top** (most hits, smallest mean ratio, fewest terms): {describe(first[3], first[4])}",
        "",
    ]
    choices = {
        "compare(), current weights": score_choice(table),
        "compare(), earlier weights": score_choice(table, *EARLIER),
        "compare(), chosen weights": score_choice(table, pick[3], pick[4]),
        "compare(), top weights": score_choice(table, first[3], first[4]),
        "best holdout NRMSE": choose_by(table, table["nrmse"].to_numpy(), True),
    }
    lines += [hits_table(table, choices), "", spread_on_held_out(table, found, best_hits), ""]
    return "\n".join(lines)


def spread_on_held_out(table: pd.DataFrame, found: list, best_hits: int) -> str:
    """How the held-out hits vary over the combinations that tie or nearly tie on the tuning cases.

    Not used to choose: it says how much the tuning cases pin the weights down.
    """
    held = table[table["held_out"].astype(bool)].reset_index(drop=True)
    ratio = held["ratio"].to_numpy()
    n = held["case"].nunique()
    lines = [f"Held-out hits (of {n}) over the combinations at a given tuning score (not used to choose):", ""]
    for hits in (best_hits, best_hits - 1):
        counts = pd.Series(
            [int((ratio[score_choice(held, f[3], f[4])] <= WITHIN).sum()) for f in found if f[0] == hits]
        ).value_counts()
        spread = ", ".join(f"{k}: {v}" for k, v in counts.sort_index(ascending=False).items())
        lines.append(f"- {hits} tuning hits ({counts.sum()} combinations): held-out hits {spread}")
    return "\n".join(lines)


def describe(w: dict, full: dict) -> str:
    """``twin 30 (full at 0.5), ...`` for the non-zero weights."""
    parts = []
    for key, value in w.items():
        if value > 0:
            parts.append(f"{key} {value:g}" + (f" (full at {full[key]:g})" if key in full else ""))
    return ", ".join(parts) or "all zero (twin error, then family order)"


# --------------------------------------------------------------------------------------------- command line
