"""Plan spend from the browser: what-if on a fitted model, lock a channel, optimise, apply, download."""

import csv
import io
import json

import openpyxl
import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.ids import App, Models, Plan
from dashboard.tabs.plan.state import PLAN
from tests.browser.helpers import (
    choose,
    click,
    click_tab,
    downloaded,
    element,
    fit_ridge,
    no_console_errors,
    number,
    open_models_with_demo,
    session_id,
    set_number,
    start_ridge_fit,
)


def revenue_card(dash_duo) -> str:
    """The first what-if card's number, read in one step (the cards are redrawn as the what-if updates)."""
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", f"#{Plan.WHATIF_SUMMARY} h6"
    )


def last_plan(dash_duo, dash_app) -> dict:
    """The plan the server keeps for this tab's session (the browser holds only its id)."""
    return json.loads(dash_app.session_store.get(session_id(dash_duo, dash_app), PLAN))


def test_what_if_lock_optimise_apply_and_download(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.STATUS}", "Fit a model in the Models tab first")
    assert not dash_duo.find_element(f"#{Plan.BODY}").is_displayed()
    click_tab(dash_duo, f"#{App.TABS}", "Models")
    start_ridge_fit(dash_duo)
    dash_duo.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=90)
    click_tab(dash_duo, f"#{App.TABS}", "Plan")  # the new fit is listed without a reload
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next 28 days", timeout=20)
    assert dash_duo.find_element(f"#{Plan.FAMILY}").get_attribute("value") == "ridge"
    dash_duo.wait_for_element(f"#{Plan.PREDICTION} .main-svg .scatterlayer .trace")

    # what-if: typing a number (applied when the box is left) moves its slider and the prediction; the slider
    # moves the number back
    before = revenue_card(dash_duo)
    set_number(dash_duo, Plan.spend("google"), "6000", then=Keys.TAB)
    until(lambda: revenue_card(dash_duo) != before, timeout=10)
    slider = element(dash_duo, Plan.slider("google")).find_element(By.CSS_SELECTOR, "[role=slider]")
    until(lambda: float(slider.get_attribute("aria-valuenow")) == 6000, timeout=10)
    facebook = element(dash_duo, Plan.slider("facebook")).find_element(By.CSS_SELECTOR, "[role=slider]")
    start = number(dash_duo, Plan.spend("facebook"))
    facebook.send_keys(Keys.ARROW_RIGHT)
    until(lambda: number(dash_duo, Plan.spend("facebook")) > start, timeout=10)

    # optimise with google locked at its what-if value
    element(dash_duo, Plan.lock("google")).click()
    click(dash_duo, f"#{Plan.OPTIMISE}")
    dash_duo.wait_for_element(f"#{Plan.ALLOCATION} .main-svg .barlayer .point", timeout=30)
    dash_duo.wait_for_contains_text(f"#{Plan.MESSAGES}", "google is locked at 6,000 per day")
    header = [th.text for th in dash_duo.find_elements(f"#{Plan.ALLOCATION_TABLE} thead th")]
    assert header[:4] == ["channel", "recent average (last 28 days)", "your what-if", "optimised"]
    rows = {
        r.find_elements(By.TAG_NAME, "td")[0].text: [td.text for td in r.find_elements(By.TAG_NAME, "td")]
        for r in dash_duo.find_elements(f"#{Plan.ALLOCATION_TABLE} tbody tr")
    }
    assert rows["google"][2] == rows["google"][3] == "6,000"  # locked at the what-if
    legend = dash_duo.find_element(f"#{Plan.ALLOCATION} .legend").text
    assert "recent average (last 28 days)" in legend and "your what-if" in legend

    click(dash_duo, f"#{Plan.EXPORT_PLAN_CSV}")
    with downloaded(dash_duo, "plan - ridge - 28 days - optimised - plan.csv").open(encoding="utf-8-sig") as handle:
        plan = {row["Channel"]: row for row in csv.DictReader(handle)}
    assert float(plan["google"]["Optimised spend per day"]) == 6000 and plan["google"]["Constraint"] == "locked"
    assert "Recent average spend per day" in plan["google"]
    optimal_facebook = float(plan["facebook"]["Optimised spend per day"])
    assert float(plan["Total"]["Optimised spend over 28 days"]) == pytest.approx(
        float(dash_duo.find_element(f"#{Plan.BUDGET}").get_attribute("value")), abs=1
    )

    # apply the plan to the what-if
    click(dash_duo, f"#{Plan.APPLY}")
    until(lambda: number(dash_duo, Plan.spend("facebook")) == round(optimal_facebook), timeout=10)  # whole from 100 up
    assert number(dash_duo, Plan.spend("google")) == 6000

    click(dash_duo, f"#{Plan.EXPORT_XLSX}")
    book = openpyxl.load_workbook(downloaded(dash_duo, "plan - ridge - 28 days - optimised.xlsx"))
    assert book.sheetnames == ["about", "plan", "expected", "prediction", "messages"]
    assert book["prediction"].max_row == 29 and book["prediction"]["A2"].is_date
    click(dash_duo, f"#{Plan.EXPORT_PREDICTION_CSV}")
    text = downloaded(dash_duo, "plan - ridge - 28 days - optimised - prediction.csv").read_text(encoding="utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[0] == ["Date", "Expected revenue", "Lower (90%)", "Upper (90%)"]

    # an infeasible request shows the engine's message, not a traceback
    set_number(dash_duo, Plan.BUDGET, "1000")
    click(dash_duo, f"#{Plan.OPTIMISE}")
    dash_duo.wait_for_contains_text(f"#{Plan.RESULT_VIEW} .alert", "Raise the budget", timeout=20)
    no_console_errors(dash_duo)


def test_a_cautious_plan_and_the_spend_for_a_revenue_target(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    fit_ridge(dash_duo)  # with its bootstrap intervals: the model has a range, so a cautious plan is offered
    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "(90%: ", timeout=30)
    until(lambda: dash_duo.find_element(f"#{Plan.RISK_BOX}").is_displayed(), timeout=10)

    choose(dash_duo, Plan.RISK, "cautious")
    click(dash_duo, f"#{Plan.OPTIMISE}")
    dash_duo.wait_for_contains_text(f"#{Plan.RESULT_VIEW}", "Cost of caution in expected revenue", timeout=60)
    shown = dash_duo.find_element(f"#{Plan.RESULT_VIEW}").text
    assert "Revenue at the 10th percentile: cautious / expected plan" in shown
    record = last_plan(dash_duo, dash_app)
    assert record["quantile"] == 0.1 and record["risk"]["expected_revenue_cost"] is not None

    # the least spend for a revenue target: the budget box gives way to the target, the risk choice goes
    choose(dash_duo, Plan.GOAL, "target")
    until(lambda: dash_duo.find_element(f"#{Plan.TARGET_BOX}").is_displayed(), timeout=10)
    assert not dash_duo.find_element(f"#{Plan.BUDGET_BOX}").is_displayed()
    assert not dash_duo.find_element(f"#{Plan.RISK_BOX}").is_displayed()
    target = round(record["expected"]["revenue"] * 0.97)
    set_number(dash_duo, Plan.TARGET, str(target))
    click(dash_duo, f"#{Plan.OPTIMISE}")
    dash_duo.wait_for_contains_text(f"#{Plan.RESULT_VIEW}", "needs a budget of about", timeout=60)
    found = last_plan(dash_duo, dash_app)
    assert found["goal"] == "target" and found["expected"]["revenue"] >= 0.99 * target
    assert found["budget"] < record["budget"]  # less revenue asked than the plan gave: less budget needed
    no_console_errors(dash_duo)
