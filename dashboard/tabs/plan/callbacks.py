"""Plan tab callbacks: the models to plan with, the spend controls (kept when the model changes) and live
what-if predictions; the optimiser (optimise.py) and saved scenarios (scenarios.py) register from here."""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

import models
from dashboard.figures.format import period_name
from dashboard.figures.plan import incremental_figure, prediction_figure
from dashboard.figures.theme import empty_figure
from dashboard.ids import App, Models, Plan
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.models.comparison import comparison
from dashboard.tabs.models.fits import CHECKS_TABLE, load_fit
from dashboard.tabs.plan.controls import kept_controls
from dashboard.tabs.plan.layout import NO_FITS, PICK
from dashboard.tabs.plan.optimise import FIT_STATE, HIDDEN, SHOWN, TOKEN, register_optimiser
from dashboard.tabs.plan.scenarios import register_scenarios
from dashboard.tabs.plan.state import (
    DEFAULT_PERIODS,
    FitKey,
    PlanCache,
    checked_periods,
    fit_key,
    fitted_families,
    made_with,
    stored_plan,
)
from dashboard.tabs.plan.views import recommendation_line, spend_shown, what_if_cards, what_if_table
from dashboard.ui import alert, muted

STAGES = [Input(Models.stage_store(f), "data") for f in models.MODEL_NAMES]  # a fit saved, ended or failed
CONTROL_VALUES = {  # the user's spend, locks and bounds, kept when the model changes
    "ids": State(Plan.spend(ALL), "id"),
    "spend": State(Plan.spend(ALL), "value"),
    "locks": State(Plan.lock(ALL), "value"),
    "minimums": State(Plan.minimum(ALL), "value"),
    "maximums": State(Plan.maximum(ALL), "value"),
    "built_for": State(Plan.CONTROLS, "data"),
}
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
    register_scenarios(app, store, cache)
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
        output=[Output(Plan.CHANNELS, "children"), Output(Plan.BOUNDS, "children")]
        + [Output(Plan.CONTROLS, "data"), Output(Plan.CONTROLS_NOTE, "children")],
        inputs={"family": Input(Plan.FAMILY, "value")},
        state={**FIT_STATE, **CONTROL_VALUES},  # a copy: Dash merges the inputs into the state dict it is given
    )(bound(channel_controls, store, cache))
    app.callback(
        Output(Plan.BUDGET, "value"),
        inputs={"family": Input(Plan.FAMILY, "value"), "periods": Input(Plan.PERIODS, "value")},
        state={**FIT_STATE, "budget": State(Plan.BUDGET, "value"), "built_for": State(Plan.CONTROLS, "data")},
    )(bound(default_budget, store, cache))
    app.callback(
        Output(Plan.slider(ALL), "value"),
        Output(Plan.spend(ALL), "value"),
        Input(Plan.slider(ALL), "value"),
        Input(Plan.spend(ALL), "value"),
        Input(Plan.APPLY, "n_clicks"),
        State(Plan.spend(ALL), "id"),
        State(Plan.RESULT, "data"),
        State(Plan.FAMILY, "value"),
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
    line = model_line(store, (sid, version), record, shown, fits[shown]["label"])
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
    return model_line(store, (sid, version), comparison(store, sid, version), family, fits[family]["label"])


def default_horizon(summary: dict | None) -> tuple:
    """About the next month: 28 days or 4 weeks."""
    frequency = (summary or {}).get("frequency", "daily")
    return DEFAULT_PERIODS.get(frequency, 28), period_name(frequency, plural=True)


def channel_controls(store: SessionStore, cache: PlanCache, family, fits, summary, token, built_for, **values) -> tuple:
    """A slider, a number and a lock per channel, with min/max boxes for the optimiser: at the recent average
    for new data or a page the user has not changed, else the user's spend, locks and bounds kept for every
    channel the model has, and a note on what was kept, dropped or lies outside the spend the data have seen."""
    key = fit_key(store, family, fits, summary, token)
    fitted = cache.model(key) if key else None
    if fitted is None:
        return [], None, None, None
    built_for = built_for or {}
    same_data = built_for.get("version") == key.version
    before = models.LABELS.get(built_for.get("family")) if built_for.get("family") != key.family else None
    rows, bounds, start, note = kept_controls(fitted, values if same_data else None, before, built_for.get("spend"))
    return rows, bounds, {"family": key.family, "version": key.version, "spend": start}, note


def default_budget(
    store: SessionStore, cache: PlanCache, family, periods, fits, summary, token, budget, built_for
) -> float:
    """The model's recent spend per period, all channels, times the horizon; a budget the user has is kept
    when only the model changes."""
    key = fit_key(store, family, fits, summary, token)
    same_data = key is not None and (built_for or {}).get("version") == key.version
    if ctx.triggered_id == Plan.FAMILY and same_data and budget is not None:
        raise PreventUpdate
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


def sync_spend(store: SessionStore, sliders, numbers, _apply, ids, result, family, token) -> tuple:
    """Keep each slider and its number equal; Apply sets both to the optimised plan (the server's copy) when it
    was made with the model selected."""
    trigger = ctx.triggered_id
    plan = stored_plan(store, result, token) if trigger == Plan.APPLY else None
    plan = plan if made_with(plan, family) else None
    return synced_spend(trigger, sliders, numbers, [i["channel"] for i in ids], plan)


def update_what_if(store: SessionStore, cache: PlanCache, values, periods, ids, family, fits, summary, token):
    """Predicted revenue, per-channel revenue, ROAS and marginal ROAS for the spend on the sliders."""
    key = fit_key(store, family, fits, summary, token)
    if key is None or not ids:
        blank = empty_figure(PICK)
        return None, blank, blank, None
    return what_if_outputs(cache, key, periods, {i["channel"]: v for i, v in zip(ids, values)})


# ------------------------------------------------------------------------------ what the callbacks call
def model_line(store: SessionStore, data: tuple, record: dict | None, family: str, label: str) -> list | None:
    """The recommendation line for the model in use (``data``: session id and data version), with a warning
    naming its failed checks: the Plan tab plans with it all the same."""
    return recommendation_line(record, family, label, failed_checks(store, *data, record, family))


def failed_checks(store: SessionStore, sid, version, record: dict | None, family: str):
    """The checks table of the family's fit when one of its checks fails, else None: the comparison counts the
    failures, so the fit is read only for a model with some (or when there is no comparison to ask)."""
    row = next((r for r in (record or {}).get("rows", []) if r.get("family") == family), None)
    if row is not None and not row.get("fail"):
        return None
    fit = load_fit(store, sid, family, version) if sid is not None and version is not None else None
    return fit.tables.get(CHECKS_TABLE) if fit is not None else None


def synced_spend(trigger, sliders: list, numbers: list, channels: list[str], plan: dict | None) -> tuple:
    """New (slider values, number values) after ``trigger`` changed; no_update for the side already right."""
    if trigger == Plan.APPLY:
        if not plan or plan.get("error"):
            raise PreventUpdate
        optimal = {row["channel"]: spend_shown(row["optimal"]) for row in plan["allocation"]}
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
        what_if_table(result.channels, period_name(horizon.fitted.frequency)),
    )
