r"""The Bayesian model's maths on posterior draws, in numpy (no PyMC needed to use a fitted model).

A posterior is a dict of arrays, one row per draw: ``roas``, ``beta``, ``intercept``, ``coef``, ``sigma``
and the curves' parameters under the names :mod:`models.curves` gives them (``alpha`` or ``shape`` and
``scale``; ``lam`` or ``half_saturation`` and ``slope``), each ``(D, C)`` per channel. The curves are
looked up by name, so these functions reproduce the graph of :mod:`.sampling` draw by draw.
"""

from __future__ import annotations

import numpy as np

from models.curves import lookup_adstock, lookup_saturation
from models.transforms import convolve_lags

POSTERIOR_DRAWS = 200  # draws kept for every output and in the saved model


def lag_weights(posterior: dict[str, np.ndarray], adstock: str, l_max: int) -> np.ndarray:
    """Normalised adstock weights per draw, ``(l_max, D, C)``."""
    return lookup_adstock(adstock).lag_weights(posterior, l_max)


def carried_spend(spend: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Adstocked scaled spend per period, draw and channel, ``(T, D, C)``, from ``weights`` ``(l_max, D, C)``.

    :func:`models.transforms.convolve_lags` for every draw at once, as one matrix product per channel
    (lagged spend ``(T, l_max)`` times the draws' weights ``(l_max, D)``): about 30x faster than
    broadcasting over the draws.
    """
    l_max = weights.shape[0]
    out = np.empty((len(spend), weights.shape[1], weights.shape[2]))
    for c in range(weights.shape[2]):
        shifted = convolve_lags(spend[:, c : c + 1], np.eye(l_max))  # shifted[t, l] = spend[t - l, c]
        out[:, :, c] = shifted @ weights[:, :, c]
    return out


def saturated(
    carried: np.ndarray, posterior: dict[str, np.ndarray], saturation: str, channel: int | None = None
) -> np.ndarray:
    """The saturation curve of every draw at ``carried``; ``channel`` picks one channel's parameters."""
    curve = lookup_saturation(saturation)
    params = {name: posterior[name] if channel is None else posterior[name][:, channel] for name in curve.parameters}
    return curve.apply(carried, params)


def thin(
    draws: dict[str, np.ndarray], data: dict[str, np.ndarray], adstock: str, saturation: str, l_max: int
) -> dict[str, np.ndarray]:
    r"""``POSTERIOR_DRAWS`` evenly spaced draws, in natural units, with the quantities the graph implies.

    Log-scale parameters are exponentiated (``log_roas`` gives ``roas``); the channel coefficients
    :math:`\beta_c = \text{ROAS}_c \cdot \text{budget}_c / \sum_t s_c(\cdot)_t` and the intercept
    (the level less the centring terms) are computed here, on the fitted rows of ``data`` (the arrays of
    the graph), exactly as in the graph.
    """
    total = len(draws["level"])
    keep = np.unique(np.linspace(0, total - 1, min(POSTERIOR_DRAWS, total)).round().astype(int))
    thinned = {name: np.asarray(value)[keep] for name, value in draws.items()}
    for name in [k for k in thinned if k.startswith("log_")]:
        thinned[name[4:]] = np.exp(thinned.pop(name))
    level = thinned.pop("level")
    carried = carried_spend(data["spend"], lag_weights(thinned, adstock, l_max))
    sums = saturated(carried, thinned, saturation).sum(axis=0)
    thinned["beta"] = thinned["roas"] * data["budget"] / np.maximum(sums, 1e-9)
    media_mean = thinned["roas"] @ data["budget"] / len(data["y"])
    thinned["intercept"] = level - thinned["coef"] @ data["design_mean"] - media_mean
    return thinned
