"""The Bayesian family (models/families/bayesian/): a real posterior on data with a known truth, intervals,
storage, words, and the PyTensor twins of the curves.

One MCMC fit per session (tests/models/conftest.py: two chains of 300 warm-up + 300 draws on the 1,096-day
demo, 6 channels, price and promo), shared with the contract and planning tests, so the graph is compiled
once. What every family promises is in test_contract.py.
"""

import io
import os
import subprocess
import sys
import time
import zipfile

import numpy as np
import pandas as pd
import pytensor
import pytensor.tensor as pt
import pytest

from models.curves import ADSTOCKS, SATURATIONS, lookup_adstock, lookup_saturation
from models.datasets import load_demo_truth
from models.datasets.process import ChannelSpec, ProcessSpec
from models.datasets.simulate import simulate
from models.datasets.truth import CHANNELS
from models.families.bayesian import model as bayesian
from models.families.bayesian import ops, sampling
from models.families.bayesian.health import identification_checks, roas_checks, spend_floors
from models.families.bayesian.model import BayesianMMM
from models.transforms import (
    convolve_lags,
    geometric_weights,
    hill_saturation,
    logistic_saturation,
    weibull_weights,
)

# Measured with the shared fit's settings on the 1,096 days (Hill curve, random_state 0-2): R-hat max
# 1.017-1.026, median relative ROAS error 0.18-0.24, the truth inside the 90% interval for 5 or 6 of 6
# channels. Only youtube is flighted; the five always-on channels' intervals span more than a factor of 3
# and the health check says so (tiktok, whose spend grows with the trend, and "other", 1% of revenue, are
# off by 0.5-0.7). On 5,000 days with the defaults the median error is 0.21 (bench/RESULTS.md; the logistic
# curve's fixed concave shape suits the demo's mild curves, 0.06 there, but misses S-shaped data by 0.89).
# Asserted with a margin.
ROAS_MEDIAN_TOLERANCE = 0.35
RHAT_TOLERANCE = 1.05


@pytest.fixture
def fitted(demo_fit):
    return demo_fit("bayesian").model


@pytest.fixture
def truth():
    return load_demo_truth()["channels"]


def plan_for(model, periods=14):
    spend = model.recent_spend()
    return pd.DataFrame({"date": model.future_dates(periods), **{c: np.full(periods, spend[c]) for c in spend.index}})


# ------------------------------------------------------------------------------ the posterior
@pytest.mark.slow
def test_posterior_converges_and_recovers_roas(fitted, truth):
    d = fitted.diagnostics
    assert d["rhat_max"] < RHAT_TOLERANCE and d["divergences"] <= 2, d  # short warm-up: a rare divergence
    table = fitted.roas().set_index("channel")
    errors = [abs(table.roas[c] / truth[c]["roas"] - 1) for c in CHANNELS]
    assert np.median(errors) <= ROAS_MEDIAN_TOLERANCE, dict(zip(CHANNELS, np.round(errors, 3)))
    inside = [table.lower[c] <= truth[c]["roas"] <= table.upper[c] for c in CHANNELS]
    assert sum(inside) >= 3, dict(zip(CHANNELS, inside))


@pytest.mark.slow
def test_diagnostics_are_complete(fitted):
    d = fitted.diagnostics
    keys = {
        "rhat_max",
        "ess_bulk_min",
        "ess_tail_min",
        "divergences",
        "draws",
        "chains",
        "sampling_seconds",
        "compile_seconds",
    }
    assert set(d) == keys
    assert (d["draws"], d["chains"]) == (300, 2)
    assert d["ess_bulk_min"] > 50 and d["ess_tail_min"] > 50 and d["sampling_seconds"] > 0


@pytest.mark.slow
def test_progress_follows_the_draws(demo_fit):
    calls = demo_fit("bayesian").progress
    sampling_calls = [(t, f, m) for t, f, m in calls if m.startswith("Sampling: ")]
    warm_up = [m for _, _, m in sampling_calls if m.startswith("Sampling: warm-up")]
    draws = [(t, f, m) for t, f, m in sampling_calls if m.startswith("Sampling: draw")]
    assert len(warm_up) >= 1 and len(draws) >= 1, calls
    assert warm_up[0].endswith("of 300 in each of 2 chains, then 300 draws")  # the fixture: 300 + 300
    assert draws[-1][2].endswith("of 300 in each of 2 chains")
    fractions = [f for _, f, _ in sampling_calls]
    assert fractions == sorted(fractions) and 0 < fractions[-1] <= 0.8
    gaps = np.diff([t for t, _, _ in sampling_calls])
    assert gaps.min() >= 0.25  # reports at most about every 0.3 s
    assert calls[-1][1:] == (1.0, "Done")


