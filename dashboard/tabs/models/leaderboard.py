"""HTML pieces of the leaderboard: the recommendation in words, the models ranked by ``models.compare``'s
score, their ROAS per channel side by side and where they disagree."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

import models
from dashboard.figures.compare import leaderboard_frame, roas_comparison
from dashboard.figures.format import counted, period_name
from dashboard.figures.theme import empty_figure
from dashboard.tabs.models.comparison import recommendation_text, with_mape
from dashboard.tabs.models.fits import DONE, FAILED, FitResult
from dashboard.ui import alert, header_cell, muted

NO_FITS = "No model fitted on this data yet. Pick a family below and click Fit."
ONE_FIT = (
    "Fit a second family to compare: the recommendation weighs each model's checks (simulated twin, placebo, "
    "ROAS stability, plausibility, holdout error) against the others'."
)
AGREE = "The models agree on every channel's ROAS within a factor of 2."
COMPARE_FIRST = "Fit two families to see their ROAS side by side"
HIDDEN, SHOWN = {"display": "none"}, {}
# The glossary terms that explain each leaderboard column (the model's name and its fit time need none).
COLUMN_TERMS = {
    "Score": ("Score",),
    "Checks": ("Checks",),
    "Twin ROAS error": ("Twin ROAS error",),
    "Placebo share": ("Placebo share",),
    "ROAS spread (CV)": ("ROAS spread", "CV"),
    "R² (holdout)": ("R²", "holdout"),
    "MAPE (holdout)": ("MAPE", "holdout"),
    "NRMSE (holdout)": ("NRMSE", "holdout"),
    "NRMSE (CV)": ("NRMSE", "CV"),
}


def checks_state(meta: dict, running: bool) -> str:
    """Where a fit's refit checks stand: done, running, not run (cancelled or stopped) or failed."""
    status = meta.get("stages", {}).get("checks", DONE)
    if status in (DONE, FAILED):
        return status
    return "running" if running else "not run"


def leaderboard_view(record: dict, fits: dict[str, FitResult], running: list[str], periods: int | None = None) -> tuple:
    """(recommendation, ranked table, ROAS side by side, its box's style, disagreements): the chart and the
    disagreements from two models on. With ``periods``, the holdout columns score every fit on those last
    periods (the slider's holdout), from its stored fitted values; else on the holdout it was made with."""
    periods = periods if periods and periods >= 2 else None  # one period has no R²: keep each fit's own holdout
    rows = [
        {
            **row,
            **(rescored(fits[row["family"]], periods) if periods else {}),
            "fit_seconds": fits[row["family"]].meta["fit_seconds"],
            "checks_state": checks_state(fits[row["family"]].meta, row["family"] in running),
        }
        for row in record["rows"]
    ]
    if periods:  # the reasons quote the MAPE the table shows, not the one of each fit's own holdout
        rows = [{**row, "reason": with_mape(row["reason"], row.get("mape"))} for row in rows]
        record = {**record, "rows": rows}
    holdouts = sorted({fit.meta["metrics"]["holdout_periods"] for fit in fits.values()})
    frequency = next(iter(fits.values())).meta.get("frequency")  # every fit shown was made on the same data
    table = html.Div([ranked_table(rows), holdout_note(holdouts, rows, periods, frequency)])
    if len(rows) == 1:
        return recommendation(record, rows), table, empty_figure(COMPARE_FIRST), HIDDEN, None
    figure = roas_comparison(side_by_side(rows, fits))
    return recommendation(record, rows), table, figure, SHOWN, disagreement_note(record["disagreements"])


def rescored(fit: FitResult, periods: int) -> dict:
    """The fit's R², MAPE and NRMSE on the last ``periods`` periods, and how many of them it was trained on."""
    scores = models.score_last(fit.tables["fitted"], periods)
    return {key: scores[key] for key in ("r2", "mape", "nrmse", "trained_on")}


def empty_leaderboard(message: str) -> tuple:
    """The leaderboard's parts before there is anything to compare."""
    return None, muted(message), empty_figure(COMPARE_FIRST), HIDDEN, None


