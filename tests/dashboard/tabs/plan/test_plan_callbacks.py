"""The Plan tab's callbacks called directly on a real fitted model: the fit list, controls, what-if,
optimiser, plan view, apply and downloads."""

import base64
import csv
import io
import json

import numpy as np
import openpyxl
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

import models
from dashboard.ids import Plan
from dashboard.tabs.models.comparison import comparison
from dashboard.tabs.models.fits import load_fit
from dashboard.tabs.plan.callbacks import (
    channel_controls,
    chosen_family,
    default_budget,
    default_horizon,
    explain_choice,
    list_fits,
    running_note,
    sync_spend,
    synced_spend,
    update_what_if,
    what_if_outputs,
)
from dashboard.tabs.plan.optimise import download_plan, optimise, optimised_plan, plan_outputs, show_plan
from dashboard.tabs.plan.records import allocation_frame
from dashboard.tabs.plan.state import FitKey, fitted_families, latest_plan, load_plan, save_plan, stored_plan
from dashboard.tabs.plan.views import plan_cards
from tests.dashboard.helpers import browser_form, channels_of, components, triggered
from tests.dashboard.helpers import plan_form as form

PERIODS = 28


def test_list_fits_offers_the_fits_on_this_data_and_keeps_the_choice(planned):
    app, key, fits, token = planned
    store, cache, summary = app.session_store, app.plan_cache, {"version": key.version}
    listed, options, chosen, status, style, line, followed = list_fits(
        store, cache, summary, None, [None] * 4, None, None, None, token
    )
    label = models.LABELS["ridge"]
    assert listed == fits == {"ridge": {"label": label, "fitted_at": listed["ridge"]["fitted_at"], "stamp": key.stamp}}
    assert options == [{"label": label, "value": "ridge"}] and chosen == "ridge" and status is None
    assert style == {} and followed == "ridge" and f"Using {label}, the only model fitted" in str(line)
    again = list_fits(store, cache, summary, None, [], "ridge", fits, "ridge", token)
    assert again[2] is no_update  # the same fit: the sliders stay where the user put them
    assert again[0] is again[1] is no_update  # and nothing new to list: the what-if is not redrawn
    empty = list_fits(store, cache, {"version": "other"}, None, [], None, None, None, token)
    assert empty[0] == {} and "Fit a model" in str(empty[3]) and empty[4] == {"display": "none"}


def test_the_plan_starts_on_the_recommended_model_and_says_why(compared):
    app, token, sid, version = compared
    store, cache, summary = app.session_store, app.plan_cache, {"version": version}
    best = comparison(store, sid, version)["recommended"]
    other = next(family for family in ("ridge", "xgboost") if family != best)
    fits, _, chosen, _, _, line, followed = list_fits(store, cache, summary, None, [], None, None, None, token)
    assert chosen == followed == best and f"Using {models.LABELS[best]}: recommended because its checks" in str(line)
    kept = list_fits(store, cache, summary, None, [], other, fits, best, token)  # the user picked another
    assert kept[2] is no_update and kept[6] == best and f"Using {models.LABELS[other]}, your choice" in str(kept[5])
    assert f"Recommended: {models.LABELS[best]}" in str(explain_choice(store, other, fits, summary, token))
    with pytest.raises(PreventUpdate):
        explain_choice(store, "bayesian", fits, summary, token)


