"""Plan tab callbacks: live what-if predictions per channel spend, budget optimisation, apply and export."""

from __future__ import annotations

import logging
import traceback

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

import models
from dashboard.exports import csv_bytes, xlsx_bytes
from dashboard.figures.plan import allocation_figure, incremental_figure, prediction_figure
from dashboard.figures.theme import empty_figure
from dashboard.ids import App, Models, Plan
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.models.comparison import comparison
from dashboard.tabs.plan.layout import NO_FITS, OPTIMISE_FIRST, PICK
from dashboard.tabs.plan.records import allocation_frame, optimiser_arguments, plan_exports, plan_record
from dashboard.tabs.plan.state import (
    DEFAULT_PERIODS,
    FitKey,
    PlanCache,
    checked_periods,
    fit_key,
    fitted_families,
    period_name,
    save_plan,
    stored_plan,
)
from dashboard.tabs.plan.views import (
    allocation_table,
    bound_rows,
    channel_rows,
    plan_cards,
    recommendation_line,
    what_if_cards,
    what_if_table,
)
from dashboard.ui import alert, muted

log = logging.getLogger(__name__)
SHOWN, HIDDEN = {}, {"display": "none"}
PLAN_BUTTONS = (Plan.APPLY, Plan.EXPORT_XLSX, Plan.EXPORT_PLAN_CSV, Plan.EXPORT_PREDICTION_CSV)
STAGES = [Input(Models.stage_store(f), "data") for f in models.MODEL_NAMES]  # a fit saved, ended or failed
TOKEN = State(App.SESSION, "data")
OPTIMISE_FORM = {
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
}
FIT_STATE = {"fits": State(Plan.FITS, "data"), "summary": State(App.DATASET, "data"), "token": TOKEN}  # which fit
FORM_TOKEN = {"family": State(Plan.FAMILY, "value"), **FIT_STATE}
RECOMMENDATION_LINE = {  # the user picks another model: say that it is their choice, and which is recommended
    "inputs": {"family": Input(Plan.FAMILY, "value")},
    "state": {"fits": State(Plan.FITS, "data"), "summary": State(App.DATASET, "data"), "token": TOKEN},
    "prevent_initial_call": True,
}


def register(app, store: SessionStore) -> None:
    cache = PlanCache(store)
    app.plan_cache = cache  # for tests and the benchmark
    register_fit_list(app, store, cache)
    register_what_if(app, store, cache)
    register_optimiser(app, store, cache)
    app.callback(Output(Plan.RUNNING, "children"), Input(App.RUNNING, "data"))(running_note)


def register_fit_list(app, store: SessionStore, cache: PlanCache) -> None:
    """The models to plan with, starting on the recommended one, and the line that says why."""
    app.callback(
        output=[Output(Plan.FITS, "data"), Output(Plan.FAMILY, "options"), Output(Plan.FAMILY, "value")]
        + [Output(Plan.STATUS, "children"), Output(Plan.BODY, "style")]
        + [Output(Plan.RECOMMENDATION, "children"), Output(Plan.RECOMMENDED, "data")],
        inputs={"summary": Input(App.DATASET, "data"), "running": Input(App.RUNNING, "data"), "stages": STAGES},
        state={"chosen": State(Plan.FAMILY, "value"), "before": State(Plan.FITS, "data"), "token": TOKEN}
        | {"followed": State(Plan.RECOMMENDED, "data")},
    )(bound(list_fits, store, cache))
    app.callback(Output(Plan.RECOMMENDATION, "children", allow_duplicate=True), **RECOMMENDATION_LINE)(
        bound(explain_choice, store)
    )


