"""The demo dataset: its generator (models.datasets.synthetic), true process (models.datasets.truth) and files."""

import io
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from models.datasets import DEMO_CSV, DEMO_TRUTH_JSON, load_demo_bytes, load_demo_truth
from models.datasets.synthetic import DEFAULT_SEED, DEMO_COLUMNS, generate_demo, main, simulate_spend
from models.datasets.truth import (
    BASE_COMPONENTS,
    CHANNELS,
    DEFAULT_TRUTH,
    DemoTruth,
    decompose,
    expected_revenue,
    media_effect,
    steady_state_effect,
)


@pytest.fixture(scope="module")
def shipped():
    return pd.read_csv(io.BytesIO(load_demo_bytes()), parse_dates=["date"])


@pytest.fixture(scope="module")
def truth():
    return load_demo_truth()


def _true_contribution_by_loop(spend, alpha, half, slope, beta):
    """Independent recomputation: adstock one day at a time, Hill by its formula."""
    adstocked, carry = np.zeros_like(spend), 0.0
    for t, x in enumerate(spend):
        carry = x + alpha * carry
        adstocked[t] = carry * (1 - alpha)
    return beta * adstocked**slope / (adstocked**slope + half**slope)


def test_same_seed_reproduces_the_shipped_files(shipped, truth, tmp_path):
    frame, regenerated_truth = generate_demo(DEFAULT_SEED)
    pd.testing.assert_frame_equal(frame, shipped, check_dtype=False, check_exact=True)
    assert regenerated_truth == truth
    main(["--out-dir", str(tmp_path)])
    assert (tmp_path / "demo_daily.csv").read_bytes() == DEMO_CSV.read_bytes()
    assert (tmp_path / "demo_daily_truth.json").read_bytes() == DEMO_TRUTH_JSON.read_bytes()


def test_another_seed_gives_other_data(shipped):
    other, _ = generate_demo(DEFAULT_SEED + 1)
    assert not np.allclose(other["google"], shipped["google"])


def test_columns_and_daily_frequency_without_gaps(shipped):
    assert list(shipped.columns) == list(DEMO_COLUMNS)
    assert len(shipped) == 1096
    assert shipped["date"].iloc[0] == pd.Timestamp("2023-01-01")
    assert shipped["date"].iloc[-1] == pd.Timestamp("2025-12-31")
    assert (shipped["date"].diff().iloc[1:] == pd.Timedelta(days=1)).all()
    expected = pd.date_range("2023-01-01", "2025-12-31", freq="D")
    assert (pd.DatetimeIndex(shipped["date"]) == expected).all()


def test_spend_is_never_negative_and_values_are_in_cents(shipped):
    money = shipped[[*CHANNELS, "revenue", "price"]]
    assert (shipped[list(CHANNELS)] >= 0).all().all()
    assert (shipped["revenue"] > 0).all()
    np.testing.assert_allclose(money, money.round(2), rtol=0, atol=1e-9)
    assert set(shipped["promo"].unique()) == {0, 1}


def test_spend_looks_like_a_real_media_plan(shipped):
    spend = shipped[list(CHANNELS)]
    means = spend.mean()
    assert means["google"] > means["facebook"] > means["youtube"] > means["instagram"]
    assert means["instagram"] > means["tiktok"] > means["other"] > 0
    assert (spend["youtube"] == 0).mean() > 0.1  # flighting
    first, last = spend["tiktok"].iloc[:180].mean(), spend["tiktok"].iloc[-180:].mean()
    assert last > 2 * first  # growing channel
    correlation = spend.corr().to_numpy()
    assert np.abs(correlation[np.triu_indices(len(CHANNELS), 1)]).max() < 0.6
    assert 0.05 < shipped["promo"].mean() < 0.15
    assert 19 < shipped["price"].median() < 21 and shipped["price"].min() < 17


def test_noise_free_revenue_is_the_sum_of_its_components():
    quiet = replace(DEFAULT_TRUTH, noise_sd=0.0)
    frame, _ = generate_demo(DEFAULT_SEED, truth=quiet)
    parts = decompose(frame, quiet)
    assert list(parts.columns) == ["date", *BASE_COMPONENTS, *CHANNELS]
    total = parts.drop(columns="date").sum(axis=1)
    np.testing.assert_allclose(frame["revenue"], total, rtol=0, atol=0.005 + 1e-9)
    np.testing.assert_allclose(expected_revenue(frame, quiet), total)


