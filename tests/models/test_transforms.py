"""The curves (models.transforms) against values computed by hand, and their registry by name (models.curves)."""

import numpy as np
import pytest

from models.curves import ADSTOCKS, SATURATIONS, choices, lookup_adstock, lookup_saturation
from models.transforms import (
    convolve_lags,
    geometric_adstock,
    geometric_weights,
    hill_saturation,
    logistic_saturation,
    weibull_adstock,
    weibull_weights,
)


def _adstock_by_recursion(x, alpha):
    """Reference: y_t = x_t + alpha * y_{t-1}, one period at a time."""
    x = np.asarray(x, dtype=float)
    out, carry = np.zeros_like(x), np.zeros(x.shape[1:])
    for t in range(x.shape[0]):
        carry = x[t] + alpha * carry
        out[t] = carry
    return out


def test_adstock_impulse_decays_geometrically():
    np.testing.assert_allclose(geometric_adstock([1, 0, 0], 0.5), [1, 0.5, 0.25])


def test_adstock_hand_computed_series():
    # y = [2, 1 + 0.5*2, 0 + 0.5*2, 4 + 0.5*1]
    np.testing.assert_allclose(geometric_adstock([2, 1, 0, 4], 0.5), [2, 2, 1, 4.5])


def test_adstock_l_max_cuts_the_tail():
    np.testing.assert_allclose(geometric_adstock([1, 0, 0, 0], 0.5, l_max=2), [1, 0.5, 0, 0])
    # lag 0 only: no carry-over at all
    np.testing.assert_allclose(geometric_adstock([3, 1, 2], 0.9, l_max=1), [3, 1, 2])


def test_adstock_normalize_divides_by_weight_sum():
    # weights 1, 0.5 -> sum 1.5
    np.testing.assert_allclose(geometric_adstock([3, 0, 0], 0.5, l_max=2, normalize=True), [2, 1, 0])
    # unbounded: weights sum to 1 / (1 - alpha) = 2
    np.testing.assert_allclose(geometric_adstock([1, 0, 0], 0.5, normalize=True), [0.5, 0.25, 0.125])


def test_normalized_adstock_of_constant_converges_to_the_constant():
    y = geometric_adstock(np.full(400, 7.0), 0.9, normalize=True)
    assert y[-1] == pytest.approx(7.0, rel=1e-12)
    # y_t = 7 * (1 - 0.9^(t+1)): rises towards 7 and never overshoots it
    np.testing.assert_allclose(y[:3], 7 * (1 - 0.9 ** np.arange(1, 4)))
    assert np.all(np.diff(y) >= 0) and np.all(y <= 7.0 + 1e-12)


def test_adstock_alpha_zero_is_identity():
    x = np.array([5.0, 0.0, 2.0, 1.0])
    np.testing.assert_array_equal(geometric_adstock(x, 0.0), x)


def test_adstock_per_channel_alpha_on_2d_input():
    x = np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 2.0]])
    expected = np.array([[1.0, 1.0], [0.5, 0.2], [0.25, 2.04]])
    np.testing.assert_allclose(geometric_adstock(x, [0.5, 0.2]), expected)
    np.testing.assert_allclose(geometric_adstock(x, [0.5, 0.2], l_max=2), [[1, 1], [0.5, 0.2], [0, 2]])


@pytest.mark.parametrize("length", [1, 2, 3, 17, 64, 65, 1096])
def test_unbounded_adstock_matches_the_recursion(length):
    rng = np.random.default_rng(length)
    x = rng.gamma(2.0, 100.0, size=(length, 3))
    alpha = np.array([0.0, 0.55, 0.97])
    np.testing.assert_allclose(geometric_adstock(x, alpha), _adstock_by_recursion(x, alpha), rtol=1e-10)


def test_long_l_max_equals_unbounded():
    x = np.random.default_rng(1).random((50, 2))
    np.testing.assert_allclose(geometric_adstock(x, [0.3, 0.8], l_max=50), geometric_adstock(x, [0.3, 0.8]))


def test_adstock_does_not_modify_its_input():
    x = np.array([1.0, 2.0, 3.0])
    geometric_adstock(x, 0.5)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("alpha", [-0.1, 1.0, 1.5, [0.2, 1.0]])
def test_adstock_rejects_alpha_outside_unit_interval(alpha):
    with pytest.raises(ValueError, match="alpha"):
        geometric_adstock(np.ones((3, 2)), alpha)


