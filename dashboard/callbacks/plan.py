"""Plan tab: live what-if predictions per channel spend, budget optimisation, apply and export."""

from __future__ import annotations

import logging
import traceback

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

import models
from dashboard.exports import csv_bytes, xlsx_bytes
from dashboard.figures.explore import empty_figure
from dashboard.figures.plan import allocation_figure, incremental_figure, prediction_figure
from dashboard.ids import App, Models, Plan
from dashboard.layout_plan import (
    NO_FITS,
    allocation_table,
    bound_rows,
    channel_rows,
    plan_cards,
    what_if_cards,
    what_if_table,
)
from dashboard.plans import (
    DEFAULT_PERIODS,
    FitKey,
    PlanCache,
    allocation_frame,
    checked_periods,
    fitted_families,
    load_plan,
    optimiser_arguments,
    period_name,
    plan_exports,
    plan_record,
    save_plan,
)
from dashboard.store import InvalidSession, SessionStore
from models.planning import what_if

log = logging.getLogger(__name__)
SHOWN, HIDDEN = {}, {"display": "none"}
PLAN_BUTTONS = (Plan.APPLY, Plan.EXPORT_XLSX, Plan.EXPORT_PLAN_CSV, Plan.EXPORT_PREDICTION_CSV)


def register(app, store: SessionStore) -> None:
    cache = PlanCache(store)
    app.plan_cache = cache  # for tests and the benchmark

    def session(token) -> str | None:
        try:
            return store.session_id(token)
        except InvalidSession:
            return None

    def fit_key(family, fits, summary, token) -> FitKey | None:
        """Which stored fit the form points at; the session id comes from the signed token only."""
        sid = session(token)
        if sid is None or not summary or not family or family not in (fits or {}):
            return None
        return FitKey(sid, family, summary["version"], fits[family]["stamp"])

    @app.callback(
        Output(Plan.FITS, "data"),
        Output(Plan.FAMILY, "options"),
        Output(Plan.FAMILY, "value"),
        Output(Plan.STATUS, "children"),
        Output(Plan.BODY, "style"),
        Input(App.DATASET, "data"),
        *[Input(Models.result_store(f), "data") for f in models.MODEL_NAMES],
        State(Plan.FAMILY, "value"),
        State(Plan.FITS, "data"),
        State(App.SESSION, "data"),
    )
    def list_fits(summary, *rest):
        """The families fitted on the current data; forget cached models of other data."""
        chosen, before, sid = rest[-3], rest[-2] or {}, session(rest[-1])
        version = (summary or {}).get("version")
        if sid is not None:
            cache.forget(sid, version)
        fits = fitted_families(store, sid, version)
        if not fits:
            return {}, [], None, html.P(NO_FITS, className="text-muted"), HIDDEN
        options = [{"label": meta["label"], "value": family} for family, meta in fits.items()]
        if chosen in fits and before.get(chosen) == fits[chosen]:  # another family's fit: keep the sliders
            return fits, options, no_update, None, SHOWN
        return fits, options, chosen if chosen in fits else next(iter(fits)), None, SHOWN

    @app.callback(Output(Plan.PERIODS, "value"), Output(Plan.PERIODS_UNIT, "children"), Input(App.DATASET, "data"))
    def default_horizon(summary):
        """About the next month: 28 days or 4 weeks."""
        frequency = (summary or {}).get("frequency", "daily")
        return DEFAULT_PERIODS.get(frequency, 28), period_name(frequency, plural=True)

    @app.callback(
        Output(Plan.CHANNELS, "children"),
        Output(Plan.BOUNDS, "children"),
        Input(Plan.FAMILY, "value"),
        State(Plan.FITS, "data"),
        State(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )
    def channel_controls(family, fits, summary, token):
        """A slider, a number and a lock per channel at the recent average; min/max boxes for the optimiser."""
        key = fit_key(family, fits, summary, token)
        fitted, meta = (cache.model(key), cache.meta(key)) if key else (None, None)
        if fitted is None or meta is None:
            return [], None
        channels = meta["channels"]
        unit = f"per {period_name(summary['frequency'])}"
        rows = channel_rows(meta["recent_spend"], fitted.data_[channels].max().to_dict(), unit)
        return rows, bound_rows(channels)

    @app.callback(
        Output(Plan.BUDGET, "value"),
        Input(Plan.FAMILY, "value"),
        Input(Plan.PERIODS, "value"),
        State(Plan.FITS, "data"),
        State(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )
    def default_budget(family, periods, fits, summary, token):
        """The recent spend per period (from the stored fit), all channels, times the horizon."""
        key = fit_key(family, fits, summary, token)
        meta = cache.meta(key) if key else None
        try:
            return round(sum(meta["recent_spend"].values()) * checked_periods(periods))
        except (ValueError, KeyError, TypeError):
            raise PreventUpdate from None

    app.callback(Output(Plan.RUNNING, "children"), Input(App.RUNNING, "data"))(running_note)

    @app.callback(
        Output(Plan.slider(ALL), "value"),
        Output(Plan.spend(ALL), "value"),
        Input(Plan.slider(ALL), "value"),
        Input(Plan.spend(ALL), "value"),
        Input(Plan.APPLY, "n_clicks"),
        State(Plan.spend(ALL), "id"),
        State(Plan.RESULT, "data"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )
    def sync_spend(sliders, numbers, _apply, ids, result, token):
        """Keep each slider and its number equal; Apply sets both to the optimised plan (the server's copy)."""
        plan = stored_plan(store, result, token) if ctx.triggered_id == Plan.APPLY else None
        return synced_spend(ctx.triggered_id, sliders, numbers, [i["channel"] for i in ids], plan)

    @app.callback(
        Output(Plan.WHATIF_SUMMARY, "children"),
        Output(Plan.PREDICTION, "figure"),
        Output(Plan.INCREMENTAL, "figure"),
        Output(Plan.WHATIF_TABLE, "children"),
        Input(Plan.spend(ALL), "value"),
        Input(Plan.PERIODS, "value"),
        State(Plan.spend(ALL), "id"),
        State(Plan.FAMILY, "value"),
        State(Plan.FITS, "data"),
        State(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )
    def update_what_if(values, periods, ids, family, fits, summary, token):
        """Predicted revenue, per-channel revenue, ROAS and marginal ROAS for the spend on the sliders."""
        key = fit_key(family, fits, summary, token)
        if key is None or not ids:
            blank = empty_figure("Pick a model")
            return None, blank, blank, None
        return what_if_outputs(cache, key, periods, {i["channel"]: v for i, v in zip(ids, values)})

    @app.callback(
        output=Output(Plan.RESULT, "data"),
        inputs={"_clicks": Input(Plan.OPTIMISE, "n_clicks")},
        state={
            "family": State(Plan.FAMILY, "value"),
            "periods": State(Plan.PERIODS, "value"),
            "budget": State(Plan.BUDGET, "value"),
            "objective": State(Plan.OBJECTIVE, "value"),
            "min_roas": State(Plan.MIN_ROAS, "value"),
            "unit": State(Plan.BOUND_UNIT, "value"),
            "ids": State(Plan.spend(ALL), "id"),
            "spend": State(Plan.spend(ALL), "value"),
            "locks": State(Plan.lock(ALL), "value"),
            "minimums": State(Plan.minimum(ALL), "value"),
            "maximums": State(Plan.maximum(ALL), "value"),
            "fits": State(Plan.FITS, "data"),
            "summary": State(App.DATASET, "data"),
            "token": State(App.SESSION, "data"),
        },
        running=[(Output(Plan.OPTIMISE, "disabled"), True, False)],
        prevent_initial_call=True,
    )
    def optimise(_clicks, fits, summary, token, **form):
        """Split the budget with the engine and keep the plan server-side; the browser gets its id or the
        engine's message for a request it cannot meet."""
        key = fit_key(form["family"], fits, summary, token)
        if key is None:
            return {"error": NO_FITS, "version": (summary or {}).get("version")}
        form["channels"] = [i["channel"] for i in form.pop("ids")]
        record = optimised_plan(cache, key, fits[key.family]["label"], form)
        if "error" in record:  # with its data version: a message about other data is not shown either
            return {"error": record["error"], "version": key.version}
        return save_plan(store, key.sid, record)

    @app.callback(
        Output(Plan.RESULT_VIEW, "children"),
        Output(Plan.ALLOCATION, "figure"),
        Output(Plan.ALLOCATION_TABLE, "children"),
        Output(Plan.MESSAGES, "children"),
        *[Output(button, "disabled") for button in PLAN_BUTTONS],
        Input(Plan.RESULT, "data"),
        Input(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )
    def show_plan(result, summary, token):
        """Current vs optimised spend, expected revenue and lift, and the binding constraints in words."""
        return plan_outputs(stored_plan(store, result, token), (summary or {}).get("version"))

    @app.callback(
        Output(Plan.DOWNLOAD, "data"),
        Input(Plan.EXPORT_XLSX, "n_clicks"),
        Input(Plan.EXPORT_PLAN_CSV, "n_clicks"),
        Input(Plan.EXPORT_PREDICTION_CSV, "n_clicks"),
        State(Plan.RESULT, "data"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )
    def download(_xlsx, _plan, _prediction, result, token):
        """The optimised plan and its prediction as a workbook, or either table as CSV."""
        return plan_download(store, result, token, ctx.triggered_id)


def stored_plan(store: SessionStore, result: dict | None, token) -> dict | None:
    """The plan a Plan.RESULT reference points at, read from the session store; an error as it came."""
    if not result or "error" in result:
        return result
    try:
        return load_plan(store, store.session_id(token), result)
    except InvalidSession:
        return None


def plan_download(store: SessionStore, result: dict | None, token, trigger) -> dict:
    """The stored plan and its prediction as a workbook, or either table as CSV (``trigger``: which button)."""
    record = stored_plan(store, result, token)
    if not record or record.get("error"):
        raise PreventUpdate
    tables, stem = plan_exports(record), f"plan - {record['family']} - {record['periods']} {record['unit']}"
    if trigger == Plan.EXPORT_PLAN_CSV:
        return dcc.send_bytes(csv_bytes(tables["plan"]), f"{stem} - plan.csv")
    if trigger == Plan.EXPORT_PREDICTION_CSV:
        return dcc.send_bytes(csv_bytes(tables["prediction"]), f"{stem} - prediction.csv")
    return dcc.send_bytes(xlsx_bytes(tables), f"{stem}.xlsx")


def running_note(family: str | None):
    """Say that a fit runs (App.RUNNING), so the Plan tab does not look as if no model were coming."""
    if not family:
        return None
    label = models.LABELS.get(family, family)
    return dbc.Alert(
        f"A {label} fit is running in the Models tab; it is listed here when it is done.",
        color="info",
        class_name="mt-3 mb-0 py-2 small",
    )


def synced_spend(trigger, sliders: list, numbers: list, channels: list[str], plan: dict | None):
    """New (slider values, number values) after ``trigger`` changed; no_update for the side already right."""
    if trigger == Plan.APPLY:
        if not plan or plan.get("error"):
            raise PreventUpdate
        optimal = {row["channel"]: round(row["optimal"], 2) for row in plan["allocation"]}
        values = [optimal.get(c, n) for c, n in zip(channels, numbers)]
        return values, values
    if not isinstance(trigger, dict) or trigger.get("channel") not in channels:
        raise PreventUpdate
    i, same = channels.index(trigger["channel"]), [no_update] * len(channels)
    if trigger == Plan.slider(trigger["channel"]):
        return same, [sliders[i] if j == i else no_update for j in range(len(channels))]
    if numbers[i] is None or numbers[i] < 0:  # a blank or invalid number: leave the slider where it is
        raise PreventUpdate
    return [numbers[i] if j == i else no_update for j in range(len(channels))], same


def what_if_outputs(cache: PlanCache, key: FitKey, periods, spend: dict) -> tuple:
    """Summary cards, prediction and per-channel figures and table for one what-if; errors as an alert."""
    try:
        horizon = cache.horizon(key, periods)
        if horizon is None:
            raise ValueError(NO_FITS)
        spend = {c: v for c, v in spend.items() if c in horizon.channels}
        result = what_if(horizon.fitted, spend, horizon.periods, horizon=horizon)
    except ValueError as exc:  # built only here: each figure with the theme costs about 10 ms
        blank = empty_figure("Enter a spend of at least 0 for every channel")
        return dbc.Alert(str(exc), color="warning", class_name="py-2 small"), blank, blank, None
    unit = period_name(horizon.fitted.frequency_, plural=True)
    return (
        what_if_cards(result.totals, horizon.periods, unit),
        prediction_figure(result.prediction, title=f"Predicted revenue, next {horizon.periods} {unit}"),
        incremental_figure(result.channels),
        what_if_table(result.channels),
    )


def optimised_plan(cache: PlanCache, key: FitKey, label: str, form: dict) -> dict:
    """The engine's optimal allocation for the form, as a JSON record for the session store, or
    {"error": message}."""
    try:
        horizon, meta = cache.horizon(key, form["periods"]), cache.meta(key)
        if horizon is None or meta is None:
            return {"error": NO_FITS}
        fitted = horizon.fitted
        arguments = optimiser_arguments(form, meta["recent_spend"])
        plan = models.optimize_budget(fitted, periods=horizon.periods, **arguments)
        spend = dict(zip(plan.allocation["channel"], plan.allocation["optimal"]))
        prediction = what_if(fitted, spend, horizon.periods, horizon=horizon).prediction
    except ValueError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # never show a traceback; log where it failed, not the data
        where = "".join(traceback.format_tb(exc.__traceback__))
        log.error("optimisation failed with %s:\n%s", type(exc).__name__, where)
        return {"error": "The optimisation failed unexpectedly. Try other bounds or another model."}
    unit = period_name(fitted.frequency_, plural=True)
    return plan_record(plan, prediction, {"family": key.family, "label": label, "version": key.version, "unit": unit})


def plan_outputs(result: dict | None, version: str | None) -> tuple:
    """The result view for a plan record: an alert for an error, nothing for a plan of other data."""
    blank = empty_figure("Optimise to see the plan")
    if not result or result.get("version", version) != version:
        return None, blank, None, [], True, True, True, True
    if result.get("error"):
        return dbc.Alert(result["error"], color="danger", class_name="py-2"), blank, None, [], True, True, True, True
    messages = [html.Li(m) for m in result["messages"]]
    return (
        plan_cards(result),
        allocation_figure(allocation_frame(result)),
        allocation_table(result),
        messages,
        *[False] * 4,
    )
