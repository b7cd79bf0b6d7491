"""Plan tab scenario callbacks: save the what-if or the optimised plan by name, list and delete scenarios, and
compare up to four side by side (table, grouped bars, workbook). The scenarios stay in the session store; the
browser holds a revision and the ticked ids only."""

from __future__ import annotations

import secrets

from dash import ALL, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from dashboard.exports import distinct_headers, xlsx_bytes
from dashboard.figures.format import period_name
from dashboard.figures.plan import scenario_spend_figure
from dashboard.ids import App, Plan
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.plan.compare import (
    comparison_rows,
    comparison_sheet,
    inputs_sheet,
    per_period,
    spend_frame,
    spend_sheet,
)
from dashboard.tabs.plan.layout import NO_FITS
from dashboard.tabs.plan.optimise import FORM_TOKEN, OPTIMISE_FORM, TOKEN
from dashboard.tabs.plan.records import constraints, form_inputs
from dashboard.tabs.plan.saved import (
    MAX_COMPARED,
    add_scenario,
    delete_scenario,
    load_scenarios,
    next_name,
    plan_scenario,
    what_if_scenario,
)
from dashboard.tabs.plan.scenario_views import comparison_view, scenario_list
from dashboard.tabs.plan.state import PlanCache, fit_key, made_with, stored_plan
from dashboard.ui import alert

OWN_HEADERS = ("Measure", "Channel")  # the first columns of compare.comparison_sheet and compare.spend_sheet
PICKS = {"picked": State(Plan.scenario_pick(ALL), "value"), "pick_ids": State(Plan.scenario_pick(ALL), "id")}
SEEN = {"family": State(Plan.FAMILY, "value"), "summary": State(App.DATASET, "data"), "token": TOKEN}


