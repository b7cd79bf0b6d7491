"""What a share link and the report download hold: the results of one fit and the session's plans, never the rows.

:func:`build_snapshot` reads the session's data summary, the fit (the recommended one by default), its checks
and the scenarios saved on this version of the data (those of other models apart), and words the headline numbers
and the cautions that qualify them (failed checks). The uploaded rows stay behind: the snapshot keeps totals per
channel, model outputs (ROAS, contributions, curves with intervals), checks and plans. ``dashboard/report.py``
renders it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import models
from dashboard.figures.format import interval_text, percent_change, period_name, ratios
from dashboard.store import SessionStore
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.comparison import cautions, comparison, recommended_row, why
from dashboard.tabs.models.fits import CHECKS_TABLE, load_fit, load_model
from dashboard.tabs.models.views import intervals_text
from dashboard.tabs.plan.saved import load_scenarios
from dashboard.tabs.plan.state import DEFAULT_PERIODS

MOVED = 0.10  # the headline what-if: this share of the weakest channel's spend moved to the strongest
TOP_CHANNELS = 3  # channels named in the headlines
HOLDOUT_METRICS = ("r2", "mape", "nrmse")  # the fit's errors on the held-out periods
CHECK_FIELDS = ("check", "status", "detail", "action")


class NothingToShare(ValueError):
    """No data, or no finished fit of it: the words say what to do first."""


def build_snapshot(store: SessionStore, sid: str | None, family: str | None = None) -> dict:
    """The report's content for ``family``'s fit (the recommended model when None); NothingToShare in words."""
    dataset = load_dataset(store, sid)
    if dataset is None:
        raise NothingToShare("Load your data and fit a model first: a report shows a fitted model's results.")
    record = comparison(store, sid, dataset.version)
    if record is None:
        raise NothingToShare("Fit a model on the Models tab first: a report shows a fitted model's results.")
    family = family or record["recommended"]
    fit = load_fit(store, sid, family, dataset.version)
    fitted = load_model(store, sid, family, dataset.version)
    if fit is None or fitted is None:
        raise NothingToShare("That model has no finished fit on this data: fit it, or pick another.")
    row = next((r for r in record["rows"] if r["family"] == family), None)
    return {
        "version": 1,
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "expires": None,
        "dataset": dataset_summary(dataset),
        "model": model_summary(fit.meta, row, recommended_row(record)["model"], len(record["rows"]) == 1),
        **fit_tables(fit),
        "cautions": cautions(fit.tables.get(CHECKS_TABLE)),
        "headlines": headlines(fit, fitted, dataset.frequency),
        **plans(store, sid, dataset.version, family),
    }


def dataset_summary(dataset) -> dict:
    """Totals and dates of the data: what it covers, not its rows."""
    frame, roles = dataset.frame, dataset.roles
    dates = frame[roles["date"]]
    return {
        "name": dataset.filename,
        "rows": len(frame),
        "start": f"{dates.min():%Y-%m-%d}",
        "end": f"{dates.max():%Y-%m-%d}",
        "frequency": dataset.frequency,
        "channels": list(roles["channels"]),
        "controls": list(roles["controls"]),
        "spend": {c: float(frame[c].sum()) for c in roles["channels"]},
        "revenue": float(frame[roles["target"]].sum()),
    }


def model_summary(meta: dict, row: dict | None, recommended_model: str, alone: bool = False) -> dict:
    """Which model, how well it fits, and whether it is the recommended one (``recommended_model`` names that;
    ``alone``: the only model fitted, so there was nothing to recommend it over)."""
    recommended = bool(row and row["recommended"])
    among = "The only model fitted" if alone else "Recommended among the models fitted"
    return {
        "family": meta["family"],
        "label": meta["label"],
        "fitted_at": meta["fitted_at"],
        "metrics": {k: meta["metrics"][k] for k in HOLDOUT_METRICS if isinstance(meta["metrics"].get(k), (int, float))},
        "recommended": recommended,
        "recommended_model": recommended_model,
        "reason": f"{among}: {why(row)}." if recommended else "",
        "intervals": intervals_text(meta, running=False),
    }


def fit_tables(fit) -> dict:
    """ROAS, the revenue no channel explains, response curves and checks, as JSON records."""
    tables, channels = fit.tables, fit.meta["channels"]
    contributions = tables["contributions"].iloc[:, 1:].sum()
    checks = tables.get(CHECKS_TABLE)
    return {
        "roas": _records(tables["roas"]),
        "baseline": float(contributions.drop(labels=channels, errors="ignore").sum()),
        "curves": _records(tables["curves"]),
        "recent_spend": {c: float(v) for c, v in fit.meta["recent_spend"].items()},
        "checks": [] if checks is None else _records(checks[list(CHECK_FIELDS)]),
    }


def headlines(fit, fitted, frequency: str) -> list[str]:
    """The numbers a reader acts on, in sentences: the best channels' returns, and what moving budget does."""
    roas = fit.tables["roas"].sort_values("roas", ascending=False)
    sentences = [
        f"{r.channel} returns about {_returns(r)} per unit spent." for r in roas.head(TOP_CHANNELS).itertuples()
    ]
    largest = largest_spender(fitted, roas, set(roas.head(TOP_CHANNELS).channel))
    if largest:
        sentences.append(largest)
    move = budget_move(fitted, fit.tables["roas"], DEFAULT_PERIODS.get(frequency, 28), frequency)
    return sentences + ([move] if move else [])


