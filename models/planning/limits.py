"""What a plan must respect: per-channel bounds and locks, and the checks of the optimiser's other inputs.

:func:`limits` turns a user's bounds and locks into arrays; :func:`project` puts a plan inside them with a
given total; :func:`check_quantile` checks a cautious plan's percentile.
"""

from __future__ import annotations

import numpy as np

from models.planning.horizon import amount, money


def limits(channels: list[str], bounds, locked) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per channel: the least and most spend per period (``inf``: no maximum) and whether it is locked.

    ``bounds`` maps channel -> (min, max), either None (no bound); ``locked`` maps channel -> spend, which
    becomes both its minimum and maximum. ValueError in words for unknown channels and crossed bounds.
    """
    n = len(channels)
    lo, hi, held = np.zeros(n), np.full(n, np.inf), np.zeros(n, dtype=bool)
    for channel in sorted(set(bounds or {}) | set(locked or {})):
        if channel not in channels:
            raise ValueError(f"Unknown channel {channel!r}; the model's channels are {', '.join(channels)}.")
    for channel, pair in (bounds or {}).items():
        c = channels.index(channel)
        low, high = (None, None) if pair is None else pair
        lo[c] = 0.0 if low is None else amount(low, f"The minimum for {channel}")
        hi[c] = (
            np.inf
            if high is None or (isinstance(high, float) and np.isnan(high))
            else amount(high, f"The maximum for {channel}")
        )
        if lo[c] > hi[c]:
            raise ValueError(f"{channel}: the minimum ({money(lo[c])}) is above the maximum ({money(hi[c])}).")
    for channel, value in (locked or {}).items():
        c = channels.index(channel)
        lo[c] = hi[c] = amount(value, f"The locked spend for {channel}")
        held[c] = True
    return lo, hi, held


def check_quantile(quantile, fitted) -> float | None:
    """``quantile`` as a number in (0, 0.5], and only for a model with intervals; ValueError in words otherwise."""
    if quantile is None:
        return None
    try:
        q = float(quantile)
    except (TypeError, ValueError):
        q = float("nan")
    if not 0 < q <= 0.5:
        raise ValueError(
            "The quantile must be a number above 0 and at most 0.5 (0.1 plans for the 10th percentile of "
            "revenue); leave it out to plan on expected revenue."
        )
    if not fitted.has_intervals:
        raise ValueError(
            "This model has no intervals, so there is no spread of revenue to plan a cautious budget on: run "
            "fitted.estimate_intervals() first (or fit with intervals=True), or plan on expected revenue "
            "(no quantile)."
        )
    return q


def project(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float) -> np.ndarray:
    """The point ``clip(x + t, lo, hi)`` whose sum is ``total`` (bisection on the shift ``t``)."""
    finite_hi = np.where(np.isfinite(hi), hi, total + np.abs(x).max() + 1.0)
    low, high = -np.abs(x).max() - total - 1.0, total + 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if np.clip(x + mid, lo, finite_hi).sum() < total:
            low = mid
        else:
            high = mid
    out = np.clip(x + high, lo, finite_hi)
    free = (out > lo) & (out < finite_hi)
    if free.any():  # remove the bisection's last rounding from the unbounded entries
        out[free] += (total - out.sum()) / free.sum()
    return out
