"""Downloads that open in Excel: rounded numbers with number formats, real dates, readable column widths,
text cells that can never run as a formula, and file names every system accepts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# kind -> (Excel number format, decimals the value is rounded to; None: as it is)
KINDS = {
    "money": ("#,##0", 0),  # whole currency units
    "cents": ("#,##0.00", 2),
    "ratio": ("0.00", 3),  # ROAS, marginal ROAS, correlations, VIF
    "decimal": ("#,##0.00##", 4),  # a statistic of a price, an index, a dummy: 2 to 4 decimals
    "share": ("0.0%", 4),
    "count": ("0", 0),
    "date": ("yyyy-mm-dd", None),
    "datetime": ("yyyy-mm-dd hh:mm", None),
    "number": ("General", None),
}
MAX_WIDTH, MIN_WIDTH = 60, 8
MAX_TEXT = 32_767  # characters in one Excel cell
MAX_HEADER = 255  # characters in the name of an Excel table's column
MAX_STEM = 120  # characters of a download's file name before its suffix
# what Windows refuses in a file name (macOS and Linux refuse fewer): control characters and < > : " / \ | ? *
UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10))}


def file_name(stem: str, suffix: str) -> str:
    """A download's file name that Windows, macOS and Linux accept: ``stem`` (e.g. the uploaded file's name
    without its extension) with control characters and < > : " / \\ | ? * replaced by "_", spaces and dots
    trimmed from both ends, cut to MAX_STEM characters, "download" when nothing is left (and "_" before a
    name Windows keeps for devices, such as CON); then ``suffix`` as given, e.g. " - explore.xlsx"."""
    safe = UNSAFE_IN_NAMES.sub("_", stem).strip(" .")[:MAX_STEM].rstrip(" .") or "download"
    if safe.split(".")[0].strip().upper() in RESERVED_NAMES:
        safe = "_" + safe
    return safe + suffix


def clean_text(value: object) -> object:
    """Text a worksheet can hold: without the control characters it cannot (which could also hide a formula:
    "\\x01=cmd"), cut to MAX_TEXT characters; anything else as it is."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_TEXT] if isinstance(value, str) else value


def escape_cell(value: object) -> object:
    """For CSV, which cannot carry a style: clean text (see clean_text) that a spreadsheet would run as a
    formula, prefixed with an apostrophe. Workbooks keep the text as it is and mark the cell (write_sheet)."""
    text = clean_text(value)
    if not isinstance(text, str):
        return text
    return ("'" + text if text.startswith(FORMULA_STARTS) else text)[:MAX_TEXT]


def distinct_headers(names: Iterable[object], taken: Iterable[str] = ()) -> list[str]:
    """Column headers for names a user chose (e.g. scenarios), written as a workbook would show them: cleaned
    (see clean_text; xlsx_bytes marks those that look like formulas), at most MAX_HEADER characters, and
    distinct, ignoring case, from each other and from ``taken`` (the table's own headers, such as "Measure");
    a clash gets " (2)", " (3)"..."""
    seen, headers = {str(t).casefold() for t in taken}, []
    for name in names:
        base = str(clean_text(str(name).strip()))[:MAX_HEADER] or "(no name)"
        header, n = base, 1
        while header.casefold() in seen:
            n += 1
            header = f"{base[: MAX_HEADER - len(str(n)) - 3]} ({n})"
        seen.add(header.casefold())
        headers.append(header)
    return headers


def escape_frame(frame: pd.DataFrame, escape=escape_cell) -> pd.DataFrame:
    """A copy whose text cells and column names went through ``escape``: by default they cannot start a
    formula (for CSV); clean_text for a workbook, which marks such cells instead."""
    escaped = frame.rename(columns=lambda c: escape(str(c)))
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = pd.Series([escape(v) for v in escaped[column]], index=escaped.index, dtype=object)
    return escaped