def test_a_plan_that_cuts_channels_the_model_cannot_pin_down_says_so(compared):
    """A budget a tenth of the recent spend cuts every channel: the plan names each one whose stored 90% ROAS
    interval spans a factor of 3 (or reaches 0), and only those."""
    app, token, sid, version = compared
    store, summary = app.session_store, {"version": version}
    fits = fitted_families(store, sid, version)
    fitted = app.plan_cache.model(FitKey(sid, "xgboost", version, fits["xgboost"]["stamp"]))
    budget = 0.1 * float(fitted.recent_spend().sum()) * 28
    form = browser_form(fitted.channels, budget=budget)
    try:
        record = stored_plan(store, optimise(store, app.plan_cache, 1, "xgboost", fits, summary, token, **form), token)
        roas = load_fit(store, sid, "xgboost", version).tables["roas"]
        wide = set(roas.channel[(roas.upper > roas.lower) & (roas.upper >= 3 * roas.lower.clip(lower=0))])
        said = {m.split()[3] for m in record["messages"] if m.startswith("The plan cuts ")}
        cut = {r["channel"] for r in record["allocation"] if r["optimal"] <= 0.5 * r["current"]}
        assert wide, "the fixture's XGBoost intervals should leave some channel unidentified"
        assert said == wide & cut and said, (said, wide, cut)
    finally:
        store.delete(sid, "plan")


def test_chosen_family_follows_the_recommendation_until_the_user_picks_another():
    fits = {f: {"label": f, "fitted_at": "t1", "stamp": "t1|1.0|0"} for f in ("ridge", "xgboost")}
    assert chosen_family(fits, None, None, "xgboost", None) == "xgboost"  # starts on the recommendation
    assert chosen_family(fits, "ridge", fits, "xgboost", "ridge") == "xgboost"  # the page followed it: follow again
    assert chosen_family(fits, "ridge", fits, "xgboost", "xgboost") is no_update  # the user's choice stays
    assert chosen_family(fits, "xgboost", fits, "xgboost", "xgboost") is no_update  # same fit: keep the sliders
    refit = {**fits, "xgboost": {**fits["xgboost"], "fitted_at": "t2"}}
    assert chosen_family(refit, "xgboost", fits, "xgboost", "xgboost") == "xgboost"  # a refit: new sliders
    assert chosen_family(fits, None, None, None, None) == "ridge"  # no recommendation yet: the first fit


def test_what_if_and_plan_cards_carry_intervals_for_a_point_model(planned):
    app, key, fits, token = planned
    channels = channels_of(app, key)
    cards = what_if_outputs(app.plan_cache, key, PERIODS, {c: 1000.0 for c in channels})[0]
    assert str(cards).count("(90%: ") == 3  # revenue, revenue from media, ROAS
    record = optimised_plan(app.plan_cache, key, "Ridge", form(channels))
    assert str(plan_cards(record)).count("(90%: ") >= 3  # expected revenue, current mix, lift


def test_horizon_controls_and_budget_start_from_the_models_recent_spend(planned):
    app, key, fits, token = planned
    store, summary = app.session_store, {"version": key.version, "frequency": "daily"}
    assert default_horizon(summary) == (28, "days") and default_horizon({"frequency": "weekly"}) == (4, "weeks")
    rows, bounds, built_for, note = channel_controls(store, app.plan_cache, "ridge", fits, summary, token, None)
    assert built_for == {"family": "ridge", "version": key.version, "spend": built_for["spend"]} and note is None
    fitted = app.plan_cache.model(key)
    found = [c for row in rows for c in components(row) if isinstance(getattr(c, "id", None), dict)]
    highest = fitted.spend_range().set_index("channel")["max"]
    for channel, recent in fitted.recent_spend().items():
        slider = next(c for c in found if c.id == Plan.slider(channel))
        number = next(c for c in found if c.id == Plan.spend(channel))
        # Whole from 100 up, as the tables write it (2,262 beside 2,262, not 2262.47); cents below.
        assert slider.value == number.value == built_for["spend"][channel] == round(recent, 0 if recent >= 100 else 2)
        assert slider.max >= highest[channel]
    assert "per day" in str(rows[0]) and len(bounds.children[1].children) == len(fitted.channels)
    assert channel_controls(store, app.plan_cache, "ridge", fits, summary, "forged", None) == ([], None, None, None)
    cache, periods = app.plan_cache, Plan.PERIODS
    budget = triggered(periods, default_budget, store, cache, "ridge", PERIODS, fits, summary, token, None, None)
    assert budget == round(fitted.recent_spend().sum() * PERIODS)
    with pytest.raises(PreventUpdate):
        triggered(periods, default_budget, store, cache, "ridge", 0, fits, summary, token, None, None)
    with pytest.raises(PreventUpdate):  # another model on the same data: the user's budget stays
        triggered(Plan.FAMILY, default_budget, store, cache, "ridge", PERIODS, fits, summary, token, 5, built_for)
    again = triggered(Plan.FAMILY, default_budget, store, cache, "ridge", PERIODS, fits, summary, token, 5, None)
    assert again == budget  # new data (or the first model): the recent spend


