"""``read_upload``: bytes of a CSV or Excel file in, a validated frame with column roles out."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from models.data.dates import check_dates, is_date_name, parse_date_column
from models.data.errors import DataError, describe_rows, quote_value
from models.data.excel import read_excel_sheets
from models.data.limits import Limits
from models.data.roles import detect_roles, find_target
from models.data.sniff import decode_text, detect_format
from models.data.tables import Table, build_table, read_csv_rows
from models.data.validate import validate_roles
from models.data.values import NumericColumn, column_votes, read_numeric, text_cells

DATE_SHAPED = re.compile(
    r"^(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}|[A-Za-z]{3,9} \d{1,2},? \d{4})"
)


@dataclass
class Upload:
    """A validated upload: one row per period, sorted by date, numeric columns as float."""

    frame: pd.DataFrame
    roles: dict
    warnings: list[str] = field(default_factory=list)
    frequency: str = "daily"
    sheet: str | None = None
    ignored: list[str] = field(default_factory=list)


def read_upload(content: bytes, filename: str, limits: Limits | None = None) -> Upload:
    """Read an uploaded CSV or .xlsx file and detect the role of each column.

    Parameters
    ----------
    content : bytes
        The file exactly as uploaded. Its type is decided from these bytes, never from ``filename``.
    filename : str
        Shown to the user only; never used as a path.
    limits : Limits, optional
        Size and shape limits (defaults: 10 MB, 20,000 rows, 60 columns, at least 30 rows).

    Returns
    -------
    Upload
        ``frame``, ``roles`` ({"date", "target", "channels", "controls"}), ``warnings``, plus
        ``frequency`` ("daily"/"weekly"), ``sheet`` (Excel sheet used) and ``ignored`` columns.

    Raises
    ------
    DataError
        When the file cannot be used; the message names the column and rows to fix.
    """
    limits = limits or Limits()
    if len(content) > limits.max_bytes:
        raise DataError(
            f"The file is {len(content):,} bytes, over the limit of {limits.max_bytes:,} bytes "
            f"({limits.max_bytes / 1e6:g} MB). Remove unneeded columns or rows, or aggregate daily data to weeks."
        )
    table, sheet = _read_table(content, limits)
    frame, roles, ignored, frequency = _interpret(table, limits)
    return Upload(frame=frame, roles=roles, warnings=table.warnings, frequency=frequency, sheet=sheet, ignored=ignored)


def _read_table(content: bytes, limits: Limits) -> tuple[Table, str | None]:
    if detect_format(content) == "xlsx":
        return _first_sheet_with_dates(content, limits)
    rows, numbers, delimiter = read_csv_rows(decode_text(content), limits.file_columns)
    table = build_table(rows, numbers, limits, ragged_check=True)
    table.delimiter = delimiter
    return table, None


def _first_sheet_with_dates(content: bytes, limits: Limits) -> tuple[Table, str]:
    """The table of the first sheet (in workbook order) that has a date column; notes or summary sheets
    before it are skipped. When no sheet has dates, the first sheet's own error is raised."""
    failed: list[tuple[str, DataError]] = []
    names: list[str] = []
    for sheet, rows, numbers, names in read_excel_sheets(content, limits):
        try:
            table = build_table(rows, numbers, limits, ragged_check=False)
            columns = {name: [row[i] for row in table.rows] for i, name in enumerate(table.header)}
            if not any(is_date_name(name) or _mostly_date_text(cells) for name, cells in columns.items()):
                _find_date_column(columns, table.row_numbers)  # raises the "no date column" message
        except DataError as exc:
            failed.append((sheet, exc))
            continue
        others = [name for name in names if name != sheet]
        if others:
            table.warnings.insert(0, f"Read sheet {sheet!r} (the first sheet with dates; others: {', '.join(others)}).")
        return table, sheet
    sheet, error = failed[0]
    if len(names) > 1:
        raise DataError(f"No sheet of this workbook ({', '.join(names)}) has a date column. Sheet {sheet!r}: {error}")
    raise error


