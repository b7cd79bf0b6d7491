r"""PyTensor twins of :mod:`models.transforms`, for the graph of the Bayesian model.

Same formulas, same parameter meaning, same axis layout (time first, channels last), so a posterior draw
plugged into the numpy functions reproduces the model's mean; ``tests/models/families/test_bayesian.py``
checks each twin against its numpy original. The twins are registries keyed by the names of
:mod:`models.curves` (:data:`LAG_WEIGHTS`, :data:`SATURATIONS`). Imports PyTensor at module level: import
this module only where PyTensor is needed (inside the Bayesian model's sampling), never at web-app start-up.

The lag weights are ordinary PyTensor expressions (small: ``l_max x channels``). Adstock and saturation
of every period, where nearly all the work is, form one operation, :class:`SaturatedAdstock`:

.. math::

    a_{t,c} = \sum_{l=0}^{L-1} w_{l,c}\, x_{t-l,c} \quad (x = 0 \text{ before the start}), \qquad
    s_{t,c} = h(a_{t,c})

with :math:`h` the Hill curve :math:`\sigma\bigl(k (\log a - \log K)\bigr) = a^k / (a^k + K^k)` (0 at
:math:`a = 0`) or the logistic :math:`\tanh(\lambda a / 2)`. Its numba implementation makes one pass over
the data and returns the partial derivatives with the values, so the gradient costs one more pass (the
transposed convolution) and no second evaluation of ``log``/``exp``. Measured on 5,000 days x 6 channels,
14 lags, value and gradient of the whole model: about 2x faster than the same maths as separate
PyTensor operations.
"""

from __future__ import annotations

import hashlib
import inspect

import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import DisconnectedType, grad_not_implemented
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.link.numba.dispatch import basic as numba_basic

from models.curves import lookup, lookup_adstock


def geometric_weights(alpha, l_max: int):
    r"""Normalised geometric lag weights :math:`\alpha^l / \sum_j \alpha^j`, shape ``(l_max, n_channels)``."""
    lags = pt.arange(int(l_max), dtype="float64")[:, None]
    weights = pt.power(alpha[None, :], lags)
    return weights / weights.sum(axis=0, keepdims=True)


def weibull_cdf_weights(shape, scale, l_max: int):
    r"""Normalised Weibull-survival lag weights (:func:`models.transforms.weibull_weights`, ``kind="cdf"``).

    :math:`\lambda = 1 + \text{scale}\,(L-1)`, :math:`w_l = \exp(-\sum_{j=1}^{l} (j/\lambda)^k)`, then
    divided by their sum.
    """
    lam = 1.0 + scale * (int(l_max) - 1)
    step = pt.arange(1, int(l_max) + 1, dtype="float64")[:, None] / lam[None, :]
    hazard = pt.cumsum(pt.power(step, shape[None, :]), axis=0)[:-1]
    weights = pt.exp(-pt.concatenate([pt.zeros_like(hazard[:1]), hazard], axis=0))
    return weights / weights.sum(axis=0, keepdims=True)


LAG_WEIGHTS = {"geometric": geometric_weights, "weibull_cdf": weibull_cdf_weights}  # by models.curves name


def lag_weights(adstock: str, params: dict, l_max: int):
    """Normalised lag weights ``(l_max, n_channels)`` of the adstock named ``adstock``.

    ``params`` maps the curve's parameter names (:data:`models.curves.ADSTOCKS`) to per-channel tensors.
    """
    weights = lookup(LAG_WEIGHTS, adstock, "adstock")
    return weights(*(params[name] for name in lookup_adstock(adstock).parameters), l_max)


def saturated_adstock(spend, weights, saturation: str, first, second=None):
    """Saturated adstock ``(time, channels)`` of scaled ``spend`` with lag ``weights`` ``(l_max, channels)``.

    ``first``/``second`` are the saturation's per-channel parameters: ``log K`` and the slope for
    ``"hill"``, :math:`\\lambda` for ``"logistic"`` (no second).
    """
    second = pt.as_tensor_variable(np.zeros(1)) if second is None else second
    return SaturatedAdstock(saturation)(spend, weights, first, second)[0]


# --------------------------------------------------------------------------- the numpy reference
def hill_with_gradient(carried, log_half, slope):
    """Hill curve and its partial derivatives (by adstocked spend, ``log K``, slope), each ``(T, C)``."""
    positive = carried > 0
    log_ratio = np.log(np.where(positive, carried, 1.0)) - log_half
    value = np.where(positive, 1.0 / (1.0 + np.exp(-slope * log_ratio)), 0.0)
    change = value * (1.0 - value)
    by_carried = np.where(positive, slope * change / np.where(positive, carried, 1.0), 0.0)
    return value, by_carried, np.where(positive, -slope * change, 0.0), np.where(positive, log_ratio * change, 0.0)


def logistic_with_gradient(carried, lam, unused):
    """Logistic curve and its partial derivatives (by adstocked spend, lambda, and 0 for no second)."""
    value = np.tanh(lam * carried / 2.0)
    change = (1.0 - value**2) / 2.0
    return value, lam * change, carried * change, np.zeros_like(value)


SATURATIONS = {"hill": hill_with_gradient, "logistic": logistic_with_gradient}  # by models.curves name


def saturated_adstock_numpy(saturation, spend, weights, first, second):
    """Values and partial derivatives (by adstocked spend, first and second parameter), each ``(T, C)``."""
    carried = np.zeros_like(spend)
    for lag in range(min(len(weights), len(spend))):
        carried[lag:] += weights[lag] * spend[: len(spend) - lag]
    return SATURATIONS[saturation](carried, first, second)


