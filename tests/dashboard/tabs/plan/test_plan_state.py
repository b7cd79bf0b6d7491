"""The Plan tab's state: the in-process cache of models and horizons, form values, plan records and exports."""

import io

import openpyxl
import pytest

import models
from dashboard.exports import csv_bytes, xlsx_bytes
from dashboard.tabs.plan.records import absolute_bounds, optimiser_arguments, plan_record
from dashboard.tabs.plan.sheets import plan_exports
from dashboard.tabs.plan.state import checked_periods, fitted_families
from dashboard.tabs.plan.views import slider_range
from models.data import read_upload
from models.datasets import load_demo_bytes

PERIODS = 28


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
    assert fitted_families(app.session_store, key.sid, "another-version") == {}


def test_percent_bounds_become_currency_per_period_and_locks_drop_bounds():
    recent = {"tv": 200.0, "radio": 50.0, "search": 10.0}
    bounds = absolute_bounds(
        ["tv", "radio", "search"], [50, None, 10], [150, 80, ""], "percent", recent, locked=["search"]
    )
    assert bounds == {"tv": (100.0, 300.0), "radio": (None, 40.0)}
    assert absolute_bounds(["tv"], [50], [150], "absolute", recent) == {"tv": (50.0, 150.0)}
    form = {
        "budget": 1000,
        "objective": "revenue",
        "min_roas": 3.0,
        "unit": "percent",
        "channels": ["tv", "radio"],
        "spend": [120.0, 9.0],
        "locks": [True, False],
        "minimums": [None, None],
        "maximums": [None, 100],
    }
    arguments = optimiser_arguments(form, recent)
    assert arguments["locked"] == {"tv": 120.0} and arguments["bounds"] == {"radio": (None, 50.0)}
    assert arguments["min_roas"] is None  # only with the minimum-ROAS objective
    with pytest.raises(ValueError, match="budget"):
        optimiser_arguments({**form, "budget": None}, recent)


def test_horizon_and_slider_range_checks():
    assert checked_periods(4) == 4 and checked_periods(28.0) == 28
    for bad in (0, 2.5, None, "x", 10_000):
        with pytest.raises(ValueError, match="whole number"):
            checked_periods(bad)
    assert slider_range(100.0, 120.0) == (300.0, 1.5)
    assert slider_range(0.0, 0.0)[0] >= 1.0


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
    prediction = models.what_if(fitted, spend, PERIODS).prediction
    return plan_record(plan, prediction, {"family": "ridge", "label": "Ridge", "version": "v", "unit": "days"})


def test_exports_hold_plan_totals_and_prediction_with_formulas_escaped(formula_plan):
    tables = plan_exports(formula_plan)
    assert list(tables) == ["plan", "expected", "prediction", "messages"]
    plan = tables["plan"].frame
    assert plan["Channel"].iloc[-1] == "Total"
    assert plan["Optimised spend over 28 days"].iloc[-1] == pytest.approx(150_000)
    assert plan["Optimised spend over 28 days"].iloc[:-1].sum() == pytest.approx(150_000)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables)))
    assert book.sheetnames == ["plan", "expected", "prediction", "messages"]
    rows = list(book["plan"].iter_rows(values_only=True))
    assert rows[0][:4] == (
        "Channel",
        "Recent average spend per day",
        "Your what-if spend per day",
        "Optimised spend per day",
    )
    assert rows[1][0] == "=cmd" and book["plan"]["A2"].quotePrefix and rows[1][3] == pytest.approx(500.0)
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    expected = {r[0]: r[1] for r in book["expected"].iter_rows(min_row=2, values_only=True)}
    assert expected["Budget over the horizon"] == 150_000 and expected["Horizon (days)"] == PERIODS
    assert "Lift over the recent average mix" in expected
    prediction = list(book["prediction"].iter_rows(values_only=True))
    assert prediction[0] == ("Date", "Expected revenue", "Lower (90%)", "Upper (90%)")
    assert len(prediction) == PERIODS + 1
    assert any("=cmd is at its maximum" in str(r[0]) for r in book["messages"].iter_rows(values_only=True))
    text = csv_bytes(tables["plan"]).decode("utf-8-sig")
    assert "\n'=cmd," in text and "\nTotal," in text
