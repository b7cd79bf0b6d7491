"""The Bayesian tab: a real (small) posterior with diagnostics in plain words, and a Cancel that kills the sampler."""

import time

import psutil
import pytest
from dash.testing.wait import until

import models
from dashboard.ids import Models
from tests.browser.test_models_flow import click, open_models_with_demo, show_family, type_into

pytestmark = pytest.mark.skipif("bayesian" not in models.MODEL_NAMES, reason="Bayesian model not registered")


def job_processes() -> list[psutil.Process]:
    """Python processes started under this test process (Dash's background jobs), not the browser."""
    return [p for p in psutil.Process().children(recursive=True) if "python" in p.name().lower()]


def test_bayesian_fit_shows_diagnostics_and_intervals(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    show_family(dash_duo, "bayesian")
    type_into(dash_duo, f"#{Models.option('bayesian', 'draws')}", "200")
    click(dash_duo, f"#{Models.fit_button('bayesian')}")
    until(lambda: "Sampling" in dash_duo.find_element(f"#{Models.progress('bayesian')}").text, timeout=180)
    dash_duo.wait_for_element(f"#{Models.diagnostics('bayesian')}", timeout=300)
    card = dash_duo.find_element(f"#{Models.diagnostics('bayesian')}").text
    assert "R-hat" in card and "divergences" in card
    dash_duo.wait_for_element(f"#{Models.graph('bayesian', 'roas')} .main-svg .barlayer .point")
    assert dash_duo.find_elements(f"#{Models.graph('bayesian', 'roas')} .main-svg .errorbar")  # credible intervals
    dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", models.LABELS["bayesian"], timeout=20)
    assert dash_duo.get_logs() == []


def test_cancel_kills_the_sampler(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    show_family(dash_duo, "bayesian")
    type_into(dash_duo, f"#{Models.option('bayesian', 'draws')}", "100000")
    click(dash_duo, f"#{Models.fit_button('bayesian')}")
    until(lambda: "Sampling" in dash_duo.find_element(f"#{Models.progress('bayesian')}").text, timeout=180)
    assert job_processes(), "the fit should be running in a background process"
    click(dash_duo, f"#{Models.cancel_button('bayesian')}")
    until(
        lambda: dash_duo.find_element(f"#{Models.fit_button('bayesian')}").get_attribute("disabled") is None, timeout=30
    )
    until(lambda: not [p for p in job_processes() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE], timeout=30)
    label = dash_duo.find_element(f"#{Models.progress('bayesian')}").text
    time.sleep(3)
    assert dash_duo.find_element(f"#{Models.progress('bayesian')}").text == label
    assert "Not fitted" in dash_duo.find_element(f"#{Models.results('bayesian')}").text
    assert dash_duo.get_logs() == []
