"""Models tab: fit each family in the background with progress and cancel; show results and a leaderboard."""

from __future__ import annotations

import logging
import time
import traceback

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

import models
from dashboard.datasets import load_dataset
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
from dashboard.fits import FitResult, fit_summaries, load_fit, save_fit
from dashboard.ids import App, Models
from dashboard.layout import GRAPH_CONFIG
from dashboard.layout_models import FAMILY_OPTIONS
from dashboard.store import InvalidSession, SessionStore
from models.data import DataError

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.3  # seconds between progress updates sent to the browser


def register(app, store: SessionStore) -> None:
    for family in models.MODEL_NAMES:
        register_family(app, store, family)

    @app.callback(
        Output(Models.LEADERBOARD, "children"),
        Input(App.DATASET, "data"),
        *[Input(Models.result_store(f), "data") for f in models.MODEL_NAMES],
        State(App.SESSION, "data"),
    )
    def leaderboard(summary, *rest):
        """Every model fitted on the current data, scored on the same holdout; the best first."""
        token = rest[-1]
        if not summary:
            return html.P("Load data, then fit a model.", className="text-muted small mb-0")
        try:
            rows = fit_summaries(store, store.session_id(token), summary["version"])
        except InvalidSession:
            rows = []
        return leaderboard_table(rows)


def register_family(app, store: SessionStore, family: str) -> None:
    fit_id, cancel_id = Models.fit_button(family), Models.cancel_button(family)
    option_states = [State(Models.option(family, name), "value") for name, *_ in FAMILY_OPTIONS[family]]

    @app.callback(
        Output(Models.result_store(family), "data"),
        Input(fit_id, "n_clicks"),
        State(Models.HOLDOUT, "value"),
        State(App.SESSION, "data"),
        *option_states,
        background=True,
        running=[
            (Output(fit_id, "disabled"), True, False),
            (Output(cancel_id, "disabled"), False, True),
            (Output(App.RUNNING, "data"), family, None),  # app-wide, so other tabs can say a fit runs
        ],
        progress=[Output(Models.progress(family), "value"), Output(Models.progress(family), "label")],
        cancel=[Input(cancel_id, "n_clicks")],
        prevent_initial_call=True,
    )
    def run_fit(set_progress, _clicks, holdout, token, *values):
        """Fit in a background process; the bar follows the engine's progress callback."""
        return fit_job(store, family, token, holdout, values, set_progress)

    @app.callback(
        Output(Models.results(family), "children"),
        Input(Models.result_store(family), "data"),
        Input(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )
    def show_results(result, summary, token):
        """The family's latest fit on the current data, or why there is none."""
        if result and result.get("error"):
            return dbc.Alert(result["error"], color="danger")
        if not summary:
            return None
        try:
            fit = load_fit(store, store.session_id(token), family, summary["version"])
        except InvalidSession:
            fit = None
        if fit is None:
            return html.P("Not fitted on this data yet: choose options and click Fit.", className="text-muted small")
        return results_view(family, fit)


def fit_job(store: SessionStore, family: str, token, holdout, values, set_progress) -> dict:
    """Load the session's data, fit, store the model and its tables; errors come back as messages."""
    try:
        sid = store.session_id(token)
    except InvalidSession:
        return {"error": "Your session is not valid any more: load your data again."}
    dataset = load_dataset(store, sid)
    if dataset is None:
        return {"error": "There is no data to fit: upload a file or try the demo data first."}
    options = family_options(family, values)
    report = throttled(set_progress)
    report(0.0, "Starting")
    started = time.perf_counter()
    try:
        fitted = models.fit(
            family, dataset.frame, dataset.roles, holdout=(holdout or 10) / 100, progress=report, **options
        )
    except (DataError, ValueError) as exc:
        return {"error": f"The model could not be fitted: {exc}"}
    except Exception as exc:  # never show a traceback; log where it failed, not the data
        log.error(
            "fit of %s failed with %s:\n%s", family, type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__))
        )
        return {"error": "The fit failed unexpectedly. Try other options, or check the roles of your columns."}
    seconds = time.perf_counter() - started
    set_progress((97, "Saving results"))
    meta = save_fit(store, sid, fitted, dataset.version, seconds, options)
    set_progress((100, f"Done in {seconds:.1f} s"))
    return {"version": dataset.version, "fitted_at": meta["fitted_at"]}


def family_options(family: str, values) -> dict:
    """Form values to constructor arguments; blanks mean the family's default."""
    options = {}
    for (name, _label, choices, _default), value in zip(FAMILY_OPTIONS[family], values):
        if value in (None, ""):
            continue
        options[name] = int(value) if choices is None else value
    return options


def throttled(set_progress):
    """A progress(fraction, message) callback that updates the bar at most every PROGRESS_EVERY seconds."""
    last = [0.0]

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction >= 1 or now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            percent = round(95 * fraction)
            set_progress((percent, f"{message} ({percent}%)"))

    return report


