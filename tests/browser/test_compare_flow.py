"""Two families from the browser: every model's checks card, 90% intervals filling in after the point fit, the
recommendation, ROAS side by side with the disagreements, and the Plan tab starting on the recommended model;
the point fit shows while its intervals run, and a Cancel then keeps it."""

from dash.testing.wait import until

import models
from dashboard.ids import App, Models, Plan
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.comparison import comparison
from dashboard.tabs.models.leaderboard import AGREE
from tests.browser.helpers import (
    click,
    click_tab,
    no_console_errors,
    open_models_with_demo,
    progress_text,
    session_id,
    show_family,
    start_ridge_fit,
    type_into,
)


def checks_done(dash_duo, family: str):
    """The family's checks card lists the refit checks with a result (none running, none missing)."""
    card = f"#{Models.checks(family)}"
    dash_duo.wait_for_contains_text(card, "Simulated twin", timeout=30)

    def finished() -> bool:
        rows = dash_duo.find_elements(f"{card} tbody tr")
        return bool(rows) and not dash_duo.find_elements(f"{card} tr.check-running")

    until(finished, timeout=120)
    assert not dash_duo.find_elements(f"{card} tr.check-not-run")
    statuses = {e.text.lower() for e in dash_duo.find_elements(f"{card} .badge")}
    assert statuses and statuses <= {"ok", "warning", "fail"}


def test_two_families_compared_checked_and_planned_on_the_recommended_one(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    start_ridge_fit(dash_duo)  # 20 trials
    dash_duo.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=120)
    checks_done(dash_duo, "ridge")
    dash_duo.wait_for_contains_text(f"#{Models.intervals_note('ridge')}", "calibrated bootstrap", timeout=20)
    dash_duo.wait_for_element(f"#{Models.graph('ridge', 'roas')} .main-svg .errorbar")  # a point model's intervals
    dash_duo.wait_for_contains_text(f"#{Models.RECOMMENDATION}", "Fit a second family to compare", timeout=20)

    show_family(dash_duo, "xgboost")
    type_into(dash_duo, f"#{Models.option('xgboost', 'n_estimators')}", "100")
    click(dash_duo, f"#{Models.fit_button('xgboost')}")
    dash_duo.wait_for_contains_text(f"#{Models.results('xgboost')}", "Holdout R²", timeout=120)
    dash_duo.wait_for_contains_text(f"#{Models.progress('xgboost')}", "Done in", timeout=180)
    checks_done(dash_duo, "xgboost")
    dash_duo.wait_for_contains_text(f"#{Models.intervals_note('xgboost')}", "calibrated bootstrap", timeout=20)

    dash_duo.wait_for_contains_text(f"#{Models.RECOMMENDATION}", "because its checks score best", timeout=30)
    assert len(dash_duo.find_elements(f"#{Models.LEADERBOARD} tbody tr")) == 2
    best_row = dash_duo.find_elements(f"#{Models.LEADERBOARD} tbody tr.table-success")
    assert len(best_row) == 1
    sid = session_id(dash_duo, dash_app)
    store = dash_app.session_store
    record = comparison(store, sid, load_dataset(store, sid).version)
    best = record["recommended"]
    assert best_row[0].text.startswith(models.LABELS[best])
    assert f"Recommended: {models.LABELS[best]}, because" in dash_duo.find_element(f"#{Models.RECOMMENDATION}").text

    bars = f"#{Models.COMPARE_ROAS} .main-svg .barlayer .trace"
    until(lambda: len(dash_duo.find_elements(bars)) == 2, timeout=20)  # ROAS side by side, one bar set per model
    assert dash_duo.find_elements(f"#{Models.COMPARE_ROAS} .main-svg .errorbar")
    warning = dash_duo.find_element(f"#{Models.DISAGREEMENTS}").text
    if record["disagreements"]:
        assert "disagree by more than 2x" in warning
        assert all(item["channel"] in warning for item in record["disagreements"])
    else:
        assert AGREE in warning

    click_tab(dash_duo, f"#{App.TABS}", "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.RECOMMENDATION}", f"Using {models.LABELS[best]}: recommended", timeout=20)
    assert dash_duo.find_element(f"#{Plan.FAMILY}").get_attribute("value") == best
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "(90%: ", timeout=30)  # intervals for a point model
    no_console_errors(dash_duo)


def test_cancel_during_the_intervals_keeps_the_point_fit(dash_duo, dash_app, held_intervals):
    open_models_with_demo(dash_duo, dash_app)
    start_ridge_fit(dash_duo)
    until(lambda: "Intervals: bootstrap refit" in progress_text(dash_duo, "ridge"), timeout=120)
    dash_duo.wait_for_contains_text(f"#{Models.intervals_note('ridge')}", "Estimating 90% intervals", timeout=20)
    dash_duo.wait_for_element(f"#{Models.checks('ridge')} tr.check-running")
    click(dash_duo, f"#{Models.cancel_button('ridge')}")
    until(lambda: dash_duo.find_element(f"#{Models.fit_button('ridge')}").get_attribute("disabled") is None, timeout=20)
    dash_duo.wait_for_contains_text(f"#{Models.intervals_note('ridge')}", "were not finished", timeout=20)
    dash_duo.wait_for_element(f"#{Models.checks('ridge')} tr.check-not-run")
    assert "Holdout R²" in dash_duo.find_element(f"#{Models.results('ridge')}").text  # the point fit stays
    dash_duo.wait_for_contains_text(f"#{Models.LEADERBOARD}", "placebo and twin not run", timeout=20)

    click_tab(dash_duo, f"#{App.TABS}", "Plan")  # and it can be planned with
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next 28 days", timeout=20)
    assert dash_duo.find_element(f"#{Plan.FAMILY}").get_attribute("value") == "ridge"
    no_console_errors(dash_duo)
