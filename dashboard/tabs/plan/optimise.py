"""Plan tab optimiser callbacks: the goal (best revenue for a budget, or a revenue target for the least spend),
the risk appetite (expected or cautious), the optimisation itself, the plan view and its downloads."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

import models
from dashboard.exports import csv_bytes, xlsx_bytes
from dashboard.figures.format import no_negative_zero, period_name
from dashboard.figures.plan import allocation_figure
from dashboard.figures.theme import empty_figure
from dashboard.ids import App, Plan
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.comparison import cautions, comparison, recommended_row, score_phrase, why
from dashboard.tabs.models.fits import CHECKS_TABLE, load_fit
from dashboard.tabs.plan.layout import NO_FITS, OPTIMISE_FIRST
from dashboard.tabs.plan.records import (
    allocation_frame,
    form_inputs,
    optimiser_arguments,
    plan_record,
    target_arguments,
)
from dashboard.tabs.plan.saved import plan_kind
from dashboard.tabs.plan.sheets import plan_exports
from dashboard.tabs.plan.state import (
    FitKey,
    PlanCache,
    fit_key,
    made_with,
    recent_window,
    save_plan,
    stored_plan,
)
from dashboard.tabs.plan.views import allocation_table, plan_cards
from dashboard.ui import alert
from models.planning import uncertain_cut_messages

log = logging.getLogger(__name__)
SHOWN, HIDDEN = {}, {"display": "none"}
PLAN_BUTTONS = (Plan.APPLY, Plan.EXPORT_XLSX, Plan.EXPORT_PLAN_CSV, Plan.EXPORT_PREDICTION_CSV)
TOKEN = State(App.SESSION, "data")
OPTIMISE_FORM = {  # what the Optimise button (and Save scenario) read from the form
    "periods": State(Plan.PERIODS, "value"),
    "goal": State(Plan.GOAL, "value"),
    "budget": State(Plan.BUDGET, "value"),
    "target": State(Plan.TARGET, "value"),
    "objective": State(Plan.OBJECTIVE, "value"),
    "min_roas": State(Plan.MIN_ROAS, "value"),
    "risk": State(Plan.RISK, "value"),
    "unit": State(Plan.BOUND_UNIT, "value"),
    "ids": State(Plan.spend(ALL), "id"),
    "spend": State(Plan.spend(ALL), "value"),
    "locks": State(Plan.lock(ALL), "value"),
    "minimums": State(Plan.minimum(ALL), "value"),
    "maximums": State(Plan.maximum(ALL), "value"),
}
FIT_STATE = {"fits": State(Plan.FITS, "data"), "summary": State(App.DATASET, "data"), "token": TOKEN}  # which fit
FORM_TOKEN = {"family": State(Plan.FAMILY, "value"), **FIT_STATE}


def register_optimiser(app, store: SessionStore, cache: PlanCache) -> None:
    app.callback(Output(Plan.BUDGET_BOX, "style"), Output(Plan.TARGET_BOX, "style"), Input(Plan.GOAL, "value"))(
        goal_fields
    )
    app.callback(
        Output(Plan.RISK_BOX, "style"),
        Output(Plan.RISK, "value"),
        inputs={"family": Input(Plan.FAMILY, "value"), "goal": Input(Plan.GOAL, "value")}
        | {"fits": Input(Plan.FITS, "data")},  # a fit saved again with its intervals: offer the cautious plan
        state={"summary": State(App.DATASET, "data"), "token": TOKEN},
    )(bound(risk_control, store, cache))
    app.callback(
        output=Output(Plan.RESULT, "data"),
        inputs={"_clicks": Input(Plan.OPTIMISE, "n_clicks")},
        state={**OPTIMISE_FORM, **FORM_TOKEN},
        running=[(Output(Plan.OPTIMISE, "disabled"), True, False)],
        prevent_initial_call=True,
    )(bound(optimise, store, cache))
    app.callback(
        Output(Plan.RESULT_VIEW, "children"),
        Output(Plan.ALLOCATION, "figure"),
        Output(Plan.ALLOCATION_TABLE, "children"),
        Output(Plan.MESSAGES, "children"),
        *[Output(button, "disabled") for button in PLAN_BUTTONS],
        Input(Plan.RESULT, "data"),
        Input(App.DATASET, "data"),
        Input(Plan.FAMILY, "value"),  # another model selected: its plan is not this one's
        State(App.SESSION, "data"),
    )(bound(show_plan, store))
    app.callback(
        Output(Plan.DOWNLOAD, "data"),
        Input(Plan.EXPORT_XLSX, "n_clicks"),
        Input(Plan.EXPORT_PLAN_CSV, "n_clicks"),
        Input(Plan.EXPORT_PREDICTION_CSV, "n_clicks"),
        State(Plan.RESULT, "data"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(download_plan, store))


# ------------------------------------------------------------------------------------------- callbacks
def goal_fields(goal: str | None) -> tuple:
    """The budget (with the objective) for "best revenue for a budget", the target for "reach a revenue"."""
    return (HIDDEN, SHOWN) if goal == "target" else (SHOWN, HIDDEN)


def risk_control(store: SessionStore, cache: PlanCache, family, goal, fits, summary, token) -> tuple:
    """The risk appetite only for a model with intervals (a cautious plan needs its range) and a budget to
    split; hidden, it goes back to "expected"."""
    key = fit_key(store, family, fits, summary, token)
    fitted = cache.model(key) if key else None
    if fitted is not None and fitted.has_intervals and goal != "target":
        return SHOWN, no_update
    return HIDDEN, "expected"


def optimise(store: SessionStore, cache: PlanCache, _clicks, family, fits, summary, token, **form) -> dict:
    """Split the budget (or find the least one for a target) with the engine and keep the plan server-side;
    the browser gets its id, or the engine's message (with the data version and model: a message about other
    data or another model is not shown either)."""
    key = fit_key(store, family, fits, summary, token)
    if key is None:
        return {"error": NO_FITS, "version": (summary or {}).get("version"), "family": family}
    form["channels"] = [i["channel"] for i in form.pop("ids")]
    record = optimised_plan(cache, key, fits[key.family]["label"], form)
    if "error" in record:
        return {"error": record["error"], "version": key.version, "family": key.family}
    fit = load_fit(store, key.sid, key.family, key.version)  # its ROAS intervals: cuts the data cannot back
    if fit is not None and "roas" in fit.tables:
        allocation = pd.DataFrame(record["allocation"])
        record["messages"] += uncertain_cut_messages(allocation, fit.tables["roas"], record.get("per", "period"))
    return save_plan(store, key.sid, record)


def show_plan(store: SessionStore, result, summary, family, token) -> tuple:
    """Recent average vs what-if vs optimised spend, expected revenue and lift, and the binding constraints."""
    return plan_outputs(stored_plan(store, result, token), (summary or {}).get("version"), family)


def download_plan(store: SessionStore, _xlsx, _plan, _prediction, result, token) -> dict:
    """The optimised plan and its prediction as a workbook, or either table as CSV."""
    return plan_download(store, result, token, ctx.triggered_id)


# ------------------------------------------------------------------------------ what the callbacks call
def optimised_plan(cache: PlanCache, key: FitKey, label: str, form: dict) -> dict:
    """The engine's plan for the form, as a JSON record for the session store, or {"error": message}."""
    try:
        horizon = cache.horizon(key, form["periods"])
        if horizon is None:
            return {"error": NO_FITS}
        fitted = horizon.fitted
        plan, meta = engine_plan(fitted, horizon.periods, form)
        spend = dict(zip(plan.allocation["channel"], plan.allocation["optimal"]))
        prediction = models.what_if(fitted, spend, horizon.periods, horizon=horizon).prediction
    except ValueError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # never show a traceback; log where it failed, not the data
        where = "".join(traceback.format_tb(exc.__traceback__))
        log.error("optimisation failed with %s:\n%s", type(exc).__name__, where)
        return {"error": "The optimisation failed unexpectedly. Try other bounds or another model."}
    risk, frequency = meta.pop("risk"), fitted.frequency
    meta |= {"family": key.family, "label": label, "version": key.version, "recent": recent_window(frequency)}
    meta |= {"unit": period_name(frequency, plural=True), "per": period_name(frequency)}
    return plan_record(plan, prediction, meta, risk)


