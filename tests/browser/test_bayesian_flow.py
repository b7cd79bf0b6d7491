"""The Bayesian tab: a real (small) posterior with diagnostics in plain words, and a Cancel that kills the sampler."""

import pytest
from dash.testing.wait import until

import models
from dashboard.ids import Models
from tests.browser.helpers import (
    click,
    fit_was_cancelled,
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


def test_bayesian_fit_shows_checks_and_intervals_and_a_cancel_during_its_checks_keeps_it(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    show_family(dash_duo, "bayesian")
    type_into(dash_duo, f"#{Models.option('bayesian', 'draws')}", "200")
    click(dash_duo, f"#{Models.fit_button('bayesian')}")
    # from its first second the bar says what happens, readable at 0% (Selenium's .text is the visible text)
    until(lambda: progress_text(dash_duo, "bayesian").startswith(("Sent", "Starting", "Compiling")), timeout=3)
    seen = set()
    until(lambda: seen.add(progress_text(dash_duo, "bayesian")) or any("Sampling" in t for t in seen), timeout=180)
    assert "" not in seen, f"the bar showed no readable text at some point: {seen}"
    card = f"#{Models.checks('bayesian')}"
    dash_duo.wait_for_element(card, timeout=300)  # shown once the point fit is saved, while its checks run
    text = dash_duo.find_element(card).text
    assert "R-hat" in text and "divergences" in text and "Convergence" in text  # the sampler's numbers stay
    dash_duo.wait_for_element(f"#{Models.graph('bayesian', 'roas')} .main-svg .barlayer .point")
    assert dash_duo.find_elements(f"#{Models.graph('bayesian', 'roas')} .main-svg .errorbar")  # credible intervals
    assert (
        "credible intervals from the posterior" in dash_duo.find_element(f"#{Models.intervals_note('bayesian')}").text
    )
    dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", models.LABELS["bayesian"], timeout=20)
    dash_duo.wait_for_element(f"{card} tr.check-running")  # the placebo and twin refits come next: cancel them
    click(dash_duo, f"#{Models.cancel_button('bayesian')}")
    until(lambda: not job_processes(), timeout=30)
    dash_duo.wait_for_element(f"{card} tr.check-not-run", timeout=45)  # a loaded machine kills the sampler slowly
    assert "fit:bayesian" in dash_app.session_store.names(session_id(dash_duo, dash_app))  # the point fit stays
    no_console_errors(dash_duo)


def test_cancel_kills_the_sampler(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    show_family(dash_duo, "bayesian")
    assert dash_duo.find_element(f"#{Models.option('bayesian', 'saturation')}").get_attribute("value") == "hill"
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
    fit_was_cancelled(dash_duo, dash_app, "bayesian")  # the sampler's process is gone with the job
    no_console_errors(dash_duo)