def test_shipped_revenue_is_components_plus_gaussian_noise(shipped, truth):
    noise = shipped["revenue"] - expected_revenue(shipped)
    sd = truth["parameters"]["noise_sd"]
    assert noise.std() == pytest.approx(sd, rel=0.1)
    assert abs(noise.mean()) < 4 * sd / np.sqrt(len(noise))
    assert 0.03 < sd / shipped["revenue"].mean() < 0.07
    media = media_effect(shipped).sum(axis=1)
    assert abs(np.corrcoef(noise, media)[0, 1]) < 0.1


def test_components_follow_their_formulas(shipped):
    parts = decompose(shipped)
    assert (parts["baseline"] == DEFAULT_TRUTH.baseline).all()
    assert parts["trend"].iloc[365] == pytest.approx(365 * DEFAULT_TRUTH.trend_per_day)
    sunday = shipped["date"].dt.day_of_week == DEFAULT_TRUTH.weekly_peak_day
    assert parts.loc[sunday, "weekly_seasonality"].min() == pytest.approx(DEFAULT_TRUTH.weekly_amplitude)
    discount = shipped["price"] < 19
    assert (parts.loc[discount, "price"] > 0).all()
    assert (parts.loc[shipped["promo"] == 1, "promo"] == DEFAULT_TRUTH.promo_uplift).all()


def test_truth_roas_matches_an_independent_recomputation(shipped, truth):
    for name, params in truth["channels"].items():
        spend = shipped[name].to_numpy(float)
        args = (params["alpha"], params["half_saturation"], params["slope"], params["beta"])
        contribution = _true_contribution_by_loop(spend, *args).sum()
        bumped = _true_contribution_by_loop(spend * 1.01, *args).sum()
        assert params["total_spend"] == pytest.approx(spend.sum(), rel=1e-12)
        assert params["total_contribution"] == pytest.approx(contribution, rel=1e-9)
        assert params["roas"] == pytest.approx(contribution / spend.sum(), rel=1e-9)
        assert params["mroas"] == pytest.approx((bumped - contribution) / (0.01 * spend.sum()), rel=1e-6)
        assert 0 < params["mroas"] < params["roas"] * 1.05  # saturating channels


def test_media_share_and_truth_dict_contents(truth):
    assert 0.25 <= truth["media_share_of_revenue"] <= 0.40
    assert list(truth["channels"]) == list(CHANNELS)
    assert truth["seed"] == DEFAULT_SEED and truth["description"]
    assert json.loads(json.dumps(truth)) == truth
    shares = sum(c["contribution_share"] for c in truth["channels"].values())
    assert shares == pytest.approx(1.0)
    roas = {name: c["roas"] for name, c in truth["channels"].items()}
    assert max(roas.values()) > 1.5 * min(roas.values())  # channels differ


def test_media_effect_accepts_frames_and_arrays(shipped):
    from_frame = media_effect(shipped)
    from_array = media_effect(shipped[list(CHANNELS)].to_numpy())
    assert list(from_frame.columns) == list(CHANNELS)
    np.testing.assert_allclose(from_frame.to_numpy(), from_array)
    assert (from_array >= 0).all()
    assert (from_array < np.asarray(DEFAULT_TRUTH.beta)).all()


def test_constant_spend_converges_to_the_steady_state_response():
    daily = np.array([3000.0, 2000.0, 1200.0, 800.0, 500.0, 300.0])
    path = media_effect(np.tile(daily, (400, 1)))
    np.testing.assert_allclose(path[-1], steady_state_effect(daily), rtol=1e-9)
    assert (steady_state_effect(np.zeros(6)) == 0).all()


def test_simulate_spend_shape_and_dates():
    spend = simulate_spend(30, "2024-02-20", np.random.default_rng(0))
    assert list(spend.columns) == ["date", *CHANNELS]
    assert spend["date"].iloc[9] == pd.Timestamp("2024-02-29")
    assert (spend[list(CHANNELS)] >= 0).all().all()


def test_truth_rejects_mismatched_channel_parameters():
    with pytest.raises(ValueError, match="per-channel"):
        DemoTruth(alpha=(0.5, 0.5))


def test_steady_state_response_is_half_of_beta_at_half_saturation():
    half = np.asarray(DEFAULT_TRUTH.half_saturation)
    np.testing.assert_allclose(steady_state_effect(half), np.asarray(DEFAULT_TRUTH.beta) / 2)


def test_shipped_csv_is_accepted_as_an_upload_with_the_intended_roles():
    from models.data import read_upload

    upload = read_upload(load_demo_bytes(), DEMO_CSV.name)
    assert upload.roles == {
        "date": "date",
        "target": "revenue",
        "channels": list(CHANNELS),
        "controls": ["price", "promo"],
    }
    assert len(upload.frame) == 1096