def engine_plan(fitted, periods: int, form: dict) -> tuple:
    """(BudgetPlan, what the record keeps of the request): ``models.minimum_budget`` for a revenue target,
    else ``models.optimize_budget``, maximising a low percentile of revenue for a cautious plan."""
    recent = fitted.recent_spend().to_dict()
    if form.get("goal") == "target":
        arguments = target_arguments(form, recent)
        plan = models.minimum_budget(fitted, periods=periods, **arguments)
        meta = {"goal": "target", "target": arguments["target_revenue"], "quantile": None, "risk": None}
        return plan, meta | {"inputs": form_inputs(form, arguments)}
    if not fitted.has_intervals:  # a model without a range has no bad case to guard against
        form = {**form, "risk": "expected"}
    arguments = optimiser_arguments(form, recent)
    plan = models.optimize_budget(fitted, periods=periods, **arguments)
    quantile = arguments.get("quantile")
    meta = {"goal": "budget", "target": None, "quantile": quantile, "risk": plan.risk if quantile else None}
    return plan, meta | {"inputs": form_inputs(form, arguments)}


def plan_outputs(result: dict | None, version: str | None, family: str | None) -> tuple:
    """The result view for a plan record: an alert for an error, nothing (and no Apply) for a plan of other data
    or made with another model than the one selected."""
    blank = empty_figure(OPTIMISE_FIRST)
    if not made_with(result, family) or result.get("version", version) != version:
        return None, blank, None, [], True, True, True, True
    if result.get("error"):
        return alert(result["error"], "danger", class_name="py-2"), blank, None, [], True, True, True, True
    messages = [html.Li(no_negative_zero(m)) for m in result["messages"]]
    recent = f"recent average ({result.get('recent', 'recent periods')})"
    return (
        plan_cards(result),
        allocation_figure(allocation_frame(result), recent=recent, per=result.get("per", "period")),
        allocation_table(result),
        messages,
        *[False] * 4,
    )