def _interpret(table: Table, limits: Limits) -> tuple[pd.DataFrame, dict, list[str], str]:
    """Parse the date column and the numbers, then sort and assign roles."""
    columns = {name: [row[i] for row in table.rows] for i, name in enumerate(table.header)}
    date, dates = _find_date_column(columns, table.row_numbers)
    numeric = _read_numbers({k: v for k, v in columns.items() if k != date}, table)
    frequency = check_dates(date, dates, table.row_numbers, table.warnings)
    if dates.attrs.get("read_as"):
        first, last = dates.min(), dates.max()
        table.warnings.append(
            f"Dates in {quote_value(date)} were read as {dates.attrs['read_as']}: {first:%Y-%m-%d} … {last:%Y-%m-%d}. "
            "If that range is wrong, write the dates as YYYY-MM-DD."
        )
    frame = pd.DataFrame({date: dates.to_numpy(), **{k: v.values for k, v in numeric.items() if not v.is_text}})
    text_columns = [k for k, v in numeric.items() if v.is_text]
    numeric_names = [k for k in numeric if k not in text_columns]
    roles, ignored, notes = detect_roles(date, numeric_names, limits.max_columns)
    text_target = find_target(text_columns)[0] if text_columns else None
    if text_target and not find_target(numeric_names)[1]:
        raise DataError(
            f"The target column {quote_value(text_target)} holds text, not numbers. Revenue (or sales) must be "
            "a number in every row."
        )
    if roles["target"] is None:
        raise DataError(
            "No numeric revenue (target) column was found. Add a column named 'revenue' (or 'sales') with numbers."
        )
    table.warnings.extend(_text_column_warnings(text_columns, columns, numeric))
    table.warnings.extend(notes + _missing_notes(numeric, table.row_numbers))
    if len(frame) < limits.min_rows:
        raise DataError(
            f"The file has only {len(frame)} rows of data; at least {limits.min_rows} periods are needed to "
            "model how spend drives revenue. Upload a longer date range."
        )
    table.warnings.extend(validate_roles(frame, roles, table.row_numbers, limits.max_columns))
    frame = frame.sort_values(date, kind="stable").reset_index(drop=True)
    return frame, roles, ignored, frequency


def _text_column_warnings(
    names: list[str], columns: dict[str, list[object]], numeric: dict[str, NumericColumn]
) -> list[str]:
    """One warning per text column (holiday names, campaign labels) left out of the data."""
    warnings = []
    for name in names:
        words = list(dict.fromkeys(str(columns[name][i]).strip() for i in numeric[name].text))
        sample = ", ".join(map(quote_value, words[:3]))
        warnings.append(
            f"Text column {quote_value(name)} was left out: it holds words ({sample}), not numbers. To use it as "
            "a control, add it as 0/1 columns (one per value, 1 in the rows where it applies)."
        )
    return warnings


def _find_date_column(columns: dict[str, list[object]], row_numbers: list[int]) -> tuple[str, pd.Series]:
    """The first column named like a date that parses; else the first column whose values are dates."""
    named = [name for name in columns if is_date_name(name)]
    first_error = None
    for name in named:
        try:
            return name, parse_date_column(name, columns[name], row_numbers)
        except DataError as exc:
            first_error = first_error or exc
    for name, cells in columns.items():
        if name not in named and _mostly_date_text(cells):
            return name, parse_date_column(name, cells, row_numbers)
    if first_error is not None:
        raise first_error
    raise DataError(
        "No date column was found. Add a column named 'date' with one date per row (e.g. 2024-01-31), "
        "one row per day or week."
    )


def _mostly_date_text(cells: list[object]) -> bool:
    """At least 90% of the first cells are dates or date-shaped text (not plain numbers)."""
    sample = [c for c in cells[:200] if c is not None and str(c).strip()]
    if not sample:
        return False
    shaped = sum(isinstance(c, (dt.date, pd.Timestamp)) or bool(DATE_SHAPED.match(str(c).strip())) for c in sample)
    return shaped >= 0.9 * len(sample)


def _read_numbers(columns: dict[str, list[object]], table: Table) -> dict[str, NumericColumn]:
    """Numbers per column, with the decimal mark voted per column, then for the file."""
    prepared = {name: text_cells(cells) for name, cells in columns.items()}
    votes = {name: column_votes(cells, prepared[name]) for name, cells in columns.items()}
    overall = sum(votes.values(), Counter())
    default = "," if table.delimiter == ";" else "."
    file_mark = overall.most_common(1)[0][0] if overall else default
    parsed = {}
    for name, cells in columns.items():
        mark = votes[name].most_common(1)[0][0] if votes[name] else file_mark
        column = read_numeric(cells, mark, prepared[name])
        _raise_bad_cells(name, column, cells, table.row_numbers)
        parsed[name] = column
    return parsed


def _raise_bad_cells(name: str, column: NumericColumn, cells: list[object], row_numbers: list[int]) -> None:
    if column.infinite:
        raise DataError(
            f"Column {quote_value(name)} has infinite values in "
            f"{describe_rows([row_numbers[i] for i in column.infinite])}. "
            "Replace them with real numbers (an infinite value usually comes from a division by zero)."
        )
    if column.text and not column.is_text:
        first = cells[column.text[0]]
        raise DataError(
            f"Column {quote_value(name)} has text where numbers are expected in "
            f"{describe_rows([row_numbers[i] for i in column.text])} (e.g. {quote_value(first)}). "
            "Correct those cells or leave them blank."
        )


def _missing_notes(numeric: dict[str, NumericColumn], row_numbers: list[int]) -> list[str]:
    parts = [
        f"{name} ({describe_rows([row_numbers[i] for i in col.missing], limit=3)})"
        for name, col in numeric.items()
        if col.missing and not col.is_text
    ]
    if not parts:
        return []
    return ["Blank or N/A cells were read as missing values in: " + "; ".join(parts) + "."]
