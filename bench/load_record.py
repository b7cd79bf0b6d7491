"""Record one person's visit for bench/load.py: the app in this process, driven once by headless Chromium.

Every request the page makes (the page, its scripts, the layout, each callback with its body and answer) is
kept with server-side start and end times and the user action it followed, so bench/load.py can replay the
same visit for many simulated users. The visit: load the page, upload a CSV, change the Explore tab's channel
switches, fit ridge (20 search trials) in the Models tab, then in the Plan tab type a what-if spend and optimise.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from flask import g, request
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from dashboard import create_app
from dashboard.ids import App, Data, Explore, Models, Plan
from dashboard.settings import Settings

RECORDED = ("/", "/_dash-layout", "/_dash-dependencies", "/_dash-update-component")
TRIALS = "20"  # ridge's search trials: a fit of a few seconds with its intervals and checks


class Recorder:
    """Flask hooks that keep every request and answer, and whether any is in flight."""

    def __init__(self, server):
        self.events: list[dict] = []
        self.in_flight, self.last_end = 0, time.monotonic()
        self.lock = threading.Lock()
        self.phase, self.action = "page load", 0
        server.before_request(self._before)
        server.after_request(self._after)
        server.teardown_request(self._teardown)

    def mark(self, phase: str) -> None:
        """What the person does next: the requests from here on follow this action."""
        self.phase, self.action = phase, self.action + 1

    def _before(self):
        g.load_t0, g.load_phase, g.load_action = time.monotonic(), self.phase, self.action
        with self.lock:
            self.in_flight += 1

    def _after(self, response):
        event = {"method": request.method, "path": request.path, "query": request.args.to_dict(flat=False)}
        event |= {"phase": g.load_phase, "action": g.load_action, "t0": g.load_t0, "t1": time.monotonic()}
        event["status"] = response.status_code
        if request.path in RECORDED:
            if request.method == "POST":
                event["body"] = request.get_json()
            text = response.get_data(as_text=True)
            event["response"] = json.loads(text) if response.is_json and text else text
        with self.lock:
            self.events.append(event)
        return response

    def _teardown(self, _exc):
        with self.lock:
            self.in_flight -= 1
            self.last_end = time.monotonic()

    def wait_quiet(self, quiet: float = 1.5, timeout: float = 60.0) -> None:
        """Until no request has been in flight for ``quiet`` seconds (the page has settled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.in_flight == 0 and time.monotonic() - self.last_end >= quiet:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"the page did not settle within {timeout:.0f} s ({self.phase})")


def browser() -> webdriver.Chrome:
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100"):
        options.add_argument(argument)
    for argument in ("--disable-background-networking", "--disable-component-update", "--no-first-run"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options)


def record_visit(csv_path: Path, workdir: Path) -> dict:
    """Drive the visit once and return {"events": [...], "csv_name": ...} (see the module docstring)."""
    settings = Settings(data_dir=workdir / "record-data", secret_key="load-record-secret", sweep_interval=3600)
    app = create_app(settings)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    recorder = Recorder(app.server)
    http = make_server("127.0.0.1", 0, app.server, threaded=True)
    serving = threading.Thread(target=http.serve_forever, daemon=True)
    serving.start()
    driver = None
    try:
        driver = browser()
        visit(driver, recorder, f"http://127.0.0.1:{http.server_port}", csv_path)
        return {"events": sorted(recorder.events, key=lambda e: e["t0"]), "csv_name": csv_path.name}
    finally:
        if driver is not None:
            driver.quit()
        http.shutdown()
        app.session_store.stop_sweeper()


def visit(driver, recorder: Recorder, url: str, csv_path: Path) -> None:
    def wait_for(css: str, text: str | None = None, timeout: float = 60):
        def found(_driver):
            elements = driver.find_elements(By.CSS_SELECTOR, css)
            return elements and (text is None or text in elements[0].text)

        WebDriverWait(driver, timeout, poll_frequency=0.1).until(found, f"{css} {text or ''}")

    def click(css: str):
        driver.execute_script("arguments[0].click();", driver.find_element(By.CSS_SELECTOR, css))

    def tab(container: str, label: str):
        script = "Array.from(document.querySelectorAll(arguments[0] + ' .nav-link'))"
        driver.execute_script(script + ".find(a => a.textContent === arguments[1]).click();", f"#{container}", label)

    def step(phase: str, action, settle: float = 1.5):
        recorder.wait_quiet()
        recorder.mark(phase)
        action()
        recorder.wait_quiet(settle)

    driver.get(url + "/")
    wait_for(f"#{Data.UPLOAD} input[type=file]")
    recorder.wait_quiet()

    def upload():
        driver.find_element(By.CSS_SELECTOR, f"#{Data.UPLOAD} input[type=file]").send_keys(str(csv_path))
        wait_for(f"#{Data.SUMMARY}", "1,500")

    step("upload", upload)
    wait_for(f"#{Explore.SHARE} .main-svg")
    switch = f"#{Explore.CHANNELS} input[value='other']"
    step("explore", lambda: click(switch))  # untick a channel: the time series is drawn again
    step("explore", lambda: click(switch))  # and back

    def fit():
        tab(App.TABS, "Models")
        box = driver.find_element(By.CSS_SELECTOR, f"#{Models.option('ridge', 'trials')}")
        box.clear()
        box.send_keys(TRIALS)
        click(f"#{Models.fit_button('ridge')}")
        wait_for(f"#{Models.progress('ridge')}", "Done in", timeout=180)

    step("fit", fit, settle=3)
    wait_for(f"#{Models.results('ridge')} .js-plotly-plot")

    def plan():
        tab(App.TABS, "Plan")
        wait_for(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next")

    step("plan", plan)
    google = json.dumps(Plan.spend("google"), sort_keys=True, separators=(",", ":"))

    def what_if():
        box = driver.find_element(By.XPATH, f"//*[@id='{google}']")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("6000", Keys.TAB)

    step("what-if", what_if)

    def optimise():
        click(f"#{Plan.OPTIMISE}")
        wait_for(f"#{Plan.ALLOCATION} .main-svg .barlayer .point")

    step("optimise", optimise)
