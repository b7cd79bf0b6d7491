"""Exports open in Excel and never carry a live formula."""

import io

import openpyxl
import pandas as pd

from dashboard.exports import csv_bytes, xlsx_bytes


def test_xlsx_round_trip_escapes_formulas():
    frame = pd.DataFrame({"=HYPERLINK(1)": ["=1+1", "+cmd", "-2", "@SUM(A1)", "plain"], "spend": [1.0, -2.0, 3, 4, 5]})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Summary statistics of the upload": frame})))
    sheet = book["Summary statistics of the uploa"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("'=HYPERLINK(1)", "spend")
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "plain"]
    assert [r[1] for r in rows[1:]] == [1, -2, 3, 4, 5]  # numbers stay numbers
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_has_bom_and_escaped_text():
    data = csv_bytes(pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "café"], "value": [1.5, -1.0]}))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=cmd" in text and "café" in text and "-1.0" in text
