"""A Celery worker killed mid-fit (a crashed dyno): the page says so in words; a fit sent while no worker runs
waits in Redis, says so at once, and runs when the worker is back; fitting works again."""

from __future__ import annotations

import psutil
from dash.testing.wait import until

from dashboard.ids import App, Data, Models
from tests.browser.helpers import click, click_tab, load_demo, no_console_errors, progress_text, start_ridge_fit
from tests.deploy.conftest import start_process, wait_for_log


def kill_tree(pid: int) -> None:
    root = psutil.Process(pid)
    for process in [*root.children(recursive=True), root]:
        process.kill()
    psutil.wait_procs([root], timeout=10)


def test_a_fit_whose_worker_dies_is_reported_and_can_run_again(dash_br, redis_deployment, tmp_path):
    url, worker, env = redis_deployment
    dash_br.server_url = url
    dash_br.wait_for_element(f"#{Data.DEMO}", timeout=90)  # a second worker may still be booting
    load_demo(dash_br)
    click_tab(dash_br, f"#{App.TABS}", "Models")
    start_ridge_fit(dash_br, trials="2000")  # long enough to be killed mid-fit
    until(lambda: "Trial" in progress_text(dash_br, "ridge"), timeout=60)
    kill_tree(worker.pid)

    dash_br.wait_for_contains_text(f"#{Models.results('ridge')}", "The fit stopped without finishing", timeout=60)
    until(lambda: dash_br.find_element(f"#{Models.fit_button('ridge')}").get_attribute("disabled") is None, 10)
    assert "lost" in progress_text(dash_br, "ridge")

    start_ridge_fit(dash_br, trials="20")  # no worker runs: the fit waits in Redis, and the bar says so at once
    dash_br.wait_for_contains_text(f"#{Models.progress('ridge')}", "Sent: waiting", timeout=10)
    log = tmp_path / "worker-again.log"
    again = start_process("worker", env, log)  # the platform restarts the dyno
    try:
        wait_for_log(log, "ready.", again)  # it takes the fit that waited
        dash_br.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=120)
        click(dash_br, f"#{Models.fit_button('ridge')}")  # and the page still works
        dash_br.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=120)
    finally:
        kill_tree(again.pid)
    no_console_errors(dash_br)
