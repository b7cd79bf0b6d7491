"""Numbers for charts and tables: short amounts, ratios, intervals whose ends stay apart, and JSON-safe floats.

Every text here is free of "-0": a value that rounds to zero is shown without a sign.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

MISSING_TEXT = "–"
SUFFIXES = ((1e9, "B"), (1e6, "M"), (1e3, "k"))
MAX_EXTRA_DIGITS = 4  # at most this many digits more than usual to tell an interval's ends apart
NEGATIVE_ZERO = re.compile(r"(?<![\w.])-(?=0(?:\.0+)?(?!\.?\d))")  # "-0", "-0.00" but not "-0.05" or "x-0"


def no_negative_zero(text: str) -> str:
    """``text`` with every "-0" (or "-0.00"...) written as "0", e.g. in a message "adds about -0"."""
    return NEGATIVE_ZERO.sub("", text)


def _is_number(value) -> bool:
    return value is not None and isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value)


def unit_of(values) -> tuple[float, str]:
    """The divisor and suffix (k, M, B) for the largest of ``values``."""
    size = max((abs(v) for v in values), default=0.0)
    return next(((t, s) for t, s in SUFFIXES if size >= t), (1.0, ""))


def _usual_decimals(values: list[float], divisor: float) -> int:
    """The decimals ``compact_number`` uses for the largest value: 1.2M, 35k, 12, 0.123."""
    size = max((abs(v) for v in values), default=0.0) / divisor
    if divisor > 1:
        return 1 if size < 10 else 0
    if size >= 1 or size == 0:
        return 0
    return max(0, 2 - math.floor(math.log10(size)))  # three significant digits below 1


def _fixed(value: float, decimals: int, suffix: str = "", grouped: bool = False) -> str:
    if value == 0 and suffix:  # nothing is 0, not "0k" or "0.0M" beside the amounts of a unit
        return "0"
    text = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
    return no_negative_zero(text) + suffix


def distinct_texts(values, decimals: int, divisor: float = 1.0, suffix: str = "", grouped: bool = False) -> list[str]:
    """``values`` written with ``decimals`` or, where that would make two different values look the same, the
    fewest more (up to MAX_EXTRA_DIGITS) that tell them apart; missing values as a dash."""
    numbers = [float(v) if _is_number(v) else None for v in values]
    present = [v for v in numbers if v is not None]
    spread = max((abs(v) for v in present), default=0.0)
    for places in range(decimals, decimals + MAX_EXTRA_DIGITS + 1):
        texts = [MISSING_TEXT if v is None else _fixed(v / divisor, places, suffix, grouped) for v in numbers]
        if _apart(present, [t for t in texts if t != MISSING_TEXT], spread):
            break
    return texts


def _apart(values: list[float], texts: list[str], spread: float) -> bool:
    """True when values that differ (beyond float noise) got different texts."""
    for i, a in enumerate(values):
        for j in range(i + 1, len(values)):
            if texts[i] == texts[j] and abs(a - values[j]) > 1e-9 * max(spread, 1e-12):
                return False
    return True


def compact_numbers(values) -> list[str]:
    """Amounts in one unit picked by the largest (1.71M, 1.68M, 1.74M): the usual short form, with more
    digits where needed so that values that differ never read the same."""
    present = [float(v) for v in values if _is_number(v)]
    divisor, suffix = unit_of(present)
    return distinct_texts(values, _usual_decimals(present, divisor), divisor, suffix)


def compact_number(value: float | None) -> str:
    """Short currency-neutral amount: 1.2M, 350k, -4.5k, 12."""
    return compact_numbers([value])[0]


def ratio(value: float | None) -> str:
    """A ratio such as ROAS with two decimals, or a dash when it is missing."""
    return ratios([value])[0]


def ratios(values) -> list[str]:
    """Ratios with two decimals, or more where two different values would read the same."""
    return distinct_texts(values, 2)


def interval_text(value, lower=None, upper=None, numbers=compact_numbers) -> str:
    """``1.71M (90%: 1.68M – 1.74M)``: the ends get the digits they need to differ from the value; the value
    alone without an interval, a dash when it is missing."""
    if not _is_number(value):
        return MISSING_TEXT
    if not (_is_number(lower) and _is_number(upper)):
        return numbers([value])[0]
    point, low, high = numbers([value, lower, upper])
    return f"{point} (90%: {low} – {high})"


PERIOD_NAMES = {"daily": ("day", "days"), "weekly": ("week", "weeks")}  # a row of the data, one and many


def period_name(frequency: str | None, plural: bool = False) -> str:
    """A row of the data in words: "day", "weeks"; "period(s)" when the frequency is unknown."""
    return PERIOD_NAMES.get(frequency, ("period", "periods"))[plural]


def one_period(periods: str | None) -> str:
    """The singular of a plural period name: "days" -> "day", "weeks" -> "week"; "period" for anything else."""
    return next((one for one, many in PERIOD_NAMES.values() if many == periods), "period")


def counted(count: int, frequency: str | None) -> str:
    """A number of rows in the data's own words: "110 days", "1 week" ("periods" when the frequency is unknown)."""
    return f"{count} {period_name(frequency, plural=count != 1)}"


def whole(value) -> str:
    """An amount in whole units with thousands separators: 12,345 (never -0)."""
    return distinct_texts([value], 0, grouped=True)[0]


def signed_whole(value) -> str:
    """A change in whole units with its sign: +1,234, -56, 0."""
    text = whole(value)
    return text if text in (MISSING_TEXT, "0") or text.startswith("-") else f"+{text}"


def percent_change(value) -> str:
    """A share with its sign and one decimal: +3.4%, -0.5%, 0.0%."""
    if not _is_number(value):
        return MISSING_TEXT
    text = no_negative_zero(f"{value * 100:.1f}")
    return text + "%" if text.startswith("-") or float(text) == 0 else f"+{text}%"


def finite(values) -> np.ndarray:
    """Floats with infinities and what is not a number as NaN: plotly sends a float array as binary (which
    holds NaN, drawn as a gap) and keeps it as it is, where a list is checked element by element (most of the
    time a chart of daily data took to build)."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(numbers), numbers, np.nan)


def plotted(values, decimals: int = 0) -> np.ndarray:
    """``finite`` values with those that a hover or text template writes with ``decimals`` as zero (%{y:,.0f}:
    0, %{y:.2f}: 2, %{y:.1%}: 3) set to +0.0, so plotly never shows "-0" for a tiny negative such as -0.0001."""
    numbers = finite(values)
    return np.where(np.abs(numbers) < 0.5 * 10.0**-decimals, 0.0, numbers)
