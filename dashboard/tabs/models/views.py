"""HTML pieces of the Models tab: a fit's metrics, diagnostics and charts, and the leaderboard."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.figures.models import (
    actual_vs_predicted,
    contribution_waterfall,
    contributions_area,
    decay_figure,
    importance_bars,
    leaderboard_frame,
    response_curves_figure,
    roas_bars,
)
from dashboard.ids import Models
from dashboard.tabs.models.fits import FitResult
from dashboard.ui import alert, card, graph, muted, stat_cards

HEALTH_COLORS = {"ok": "success", "warning": "warning", "problem": "danger"}
NOT_FITTED = "Not fitted on this data yet: choose options and click Fit."
NO_FITS = "No model fitted on this data yet. Pick a family below and click Fit."


def metric_cards(metrics: dict) -> dbc.Row:
    return stat_cards(
        [
            ("Holdout R²", f"{metrics['r2']:.3f}"),
            ("Holdout MAPE", f"{metrics['mape']:.1%}"),
            ("Holdout NRMSE", f"{metrics['nrmse']:.3f}"),
            ("CV R² (mean)", f"{metrics['cv_r2']:.3f}"),
            ("Train R²", f"{metrics['train_r2']:.3f}"),
        ]
    )


def diagnostics_card(meta: dict) -> dbc.Card | None:
    """Sampler diagnostics and the health check in plain words (models with a posterior only)."""
    diagnostics, health = meta.get("diagnostics"), meta.get("health") or []
    if not diagnostics:
        return None
    numbers = (
        f"R-hat max {diagnostics['rhat_max']:.3f} · bulk ESS min {diagnostics['ess_bulk_min']:.0f} · "
        f"tail ESS min {diagnostics['ess_tail_min']:.0f} · divergences {diagnostics['divergences']}"
    )
    items = [
        alert(item["message"], HEALTH_COLORS.get(item["level"], "secondary"), class_name="py-2 mb-1 small")
        for item in health
    ]
    body = [html.H6("Diagnostics", className="mb-1"), html.Small(numbers, className="text-muted")]
    return card([*body, html.Div(items, className="mt-2")], "mb-3", id=Models.diagnostics(meta["family"]))


def results_view(family: str, fit: FitResult) -> html.Div:
    """Metrics and every chart of one fit."""
    tables, meta = fit.tables, fit.meta
    channels = meta["channels"]
    contributions = tables["contributions"].set_index(tables["contributions"].columns[0])
    curves = response_curves_figure(tables["curves"], meta["recent_spend"], channels=channels)

    return html.Div(
        [
            diagnostics_card(meta),
            metric_cards(meta["metrics"]),
            html.Small(f"Fitted {meta['fitted_at']} in {meta['fit_seconds']:.1f} s.", className="text-muted"),
            chart(family, "fit", actual_vs_predicted(tables["fitted"]), 400),
            chart(family, "contributions", contributions_area(contributions, channels), 420),
            pair(
                chart(family, "waterfall", contribution_waterfall(contributions.sum(), channels)),
                chart(family, "roas", roas_bars(tables["roas"], channels=channels)),
            ),
            chart(family, "curves", curves, 420),
            pair(
                chart(family, "decay", decay_figure(tables["decay"], channels=channels)),
                chart(family, "importance", importance_bars(tables["importance"])),
                "g-3 mb-4",
            ),
        ]
    )


def chart(family: str, kind: str, figure, height: int = 380) -> dbc.Card:
    """One of a fit's charts in its card."""
    return card(graph(Models.graph(family, kind), figure, height))


def pair(left, right, class_name: str = "g-3") -> dbc.Row:
    """Two cards side by side on a wide screen."""
    return dbc.Row([dbc.Col(left, md=6), dbc.Col(right, md=6)], class_name=class_name)


def leaderboard_table(rows: list[dict]) -> html.Div:
    """Every fit on this data, best (lowest holdout NRMSE) highlighted, with a note on the holdouts."""
    if not rows:
        return muted(NO_FITS)
    flat = [{"family": r["family"], "label": r["label"], "fit_seconds": r["fit_seconds"], **r["metrics"]} for r in rows]
    frame = leaderboard_frame(flat).drop(columns=["family"])
    best = frame.pop("best")
    header = html.Thead(html.Tr([html.Th(c) for c in frame.columns]))
    body = html.Tbody(
        [
            html.Tr([html.Td(v) for v in row], className="table-success fw-semibold" if best.iloc[i] else None)
            for i, row in enumerate(frame.itertuples(index=False))
        ]
    )
    table = dbc.Table([header, body], size="sm", hover=True, responsive=True, class_name="mb-1")
    return html.Div([table, holdout_note(sorted({r["metrics"]["holdout_periods"] for r in rows}))])


def holdout_note(holdouts: list[int]):
    """Whether the models can be compared: all scored on the same last periods, or not."""
    if len(holdouts) > 1:
        return alert(
            f"These models were scored on different holdouts ({', '.join(map(str, holdouts))} periods): refit them "
            "with the same holdout setting to compare them fairly.",
            "warning",
            class_name="py-2 small mb-0",
        )
    return html.Small(
        f"All models are scored on the same holdout: the last {holdouts[0]} periods. Lower NRMSE is better; "
        "the best model is highlighted.",
        className="text-muted",
    )