# ------------------------------------------------------------------ S-shaped curves, and saying when it can't
def s_curve_data():
    """Two years of days, six channels whose curves are mostly S-shaped; tv's spend hardly moves.

    Daily with price and promo like the demo, so the session's compiled graph is reused. Measured
    (random_state 0, the fit below): every 90% interval holds the true ROAS (video 3.06 [2.86, 3.29], true
    3.0); the logistic curve, which cannot bend upwards, misses four of six with tight intervals (video
    5.47 [5.31, 5.65]) and reports tv's ROAS without a word.
    """

    def channel(name, spend, roas, half, slope, flighted=False, volatility=0.4):
        curve = {"half_saturation": half, "slope": slope}
        return ChannelSpec(name, spend, roas, "hill", curve, flighted=flighted, volatility=volatility)

    channels = (
        channel("search", 2000.0, 2.5, 1.3, 3.0, flighted=True),
        channel("social", 1500.0, 1.5, 1.1, 2.5, flighted=True),
        channel("video", 3000.0, 3.0, 1.5, 3.0, volatility=0.6),
        channel("display", 1000.0, 1.2, 0.8, 1.0, volatility=0.6),
        channel("tv", 4000.0, 2.0, 1.2, 2.5, volatility=0.12),
        channel("radio", 800.0, 1.0, 1.0, 2.0, flighted=True),
    )
    spec = ProcessSpec(channels, n_periods=730, noise_share=0.05, media_share=0.4, controls=("price", "promo"))
    return simulate(spec, seed=5)


@pytest.fixture(scope="module")
def s_curve_fit(demo_fit):
    demo_fit("bayesian")  # compiles the graph this fit reuses
    data = s_curve_data()
    return data, BayesianMMM(draws=300, tune=300, cv_folds=0).fit(data.frame, data.roles)


@pytest.mark.slow
def test_s_shaped_curves_are_recovered_with_intervals_that_hold_the_truth(s_curve_fit):
    data, fitted = s_curve_fit
    table = fitted.roas().set_index("channel")
    inside = {c: table.lower[c] <= true <= table.upper[c] for c, true in data.true_roas.items()}
    assert sum(inside.values()) >= 5 and inside["video"] and inside["search"], inside
    for channel in ("search", "video"):  # S-shaped, flighted and always-on: pinned down, within 10%
        assert abs(table.roas[channel] / data.true_roas[channel] - 1) < 0.1, table.loc[channel]


@pytest.mark.slow
def test_health_check_says_when_spend_never_goes_near_zero(s_curve_fit):
    data, fitted = s_curve_fit
    table = fitted.roas().set_index("channel")
    assert table.upper["tv"] > 3 * table.lower["tv"]  # its spend stays within about 20% of its average
    warnings = [c["message"] for c in fitted.health_check() if c["level"] == "warning"]
    tv = [m for m in warnings if m.startswith("tv's spend never falls below")]
    assert len(tv) == 1 and "extrapolation" in tv[0] and f"{table.lower['tv']:.2f} to" in tv[0], warnings
    assert not any(m.startswith(("search", "video")) or "about search" in m for m in warnings), warnings


# ------------------------------------------------------------------------------ intervals
@pytest.mark.slow
def test_roas_intervals_contain_the_mean(fitted):
    roas = fitted.roas()
    assert (roas["lower"] < roas["roas"]).all() and (roas["roas"] < roas["upper"]).all()
    np.testing.assert_allclose(roas["roas"], roas["contribution"] / roas["spend"])


@pytest.mark.slow
def test_prediction_band_includes_observation_noise(fitted):
    predicted = fitted.predict(plan_for(fitted))
    assert ((predicted["lower"] < predicted["mean"]) & (predicted["mean"] < predicted["upper"])).all()
    noise = fitted.posterior_["sigma"].mean() * fitted.y_scale_
    width = predicted["upper"] - predicted["lower"]
    assert (width > 2 * 1.645 * noise * 0.8).all()  # a band for the mean alone would be far narrower


