"""Joint refinement for tree models, spend for a target, cautious plans and honest messages, on demo fits.

The tree models are not additive in channels, so the optimiser improves its per-channel plan on the whole
model (models.planning.search). Checked against the demo's true process as the optimiser tests are.
"""

from __future__ import annotations

import numpy as np
import pytest

import models
from models.datasets.truth import CHANNELS, true_horizon_revenue, true_optimum
from models.planning import Horizon, minimum_budget, optimize_budget

PERIODS = 28
# Measured (bench/RESULTS.md, "Plan regret"): the tree plans lose 0.5-2.5% of total revenue against the true
# optimum (8.7% at today's budget before the joint refinement); the target is at most 3%.
TREE_GAP_MAX = 0.03
EQUAL_MROAS = 0.10


class PerChannelOnly:
    """A fitted model that calls itself additive: the optimiser then stops at its per-channel plan."""

    additive = True

    def __init__(self, fitted):
        self._fitted = fitted

    def __getattr__(self, name):
        return getattr(self._fitted, name)


@pytest.fixture(params=["lightgbm", "xgboost"])
def tree(request, demo_fit):
    return demo_fit(request.param).model


def test_families_say_whether_they_are_additive(demo_fit):
    assert demo_fit("ridge").model.additive
    assert not demo_fit("lightgbm").model.additive and not demo_fit("xgboost").model.additive


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_joint_refinement_beats_the_per_channel_plan_and_the_truth_agrees(tree, scale):
    budget = float(tree.recent_spend().sum()) * PERIODS * scale
    plan = optimize_budget(tree, budget, PERIODS)
    per_channel = optimize_budget(PerChannelOnly(tree), budget, PERIODS)
    # by the model's own prediction: at least as good as the per-channel plan and as today's mix
    assert plan.expected["revenue"] >= per_channel.expected["revenue"]
    assert plan.expected["revenue"] >= plan.expected["current_mix_revenue"]
    optimal = plan.allocation.set_index("channel").loc[list(CHANNELS), "optimal"].to_numpy()
    assert optimal.sum() * PERIODS == pytest.approx(budget, rel=1e-9)
    got = true_horizon_revenue(tree, optimal, PERIODS)
    _, best = true_optimum(tree, budget / PERIODS, PERIODS)
    assert (best - got) / best <= TREE_GAP_MAX, (tree.name, scale, got, best)


def test_at_todays_budget_the_refinement_gains_on_the_model(tree):
    """On the demo the per-channel plan zeroes google and instagram; the whole model has better."""
    budget = float(tree.recent_spend().sum()) * PERIODS
    gain = optimize_budget(tree, budget, PERIODS).expected["revenue"]
    alone = optimize_budget(PerChannelOnly(tree), budget, PERIODS).expected["revenue"]
    assert gain > alone * 1.01


def test_tree_plans_keep_bounds_locks_and_a_minimum_roas(tree):
    budget = float(tree.recent_spend().sum()) * PERIODS
    bounds = {"google": (1500.0, 2500.0), "tiktok": (None, 300.0)}
    plan = optimize_budget(tree, budget, PERIODS, bounds=bounds, locked={"facebook": 2000.0})
    table = plan.allocation.set_index("channel")
    assert table.loc["facebook", "optimal"] == 2000.0
    assert 1500.0 <= table.loc["google", "optimal"] <= 2500.0 and table.loc["tiktok", "optimal"] <= 300.0
    assert table["optimal"].sum() * PERIODS == pytest.approx(budget, rel=1e-9)
    met = optimize_budget(tree, budget, PERIODS, min_roas=1.2)
    assert met.expected["roas"] >= 1.2 * (1 - 1e-3)


def test_messages_call_marginal_roas_equal_only_when_they_are(demo_fit):
    for name in ("ridge", "lightgbm"):
        fitted = demo_fit(name).model
        budget = float(fitted.recent_spend().sum()) * PERIODS
        for kwargs in ({}, {"bounds": {"google": (None, 1000.0)}}, {"min_roas": 1.2}):
            plan = optimize_budget(fitted, budget, PERIODS, **kwargs)
            table = plan.allocation
            free = table[(table.at_bound == "") & (table.optimal > 0)]
            if any("about equal" in m for m in plan.messages):
                assert free.mroas.max() - free.mroas.min() <= EQUAL_MROAS * free.mroas.abs().max(), (name, kwargs)
            elif len(free) > 1:
                differ = next(m for m in plan.messages if m.startswith("Marginal ROAS differ"))
                assert fitted.additive or "not additive" in differ


