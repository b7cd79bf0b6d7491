"""Decide what an uploaded file is from its bytes (never from its name) and decode text files."""

from __future__ import annotations

import codecs
import re

from models.data.errors import DataError

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Binary formats people upload by mistake, with the words a user would recognise.
KNOWN_BINARY = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"SQLite format 3": "an SQLite database",
    b"PAR1": "a Parquet file",
}
# Control characters never found in a CSV: their presence means binary data (e.g. a pickle).
BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SAVE_AS = "Save it from Excel (or Google Sheets) as .xlsx or CSV and upload that."


def detect_format(content: bytes) -> str:
    """Return ``"xlsx"`` or ``"text"`` for ``content``; raise :class:`DataError` for anything else."""
    if not content.strip():
        raise DataError("The file is empty. Upload a CSV or Excel file with a header row and one row per day or week.")
    if content.startswith(ZIP_MAGIC):
        return "xlsx"
    if content.startswith(OLE2_MAGIC):
        raise DataError(
            "This is an old-style Excel .xls workbook (or a password-protected file), which is not "
            f"supported. {SAVE_AS}"
        )
    for magic, what in KNOWN_BINARY.items():
        if content.startswith(magic):
            raise DataError(f"This file is {what}, not a spreadsheet. Upload a CSV or .xlsx file.")
    return "text"


def decode_text(content: bytes) -> str:
    """Decode a text upload: UTF-8 or UTF-16 with a BOM, else UTF-8, else Windows-1252.

    Rejects binary content and documents that are not tables (JSON, HTML, XML).
    """
    if content.startswith(codecs.BOM_UTF8):
        text = _decode(content[len(codecs.BOM_UTF8) :], "utf-8")
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(content, "utf-16")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(content, "cp1252")
    if BINARY_CHARS.search(text[:65536]):
        raise DataError("This is not a text (CSV) file: it holds binary data. Upload a CSV or .xlsx file.")
    head = text.lstrip()[:200].lower()
    if head.startswith(("{", "[")):
        raise DataError("This looks like a JSON document, not a table. Export your data as CSV or .xlsx.")
    if head.startswith("<"):
        raise DataError(
            "This looks like a web page or XML document, not a table. Export your data as CSV or .xlsx "
            "(in Excel: File > Save As > CSV UTF-8)."
        )
    return text


def _decode(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(
            "The file's characters could not be read (it is not UTF-8, UTF-16 or Windows-1252 text). "
            "Save it as 'CSV UTF-8' and upload it again."
        ) from exc
