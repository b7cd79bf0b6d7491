"""What-if predictions with fitted models (models.planning.what_if) and the horizon they share with the optimiser.

The models are the session's shared demo fits (tests/models/conftest.py).
"""

import importlib

import numpy as np
import pandas as pd
import pytest

from models.datasets.truth import CHANNELS
from models.planning import Horizon, what_if
from models.planning.what_if import shapley_gains

PERIODS = 28


@pytest.fixture
def ridge(demo_fit):
    return demo_fit("ridge").model


@pytest.fixture
def lightgbm(demo_fit):
    return demo_fit("lightgbm").model


@pytest.mark.parametrize("name", ["ridge", "lightgbm"])
def test_what_if_agrees_with_predict(name, request):
    model = request.getfixturevalue(name)
    spend = model.recent_spend() * 1.3
    result = what_if(model, spend.to_dict(), PERIODS)
    plan = pd.DataFrame({"date": model.future_dates(PERIODS), **{c: spend[c] for c in spend.index}})
    expected = model.predict(plan)
    np.testing.assert_allclose(result.prediction["mean"].to_numpy(), expected["mean"].to_numpy(), rtol=1e-6)
    assert result.totals["revenue"] == pytest.approx(expected["mean"].sum(), rel=1e-6)
    assert "revenue_lower" not in result.totals


def test_what_if_channel_numbers(ridge):
    spend = ridge.recent_spend().to_dict()
    result = what_if(ridge, spend, PERIODS)
    table = result.channels.set_index("channel")
    assert table["total_spend"].to_numpy() == pytest.approx(np.array(list(spend.values())) * PERIODS)
    assert (table["incremental_revenue"] >= 0).all() and (table["mroas"] >= 0).all()
    # ridge is additive in channels: the per-channel increments add up to the total increment
    assert table["incremental_revenue"].sum() == pytest.approx(result.totals["incremental_revenue"], rel=1e-6)
    more = what_if(ridge, {**spend, "google": spend["google"] * 2}, PERIODS)
    assert more.totals["revenue"] > result.totals["revenue"]
    with pytest.raises(ValueError, match="must be a number of at least 0"):
        what_if(ridge, {"google": -1}, PERIODS)
    with pytest.raises(ValueError, match="Unknown channel"):
        what_if(ridge, {"radio": 1}, PERIODS)


def test_many_plans_at_once_equal_one_at_a_time(lightgbm, ridge):
    rng = np.random.default_rng(0)
    for model in (ridge, lightgbm):
        horizon = Horizon(model, PERIODS)
        plans = rng.uniform(0, 3, size=(70, len(CHANNELS))) * horizon.current
        together = horizon.totals_many(plans)
        alone = np.array([horizon.totals(p) for p in plans[:5]])
        np.testing.assert_allclose(together[:5], alone, rtol=1e-9)
        assert together.shape == (70, 1)


def test_a_tree_models_channels_add_up_to_its_revenue_from_media(lightgbm):
    """LightGBM's channels interact, so each one's revenue against not spending on it did not add up (the Plan
    tab showed channel rows summing to 128k beside "from media 107k"); their Shapley shares do."""
    spend = lightgbm.recent_spend().to_dict()
    result = what_if(lightgbm, spend, PERIODS)
    table = result.channels.set_index("channel")
    assert table["incremental_revenue"].sum() == pytest.approx(result.totals["incremental_revenue"], rel=1e-9)
    assert (table["incremental_revenue"] >= -1e-6).all()
    np.testing.assert_allclose(table["roas"], table["incremental_revenue"] / table["total_spend"])


def test_shapley_shares_are_the_increments_of_an_additive_model_and_random_orders_approach_them(
    ridge, lightgbm, monkeypatch
):
    horizon = Horizon(ridge, PERIODS)
    x = horizon.current
    alone = horizon.means_many(np.vstack([x, np.where(np.eye(len(x), dtype=bool), 0.0, x)]))
    np.testing.assert_allclose(shapley_gains(horizon, x), alone[0] - alone[1:], rtol=1e-6)
    trees = Horizon(lightgbm, PERIODS)
    exact = shapley_gains(trees, trees.current)
    # the estimate from random orders, which models with more than SHAPLEY_EXACT channels get, on these six
    monkeypatch.setattr(importlib.import_module("models.planning.what_if"), "SHAPLEY_EXACT", 0)
    sampled = shapley_gains(trees, trees.current)
    assert sampled.sum() == pytest.approx(exact.sum(), rel=1e-9)  # every order adds up to the same total
    assert np.abs(sampled - exact).max() < 0.25 * exact.sum() / len(exact)
