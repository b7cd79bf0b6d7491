"""LightGBM and XGBoost families (models/families/trees/) on the shipped demo data, whose true ROAS is known.

What every family promises (contributions add up, curves, storage, reproducibility) is in test_contract.py.
"""

import json
import zipfile
from io import BytesIO

import numpy as np
import pandas as pd
import pytest

import models
from models.datasets import load_demo_truth
from models.families.trees.model import ALPHA_GRID, DECAY_LAGS, adstocked_media, choose_alphas

FAMILIES = ("lightgbm", "xgboost")
# Measured with the defaults on the demo (median |estimated / true - 1| over the six channels): LightGBM 0.32,
# XGBoost 0.30. Trees cannot see below the lowest spend of a channel that never pauses, so google (0.58 vs
# 2.10) and facebook (0.54 vs 1.43) are under-stated; youtube, tiktok and other land within 10%.
ROAS_TOLERANCE = 0.45


@pytest.fixture(params=FAMILIES)
def fitted(request, demo_fit):
    """Each tree family with its defaults on the demo, shared with the contract and planning tests."""
    return demo_fit(request.param).model


def test_channel_contribution_is_shap_against_zero_spend(fitted):
    """contribution_c(t) = phi_c(x_t) - phi_c(x_t with channel c's adstocked spend at 0), from the library."""
    features = fitted._features(fitted.data_)
    shap = fitted._shap(features) * fitted.scale_
    for c, channel in enumerate(fitted.roles_["channels"]):
        zeroed = features.copy()
        zeroed[:, c] = 0.0
        expected = np.maximum(shap[:, c] - fitted._shap(zeroed)[:, c] * fitted.scale_, 0.0)
        components = fitted.contributions()
        np.testing.assert_allclose(components[channel], expected, rtol=1e-9, atol=1e-6)
        training = slice(0, fitted.holdout_start_)  # SHAP alone is centred: about 0 over the training rows
        assert abs(shap[training, c].mean()) < 0.02 * components[channel].iloc[training].mean()


def test_components_extend_to_future_rows_with_carry_over(fitted):
    """Adstock runs over the whole frame: spend in the data still contributes after it stops."""
    channels = fitted.roles_["channels"]
    plan = pd.DataFrame({"date": fitted.future_dates(7), **{c: np.zeros(7) for c in channels}})
    future = fitted.future_frame(plan)
    frame = pd.concat([fitted.data_, future], ignore_index=True)
    components = fitted._components(frame)
    np.testing.assert_allclose(components.sum(axis=1), fitted.predict_frame(frame), rtol=1e-12, atol=1e-6)
    slowest = channels[int(np.argmax(fitted.alphas_))]
    tail = components[slowest].to_numpy()[len(fitted.data_) :]
    assert tail[0] > 0 and (np.diff(tail) <= 1e-9).all()


def test_roas_is_non_negative_and_close_to_the_truth(fitted):
    truth = load_demo_truth()["channels"]
    roas = fitted.roas().set_index("channel")
    assert (roas["roas"] >= 0).all() and (roas["mroas"] >= 0).all()
    errors = [abs(roas.loc[c, "roas"] / truth[c]["roas"] - 1) for c in roas.index]
    assert np.median(errors) <= ROAS_TOLERANCE, dict(zip(roas.index, np.round(errors, 2)))
    assert roas["contribution"].idxmax() == "google"


def test_saved_booster_is_in_the_library_format(fitted):
    blob = fitted.to_bytes()
    with zipfile.ZipFile(BytesIO(blob)) as archive:
        names = archive.namelist()
        booster = archive.read(f"blobs/{fitted.booster_file}")
    assert f"blobs/{fitted.booster_file}" in names
    if fitted.name == "xgboost":
        assert "learner" in json.loads(booster)
    else:
        assert booster.startswith(b"tree\n")
    np.testing.assert_array_equal(models.load(blob).alphas_, fitted.alphas_)


def test_importance_is_mean_absolute_shap_per_feature(fitted):
    importance = fitted.importance()
    roles = fitted.roles_
    assert set(importance["kind"]) == {"SHAP"}
    assert {*roles["channels"], *roles["controls"], "trend", "seasonality"} <= set(importance["feature"])
    # The Fourier terms are one feature, as ridge and the Bayesian model show it, not "Season (weekly, sin 3)" apart.
    assert not importance["feature"].str.startswith("season_").any()
    assert importance["feature"].is_unique


def test_decay_curves_are_normalised_geometric_weights(fitted):
    decay = fitted.decay_curves()
    assert len(decay) == len(fitted.roles_["channels"]) * DECAY_LAGS["daily"]
    for channel, alpha in zip(fitted.roles_["channels"], fitted.alphas_):
        weights = decay.loc[decay["channel"] == channel, "weight"].to_numpy()
        expected = alpha ** np.arange(DECAY_LAGS["daily"])
        np.testing.assert_allclose(weights, expected / expected.sum())


def test_choose_alphas_finds_a_known_decay():
    rng = np.random.default_rng(3)
    spend = rng.gamma(2.0, 50.0, size=(800, 2)) * np.repeat(rng.lognormal(0, 0.5, (40, 2)), 20, axis=0)
    trend = np.arange(800.0)[:, None] / 365
    truth = np.array([0.6, 0.2])
    target = 1000 + 30 * trend[:, 0] + adstocked_media(spend, truth) @ [3.0, 2.0] + rng.normal(0, 20, 800)
    assert choose_alphas(spend, target, trend).tolist() == truth.tolist()
    assert set(choose_alphas(spend, target, trend)) <= set(ALPHA_GRID)


def test_invalid_options_are_refused(demo):
    frame, roles = demo
    with pytest.raises(ValueError, match="learning_rate"):
        models.fit("lightgbm", frame, roles, learning_rate=0)
    with pytest.raises(ValueError, match="positive"):
        models.fit("xgboost", frame, roles, max_depth=0)
