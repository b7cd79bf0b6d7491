"""Plan spend from the browser: what-if on a fitted model, lock a channel, optimise, apply, download."""

import csv
import io

import openpyxl
import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.ids import App, Models, Plan
from tests.browser.helpers import (
    click,
    click_tab,
    downloaded,
    element,
    no_console_errors,
    number,
    open_models_with_demo,
    set_number,
    start_ridge_fit,
)


def revenue_card(dash_duo) -> str:
    """The first what-if card's number, read in one step (the cards are redrawn as the what-if updates)."""
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", f"#{Plan.WHATIF_SUMMARY} h6"
    )


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

    # what-if: typing a number moves its slider and the prediction; the slider moves the number back
    before = revenue_card(dash_duo)
    set_number(dash_duo, Plan.spend("google"), "6000")
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
    dash_duo.wait_for_contains_text(f"#{Plan.MESSAGES}", "google is locked at 6,000 per period")
    rows = {
        r.find_elements(By.TAG_NAME, "td")[0].text: r
        for r in dash_duo.find_elements(f"#{Plan.ALLOCATION_TABLE} tbody tr")
    }
    assert rows["google"].find_elements(By.TAG_NAME, "td")[2].text == "6,000"

    click(dash_duo, f"#{Plan.EXPORT_PLAN_CSV}")
    with downloaded(dash_duo, "plan - ridge - 28 days - plan.csv").open(encoding="utf-8-sig") as handle:
        plan = {row["channel"]: row for row in csv.DictReader(handle)}
    assert float(plan["google"]["optimal_per_period"]) == 6000 and plan["google"]["constraint"] == "locked"
    optimal_facebook = float(plan["facebook"]["optimal_per_period"])
    assert float(plan["Total"]["optimal_total"]) == pytest.approx(
        float(dash_duo.find_element(f"#{Plan.BUDGET}").get_attribute("value"))
    )

    # apply the plan to the what-if
    click(dash_duo, f"#{Plan.APPLY}")
    until(lambda: number(dash_duo, Plan.spend("facebook")) == round(optimal_facebook, 2), timeout=10)
    assert number(dash_duo, Plan.spend("google")) == 6000

    click(dash_duo, f"#{Plan.EXPORT_XLSX}")
    book = openpyxl.load_workbook(downloaded(dash_duo, "plan - ridge - 28 days.xlsx"))
    assert book.sheetnames == ["plan", "expected", "prediction", "messages"]
    assert book["prediction"].max_row == 29
    click(dash_duo, f"#{Plan.EXPORT_PREDICTION_CSV}")
    text = downloaded(dash_duo, "plan - ridge - 28 days - prediction.csv").read_text(encoding="utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[0] == ["date", "mean", "lower", "upper"]

    # an infeasible request shows the engine's message, not a traceback
    set_number(dash_duo, Plan.BUDGET, "1000")
    click(dash_duo, f"#{Plan.OPTIMISE}")
    dash_duo.wait_for_contains_text(f"#{Plan.RESULT_VIEW} .alert", "Raise the budget", timeout=20)
    no_console_errors(dash_duo)