def register_what_if(app, store: SessionStore, cache: PlanCache) -> None:
    app.callback(Output(Plan.PERIODS, "value"), Output(Plan.PERIODS_UNIT, "children"), Input(App.DATASET, "data"))(
        default_horizon
    )
    app.callback(
        Output(Plan.CHANNELS, "children"),
        Output(Plan.BOUNDS, "children"),
        inputs={"family": Input(Plan.FAMILY, "value")},
        state={**FIT_STATE},  # a copy: Dash merges the inputs into the state dict it is given
    )(bound(channel_controls, store, cache))
    app.callback(
        Output(Plan.BUDGET, "value"),
        inputs={"family": Input(Plan.FAMILY, "value"), "periods": Input(Plan.PERIODS, "value")},
        state={**FIT_STATE},  # a copy: Dash merges the inputs into the state dict it is given
    )(bound(default_budget, store, cache))
    app.callback(
        Output(Plan.slider(ALL), "value"),
        Output(Plan.spend(ALL), "value"),
        Input(Plan.slider(ALL), "value"),
        Input(Plan.spend(ALL), "value"),
        Input(Plan.APPLY, "n_clicks"),
        State(Plan.spend(ALL), "id"),
        State(Plan.RESULT, "data"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(sync_spend, store))
    app.callback(
        output=[Output(Plan.WHATIF_SUMMARY, "children"), Output(Plan.PREDICTION, "figure")]
        + [Output(Plan.INCREMENTAL, "figure"), Output(Plan.WHATIF_TABLE, "children")],
        inputs={"values": Input(Plan.spend(ALL), "value"), "periods": Input(Plan.PERIODS, "value")}
        | {"fits": Input(Plan.FITS, "data")},  # a fit saved again with its intervals: show them
        state={"ids": State(Plan.spend(ALL), "id"), "family": State(Plan.FAMILY, "value")}
        | {"summary": State(App.DATASET, "data"), "token": TOKEN},
    )(bound(update_what_if, store, cache))


def register_optimiser(app, store: SessionStore, cache: PlanCache) -> None:
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
def list_fits(
    store: SessionStore, cache: PlanCache, summary, running, stages, chosen, before, followed, token
) -> tuple:
    """The families fitted on the current data (read again when a fit is saved or ends), starting on the
    recommended one and following the recommendation unless the user picked another; forget cached models
    of other data."""
    sid, version = store.session_or_none(token), (summary or {}).get("version")
    if sid is not None:
        cache.forget(sid, version)
    fits = fitted_families(store, sid, version)
    if not fits:
        return {}, [], None, muted(NO_FITS, "text-muted"), HIDDEN, None, None
    record = comparison(store, sid, version)
    recommended = record["recommended"] if record and record["recommended"] in fits else None
    family = chosen_family(fits, chosen, before, recommended, followed)
    shown = chosen if family is no_update else family
    line = recommendation_line(record, shown, fits[shown]["label"])
    if fits == before:  # nothing new: leave the list (and the what-if that follows it) alone
        return no_update, no_update, family, None, SHOWN, line, recommended or followed
    options = [{"label": meta["label"], "value": name} for name, meta in fits.items()]
    return fits, options, family, None, SHOWN, line, recommended or followed


def chosen_family(fits: dict, chosen, before: dict | None, recommended: str | None, followed: str | None):
    """The model to plan with: the recommended one, unless the user picked another (a choice that differs from
    the recommendation the page followed); no_update when it is the same fit as before (keep the sliders)."""
    if chosen in fits and chosen != followed:
        target = chosen
    else:
        target = recommended or (chosen if chosen in fits else next(iter(fits)))
    same_fit = target == chosen and (before or {}).get(chosen, {}).get("fitted_at") == fits[chosen]["fitted_at"]
    return no_update if same_fit else target


def explain_choice(store: SessionStore, family, fits, summary, token):
    """The recommendation line again once the user picks a model."""
    if not family or family not in (fits or {}):
        raise PreventUpdate
    sid, version = store.session_or_none(token), (summary or {}).get("version")
    return recommendation_line(comparison(store, sid, version), family, fits[family]["label"])


def default_horizon(summary: dict | None) -> tuple:
    """About the next month: 28 days or 4 weeks."""
    frequency = (summary or {}).get("frequency", "daily")
    return DEFAULT_PERIODS.get(frequency, 28), period_name(frequency, plural=True)


def channel_controls(store: SessionStore, cache: PlanCache, family, fits, summary, token) -> tuple:
    """A slider, a number and a lock per channel at the recent average; min/max boxes for the optimiser."""
    key = fit_key(store, family, fits, summary, token)
    fitted = cache.model(key) if key else None
    if fitted is None:
        return [], None
    recent = fitted.recent_spend()
    highest = fitted.spend_range().set_index("channel")["max"]
    spend = {c: float(recent[c]) for c in fitted.channels}
    rows = channel_rows(spend, highest.to_dict(), f"per {period_name(fitted.frequency)}")
    return rows, bound_rows(fitted.channels)


def default_budget(store: SessionStore, cache: PlanCache, family, periods, fits, summary, token) -> float:
    """The model's recent spend per period, all channels, times the horizon."""
    key = fit_key(store, family, fits, summary, token)
    fitted = cache.model(key) if key else None
    try:
        if fitted is None:
            raise ValueError(NO_FITS)
        return round(float(fitted.recent_spend().sum()) * checked_periods(periods))
    except ValueError:
        raise PreventUpdate from None


def running_note(family: str | None):
    """Say that a fit runs (App.RUNNING), so the Plan tab does not look as if no model were coming."""
    if not family:
        return None
    label = models.LABELS.get(family, family)
    note = (
        f"A {label} fit is running in the Models tab: it is listed here once the model is fitted, and its 90% "
        "intervals and the recommendation follow when its intervals and checks are done."
    )
    return alert(note, "info", class_name="mt-3 mb-0 py-2 small")


def sync_spend(store: SessionStore, sliders, numbers, _apply, ids, result, token) -> tuple:
    """Keep each slider and its number equal; Apply sets both to the optimised plan (the server's copy)."""
    trigger = ctx.triggered_id
    plan = stored_plan(store, result, token) if trigger == Plan.APPLY else None
    return synced_spend(trigger, sliders, numbers, [i["channel"] for i in ids], plan)


def update_what_if(store: SessionStore, cache: PlanCache, values, periods, ids, family, fits, summary, token):
    """Predicted revenue, per-channel revenue, ROAS and marginal ROAS for the spend on the sliders."""
    key = fit_key(store, family, fits, summary, token)
    if key is None or not ids:
        blank = empty_figure(PICK)
        return None, blank, blank, None
    return what_if_outputs(cache, key, periods, {i["channel"]: v for i, v in zip(ids, values)})


def optimise(store: SessionStore, cache: PlanCache, _clicks, family, fits, summary, token, **form) -> dict:
    """Split the budget with the engine and keep the plan server-side; the browser gets its id, or the
    engine's message (with the data version: a message about other data is not shown either)."""
    key = fit_key(store, family, fits, summary, token)
    if key is None:
        return {"error": NO_FITS, "version": (summary or {}).get("version")}
    form["channels"] = [i["channel"] for i in form.pop("ids")]
    record = optimised_plan(cache, key, fits[key.family]["label"], form)
    if "error" in record:
        return {"error": record["error"], "version": key.version}
    return save_plan(store, key.sid, record)


def show_plan(store: SessionStore, result, summary, token) -> tuple:
    """Current vs optimised spend, expected revenue and lift, and the binding constraints in words."""
    return plan_outputs(stored_plan(store, result, token), (summary or {}).get("version"))


def download_plan(store: SessionStore, _xlsx, _plan, _prediction, result, token) -> dict:
    """The optimised plan and its prediction as a workbook, or either table as CSV."""
    return plan_download(store, result, token, ctx.triggered_id)


# ------------------------------------------------------------------------------ what the callbacks call
def synced_spend(trigger, sliders: list, numbers: list, channels: list[str], plan: dict | None) -> tuple:
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
        result = models.what_if(horizon.fitted, spend, horizon.periods, horizon=horizon)
    except ValueError as exc:  # built only here: each figure with the theme costs about 10 ms
        blank = empty_figure("Enter a spend of at least 0 for every channel")
        return alert(str(exc), "warning", class_name="py-2 small"), blank, blank, None
    unit = period_name(horizon.fitted.frequency, plural=True)
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
        horizon = cache.horizon(key, form["periods"])
        if horizon is None:
            return {"error": NO_FITS}
        fitted = horizon.fitted
        arguments = optimiser_arguments(form, fitted.recent_spend().to_dict())
        plan = models.optimize_budget(fitted, periods=horizon.periods, **arguments)
        spend = dict(zip(plan.allocation["channel"], plan.allocation["optimal"]))
        prediction = models.what_if(fitted, spend, horizon.periods, horizon=horizon).prediction
    except ValueError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # never show a traceback; log where it failed, not the data
        where = "".join(traceback.format_tb(exc.__traceback__))
        log.error("optimisation failed with %s:\n%s", type(exc).__name__, where)
        return {"error": "The optimisation failed unexpectedly. Try other bounds or another model."}
    unit = period_name(fitted.frequency, plural=True)
    return plan_record(plan, prediction, {"family": key.family, "label": label, "version": key.version, "unit": unit})


def plan_outputs(result: dict | None, version: str | None) -> tuple:
    """The result view for a plan record: an alert for an error, nothing for a plan of other data."""
    blank = empty_figure(OPTIMISE_FIRST)
    if not result or result.get("version", version) != version:
        return None, blank, None, [], True, True, True, True
    if result.get("error"):
        return alert(result["error"], "danger", class_name="py-2"), blank, None, [], True, True, True, True
    messages = [html.Li(m) for m in result["messages"]]
    return (
        plan_cards(result),
        allocation_figure(allocation_frame(result)),
        allocation_table(result),
        messages,
        *[False] * 4,
    )


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
