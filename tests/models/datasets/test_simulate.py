"""Simulated datasets of varied processes (models.datasets.simulate, .process, .true_process)."""

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from models.data import read_upload
from models.datasets.process import CARRYOVERS, RESPONSES, ChannelSpec, ProcessSpec, random_spec
from models.datasets.simulate import simulate
from models.datasets.true_process import best_split

SPECS = [random_spec(np.random.default_rng(seed)) for seed in range(60)]


def _spec(**overrides) -> ProcessSpec:
    """A small daily process: a concave Hill with geometric decay, a logistic with Weibull CDF carry-over."""
    channels = (
        ChannelSpec("search", 1000.0, 2.0, "hill", {"half_saturation": 0.8, "slope": 0.9}, "geometric", {"alpha": 0.6}),
        ChannelSpec("social", 400.0, 1.2, "logistic", {"lam": 1.5}, "weibull_cdf", {"shape": 1.2, "scale": 0.2}),
        ChannelSpec("video", 700.0, 3.0, "hill", {"half_saturation": 1.5, "slope": 3.0}, "geometric", {"alpha": 0.3}),
    )
    return ProcessSpec(**{"channels": channels, "n_periods": 400, "controls": ("price", "promo"), **overrides})


@pytest.fixture(scope="module")
def data():
    return simulate(_spec(), seed=11)


def _adstock_by_loop(x, weights):
    """Carry-over one period at a time: y_t = sum_l w_l x_(t-l), zero before the start."""
    return np.array([sum(w * x[t - lag] for lag, w in enumerate(weights) if t - lag >= 0) for t in range(len(x))])


def test_same_seed_same_data_and_another_seed_other_data():
    spec = random_spec(np.random.default_rng(4))
    assert random_spec(np.random.default_rng(4)) == spec
    first, again, other = simulate(spec, 4), simulate(spec, 4), simulate(spec, 5)
    pd.testing.assert_frame_equal(first.frame, again.frame, check_exact=True)
    pd.testing.assert_frame_equal(first.channel_truth, again.channel_truth, check_exact=True)
    assert not np.allclose(first.frame["revenue"], other.frame["revenue"])


def test_true_roas_is_contribution_over_spend_from_the_parts(data):
    """Recompute each channel's contribution by hand: weights by their formulas, a loop over lags, the curve."""
    truth, frame, l_max = data.truth, data.frame, data.spec.l_max
    alpha = truth.adstock_params[0]["alpha"]
    geometric = alpha ** np.arange(l_max) / (alpha ** np.arange(l_max)).sum()
    shape, lam = truth.adstock_params[1]["shape"], 1 + truth.adstock_params[1]["scale"] * (l_max - 1)
    weibull = np.exp(-np.concatenate([[0.0], np.cumsum((np.arange(1, l_max) / lam) ** shape)]))
    weibull /= weibull.sum()
    hill = truth.saturation_params[0]
    carried = _adstock_by_loop(frame["search"].to_numpy(), geometric)
    search = (
        truth.beta[0] * carried ** hill["slope"] / (carried ** hill["slope"] + hill["half_saturation"] ** hill["slope"])
    )
    carried = _adstock_by_loop(frame["social"].to_numpy(), weibull)
    decay = np.exp(-truth.saturation_params[1]["lam"] * carried)
    social = truth.beta[1] * (1 - decay) / (1 + decay)
    table = data.channel_truth.set_index("channel")
    assert table.loc["search", "roas"] == pytest.approx(search.sum() / frame["search"].sum(), rel=1e-9)
    assert table.loc["social", "roas"] == pytest.approx(social.sum() / frame["social"].sum(), rel=1e-9)
    assert data.true_roas == pytest.approx({"search": 2.0, "social": 1.2, "video": 3.0}, rel=1e-9)


def test_marginal_roas_is_the_gain_of_one_percent_more_spend(data):
    frame, truth = data.frame, data.truth
    bumped = frame.assign(video=frame["video"] * 1.01)
    gain = truth.expected_revenue(bumped).sum() - truth.expected_revenue(frame).sum()
    assert data.true_mroas["video"] == pytest.approx(gain / (0.01 * frame["video"].sum()), rel=1e-9)
    assert data.true_mroas["search"] < data.true_roas["search"]  # concave: the next unit earns less
    assert data.true_mroas["video"] > data.true_roas["video"]  # S-shaped below its threshold: more


def test_revenue_is_the_parts_plus_noise_of_the_asked_share(data):
    frame, truth, spec = data.frame, data.truth, data.spec
    media = truth.media_effect(frame[list(spec.channel_names)].to_numpy()).sum(axis=1)
    expected = truth.base_revenue(frame) + media
    noise = frame["revenue"] - expected
    assert noise.std() / expected.mean() == pytest.approx(spec.noise_share, rel=0.15)
    assert media.sum() / expected.sum() == pytest.approx(spec.media_share, rel=1e-9)
    assert list(frame.columns) == ["date", "search", "social", "video", "price", "promo", "revenue"]
    assert data.roles == {
        "date": "date",
        "target": "revenue",
        "channels": ["search", "social", "video"],
        "controls": ["price", "promo"],
    }


def test_the_upload_reader_finds_the_same_roles(data):
    upload = read_upload(data.frame.to_csv(index=False).encode(), "simulated.csv")
    assert upload.roles == data.roles
    assert upload.frequency == "daily"


