"""HTML pieces of a fit's results in the Models tab: metrics, intervals, checks and charts."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.figures.format import period_name
from dashboard.figures.models import (
    actual_vs_predicted,
    contribution_waterfall,
    contributions_area,
    decay_figure,
    importance_bars,
    response_curves_figure,
    roas_bars,
)
from dashboard.ids import Models
from dashboard.tabs.models.fits import CHECKS_TABLE, DONE, FAILED, FitResult
from dashboard.ui import caption, card, explained, graph, help_button, muted, stat_cards
from models.checks import REFIT_CHECKS

# A check's status (or a refit check that has not run) as a badge: word and colour.
STATUS_BADGES = {
    "ok": ("ok", "success"),
    "warn": ("warning", "warning"),
    "fail": ("fail", "danger"),
    "running": ("running", "info"),
    "not run": ("not run", "secondary"),
    "failed": ("could not run", "secondary"),
}
LIGHT_BADGES = {"warning", "info"}  # white text on these is under 2:1 contrast: they get dark text
NOT_FITTED = "Not fitted on this data yet: choose options and click Fit."
CHECKS_INTRO = "Can this model's ROAS be trusted? Each check says what it found and what to do about it."
# Each metric card: its label, the glossary terms that explain it, and its key in the fit's metrics.
METRIC_CARDS = (
    ("Holdout R²", ("R²", "holdout"), "r2", "{:.3f}"),
    ("Holdout MAPE", ("MAPE", "holdout"), "mape", "{:.1%}"),
    ("Holdout NRMSE", ("NRMSE", "holdout"), "nrmse", "{:.3f}"),
    ("CV R² (mean)", ("R²", "CV"), "cv_r2", "{:.3f}"),
    ("Train R²", ("R²", "train"), "train_r2", "{:.3f}"),
)
# What each chart of a fit shows and how to read it, one plain line under the chart; {one} and {many} name the
# data's period ("day", "days"): chart_caption fills them in.
CHART_CAPTIONS = {
    "fit": "Lines: the revenue you recorded and the model's prediction, {one} by {one}; the shaded stretch is "
    "the holdout the model did not see. The closer the lines there, the better it forecasts.",
    "contributions": "How much of each {one}'s predicted revenue the model puts down to each channel (colours) "
    "and to the base, trend and seasonality (greys) and controls (muted colours); the stack adds up to the prediction.",
    "waterfall": "The predicted revenue over all your data's dates, built up step by step: from the base, each bar "
    "adds what one component brought in; the last bar is the total.",
    "roas": "Bars: revenue per unit of spend over the data (ROAS); a bar above the dashed line at 1 earned back "
    "more than it cost. Hatched bars: marginal ROAS, what the next unit of spend returns. Whiskers: 90% interval.",
    "curves": "Revenue per {one} each channel brings at each level of spend per {one}; a curve that flattens "
    "means extra spend there buys little. Markers: recent average spend. Bands: 90% interval.",
    "decay": "Carry-over: the share of a {one}'s spend effect still felt 1, 2, 3... {many} later; a slow fall "
    "means the channel keeps working long after the money is spent.",
    "importance": "How much each input moves the model's revenue (channels, controls, trend and season); longer "
    "bars matter more. It says what the model leans on, not what a channel is worth per unit of spend.",
}


def metric_cards(family: str, metrics: dict) -> dbc.Row:
    """The fit's scores, each label with a help button saying what it measures."""
    scope = f"models-{family}"
    return stat_cards(
        [(explained(label, terms, scope), form.format(metrics[key])) for label, terms, key, form in METRIC_CARDS]
    )


def stage_status(meta: dict, stage: str) -> str:
    """A later stage's status (pending, done or failed); a fit saved before stages existed has them all."""
    return meta.get("stages", {}).get(stage, DONE)


def convergence_numbers(family: str, diagnostics: dict | None):
    """The sampler's numbers in one line, each with a help button (models with a posterior only)."""
    if not diagnostics:
        return None
    scope = f"models-{family}"
    return html.Small(
        [
            "Sampler: R-hat max ",
            f"{diagnostics['rhat_max']:.3f} ",
            help_button("R-hat", ("R-hat",), scope),
            f" · bulk ESS min {diagnostics['ess_bulk_min']:.0f} · tail ESS min {diagnostics['ess_tail_min']:.0f} ",
            help_button("ESS", ("ESS",), scope),
            f" · divergences {diagnostics['divergences']} ",
            help_button("a divergence", ("divergences",), scope),
        ],
        className="text-muted d-block mb-2",
    )


def refit_placeholders(meta: dict, done: set[str], running: bool) -> list[dict]:
    """Rows for the refit checks (placebo, twin) that have no result yet: running, not run, or failed."""
    status = stage_status(meta, "checks")
    if status == DONE:
        return []
    if status == FAILED:
        state, detail, action = "failed", f"Could not be run: {meta['stage_errors'].get('checks')}", ""
    elif running:
        state, detail, action = "running", "Refitting the model now; the result appears here when it is done.", ""
    else:
        state, detail = "not run", "The fit was cancelled or stopped before this check ran."
        action = "Fit again to run it."
    missing = [name for name in REFIT_CHECKS if name not in done]
    return [{"check": name, "status": state, "detail": detail, "action": action} for name in missing]