def largest_spender(fitted, roas, named: set) -> str | None:
    """The channel with the most recent spend, when the ROAS headlines leave it out: where most of the money goes
    is what a reader asks about first ("facebook, the largest budget (41% of recent spend), returns about ...")."""
    recent = {c: float(v) for c, v in fitted.recent_spend().items() if c in set(roas.channel)}
    total = sum(v for v in recent.values() if v > 0)
    if total <= 0:
        return None
    top = max(recent, key=recent.get)
    if top in named:
        return None
    row = next(roas[roas.channel == top].itertuples())
    return (
        f"{top}, the largest budget ({recent[top] / total:.0%} of recent spend), returns about {_returns(row)} "
        "per unit spent."
    )


def _returns(row) -> str:
    """A channel's ROAS with its interval (none for a point model whose intervals did not run)."""
    return interval_text(row.roas, *_interval(row.lower, row.upper), numbers=ratios)


def budget_move(fitted, roas, periods: int, frequency: str) -> str | None:
    """ "Moving 10% of instagram's budget to tiktok adds about +1.2% revenue over the next 28 days": the best of
    the moves from the two channels of lowest marginal ROAS to the two of highest, by the model's own what-if
    (None with fewer than two channels); when none adds revenue, says that the mix is near the model's best."""
    ranked = list(roas.sort_values("mroas").channel)
    recent = {c: float(v) for c, v in fitted.recent_spend().items()}
    pairs = [(w, s) for w in ranked[:2] for s in ranked[-2:] if w != s and recent.get(w, 0.0) > 0]
    if not pairs:
        return None
    before = models.what_if(fitted, recent, periods).totals["revenue"]

    def change(pair) -> float:
        weak, strong = pair
        moved = dict(recent, **{weak: recent[weak] * (1 - MOVED), strong: recent[strong] + recent[weak] * MOVED})
        return (models.what_if(fitted, moved, periods).totals["revenue"] - before) / before if before else 0.0

    (weak, strong), best = max(((pair, change(pair)) for pair in pairs), key=lambda item: item[1])
    horizon = f"the next {periods} {period_name(frequency, plural=True)}"
    if best <= 0.0005:
        return f"No move of {MOVED:.0%} of one channel's budget to another adds revenue over {horizon}, by this model."
    return (
        f"Moving {MOVED:.0%} of {weak}'s budget to {strong} adds about {percent_change(best)} revenue over {horizon}."
    )


def plans(store: SessionStore, sid: str, version: str, family: str) -> dict[str, list[dict]]:
    """The scenarios saved on this version of the data, as the report shows them: ``plans`` made with ``family``'s
    model, and ``other_plans`` made with other models (the report sets them apart: their numbers are not this
    model's)."""
    keep = ("name", "kind", "label", "periods", "saved_at", "channels", "totals")
    saved = [s for s in load_scenarios(store, sid) if s.get("version") == version]
    return {
        "plans": [{k: s.get(k) for k in keep} for s in saved if s.get("family") == family],
        "other_plans": [{k: s.get(k) for k in keep} for s in saved if s.get("family") != family],
    }


def _interval(lower, upper) -> tuple:
    """The interval's ends, or none for a point model whose intervals did not run (both ends equal)."""
    return (lower, upper) if lower != upper else (None, None)


def _records(frame) -> list[dict]:
    """Rows as JSON-safe dicts (NaN as None)."""
    return [{k: (None if v != v else v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")]
