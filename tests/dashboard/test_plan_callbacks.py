"""The Plan tab's pieces called directly on a real fitted model: cache, what-if, optimiser, figures, exports."""

import base64
import csv
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

import models
from dashboard import create_app
from dashboard.callbacks.data import ingest
from dashboard.callbacks.models import fit_job
from dashboard.callbacks.plan import (
    optimised_plan,
    plan_download,
    plan_outputs,
    running_note,
    stored_plan,
    synced_spend,
    what_if_outputs,
)
from dashboard.datasets import load_dataset
from dashboard.exports import csv_bytes, xlsx_bytes
from dashboard.figures.plan import allocation_figure, incremental_figure, prediction_figure
from dashboard.figures.theme import channel_colors
from dashboard.ids import Plan
from dashboard.plans import (
    FitKey,
    absolute_bounds,
    allocation_frame,
    checked_periods,
    fitted_families,
    latest_plan,
    load_plan,
    optimiser_arguments,
    plan_exports,
    plan_record,
    save_plan,
    slider_range,
)
from models.data import read_upload
from models.datasets import load_demo_bytes
from models.planning import what_if

PERIODS = 28


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """An app whose session holds the demo data and a small ridge fit, and the key of that fit."""
    from dashboard.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("plan") / "data", secret_key="s", sweep_interval=3600)
    app = create_app(settings)
    store = app.session_store
    token = store.new_session()
    sid = store.session_id(token)
    ingest(store, sid, load_demo_bytes(), "demo.csv", settings)
    assert "error" not in fit_job(store, "ridge", token, 10, ("geometric", "hill", "20"), lambda _: None)
    version = load_dataset(store, sid).version
    fits = fitted_families(store, sid, version)
    yield app, FitKey(sid, "ridge", version, fits["ridge"]["stamp"]), fits, token
    store.stop_sweeper()


def form(channels, **changes):
    base = {
        "family": "ridge",
        "periods": PERIODS,
        "budget": 200_000,
        "objective": "revenue",
        "min_roas": None,
        "unit": "absolute",
        "channels": channels,
        "spend": [1000.0] * len(channels),
        "locks": [False] * len(channels),
        "minimums": [None] * len(channels),
        "maximums": [None] * len(channels),
    }
    return {**base, **changes}


def test_fitted_families_lists_the_fit_and_recent_spend_is_read_from_the_stored_fit(planned):
    app, key, fits, _ = planned
    assert fits == {
        "ridge": {"label": models.LABELS["ridge"], "stamp": key.stamp}
    }  # small JSON for the browser: no numbers
    recent = app.plan_cache.model(key).recent_spend()
    assert app.plan_cache.meta(key)["recent_spend"] == pytest.approx(recent.to_dict())
    assert fitted_families(app.session_store, key.sid, "another-version") == {}


def test_cache_serves_the_model_without_the_store_and_forgets_other_data(planned):
    app, key, *_ = planned
    cache = app.plan_cache
    horizon = cache.horizon(key, PERIODS)
    assert cache.horizon(key, PERIODS) is horizon and horizon.fitted is cache.model(key)
    blob = app.session_store.get(key.sid, "fit:ridge")
    app.session_store.delete(key.sid, "fit:ridge")
    try:
        assert cache.horizon(key, PERIODS) is horizon  # warm: a slider move never reads the store
        cache.forget(key.sid, key.version)  # same data: kept
        assert cache.horizon(key, PERIODS) is horizon
        cache.forget(key.sid, "new-version")  # the data changed: dropped, and the deleted fit is gone
        assert cache.horizon(key, PERIODS) is None and len(cache.models) == 0
    finally:
        app.session_store.put(key.sid, "fit:ridge", blob)
    assert cache.horizon(key, PERIODS) is not horizon