def check_row(row: dict) -> html.Tr:
    """One check: its name, a coloured status, what was found and what to do."""
    word, color = STATUS_BADGES.get(row["status"], (row["status"], "secondary"))
    cells = [
        html.Td(row["check"], className="fw-semibold text-nowrap"),
        html.Td(
            dbc.Badge(
                word, color=color, text_color="dark" if color in LIGHT_BADGES else None, class_name="text-uppercase"
            )
        ),
        html.Td(row["detail"]),
        html.Td(row.get("action") or ""),
    ]
    return html.Tr(cells, className=f"check-{row['status'].replace(' ', '-')}")


def checks_card(meta: dict, checks: pd.DataFrame | None, running: bool) -> dbc.Card:
    """Every check of the fit in plain words (for every family), with the sampler's numbers where there is one."""
    rows = [] if checks is None else checks.to_dict("records")
    rows += refit_placeholders(meta, {row["check"] for row in rows}, running)
    header = html.Thead(html.Tr([html.Th("check"), html.Th("status"), html.Th("what we found"), html.Th("what to do")]))
    table = dbc.Table(
        [header, html.Tbody([check_row(row) for row in rows])], size="sm", responsive=True, class_name="small mb-0"
    )
    body = [html.H6("Checks", className="mb-1"), muted(CHECKS_INTRO, "text-muted small mb-1")]
    body += [convergence_numbers(meta["family"], meta.get("diagnostics")), table]
    return card(body, "mb-3", id=Models.checks(meta["family"]))


def intervals_text(meta: dict, running: bool) -> str:
    """How this fit's 90% intervals were made, or that they are coming, were not finished, or failed."""
    status, made = stage_status(meta, "intervals"), meta.get("intervals")
    if status == DONE and made:
        seconds = meta.get("stage_seconds", {}).get("intervals")
        took = f", in {seconds:.1f} s" if seconds is not None else ""
        return (
            f"Error bars and bands are {made['level']:.0%} intervals from a calibrated bootstrap: "
            f"{made['replicates']} refits on data drawn from models that fit yours about as well as this one "
            f"({made['block_periods']}-{period_name(meta.get('frequency'))} blocks of residuals){took}. An interval "
            "that starts at the estimate means fits like this one understate that channel (trees, for one, are "
            "flat below the lowest spend they have seen): the truth is more likely above."
        )
    if status == DONE:
        return "Error bars and bands are 90% credible intervals from the posterior."
    if status == FAILED:
        return f"No intervals: {meta['stage_errors'].get('intervals')}"
    if running:
        return "Estimating 90% intervals (bootstrap refits): error bars and bands appear here when they are ready."
    return (
        "The 90% intervals were not finished (the fit was cancelled or stopped), so these numbers have none: "
        "fit again to get them."
    )


def fit_header(meta: dict, running: bool) -> html.Div:
    """When and how fast the model was fitted, and where its intervals stand."""
    fitted = f"Fitted {str(meta['fitted_at']).replace('+00:00', ' UTC')} in {meta['fit_seconds']:.1f} s. "
    note = html.Span(intervals_text(meta, running), id=Models.intervals_note(meta["family"]))
    return html.Small([fitted, note], className="text-muted d-block mt-2")


def results_view(family: str, fit: FitResult, running: bool = False) -> html.Div:
    """Metrics, checks and every chart of one fit; ``running``: its intervals or checks are still coming."""
    tables, meta = fit.tables, fit.meta
    channels, frequency = meta["channels"], meta.get("frequency")  # frequency: days or weeks in the words
    contributions = tables["contributions"].set_index(tables["contributions"].columns[0])
    curves = response_curves_figure(tables["curves"], meta["recent_spend"], channels=channels, frequency=frequency)

    return html.Div(
        [
            metric_cards(family, meta["metrics"]),
            fit_header(meta, running),
            checks_card(meta, tables.get(CHECKS_TABLE), running),
            chart(family, "fit", actual_vs_predicted(tables["fitted"]), 400, frequency),
            chart(family, "contributions", contributions_area(contributions, channels, frequency), 420, frequency),
            pair(
                chart(family, "waterfall", contribution_waterfall(contributions.sum(), channels)),
                chart(family, "roas", roas_bars(tables["roas"], channels=channels)),
            ),
            chart(family, "curves", curves, 420, frequency),
            pair(
                chart(
                    family,
                    "decay",
                    decay_figure(tables["decay"], channels=channels, frequency=frequency),
                    380,
                    frequency,
                ),
                chart(family, "importance", importance_bars(tables["importance"], frequency)),
                "g-3 mb-4",
            ),
        ]
    )


def chart_caption(kind: str, frequency: str | None = None) -> str:
    """How to read the chart, its periods named as the data's ``frequency`` has them ("day", "days")."""
    return CHART_CAPTIONS[kind].format(one=period_name(frequency), many=period_name(frequency, plural=True))


def chart(family: str, kind: str, figure, height: int = 380, frequency: str | None = None) -> dbc.Card:
    """One of a fit's charts in its card, with a line under it on how to read it."""
    return card([graph(Models.graph(family, kind), figure, height), caption(chart_caption(kind, frequency))])


def pair(left, right, class_name: str = "g-3") -> dbc.Row:
    """Two cards side by side from 1200 px (narrower, each chart would get about 300 px), stacked below."""
    return dbc.Row([dbc.Col(left, xl=6), dbc.Col(right, xl=6)], class_name=class_name)
