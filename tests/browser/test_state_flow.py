"""One source of truth in the browser: a role change then a fit and a plan, a reload that keeps the work,
a fit that ends after a reload still shows up, and a session that expires says so."""

from dataclasses import replace

from dash.testing.wait import until
from selenium.webdriver.common.by import By

import models
from dashboard import create_app
from dashboard.ids import App, Data, Models, Plan
from tests.browser.helpers import (
    click,
    click_tab,
    drop_channel,
    element,
    fit_ridge,
    no_console_errors,
    open_models_with_demo,
    progress_text,
    start_ridge_fit,
)

ALLOCATION_BARS = f"#{Plan.ALLOCATION} .main-svg .barlayer .point"


def plan_channels(dash_duo) -> list[str]:
    return [e.text for e in dash_duo.find_elements(f"#{Plan.CHANNELS} .fw-semibold")]


def token(dash_duo) -> str:
    return dash_duo.driver.execute_script(f"return JSON.parse(sessionStorage.getItem('{App.SESSION}'))")


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
    no_console_errors(dash_duo)


def test_reload_brings_back_data_roles_fits_leaderboard_and_plan(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    fit_ridge(dash_duo)
    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next 28 days", timeout=20)
    click(dash_duo, f"#{Plan.OPTIMISE}")
    dash_duo.wait_for_element(ALLOCATION_BARS, timeout=30)
    dash_duo.wait_for_contains_text(f"#{Plan.ALLOCATION_TABLE}", "google")
    plan_table = dash_duo.find_element(f"#{Plan.ALLOCATION_TABLE}").text
    before = token(dash_duo)

    dash_duo.driver.refresh()
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=20)
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_TARGET}", "revenue")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_CHANNELS}", "6 selected")
    assert token(dash_duo) == before

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
    no_console_errors(dash_duo)


def test_a_fit_that_ends_after_a_reload_shows_up(dash_duo, dash_app, held_fit):
    open_models_with_demo(dash_duo, dash_app)
    start_ridge_fit(dash_duo)
    until(lambda: "Trial" in progress_text(dash_duo, "ridge"), timeout=60)

    dash_duo.driver.refresh()  # the page forgets the job; the server still runs it
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=20)
    click_tab(dash_duo, f"#{App.TABS}", "Plan")  # the reloaded page finds the fit running in the session
    dash_duo.wait_for_contains_text(f"#{Plan.RUNNING}", f"{models.LABELS['ridge']} fit is running", timeout=20)
    click_tab(dash_duo, f"#{App.TABS}", "Models")
    dash_duo.wait_for_contains_text(f"#{Models.results('ridge')}", "Not fitted", timeout=10)

    held_fit.touch()  # let the fit finish
    dash_duo.wait_for_contains_text(f"#{Models.results('ridge')}", "Holdout R²", timeout=90)
    dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", models.LABELS["ridge"], timeout=20)
    until(lambda: dash_duo.find_element(f"#{Plan.RUNNING}").get_attribute("textContent") == "", timeout=10)
    no_console_errors(dash_duo)


def test_an_expired_session_empties_the_panel_and_says_why(dash_duo, app_settings):
    """A session idle past its TTL (4 s here) is deleted on the server; the open page notices within half the
    TTL, shows the empty state and says what happened, and a new upload works in the same tab."""
    app = create_app(replace(app_settings, session_ttl=4))
    try:
        dash_duo.start_server(app)
        click(dash_duo, f"#{Data.DEMO}")
        dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=30)
        dash_duo.wait_for_contains_text(f"#{Data.MESSAGE}", "no longer on the server", timeout=30)
        until(lambda: "1,096" not in dash_duo.find_element(f"#{Data.SUMMARY}").text, timeout=10)
        assert app.session_store.names(app.session_store.session_id(token(dash_duo))) == set()
        click(dash_duo, f"#{Data.DEMO}")
        dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=30)
        no_console_errors(dash_duo)
    finally:
        app.session_store.stop_sweeper()
