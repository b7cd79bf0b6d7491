"""The browser flows against the web process as deployed (Procfile, gunicorn, its worker class and headers).

dash.testing's ``dash_br`` drives headless Chromium against the running server; the page must work under
its Content-Security-Policy (a blocked script is a console error) and the fits must run as background jobs:
forked from the web workers (embedded default) or in the Celery worker (Redis). Against Redis + Celery the
Bayesian model fits too (a small posterior: it compiles in the worker, which the deploy tests do not warm).
Then the fit is shared, and a second browser opens the link.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from dash.testing.wait import until

from dashboard.ids import App, Data, Models, Plan, Share
from models.datasets import load_demo_bytes
from tests.browser.helpers import (
    click,
    click_tab,
    no_console_errors,
    show_family,
    start_ridge_fit,
    type_into,
    upload,
)


@pytest.fixture(params=["embedded", "redis"])
def deployment(request) -> tuple[str, str]:
    """``(configuration, web URL)``: embedded stores, or Redis + a Celery worker."""
    return request.param, request.getfixturevalue("web" if request.param == "embedded" else "redis_web")


def test_upload_fit_plan_and_share_on_the_deployed_web_process(dash_br, stakeholder, deployment, tmp_path):
    configuration, url = deployment
    path = tmp_path / "spend.csv"
    pd.read_csv(io.BytesIO(load_demo_bytes())).to_csv(path, index=False)  # a file of the user's, not the demo button
    dash_br.server_url = url
    dash_br.wait_for_element(f"#{Data.DEMO}", timeout=90)  # a second worker may still be booting
    upload(dash_br, path)
    dash_br.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=30)
    click_tab(dash_br, f"#{App.TABS}", "Explore")
    dash_br.wait_for_element(".js-plotly-plot .main-svg", timeout=30)
    click_tab(dash_br, f"#{App.TABS}", "Models")
    start_ridge_fit(dash_br)
    dash_br.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=120)
    if configuration == "redis":
        show_family(dash_br, "bayesian")
        type_into(dash_br, f"#{Models.option('bayesian', 'draws')}", "200")
        click(dash_br, f"#{Models.fit_button('bayesian')}")
        dash_br.wait_for_contains_text(f"#{Models.progress('bayesian')}", "Done in", timeout=400)
        # the results redraw as each stage is saved: wait for the text (a found element may be replaced)
        dash_br.wait_for_contains_text(f"#{Models.checks('bayesian')}", "Convergence", timeout=30)
        dash_br.wait_for_element(f"#{Models.graph('bayesian', 'roas')} .main-svg .errorbar", timeout=30)
    click_tab(dash_br, f"#{App.TABS}", "Plan")
    dash_br.wait_for_element(f"#{Plan.PREDICTION} .main-svg .scatterlayer .trace", timeout=30)
    click_tab(dash_br, f"#{App.TABS}", "Share")
    dash_br.wait_for_contains_text(f"#{Share.FAMILY}", "Ridge", timeout=30)
    click(dash_br, f"#{Share.CREATE}")
    link = dash_br.wait_for_element(f"#{Share.MESSAGE} input.share-link", timeout=30).get_attribute("value")
    stakeholder.driver.get(link)  # a fresh browser, served by either web worker, reads the share from the store
    until(lambda: len(stakeholder.find_elements(".js-plotly-plot .main-svg")) >= 3, timeout=30)
    assert "per unit spent" in stakeholder.find_element("body").text
    assert stakeholder.get_logs() == []
    no_console_errors(dash_br)