def recommendation(record: dict, rows: list[dict]) -> dbc.Alert:
    """Which model to trust and why, in words (with one model: that a second is needed to compare)."""
    if len(rows) == 1:
        return alert([html.Strong("One model so far. "), ONE_FIT], "info", class_name="py-2 small mb-2")
    waiting = [row["model"] for row in rows if row["checks_state"] in ("running", "not run")]
    provisional = (
        f" Provisional: the placebo and twin checks of {', '.join(waiting)} have not finished, and a check "
        "that has not run counts half against its model."
        if waiting
        else ""
    )
    content = [html.Strong("Recommended: "), recommendation_text(record) + provisional]
    return alert(content, "success", class_name="py-2 small mb-2")


def ranked_table(rows: list[dict]) -> dbc.Table:
    """The models ranked by score; the recommended one highlighted when there is a choice (its reason as a
    tooltip on every row)."""
    frame = leaderboard_frame(rows)
    chosen = frame.pop("recommended") & (len(rows) > 1)
    frame = frame.drop(columns=["family"])
    header = html.Thead(html.Tr([header_cell(column, COLUMN_TERMS, "models-leaderboard") for column in frame.columns]))
    body = [
        html.Tr(
            [html.Td(value) for value in values],
            className="table-success fw-semibold" if chosen.iloc[i] else None,
            title=rows[i]["reason"],
        )
        for i, values in enumerate(frame.itertuples(index=False))
    ]
    return dbc.Table([header, html.Tbody(body)], size="sm", hover=True, responsive=True, class_name="mb-1")


def side_by_side(rows: list[dict], fits: dict[str, FitResult]) -> pd.DataFrame:
    """Each model's ROAS and 90% interval per channel (tidy: model, channel, roas, lower, upper)."""
    frames = [
        fits[row["family"]].tables["roas"][["channel", "roas", "lower", "upper"]].assign(model=row["model"])
        for row in rows
    ]
    return pd.concat(frames, ignore_index=True)[["model", "channel", "roas", "lower", "upper"]]


def disagreement_note(disagreements: list[dict]):
    """A warning per channel whose ROAS differs by more than 2x between models, or that they agree."""
    if not disagreements:
        return muted(AGREE, "text-muted small mt-2 mb-0")
    channels = ", ".join(item["channel"] for item in disagreements)
    content = [
        html.Strong(f"The models disagree by more than 2x on {channels}."),
        html.Ul([html.Li(item["message"]) for item in disagreements], className="mb-0 mt-1"),
    ]
    return alert(content, "warning", class_name="py-2 small mt-2 mb-0")


def holdout_note(holdouts: list[int], rows: list[dict], periods: int | None, frequency: str | None = None):
    """What the holdout columns are for (not for crowning a model), on which periods (days or weeks, from the
    data's ``frequency``), and which fits trained on some of them (their errors there are partly in-sample: a
    refit with this holdout scores them fairly)."""
    if not periods:
        periods = holdouts[0] if len(holdouts) == 1 else None
    if periods is None:
        return alert(
            f"These models were scored on different holdouts ({', '.join(map(str, holdouts))} "
            f"{period_name(frequency, plural=True)}): refit them with the same holdout setting to compare their "
            "holdout errors fairly.",
            "warning",
            class_name="py-2 small mb-0",
        )
    reading = (
        f"Ranked by score: what the checks say about how far each model's ROAS can be trusted. Holdout errors "
        f"(every model on the same last {counted(periods, frequency)}, as the holdout slider sets) are for "
        "reference: models that forecast equally well can still be far apart on ROAS. Hover a row for its reason."
    )
    partly = [f"{row['model']} ({row['trained_on']})" for row in rows if row.get("trained_on")]
    if not partly:
        return html.Small(reading, className="text-muted")
    warning = (
        f"* Trained on some of these {period_name(frequency, plural=True)}: {', '.join(partly)}. Their holdout "
        "errors are partly in-sample and look better than they are: fit them again with this holdout for a fair "
        "score."
    )
    return html.Div(
        [html.Small(reading, className="text-muted d-block"), html.Small(warning, className="text-warning-emphasis")]
    )