def about_plan(store: SessionStore, sid: str | None, record: Mapping) -> dict[str, str]:
    """The workbook's first lines: the data, when, the model's standing among those fitted and its failed
    checks, as the report says them before any number."""
    dataset = load_dataset(store, sid)
    fit = load_fit(store, sid, record["family"], record["version"])
    ranked = comparison(store, sid, record["version"])
    standing = None
    if ranked and len(ranked["rows"]) > 1:
        best = recommended_row(ranked)
        standing = (
            f"Recommended among the models fitted: {why(best)}."
            if best["family"] == record["family"]
            else f"Not the recommended model: {best['model']} is, because {score_phrase(ranked)}."
        )
    lines = {
        "Kind": plan_kind(record),
        "Data": dataset.filename if dataset is not None else None,
        "Made at (UTC)": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "Standing": standing,
        "Caution": " ".join(cautions(fit.tables.get(CHECKS_TABLE) if fit else None)) or "No check of this model fails.",
    }
    return {k: v for k, v in lines.items() if v}


def plan_download(store: SessionStore, result: dict | None, token, trigger) -> dict:
    """The stored plan and its prediction as a workbook, or either table as CSV (``trigger``: which button)."""
    record = stored_plan(store, result, token)
    if not record or record.get("error"):
        raise PreventUpdate
    sid = store.session_or_none(token)
    stem = f"plan - {record['family']} - {record['periods']} {record['unit']} - {plan_kind(record)}"
    tables = plan_exports(record, about_plan(store, sid, record))
    if trigger == Plan.EXPORT_PLAN_CSV:
        return dcc.send_bytes(csv_bytes(tables["plan"]), f"{stem} - plan.csv")
    if trigger == Plan.EXPORT_PREDICTION_CSV:
        return dcc.send_bytes(csv_bytes(tables["prediction"]), f"{stem} - prediction.csv")
    return dcc.send_bytes(xlsx_bytes(tables), f"{stem}.xlsx")