def test_what_if_follows_the_spend_and_reports_errors_in_words(planned):
    app, key, fits, token = planned
    store, cache, summary = app.session_store, app.plan_cache, {"version": key.version}
    channels = channels_of(app, key)
    ids = [Plan.spend(c) for c in channels]
    low = update_what_if(store, cache, [100.0] * len(ids), PERIODS, ids, "ridge", fits, summary, token)
    high = update_what_if(store, cache, [3000.0] * len(ids), PERIODS, ids, "ridge", fits, summary, token)
    assert sum(high[1].data[-1].y) > sum(low[1].data[-1].y)  # more spend, more predicted revenue
    assert len(low[1].data[-1].x) == PERIODS and low[1].data[-1].name == "expected revenue"
    assert [b.name for b in low[1].data[:2]] == ["90% interval lower", "90% interval"]  # a point model's band too
    assert list(low[2].data[0].x) == channels
    assert "Revenue, next 28 days" in str(low[0]) and "marginal ROAS" in str(low[3])
    assert update_what_if(store, cache, [], PERIODS, [], "ridge", fits, summary, token)[0] is None
    alert = what_if_outputs(cache, key, 0, {})[0]
    assert "whole number of periods" in alert.children
    negative = what_if_outputs(cache, key, PERIODS, {channels[0]: -5})[0]
    assert "at least 0" in negative.children


def test_optimised_plan_keeps_locks_and_bounds_and_explains_infeasible_requests(planned):
    app, key, *_ = planned
    channels = channels_of(app, key)
    locks = [c == channels[1] for c in channels]
    spend = [1234.5 if lock else 500.0 for lock in locks]
    maximums = [400.0 if c == channels[0] else None for c in channels]
    record = optimised_plan(app.plan_cache, key, "Ridge", form(channels, locks=locks, spend=spend, maximums=maximums))
    allocation = allocation_frame(record).set_index("channel")
    assert allocation.loc[channels[1], "optimal"] == 1234.5 and allocation.loc[channels[1], "at_bound"] == "locked"
    assert allocation.loc[channels[0], "optimal"] <= 400.0 + 1e-9
    assert allocation["optimal"].sum() * PERIODS == pytest.approx(200_000)
    assert len(record["prediction"]) == PERIODS and record["messages"]
    view = plan_outputs(record, key.version, "ridge")
    bars = [t.name for t in view[1].data if t.type == "bar"]
    assert bars == ["recent average (last 28 days)", "your what-if", "optimised"]
    assert view[4:] == (False, False, False, False)
    assert [item.children for item in view[3]] == record["messages"]  # the engine's words, and only those
    asked = optimised_plan(app.plan_cache, key, "Ridge", form(channels, objective="min_roas", min_roas=2.0))
    shown = plan_outputs(asked, key.version, "ridge")
    said = [item.children for item in shown[3] if "asked" in item.children]
    assert len(said) == 1 and "asked" not in str(shown[0])  # the engine's minimum-ROAS words, shown once
    assert plan_outputs(record, "other data", "ridge")[0] is None  # a plan of other data is not shown
    tight = optimised_plan(app.plan_cache, key, "Ridge", form(channels, locks=locks, spend=spend, budget=1000))
    assert "Raise the budget" in tight["error"]
    shown = plan_outputs(tight, key.version, "ridge")
    assert "Raise the budget" in shown[0].children and shown[4] is True


