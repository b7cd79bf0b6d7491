"""Plan spend from the browser: what-if on a fitted model, lock a channel, optimise, apply, download."""

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.ids import App, Models, Plan
from tests.browser.test_models_flow import click, click_tab, open_models_with_demo, show_family, type_into


def element(dash_duo, component_id: dict):
    """A component with a pattern-matching id (Dash writes it as JSON with sorted keys)."""
    text = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return dash_duo.driver.find_element(By.XPATH, f"//*[@id='{text}']")


def number(dash_duo, component_id: dict) -> float:
    return float(element(dash_duo, component_id).get_attribute("value"))


def revenue_card(dash_duo) -> str:
    return dash_duo.find_element(f"#{Plan.WHATIF_SUMMARY} h6").text


def set_number(dash_duo, target, text: str):
    """Type a value and press Enter (the inputs update on Enter or blur, not on every key)."""
    box = element(dash_duo, target) if isinstance(target, dict) else dash_duo.find_element(f"#{target}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text, Keys.ENTER)


def downloaded(dash_duo, name: str) -> Path:
    path = Path(dash_duo.download_path) / name
    until(lambda: path.exists() and not list(path.parent.glob("*.crdownload")), timeout=20)
    return path


def test_what_if_lock_optimise_apply_and_download(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.STATUS}", "Fit a model in the Models tab first")
    assert not dash_duo.find_element(f"#{Plan.BODY}").is_displayed()
    click_tab(dash_duo, f"#{App.TABS}", "Models")
    show_family(dash_duo, "ridge")
    type_into(dash_duo, f"#{Models.option('ridge', 'trials')}", "20")
    click(dash_duo, f"#{Models.fit_button('ridge')}")
    dash_duo.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done", timeout=90)
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
    assert dash_duo.get_logs() == []