def test_adstock_rejects_bad_l_max_and_shapes():
    with pytest.raises(ValueError, match="l_max"):
        geometric_adstock([1, 2], 0.5, l_max=0)
    with pytest.raises(ValueError, match="alpha"):
        geometric_adstock(np.ones((3, 2)), [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="alpha"):
        geometric_adstock(np.ones(3), [0.1, 0.2])


def test_hill_hand_computed_values():
    np.testing.assert_allclose(hill_saturation([0.0, 2.0, 4.0], 2.0, 1.0), [0, 0.5, 2 / 3])
    # s = 2: 4^2 / (4^2 + 2^2) = 0.8
    assert hill_saturation(4.0, 2.0, 2.0) == pytest.approx(0.8)
    assert hill_saturation(np.inf, 2.0, 2.0) == 1.0


def test_hill_is_half_at_half_saturation_per_channel():
    half = np.array([100.0, 2500.0, 7.0])
    out = hill_saturation(np.tile(half, (4, 1)), half, [0.5, 1.0, 3.0])
    np.testing.assert_allclose(out, 0.5)


def test_hill_increases_from_zero_towards_one():
    x = np.linspace(0, 1e5, 2001)[:, None]
    y = hill_saturation(x, [500.0, 3000.0], [0.7, 2.5])
    assert np.all(y[0] == 0)
    assert np.all(np.diff(y, axis=0) > 0)
    assert np.all(y < 1) and np.all(y[-1] > 0.9)


@pytest.mark.parametrize(("half", "slope"), [(0.0, 1.0), (-1.0, 1.0), (1.0, 0.0), (1.0, -2.0)])
def test_hill_rejects_non_positive_parameters(half, slope):
    with pytest.raises(ValueError):
        hill_saturation([1.0, 2.0], half, slope)


def test_hill_rejects_negative_input():
    with pytest.raises(ValueError, match="non-negative"):
        hill_saturation([-1.0, 2.0], 1.0, 1.0)


def test_logistic_hand_computed_values():
    assert logistic_saturation(0.0, 3.0) == 0.0
    e = np.exp(-2.0)  # lam * x = 2
    assert logistic_saturation(1.0, 2.0) == pytest.approx((1 - e) / (1 + e))
    assert logistic_saturation(1e6, 1.0) == 1.0


def test_logistic_per_channel_and_increasing():
    x = np.linspace(0, 5, 501)[:, None]
    y = logistic_saturation(x, [0.5, 4.0])
    assert np.all(np.diff(y, axis=0) > 0)
    e = np.exp(-np.array([0.5, 4.0]))
    np.testing.assert_allclose(y[100], (1 - e) / (1 + e))  # x = 1
    assert y[-1, 1] > y[-1, 0]


@pytest.mark.parametrize("lam", [0.0, -1.0, [1.0, 0.0]])
def test_logistic_rejects_non_positive_lam(lam):
    with pytest.raises(ValueError, match="lam"):
        logistic_saturation(np.ones((2, 2)), lam)


def test_geometric_weights_hand_computed_and_normalised():
    np.testing.assert_allclose(geometric_weights(0.5, 3), [1, 0.5, 0.25])
    np.testing.assert_allclose(geometric_weights([0.5, 0.0], 3, normalize=True), [[4 / 7, 1], [2 / 7, 0], [1 / 7, 0]])


def test_convolving_geometric_weights_is_the_geometric_adstock():
    np.testing.assert_allclose(convolve_lags([1.0, 2.0, 3.0], [1.0, 0.5]), [1, 2.5, 4])
    x = np.random.default_rng(3).random((40, 2))
    np.testing.assert_allclose(
        convolve_lags(x, geometric_weights([0.3, 0.8], 6)), geometric_adstock(x, [0.3, 0.8], l_max=6)
    )


def test_weibull_cdf_weights_hand_computed():
    # l_max 5, scale 0.5 -> lambda = 1 + 0.5 * 4 = 3; shape 1: w_l = exp(-(1 + ... + l) / 3)
    np.testing.assert_allclose(weibull_weights(1.0, 0.5, 5), np.exp(-np.array([0, 1, 3, 6, 10]) / 3))
    # shape 2, scale 0.25 -> lambda = 2: w_l = exp(-sum_{j<=l} (j/2)^2)
    np.testing.assert_allclose(weibull_weights(2.0, 0.25, 5), np.exp(-np.array([0, 0.25, 1.25, 3.5, 7.5])))


def test_weibull_pdf_weights_hand_computed_and_can_peak_late():
    # shape 1, lambda 3: density (1/3) exp(-x/3) at x = 1..5, min-max scaled
    density = np.exp(-np.arange(1, 6) / 3)
    expected = (density - density[-1]) / (density[0] - density[-1])
    np.testing.assert_allclose(weibull_weights(1.0, 0.5, 5, kind="pdf"), expected)
    # shape 3, lambda 3: density (x/3)^2 exp(-(x/3)^3) peaks at x = 3, i.e. lag 2
    late = weibull_weights(3.0, 0.5, 5, kind="pdf")
    assert np.argmax(late) == 2 and late[2] == 1.0 and late.min() == 0.0


def test_weibull_weights_per_channel_and_normalised():
    both = weibull_weights([1.0, 2.0], [0.5, 0.25], 5, kind="cdf", normalize=True)
    assert both.shape == (5, 2)
    np.testing.assert_allclose(both.sum(axis=0), 1.0)
    np.testing.assert_allclose(both[:, 0], weibull_weights(1.0, 0.5, 5) / weibull_weights(1.0, 0.5, 5).sum())
    # a single lag has nothing to decay: all weight at lag 0
    np.testing.assert_allclose(weibull_weights(2.0, 0.3, 1, kind="pdf"), [1.0])


def test_weibull_adstock_of_an_impulse_is_its_weights():
    impulse = np.zeros((7, 2))
    impulse[0] = 1.0
    out = weibull_adstock(impulse, [1.0, 3.0], [0.5, 0.5], 5, kind="pdf")
    np.testing.assert_allclose(out[:5], weibull_weights([1.0, 3.0], [0.5, 0.5], 5, kind="pdf"))
    np.testing.assert_array_equal(out[5:], 0.0)


def test_normalised_weibull_adstock_of_a_constant_ends_at_the_constant():
    y = weibull_adstock(np.full(30, 4.0), 1.5, 0.3, 10, normalize=True)
    np.testing.assert_allclose(y[9:], 4.0)
    assert np.all(y[:9] < 4.0)


@pytest.mark.parametrize(
    ("shape", "scale", "kind", "match"),
    [(0.0, 0.5, "cdf", "shape"), (1.0, -0.1, "cdf", "scale"), (1.0, 1.5, "pdf", "scale"), (1.0, 0.5, "x", "kind")],
)
def test_weibull_rejects_bad_parameters(shape, scale, kind, match):
    with pytest.raises(ValueError, match=match):
        weibull_weights(shape, scale, 5, kind=kind)


def test_weibull_rejects_bad_l_max_and_shapes():
    with pytest.raises(ValueError, match="l_max"):
        weibull_weights(1.0, 0.5, 0)
    with pytest.raises(ValueError, match="shape"):
        weibull_adstock(np.ones((3, 2)), [1.0, 2.0, 3.0], 0.5, 4)


# ------------------------------------------------------------------------------ the registry by name
def test_registered_curves_are_the_transforms_with_their_parameters():
    x = np.random.default_rng(4).gamma(2.0, 1.0, size=(40, 2))
    params = {"alpha": [0.3, 0.7], "shape": [0.8, 2.0], "scale": [0.1, 0.4]}
    np.testing.assert_allclose(
        lookup_adstock("geometric").apply(x, params, l_max=40), geometric_adstock(x, [0.3, 0.7], 40, normalize=True)
    )
    for kind in ("cdf", "pdf"):
        np.testing.assert_allclose(
            lookup_adstock(f"weibull_{kind}").lag_weights(params, 9, normalize=False),
            weibull_weights([0.8, 2.0], [0.1, 0.4], 9, kind=kind),
        )
    np.testing.assert_allclose(
        lookup_saturation("hill").apply(x, {"half_saturation": [1.0, 2.0], "slope": [1.5, 0.7]}),
        hill_saturation(x, [1.0, 2.0], [1.5, 0.7]),
    )
    np.testing.assert_allclose(lookup_saturation("logistic").apply(x, {"lam": 0.4}), logistic_saturation(x, 0.4))
    assert ADSTOCKS["weibull_pdf"].parameters == ("shape", "scale") and SATURATIONS["logistic"].parameters == ("lam",)


def test_unknown_curve_names_are_refused_in_words():
    with pytest.raises(ValueError, match="adstock must be one of geometric, weibull_cdf, weibull_pdf; got 'delayed'"):
        lookup_adstock("delayed")
    with pytest.raises(ValueError, match="saturation must be one of hill, logistic; got None"):
        lookup_saturation(None)
    with pytest.raises(ValueError, match="adstock must be one of geometric; got 'weibull_cdf'"):
        lookup_adstock("weibull_cdf", allowed=("geometric",))


def test_choices_keep_the_order_asked_for():
    assert choices(SATURATIONS, ("logistic", "hill")) == (("logistic", "Logistic"), ("hill", "Hill"))