def test_what_if_follows_the_spend_and_reports_errors_in_words(planned):
    app, key, *_ = planned
    channels = app.plan_cache.model(key).roles_["channels"]
    low = what_if_outputs(app.plan_cache, key, PERIODS, dict.fromkeys(channels, 100.0))
    high = what_if_outputs(app.plan_cache, key, PERIODS, dict.fromkeys(channels, 3000.0))
    assert sum(high[1].data[-1].y) > sum(low[1].data[-1].y)  # more spend, more predicted revenue
    assert len(low[1].data[-1].x) == PERIODS and [b.name for b in low[1].data] == ["expected revenue"]
    assert list(low[2].data[0].x) == channels
    assert "Revenue, next 28 days" in str(low[0]) and "marginal ROAS" in str(low[3])
    alert = what_if_outputs(app.plan_cache, key, 0, {})[0]
    assert "whole number of periods" in alert.children
    negative = what_if_outputs(app.plan_cache, key, PERIODS, {channels[0]: -5})[0]
    assert "at least 0" in negative.children


def test_optimised_plan_keeps_locks_and_bounds_and_explains_infeasible_requests(planned):
    app, key, *_ = planned
    channels = app.plan_cache.model(key).roles_["channels"]
    locks = [c == channels[1] for c in channels]
    spend = [1234.5 if lock else 500.0 for lock in locks]
    maximums = [400.0 if c == channels[0] else None for c in channels]
    record = optimised_plan(app.plan_cache, key, "Ridge", form(channels, locks=locks, spend=spend, maximums=maximums))
    allocation = allocation_frame(record).set_index("channel")
    assert allocation.loc[channels[1], "optimal"] == 1234.5 and allocation.loc[channels[1], "at_bound"] == "locked"
    assert allocation.loc[channels[0], "optimal"] <= 400.0 + 1e-9
    assert allocation["optimal"].sum() * PERIODS == pytest.approx(200_000)
    assert len(record["prediction"]) == PERIODS and record["messages"]
    view = plan_outputs(record, key.version)
    assert len(view[1].data) == 2 and view[4:] == (False, False, False, False)
    assert [item.children for item in view[3]] == record["messages"]  # the engine's words, and only those
    asked = optimised_plan(app.plan_cache, key, "Ridge", form(channels, objective="min_roas", min_roas=2.0))
    shown = plan_outputs(asked, key.version)
    said = [item.children for item in shown[3] if "asked" in item.children]
    assert len(said) == 1 and "asked" not in str(shown[0])  # the engine's minimum-ROAS words, shown once
    assert plan_outputs(record, "other data")[0] is None  # a plan of other data is not shown
    tight = optimised_plan(app.plan_cache, key, "Ridge", form(channels, locks=locks, spend=spend, budget=1000))
    assert "Raise the budget" in tight["error"]
    shown = plan_outputs(tight, key.version)
    assert "Raise the budget" in shown[0].children and shown[4] is True


def test_percent_bounds_become_currency_per_period_and_locks_drop_bounds():
    recent = {"tv": 200.0, "radio": 50.0, "search": 10.0}
    bounds = absolute_bounds(
        ["tv", "radio", "search"], [50, None, 10], [150, 80, ""], "percent", recent, locked=["search"]
    )
    assert bounds == {"tv": (100.0, 300.0), "radio": (None, 40.0)}
    assert absolute_bounds(["tv"], [50], [150], "absolute", recent) == {"tv": (50.0, 150.0)}
    arguments = optimiser_arguments(
        form(["tv", "radio"], locks=[True, False], spend=[120.0, 9.0], maximums=[None, 100], unit="percent"), recent
    )
    assert arguments["locked"] == {"tv": 120.0} and arguments["bounds"] == {"radio": (None, 50.0)}
    assert arguments["min_roas"] is None
    with pytest.raises(ValueError, match="budget"):
        optimiser_arguments(form(["tv"], budget=None), recent)


