"""Read numbers as people type them: currency, thousands separators, decimal commas, error markers."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MISSING_MARKERS = frozenset(
    {
        "",
        "na",
        "n/a",
        "n.a.",
        "#n/a",
        "nan",
        "null",
        "none",
        "nil",
        "-",
        "--",
        "—",
        "–",
        "?",
        "#div/0!",
        "#value!",
        "#ref!",
        "#num!",
        "#name?",
        "#null!",
        "#missing",
    }
)
INFINITE_MARKERS = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "∞", "-∞"})
CURRENCY = re.compile(
    r"^(?:[$€£¥₹₩₽¢]|usd|eur|gbp|jpy|chf|cad|aud|inr|sek|nok|dkk|pln|brl|r\$)\s*|"
    r"\s*(?:[$€£¥₹₩₽¢]|usd|eur|gbp|jpy|chf|cad|aud|inr|sek|nok|dkk|pln|brl|kr|zł)$",
    re.I,
)
SPACE_GROUPS = re.compile(r"(?<=\d)[ '\u00a0\u202f\u2009](?=\d{3}(?:\D|$))")
PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
COMMA_DECIMAL = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$")
DOT_DECIMAL = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$")
GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+$")
GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")
SIMPLE_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?"
SIMPLE_COMMA = r"[+-]?\d+(?:,\d+)?"


TextCells = tuple[np.ndarray, pd.Series]


@dataclass
class NumericColumn:
    """A column read as numbers, with where it held missing markers, infinities or text."""

    values: np.ndarray
    missing: list[int] = field(default_factory=list)
    infinite: list[int] = field(default_factory=list)
    text: list[int] = field(default_factory=list)

    @property
    def numeric_count(self) -> int:
        return len(self.values) - len(self.missing) - len(self.infinite) - len(self.text)

    @property
    def is_text(self) -> bool:
        """Mostly words, not numbers: a label column rather than a numeric one with typos."""
        return len(self.text) > self.numeric_count


def clean_number_text(cell: str) -> str:
    """Strip spaces, currency and grouping spaces; turn accounting brackets into a minus sign."""
    text = cell.strip().replace("\u2212", "-")
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1].strip()
    text = CURRENCY.sub("", text).strip()
    if text.startswith("-") or text.startswith("+"):
        text = text[0] + CURRENCY.sub("", text[1:]).strip()
    text = SPACE_GROUPS.sub("", text)
    return "-" + text.lstrip("+") if negative else text


def decimal_votes(cells: list[object]) -> Counter:
    """Count cells that can only be read with a decimal comma or only with a decimal point."""
    votes: Counter = Counter()
    for cell in cells:
        if isinstance(cell, str):
            text = clean_number_text(cell).rstrip("%").strip()
            if COMMA_DECIMAL.match(text):
                votes[","] += 1
            elif DOT_DECIMAL.match(text):
                votes["."] += 1
    return votes


def parse_number(cell: object, decimal: str) -> float | str | None:
    """Return a float, None for a missing marker, or the stripped text when it is not a number."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return float(cell)
    if isinstance(cell, (int, float)):
        return float(cell)
    if isinstance(cell, (dt.date, dt.time, dt.timedelta)):
        return str(cell)
    raw = str(cell).strip()
    if raw.lower() in MISSING_MARKERS:
        return None
    if raw.lower().lstrip("$€£") in INFINITE_MARKERS:
        return math.inf
    text = clean_number_text(raw)
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    if decimal == ",":
        if GROUPED_DOT.match(text) or COMMA_DECIMAL.match(text):
            text = text.replace(".", "").replace(",", ".")
    elif GROUPED_COMMA.match(text) or DOT_DECIMAL.match(text):
        text = text.replace(",", "")
    if PLAIN.match(text):
        return float(text) * scale
    return raw


def column_votes(cells: list[object], prepared: TextCells | None = None) -> Counter:
    """Decimal-mark votes of a column: plain ``12.5`` cells vote for the point, vectorised."""
    texts = (prepared or text_cells(cells))[1]
    if texts.empty:
        return Counter()
    simple = texts.str.fullmatch(SIMPLE_NUMBER).fillna(False).to_numpy(dtype=bool)
    comma = texts.str.fullmatch(r"[+-]?\d+,\d+").fillna(False).to_numpy(dtype=bool)
    votes = decimal_votes(texts[~simple & ~comma].tolist())
    votes["."] += int(texts[simple].str.contains(".", regex=False).sum())
    votes[","] += int(comma.sum())
    return +votes


def read_numeric(cells: list[object], decimal: str, prepared: TextCells | None = None) -> NumericColumn:
    """Parse a column's cells; record the positions of missing, infinite and text cells.

    Plain numbers are converted in one vectorised step; only the rest (currency, separators,
    markers, typos) goes through :func:`parse_number`.
    """
    values = np.full(len(cells), np.nan)
    positions, texts = prepared or text_cells(cells)
    pattern = SIMPLE_NUMBER if decimal == "." else SIMPLE_COMMA
    simple = texts.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool) if len(texts) else np.zeros(0, bool)
    plain = texts[simple] if decimal == "." else texts[simple].str.replace(",", ".", regex=False)
    values[positions[simple]] = pd.to_numeric(plain).to_numpy(dtype=float)
    done = np.zeros(len(cells), dtype=bool)
    done[positions[simple]] = True
    column = NumericColumn(values=values)
    cache: dict[object, float | str | None] = {}
    for i in np.flatnonzero(~done):
        cell = cells[i]
        key = cell if isinstance(cell, str) else None
        parsed = cache[key] if key in cache else parse_number(cell, decimal)
        if key is not None:
            cache[key] = parsed
        if parsed is None or (isinstance(parsed, float) and math.isnan(parsed)):
            column.missing.append(int(i))
        elif isinstance(parsed, str):
            column.text.append(int(i))
        elif math.isinf(parsed):
            column.infinite.append(int(i))
        else:
            values[i] = parsed
    column.missing.sort()
    return column


def text_cells(cells: list[object]) -> TextCells:
    """Positions of the string cells and those strings, stripped, as a fast Arrow-backed series."""
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":  # every cell is text, as in a CSV
        positions, strings = np.arange(len(cells)), cells
    else:
        positions = np.fromiter((i for i, c in enumerate(cells) if isinstance(c, str)), dtype=np.int64)
        strings = [cells[i] for i in positions]
    return positions, pd.Series(strings, dtype="string[pyarrow]").str.strip()
