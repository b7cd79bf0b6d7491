"""One source of truth in the browser: a role change then a fit and a plan, and a reload that keeps the work."""

from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import models
from dashboard.ids import App, Data, Models, Plan
from tests.browser.test_models_flow import click, click_tab, open_models_with_demo, show_family, type_into
from tests.browser.test_plan_flow import element

ALLOCATION_BARS = f"#{Plan.ALLOCATION} .main-svg .barlayer .point"


def drop_channel(dash_duo, channel: str):
    """Untick one channel in the channels picker, as a person would."""
    dash_duo.find_element(f"#{Data.ROLE_CHANNELS}").click()
    dash_duo.wait_for_element(f".dash-dropdown-options input[value='{channel}']")
    dash_duo.driver.execute_script(
        f"document.querySelector(\".dash-dropdown-options input[value='{channel}']\").closest('label').click()"
    )
    dash_duo.find_element(".dash-dropdown-search").send_keys(Keys.ESCAPE)
    until(lambda: not dash_duo.find_elements(".dash-dropdown-options"), timeout=5)


def fit_ridge(dash_duo):
    show_family(dash_duo, "ridge")
    type_into(dash_duo, f"#{Models.option('ridge', 'trials')}", "20")
    click(dash_duo, f"#{Models.fit_button('ridge')}")
    dash_duo.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done", timeout=90)


def plan_channels(dash_duo) -> list[str]:
    return [e.text for e in dash_duo.find_elements(f"#{Plan.CHANNELS} .fw-semibold")]


def test_role_change_then_fit_shows_results_leaderboard_and_plan(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    drop_channel(dash_duo, "other")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_CHANNELS}", "5 selected")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_MESSAGE}", "Roles saved", timeout=20)
    fit_ridge(dash_duo)
    dash_duo.wait_for_contains_text(f"#{Models.results('ridge')}", "Holdout R²", timeout=20)
    dash_duo.wait_for_element(f"#{Models.graph('ridge', 'roas')} .main-svg .barlayer .point")
    dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", models.LABELS["ridge"], timeout=20)
    assert len(dash_duo.find_elements(f"#{Models.LEADERBOARD} tbody tr")) == 1

    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next 28 days", timeout=20)
    dash_duo.wait_for_element(f"#{Plan.PREDICTION} .main-svg .scatterlayer .trace")
    assert plan_channels(dash_duo) == ["google", "facebook", "youtube", "instagram", "tiktok"]  # the new roles
    assert "Roles saved" in dash_duo.find_element(f"#{Data.ROLE_MESSAGE}").text  # no loop cleared it
    assert dash_duo.get_logs() == []


def test_reload_brings_back_data_roles_fits_leaderboard_and_plan(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    fit_ridge(dash_duo)
    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next 28 days", timeout=20)
    click(dash_duo, f"#{Plan.OPTIMISE}")
    dash_duo.wait_for_element(ALLOCATION_BARS, timeout=30)
    dash_duo.wait_for_contains_text(f"#{Plan.ALLOCATION_TABLE}", "google")
    plan_table = dash_duo.find_element(f"#{Plan.ALLOCATION_TABLE}").text
    token = dash_duo.driver.execute_script(f"return JSON.parse(sessionStorage.getItem('{App.SESSION}'))")

    dash_duo.driver.refresh()
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=20)
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_TARGET}", "revenue")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_CHANNELS}", "6 selected")
    assert dash_duo.driver.execute_script(f"return JSON.parse(sessionStorage.getItem('{App.SESSION}'))") == token

    click_tab(dash_duo, f"#{App.TABS}", "Models")
    dash_duo.wait_for_contains_text(f"#{Models.results('ridge')}", "Holdout R²", timeout=20)
    dash_duo.wait_for_element(f"#{Models.graph('ridge', 'contributions')} .main-svg")
    dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", models.LABELS["ridge"], timeout=20)

    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next 28 days", timeout=20)
    dash_duo.wait_for_element(ALLOCATION_BARS, timeout=20)
    dash_duo.wait_for_text_to_equal(f"#{Plan.ALLOCATION_TABLE}", plan_table)
    dash_duo.wait_for_contains_text(f"#{Plan.RESULT_VIEW}", "Expected revenue (optimised)")
    until(lambda: dash_duo.find_element(f"#{Plan.EXPORT_XLSX}").get_attribute("disabled") is None, timeout=10)
    assert element(dash_duo, Plan.slider("google")).find_elements(By.CSS_SELECTOR, "[role=slider]")
    assert dash_duo.get_logs() == []
