"""Numbers for charts and tables: short amounts, ratios, and JSON-safe floats."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MISSING_TEXT = "–"


def compact_number(value: float | None) -> str:
    """Short currency-neutral amount: 1.2M, 350k, -4.5k, 12."""
    if value is None or not math.isfinite(value):
        return MISSING_TEXT
    size = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= threshold:
            scaled = value / threshold
            return f"{scaled:.1f}{suffix}" if abs(scaled) < 10 else f"{scaled:.0f}{suffix}"
    return f"{value:.3g}" if size < 1 else f"{value:.0f}"


def ratio(value: float | None) -> str:
    """A ratio such as ROAS with two decimals, or a dash when it is missing."""
    return MISSING_TEXT if value is None or not math.isfinite(value) else f"{value:.2f}"


def finite(values) -> list[float | None]:
    """Floats with NaN and infinities as None, so plotly leaves gaps and the JSON stays strict."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return [float(v) if np.isfinite(v) else None for v in numbers]
