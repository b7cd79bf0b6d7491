"""The error raised for unusable uploads, and helpers to word its messages."""

from __future__ import annotations

from collections.abc import Sequence


class DataError(ValueError):
    """An uploaded file cannot be used; the message says what is wrong and what to do."""


def describe_rows(rows: Sequence[int], limit: int = 5) -> str:
    """Word spreadsheet row numbers for a message: ``row 5``, ``rows 5, 9`` or ``rows 5, 9, ... (12 in all)``."""
    rows = list(rows)
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        return f"rows {shown}, ... ({len(rows)} in all)"
    return f"rows {shown}"


def quote_value(value: object, width: int = 30) -> str:
    """Show a cell value in a message, shortened so a long cell cannot flood the screen."""
    text = str(value)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return repr(text)
