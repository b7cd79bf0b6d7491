"""The cheap checks: read from a fit's metrics, ROAS, cross-validation refits and sampler diagnostics.

Nothing here refits a model; every function returns one row ``{check, status, detail, action, value}``
(see :mod:`models.checks`). Thresholds are module constants, stated in :mod:`models.checks`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HOLDOUT, CROSS_VALIDATION, STABILITY = "Holdout error", "Cross-validation error", "ROAS stability"
PLAUSIBLE, CONVERGENCE = "Plausible ROAS", "Convergence"
MAPE_WARN, MAPE_FAIL = 0.10, 0.25  # forecast error (MAPE, a fraction) above which a check warns / fails
R2_WARN, R2_FAIL = 0.5, 0.0  # R² below which a check warns / fails (below 0: worse than a flat line)
OVERFIT_RATIO = 2.0  # CV NRMSE over training NRMSE above which the model overfits (warn)
SPREAD_WARN, SPREAD_FAIL = 0.5, 1.0  # a channel's ROAS spread across CV refits, over its median
ROAS_HIGH, ROAS_NEAR_ZERO, BIG_SPEND_SHARE = 20.0, 0.05, 0.10
FLOOR_SHARE = 0.1  # spreads and errors are taken against at least 10% of the channels' overall ROAS
LEVELS = {"ok": "ok", "warning": "warn", "problem": "fail"}  # health_check levels -> statuses
NOTHING_TO_DO = "Nothing to do."


def row(check: str, status: str, detail: str, action: str, value: float = float("nan")) -> dict:
    """One check's row: its name, status (ok, warn or fail), what was found, what to do, its number."""
    return {"check": check, "status": status, "detail": detail, "action": action, "value": float(value)}


def worst(statuses) -> str:
    """The worst of some statuses ("fail" over "warn" over "ok"; "ok" when there are none)."""
    statuses = set(statuses)
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"


def error_status(mape: float, r2: float) -> str:
    """``fail`` when MAPE is above 25% or R² below 0, ``warn`` above 10% or below 0.5, else ``ok``."""
    if mape > MAPE_FAIL or r2 < R2_FAIL:
        return "fail"
    return "warn" if mape > MAPE_WARN or r2 < R2_WARN else "ok"


# what makes each family simpler, in the words of its options on the Models tab (overfitting advice)
SIMPLER = {
    "lightgbm": "fewer trees",
    "xgboost": "fewer trees",
    "ridge": "fewer search trials, or fewer controls",
    "bayesian": "fewer controls",
}
FORECAST_ACTIONS = {
    "ok": NOTHING_TO_DO,
    "warn": "Forecasts are rough: add controls for what else drives revenue (prices, promotions, events), or "
    "look for a change in the business that the history does not show.",
    "fail": "Do not plan with this model: it forecasts new periods poorly. Check that the target is revenue "
    "and every column has the right role, then add controls for what else drives revenue.",
}


def holdout_check(metrics: dict, unit: str = "period") -> dict:
    """Forecast error on the holdout periods (the last ones, kept out of training); ``unit``: "day", "week"."""
    mape, r2, nrmse = (float(metrics.get(key, np.nan)) for key in ("mape", "r2", "nrmse"))
    if not np.isfinite(mape):
        detail = "The holdout error could not be measured: too few holdout periods with revenue."
        return row(HOLDOUT, "warn", detail, "Fit with a holdout of at least a few weeks.")
    status = error_status(mape, r2)
    periods = int(metrics.get("holdout_periods", 0))
    detail = (
        f"On the {periods} holdout {unit}{'s' * (periods != 1)} the forecast is off by {mape:.1%} on "
        f"average (MAPE; R² {r2:.2f}, NRMSE {nrmse:.3f})."
    )
    if status != "ok":
        detail += f" Above {MAPE_WARN:.0%} MAPE or below R² {R2_WARN} warns; above {MAPE_FAIL:.0%} or below 0 fails."
    return row(HOLDOUT, status, detail, FORECAST_ACTIONS[status], mape)


def cross_validation_check(metrics: dict, family: str = "", unit: str = "period") -> dict:
    """Forecast error of the rolling-origin refits, and overfitting (CV error far above the training error); the
    advice against overfitting names what ``family``'s options can make simpler."""
    folds = int(metrics.get("cv_folds", 0) or 0)
    mape, r2 = float(metrics.get("cv_mape", np.nan)), float(metrics.get("cv_r2", np.nan))
    if folds == 0 or not np.isfinite(mape):
        detail = "Not measured: no cross-validation refits were run (cv_folds 0, or too little data for a fold)."
        return row(CROSS_VALIDATION, "warn", detail, "Fit with cv_folds of 2 or more.")
    nrmse, train = float(metrics.get("cv_nrmse", np.nan)), float(metrics.get("train_nrmse", np.nan))
    status = error_status(mape, r2)
    detail = (
        f"Refitted on {folds} shorter histories, the model forecasts the {unit}s after each with {mape:.1%} "
        f"error on average (MAPE; R² {r2:.2f}, NRMSE {nrmse:.3f}; {train:.3f} on its own training {unit}s)."
    )
    action = FORECAST_ACTIONS[status]
    if nrmse > OVERFIT_RATIO * train:
        detail += f" Its error on new {unit}s is {nrmse / train:.1f} times that on training {unit}s: it overfits."
        simpler = SIMPLER.get(family, "fewer controls")
        action = action if status == "fail" else f"Use a simpler model ({simpler}) or more data."
        status = worst([status, "warn"])
    return row(CROSS_VALIDATION, status, detail, action, mape)


