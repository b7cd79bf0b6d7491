"""Shared helpers for the ``models.data.read_upload`` test-suite.

Everything here builds small upload files *in memory* (bytes).  The helpers
are exposed through the ``mk`` fixture (an instance of :class:`UploadKit`) so
that test modules never import ``conftest`` directly.

Conventions used by the tests:

* ``mk.frame(n)`` returns a DataFrame of ``n`` daily rows with the columns
  date, google, facebook, tiktok, price, promo, revenue and realistic random
  values.  Its ``date`` column holds ISO strings so it can be edited as text.
* ``mk.csv(df)`` / ``mk.xlsx(...)`` turn it into upload bytes.
* ``mk.excel_row(i)`` converts a 0-based data-row index into the spreadsheet
  row number a marketer sees (header on row 1, first data row on row 2).
* ``mk.mentions_row(message, row)`` checks that an error message names a row
  (``"row 5"``, ``"rows 5, 9"``, ``"rows 5 and 9"``, ``"rows 4-6"`` ...).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pytest

COLUMNS = ["date", "google", "facebook", "tiktok", "price", "promo", "revenue"]
CHANNELS = ["google", "facebook", "tiktok"]
CONTROLS = ["price", "promo"]
EXPECTED_ROLES = {
    "date": "date",
    "target": "revenue",
    "channels": CHANNELS,
    "controls": CONTROLS,
}

_ROW_SPAN = re.compile(r"\brows?\b[\s:#]*((?:\d+(?:\s*(?:,|;|and|or|&|-|–|to)\s*)?)+)", re.IGNORECASE)


def make_frame(
    n: int = 60,
    start: str = "2024-01-01",
    freq: str = "D",
    seed: int = 7,
) -> pd.DataFrame:
    """``n`` rows of plausible daily (or weekly, ``freq="7D"``) marketing data."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=n, freq=freq)
    google = rng.uniform(300, 900, n).round(2)
    facebook = rng.uniform(150, 600, n).round(2)
    tiktok = rng.uniform(60, 300, n).round(2)
    price = (19.99 + rng.normal(0, 0.4, n)).round(2)
    promo = (rng.uniform(0, 1, n) < 0.25).astype(int)
    promo[min(3, n - 1)] = 1
    promo[0] = 0
    revenue = (
        5000 + 2.1 * google + 1.6 * facebook + 1.2 * tiktok - 80 * (price - 19.99) + 900 * promo + rng.normal(0, 250, n)
    ).round(2)
    return pd.DataFrame(
        {
            "date": dates.strftime("%Y-%m-%d"),
            "google": google,
            "facebook": facebook,
            "tiktok": tiktok,
            "price": price,
            "promo": promo,
            "revenue": revenue,
        }
    )


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` where every cell is a string (so single cells can be edited)."""
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        out[col] = [("" if v is None else str(v)) for v in df[col].tolist()]
    return out.astype(object)


def rows_to_csv(
    header: Sequence[str] | None,
    rows: Iterable[Sequence[object]],
    sep: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
    preamble: str = "",
    encoding: str = "utf-8",
    newline: str = "\n",
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, quoting=quoting, lineterminator=newline)
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return (preamble + buf.getvalue()).encode(encoding)


def frame_to_csv(
    df: pd.DataFrame,
    sep: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
    preamble: str = "",
    encoding: str = "utf-8",
    header: bool = True,
) -> bytes:
    text = as_text(df)
    return rows_to_csv(
        list(df.columns) if header else None,
        text.itertuples(index=False, name=None),
        sep=sep,
        quoting=quoting,
        preamble=preamble,
        encoding=encoding,
    )


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]] | Sequence[Sequence[object]]) -> bytes:
    """Write an .xlsx in memory with openpyxl.

    ``sheets`` is either a list of rows (header first) for a single sheet
    called "Data", or an ordered ``{sheet name: rows}`` mapping; an empty list
    of rows gives an empty sheet.
    """
    import openpyxl

    if not isinstance(sheets, dict):
        sheets = {"Data": sheets}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(title=name)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def frame_to_rows(df: pd.DataFrame, excel_dates: bool = True) -> list[list[object]]:
    """Header + data rows with real numbers and ``datetime`` date cells."""
    rows: list[list[object]] = [list(df.columns)]
    for rec in df.itertuples(index=False, name=None):
        row = []
        for col, value in zip(df.columns, rec):
            if col == "date" and excel_dates and isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(value, np.generic):
                value = value.item()
            row.append(value)
        rows.append(row)
    return rows


def rewrite_zip(content: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """Copy a zip (xlsx), replacing and/or adding members."""
    replace = replace or {}
    add = add or {}
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = replace.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, data)
        for name, data in add.items():
            dst.writestr(name, data)
    return out.getvalue()


def mentioned_rows(message: str) -> set[int]:
    """Row numbers a message names after the word "row"/"rows" (ranges expanded)."""
    found: set[int] = set()
    for match in _ROW_SPAN.finditer(message):
        span = match.group(1)
        for a, b in re.findall(r"(\d+)\s*(?:-|–|to)\s*(\d+)", span):
            lo, hi = int(a), int(b)
            if 0 <= hi - lo <= 100_000:
                found.update(range(lo, hi + 1))
        found.update(int(x) for x in re.findall(r"\d+", span))
    return found


def mentions_row(message: str, row: int) -> bool:
    return row in mentioned_rows(message)


class UploadKit:
    """Namespace handed to tests through the ``mk`` fixture."""

    COLUMNS = COLUMNS
    CHANNELS = CHANNELS
    CONTROLS = CONTROLS
    EXPECTED_ROLES = EXPECTED_ROLES

    frame = staticmethod(make_frame)
    as_text = staticmethod(as_text)
    rows_to_csv = staticmethod(rows_to_csv)
    xlsx = staticmethod(xlsx_bytes)
    frame_to_rows = staticmethod(frame_to_rows)
    rewrite_zip = staticmethod(rewrite_zip)
    mentioned_rows = staticmethod(mentioned_rows)
    mentions_row = staticmethod(mentions_row)

    @staticmethod
    def csv(df: pd.DataFrame | None = None, **kwargs) -> bytes:
        """CSV bytes for ``df`` (default: 60 daily rows)."""
        if df is None:
            df = make_frame()
        return frame_to_csv(df, **kwargs)

    @staticmethod
    def daily_csv(n: int = 60, seed: int = 7, **kwargs) -> bytes:
        return frame_to_csv(make_frame(n, seed=seed), **kwargs)

    @staticmethod
    def frame_xlsx(df: pd.DataFrame | None = None, sheet: str = "Data") -> bytes:
        if df is None:
            df = make_frame()
        return xlsx_bytes({sheet: frame_to_rows(df)})

    @staticmethod
    def excel_row(i: int, header_row: int = 1) -> int:
        """Spreadsheet row of 0-based data row ``i`` when the header is on ``header_row``."""
        return header_row + 1 + i

    @staticmethod
    def msg(excinfo) -> str:
        text = str(excinfo.value)
        assert text.strip(), "DataError message is empty"
        return text

    @staticmethod
    def has_warning(upload, *words: str) -> bool:
        return any(any(w in warning.lower() for w in words) for warning in upload.warnings)


@pytest.fixture(scope="session")
def mk() -> type[UploadKit]:
    return UploadKit
