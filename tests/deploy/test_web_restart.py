"""A web restart (a deploy, a dyno cycled) while a fit runs on the Celery worker: the open tab keeps working
on its data. The fit goes on in the worker; the page shows it when it ends, whether its wait for the job's
answer survived the restart or not, Fit is enabled again, and the tab fits again on its data and plans with it."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from dash.testing.wait import until

from dashboard.ids import App, Data, Models, Plan
from tests.browser.helpers import click_tab, load_demo, progress_text, start_ridge_fit
from tests.deploy.conftest import start_process, start_web, stop, wait_for_log

# What the browser logs for the requests sent while no server listened (the renderer's wait for the job died).
NETWORK = ("ERR_CONNECTION_REFUSED", "Failed to load resource", "Failed to fetch", "the server did not respond")


def test_a_web_restart_during_a_fit_keeps_the_tab_working(dash_br, redis_url, tmp_path):
    env = {**os.environ, "MMM_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "restart-secret"}
    env["REDIS_URL"] = redis_url
    worker = start_process("worker", env, tmp_path / "worker.log")
    web = None
    try:
        wait_for_log(tmp_path / "worker.log", "ready.", worker)
        web, url = start_web(env, tmp_path / "web.log")
        dash_br.server_url = url
        dash_br.wait_for_element(f"#{Data.DEMO}", timeout=90)  # a second worker may still be booting
        load_demo(dash_br)
        click_tab(dash_br, f"#{App.TABS}", "Models")
        start_ridge_fit(dash_br, trials="2000")  # long enough to restart the web mid-fit
        until(lambda: "Trial" in progress_text(dash_br, "ridge"), timeout=60)

        stop(web)  # the deploy: the same address, a new process
        web, _ = start_web(env, tmp_path / "web-again.log", port=urlparse(url).port)

        dash_br.wait_for_contains_text(f"#{Models.results('ridge')}", "Holdout R²", timeout=240)
        until(lambda: dash_br.find_element(f"#{Models.fit_button('ridge')}").get_attribute("disabled") is None, 60)
        assert "Done" in progress_text(dash_br, "ridge")
        start_ridge_fit(dash_br, trials="20")  # the tab works on: another fit of its data, through the new web
        dash_br.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=120)
        click_tab(dash_br, f"#{App.TABS}", "Plan")  # and plans with it
        dash_br.wait_for_element(f"#{Plan.PREDICTION} .main-svg .scatterlayer .trace", timeout=60)
        errors = [entry for entry in dash_br.get_logs() if not any(n in entry["message"] for n in NETWORK)]
        assert errors == [], [e["message"][:600] for e in errors]  # only requests sent while the server was down failed
    finally:
        if web is not None:
            stop(web)
        stop(worker)
