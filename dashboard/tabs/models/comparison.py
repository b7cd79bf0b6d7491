"""Which fit to trust: ``models.compare`` over the session's fits of the current data, kept in the session store
beside them and computed again only when one of them is saved again (a refit, its intervals, its checks)."""

from __future__ import annotations

import json
import logging
import math

import numpy as np

import models
from dashboard.store import SessionStore
from dashboard.tabs.models.fits import COMPARISON, fit_stamp, fit_summaries, load_model
from models.checks import CONVERGENCE

log = logging.getLogger(__name__)


def comparison(store: SessionStore, sid: str | None, version: str | None) -> dict | None:
    """The comparison of every fit on this data, or None without fits: ``rows`` (compare's table as records,
    best score first), ``recommended`` (a family), ``disagreements`` (compare's, in words) and ``stamps``."""
    metas = fit_summaries(store, sid, version)
    if not metas:
        return None
    stamps = {meta["family"]: fit_stamp(meta) for meta in metas}
    cached = stored_comparison(store, sid)
    if cached is not None and cached["version"] == version and cached["stamps"] == stamps:
        return cached
    fitted = {meta["label"]: load_model(store, sid, meta["family"], version) for meta in metas}
    if any(model is None for model in fitted.values()):  # replaced while we read: the next call compares again
        return None
    try:
        table = models.compare(fitted)
    except ValueError as exc:  # fits of the same data share their channels; say so in the log if not
        log.error("comparing %s failed: %s", sorted(stamps), exc)
        return None
    record = {
        "version": version,
        "stamps": stamps,
        "rows": [safe_record(row) for row in table.to_dict("records")],
        "recommended": str(table.loc[0, "family"]),
        "disagreements": [safe_record(item) for item in table.attrs["disagreements"]],
    }
    store.put(sid, COMPARISON, json.dumps(record).encode())
    return record


def stored_comparison(store: SessionStore, sid: str) -> dict | None:
    blob = store.get(sid, COMPARISON)
    return json.loads(blob) if blob is not None else None


def safe_record(row: dict) -> dict:
    return {str(key): json_safe(value) for key, value in row.items()}


def json_safe(value):
    """Numbers as Python floats (NaN and infinities as None), booleans and text as they are."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None or isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None


MAPE_PHRASE = "holdout MAPE "  # how compare()'s reason quotes the holdout fit (its last phrase)


def recommended_row(record: dict) -> dict:
    """The recommended model's row."""
    return next(row for row in record["rows"] if row["recommended"])


def with_mape(reason: str, mape) -> str:
    """The reason quoting ``mape`` for its holdout MAPE: the figure the table shows once the holdout slider has
    re-scored the fits (compare() wrote the one of the holdout each model was fitted with)."""
    head, found, tail = str(reason).rpartition(MAPE_PHRASE)
    if not found or mape is None or "%" not in tail:
        return reason
    return f"{head}{MAPE_PHRASE}{float(mape):.1%}{tail[tail.index('%') + 1 :]}"


def why(row: dict) -> str:
    """What the checks say about one model, from compare's reason without the model's name and the score."""
    reason = str(row["reason"])
    prefix = f"{row['model']}: "
    if reason.startswith(prefix):
        reason = reason[len(prefix) :]
    return reason.split(" Recommended:")[0].rstrip(".")


def score_phrase(record: dict) -> str:
    """ "its checks score best (84 of 100; next XGBoost, 81)", or the only model's score."""
    rows, best = record["rows"], recommended_row(record)
    if len(rows) == 1:
        return f"its checks score {best['score']:.0f} of 100"
    runner = next(row for row in rows if row is not best)
    if runner["score"] == best["score"]:
        return f"its checks score {best['score']:.0f} of 100, tied with {runner['model']}'s (its twin error is smaller)"
    if round(runner["score"]) == round(best["score"]):  # 76.2 and 75.9: not "76; next 76"
        return f"its checks score best ({best['score']:.1f} of 100; next {runner['model']}, {runner['score']:.1f})"
    if runner["score"] > best["score"]:  # compare() passes over a model whose sampler has not converged
        return (
            f"its checks score {best['score']:.0f} of 100 and {runner['model']} ({runner['score']:.0f}) has not "
            "converged"
        )
    return f"its checks score best ({best['score']:.0f} of 100; next {runner['model']}, {runner['score']:.0f})"


def recommendation_text(record: dict) -> str:
    """One sentence for the leaderboard: which model is recommended and why."""
    best = recommended_row(record)
    return f"{best['model']}, because {score_phrase(record)}: {why(best)}."


def cautions(checks) -> list[str]:
    """What a report or a download says before any number: "2 of this model's checks fail (Placebo channel,
    Simulated twin): treat its ROAS with caution." (none when no check failed, or none ran)."""
    failed = [] if checks is None else [str(name) for name in checks.loc[checks["status"] == "fail", "check"]]
    if not failed:
        return []
    verb = "fails" if len(failed) == 1 else "fail"
    advice = (  # the convergence check's own words: a sampler that has not converged gives no numbers to act on
        "do not act on its numbers until its sampler converges"
        if CONVERGENCE in failed
        else "treat its ROAS with caution"
    )
    return [f"{len(failed)} of this model's checks {verb} ({', '.join(failed)}): {advice}."]
