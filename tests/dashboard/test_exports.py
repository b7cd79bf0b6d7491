"""Exports open in Excel and never carry a live formula; numbers are rounded by kind, formatted, dated; long text
wraps; file names suit every system."""

import datetime
import io
import math
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from dashboard.exports import MAX_STEM, MAX_WIDTH, Sheet, csv_bytes, file_name, xlsx_bytes

FORMULA_LIKE = ("=", "+", "-", "@")


def test_xlsx_keeps_formula_like_text_as_quote_prefixed_text():
    frame = pd.DataFrame({"=HYPERLINK(1)": ["=1+1", "+cmd", "-2", "@SUM(A1)", "plain"], "spend": [1.0, -2.0, 3, 4, 5]})
    data = xlsx_bytes({"Summary statistics of the upload": frame})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Summary statistics of the uploa"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("=HYPERLINK(1)", "spend")  # as the app shows it: no apostrophe in the value
    assert [r[0] for r in rows[1:]] == ["=1+1", "+cmd", "-2", "@SUM(A1)", "plain"]
    assert [r[1] for r in rows[1:]] == [1, -2, 3, 4, 5]  # numbers stay numbers
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    text = [cell for cell in cells if isinstance(cell.value, str)]
    assert all(cell.quotePrefix == cell.value.startswith(FORMULA_LIKE) for cell in text) and len(text) == 7
    assert not any(cell.quotePrefix for cell in cells if cell not in text)  # -2.0 is a number, not text
    with zipfile.ZipFile(io.BytesIO(data)) as files:
        xml = files.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula element at all, whatever a reader makes of it


def test_text_that_looks_like_an_error_or_hides_a_formula_stays_text():
    frame = pd.DataFrame({"note": ["#N/A", "#DIV/0!", "\x01=cmd", "\t=1"]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"s": frame})))["s"]
    cells = [cell for (cell,) in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["#N/A", "#DIV/0!", "=cmd", "\t=1"]
    assert [c.data_type for c in cells] == ["s"] * 4 and [c.quotePrefix for c in cells] == [False, False, True, True]


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
    assert book["E3"].value == "-0" and book["E3"].data_type == "s" and book["E3"].quotePrefix  # text, marked
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


def test_only_the_text_of_a_column_too_long_to_read_wraps():
    sentence = "The optimiser kept search at its upper bound because its marginal return stayed high. " * 4
    frame = pd.DataFrame({"Channel": ["tv", "search"], "Message": [sentence, 3.5], "Short": ["a", "b"]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"messages": frame})))["messages"]
    assert sheet.column_dimensions["B"].width == MAX_WIDTH and sheet.column_dimensions["C"].width < MAX_WIDTH
    message, number = sheet["B2"], sheet["B3"]
    assert message.alignment.wrap_text and message.alignment.vertical == "top" and message.value == sentence
    assert not number.alignment.wrap_text  # a number in that column is not text
    assert not any(cell.alignment.wrap_text for cell in (*sheet["A"], *sheet["C"]))


@pytest.mark.parametrize(
    ("stem", "suffix", "expected"),
    [
        ('spend: Q1|Q2 "final"?', " - explore.xlsx", "spend_ Q1_Q2 _final__ - explore.xlsx"),
        ("a/b\\c*<d>\x00e\x1f\x7f", ".csv", "a_b_c__d__e__.csv"),
        ("  trailing dots and spaces. . ", ".csv", "trailing dots and spaces.csv"),
        ("", " - summary.csv", "download - summary.csv"),
        (" .. ", ".xlsx", "download.xlsx"),
        ("con", ".xlsx", "_con.xlsx"),
        ("LPT1.backup", ".csv", "_LPT1.backup.csv"),
        ("Ventes été 2024 (v2)", ".xlsx", "Ventes été 2024 (v2).xlsx"),
    ],
)
def test_file_names_are_ones_windows_accepts(stem, suffix, expected):
    assert file_name(stem, suffix) == expected


def test_file_names_are_cut_and_never_end_in_a_dot_or_space_once_cut():
    assert file_name("x" * 500, ".csv") == "x" * MAX_STEM + ".csv"
    cut = file_name("y" * (MAX_STEM - 1) + ". tail", ".csv")
    assert cut == "y" * (MAX_STEM - 1) + ".csv"
    every = file_name("".join(map(chr, range(128))), "")
    assert not re.search(r'[\x00-\x1f\x7f<>:"/\\|?*]', every)


def test_whole_numbers_stay_whole_beside_a_blank_in_csv():
    frame = pd.DataFrame({"Total": [1234.6, None], "Date": pd.to_datetime(["2025-01-01", None]), "Share": [0.5, None]})
    sheet = Sheet(frame, {"Total": "money", "Date": "date", "Share": "share"})
    assert csv_bytes(sheet).decode("utf-8-sig").splitlines() == ["Total,Date,Share", "1235,2025-01-01,0.5", ",,"]
