"""Adstock and saturation curves by name: the one registry every model family looks its curves up in.

A family stores the *name* of its carry-over and diminishing-returns curves (``adstock="geometric"``,
``saturation="hill"``) and asks this registry for the curve, as PyMC-Marketing's components do with
``lookup_name``; no model file switches on the names itself. Each entry names its per-channel
parameters, so a family can keep its parameters as ``{name: array}`` and hand them over as they are::

    curve = lookup_saturation("hill")
    curve.parameters                                        # ("half_saturation", "slope")
    curve.apply(carried, {"half_saturation": k, "slope": s})
    lookup_adstock("weibull_cdf").lag_weights({"shape": k, "scale": s}, l_max=28)

The maths lives in :mod:`models.transforms`; the Bayesian family's PyTensor versions are a second
registry keyed by the same names (:mod:`models.families.bayesian.ops`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

from models.transforms import (
    convolve_lags,
    geometric_weights,
    hill_saturation,
    logistic_saturation,
    weibull_weights,
)

Curve = TypeVar("Curve")


@dataclass(frozen=True)
class Adstock:
    """A carry-over curve: lag weights ``(l_max, ...)`` from per-channel ``parameters``.

    ``weights(*parameter values, l_max, normalize=...)`` is the function of :mod:`models.transforms`.
    """

    name: str
    label: str
    parameters: tuple[str, ...]
    weights: Callable[..., np.ndarray]

    def lag_weights(self, params: Mapping[str, ArrayLike], l_max: int, normalize: bool = True) -> np.ndarray:
        """Lag weights, lag first and channels last; normalised (summing to 1) by default."""
        return self.weights(*(params[name] for name in self.parameters), l_max, normalize=normalize)

    def apply(self, x: ArrayLike, params: Mapping[str, ArrayLike], l_max: int, normalize: bool = True) -> np.ndarray:
        r"""Adstocked ``x``: :math:`y_t = \sum_{l<L} w_l x_{t-l}` with this curve's lag weights."""
        return convolve_lags(x, self.lag_weights(params, l_max, normalize))


@dataclass(frozen=True)
class Saturation:
    """A diminishing-returns curve, ``function(x, *parameter values)``, 0 at 0 and increasing."""

    name: str
    label: str
    parameters: tuple[str, ...]
    function: Callable[..., np.ndarray]

    def apply(self, x: ArrayLike, params: Mapping[str, ArrayLike]) -> np.ndarray:
        """The curve at ``x`` with ``params`` (each broadcasting against the channel axis)."""
        return self.function(x, *(params[name] for name in self.parameters))


ADSTOCKS: dict[str, Adstock] = {
    curve.name: curve
    for curve in (
        Adstock("geometric", "Geometric", ("alpha",), geometric_weights),
        Adstock("weibull_cdf", "Weibull CDF", ("shape", "scale"), partial(weibull_weights, kind="cdf")),
        Adstock("weibull_pdf", "Weibull PDF", ("shape", "scale"), partial(weibull_weights, kind="pdf")),
    )
}
SATURATIONS: dict[str, Saturation] = {
    curve.name: curve
    for curve in (
        Saturation("hill", "Hill", ("half_saturation", "slope"), hill_saturation),
        Saturation("logistic", "Logistic", ("lam",), logistic_saturation),
    )
}


def lookup(registry: Mapping[str, Curve], name: str, kind: str, allowed: Sequence[str] | None = None) -> Curve:
    """The curve registered as ``name``; ``allowed`` narrows the names a family supports.

    Raises ValueError in words (``"adstock must be one of geometric, weibull_cdf; got 'delayed'."``).
    """
    names = list(registry if allowed is None else allowed)
    if not isinstance(name, str) or name not in names or name not in registry:
        raise ValueError(f"{kind} must be one of {', '.join(names)}; got {name!r}.")
    return registry[name]


def lookup_adstock(name: str, allowed: Sequence[str] | None = None) -> Adstock:
    """The adstock registered as ``name`` (see :func:`lookup`)."""
    return lookup(ADSTOCKS, name, "adstock", allowed)


def lookup_saturation(name: str, allowed: Sequence[str] | None = None) -> Saturation:
    """The saturation registered as ``name`` (see :func:`lookup`)."""
    return lookup(SATURATIONS, name, "saturation", allowed)


def choices(registry: Mapping[str, Adstock | Saturation], names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``(name, label)`` pairs of ``names``, in that order: a family's option choices."""
    return tuple((name, registry[name].label) for name in names)
