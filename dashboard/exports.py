"""Downloads that open in Excel: rounded numbers with number formats, real dates, readable column widths,
and text cells escaped against formula injection."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# kind -> (Excel number format, decimals the value is rounded to; None: as it is)
KINDS = {
    "money": ("#,##0", 0),  # whole currency units
    "cents": ("#,##0.00", 2),
    "ratio": ("0.00", 3),  # ROAS, marginal ROAS
    "share": ("0.0%", 4),
    "count": ("0", 0),
    "date": ("yyyy-mm-dd", None),
    "number": ("General", None),
}
MAX_WIDTH, MIN_WIDTH = 60, 8
MAX_TEXT = 32_767  # characters in one Excel cell
MAX_HEADER = 255  # characters in the name of an Excel table's column


def escape_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (after taking out the control
    characters a worksheet cannot hold, which could hide a formula), cut to MAX_TEXT characters."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return ("'" + text if text.startswith(FORMULA_STARTS) else text)[:MAX_TEXT]


def distinct_headers(names: Iterable[object], taken: Iterable[str] = ()) -> list[str]:
    """Column headers for names a user chose (e.g. scenarios), written as a workbook would show them: cleaned,
    formula-escaped, at most MAX_HEADER characters, and distinct, ignoring case, from each other and from
    ``taken`` (the table's own headers, such as "Measure"); a clash gets " (2)", " (3)"..."""
    seen, headers = {str(t).casefold() for t in taken}, []
    for name in names:
        base = str(escape_cell(str(name).strip()))[:MAX_HEADER] or "(no name)"
        header, n = base, 1
        while header.casefold() in seen:
            n += 1
            header = f"{base[: MAX_HEADER - len(str(n)) - 3]} ({n})"
        seen.add(header.casefold())
        headers.append(header)
    return headers


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot start a formula."""
    escaped = frame.rename(columns=lambda c: escape_cell(str(c)))
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = escaped[column].map(escape_cell)
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
        """The frame with each number rounded as its kind says, and never -0."""
        out = self.frame.copy()
        for column in out.columns:
            if column in self.kinds:
                out[column] = [_round(v, self.kind_of(column, i)) for i, v in enumerate(out[column])]
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
    frame = escape_frame(table.rounded())
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, row in enumerate(frame.itertuples(index=False)):
        sheet.append([_cell(v) for v in row])
        for j, column in enumerate(table.frame.columns):
            kind = table.kind_of(column, i)
            if kind in KINDS:
                sheet.cell(row=i + 2, column=j + 1).number_format = KINDS[kind][0]
    sheet.freeze_panes = "A2"
    for j, column in enumerate(frame.columns):
        longest = max([len(str(column))] + [len(_shown(v)) for v in frame.iloc[:, j]])
        sheet.column_dimensions[get_column_letter(j + 1)].width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)


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
