"""What the Plan tab says about its model and its plan: a warning when a check of the model in use fails, and
numbers side by side written with the digits that tell them apart."""

import dash_bootstrap_components as dbc
from dash import html

import models
from dashboard.tabs.models.comparison import comparison
from dashboard.tabs.models.fits import FitResult, load_fit
from dashboard.tabs.plan import callbacks
from dashboard.tabs.plan.callbacks import explain_choice, list_fits
from dashboard.tabs.plan.views import plan_cards, plan_headline, recommendation_line, significant
from tests.dashboard.helpers import components


def warnings(line) -> list[dbc.Alert]:
    parts = line if isinstance(line, list) else [line]
    return [c for part in parts if part is not None for c in components(part) if isinstance(c, dbc.Alert)]


def failing(checks, count: int = 1):
    """The checks with the first ``count`` failed."""
    return checks.assign(status=["fail"] * count + ["ok"] * (len(checks) - count))


def test_a_failed_check_of_the_model_in_use_is_a_visible_warning(planned):
    app, key, fits, _token = planned
    record = comparison(app.session_store, key.sid, key.version)
    checks = load_fit(app.session_store, key.sid, "ridge", key.version).tables["checks"]
    label = models.LABELS["ridge"]
    assert warnings(recommendation_line(record, "ridge", label, checks.assign(status="ok"))) == []
    line = recommendation_line(record, "ridge", label, failing(checks, 2))
    (warning,) = warnings(line)
    text = str(warning)
    assert warning.color == "warning" and "small" in warning.class_name and "the only model fitted" in str(line)
    assert f"2 of this model's checks fail ({checks.check[0]}, {checks.check[1]})" in text
    assert "treat them with caution" in text and "Models tab" in text and label in text
    # each failed check with what to do about it (ROAS stability: "Do not move budget on these channels' ROAS")
    assert all(f"{row.check}: {row.action}" in text for row in checks.head(2).itertuples())
    assert warnings(recommendation_line(None, "ridge", label, failing(checks)))  # said even before any comparison


def test_the_fit_list_and_the_model_choice_warn_of_failed_checks(planned, monkeypatch):
    app, key, fits, token = planned
    store, summary = app.session_store, {"version": key.version}
    real = comparison(store, key.sid, key.version)
    read = []

    def spied(*args):
        read.append(args)
        return load_fit(*args)

    monkeypatch.setattr(callbacks, "load_fit", spied)
    line = list_fits(store, app.plan_cache, summary, None, [], None, None, None, token)[5]
    assert warnings(line) == [] and read == []  # no check fails: the fit is not even read for its checks

    def fails(*args):
        fit = load_fit(*args)
        return FitResult(fit.meta, {**fit.tables, "checks": failing(fit.tables["checks"])})

    record = {**real, "rows": [{**row, "fail": 1} for row in real["rows"]]}
    monkeypatch.setattr(callbacks, "comparison", lambda *_: record)
    monkeypatch.setattr(callbacks, "load_fit", fails)
    line = list_fits(store, app.plan_cache, summary, None, [], None, None, None, token)[5]
    assert [w.color for w in warnings(line)] == ["warning"] and "1 of this model's checks fails" in str(line)
    assert "1 of this model's checks fails" in str(warnings(explain_choice(store, "ridge", fits, summary, token)))


def plan(revenue: tuple, mix: tuple, **changes) -> dict:
    expected = {"revenue": revenue[0], "revenue_lower": revenue[1], "revenue_upper": revenue[2]}
    expected |= {
        "current_mix_revenue": mix[0],
        "current_mix_revenue_lower": mix[1],
        "current_mix_revenue_upper": mix[2],
    }
    expected |= {"roas": 2.5, "current_mix_roas": 2.4, "lift": revenue[0] - mix[0]}
    record = {"label": "Bayesian (PyMC)", "budget": 186_766.0, "periods": 4, "unit": "weeks"}
    return record | {"recent": "last 4 weeks", "expected": expected, "goal": "budget"} | changes


def card_values(record: dict) -> list[str]:
    """The big number of each card, in order."""
    return [c.children for c in components(plan_cards(record)) if isinstance(c, html.H6)]


def test_plan_cards_write_the_optimised_and_recent_mix_revenue_with_digits_that_tell_them_apart():
    # The audit: "10M (90%: 9M – 11M)" beside "10M (90%: 9M – 11M)" with a lift of 371k.
    record = plan((10.371e6, 9.05e6, 11.2e6), (10.0e6, 8.96e6, 11.1e6))
    optimised, mix = card_values(record)[:2]
    assert optimised.split()[0] != mix.split()[0], (optimised, mix)
    assert (optimised, mix) == ("10.4M (90%: 9.1M – 11.2M)", "10.0M (90%: 9.0M – 11.1M)")
    # "17M" beside "16.5M": the same unit and number of digits for both.
    optimised, mix = card_values(plan((16.97e6, 15.1e6, 18.2e6), (16.5e6, 15.0e6, 17.9e6)))[:2]
    assert (optimised, mix) == ("17.0M (90%: 15.1M – 18.2M)", "16.5M (90%: 15.0M – 17.9M)")
    point = card_values(plan((1.71e6, None, None), (1.6e6, None, None)))  # a model without intervals
    assert point[:2] == ["1.7M", "1.6M"]


def test_the_budget_a_target_needs_is_rounded_for_reading():
    record = plan((20e6, 19e6, 21e6), (19e6, 18e6, 20e6), goal="target", target=20_000_000, budget=2_900_779.3)
    line = plan_headline(record)
    assert "reaching 20,000,000 of revenue" in line and "needs a budget of about 2.90M" in line, line
    assert [significant(v) for v in (152_340.4, 48_600, 950, 999_700, 0)] == ["152k", "48.6k", "950", "1.00M", "0"]
    assert "a budget of 186,766 over the next 4 weeks" in plan_headline(plan((1, 1, 1), (1, 1, 1)))  # as typed
