"""Media transforms: carry-over (adstock) and diminishing returns (saturation).

Every function is pure and vectorised. The time axis is the first axis and,
for 2-D input, the last axis holds channels; parameters broadcast against the
channel axis, so one call transforms every channel with its own parameters::

    spend.shape == (n_periods, n_channels)
    geometric_adstock(spend, alpha=[0.3, 0.6])          # one alpha per channel
    hill_saturation(adstocked, half_saturation=[900, 450], slope=[1.5, 1.0])

Every model family uses these functions, so their results are comparable; :mod:`models.curves`
looks them up by name.

References
----------
Jin, Y., Wang, Y., Sun, Y., Chan, D. and Koehler, J. (2017). *Bayesian Methods
for Media Mix Modeling with Carryover and Shape Effects*. Google Inc.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _channel_parameter(value: ArrayLike, x: np.ndarray, name: str) -> np.ndarray:
    """Return ``value`` as floats that broadcast against one period of ``x``."""
    param = np.asarray(value, dtype=float)
    try:
        fits = np.broadcast_shapes(param.shape, x.shape[1:]) == x.shape[1:]
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} of shape {param.shape} does not match channels {x.shape[1:]}")
    return param


def _check_alpha(alpha: np.ndarray) -> None:
    """Raise ``ValueError`` unless every decay rate lies in ``[0, 1)``."""
    if not np.all((alpha >= 0) & (alpha < 1)):
        raise ValueError(f"alpha must lie in [0, 1), got {alpha}")


def geometric_adstock(
    x: ArrayLike,
    alpha: ArrayLike,
    l_max: int | None = None,
    normalize: bool = False,
) -> np.ndarray:
    r"""Carry media over into later periods with geometrically decaying weights.

    .. math::

        y_t = \frac{1}{W} \sum_{l=0}^{L-1} \alpha^l \, x_{t-l},
        \qquad W = \sum_{l=0}^{L-1} \alpha^l \text{ if normalize else } 1

    Periods before the start count as zero. With ``l_max=None`` the sum is
    unbounded (:math:`L = \infty`), which is the recursion
    :math:`y_t = x_t + \alpha y_{t-1}` and :math:`W = 1/(1-\alpha)`.

    Parameters
    ----------
    x : array_like
        Media input (spend, impressions), shape ``(n_periods,)`` or
        ``(n_periods, n_channels)``. Same units in, same units out.
    alpha : float or array_like
        Decay rate per period in ``[0, 1)``; scalar or one per channel.
        The effect halves after :math:`\ln 0.5 / \ln \alpha` periods.
    l_max : int, optional
        Number of periods the effect lasts (lag 0 included). ``None`` keeps
        every lag.
    normalize : bool, default False
        Divide by the sum of the weights, so a constant input :math:`c` ends
        at :math:`c` (the total effect is spread over time, not multiplied).

    Returns
    -------
    numpy.ndarray
        Adstocked input, same shape as ``x``.

    Raises
    ------
    ValueError
        If ``alpha`` is outside ``[0, 1)``, ``l_max < 1`` or shapes disagree.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        raise ValueError("x must have a time axis")
    alpha = _channel_parameter(alpha, x, "alpha")
    _check_alpha(alpha)
    if l_max is None:
        y = _infinite_geometric_sum(x, alpha)
        weight_sum = 1.0 / (1.0 - alpha)
    else:
        if int(l_max) != l_max or l_max < 1:
            raise ValueError(f"l_max must be a positive integer, got {l_max}")
        y = np.zeros(np.broadcast_shapes(x.shape, alpha.shape))
        for lag in range(min(int(l_max), x.shape[0])):
            y[lag:] += alpha**lag * x[: x.shape[0] - lag]
        weight_sum = np.sum(alpha[..., None] ** np.arange(int(l_max)), axis=-1)
    return y / weight_sum if normalize else y