def leaderboard_table(rows: list[dict]) -> html.Div:
    if not rows:
        return html.P(
            "No model fitted on this data yet. Pick a family below and click Fit.", className="text-muted small mb-0"
        )
    flat = [{"family": r["family"], "label": r["label"], "fit_seconds": r["fit_seconds"], **r["metrics"]} for r in rows]
    frame = leaderboard_frame(flat).drop(columns=["family"])
    best = frame.pop("best")
    header = html.Thead(html.Tr([html.Th(c) for c in frame.columns]))
    body = html.Tbody(
        [
            html.Tr(
                [html.Td(v) for v in row],
                className="table-success fw-semibold" if best.iloc[i] else None,
            )
            for i, row in enumerate(frame.itertuples(index=False))
        ]
    )
    holdouts = sorted({r["metrics"]["holdout_periods"] for r in rows})
    if len(holdouts) > 1:
        note = dbc.Alert(
            f"These models were scored on different holdouts ({', '.join(map(str, holdouts))} periods): refit them "
            "with the same holdout setting to compare them fairly.",
            color="warning",
            class_name="py-2 small mb-0",
        )
    else:
        note = html.Small(
            f"All models are scored on the same holdout: the last {holdouts[0]} periods. Lower NRMSE is better; "
            "the best model is highlighted.",
            className="text-muted",
        )
    return html.Div([dbc.Table([header, body], size="sm", hover=True, responsive=True, class_name="mb-1"), note])


def metric_cards(metrics: dict) -> dbc.Row:
    items = [
        ("Holdout R²", f"{metrics['r2']:.3f}"),
        ("Holdout MAPE", f"{metrics['mape']:.1%}"),
        ("Holdout NRMSE", f"{metrics['nrmse']:.3f}"),
        ("CV R² (mean)", f"{metrics['cv_r2']:.3f}"),
        ("Train R²", f"{metrics['train_r2']:.3f}"),
    ]
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(dbc.CardBody([html.Small(label, className="text-muted"), html.H5(value, className="mb-0")]))
            )
            for label, value in items
        ],
        class_name="g-2",
    )


HEALTH_COLORS = {"ok": "success", "warning": "warning", "problem": "danger"}


def diagnostics_card(meta: dict):
    """Sampler diagnostics and the health check in plain words (models with a posterior only)."""
    diagnostics, health = meta.get("diagnostics"), meta.get("health") or []
    if not diagnostics:
        return None
    numbers = (
        f"R-hat max {diagnostics['rhat_max']:.3f} · bulk ESS min {diagnostics['ess_bulk_min']:.0f} · "
        f"tail ESS min {diagnostics['ess_tail_min']:.0f} · divergences {diagnostics['divergences']}"
    )
    items = [
        dbc.Alert(item["message"], color=HEALTH_COLORS.get(item["level"], "secondary"), class_name="py-2 mb-1 small")
        for item in health
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Diagnostics", className="mb-1"),
                html.Small(numbers, className="text-muted"),
                html.Div(items, className="mt-2"),
            ]
        ),
        class_name="mb-3",
        id=Models.diagnostics(meta["family"]),
    )


def results_view(family: str, fit: FitResult) -> html.Div:
    """Metrics and every chart of one fit."""
    tables, channels = fit.tables, fit.meta["channels"]
    contributions = tables["contributions"].set_index(tables["contributions"].columns[0])
    totals = contributions.sum()

    def graph(kind: str, figure, height: int = 380):
        return dcc.Graph(
            id=Models.graph(family, kind), figure=figure, config=GRAPH_CONFIG, style={"height": f"{height}px"}
        )

    def card(child):
        return dbc.Card(dbc.CardBody(child), class_name="mt-3")

    return html.Div(
        [
            diagnostics_card(fit.meta),
            metric_cards(fit.meta["metrics"]),
            html.Small(f"Fitted {fit.meta['fitted_at']} in {fit.meta['fit_seconds']:.1f} s.", className="text-muted"),
            card(graph("fit", actual_vs_predicted(tables["fitted"]), 400)),
            card(graph("contributions", contributions_area(contributions, channels), 420)),
            dbc.Row(
                [
                    dbc.Col(card(graph("waterfall", contribution_waterfall(totals, channels))), md=6),
                    dbc.Col(card(graph("roas", roas_bars(tables["roas"], channels=channels))), md=6),
                ],
                class_name="g-3",
            ),
            card(
                graph(
                    "curves", response_curves_figure(tables["curves"], fit.meta["recent_spend"], channels=channels), 420
                )
            ),
            dbc.Row(
                [
                    dbc.Col(card(graph("decay", decay_figure(tables["decay"], channels=channels))), md=6),
                    dbc.Col(card(graph("importance", importance_bars(tables["importance"]))), md=6),
                ],
                class_name="g-3 mb-4",
            ),
        ]
    )