def register_scenarios(app, store: SessionStore, cache: PlanCache) -> None:
    app.callback(
        output=[Output(Plan.SCENARIOS, "data"), Output(Plan.SCENARIO_MESSAGE, "children")],
        inputs={"_clicks": Input(Plan.SAVE_SCENARIO, "n_clicks")},
        state={"name": State(Plan.SCENARIO_NAME, "value"), "source": State(Plan.SCENARIO_SOURCE, "value")}
        | {"result": State(Plan.RESULT, "data"), **OPTIMISE_FORM, **FORM_TOKEN},
        prevent_initial_call=True,
    )(bound(save_scenario, store, cache))
    app.callback(
        output=[Output(Plan.SCENARIO_LIST, "children"), Output(Plan.SCENARIO_NAME, "value")],
        inputs={"_revision": Input(Plan.SCENARIOS, "data"), "summary": Input(App.DATASET, "data")}
        | {"family": Input(Plan.FAMILY, "value")},
        state={"name": State(Plan.SCENARIO_NAME, "value"), **PICKS, "token": TOKEN},
    )(bound(list_scenarios, store))
    app.callback(
        Output(Plan.SCENARIOS, "data", allow_duplicate=True),
        Input(Plan.scenario_delete(ALL), "n_clicks"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(remove_scenario, store))
    app.callback(
        output=[Output(Plan.COMPARISON, "children"), Output(Plan.COMPARISON_GRAPH, "figure")]
        + [Output(Plan.scenario_pick(ALL), "disabled"), Output(Plan.EXPORT_COMPARISON, "disabled")],
        inputs={"picked": Input(Plan.scenario_pick(ALL), "value")},
        state={"pick_ids": State(Plan.scenario_pick(ALL), "id"), **SEEN},
    )(bound(compare_scenarios, store))
    app.callback(
        Output(Plan.COMPARISON_DOWNLOAD, "data"),
        inputs={"_clicks": Input(Plan.EXPORT_COMPARISON, "n_clicks")},
        state={**PICKS, **SEEN},
        prevent_initial_call=True,
    )(bound(download_comparison, store))


# ------------------------------------------------------------------------------------------- callbacks
def save_scenario(
    store: SessionStore, cache: PlanCache, _clicks, name, source, result, family, fits, summary, token, **form
):
    """Save the what-if on the sliders or the last optimised plan under ``name`` (refused in words: no name,
    a name taken, no plan yet); the page gets a new revision and a line that says what happened."""
    key = fit_key(store, family, fits, summary, token)
    if key is None:
        return no_update, alert(NO_FITS, "warning", class_name="py-2 small mb-2")
    try:
        scenario = scenario_from_page(store, cache, key, fits[key.family]["label"], source, result, token, form)
        dataset = load_dataset(store, key.sid)  # its file's name: a scenario of another upload says which
        saved = add_scenario(store, key.sid, name, scenario | {"data": dataset.filename if dataset else None})
    except ValueError as exc:
        return no_update, alert(str(exc), "warning", class_name="py-2 small mb-2")
    said = f"Saved {saved['name']!r} ({saved['kind']}, {saved['label']})."
    return {"revision": secrets.token_hex(4)}, alert(said, "success", class_name="py-2 small mb-2")


def list_scenarios(store: SessionStore, _revision, summary, family, name, picked, pick_ids, token) -> tuple:
    """The saved scenarios, ticks kept; the name box gets the next free "Scenario n" when it is blank or taken."""
    scenarios = load_scenarios(store, store.session_or_none(token))
    ticked = {i["scenario"] for i, on in zip(pick_ids or [], picked or []) if on}
    version = (summary or {}).get("version")
    taken = {s["name"].casefold() for s in scenarios}
    fresh = next_name(scenarios) if not (name or "").strip() or name.strip().casefold() in taken else no_update
    return scenario_list(scenarios, ticked, family, version), fresh


def remove_scenario(store: SessionStore, _clicks, token) -> dict:
    """Delete the scenario whose button was clicked (a button drawn anew, never clicked, does nothing)."""
    sid = store.session_or_none(token)
    if sid is None or not isinstance(ctx.triggered_id, dict) or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    delete_scenario(store, sid, ctx.triggered_id["scenario"])
    return {"revision": secrets.token_hex(4)}


def compare_scenarios(store: SessionStore, picked, pick_ids, family, summary, token) -> tuple:
    """The ticked scenarios (up to four) side by side: table, grouped bars of spend per channel; once four
    are ticked the others cannot be."""
    chosen = ticked_scenarios(store, picked, pick_ids, token)
    full = len(chosen) >= MAX_COMPARED
    disabled = [full and not on for on in picked or []]
    if not chosen:
        return None, scenario_spend_figure(spend_frame([])), disabled, True
    names = [s["name"] for s in chosen]
    table = comparison_view(comparison_rows(chosen, family, (summary or {}).get("version")), names)
    return table, scenario_spend_figure(spend_frame(chosen), per=per_period(chosen)), disabled, False


def download_comparison(store: SessionStore, _clicks, picked, pick_ids, family, summary, token) -> dict:
    """The comparison, spend per channel and the inputs of the ticked scenarios as a workbook."""
    chosen = ticked_scenarios(store, picked, pick_ids, token)
    if not chosen:
        raise PreventUpdate
    workbook = comparison_workbook(chosen, family, (summary or {}).get("version"))
    return dcc.send_bytes(workbook, "scenarios - comparison.xlsx")


# ------------------------------------------------------------------------------ what the callbacks call
def comparison_workbook(chosen: list[dict], family, version) -> bytes:
    """The comparison, spend per channel and inputs of ``chosen`` as a workbook. Each scenario's column gets a
    header of its own (dashboard.exports.distinct_headers), so a scenario called "Measure", "Channel" or
    "=SUM(A1)", or two names that differ only in case, keep a column each and leave the first column alone."""
    headers = distinct_headers([s["name"] for s in chosen], taken=OWN_HEADERS)
    named = [{**s, "name": header} for s, header in zip(chosen, headers)]
    sheets = {
        "comparison": comparison_sheet(comparison_rows(named, family, version), headers),
        f"spend per {per_period(chosen)}": spend_sheet(named),
        "inputs": inputs_sheet(chosen),  # the names as the user wrote them, one per row
    }
    return xlsx_bytes(sheets)


def ticked_scenarios(store: SessionStore, picked, pick_ids, token) -> list[dict]:
    """The ticked scenarios from the session store, in the list's order, at most four."""
    ticked = {i["scenario"] for i, on in zip(pick_ids or [], picked or []) if on}
    scenarios = load_scenarios(store, store.session_or_none(token))
    return [s for s in scenarios if s["id"] in ticked][:MAX_COMPARED]


def scenario_from_page(store: SessionStore, cache: PlanCache, key, label: str, source, result, token, form) -> dict:
    """The scenario to save: the last optimised plan (when it is of this data and the model selected), or the
    what-if on the sliders."""
    if source == "plan":
        record = stored_plan(store, result, token)
        if not made_with(record, key.family) or record.get("error") or record["version"] != key.version:
            raise ValueError("Optimise first: there is no optimised plan with this model on this data to save.")
        return plan_scenario(record)
    horizon = cache.horizon(key, form["periods"])
    if horizon is None:
        raise ValueError(NO_FITS)
    channels = [i["channel"] for i in form.pop("ids")]
    spend = dict(zip(channels, form["spend"]))
    if any(v is None or v < 0 for v in spend.values()):
        raise ValueError("Enter a spend of at least 0 for every channel first.")
    recent = horizon.fitted.recent_spend().to_dict()
    inputs = form_inputs({**form, "channels": channels}, constraints({**form, "channels": channels}, recent))
    frequency = horizon.fitted.frequency
    meta = {"family": key.family, "label": label, "version": key.version, "unit": period_name(frequency, plural=True)}
    return what_if_scenario(horizon, spend, meta | {"per": period_name(frequency)}, inputs)