def test_every_reachable_minimum_roas_is_met_by_spending_less(planned):
    """Higher targets need less spend; the optimiser must not call them impossible (it once did for 2.75)."""
    app, key, *_ = planned
    channels = channels_of(app, key)
    spent = []
    for target in np.arange(1.0, 4.0, 0.25):
        record = optimised_plan(app.plan_cache, key, "Ridge", form(channels, objective="min_roas", min_roas=target))
        assert "error" not in record, record.get("error")
        assert record["expected"]["roas"] >= 0.99 * target
        spent.append(record["expected"]["spend"])
    assert spent[-1] < spent[0] / 2 and spent == sorted(spent, reverse=True)


def test_optimise_keeps_the_plan_server_side_and_apply_and_downloads_read_it(planned):
    app, key, fits, token = planned
    store, summary, channels = app.session_store, {"version": key.version}, channels_of(app, key)
    reference = optimise(
        store, app.plan_cache, 1, "ridge", fits, summary, token, **browser_form(channels, budget=150_000)
    )
    assert set(reference) == {"plan", "version"} and len(json.dumps(reference)) < 80  # an id, never tables
    assert reference["version"] == key.version and latest_plan(store, key.sid, key.version) == reference
    record = stored_plan(store, reference, token)
    view = show_plan(store, reference, summary, "ridge", token)
    assert "Expected revenue (optimised)" in str(view[0]) and view[4:] == (False,) * 4

    sent = triggered(Plan.EXPORT_PLAN_CSV, download_plan, store, None, 1, None, reference, token)
    assert sent["filename"] == "plan - ridge - 28 days - optimised - plan.csv"  # the kind of plan tells files apart
    rows = {r["Channel"]: r for r in csv.DictReader(io.StringIO(base64.b64decode(sent["content"]).decode("utf-8-sig")))}
    assert float(rows["Total"]["Optimised spend over 28 days"]) == pytest.approx(150_000, abs=1)
    book = triggered(Plan.EXPORT_XLSX, download_plan, store, 1, None, None, reference, token)
    workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(book["content"])))
    assert workbook.sheetnames == ["about", "plan", "expected", "prediction", "messages"]
    about = {row[0]: row[1] for row in workbook["about"].iter_rows(min_row=2, values_only=True)}
    # What the numbers are and how far to trust them comes first, as in the report.
    assert about["Model"].startswith("Ridge") and "a budget of 150,000 over the next 28 days" in about["Plan"]
    assert about["Data"] and len(about["Made at (UTC)"]) == 16 and about["Caution"] and about["Kind"] == "optimised"
    prediction = triggered(Plan.EXPORT_PREDICTION_CSV, download_plan, store, None, None, 1, reference, token)
    assert prediction["filename"].endswith("prediction.csv")

    zeros = [0.0] * len(channels)
    applied = triggered(
        Plan.APPLY, sync_spend, store, zeros, zeros, 1, [Plan.spend(c) for c in channels], reference, "ridge", token
    )
    optimal = {row["channel"]: row["optimal"] for row in record["allocation"]}
    assert applied[0] == applied[1] == [round(optimal[c], 0 if optimal[c] >= 100 else 2) for c in channels]

    newer = save_plan(store, key.sid, record)  # only the last plan is kept; an old id finds nothing
    assert load_plan(store, key.sid, reference) is None and load_plan(store, key.sid, newer) is not None
    assert load_plan(store, key.sid, {**newer, "version": "other data"}) is None
    assert stored_plan(store, newer, "forged") is None and stored_plan(store, {"error": "no"}, token) == {"error": "no"}
    store.delete(key.sid, "plan")
    with pytest.raises(PreventUpdate):  # the browser's reference alone cannot rebuild an export
        triggered(Plan.EXPORT_XLSX, download_plan, store, 1, None, None, newer, token)
    assert show_plan(store, newer, summary, "ridge", token)[0] is None


