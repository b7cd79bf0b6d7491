"""Fit every model family from the browser, compare them on the leaderboard, and cancel a fit."""

import time

from dash.testing.wait import until

import models
from dashboard.ids import App, Data, Models, Plan


def click(dash_duo, selector: str):
    """Click through the DOM: elements far down the page are not always scrolled into reach."""
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_element(selector))


def type_into(dash_duo, selector: str, text: str):
    element = dash_duo.find_element(selector)
    element.clear()
    element.send_keys(text)


def open_models_with_demo(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.find_element(f"#{Data.DEMO}").click()
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=20)
    click_tab(dash_duo, f"#{App.TABS}", "Models")
    dash_duo.wait_for_element(f"#{Models.fit_button('ridge')}")


def click_tab(dash_duo, container: str, label: str):
    dash_duo.driver.execute_script(
        "Array.from(document.querySelectorAll(arguments[0] + ' .nav-link'))"
        ".find(a => a.textContent === arguments[1]).click();",
        container,
        label,
    )


def show_family(dash_duo, family: str):
    click_tab(dash_duo, f"#{Models.TABS}", models.LABELS[family])
    dash_duo.wait_for_element(f"#{Models.fit_button(family)}")


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
        dash_duo.wait_for_contains_text(f"#{Models.progress(family)}", "Done", timeout=10)
        dash_duo.wait_for_contains_text(f"#{Models.results(family)}", "Holdout R²")
        dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", models.LABELS[family], timeout=20)
    rows = dash_duo.find_elements(f"#{Models.LEADERBOARD} tbody tr")
    assert len(rows) == 3
    assert len(dash_duo.find_elements(f"#{Models.LEADERBOARD} tbody tr.table-success")) == 1
    assert dash_duo.get_logs() == []


def test_cancel_stops_a_running_fit(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    type_into(dash_duo, f"#{Models.option('ridge', 'trials')}", "100000")
    click(dash_duo, f"#{Models.fit_button('ridge')}")
    until(lambda: not dash_duo.find_element(f"#{Models.cancel_button('ridge')}").get_attribute("disabled"), timeout=20)
    until(lambda: "Trial" in dash_duo.find_element(f"#{Models.progress('ridge')}").text, timeout=60)
    click_tab(dash_duo, f"#{App.TABS}", "Plan")  # the running flag is app-wide: other tabs say a fit runs
    dash_duo.wait_for_contains_text(f"#{Plan.RUNNING}", f"{models.LABELS['ridge']} fit is running", timeout=10)
    click_tab(dash_duo, f"#{App.TABS}", "Models")
    click(dash_duo, f"#{Models.cancel_button('ridge')}")
    until(lambda: dash_duo.find_element(f"#{Models.fit_button('ridge')}").get_attribute("disabled") is None, timeout=20)
    until(lambda: dash_duo.find_element(f"#{Plan.RUNNING}").get_attribute("textContent") == "", timeout=10)
    label = dash_duo.find_element(f"#{Models.progress('ridge')}").text
    time.sleep(3)  # a cancelled job neither moves the bar nor delivers results
    assert dash_duo.find_element(f"#{Models.progress('ridge')}").text == label
    assert "Not fitted" in dash_duo.find_element(f"#{Models.results('ridge')}").text
    assert dash_duo.get_logs() == []
