"""The name of an uploaded file: shown to the user only after it is made safe, and its extension checked.

A browser sends whatever name the user's file has. Control characters (NUL included) and Unicode format
characters (the right-to-left override U+202E that makes ``spend\\u202ecsv.exe`` display as
``spendexe.csv``, zero-width spaces) are removed before the name is shown or checked, and only the
documented extensions are accepted: the type is still decided from the bytes (see :mod:`models.data.sniff`).
"""

from __future__ import annotations

import re
import unicodedata

from models.data.errors import DataError

EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx")
MAX_NAME = 120


def display_name(filename: object) -> str:
    """``filename`` without folders, control or format characters, squeezed and cut to :data:`MAX_NAME`."""
    text = "".join(" " if ch.isspace() else ch for ch in str(filename or ""))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    text = re.split(r"[\\/]", text)[-1]
    text = " ".join(text.split())
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        text = f"{stem[: MAX_NAME - len(ext) - 2]}…{dot}{ext}" if dot and len(ext) <= 5 else text[: MAX_NAME - 1] + "…"
    return text or "upload"


def check_upload_name(filename: object) -> str:
    """The display name of ``filename``; raise :class:`DataError` unless it ends in a documented extension."""
    name = display_name(filename)
    if not name.lower().endswith(EXTENSIONS):
        raise DataError(
            f"{name} is not a CSV or Excel file: upload a file ending in {', '.join(EXTENSIONS[:-1])} or "
            f"{EXTENSIONS[-1]} (older .xls files: save them as .xlsx first)."
        )
    return name