def _infinite_geometric_sum(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    r"""Solve :math:`y_t = x_t + \alpha y_{t-1}` by a doubling scan.

    After the pass with shift :math:`s = 2^k`, :math:`y_t` holds every lag below
    :math:`2^{k+1}`, so :math:`\lceil \log_2 T \rceil` vectorised passes replace
    the loop over periods (no scipy needed).
    """
    y = np.array(np.broadcast_to(x, np.broadcast_shapes(x.shape, alpha.shape)))
    decay, shift = alpha.copy(), 1
    while shift < y.shape[0]:
        y[shift:] += decay * y[:-shift]
        decay, shift = decay * decay, 2 * shift
    return y


def hill_saturation(x: ArrayLike, half_saturation: ArrayLike, slope: ArrayLike) -> np.ndarray:
    r"""Hill curve: the share of the maximum effect reached at input ``x``.

    .. math::

        h(x) = \frac{x^s}{x^s + K^s} = \frac{1}{1 + (K / x)^s}

    :math:`h(0) = 0`, :math:`h(K) = 1/2`, :math:`h` increases and tends to 1.
    ``slope`` :math:`s > 1` gives an S-shaped curve (a threshold before
    spend works); :math:`s \le 1` gives diminishing returns from the start.

    Parameters
    ----------
    x : array_like
        Non-negative input, usually adstocked spend, last axis = channels.
    half_saturation : float or array_like
        :math:`K > 0`, the input giving half the maximum effect, in the units
        of ``x``; scalar or one per channel.
    slope : float or array_like
        Shape :math:`s > 0`; scalar or one per channel.

    Returns
    -------
    numpy.ndarray
        Values in ``[0, 1)``, shape of ``x`` broadcast with the parameters.

    Raises
    ------
    ValueError
        If ``x`` is negative, ``half_saturation <= 0`` or ``slope <= 0``.
    """
    x = np.asarray(x, dtype=float)
    half = np.asarray(half_saturation, dtype=float)
    slope = np.asarray(slope, dtype=float)
    if not np.all(half > 0):
        raise ValueError(f"half_saturation must be > 0, got {half}")
    if not np.all(slope > 0):
        raise ValueError(f"slope must be > 0, got {slope}")
    if np.any(x < 0):
        raise ValueError("hill_saturation needs non-negative input")
    with np.errstate(divide="ignore", over="ignore"):
        return 1.0 / (1.0 + (half / x) ** slope)


def logistic_saturation(x: ArrayLike, lam: ArrayLike) -> np.ndarray:
    r"""Logistic saturation as used by PyMC-Marketing.

    .. math::

        f(x) = \frac{1 - e^{-\lambda x}}{1 + e^{-\lambda x}}
             = \tanh\left(\frac{\lambda x}{2}\right)

    :math:`f(0) = 0`, it increases with slope :math:`\lambda/2` at 0 and tends
    to 1. Computed through ``tanh``, which cannot overflow.

    Parameters
    ----------
    x : array_like
        Input, usually adstocked and scaled media, last axis = channels.
    lam : float or array_like
        Steepness :math:`\lambda > 0` in inverse units of ``x``; scalar or one
        per channel.

    Returns
    -------
    numpy.ndarray
        Values in ``(-1, 1)`` (``[0, 1)`` for non-negative ``x``).

    Raises
    ------
    ValueError
        If ``lam <= 0``.
    """
    x = np.asarray(x, dtype=float)
    lam = np.asarray(lam, dtype=float)
    if not np.all(lam > 0):
        raise ValueError(f"lam must be > 0, got {lam}")
    return np.tanh(lam * x / 2.0)


def geometric_weights(alpha: ArrayLike, l_max: int, normalize: bool = False) -> np.ndarray:
    r"""Lag weights of the geometric adstock, :math:`w_l = \alpha^l` for :math:`l = 0, \dots, L-1`.

    With ``normalize`` they are divided by :math:`\sum_l \alpha^l`, so they sum to 1 (the share of a
    period's effect felt ``l`` periods later). ``geometric_adstock(x, alpha, l_max)`` equals the
    convolution of ``x`` with these weights.

    Parameters
    ----------
    alpha : float or array_like
        Decay rate per period in ``[0, 1)``; scalar or one per channel.
    l_max : int
        Number of lags :math:`L \ge 1` (lag 0 included).
    normalize : bool, default False
        Divide by the sum of the weights.

    Returns
    -------
    numpy.ndarray
        Shape ``(l_max,) + alpha.shape``: lag first, channels last.
    """
    alpha = np.asarray(alpha, dtype=float)
    _check_alpha(alpha)
    _check_l_max(l_max)
    weights = alpha[None, ...] ** np.arange(int(l_max)).reshape((-1,) + (1,) * alpha.ndim)
    return weights / weights.sum(axis=0) if normalize else weights


def weibull_weights(
    shape: ArrayLike, scale: ArrayLike, l_max: int, kind: str = "cdf", normalize: bool = False
) -> np.ndarray:
    r"""Lag weights of Robyn's Weibull adstock (``adstock_weibull`` in Meta's Robyn).

    The Weibull scale is set relative to the window, :math:`\lambda = 1 + \text{scale}\,(L - 1)` (the
    ``scale`` quantile of :math:`1, \dots, L`), and with :math:`k` = ``shape``, for lags
    :math:`l = 0, \dots, L-1`:

    .. math::

        \text{cdf:}\quad w_l = \prod_{j=1}^{l} \bigl(1 - F(j)\bigr)
                             = \exp\Bigl(-\sum_{j=1}^{l} (j/\lambda)^k\Bigr), \qquad w_0 = 1

        \text{pdf:}\quad g_l = f(l + 1), \qquad w_l = \frac{g_l - \min g}{\max g - \min g}

    with :math:`F(x) = 1 - e^{-(x/\lambda)^k}` and :math:`f(x) = \frac{k}{\lambda}
    (x/\lambda)^{k-1} e^{-(x/\lambda)^k}` the Weibull CDF and PDF. The cdf kind decays at a rate that
    changes over time (peak at lag 0); the pdf kind can peak later (a delayed effect), for
    :math:`k > 1`. If ``g`` is constant the pdf weights are :math:`(1, 0, \dots, 0)`.
    Unlike Robyn, :math:`\lambda` is not rounded to an integer, so the weights change smoothly with
    ``scale``; Robyn's window is the whole series, here it is ``l_max``.

    Parameters
    ----------
    shape : float or array_like
        :math:`k > 0`; scalar or one per channel.
    scale : float or array_like
        Position of :math:`\lambda` in the window, in ``[0, 1]``; scalar or one per channel.
    l_max : int
        Number of lags :math:`L \ge 1` (lag 0 included).
    kind : {"cdf", "pdf"}
        Which Weibull function shapes the decay.
    normalize : bool, default False
        Divide by the sum of the weights, so they sum to 1.

    Returns
    -------
    numpy.ndarray
        Shape ``(l_max,) + broadcast(shape, scale).shape``: lag first, channels last.

    References
    ----------
    Meta Robyn, ``R/R/transformation.R``, ``adstock_weibull``.
    """
    k, scale = np.broadcast_arrays(np.asarray(shape, dtype=float), np.asarray(scale, dtype=float))
    if not np.all(k > 0):
        raise ValueError(f"shape must be > 0, got {k}")
    if not np.all((scale >= 0) & (scale <= 1)):
        raise ValueError(f"scale must lie in [0, 1], got {scale}")
    if kind not in ("cdf", "pdf"):
        raise ValueError(f"kind must be 'cdf' or 'pdf', got {kind!r}")
    _check_l_max(l_max)
    lam = 1.0 + scale * (int(l_max) - 1)
    step = np.arange(1, int(l_max) + 1, dtype=float).reshape((-1,) + (1,) * k.ndim) / lam
    if kind == "cdf":
        hazard = np.cumsum(step**k, axis=0)[:-1]
        weights = np.exp(-np.concatenate([np.zeros((1,) + k.shape), hazard]))
    else:
        density = k / lam * step ** (k - 1) * np.exp(-(step**k))
        low, high = density.min(axis=0), density.max(axis=0)
        flat = np.zeros_like(density)
        flat[0] = 1.0
        weights = np.where(high > low, (density - low) / np.where(high > low, high - low, 1.0), flat)
    return weights / weights.sum(axis=0) if normalize else weights


def weibull_adstock(
    x: ArrayLike,
    shape: ArrayLike,
    scale: ArrayLike,
    l_max: int,
    kind: str = "cdf",
    normalize: bool = False,
) -> np.ndarray:
    r"""Carry media over with Robyn's Weibull lag weights (see :func:`weibull_weights`).

    .. math::

        y_t = \frac{1}{W} \sum_{l=0}^{L-1} w_l \, x_{t-l},
        \qquad W = \sum_{l} w_l \text{ if normalize else } 1

    Periods before the start count as zero.

    Parameters
    ----------
    x : array_like
        Media input, shape ``(n_periods,)`` or ``(n_periods, n_channels)``; same units out.
    shape, scale : float or array_like
        Weibull shape :math:`k > 0` and relative scale in ``[0, 1]``; scalar or one per channel.
    l_max : int
        Number of periods the effect lasts (lag 0 included).
    kind : {"cdf", "pdf"}
        Weibull survival (decay only) or density (can peak after lag 0).
    normalize : bool, default False
        Use weights summing to 1, so a constant input :math:`c` ends at :math:`c`.

    Returns
    -------
    numpy.ndarray
        Adstocked input, shape of ``x`` broadcast with the parameters.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        raise ValueError("x must have a time axis")
    shape = _channel_parameter(shape, x, "shape")
    scale = _channel_parameter(scale, x, "scale")
    return convolve_lags(x, weibull_weights(shape, scale, l_max, kind, normalize))


def convolve_lags(x: ArrayLike, weights: ArrayLike) -> np.ndarray:
    r"""Apply lag weights per channel: :math:`y_t = \sum_{l=0}^{L-1} w_l\, x_{t-l}` (zero before the start).

    ``weights`` has the lag on its first axis and broadcasts against one period of ``x``.
    """
    x = np.asarray(x, dtype=float)
    weights = np.asarray(weights, dtype=float)
    y = np.zeros(np.broadcast_shapes(x.shape, weights.shape[1:]))
    for lag in range(min(weights.shape[0], x.shape[0])):
        y[lag:] += weights[lag] * x[: x.shape[0] - lag]
    return y


def _check_l_max(l_max: int) -> None:
    """Raise ``ValueError`` unless ``l_max`` is a positive integer."""
    if int(l_max) != l_max or l_max < 1:
        raise ValueError(f"l_max must be a positive integer, got {l_max}")
