"""The Explore tab's downloads read like its table and the other downloads: the tab's words as headers, numbers
rounded and formatted by kind, no total for a price, a header on every column, and a file name Windows accepts."""

import base64
import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from dashboard.ids import Explore
from dashboard.tabs.data.callbacks import ingest
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.explore.callbacks import download_tables
from dashboard.tabs.explore.sheets import correlation_sheet, vif_sheet
from models.datasets import load_demo_bytes
from models.explore import summary_statistics
from tests.dashboard.helpers import triggered

HEADERS = ["Column", "Role", "Count", "Missing", "Mean", "Std", "Min", "Median", "Max", "Zeros", "Total"]


def workbook(store, token) -> openpyxl.Workbook:
    sent = triggered(Explore.EXPORT_XLSX, download_tables, store, 1, None, token)
    return openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))


def test_the_statistics_sheet_uses_the_tabs_words_and_formats_by_kind(demo):
    _, store, token = demo
    dataset = load_dataset(store, store.session_id(token))
    stats = summary_statistics(dataset.frame, dataset.roles).set_index("column")
    sheet = workbook(store, token)["Summary statistics"]
    assert [c.value for c in sheet[1]] == HEADERS
    rows = {row[0].value: {h: cell for h, cell in zip(HEADERS, row)} for row in sheet.iter_rows(min_row=2)}
    google, youtube, price = rows["google"], rows["youtube"], rows["price"]
    assert (google["Median"].value, google["Median"].number_format) == (2712.47, "#,##0.00")
    assert google["Mean"].value == round(stats.loc["google", "mean"], 2) and google["Count"].number_format == "0"
    assert (google["Total"].value, google["Total"].number_format) == (round(stats.loc["google", "total"]), "#,##0")
    assert (youtube["Zeros"].value, youtube["Zeros"].number_format) == (0.4069, "0.0%")
    assert rows["revenue"]["Total"].value == round(stats.loc["revenue", "total"])
    assert price["Total"].value is None and rows["promo"]["Total"].value is None  # as on screen: no sum of prices
    assert (price["Mean"].value, price["Mean"].number_format) == (round(stats.loc["price", "mean"], 4), "#,##0.00##")
    numbers = [c for row in sheet.iter_rows(min_row=2, min_col=3) for c in row if c.value is not None]
    assert all(c.number_format != "General" for c in numbers)


def test_the_correlation_and_vif_sheets_have_headers_and_two_decimals(demo):
    _, store, token = demo
    book = workbook(store, token)
    correlation, vif = book["Correlation"], book["VIF"]
    assert correlation["A1"].value == "Column" and correlation["B1"].value == correlation["A2"].value == "revenue"
    assert correlation["B2"].value == 1 and correlation["C2"].number_format == "0.00"
    assert all(
        abs(c.value * 1000 - round(c.value * 1000)) < 1e-9 for row in correlation.iter_rows(2, None, 2) for c in row
    )
    assert [c.value for c in vif[1]] == ["Channel", "VIF"] and vif["B2"].number_format == "0.00"
    assert book["Data as read"].max_row == 1097 and book["Data as read"]["A1"].value == "date"


def test_the_summary_csv_has_the_same_words_rounded_numbers_and_no_total_for_controls(demo):
    _, store, token = demo
    sent = triggered(Explore.EXPORT_CSV, download_tables, store, None, 1, token)
    text = base64.b64decode(sent["content"]).decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == HEADERS and sent["filename"] == "demo - summary.csv"
    assert not re.search(r"\.\d{5,}", text)  # no 2712.4700000000003, no 41677.02694343066
    assert "2712.47" in text and frame.set_index("Column").loc[["price", "promo"], "Total"].isna().all()


def test_download_names_are_ones_windows_accepts(app, settings):
    store = app.session_store
    token = store.new_session()
    summary, *_ = ingest(store, store.session_id(token), load_demo_bytes(), 'spend: Q1|Q2 "final"?.csv', settings)
    assert isinstance(summary, dict)  # the upload itself is fine
    xlsx = triggered(Explore.EXPORT_XLSX, download_tables, store, 1, None, token)
    csv = triggered(Explore.EXPORT_CSV, download_tables, store, None, 1, token)
    assert xlsx["filename"] == "spend_ Q1_Q2 _final__ - explore.xlsx"
    assert csv["filename"] == "spend_ Q1_Q2 _final__ - summary.csv"


def test_a_data_column_called_column_keeps_its_name_and_the_header_steps_aside():
    matrix = pd.DataFrame(np.eye(2), index=["column", "tv"], columns=["column", "tv"])
    sheet = correlation_sheet(matrix)
    assert list(sheet.frame.columns) == ["Column (2)", "column", "tv"] and sheet.kinds["tv"] == "ratio"


@pytest.mark.parametrize(("value", "shown"), [(np.inf, "perfectly collinear"), (np.nan, "undefined")])
def test_a_vif_that_is_not_a_number_is_said_in_words(value, shown):
    sheet = vif_sheet(pd.DataFrame({"column": ["tv", "search"], "vif": [2.3456, value]}))
    assert sheet.frame["VIF"][0] == 2.3456 and sheet.frame["VIF"][1].startswith(shown)
    assert sheet.rounded()["VIF"][0] == 2.346
