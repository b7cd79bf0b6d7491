"""Exports open in Excel and never carry a live formula; numbers are rounded by kind, formatted, dated."""

import datetime
import io
import math

import openpyxl
import pandas as pd

from dashboard.exports import Sheet, csv_bytes, xlsx_bytes


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


def test_numbers_are_rounded_and_formatted_by_kind_with_real_dates_and_widths():
    frame = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
            "Spend per day": [1234.5678, -0.001],
            "Revenue": [1_234_567.891, -0.4],
            "ROAS": [2.34567, 0.1],
            "Note": ["a long piece of text to widen the column", "-0"],
        }
    )
    sheet = Sheet(frame, {"Spend per day": "cents", "Revenue": "money", "ROAS": "ratio"})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"plan": sheet})))["plan"]
    assert [c.value for c in book[1]] == list(frame.columns) and book[1][0].font.bold
    date, spend, revenue, roas, note = book[2]
    assert date.value == datetime.datetime(2025, 1, 1) and date.is_date and date.number_format == "yyyy-mm-dd"
    assert (spend.value, spend.number_format) == (1234.57, "#,##0.00")
    assert (revenue.value, revenue.number_format) == (1_234_568, "#,##0")
    assert (roas.value, roas.number_format) == (2.346, "0.00")
    assert all(math.copysign(1, book[cell].value) == 1 for cell in ("B3", "C3"))  # never -0
    assert book["E3"].value == "'-0"  # text stays text, escaped
    assert book.freeze_panes == "A2" and book.column_dimensions["E"].width > book.column_dimensions["D"].width >= 8
    text = csv_bytes(sheet).decode("utf-8-sig").splitlines()
    assert text[0] == "Date,Spend per day,Revenue,ROAS,Note"
    assert text[1] == "2025-01-01,1234.57,1234568,2.346,a long piece of text to widen the column"
    assert text[2] == "2025-01-02,0.0,0,0.1,'-0"


def test_a_column_of_mixed_measures_gets_a_kind_per_row():
    frame = pd.DataFrame({"Measure": ["Revenue", "ROAS"], "Value": [1234.56, 2.3456]})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"s": Sheet(frame, {"Value": ["money", "ratio"]})})))["s"]
    assert (book["B2"].value, book["B2"].number_format) == (1235, "#,##0")
    assert (book["B3"].value, book["B3"].number_format) == (2.346, "0.00")