def test_slider_and_number_stay_in_sync_and_apply_sets_both():
    channels = ["tv", "radio"]
    same = [no_update, no_update]
    assert synced_spend(Plan.slider("radio"), [1.0, 7.0], [1.0, 2.0], channels, None) == (same, [no_update, 7.0])
    assert synced_spend(Plan.spend("tv"), [1.0, 2.0], [5.5, 2.0], channels, None) == ([5.5, no_update], same)
    with pytest.raises(PreventUpdate):
        synced_spend(Plan.spend("tv"), [1.0, 2.0], [None, 2.0], channels, None)
    plan = {"allocation": [{"channel": "tv", "optimal": 10.004}, {"channel": "radio", "optimal": 3.0}]}
    assert synced_spend(Plan.APPLY, [1.0, 2.0], [1.0, 2.0], channels, plan) == ([10.0, 3.0], [10.0, 3.0])
    with pytest.raises(PreventUpdate):
        synced_spend(Plan.APPLY, [1.0, 2.0], [1.0, 2.0], channels, {"error": "no"})


def test_horizon_and_slider_range_checks():
    assert checked_periods(4) == 4 and checked_periods(28.0) == 28
    for bad in (0, 2.5, None, "x", 10_000):
        with pytest.raises(ValueError, match="whole number"):
            checked_periods(bad)
    assert slider_range(100.0, 120.0) == (300.0, 1.5)
    assert slider_range(0.0, 0.0)[0] >= 1.0


def test_figures_use_the_theme_colours_and_show_intervals_only_when_they_exist():
    dates = pd.date_range("2025-01-01", periods=3)
    flat = pd.DataFrame({"date": dates, "mean": [1.0, 2, 3], "lower": [1.0, 2, 3], "upper": [1.0, 2, 3]})
    assert [t.name for t in prediction_figure(flat).data] == ["expected revenue"]
    band = flat.assign(lower=flat["mean"] - 1, upper=flat["mean"] + 1)
    assert [t.name for t in prediction_figure(band).data][1:] == ["90% interval", "expected revenue"]
    channels = pd.DataFrame(
        {
            "channel": ["google", "tv"],
            "spend": [1.0, 2.0],
            "total_spend": [28.0, 56.0],
            "incremental_revenue": [50.0, 10.0],
            "roas": [1.8, np.nan],
            "mroas": [0.5, 0.1],
        }
    )
    bars = incremental_figure(channels).data[0]
    assert list(bars.marker.color) == list(channel_colors(["google", "tv"]).values())
    assert bars.text == ("ROAS 1.80", "ROAS –") and "marginal ROAS 0.10" in bars.customdata[1]
    allocation = pd.DataFrame(
        {"channel": ["google", "tv"], "current": [1.0, 2.0], "optimal": [3.0, 0.0], "at_bound": ["locked", "minimum"]}
    )
    figure = allocation_figure(allocation)
    assert [t.name for t in figure.data] == ["current", "optimised"] and figure.layout.barmode == "group"
    assert figure.data[1].customdata == ("<br>locked", "<br>at its minimum")


@pytest.fixture(scope="module")
def formula_plan():
    """A real plan for data whose first channel is called "=cmd" (a formula if a spreadsheet ran it)."""
    upload = read_upload(load_demo_bytes(), "demo.csv")
    first = upload.roles["channels"][0]
    frame = upload.frame.rename(columns={first: "=cmd"})
    roles = {**upload.roles, "channels": ["=cmd", *upload.roles["channels"][1:]]}
    fitted = models.fit("ridge", frame, roles, trials=20)
    plan = models.optimize_budget(fitted, 150_000, PERIODS, bounds={"=cmd": (None, 500.0)})
    spend = dict(zip(plan.allocation["channel"], plan.allocation["optimal"]))
    prediction = what_if(fitted, spend, PERIODS).prediction
    return plan_record(plan, prediction, {"family": "ridge", "label": "Ridge", "version": "v", "unit": "days"})


