"""The Bayesian tab: a real (small) posterior with diagnostics in plain words, and a Cancel that kills the sampler."""

import pytest
from dash.testing.wait import until

import models
from dashboard.ids import Models
from tests.browser.helpers import (
    click,
    job_processes,
    no_console_errors,
    open_models_with_demo,
    progress_text,
    session_id,
    show_family,
    type_into,
)

pytestmark = [
    pytest.mark.slow,  # MCMC sampling, and the first fit of a data shape compiles the model
    pytest.mark.skipif("bayesian" not in models.MODEL_NAMES, reason="Bayesian model not registered"),
]


def test_bayesian_fit_shows_diagnostics_and_intervals(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    show_family(dash_duo, "bayesian")
    type_into(dash_duo, f"#{Models.option('bayesian', 'draws')}", "200")
    click(dash_duo, f"#{Models.fit_button('bayesian')}")
    until(lambda: "Sampling" in progress_text(dash_duo, "bayesian"), timeout=180)
    dash_duo.wait_for_element(f"#{Models.diagnostics('bayesian')}", timeout=300)
    card = dash_duo.find_element(f"#{Models.diagnostics('bayesian')}").text
    assert "R-hat" in card and "divergences" in card
    dash_duo.wait_for_element(f"#{Models.graph('bayesian', 'roas')} .main-svg .barlayer .point")
    assert dash_duo.find_elements(f"#{Models.graph('bayesian', 'roas')} .main-svg .errorbar")  # credible intervals
    dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", models.LABELS["bayesian"], timeout=20)
    no_console_errors(dash_duo)


def test_cancel_kills_the_sampler(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    show_family(dash_duo, "bayesian")
    assert dash_duo.find_element(f"#{Models.option('bayesian', 'saturation')}").get_attribute("value") == "logistic"
    type_into(
        dash_duo, f"#{Models.option('bayesian', 'draws')}", "5000"
    )  # the most the engine allows: long enough to cancel
    click(dash_duo, f"#{Models.fit_button('bayesian')}")
    until(lambda: "Sampling" in progress_text(dash_duo, "bayesian"), timeout=180)
    assert job_processes(), "the fit should be running in a background process"
    click(dash_duo, f"#{Models.cancel_button('bayesian')}")
    until(
        lambda: dash_duo.find_element(f"#{Models.fit_button('bayesian')}").get_attribute("disabled") is None, timeout=30
    )
    until(lambda: not job_processes(), timeout=30)  # the sampler's process is gone: nothing can deliver a result
    label = progress_text(dash_duo, "bayesian")
    assert "fit:bayesian" not in dash_app.session_store.names(session_id(dash_duo, dash_app))
    assert progress_text(dash_duo, "bayesian") == label
    assert "Not fitted" in dash_duo.find_element(f"#{Models.results('bayesian')}").text
    no_console_errors(dash_duo)