@pytest.mark.slow
def test_response_curve_bands(fitted):
    curves = fitted.response_curves(n_points=20)
    assert (curves["lower"] <= curves["response"] + 1e-9).all() and (curves["response"] <= curves["upper"] + 1e-9).all()
    for channel, curve in curves.groupby("channel"):
        assert curve["upper"].iloc[-1] > curve["lower"].iloc[-1], channel
        assert (np.diff(curve["lower"]) >= -1e-9).all() and (np.diff(curve["upper"]) >= -1e-9).all(), channel


@pytest.mark.slow
def test_posterior_mean_is_what_every_table_uses(fitted):
    data = fitted.data_
    means = fitted._mean_draws(data).mean(axis=1)
    np.testing.assert_allclose(fitted.predict_frame(data), means, rtol=1e-10)
    np.testing.assert_allclose(fitted.contributions().sum(axis=1).to_numpy(), means, rtol=1e-10)


# ---------------------------------------------------------------------------- serialisation
@pytest.mark.slow
def test_saved_model_is_plain_data_and_predicts_the_same(fitted):
    blob = fitted.to_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert sorted(archive.namelist()) == ["blobs/posterior.parquet", "data.parquet", "model.json"]
    restored = BayesianMMM.from_bytes(blob)  # what models.load calls for this family
    plan = plan_for(fitted)
    pd.testing.assert_frame_equal(restored.predict(plan), fitted.predict(plan))
    pd.testing.assert_frame_equal(restored.roas(), fitted.roas())
    pd.testing.assert_frame_equal(restored.response_curves(10), fitted.response_curves(10))
    assert restored.diagnostics == fitted.diagnostics and restored.health_check() == fitted.health_check()


# ----------------------------------------------------------------------------- health check
@pytest.mark.slow
def identification_warnings(checks: list[dict]) -> list[str]:
    """The messages of the checks that say a channel's ROAS is not pinned down (health.identification_checks)."""
    return [
        c["message"]
        for c in checks
        if c["level"] == "warning" and ("cannot pin it down" in c["message"] or "say little about" in c["message"])
    ]


def wide_channels(model) -> list[str]:
    table = model.roas()
    return table.channel[table.upper >= 3 * table.lower].tolist()


@pytest.mark.slow
def test_health_check_of_a_good_fit_is_all_ok(fitted):
    good = fitted._clone_with_state()  # the test's short chains need not pass; the default run does
    good.diagnostics = {"rhat_max": 1.003, "ess_bulk_min": 850.0, "ess_tail_min": 700.0, "divergences": 0}
    checks = good.health_check()
    unclear = identification_warnings(checks)  # the demo's small channels: its data cannot tell
    assert [m.split("'s")[0].split()[-1] for m in unclear] == wide_channels(good), unclear
    assert {c["level"] for c in checks if c["message"] not in unclear} == {"ok"}, checks
    text = " ".join(c["message"] for c in checks)
    for words in ("R-hat 1.003", "effective sample size", "No divergent", "baseline", "ROAS", "holdout"):
        assert words in text, words


@pytest.mark.slow
def test_health_check_explains_problems_and_what_to_do(fitted):
    sick = fitted._clone_with_state()
    sick.diagnostics = {
        **fitted.diagnostics,
        **{"rhat_max": 1.08, "ess_bulk_min": 120.0, "ess_tail_min": 150.0, "divergences": 7},
    }
    sick.metrics = {**fitted.metrics, "mape": 0.35}
    levels = [c["level"] for c in sick.health_check()]
    unclear = len(identification_warnings(sick.health_check()))
    assert levels.count("problem") == 2 and levels.count("warning") == 2 + unclear, sick.health_check()
    messages = " ".join(c["message"] for c in sick.health_check())
    assert "R-hat 1.080" in messages and "more draws" in messages
    assert "7 divergent transitions" in messages and "about 120 independent draws" in messages
    assert "off by 35%" in messages and "Add controls" in messages