def lag_transpose_numpy(spend, grad, l_max):
    """``out[l, c] = sum_t grad[t, c] * spend[t - l, c]``: the adstock's gradient with respect to its weights."""
    out = np.zeros((l_max, spend.shape[1]))
    for lag in range(min(l_max, len(spend))):
        out[lag] = (grad[lag:] * spend[: len(spend) - lag]).sum(axis=0)
    return out


# ------------------------------------------------------------------------------- the operations
class SaturatedAdstock(Op):
    """Outputs: saturated adstock and its partial derivatives (adstocked spend, first, second parameter)."""

    __props__ = ("saturation",)

    def __init__(self, saturation: str):
        lookup(SATURATIONS, saturation, "saturation")
        self.saturation = saturation

    def make_node(self, spend, weights, first, second):
        inputs = [pt.as_tensor_variable(v).astype("float64") for v in (spend, weights, first, second)]
        return Apply(self, inputs, [pt.matrix(dtype="float64") for _ in range(4)])

    def perform(self, node, inputs, outputs):
        for storage, value in zip(outputs, saturated_adstock_numpy(self.saturation, *inputs)):
            storage[0] = value

    def connection_pattern(self, node):
        return [[False] * 4, *[[True] * 4] * 3]  # spend is data: no gradient flows to it

    def grad(self, inputs, output_grads):
        spend, weights, first, second = inputs
        value_grad = output_grads[0]
        if any(not isinstance(g.type, DisconnectedType) for g in output_grads[1:]):
            return [grad_not_implemented(self, i, v) for i, v in enumerate(inputs)]
        _, by_carried, by_first, by_second = self(*inputs)
        by_weights = LagTranspose()(spend, value_grad * by_carried, weights)
        return [
            DisconnectedType()(),
            by_weights,
            (value_grad * by_first).sum(axis=0),
            (value_grad * by_second).sum(axis=0),
        ]


class LagTranspose(Op):
    """``out[l, c] = sum_t grad[t, c] * spend[t - l, c]``, shaped like ``weights`` (only its shape is used)."""

    __props__ = ()

    def make_node(self, spend, grad, weights):
        inputs = [pt.as_tensor_variable(v).astype("float64") for v in (spend, grad, weights)]
        return Apply(self, inputs, [pt.matrix(dtype="float64")])

    def perform(self, node, inputs, outputs):
        spend, grad, weights = inputs
        outputs[0][0] = lag_transpose_numpy(spend, grad, len(weights))

    def grad(self, inputs, output_grads):
        return [grad_not_implemented(self, i, v) for i, v in enumerate(inputs)]


# ------------------------------------------------------------------------- numba implementations
@numba_basic.register_funcify_default_op_cache_key(SaturatedAdstock)
def _numba_saturated_adstock(op, node=None, **kwargs):
    """Channel by channel, in simple loops over time that the compiler can vectorise.

    The two curves are two branches of this one kernel (``hill`` is a constant when numba compiles it),
    so the source that keys PyTensor's numba cache (:func:`_source_version`) is all in one function.
    """
    hill = op.saturation == "hill"

    @numba_basic.numba_njit
    def saturated_adstock_numba(spend, weights, first, second):
        n_rows, n_channels = spend.shape
        value = np.zeros((n_rows, n_channels))
        by_carried, by_first, by_second = np.zeros_like(value), np.zeros_like(value), np.zeros_like(value)
        carried, log_ratio, power = np.empty(n_rows), np.empty(n_rows), np.empty(n_rows)
        for c in range(n_channels):
            x = np.ascontiguousarray(spend[:, c])
            carried[:] = 0.0
            for lag in range(min(weights.shape[0], n_rows)):
                w = weights[lag, c]
                for t in range(lag, n_rows):
                    carried[t] += w * x[t - lag]
            if hill:
                for t in range(n_rows):
                    log_ratio[t] = np.log(max(carried[t], 1e-300)) - first[c]
                for t in range(n_rows):
                    power[t] = np.exp(-second[c] * log_ratio[t])
                for t in range(n_rows):
                    if carried[t] > 0.0:
                        h = 1.0 / (1.0 + power[t])
                        slope = h * (1.0 - h)
                        value[t, c] = h
                        by_carried[t, c] = second[c] * slope / carried[t]
                        by_first[t, c] = -second[c] * slope
                        by_second[t, c] = log_ratio[t] * slope
            else:
                for t in range(n_rows):
                    power[t] = np.exp(-first[c] * carried[t])
                for t in range(n_rows):
                    h = (1.0 - power[t]) / (1.0 + power[t])  # tanh(lam a / 2); numba's tanh is slower
                    slope = (1.0 - h * h) / 2.0
                    value[t, c] = h
                    by_carried[t, c] = first[c] * slope
                    by_first[t, c] = carried[t] * slope
        return value, by_carried, by_first, by_second

    return saturated_adstock_numba, _source_version(_numba_saturated_adstock)


@numba_basic.register_funcify_default_op_cache_key(LagTranspose)
def _numba_lag_transpose(op, node=None, **kwargs):
    @numba_basic.numba_njit
    def lag_transpose_numba(spend, grad, weights):
        n_rows, n_channels = spend.shape
        out = np.zeros(weights.shape)
        for c in range(n_channels):
            x, g = np.ascontiguousarray(spend[:, c]), np.ascontiguousarray(grad[:, c])
            for lag in range(min(weights.shape[0], n_rows)):
                out[lag, c] = np.dot(g[lag:], x[: n_rows - lag])  # BLAS: about 2x a plain loop
        return out

    return lag_transpose_numba, _source_version(_numba_lag_transpose)


def _source_version(function) -> int:
    """A number that changes with ``function``'s source: part of PyTensor's numba cache key.

    PyTensor keys its on-disk numba cache by the operation's class and properties only, so without this
    an edited kernel would keep running its old compiled version.
    """
    return int(hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:12], 16)
