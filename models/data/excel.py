"""Read the rows of an .xlsx workbook safely: no zip bombs, no XML entities, no external links."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import openpyxl
import openpyxl.xml

from models.data.errors import DataError
from models.data.limits import Limits
from models.data.tables import check_width

ENTITY_MARKERS = (b"<!ENTITY", b"<!DOCTYPE")
SCAN_CHUNK = 1 << 20
HEADER_SLACK = 50  # title lines that may sit above the header
BOMB_RATIO = 200  # spreadsheet XML compresses about 10x; a large part packed 200x tighter is a bomb
BOMB_MIN_BYTES = 5_000_000


def read_excel_sheets(content: bytes, limits: Limits) -> Iterator[tuple[str, list[list[object]], list[int], list[str]]]:
    """Each sheet holding data, in workbook order, read only when asked for: (name, rows, their Excel row
    numbers, names of every sheet in the workbook)."""
    _check_archive(content, limits)
    if not openpyxl.xml.DEFUSEDXML:  # openpyxl protects against entity expansion only with defusedxml
        raise DataError("Excel files cannot be read safely on this server (defusedxml is missing); upload a CSV.")
    try:
        values = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        formulas = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except DataError:
        raise
    except Exception as exc:  # openpyxl raises many types for corrupt files; the user needs one message
        raise DataError(
            "This Excel file could not be opened; it may be damaged. Save it again as .xlsx and retry."
        ) from exc
    try:
        names = [sheet.title for sheet in values.worksheets]
        cap = limits.max_rows + HEADER_SLACK
        found = False
        for sheet in values.worksheets:
            rows, numbers = _sheet_rows(sheet, formulas[sheet.title], cap, limits.file_columns)
            if rows:
                found = True
                yield sheet.title, rows, numbers, names
        if not found:
            raise DataError("Every sheet of this workbook is empty. Put the data on a sheet, with a header row.")
    finally:
        values.close()
        formulas.close()


def _check_archive(content: bytes, limits: Limits) -> None:
    """Refuse archives that are not workbooks, unpack too large, or declare XML entities."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DataError("This file is a damaged zip archive, not a readable Excel workbook.") from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        kind = "a Word document" if "word/document.xml" in names else "a zip archive"
        raise DataError(f"This file is {kind}, not an Excel workbook. Upload a CSV or .xlsx file.")
    unpacked = sum(m.file_size for m in members)
    dense = any(m.file_size > BOMB_MIN_BYTES and m.file_size > BOMB_RATIO * max(m.compress_size, 1) for m in members)
    if unpacked > limits.max_unpacked_bytes or dense:
        raise DataError(
            f"This workbook would unpack to {unpacked / 1e6:,.0f} MB "
            f"(limit {limits.max_unpacked_bytes / 1e6:,.0f} MB), "
            "so it was refused. Save only the data sheet, or upload a CSV."
        )
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")) and _declares_entities(archive, member):
            raise DataError(
                "This workbook contains XML entity declarations, which are refused for safety. Re-save it in Excel."
            )


def _declares_entities(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            if any(marker in tail + chunk for marker in ENTITY_MARKERS):
                return True
            tail = chunk[-16:]
    return False


def _sheet_rows(sheet, formula_sheet, cap: int, max_width: int) -> tuple[list[list[object]], list[int]]:
    rows, numbers, missing_results = [], [], []
    pairs = zip(sheet.iter_rows(values_only=True), formula_sheet.iter_rows(values_only=True))
    for number, (row, raw) in enumerate(pairs, start=1):
        for col, (value, source) in enumerate(zip(row, raw), start=1):
            if value is None and isinstance(source, str) and source.startswith("="):
                missing_results.append(f"{openpyxl.utils.get_column_letter(col)}{number}")
        if any(cell is not None and str(cell).strip() for cell in row):
            check_width(list(row), max_width, f"Row {number} of sheet {sheet.title!r}")
            rows.append(list(row))
            numbers.append(number)
        if len(rows) > cap:
            raise DataError(f"The sheet {sheet.title!r} has more than {cap - HEADER_SLACK:,} rows, the limit.")
    if missing_results:
        cells = ", ".join(missing_results[:5])
        raise DataError(
            f"Cells {cells} of sheet {sheet.title!r} hold formulas without a saved result (the file was not "
            "saved by Excel). Open it in Excel and save it again, or paste the values instead of formulas."
        )
    return rows, numbers