def test_exports_hold_plan_totals_and_prediction_with_formulas_escaped(formula_plan):
    tables = plan_exports(formula_plan)
    assert list(tables) == ["plan", "expected", "prediction", "messages"]
    plan = tables["plan"]
    assert plan["channel"].iloc[-1] == "Total"
    assert plan["optimal_total"].iloc[-1] == pytest.approx(150_000)
    assert plan["optimal_total"].iloc[:-1].sum() == pytest.approx(150_000)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables)))
    assert book.sheetnames == ["plan", "expected", "prediction", "messages"]
    rows = list(book["plan"].iter_rows(values_only=True))
    assert rows[0][:3] == ("channel", "current_per_period", "optimal_per_period")
    assert rows[1][0] == "'=cmd" and rows[1][2] == pytest.approx(500.0)
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    expected = {r[0]: r[1] for r in book["expected"].iter_rows(min_row=2, values_only=True)}
    assert expected["budget"] == 150_000 and expected["periods"] == PERIODS and "lift" in expected
    prediction = list(book["prediction"].iter_rows(values_only=True))
    assert prediction[0] == ("date", "mean", "lower", "upper") and len(prediction) == PERIODS + 1
    assert any("'=cmd is at its maximum" in str(r[0]) for r in book["messages"].iter_rows(values_only=True))
    text = csv_bytes(tables["plan"]).decode("utf-8-sig")
    assert "\n'=cmd," in text and "\nTotal," in text


def test_every_reachable_minimum_roas_is_met_by_spending_less(planned):
    """Higher targets need less spend; the optimiser must not call them impossible (it once did for 2.75)."""
    app, key, *_ = planned
    channels = app.plan_cache.model(key).roles_["channels"]
    spent = []
    for target in np.arange(1.0, 4.0, 0.25):
        record = optimised_plan(app.plan_cache, key, "Ridge", form(channels, objective="min_roas", min_roas=target))
        assert "error" not in record, record.get("error")
        assert record["expected"]["roas"] >= 0.99 * target
        spent.append(record["expected"]["spend"])
    assert spent[-1] < spent[0] / 2 and spent == sorted(spent, reverse=True)


def test_plan_is_kept_server_side_and_apply_and_exports_read_the_store(planned):
    app, key, _, token = planned
    store, channels = app.session_store, app.plan_cache.meta(key)["channels"]
    record = optimised_plan(app.plan_cache, key, "Ridge", form(channels, budget=150_000))
    reference = save_plan(store, key.sid, record)
    assert set(reference) == {"plan", "version"} and len(json.dumps(reference)) < 80  # an id, never tables
    assert reference["version"] == key.version and latest_plan(store, key.sid, key.version) == reference
    assert stored_plan(store, reference, token)["allocation"] == record["allocation"]
    assert plan_outputs(stored_plan(store, reference, token), key.version)[4:] == (False,) * 4

    sent = plan_download(store, reference, token, Plan.EXPORT_PLAN_CSV)
    assert sent["filename"] == "plan - ridge - 28 days - plan.csv"
    rows = {r["channel"]: r for r in csv.DictReader(io.StringIO(base64.b64decode(sent["content"]).decode("utf-8-sig")))}
    assert float(rows["Total"]["optimal_total"]) == pytest.approx(150_000)
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(plan_download(store, reference, token, None)["content"])))
    assert book.sheetnames == ["plan", "expected", "prediction", "messages"]
    optimal = {row["channel"]: round(row["optimal"], 2) for row in record["allocation"]}
    applied = synced_spend(
        Plan.APPLY, [0.0] * len(channels), [0.0] * len(channels), channels, stored_plan(store, reference, token)
    )
    assert applied[0] == [optimal[c] for c in channels]

    newer = save_plan(store, key.sid, record)  # only the last plan is kept; an old id finds nothing
    assert load_plan(store, key.sid, reference) is None and load_plan(store, key.sid, newer) is not None
    assert load_plan(store, key.sid, {**newer, "version": "other data"}) is None
    assert stored_plan(store, newer, "forged") is None
    assert stored_plan(store, {"error": "no"}, token) == {"error": "no"}
    store.delete(key.sid, "plan")
    with pytest.raises(PreventUpdate):  # the browser's reference alone cannot rebuild an export
        plan_download(store, newer, token, Plan.EXPORT_XLSX)
    assert plan_outputs(stored_plan(store, newer, token), key.version)[0] is None


def test_running_note_names_the_family_whose_fit_runs():
    assert running_note(None) is None
    assert f"A {models.LABELS['ridge']} fit is running" in str(running_note("ridge").children)
