"""The browser flows against the web process as deployed (Procfile, gunicorn, its worker class and headers).

dash.testing's ``dash_br`` drives headless Chromium against the running server; the page must work under
its Content-Security-Policy (a blocked script is a console error) and the fit must run as a background job.
"""

from __future__ import annotations

import pytest

from dashboard.ids import App, Data, Models, Plan
from tests.browser.helpers import click_tab, load_demo, no_console_errors, start_ridge_fit


@pytest.fixture(params=["embedded", "redis"])
def deployment(request) -> str:
    """The web URL of each configuration: embedded stores, or Redis + a Celery worker."""
    return request.getfixturevalue("web" if request.param == "embedded" else "redis_web")


def test_demo_fit_and_plan_on_the_deployed_web_process(dash_br, deployment):
    dash_br.server_url = deployment
    dash_br.wait_for_element(f"#{Data.DEMO}", timeout=90)  # a second worker may still be booting
    load_demo(dash_br)
    click_tab(dash_br, f"#{App.TABS}", "Explore")
    dash_br.wait_for_element(".js-plotly-plot .main-svg", timeout=30)
    click_tab(dash_br, f"#{App.TABS}", "Models")
    start_ridge_fit(dash_br)
    dash_br.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=120)
    click_tab(dash_br, f"#{App.TABS}", "Plan")
    dash_br.wait_for_element(f"#{Plan.PREDICTION} .main-svg .scatterlayer .trace", timeout=30)
    no_console_errors(dash_br)