def roas_spreads(cv_roas: dict, contributions: pd.DataFrame, spend: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Last-year ROAS per refit (rows: the CV refits, then the full fit) and each channel's spread.

    The spread of a channel is (max - min) / median over the rows, the median taken as at least 10% of the
    channels' overall ROAS so that a channel near 0 does not divide by 0. Channels without spend are left out.
    """
    periods = int(cv_roas["periods"])
    money = spend.tail(periods).sum()
    effect = contributions[money.index].tail(periods).sum()
    table = pd.DataFrame([*cv_roas["folds"], (effect / money.where(money > 0)).to_dict()])[money.index]
    floor = FLOOR_SHARE * abs(effect.sum() / money.sum()) if money.sum() > 0 else 0.0
    spread = (table.max() - table.min()) / np.maximum(table.median().abs(), floor or 1e-12)
    return table, spread.dropna()


def stability_check(
    cv_roas: dict | None, contributions: pd.DataFrame, spend: pd.DataFrame, unit: str = "period"
) -> dict:
    """How far each channel's last-year ROAS moves across the CV refits and the full fit.

    ``cv_roas`` is ``{"periods": n, "folds": [{channel: roas}, ...]}`` (recorded by the fit over its last
    ``n`` periods); ``contributions`` and ``spend`` are the full fit's, one row per period of the data.
    Above 50% warns; above 100% fails for a channel with at least 10% of spend (smaller ones warn). ``unit``:
    what a period is called ("day", "week").
    """
    if not (cv_roas or {}).get("folds"):
        detail = "Not measured: no cross-validation refits were recorded (cv_folds 0, too little data, or an old fit)."
        return row(STABILITY, "warn", detail, "Fit again with cv_folds of 2 or more.")
    table, spread = roas_spreads(cv_roas, contributions, spend)
    if spread.empty:
        return row(STABILITY, "warn", "Not measured: no channel spent in the last periods.", NOTHING_TO_DO)
    money = spend.tail(int(cv_roas["periods"])).sum()
    big = (money / money.sum() >= BIG_SPEND_SHARE)[spread.index]
    status = "fail" if (spread[big] > SPREAD_FAIL).any() else "warn" if spread.max() > SPREAD_WARN else "ok"
    name = spread.idxmax()
    detail = (
        f"Over the last {cv_roas['periods']} {unit}s, {len(table) - 1} refits on shorter histories and the full fit "
        f"give {name} a ROAS from {table[name].min():.2f} to {table[name].max():.2f} ({spread[name]:.0%} of its median)"
    )
    others = [c for c in spread.index if spread[c] > SPREAD_WARN and c != name]
    detail += f"; also above {SPREAD_WARN:.0%}: {', '.join(others)}." if others else "; every other channel moves less."
    action = {
        "ok": NOTHING_TO_DO,
        "warn": f"Treat {name}'s ROAS as rough: it depends on which periods the model saw.",
        "fail": "Do not move budget on these channels' ROAS: the model's answer changes with a few months more or "
        "less data. More history or more variation in their spend would settle it.",
    }[status]
    return row(STABILITY, status, detail, action, spread.max())


def plausible_check(roas: pd.DataFrame) -> dict:
    """Negative ROAS (fail), ROAS above 20 (warn), ROAS near 0 for a channel with 10% or more of spend (warn)."""
    table = roas.dropna(subset=["roas"])
    share = table["spend"] / table["spend"].sum()
    problems, actions, status = [], [], "ok"
    for channel, value, part in zip(table["channel"], table["roas"], share):
        if value < 0:
            problems.append(f"{channel}: ROAS {value:.2f}, negative")
            actions.append("A negative ROAS says spending loses revenue: look for something that moves with the spend")
            status = "fail"
        elif value > ROAS_HIGH:
            problems.append(f"{channel}: ROAS {value:.1f}, above {ROAS_HIGH:.0f}")
            actions.append("Check the spend column (units, missing spend) and whether promotions move with it")
        elif value < ROAS_NEAR_ZERO and part >= BIG_SPEND_SHARE:
            problems.append(f"{channel}: ROAS {value:.2f} on {part:.0%} of spend")
            actions.append("Either it does not work or its spend varies too little to tell: pausing it would show")
    if not problems:
        detail = (
            f"Every channel's ROAS ({table['roas'].min():.2f} to {table['roas'].max():.2f}) lies between 0 and "
            f"{ROAS_HIGH:.0f}, and none with {BIG_SPEND_SHARE:.0%} or more of spend is near 0."
        )
        return row(PLAUSIBLE, "ok", detail, NOTHING_TO_DO, 0)
    detail = "Implausible ROAS: " + "; ".join(problems) + "."
    action = "; ".join(dict.fromkeys(actions)) + "; add what you find as a control."
    return row(PLAUSIBLE, worst([status, "warn"]), detail, action, len(problems))


def convergence_check(diagnostics: dict | None) -> dict | None:
    """R-hat, effective sample size and divergences of a posterior, in the Bayesian family's own words.

    ``None`` for models without a sampler. Levels map as ok -> ok, warning -> warn, problem -> fail.
    """
    if diagnostics is None:
        return None
    from models.families.bayesian.health import convergence_checks

    items = [(LEVELS[item["level"]], item["message"]) for item in convergence_checks(diagnostics)]
    status = worst(level for level, _ in items)
    detail = " ".join(message for level, message in items if level == status)
    action = {
        "ok": NOTHING_TO_DO,
        "warn": "Fit with more draws per chain (and at least 2 chains) before relying on the intervals.",
        "fail": "Do not act on this model's numbers until the chains agree: fit again with more draws and "
        "warm-up steps per chain.",
    }[status]
    return row(CONVERGENCE, status, detail, action, diagnostics.get("rhat_max", np.nan))