def test_a_plan_made_with_another_model_is_neither_shown_nor_applied(planned):
    app, key, fits, token = planned
    store, summary, channels = app.session_store, {"version": key.version}, channels_of(app, key)
    reference = optimise(store, app.plan_cache, 1, "ridge", fits, summary, token, **browser_form(channels))
    assert "Ridge (Robyn-style): a budget of" in str(show_plan(store, reference, summary, "ridge", token)[0])
    elsewhere = show_plan(store, reference, summary, "xgboost", token)  # the user selected another model
    assert elsewhere[0] is elsewhere[2] is None and elsewhere[3] == [] and elsewhere[4:] == (True,) * 4
    ids, zeros = [Plan.spend(c) for c in channels], [0.0] * len(channels)
    with pytest.raises(PreventUpdate):  # Apply cannot put the ridge plan on the sliders of another model
        triggered(Plan.APPLY, sync_spend, store, zeros, zeros, 1, ids, reference, "xgboost", token)
    applied = triggered(Plan.APPLY, sync_spend, store, zeros, zeros, 1, ids, reference, "ridge", token)
    assert applied[0] != zeros
    refused = optimise(store, app.plan_cache, 1, "ridge", fits, summary, token, **browser_form(channels, budget=None))
    assert "budget" in str(plan_outputs(refused, key.version, "ridge")[0])
    assert plan_outputs(refused, key.version, "xgboost")[0] is None  # nor another model's error
    store.delete(key.sid, "plan")


def test_optimise_without_a_fit_or_with_an_impossible_request_says_why(planned):
    app, key, fits, token = planned
    store, summary, channels = app.session_store, {"version": key.version}, channels_of(app, key)
    assert optimise(store, app.plan_cache, 1, "xgboost", fits, summary, token, **browser_form(channels)) == {
        "error": "Fit a model in the Models tab first: the Plan tab uses it to predict revenue and split a budget.",
        "version": key.version,
        "family": "xgboost",
    }
    refused = optimise(store, app.plan_cache, 1, "ridge", fits, summary, token, **browser_form(channels, budget=None))
    assert "budget" in refused["error"] and refused["version"] == key.version and refused["family"] == "ridge"


def test_slider_and_number_stay_in_sync_and_apply_sets_both(planned):
    app, _, _, token = planned
    channels, ids = ["tv", "radio"], [Plan.spend("tv"), Plan.spend("radio")]
    same = [no_update, no_update]
    moved = triggered(
        Plan.slider("radio"),
        sync_spend,
        app.session_store,
        [1.0, 7.0],
        [1.0, 2.0],
        None,
        ids,
        None,
        "ridge",
        token,
        prop="value",
    )
    assert moved == (same, [no_update, 7.0])
    assert synced_spend(Plan.spend("tv"), [1.0, 2.0], [5.5, 2.0], channels, None) == ([5.5, no_update], same)
    with pytest.raises(PreventUpdate):
        synced_spend(Plan.spend("tv"), [1.0, 2.0], [None, 2.0], channels, None)
    plan = {"allocation": [{"channel": "tv", "optimal": 10.004}, {"channel": "radio", "optimal": 3.0}]}
    assert synced_spend(Plan.APPLY, [1.0, 2.0], [1.0, 2.0], channels, plan) == ([10.0, 3.0], [10.0, 3.0])
    with pytest.raises(PreventUpdate):
        synced_spend(Plan.APPLY, [1.0, 2.0], [1.0, 2.0], channels, {"error": "no"})


def test_running_note_names_the_family_whose_fit_runs():
    assert running_note(None) is None
    assert f"A {models.LABELS['ridge']} fit is running" in str(running_note("ridge").children)
