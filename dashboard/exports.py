"""Downloads that open in Excel, with text cells escaped against formula injection."""

from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot start a formula."""
    escaped = frame.rename(columns=lambda c: escape_cell(str(c)))
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = escaped[column].map(escape_cell)
    return escaped


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per frame (names cut to Excel's 31 characters)."""
    sink = io.BytesIO()
    with pd.ExcelWriter(sink, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            escape_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return sink.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so Excel shows accents and currency symbols correctly."""
    return escape_frame(frame).to_csv(index=False).encode("utf-8-sig")