# ------------------------------------------------------------------------------ spend for a target
def test_a_target_met_without_media_says_so_and_explains_no_channel(demo_fit):
    """A target below what the model expects with no spend needs none: the plan says so, and does not explain
    each channel's zero with a "first 1,000 would add only about 55,897" that contradicts it."""
    ridge = demo_fit("ridge").model
    nothing = optimize_budget(ridge, 0.0, PERIODS).expected["revenue"]
    plan = minimum_budget(ridge, nothing * 0.9, PERIODS)
    assert plan.budget == 0 and plan.messages[0].startswith(f"The target revenue of {nothing * 0.9:,.0f} is reached")
    assert "with no media spend over 28 days" in plan.messages[0] and "0.00" not in " ".join(plan.messages)
    assert not [m for m in plan.messages if "gets no spend" in m]


def test_a_channel_left_at_zero_is_explained_by_what_its_first_1000_would_add(demo_fit):
    ridge = demo_fit("ridge").model
    budget = float(ridge.recent_spend().sum()) * PERIODS
    plan = optimize_budget(ridge, budget, PERIODS)
    table = plan.allocation
    idle = table.index[(table.optimal == 0) & (table.at_bound == "minimum")]
    assert len(idle) > 0  # the demo's ridge leaves its weakest channels (youtube, instagram, other) at zero
    horizon = Horizon(ridge, PERIODS)
    x = table["optimal"].to_numpy(float)
    gains = horizon.first_gains(x)
    for c in idle:
        more = x + np.eye(len(x))[c] * 1000.0 / PERIODS  # 1,000 more over the horizon
        measured = horizon.means_many(np.vstack([more, x]))
        assert gains[c] == pytest.approx(measured[0] - measured[1])
        said = f"{table.channel[c]} gets no spend: its first 1,000 would add only about {gains[c]:,.0f}."
        assert said in plan.messages


def test_minimum_budget_finds_the_least_budget_for_a_target(demo_fit):
    ridge = demo_fit("ridge").model
    budget = float(ridge.recent_spend().sum()) * PERIODS
    target = optimize_budget(ridge, budget, PERIODS).expected["revenue"]
    plan = models.minimum_budget(ridge, target, PERIODS)
    assert plan.expected["revenue"] >= target
    assert plan.budget == pytest.approx(budget, rel=0.01)  # the optimum at the budget is that budget's best
    assert optimize_budget(ridge, plan.budget * 0.98, PERIODS).expected["revenue"] < target
    assert plan.allocation["optimal"].sum() * PERIODS == pytest.approx(plan.budget, rel=1e-9)
    assert plan.messages[0].startswith(f"A budget of {plan.budget:,.0f} over 28 days is the least")
    locked = minimum_budget(ridge, target * 0.99, PERIODS, locked={"google": 1000.0}, bounds={"tiktok": (None, 500)})
    table = locked.allocation.set_index("channel")
    assert table.loc["google", "optimal"] == 1000.0 and table.loc["tiktok", "optimal"] <= 500.0
    assert locked.expected["revenue"] >= target * 0.99


def test_minimum_budget_refuses_an_unreachable_target_in_words(demo_fit):
    ridge = demo_fit("ridge").model
    with pytest.raises(ValueError, match=r"No budget up to .* reaches a revenue of .* the most this model expects"):
        models.minimum_budget(ridge, 1e12, PERIODS)
    with pytest.raises(ValueError, match="The target revenue must be a number of at least 0"):
        models.minimum_budget(ridge, -1, PERIODS)


def test_minimum_budget_works_for_a_tree(demo_fit):
    lightgbm = demo_fit("lightgbm").model
    budget = float(lightgbm.recent_spend().sum()) * PERIODS
    target = optimize_budget(lightgbm, budget, PERIODS).expected["revenue"] * 0.995
    plan = minimum_budget(lightgbm, target, PERIODS)
    assert plan.expected["revenue"] >= target
    assert plan.budget <= budget * 1.01


# ------------------------------------------------------------------------------ cautious plans
# (every family with its intervals: tests/models/test_contract.py)
def test_quantile_plans_need_intervals(demo_fit):
    ridge = demo_fit("ridge").model
    assert not ridge.has_intervals
    with pytest.raises(ValueError, match="This model has no intervals"):
        models.optimize_budget(ridge, 1e5, PERIODS, quantile=0.1)


def test_every_channel_left_without_spend_is_explained_for_tree_models_too(demo_fit):
    """A tree's curve can be flat at zero (marginal ROAS 0, so no bound "binds"): XGBoost zeroed facebook (3,201
    a day recently) on the demo and said nothing of it."""
    xgboost = demo_fit("xgboost").model
    plan = optimize_budget(xgboost, float(xgboost.recent_spend().sum()) * PERIODS, PERIODS)
    idle = plan.allocation.loc[plan.allocation.optimal <= 0, "channel"]
    for channel in idle:
        assert any(m.startswith(f"{channel} gets no spend: ") for m in plan.messages), (channel, plan.messages)
