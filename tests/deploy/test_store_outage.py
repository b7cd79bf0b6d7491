"""Redis unavailable (the Heroku-style deployment's only store): loading the page answers a clear 503 page
in words, an open page shows a notice instead of freezing, and once Redis is back (with its data) the same
tab goes on: its data are there and a fit runs on the Celery worker, which reconnected by itself."""

from __future__ import annotations

import requests

from dashboard.errors import STORE_DOWN
from dashboard.ids import App, Data, Models
from tests.browser.helpers import click, click_tab, load_demo, no_console_errors, start_ridge_fit


def test_redis_outage_gives_a_clear_page_and_the_app_recovers(dash_br, redis_deployment, redis_server):
    url, _worker, _env = redis_deployment
    dash_br.server_url = url
    dash_br.wait_for_element(f"#{Data.DEMO}", timeout=90)  # a second worker may still be booting
    load_demo(dash_br)

    redis_server.stop(keep_data=True)
    try:
        page = requests.get(url + "/", timeout=30)
        assert page.status_code == 503 and "cannot reach its data store" in page.text
        assert "Traceback" not in page.text and "/site-packages/" not in page.text
        click(dash_br, f"#{Data.DEMO}")  # an action on the open page while the store is down
        dash_br.wait_for_contains_text(f"#{App.NOTICE}", STORE_DOWN[:40], timeout=30)
    finally:
        redis_server.start()

    assert requests.get(url + "/", timeout=30).status_code == 200
    dash_br.driver.refresh()  # the same tab, its session token in session storage
    dash_br.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=30)  # the data outlived the outage
    assert dash_br.find_element(f"#{App.NOTICE}").text == ""
    click_tab(dash_br, f"#{App.TABS}", "Models")
    start_ridge_fit(dash_br)
    dash_br.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=120)
    no_console_errors(dash_br)
