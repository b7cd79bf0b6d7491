"""Fit every model family from the browser, compare them on the leaderboard, and cancel a fit."""

from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

import models
from dashboard.figures.compare import LEADERBOARD_COLUMNS
from dashboard.ids import App, Data, Models, Plan
from tests.browser.helpers import (
    clear_data,
    click,
    click_tab,
    fit_was_cancelled,
    job_processes,
    no_console_errors,
    open_models_with_demo,
    progress_text,
    session_id,
    show_family,
    type_into,
)

POINT_FAMILIES = ("ridge", "lightgbm", "xgboost")  # the Bayesian tab has its own test (test_bayesian_flow.py)


def test_fit_each_family_and_compare_on_the_leaderboard(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    for family in POINT_FAMILIES:
        show_family(dash_duo, family)
        if family == "ridge":
            type_into(dash_duo, f"#{Models.option('ridge', 'trials')}", "40")
        click(dash_duo, f"#{Models.fit_button(family)}")
        dash_duo.wait_for_element(f"#{Models.graph(family, 'roas')} .main-svg .barlayer .point", timeout=120)
        for kind in ("fit", "contributions", "waterfall", "curves", "decay", "importance"):
            dash_duo.wait_for_element(f"#{Models.graph(family, kind)} .main-svg")
        dash_duo.wait_for_contains_text(f"#{Models.progress(family)}", "Done in", timeout=180)  # intervals, checks
        dash_duo.wait_for_contains_text(f"#{Models.results(family)}", "Holdout R²")
        dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", models.LABELS[family], timeout=20)
    rows = dash_duo.find_elements(f"#{Models.LEADERBOARD} tbody tr")
    assert len(rows) == 3
    assert len(dash_duo.find_elements(f"#{Models.LEADERBOARD} tbody tr.table-success")) == 1  # the recommended

    # the holdout slider scores the fits shown again: at 20% the last 219 days, 109 of which they trained on
    r2_cells = f"#{Models.LEADERBOARD} tbody tr td:nth-child({LEADERBOARD_COLUMNS.index('R² (holdout)')})"
    own = [cell.text for cell in dash_duo.find_elements(r2_cells)]
    assert own and not any(text.endswith("*") for text in own)
    holdout = dash_duo.find_element(f"#{Models.HOLDOUT} [role=slider]")
    holdout.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", "same last 219 days", timeout=20)
    assert "Trained on some of these days" in dash_duo.find_element(f"#{Models.LEADERBOARD}").text
    wider = [cell.text for cell in dash_duo.find_elements(r2_cells)]
    assert all(text.endswith(" *") for text in wider) and wider != [f"{text} *" for text in own]
    dash_duo.wait_for_contains_text(f"#{Models.HOLDOUT_NOTE}", "scores every fit on the last 219 days")
    no_console_errors(dash_duo)


def test_options_the_engine_refuses_are_explained(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    show_family(dash_duo, "lightgbm")
    assert dash_duo.find_element(f"#{Models.option('lightgbm', 'n_estimators')}").get_attribute("value") == "300"
    box = dash_duo.find_element(f"#{Models.option('lightgbm', 'n_estimators')}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)  # blank: unlike ridge's trials, this option says nothing about a blank
    click(dash_duo, f"#{Models.fit_button('lightgbm')}")
    dash_duo.wait_for_contains_text(f"#{Models.results('lightgbm')} .alert", "Check the options: Trees", timeout=30)
    no_console_errors(dash_duo)


def test_cancel_stops_a_running_fit(dash_duo, dash_app, held_fit):
    open_models_with_demo(dash_duo, dash_app)
    click(dash_duo, f"#{Models.fit_button('ridge')}")
    until(lambda: not dash_duo.find_element(f"#{Models.cancel_button('ridge')}").get_attribute("disabled"), timeout=20)
    until(lambda: "Trial" in progress_text(dash_duo, "ridge"), timeout=60)
    click_tab(dash_duo, f"#{App.TABS}", "Plan")  # the running flag is app-wide: other tabs say a fit runs
    dash_duo.wait_for_contains_text(f"#{Plan.RUNNING}", f"{models.LABELS['ridge']} fit is running", timeout=10)
    click_tab(dash_duo, f"#{App.TABS}", "Models")
    click(dash_duo, f"#{Models.cancel_button('ridge')}")
    until(lambda: dash_duo.find_element(f"#{Models.fit_button('ridge')}").get_attribute("disabled") is None, timeout=20)
    until(lambda: dash_duo.find_element(f"#{Plan.RUNNING}").get_attribute("textContent") == "", timeout=10)
    fit_was_cancelled(dash_duo, dash_app, "ridge")
    no_console_errors(dash_duo)


def test_clear_during_a_fit_deletes_the_data_at_once_and_the_fit_is_not_saved(dash_duo, dash_app, held_fit):
    open_models_with_demo(dash_duo, dash_app)
    click(dash_duo, f"#{Models.fit_button('ridge')}")
    until(lambda: "Trial" in progress_text(dash_duo, "ridge"), timeout=60)
    sid = session_id(dash_duo, dash_app)
    clear_data(dash_duo)
    dash_duo.wait_for_contains_text(f"#{Data.MESSAGE}", "deleted", timeout=10)  # not held back by the fit
    dash_duo.wait_for_contains_text(f"#{Models.results('ridge')}", "Your data was cleared", timeout=30)
    until(lambda: not job_processes(), timeout=30)  # the job stopped
    held_fit.touch()  # had it gone on, it would fit and save now
    assert dash_app.session_store.names(sid) == set()
    until(lambda: dash_duo.find_element(f"#{Models.fit_button('ridge')}").get_attribute("disabled") is None, 20)
    no_console_errors(dash_duo)
