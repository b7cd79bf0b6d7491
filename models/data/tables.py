"""Turn CSV text into rows of cells, find the header row and check the table's shape."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from models.data.errors import DataError, describe_rows, quote_value
from models.data.limits import Limits

DELIMITERS = ("\t", ";", ",", "|")
SAMPLE_LINES = 60
LOOKS_LIKE_DATA = re.compile(r"^[\s$€£¥+-]*[\d.,/:\- ]+[%]?\s*$")


@dataclass
class Table:
    """Cells of an upload below its header, with the spreadsheet row number of each data row."""

    header: list[str]
    rows: list[list[object]]
    row_numbers: list[int]
    warnings: list[str] = field(default_factory=list)
    delimiter: str | None = None


def sniff_delimiter(text: str) -> str:
    """Pick the separator that splits the first lines into the most consistent number of fields."""
    lines = [line for line in text.splitlines() if line.strip()][:SAMPLE_LINES]
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:  # a cell over the field limit (the reader below says so in words)
            continue
        width, seen = Counter(counts).most_common(1)[0] if counts else (1, 0)
        if width < 2:
            continue
        score = (seen / len(counts), width)
        if score[0] > best_score[0] + 1e-9:
            best, best_score = delimiter, score
    return best


def read_csv_rows(text: str, max_width: int | None = None) -> tuple[list[list[object]], list[int], str]:
    """Split CSV text into non-blank rows with their line numbers; quotes are honoured strictly.

    A row with more than ``max_width`` filled cells stops the reading at once, so an over-wide file is
    refused before the rest of it is parsed."""
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    numbers: list[int] = []
    try:
        # Excel counts records, not physical lines: a quoted cell spanning two lines is one row.
        for number, row in enumerate(reader, start=1):
            if any(cell.strip() for cell in row):
                check_width(row, max_width, f"Line {number} of the file")
                rows.append(row)
                numbers.append(number)
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise DataError(
                f"Line {reader.line_num} of the file holds a cell of more than {csv.field_size_limit():,} "
                'characters, which no spend or revenue figure needs. This usually means a quote character (") '
                "opens and never closes, or the file is not a table; fix that line or re-export the file."
            ) from exc
        raise DataError(
            f"The file could not be read as CSV near line {reader.line_num}: {exc}. This usually means a quote "
            'character (") is not closed; fix that line or re-export the file from your spreadsheet.'
        ) from exc
    return rows, numbers, delimiter


def build_table(rows: list[list[object]], numbers: list[int], limits: Limits, ragged_check: bool) -> Table:
    """Find the header, drop title lines above it, and check names and row lengths."""
    if not rows:
        raise DataError("The file has no data. Upload a file with a header row and one row per day or week.")
    widths = [_filled_width(row) for row in rows]
    width = max(Counter(widths[-SAMPLE_LINES:]).most_common(), key=lambda item: (item[1], item[0]))[0]
    at = next(i for i, w in enumerate(widths) if w >= width)
    header_cells = rows[at]
    width = widths[at]
    table = Table(header=[], rows=[], row_numbers=[])
    if at:
        table.warnings.append(
            f"Skipped {at} line(s) above the column names ({describe_rows(numbers[:at])}), such as a report title."
        )
    if _looks_like_data(header_cells):
        raise DataError(
            f"The first row ({describe_rows([numbers[at]])}) holds values, not column names. Add a header "
            "row naming each column, e.g. date, revenue, google, facebook."
        )
    data, data_numbers = rows[at + 1 :], numbers[at + 1 :]
    if not data:
        raise DataError("The file has column names but no data rows below them.")
    if len(data) > limits.max_rows:
        raise DataError(
            f"The file has {len(data):,} data rows; the limit is {limits.max_rows:,}. Aggregate to fewer "
            "periods (e.g. weekly) or upload a shorter date range."
        )
    if ragged_check:
        _check_ragged(data, data_numbers, width)
    keep = _named_columns(header_cells, width, data, table.warnings)
    if len(keep) > limits.file_columns:
        raise DataError(too_wide(f"The file has {len(keep)} named columns", limits.file_columns))
    table.header = [str(header_cells[i]).strip() for i in keep]
    table.rows = [[row[i] if i < len(row) else None for i in keep] for row in data]
    table.row_numbers = data_numbers
    return table


def too_wide(what: str, limit: int) -> str:
    return (
        f"{what}; the most this app reads is {limit}. Remove columns you do not need (e.g. impressions, "
        "clicks or reach) and upload again."
    )


def check_width(row: list[object], max_width: int | None, where: str) -> None:
    """Refuse a row with more filled cells than ``max_width`` (no limit when None)."""
    if max_width is not None and len(row) > max_width and (width := _filled_width(row)) > max_width:
        raise DataError(too_wide(f"{where} has {width} columns", max_width))


def _filled_width(row: list[object]) -> int:
    """Number of cells up to the last non-blank one."""
    for i in range(len(row) - 1, -1, -1):
        if not _is_blank(row[i]):
            return i + 1
    return 0


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _looks_like_data(cells: list[object]) -> bool:
    """True when most header cells are numbers or dates, i.e. the header row is missing."""
    filled = [c for c in cells if not _is_blank(c)]
    numeric = [c for c in filled if not isinstance(c, str) or LOOKS_LIKE_DATA.match(c)]
    return len(filled) > 0 and len(numeric) * 2 > len(filled)


def _check_ragged(data: list[list[object]], numbers: list[int], width: int) -> None:
    """Every CSV row must have as many fields as the header (trailing blanks allowed)."""
    longer = [n for row, n in zip(data, numbers) if _filled_width(row) > width]
    if longer:
        raise DataError(
            f"{describe_rows(longer).capitalize()} of the file have more values than there are column "
            f"names ({width}). Check for an extra separator or a missing column name."
        )
    shorter = [n for row, n in zip(data, numbers) if len(row) < width]
    if shorter:
        raise DataError(
            f"{describe_rows(shorter).capitalize()} of the file have fewer values than there are column "
            f"names ({width}). Check for missing separators on those lines."
        )


def _named_columns(header: list[object], width: int, data: list[list[object]], warnings: list[str]) -> list[int]:
    """Indices of the columns to keep; blank and duplicate names are errors when they hold data."""
    keep, seen, dropped = [], {}, 0
    for i, name in enumerate(header):
        has_data = any(i < len(row) and not _is_blank(row[i]) for row in data)
        if _is_blank(name):
            if has_data:
                raise DataError(
                    f"Column {i + 1} has values but no name. Give it a name in the header row "
                    "(or delete the column) and upload again."
                )
            dropped += i < width
            continue
        label = str(name).strip()
        if label.lower() in seen:
            raise DataError(
                f"The column name {quote_value(label)} appears more than once (columns {seen[label.lower()] + 1} "
                f"and {i + 1}). Give each column a unique name."
            )
        seen[label.lower()] = i
        keep.append(i)
    if dropped:
        warnings.append(f"Ignored {dropped} empty column(s) without a name.")
    return keep
