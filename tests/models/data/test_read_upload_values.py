"""read_upload: cell values — missing markers, inf, negatives, text, constants, outliers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.data import DataError, read_upload

MISSING_WORDS = ("missing", "blank", "empty", "nan", "n/a")


def value_on(upload, day: str, col: str) -> float:
    frame = upload.frame
    date_col = upload.roles["date"]
    hit = frame.loc[frame[date_col] == pd.Timestamp(day), col]
    assert len(hit) == 1
    return hit.iloc[0]


# --------------------------------------------------------------------------- missing markers


@pytest.mark.parametrize("marker", ["", "N/A", "#N/A", "#DIV/0!", "-"], ids=["blank", "N/A", "#N/A", "#DIV/0!", "dash"])
def test_missing_markers_become_nan_with_warning(mk, marker):
    df = mk.as_text(mk.frame(60))
    df.loc[5, "google"] = marker  # 2024-01-06
    upload = read_upload(mk.csv(df), "data.csv")

    assert upload.frame["google"].dtype == np.float64
    assert np.isnan(value_on(upload, "2024-01-06", "google"))
    assert upload.frame["google"].isna().sum() == 1
    assert upload.roles["channels"] == mk.CHANNELS
    assert mk.has_warning(upload, *MISSING_WORDS), upload.warnings


def test_several_missing_markers_in_one_file(mk):
    df = mk.as_text(mk.frame(60))
    df.loc[5, "google"] = "N/A"
    df.loc[8, "facebook"] = "#DIV/0!"
    df.loc[9, "price"] = ""
    df.loc[12, "tiktok"] = "-"
    upload = read_upload(mk.csv(df), "data.csv")
    assert np.isnan(value_on(upload, "2024-01-06", "google"))
    assert np.isnan(value_on(upload, "2024-01-09", "facebook"))
    assert np.isnan(value_on(upload, "2024-01-10", "price"))
    assert np.isnan(value_on(upload, "2024-01-13", "tiktok"))
    assert int(upload.frame[["google", "facebook", "tiktok", "price"]].isna().sum().sum()) == 4
    assert mk.has_warning(upload, *MISSING_WORDS), upload.warnings


# --------------------------------------------------------------------------- infinities


@pytest.mark.parametrize("token", ["inf", "Infinity"])
def test_infinity_is_rejected_naming_the_column(mk, token):
    df = mk.as_text(mk.frame(60))
    df.loc[20, "facebook"] = token
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(df), "data.csv")
    assert "facebook" in mk.msg(exc).lower()


# --------------------------------------------------------------------------- negatives and text


def upload_with_cell(mk, fmt: str, row: int, column: str, value) -> tuple[bytes, str]:
    """60 daily rows with data row ``row`` (0-based) of ``column`` set to ``value``: (file bytes, file name)."""
    df = mk.frame(60)
    if fmt == "csv":
        text = mk.as_text(df)
        text.loc[row, column] = str(value)
        return mk.csv(text), "data.csv"
    rows = mk.frame_to_rows(df)  # header first: data row i is rows[i + 1]
    rows[row + 1][list(df.columns).index(column)] = value
    return mk.xlsx(rows), "data.xlsx"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("column", "row", "value"),
    [("google", 7, -120.5), ("facebook", 7, -75.0), ("tiktok", 12, "abc"), ("revenue", 40, "tbc")],
    ids=["negative-spend", "negative-spend-2", "text-in-spend", "text-in-target"],
)
def test_a_bad_cell_names_its_column_and_row(mk, fmt, column, row, value):
    content, name = upload_with_cell(mk, fmt, row, column, value)
    with pytest.raises(DataError) as exc:
        read_upload(content, name)
    msg = mk.msg(exc)
    assert column in msg.lower(), msg
    assert mk.mentions_row(msg, mk.excel_row(row)), msg  # the row a spreadsheet shows: header on row 1


def test_negative_spend_lists_first_bad_rows(mk):
    df = mk.as_text(mk.frame(60))
    df.loc[3, "tiktok"] = "-5"  # row 5
    df.loc[7, "tiktok"] = "-9.5"  # row 9
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(df), "data.csv")
    msg = mk.msg(exc)
    assert "tiktok" in msg.lower()
    assert mk.mentions_row(msg, 5), msg


def test_negative_spend_row_refers_to_the_file_even_when_unsorted(mk):
    df = mk.frame(60).iloc[::-1].reset_index(drop=True)  # newest first
    text = mk.as_text(df)
    text.loc[4, "facebook"] = "-42"  # file row 6 (it would be row 57 after sorting)
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(text), "data.csv")
    msg = mk.msg(exc)
    assert "facebook" in msg.lower()
    assert mk.mentions_row(msg, 6), msg


# --------------------------------------------------------------------------- target problems


def test_constant_target_is_rejected(mk):
    df = mk.frame(60)
    df["revenue"] = 1000.0
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(df), "data.csv")
    assert "revenue" in mk.msg(exc).lower()


def test_non_numeric_target_is_rejected(mk):
    df = mk.as_text(mk.frame(60))
    df["revenue"] = ["high" if i % 2 else "low" for i in range(60)]
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(df), "data.csv")
    low = mk.msg(exc).lower()
    assert any(w in low for w in ("revenue", "target", "sales", "kpi", "outcome")), low


# --------------------------------------------------------------------------- warnings on odd channels


def test_all_zero_channel_warns_naming_it(mk):
    df = mk.frame(60)
    df["tiktok"] = 0.0
    upload = read_upload(mk.csv(df), "data.csv")
    assert any("tiktok" in w.lower() for w in upload.warnings), upload.warnings
    assert (upload.frame["tiktok"] == 0).all()


def test_extreme_outlier_warns_naming_the_column(mk):
    df = mk.frame(60)
    df.loc[30, "google"] = float(df["google"].median() * 1000)
    upload = read_upload(mk.csv(df), "data.csv")
    assert any("google" in w.lower() for w in upload.warnings), upload.warnings
    assert value_on(upload, "2024-01-31", "google") == pytest.approx(df.loc[30, "google"])


def test_numeric_columns_are_float64_even_when_integers(mk):
    df = mk.frame(60)
    df["google"] = df["google"].round(0).astype(int)
    upload = read_upload(mk.csv(df), "data.csv")
    for col in ["google", "facebook", "tiktok", "price", "promo", "revenue"]:
        assert upload.frame[col].dtype == np.float64, col


# --------------------------------------------------------------------------- row numbers as a spreadsheet shows them


def test_row_numbers_count_blank_lines_inside_the_data(mk):
    df = mk.as_text(mk.frame(60))
    df.loc[10, "google"] = "-8"
    lines = mk.csv(df).decode().splitlines()
    lines.insert(6, "")  # blank line after data row 4: spreadsheet row 7 is empty
    content = "\n".join(lines).encode()
    # header row 1, data rows 0-4 on rows 2-6, blank row 7, data row 5 on row 8 ... data row 10 on row 13
    with pytest.raises(DataError) as exc:
        read_upload(content, "data.csv")
    msg = mk.msg(exc)
    assert "google" in msg.lower()
    assert mk.mentions_row(msg, 13), msg


def test_row_numbers_count_records_not_lines_with_multiline_cells(mk):
    df = mk.as_text(mk.frame(60))
    df["comment"] = ""
    df.loc[3, "comment"] = "launch day\nsee brief"  # one cell over two lines: still one spreadsheet row
    df.loc[10, "google"] = "-8"  # spreadsheet row 12
    content = mk.csv(df)
    assert b'"launch day\nsee brief"' in content
    with pytest.raises(DataError) as exc:
        read_upload(content, "data.csv")
    msg = mk.msg(exc)
    assert "google" in msg.lower()
    assert mk.mentions_row(msg, 12), msg


def test_a_cell_over_the_csv_field_limit_gets_a_message_not_a_crash():
    content = ("date,revenue,google\n2024-01-01,1," + "x" * 4_000_000 + "\n").encode()
    with pytest.raises(DataError) as exc:
        read_upload(content, "big.csv")
    assert "Line 2" in str(exc.value) and "characters" in str(exc.value)


def test_dates_given_as_excel_serial_numbers_are_read_and_said():
    rows = "\n".join(f"{44927 + i},{100 + i},{10 + i % 7}" for i in range(60))
    upload = read_upload(("date,revenue,google\n" + rows + "\n").encode(), "serial.csv")
    assert upload.frame["date"].iloc[0] == pd.Timestamp("2023-01-01")
    assert any("Excel serial numbers: 2023-01-01 … 2023-03-01" in w for w in upload.warnings)
