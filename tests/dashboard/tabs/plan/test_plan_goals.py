"""The Plan tab's form around the optimiser, called directly: switching model keeps the user's spend, locks and
bounds; the goal (a budget or a revenue target) and the risk appetite; what the numbers mean in words."""

import pytest
from dash import no_update

import models
from dashboard.ids import Plan
from dashboard.tabs.plan.callbacks import channel_controls
from dashboard.tabs.plan.optimise import goal_fields, optimised_plan, plan_outputs, risk_control
from dashboard.tabs.plan.records import CAUTIOUS_QUANTILE, optimiser_arguments, target_arguments
from dashboard.tabs.plan.state import RECENT_PERIODS, fitted_families
from dashboard.tabs.plan.views import plan_cards
from tests.dashboard.helpers import channels_of, components, plan_form

SHOWN, HIDDEN = {}, {"display": "none"}
ENGINE_HAS_GOALS = hasattr(models, "minimum_budget")  # the engine's spend-for-target and cautious plans
needs_engine = pytest.mark.skipif(not ENGINE_HAS_GOALS, reason="models.minimum_budget has not landed yet")


def controls(rows, bounds) -> dict:
    """Every control with a pattern-matching id, by (type, channel)."""
    found = [c for part in (*rows, bounds) for c in components(part) if isinstance(getattr(c, "id", None), dict)]
    return {(c.id["type"], c.id["channel"]): c for c in found}


def test_switching_model_keeps_spend_locks_and_bounds_and_says_what_it_dropped(compared):
    app, token, sid, version = compared
    store, summary = app.session_store, {"version": version}
    fits = fitted_families(store, sid, version)
    rows, bounds, built_for, _ = channel_controls(store, app.plan_cache, "ridge", fits, summary, token, None)
    channels = [c.id["channel"] for c in controls(rows, bounds).values() if c.id["type"] == "plan-spend-input"]
    top = max(c.max for c in controls(rows, bounds).values() if c.id["type"] == "plan-spend-slider")
    values = {
        "ids": [Plan.spend(c) for c in [*channels, "podcast"]],
        "spend": [top * 10, *[123.0] * (len(channels) - 1), 50.0],
        "locks": [False, True, *[False] * (len(channels) - 2), True],
        "minimums": [None, None, 10, *[None] * (len(channels) - 3), None],
        "maximums": [None, None, 900, *[None] * (len(channels) - 3), None],
    }
    rows, bounds, now, note = channel_controls(
        store, app.plan_cache, "xgboost", fits, summary, token, built_for, **values
    )
    found = controls(rows, bounds)
    assert now == {"family": "xgboost", "version": version, "spend": now["spend"]}
    assert found[("plan-spend-input", channels[0])].value == round(top * 10, 2)
    assert found[("plan-spend-slider", channels[0])].max >= top * 10  # the slider reaches the kept spend
    assert found[("plan-spend-input", channels[1])].value == 123.0 and found[("plan-lock-checkbox", channels[1])].value
    assert not found[("plan-lock-checkbox", channels[0])].value
    assert found[("plan-min-input", channels[2])].value == 10 and found[("plan-max-input", channels[2])].value == 900
    assert not any(channel == "podcast" for _, channel in found)
    text = str(note)
    assert "Kept your spend, locks and bounds from Ridge (Robyn-style)." in text
    assert "Not in this model, so dropped: podcast." in text
    assert f"{channels[0]}: " in text and "above the most the data saw" in text and "extrapolates" in text

    fresh, _, _, quiet = channel_controls(
        store, app.plan_cache, "xgboost", fits, summary, token, {"family": "ridge", "version": "old data"}, **values
    )
    assert controls(fresh, None)[("plan-spend-input", channels[1])].value != 123.0 and quiet is None  # new data


def test_switching_model_says_it_kept_the_users_values_only_when_the_user_set_some(compared):
    """The page follows the recommended model on its own: the spend it started at is nothing the user set."""
    app, token, sid, version = compared
    store, summary = app.session_store, {"version": version}
    fits = fitted_families(store, sid, version)
    rows, bounds, built_for, _ = channel_controls(store, app.plan_cache, "ridge", fits, summary, token, None)
    found = controls(rows, bounds)
    channels = [c.id["channel"] for c in found.values() if c.id["type"] == "plan-spend-input"]
    values = {
        "ids": [Plan.spend(c) for c in channels],
        "spend": [found[("plan-spend-input", c)].value for c in channels],
        "locks": [False] * len(channels),
        "minimums": [None] * len(channels),
        "maximums": [None] * len(channels),
    }
    untouched = channel_controls(store, app.plan_cache, "xgboost", fits, summary, token, built_for, **values)
    assert untouched[3] is None and untouched[2]["spend"] == built_for["spend"]
    locked = {**values, "locks": [True, *[False] * (len(channels) - 1)]}
    note = channel_controls(store, app.plan_cache, "xgboost", fits, summary, token, built_for, **locked)[3]
    assert "Kept your spend, locks and bounds from Ridge (Robyn-style)." in str(note)
    bounded = {**values, "maximums": [None, 900, *[None] * (len(channels) - 2)]}
    note = channel_controls(store, app.plan_cache, "xgboost", fits, summary, token, built_for, **bounded)[3]
    assert "Kept your spend, locks and bounds" in str(note)
    moved = {**values, "spend": [values["spend"][0] + 1, *values["spend"][1:]]}
    note = channel_controls(store, app.plan_cache, "xgboost", fits, summary, token, built_for, **moved)[3]
    assert "Kept your spend, locks and bounds" in str(note)