def test_random_specs_stay_in_their_ranges_and_cover_every_kind():
    for spec in SPECS:
        assert 3 <= len(spec.channels) <= 8
        rows = (1000, 5000) if spec.frequency == "daily" else (100, 260)
        assert rows[0] <= spec.n_periods <= rows[1]
        assert 0.03 <= spec.noise_share <= 0.15
        assert all(0.5 <= c.roas <= 4 for c in spec.channels)
        assert spec.correlation == 0 or 0.3 <= spec.correlation <= 0.8
        assert len(spec.controls) <= 2
        slopes = [c.saturation_params["slope"] for c in spec.channels if c.saturation == "hill"]
        if spec.label.startswith("concave"):
            assert slopes and all(0.7 <= s <= 1 for s in slopes)
        if spec.label.startswith("s_shaped"):
            assert slopes and all(2 <= s <= 3.5 for s in slopes)
    labels = " ".join(spec.label for spec in SPECS)
    assert all(kind in labels for kind in (*RESPONSES, *CARRYOVERS, "daily", "weekly", "flighted", "correlated"))
    adstocks = {c.adstock for spec in SPECS for c in spec.channels}
    assert adstocks == {"geometric", "weibull_cdf", "weibull_pdf"}


def test_simulated_random_processes_hit_their_roas_noise_and_size():
    for seed in (0, 9, 21):  # weekly processes: quick
        spec = SPECS[seed]
        data = simulate(spec, seed)
        assert len(data.frame) == spec.n_periods
        assert data.true_roas == pytest.approx({c.name: c.roas for c in spec.channels}, rel=1e-9)
        expected = data.truth.expected_revenue(data.frame)
        noise_share = (data.frame["revenue"] - expected).std() / expected.mean()
        assert noise_share == pytest.approx(spec.noise_share, rel=0.3)
        assert (data.frame["revenue"] > 0).all()
        assert (data.frame["date"].diff().dropna() == pd.Timedelta(days=7)).all()


def test_flighted_channels_go_dark_for_whole_weeks_and_the_others_never():
    spec = _spec(n_periods=700, channels=tuple(replace(c, flighted=c.name == "social") for c in _spec().channels))
    frame = simulate(spec, seed=3).frame
    weekly = frame.groupby(frame["date"].dt.to_period("W"))[["search", "social"]]
    dark = weekly.max()["social"] == 0
    assert dark.sum() >= 10
    assert (weekly.min()["social"][~dark] > 0).all()  # dark weeks are whole weeks: no part-weeks
    assert (frame["search"] > 0).all()


def test_correlated_channels_move_together_as_asked():
    spec = _spec(n_periods=1500, correlation=0.6, correlated=("search", "video"))
    log_spend = np.log(simulate(spec, seed=8).frame[["search", "social", "video"]])
    correlation = log_spend.corr()
    assert correlation.loc["search", "video"] == pytest.approx(0.6, abs=0.02)
    assert abs(correlation.loc["search", "social"]) < 0.02
    independent = np.log(simulate(_spec(n_periods=1500), seed=8).frame[["search", "video"]]).corr()
    assert abs(independent.loc["search", "video"]) < 0.02


def test_true_revenue_carries_the_history_over(data):
    """The revenue of the data's last periods equals true_revenue of their spend after the rows before."""
    frame, truth, periods = data.frame.astype({"promo": float}), data.truth, 10
    spend = np.array([900.0, 500.0, 0.0])
    history = frame.iloc[:-periods]
    future = truth.future_frame(history, spend, periods)
    frame.iloc[-periods:, 1:6] = future[["search", "social", "video", "price", "promo"]].to_numpy()
    expected = truth.expected_revenue(frame)[-periods:].sum()
    assert truth.true_revenue(history, spend, periods) == pytest.approx(expected, rel=1e-12)
    assert truth.true_revenue(history, np.zeros(3), periods) < truth.true_revenue(history, spend, periods)


def test_true_optimum_beats_the_recent_mix_and_random_plans(data):
    truth, frame, periods = data.truth, data.frame, 28
    recent = frame[["search", "social", "video"]].tail(28).mean().to_numpy()
    best, revenue = truth.true_optimum(frame, recent.sum(), periods)
    assert best.sum() == pytest.approx(recent.sum())
    assert revenue >= truth.true_revenue(frame, recent, periods)
    shares = np.random.default_rng(0).dirichlet(np.ones(3), size=30)
    assert all(revenue >= truth.true_revenue(frame, s * recent.sum(), periods) - 1e-6 for s in shares)
    assert truth.regret(frame, best, periods)["regret"] == pytest.approx(0.0, abs=1e-9)
    assert truth.regret(frame, recent, periods)["regret"] > 0


def test_best_split_is_the_brute_force_optimum_of_non_concave_values():
    rng = np.random.default_rng(2)
    values = np.cumsum(rng.random((3, 9)) ** 3, axis=1)  # increasing, neither concave nor convex
    brute = max(
        (k for k in itertools.product(range(9), repeat=3) if sum(k) == 8),
        key=lambda k: sum(values[c, kc] for c, kc in enumerate(k)),
    )
    steps = best_split(values)
    assert steps.sum() == 8
    assert values[np.arange(3), steps].sum() == pytest.approx(values[np.arange(3), brute].sum())
