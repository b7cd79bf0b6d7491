"""What a person does in the browser, shared by the browser tests: click, type, switch tabs, upload, fit."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import models
from dashboard.ids import App, Data, Models


def click(dash_duo, selector: str):
    """Click through the DOM: elements far down the page are not always scrolled into reach."""
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_element(selector))


def type_into(dash_duo, selector: str, text: str):
    element = dash_duo.find_element(selector)
    element.clear()
    element.send_keys(text)


def choose(dash_duo, radio_id: str, value: str):
    """Pick an option of a dbc.RadioItems (its inputs carry ids made of the radio's id and the value)."""
    click(dash_duo, f"#_dbcprivate_radioitems_{radio_id}_input_{value}")


def click_tab(dash_duo, container: str, label: str):
    dash_duo.driver.execute_script(
        "Array.from(document.querySelectorAll(arguments[0] + ' .nav-link'))"
        ".find(a => a.textContent === arguments[1]).click();",
        container,
        label,
    )


def upload(dash_duo, path: Path):
    dash_duo.wait_for_element(f"#{Data.UPLOAD} input[type=file]", timeout=30).send_keys(str(path))


def clear_data(browser):
    """ "Clear my data", then "Delete my data" in the confirmation."""
    click(browser, f"#{Data.CLEAR_ASK}")
    browser.wait_for_element(f"#{Data.CLEAR}", timeout=10)
    click(browser, f"#{Data.CLEAR}")


def load_demo(dash_duo):
    dash_duo.find_element(f"#{Data.DEMO}").click()
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=20)


def open_models_with_demo(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    load_demo(dash_duo)
    click_tab(dash_duo, f"#{App.TABS}", "Models")
    dash_duo.wait_for_element(f"#{Models.fit_button('ridge')}")


def show_family(dash_duo, family: str):
    click_tab(dash_duo, f"#{Models.TABS}", models.LABELS[family])
    dash_duo.wait_for_element(f"#{Models.fit_button(family)}")


def start_ridge_fit(dash_duo, trials: str = "20"):
    show_family(dash_duo, "ridge")
    type_into(dash_duo, f"#{Models.option('ridge', 'trials')}", trials)
    click(dash_duo, f"#{Models.fit_button('ridge')}")


def fit_ridge(dash_duo):
    start_ridge_fit(dash_duo)
    dash_duo.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=90)


def progress_text(dash_duo, family: str) -> str:
    return dash_duo.find_element(f"#{Models.progress(family)}").text


def drop_channel(dash_duo, channel: str):
    """Untick one channel in the channels picker, as a person would."""
    dash_duo.find_element(f"#{Data.ROLE_CHANNELS}").click()
    dash_duo.wait_for_element(f".dash-dropdown-options input[value='{channel}']")
    dash_duo.driver.execute_script(
        "arguments[0].closest('label').click()",
        dash_duo.find_element(f".dash-dropdown-options input[value='{channel}']"),
    )
    dash_duo.find_element(".dash-dropdown-search").send_keys(Keys.ESCAPE)
    until(lambda: not dash_duo.find_elements(".dash-dropdown-options"), timeout=5)


def element(dash_duo, component_id: dict):
    """A component with a pattern-matching id (Dash writes it as JSON with sorted keys)."""
    text = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return dash_duo.driver.find_element(By.XPATH, f"//*[@id='{text}']")


def number(dash_duo, component_id: dict) -> float:
    return float(element(dash_duo, component_id).get_attribute("value"))


def set_number(dash_duo, target, text: str, then: str = Keys.ENTER):
    """Type a value and press Enter, or ``then`` (Keys.TAB leaves the box): the inputs update on Enter or blur,
    not on every key."""
    box = element(dash_duo, target) if isinstance(target, dict) else dash_duo.find_element(f"#{target}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text, then)


def downloaded(dash_duo, name: str) -> Path:
    path = Path(dash_duo.download_path) / name
    until(lambda: path.exists() and not list(path.parent.glob("*.crdownload")), timeout=20)
    return path


def session_id(dash_duo, dash_app) -> str:
    """The server's session id behind the tab's token (sessionStorage), to look at what the server holds."""
    token = dash_duo.driver.execute_script(f"return JSON.parse(sessionStorage.getItem('{App.SESSION}'))")
    return dash_app.session_store.session_id(token)


def job_processes() -> list[psutil.Process]:
    """Live Python processes started under this test process (Dash's background jobs), not the browser."""
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if "python" in process.name().lower() and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


def fit_was_cancelled(dash_duo, dash_app, family: str):
    """After Cancel: the job's process is gone (nothing can deliver a result), no fit was saved, the progress
    line says it was cancelled and stays so, and the results say the family is not fitted."""
    until(lambda: not job_processes(), timeout=30)
    until(lambda: progress_text(dash_duo, family).startswith("Cancelled"), timeout=10)
    label = progress_text(dash_duo, family)
    assert f"fit:{family}" not in dash_app.session_store.names(session_id(dash_duo, dash_app))
    assert progress_text(dash_duo, family) == label
    assert "Not fitted" in dash_duo.find_element(f"#{Models.results(family)}").text


def no_console_errors(dash_duo):
    assert dash_duo.get_logs() == []