def test_goal_shows_the_budget_or_the_target_and_risk_only_with_intervals(planned):
    app, key, fits, token = planned
    store, cache, summary = app.session_store, app.plan_cache, {"version": key.version}
    assert goal_fields("budget") == (SHOWN, HIDDEN) and goal_fields("target") == (HIDDEN, SHOWN)
    assert cache.model(key).has_intervals  # the shared ridge fit has its bootstrap intervals
    assert risk_control(store, cache, "ridge", "budget", fits, summary, token) == (SHOWN, no_update)
    assert risk_control(store, cache, "ridge", "target", fits, summary, token) == (HIDDEN, "expected")
    assert risk_control(store, cache, "xgboost", "budget", fits, summary, token) == (HIDDEN, "expected")  # not fitted


def test_form_to_engine_arguments_for_a_cautious_plan_and_a_target():
    recent = {"tv": 100.0, "radio": 50.0}
    form = plan_form(["tv", "radio"], locks=[True, False], maximums=[None, 80.0])
    assert "quantile" not in optimiser_arguments(form, recent)
    cautious = optimiser_arguments({**form, "risk": "cautious"}, recent)
    assert cautious["quantile"] == CAUTIOUS_QUANTILE == 0.1
    target = target_arguments({**form, "goal": "target", "target": 2e6}, recent)
    assert target == {"target_revenue": 2e6, "bounds": {"radio": (None, 80.0)}, "locked": {"tv": 1000.0}}
    for blank in (None, "", 0):
        with pytest.raises(ValueError, match="revenue to reach"):
            target_arguments({**form, "target": blank}, recent)


def test_plan_cards_name_the_recent_average_and_say_what_a_target_and_a_cautious_plan_mean():
    expected = {
        "revenue": 1.71e6,
        "revenue_lower": 1.68e6,
        "revenue_upper": 1.74e6,
        "roas": 2.5,
        "current_mix_roas": 2.1,
    }
    expected |= {"current_mix_revenue": 1.6e6, "lift": 1.1e5, "lift_lower": 9e4, "lift_upper": 1.3e5}
    record = {"label": "Ridge", "budget": 152_340.4, "periods": 28, "unit": "days", "recent": "last 28 days"}
    record |= {"expected": expected, "goal": "target", "target": 1_380_000}
    text = str(plan_cards(record))  # the target as the user typed it, not "1.4M"
    assert "reaching 1,380,000 of revenue over the next 28 days needs a budget of about 152k" in text
    assert "Recent average mix (last 28 days) at this budget" in text and "1.71M (90%: 1.68M – 1.74M)" in text
    assert "(+6.9%)" in text and "Cautious" not in text
    risk = {"quantile": 0.1, "revenue_quantile": 1.62e6, "expected_plan_revenue_quantile": 1.58e6}
    cautious = str(plan_cards({**record, "goal": "budget", "risk": risk | {"expected_revenue_cost": 12_400.0}}))
    assert "Revenue at the 10th percentile: cautious / expected plan" in cautious and "1.62M / 1.58M" in cautious
    assert "Cost of caution in expected revenue" in cautious and "12k" in cautious and "a budget of 152,340" in cautious


def test_the_recent_average_label_matches_the_engine(planned):
    app, key, *_ = planned
    fitted = app.plan_cache.model(key)
    window = fitted.history(RECENT_PERIODS[fitted.frequency])[fitted.channels].mean()
    assert fitted.recent_spend()[fitted.channels].to_numpy() == pytest.approx(window.to_numpy())


@needs_engine
def test_spend_for_target_finds_the_least_budget_that_reaches_it(planned):
    app, key, *_ = planned
    channels = channels_of(app, key)
    budget = optimised_plan(app.plan_cache, key, "Ridge", plan_form(channels, budget=150_000))
    target = budget["expected"]["revenue"]
    record = optimised_plan(app.plan_cache, key, "Ridge", plan_form(channels, goal="target", target=target))
    assert "error" not in record, record.get("error")
    assert record["goal"] == "target" and record["expected"]["revenue"] >= 0.99 * target
    assert record["budget"] == pytest.approx(150_000, rel=0.05) and record["inputs"]["goal"] == "target"
    assert "needs a budget of about" in str(plan_outputs(record, key.version, "ridge")[0])
    far = optimised_plan(app.plan_cache, key, "Ridge", plan_form(channels, goal="target", target=target * 1e6))
    assert "error" in far and "Traceback" not in far["error"]


@needs_engine
def test_a_cautious_plan_says_what_it_costs_in_expected_revenue(planned):
    app, key, *_ = planned
    channels = channels_of(app, key)
    record = optimised_plan(app.plan_cache, key, "Ridge", plan_form(channels, budget=150_000, risk="cautious"))
    assert "error" not in record, record.get("error")
    assert record["quantile"] == 0.1 and record["risk"]["quantile"] == 0.1
    assert record["risk"]["expected_revenue_cost"] >= -1e-3 * record["expected"]["revenue"]  # caution costs, or not
    assert record["risk"]["revenue_quantile"] >= record["risk"]["expected_plan_revenue_quantile"] * (1 - 1e-6)
    view = str(plan_outputs(record, key.version, "ridge")[0])
    assert "Cost of caution in expected revenue" in view and "Cautious plan" in view