def test_identification_checks_say_when_the_roas_is_an_extrapolation():
    table = pd.DataFrame(
        {
            "channel": ["youtube", "tv", "search"],
            "roas": [1.5, 2.0, 3.0],
            "mroas": [0.8, 1.0, 2.0],
            "lower": [0.4, 0.5, 2.5],
            "upper": [4.0, 3.0, 3.6],
        }
    )
    checks = identification_checks(table, np.array([0.62, 0.0, 0.7]))
    assert [c["level"] for c in checks] == ["warning", "warning"]  # search's interval is narrow: nothing to say
    youtube, tv = (c["message"] for c in checks)
    assert "youtube's spend never falls below 62% of its average" in youtube and "extrapolation" in youtube
    assert "90% interval 0.40 to 4.00" in youtube and "marginal ROAS (0.80)" in youtube and "pause" in youtube
    assert "The data say little about tv's ROAS" in tv and "extrapolation" not in tv
    narrow = identification_checks(table.iloc[2:], np.array([0.7]))
    assert [c["level"] for c in narrow] == ["ok"] and "pin down every channel's ROAS" in narrow[0]["message"]


def test_spend_floors_and_always_on_weights():
    dark_weeks = np.r_[np.zeros(20), np.full(80, 2.0)]
    floors = spend_floors(np.column_stack([dark_weeks, np.full(100, 5.0), np.linspace(0.5, 1.5, 101)[:100]]))
    np.testing.assert_allclose(floors[:2], [0.0, 1.0])
    assert 0.5 < floors[2] < 0.6  # the 5th percentile of spend running from half to 1.5 times its average
    weights = sampling.always_on_weights(np.array([0.0, 0.1, 0.2, 0.3, 0.8]))
    np.testing.assert_allclose(weights, [0.0, 0.0, 0.5, 1.0, 1.0])


@pytest.mark.parametrize("saturation", ["hill", "logistic"])
def test_each_curves_log_elasticity_in_the_graph_is_its_elasticity_at_the_mean_spend(saturation):
    """The sampler's coordinates (sampling._roas) use d log h / d log x at x = 1; check it against the curve."""
    import pymc as pm

    with pm.Model():
        first, second, log_elasticity = sampling.SATURATION_PRIORS[saturation](4)
        draws = pm.draw([first, log_elasticity] + ([second] if second is not None else []), draws=50, random_seed=1)
    curve = lookup_saturation(saturation)
    params = [np.exp(draws[0]), draws[2]] if saturation == "hill" else [draws[0]]
    step = 1e-6
    up, down = (curve.apply(np.exp(s), dict(zip(curve.parameters, params))) for s in (step, -step))
    np.testing.assert_allclose(draws[1], np.log((np.log(up) - np.log(down)) / (2 * step)), rtol=1e-5, atol=1e-6)


def test_roas_checks_flag_implausible_channels():
    table = pd.DataFrame(
        {"channel": ["search", "tv", "radio"], "spend": [100.0, 800.0, 100.0], "roas": [25.0, 0.01, 1.0]}
    )
    checks = roas_checks(table)
    assert [c["level"] for c in checks] == ["warning", "warning"]
    assert "search: ROAS 25.0 is implausibly high" in checks[0]["message"]
    assert "tv gets 80% of spend" in checks[1]["message"] and "ROAS 0.01" in checks[1]["message"]


# ------------------------------------------------------------------- PyTensor twins of the transforms
@pytest.mark.slow
def test_lag_weights_match_numpy():
    alpha, shape, scale = pt.vector(), pt.vector(), pt.vector()
    geometric = ops.lag_weights("geometric", {"alpha": alpha}, 9)
    f = pytensor.function([alpha, shape, scale], [geometric, ops.weibull_cdf_weights(shape, scale, 9)])
    a, k, s = np.array([0.0, 0.3, 0.85]), np.array([0.5, 1.0, 2.5]), np.array([0.0, 0.2, 0.5])
    geometric, weibull = f(a, k, s)
    np.testing.assert_allclose(geometric, geometric_weights(a, 9, normalize=True), rtol=1e-12)
    np.testing.assert_allclose(weibull, weibull_weights(k, s, 9, kind="cdf", normalize=True), rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["NUMBA", "FAST_RUN"])
