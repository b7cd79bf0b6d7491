"""Scenarios from the browser: set a what-if with a lock and a bound on one model, save it, switch to another
model (the spend, lock and bound stay), optimise and save that plan, then compare the two side by side,
download the comparison and delete one."""

import openpyxl
from dash.testing.wait import until
from selenium.webdriver.support.select import Select

from dashboard.ids import App, Models, Plan
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
    set_number,
    show_family,
    type_into,
)

LIST = f"#{Plan.SCENARIO_LIST}"


def pick_model(dash_duo, family: str):
    Select(dash_duo.find_element(f"#{Plan.FAMILY}")).select_by_value(family)


def save(dash_duo, name: str, source: str):
    choose(dash_duo, Plan.SCENARIO_SOURCE, source)
    type_into(dash_duo, f"#{Plan.SCENARIO_NAME}", name)
    click(dash_duo, f"#{Plan.SAVE_SCENARIO}")
    dash_duo.wait_for_contains_text(f"#{Plan.SCENARIO_MESSAGE}", f"Saved '{name}'", timeout=30)
    dash_duo.wait_for_contains_text(LIST, name)


def test_switch_model_keeps_locks_then_save_two_scenarios_and_compare_them(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    fit_ridge(dash_duo)
    show_family(dash_duo, "xgboost")
    type_into(dash_duo, f"#{Models.option('xgboost', 'n_estimators')}", "100")
    click(dash_duo, f"#{Models.fit_button('xgboost')}")
    dash_duo.wait_for_contains_text(f"#{Models.progress('xgboost')}", "Done in", timeout=180)

    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next 28 days", timeout=30)
    pick_model(dash_duo, "ridge")
    dash_duo.wait_for_contains_text(f"#{Plan.RECOMMENDATION}", "Using Ridge", timeout=20)
    set_number(dash_duo, Plan.spend("google"), "6000")
    until(lambda: number(dash_duo, Plan.spend("google")) == 6000, timeout=10)
    assert "Kept" not in dash_duo.find_element(f"#{Plan.CONTROLS_NOTE}").text  # the user had set nothing yet
    element(dash_duo, Plan.lock("google")).click()
    set_number(dash_duo, Plan.maximum("facebook"), "500")
    assert dash_duo.find_element(f"#{Plan.SCENARIO_NAME}").get_attribute("value") == "Scenario 1"  # the default
    save(dash_duo, "Scenario 1", "what-if")

    # another model: the spend, the lock and the bound stay, and the next optimise uses them
    pick_model(dash_duo, "xgboost")
    kept = "Kept your spend, locks and bounds from Ridge"
    dash_duo.wait_for_contains_text(f"#{Plan.CONTROLS_NOTE}", kept, timeout=20)
    assert number(dash_duo, Plan.spend("google")) == 6000 and element(dash_duo, Plan.lock("google")).is_selected()
    assert element(dash_duo, Plan.maximum("facebook")).get_attribute("value") == "500"
    click(dash_duo, f"#{Plan.OPTIMISE}")
    dash_duo.wait_for_contains_text(f"#{Plan.MESSAGES}", "google is locked at 6,000 per day", timeout=60)
    save(dash_duo, "XGBoost plan", "plan")

    # compare both: a table with a column each and grouped bars
    for box in dash_duo.find_elements(f"{LIST} input[type=checkbox]"):
        dash_duo.driver.execute_script("arguments[0].click();", box)
    dash_duo.wait_for_contains_text(f"#{Plan.COMPARISON}", "Spend per day: google", timeout=20)
    header = [th.text for th in dash_duo.find_elements(f"#{Plan.COMPARISON} thead th")]
    assert header[1:] == ["Scenario 1", "XGBoost plan"]
    table = dash_duo.find_element(f"#{Plan.COMPARISON}").text
    assert "made with Ridge (Robyn-style), not the model selected" in table and "(90%: " in table
    assert "Lift over the recent average mix" in table and "google locked" in table
    dash_duo.wait_for_element(f"#{Plan.COMPARISON_GRAPH} .main-svg .barlayer .point", timeout=20)
    assert len(dash_duo.find_elements(f"#{Plan.COMPARISON_GRAPH} .main-svg .barlayer .trace")) == 2

    click(dash_duo, f"#{Plan.EXPORT_COMPARISON}")
    book = openpyxl.load_workbook(downloaded(dash_duo, "scenarios - comparison.xlsx"))
    assert book.sheetnames == ["comparison", "spend per day", "inputs"]
    assert [c.value for c in book["comparison"][1]] == ["Measure", "Scenario 1", "XGBoost plan"]

    click(dash_duo, f"{LIST} tbody tr:first-child button")  # delete Scenario 1
    until(lambda: len(dash_duo.find_elements(f"{LIST} tbody tr")) == 1, timeout=20)
    until(lambda: "Scenario 1" not in dash_duo.find_element(f"#{Plan.COMPARISON}").text, timeout=20)
    assert "XGBoost plan" in dash_duo.find_element(f"#{Plan.COMPARISON}").text

    # back to ridge: the XGBoost plan leaves the screen and cannot be applied; the list names its model
    pick_model(dash_duo, "ridge")
    until(lambda: not dash_duo.find_element(f"#{Plan.APPLY}").is_enabled(), timeout=20)
    assert dash_duo.find_element(f"#{Plan.RESULT_VIEW}").text == ""
    dash_duo.wait_for_contains_text(LIST, "Made with XGBoost, not the model selected", timeout=20)
    no_console_errors(dash_duo)
