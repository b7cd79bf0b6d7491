"""Plain-language health checks of a fitted Bayesian MMM (:meth:`.model.BayesianMMM.health_check`).

Each check is ``{"level": "ok" | "warning" | "problem", "message": text}``; every message that is not "ok"
says what to do. Thresholds follow common practice: R-hat at most 1.01 and an effective sample size of at
least 400 (Vehtari et al. 2021, *Rank-normalization, folding, and localization: an improved R-hat*), no
divergent transitions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RHAT_MAX, ESS_MIN, MAPE_MAX = 1.01, 400, 0.2
ROAS_HIGH, ROAS_NEAR_ZERO, BIG_SPEND_SHARE = 20.0, 0.05, 0.1
WIDE_RATIO = 3.0  # a 90% ROAS interval whose upper end is this many times its lower end: not pinned down
SPEND_FLOOR = 0.25  # spend that stays above this share of its average in 95% of periods never goes near zero
FLOOR_QUANTILE = 0.05


def check(level: str, message: str) -> dict:
    """One health-check item."""
    return {"level": level, "message": message}


def convergence_checks(d: dict) -> list[dict]:
    """R-hat, effective sample size and divergences, in words."""
    checks = []
    if not np.isfinite(d["rhat_max"]):
        checks.append(check("warning", "Convergence cannot be checked with a single chain: fit with 2 or more chains."))
    elif d["rhat_max"] > RHAT_MAX:
        checks.append(
            check(
                "problem",
                f"The chains disagree (R-hat {d['rhat_max']:.3f}, above {RHAT_MAX}): the "
                "sampler has not converged, so the results are not reliable. Fit again with more draws "
                "and warm-up steps per chain (e.g. 2000 each).",
            )
        )
    else:
        checks.append(check("ok", f"The chains agree (R-hat {d['rhat_max']:.3f}, at most {RHAT_MAX})."))
    ess = min(d["ess_bulk_min"], d["ess_tail_min"])
    if not ess >= ESS_MIN:
        checks.append(
            check(
                "warning",
                f"Only about {ess:.0f} independent draws for the least explored parameter "
                f"(effective sample size below {ESS_MIN}): intervals are rough. Fit with more draws per chain.",
            )
        )
    else:
        checks.append(check("ok", f"Enough independent draws (effective sample size at least {ess:.0f})."))
    if d["divergences"] > 0:
        checks.append(
            check(
                "problem",
                f"{d['divergences']} divergent transitions: the sampler could not explore part "
                "of the posterior, so the results may be biased. Fit again with more warm-up steps; if they "
                "persist, look for outliers in revenue or a channel whose spend never changes.",
            )
        )
    else:
        checks.append(check("ok", "No divergent transitions."))
    return checks


def baseline_check(share: float) -> dict | None:
    if not np.isfinite(share):
        return None
    if share < 0:
        return check(
            "problem",
            f"The baseline is negative ({share:.0%} of revenue): media would explain more than "
            "all revenue, which is implausible. Check that spend and revenue are in the right columns and "
            "units, and add controls for what else drives revenue (prices, promotions, events).",
        )
    return check("ok", f"The baseline (revenue without media) is {share:.0%} of revenue.")


def roas_checks(table: pd.DataFrame) -> list[dict]:
    """Implausibly high ROAS, and big channels the model finds almost useless."""
    checks, share = [], table["spend"] / table["spend"].sum()
    for row, spend_share in zip(table.itertuples(), share):
        if row.roas > ROAS_HIGH:
            checks.append(
                check(
                    "warning",
                    f"{row.channel}: ROAS {row.roas:.1f} is implausibly high (above "
                    f"{ROAS_HIGH:.0f}). Check its spend column (units, missing spend) and whether "
                    "something else moves with it, such as promotions; add that as a control.",
                )
            )
        elif row.roas < ROAS_NEAR_ZERO and spend_share >= BIG_SPEND_SHARE:
            checks.append(
                check(
                    "warning",
                    f"{row.channel} gets {spend_share:.0%} of spend but the model finds "
                    f"almost no revenue from it (ROAS {row.roas:.2f}). Either it does not work, or its "
                    "spend varies too little to tell; a test (pausing it for a few weeks) would show.",
                )
            )
    if not checks:
        checks.append(check("ok", f"Every channel's ROAS is plausible (between 0 and {ROAS_HIGH:.0f})."))
    return checks


def holdout_check(mape: float) -> dict | None:
    if not np.isfinite(mape):
        return None
    if mape > MAPE_MAX:
        return check(
            "warning",
            f"On the holdout periods the forecast is off by {mape:.0%} on average (MAPE above "
            f"{MAPE_MAX:.0%}): forecasts are rough. Add controls for what else drives revenue, or check "
            "for a change in the business that the data's history does not show.",
        )
    return check("ok", f"On the holdout periods the forecast is off by {mape:.1%} on average.")


def spend_floors(spend: np.ndarray) -> np.ndarray:
    """Per channel (columns of ``spend``): the 5th percentile of spend per period over its mean non-zero spend.

    0 for a channel that is dark in at least 5% of the periods; near 1 for spend that hardly moves.
    """
    spend = np.clip(np.asarray(spend, dtype=float), 0.0, None)
    floors = []
    for column in spend.T:
        level = column[column > 0].mean() if (column > 0).any() else 0.0
        floors.append(float(np.quantile(column, FLOOR_QUANTILE) / level) if level > 0 else 0.0)
    return np.array(floors)


def identification_checks(table: pd.DataFrame, floors: np.ndarray) -> list[dict]:
    """Channels whose ROAS the data cannot pin down: a 90% interval wider than a factor of :data:`WIDE_RATIO`.

    ``table`` is :meth:`.model.BayesianMMM.roas`; ``floors`` are :func:`spend_floors` in its row order. When
    the channel's spend never goes near zero (floor at least :data:`SPEND_FLOOR`), its ROAS (the return on
    all of its spend, from zero up) extrapolates the response curve below any spend in the data, and the
    message says so; otherwise its effect is too small or too entangled with others' for the data to tell.
    """
    checks = []
    for row, floor in zip(table.itertuples(), floors):
        if not (row.lower > 0 and row.upper >= WIDE_RATIO * row.lower):
            continue
        interval = f"ROAS {row.roas:.2f}, 90% interval {row.lower:.2f} to {row.upper:.2f}"
        if floor >= SPEND_FLOOR:
            text = (
                f"{row.channel}'s spend never falls below {floor:.0%} of its average (in 95% of periods), so "
                "its ROAS, the return on all of its spend from zero up, is an extrapolation below any spend the "
                f"data show, and the data cannot pin it down: {interval}. Read the interval, not the point. "
                f"Its marginal ROAS ({row.mroas:.2f}) is what these data measure; to learn its ROAS, vary its "
                "spend (pause or halve it for a few weeks)."
            )
        else:
            text = (
                f"The data say little about {row.channel}'s ROAS: {interval}. Its effect is small next to "
                "the noise in revenue or moves with other channels' spend; more history, or a test that "
                "pauses it for a few weeks, would narrow it."
            )
        checks.append(check("warning", text))
    if not checks:
        bound = f"each 90% interval within a factor of {WIDE_RATIO:.0f}"
        checks.append(check("ok", f"The data pin down every channel's ROAS ({bound})."))
    return checks