@dataclass(frozen=True)
class Sheet:
    """A table to download with the kind of each column (see KINDS), or a list of kinds, one per row, for a
    column of mixed measures; columns not named are left as they are (dates shown as dates)."""

    frame: pd.DataFrame
    kinds: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    def kind_of(self, column: str, row: int) -> str | None:
        kind = self.kinds.get(column)
        if kind is None and pd.api.types.is_datetime64_any_dtype(self.frame[column]):
            return "date"
        return kind if kind is None or isinstance(kind, str) else kind[row]

    def rounded(self) -> pd.DataFrame:
        """The frame with each number rounded as its kind says, and never -0; whole numbers stay whole beside a
        blank (a float column would write 1234.0 to CSV)."""
        out = self.frame.copy()
        for column in out.columns:
            if column in self.kinds and not pd.api.types.is_datetime64_any_dtype(out[column]):
                values = [_round(v, self.kind_of(column, i)) for i, v in enumerate(out[column])]
                out[column] = pd.Series(values, index=out.index, dtype=object)
        return out


def _round(value, kind: str | None):
    decimals = KINDS[kind][1] if kind in KINDS else None
    if decimals is None or not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
        return value
    if not np.isfinite(value):
        return None
    number = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(number) if decimals == 0 else number


def as_sheet(table: pd.DataFrame | Sheet) -> Sheet:
    return table if isinstance(table, Sheet) else Sheet(table)


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame | Sheet]) -> bytes:
    """One workbook, a sheet per table (names cut to Excel's 31 characters): a bold frozen header, number
    formats by kind, dates as Excel dates, and columns wide enough to read."""
    book = Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        write_sheet(book.create_sheet(name[:31]), as_sheet(table))
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()


def write_sheet(sheet, table: Sheet) -> None:
    """``table`` on ``sheet``: a bold frozen header, number formats by kind, text as text, readable widths."""
    frame = escape_frame(table.rounded(), clean_text)
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, row in enumerate(frame.itertuples(index=False)):
        sheet.append([_cell(v) for v in row])
        for j, column in enumerate(table.frame.columns):
            kind = table.kind_of(column, i)
            if kind in KINDS:
                sheet.cell(row=i + 2, column=j + 1).number_format = KINDS[kind][0]
    for row in sheet.iter_rows():
        for cell in row:
            keep_text(cell)
    sheet.freeze_panes = "A2"
    fit_columns(sheet, frame)


def fit_columns(sheet, frame: pd.DataFrame) -> None:
    """Columns wide enough to read, up to MAX_WIDTH; the text of a column that needs more wraps inside it (a
    sentence of a messages sheet) instead of running past the screen's edge."""
    for j, column in enumerate(frame.columns):
        longest = max([len(str(column))] + [len(_shown(v)) for v in frame.iloc[:, j]])
        sheet.column_dimensions[get_column_letter(j + 1)].width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        if longest + 2 > MAX_WIDTH:
            for (cell,) in sheet.iter_rows(min_col=j + 1, max_col=j + 1):
                if cell.data_type == "s":
                    cell.alignment = Alignment(wrap_text=True, vertical="top")


def keep_text(cell) -> None:
    """Text stays text: openpyxl would store "=..." as a formula and "#N/A" as an error. Text that a
    spreadsheet would run as a formula once edited gets Excel's quote prefix (the "'" typed before "=1"):
    shown as written, kept as text."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def _cell(value):
    """A value openpyxl writes: Python numbers and datetimes, blanks for missing values."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _shown(value) -> str:
    """Roughly what Excel shows, for the column width."""
    if isinstance(value, pd.Timestamp):
        return "2000-01-01"
    if isinstance(value, (float, np.floating)) and np.isfinite(value):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def csv_bytes(table: pd.DataFrame | Sheet) -> bytes:
    """UTF-8 CSV with a BOM, so Excel shows accents and currency symbols correctly; numbers rounded by kind."""
    sheet = as_sheet(table)
    return escape_frame(sheet.rounded()).to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8-sig")