@pytest.mark.parametrize("saturation", ["hill", "logistic"])
def test_saturated_adstock_matches_numpy_and_its_gradient_is_right(mode, saturation):
    rng = np.random.default_rng(3)
    spend = rng.gamma(2.0, 0.5, size=(30, 3))
    spend[4:12, 1] = 0.0  # a dark period: Hill is 0 there and its gradient must stay finite
    alpha, first, second = pt.vector(), pt.vector(), pt.vector()
    weights = ops.geometric_weights(alpha, 5)
    saturated = ops.saturated_adstock(spend, weights, saturation, first, second if saturation == "hill" else None)
    upstream = rng.normal(size=spend.shape)
    objective = (saturated * upstream).sum()
    inputs = [alpha, first, second]
    values = pytensor.function(inputs, [saturated, objective], mode=mode, on_unused_input="ignore")
    gradient = pytensor.function(inputs, pytensor.grad(objective, inputs, disconnected_inputs="ignore"), mode=mode)
    point = [np.array([0.2, 0.5, 0.8]), np.array([0.1, -0.4, 0.3]), np.array([0.7, 1.5, 2.5])]
    carried = convolve_lags(spend, geometric_weights(point[0], 5, normalize=True))
    if saturation == "hill":
        expected = hill_saturation(carried, np.exp(point[1]), point[2])
    else:
        expected = logistic_saturation(carried, point[1] + 1.0)
        point[1] = point[1] + 1.0
    np.testing.assert_allclose(values(*point)[0], expected, rtol=1e-12, atol=1e-15)
    analytic = gradient(*point)
    assert all(np.isfinite(g).all() for g in analytic)
    for i in range(2 if saturation == "logistic" else 3):
        numeric = np.zeros(3)
        for c in range(3):
            up, down = [p.copy() for p in point], [p.copy() for p in point]
            up[i][c] += 1e-6
            down[i][c] -= 1e-6
            numeric[c] = (values(*up)[1] - values(*down)[1]) / 2e-6
        np.testing.assert_allclose(analytic[i], numeric, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------------- options and machinery
def test_bad_options_are_refused_before_sampling(demo):
    frame, roles = demo
    for options, match in [
        ({"adstock": "weibull_pdf"}, "adstock must be one of geometric, weibull_cdf; got 'weibull_pdf'"),
        ({"saturation": "tanh"}, "saturation must be one of hill, logistic"),
        ({"draws": 0}, "draws"),
        ({"chains": 1.5}, "chains"),
    ]:
        with pytest.raises(ValueError, match=match):
            BayesianMMM(**options).fit(frame.head(120), roles)


@pytest.mark.slow
def test_same_shape_reuses_the_compiled_graph(fitted):
    keys = set(sampling.COMPILED)
    assert keys, "the fixture's fit should have compiled the graph in this process"
    assert any(key[:3] == ("geometric", "hill", 14) for key in keys)


@pytest.mark.slow
def test_an_interrupted_sampler_stops_its_threads(fitted, demo):
    frame, roles = demo
    model = BayesianMMM(draws=100_000, tune=100, random_state=2, cv_folds=0)

    def interrupt(fraction, message):
        if message.startswith("Sampling"):
            raise KeyboardInterrupt  # what a cancelled job sees

    with pytest.raises(KeyboardInterrupt):
        model.fit(frame, roles, progress=interrupt)
    before = os.times()
    time.sleep(1.0)
    after = os.times()
    assert (after.user - before.user) < 0.3  # nothing is still sampling in the background


def test_importing_the_model_loads_no_sampler():
    code = (
        "import sys, models, models.families.bayesian; "
        "heavy = [m for m in ('pymc', 'pytensor', 'nutpie', 'arviz') if m in sys.modules]; "
        "sys.exit(len(heavy))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=os.getcwd(), timeout=60).returncode == 0


def test_the_graph_has_a_twin_of_every_curve_the_family_offers():
    """The numpy curves (models.curves), the PyTensor twins (ops) and the priors (sampling) share their names."""
    assert set(bayesian.ADSTOCKS) == set(ops.LAG_WEIGHTS) == set(sampling.ADSTOCK_PRIORS) <= set(ADSTOCKS)
    assert set(bayesian.SATURATIONS) == set(ops.SATURATIONS) == set(sampling.SATURATION_PRIORS) <= set(SATURATIONS)


@pytest.mark.slow
def test_the_posterior_holds_the_curves_parameters_under_their_registry_names(fitted):
    names = {*lookup_adstock(fitted.adstock).parameters, *lookup_saturation(fitted.saturation).parameters}
    assert names <= set(fitted.posterior_), sorted(fitted.posterior_)
    assert all(fitted.posterior_[name].shape == fitted.posterior_["roas"].shape for name in names)
