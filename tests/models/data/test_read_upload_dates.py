"""read_upload: the date column — formats, order, duplicates, gaps, frequency."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models.data import DataError, Limits, read_upload

EXPECTED_DAILY = pd.date_range("2024-01-01", periods=60, freq="D")


def frame_dates(upload) -> list[pd.Timestamp]:
    col = upload.frame[upload.roles["date"]]
    assert pd.api.types.is_datetime64_any_dtype(col), col.dtype
    return list(pd.to_datetime(col))


def with_dates(mk, fmt: str, n: int = 60):
    df = mk.frame(n)
    df["date"] = pd.to_datetime(df["date"]).dt.strftime(fmt)
    return df


def gap_words(upload) -> list[str]:
    return [w for w in upload.warnings if "missing" in w.lower() or "gap" in w.lower()]


# --------------------------------------------------------------------------- formats


def test_iso_dates(mk):
    df = mk.frame(60)
    assert df["date"].iloc[30] == "2024-01-31"
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.roles["date"] == "date"
    assert frame_dates(upload) == list(EXPECTED_DAILY)


def test_day_first_dates_when_unambiguous(mk):
    df = with_dates(mk, "%d/%m/%Y")
    assert df["date"].iloc[30] == "31/01/2024"
    upload = read_upload(mk.csv(df), "data.csv")
    assert frame_dates(upload) == list(EXPECTED_DAILY)


def test_month_first_dates_when_unambiguous(mk):
    df = with_dates(mk, "%m/%d/%Y")
    assert df["date"].iloc[30] == "01/31/2024"
    upload = read_upload(mk.csv(df), "data.csv")
    assert frame_dates(upload) == list(EXPECTED_DAILY)


def test_excel_serial_numbers_under_date_header(mk):
    df = mk.frame(60)
    df["date"] = [str(45292 + i) for i in range(60)]  # 45292 == 2024-01-01
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.roles["date"] == "date"
    assert frame_dates(upload) == list(EXPECTED_DAILY)
    assert upload.frequency == "daily"


def test_real_datetime_cells_in_xlsx(mk):
    df = mk.frame(60)
    rows = mk.frame_to_rows(df)
    assert isinstance(rows[1][0], dt.datetime)
    upload = read_upload(mk.xlsx(rows), "data.xlsx")
    assert upload.roles["date"] == "date"
    assert frame_dates(upload) == list(EXPECTED_DAILY)


def test_excel_serial_number_cells_in_xlsx(mk):
    df = mk.frame(60)
    rows = mk.frame_to_rows(df, excel_dates=False)
    for i in range(1, len(rows)):
        rows[i][0] = 45292 + (i - 1)
    upload = read_upload(mk.xlsx(rows), "data.xlsx")
    assert upload.roles["date"] == "date"
    assert frame_dates(upload) == list(EXPECTED_DAILY)


@pytest.mark.parametrize("name", ["Date", "day", "week", "ds", "period", "time"])
def test_date_column_found_by_name(mk, name):
    df = mk.frame(60).rename(columns={"date": name})
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.roles["date"] == name
    assert upload.roles["target"] == "revenue"
    assert frame_dates(upload) == list(EXPECTED_DAILY)


def test_date_column_found_by_content(mk):
    df = mk.frame(60).rename(columns={"date": "calendar"})
    df = df[["google", "facebook", "calendar", "tiktok", "price", "promo", "revenue"]]
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.roles["date"] == "calendar"
    assert frame_dates(upload) == list(EXPECTED_DAILY)


# --------------------------------------------------------------------------- order


def test_unsorted_rows_are_sorted_with_warning(mk):
    df = mk.frame(60)
    shuffled = df.sample(frac=1.0, random_state=5).reset_index(drop=True)
    assert not shuffled["date"].is_monotonic_increasing
    upload = read_upload(mk.csv(shuffled), "data.csv")

    assert frame_dates(upload) == list(EXPECTED_DAILY)
    assert mk.has_warning(upload, "sort", "order"), upload.warnings
    # values travel with their dates
    by_date = df.set_index("date")
    frame = upload.frame.reset_index(drop=True)
    for i in (0, 17, 59):
        key = frame["date"].iloc[i].strftime("%Y-%m-%d")
        assert frame["google"].iloc[i] == pytest.approx(by_date.loc[key, "google"])
        assert frame["revenue"].iloc[i] == pytest.approx(by_date.loc[key, "revenue"])


def test_descending_rows_are_sorted(mk):
    df = mk.frame(60).iloc[::-1].reset_index(drop=True)
    upload = read_upload(mk.csv(df), "data.csv")
    assert frame_dates(upload) == list(EXPECTED_DAILY)
    assert mk.has_warning(upload, "sort", "order"), upload.warnings


def test_duplicate_dates_are_rejected(mk):
    df = mk.frame(60)
    df.loc[10, "date"] = df.loc[9, "date"]  # 2024-01-10 twice: spreadsheet rows 11 and 12
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(df), "data.csv")
    msg = mk.msg(exc)
    low = msg.lower()
    names_date = any(
        s in low for s in ("2024-01-10", "10/01/2024", "01/10/2024", "10 jan", "jan 10", "january 10", "10 january")
    )
    names_row = mk.mentions_row(msg, 11) or mk.mentions_row(msg, 12)
    assert names_date or names_row, msg


def test_mixed_date_formats_are_rejected(mk):
    df = mk.frame(60)
    later = pd.to_datetime(df.loc[30:, "date"]).dt.strftime("%d/%m/%Y")
    df.loc[30:, "date"] = later
    assert df["date"].iloc[29] == "2024-01-30" and df["date"].iloc[30] == "31/01/2024"
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(df), "data.csv")
    low = mk.msg(exc).lower()
    assert "date" in low
    # the complaint is about the 'date' column, not some numeric column taken for dates
    assert "revenue" not in low, low


def test_unparseable_date_names_the_row(mk):
    df = mk.frame(60)
    df.loc[15, "date"] = "hello"  # spreadsheet row 17
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(df), "data.csv")
    msg = mk.msg(exc)
    assert mk.mentions_row(msg, mk.excel_row(15)), msg
    assert mk.excel_row(15) == 17


def test_no_date_column_is_rejected(mk):
    df = mk.frame(60).drop(columns=["date"])
    with pytest.raises(DataError) as exc:
        read_upload(mk.csv(df), "data.csv")
    assert "date" in mk.msg(exc).lower()


# --------------------------------------------------------------------------- gaps and frequency


def test_daily_frequency(mk):
    upload = read_upload(mk.daily_csv(60), "data.csv")
    assert upload.frequency == "daily"
    assert gap_words(upload) == []


def test_missing_days_give_a_gap_warning(mk):
    df = mk.frame(60).drop(index=[20, 21, 22, 40]).reset_index(drop=True)
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.frequency == "daily"
    assert len(upload.frame) == 56
    assert gap_words(upload), upload.warnings


def test_weekly_data(mk):
    df = mk.frame(60, freq="7D")
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.frequency == "weekly"
    assert gap_words(upload) == [], upload.warnings
    assert frame_dates(upload) == list(pd.date_range("2024-01-01", periods=60, freq="7D"))


def test_weekly_data_with_a_missing_week_warns(mk):
    df = mk.frame(60, freq="7D").drop(index=[25]).reset_index(drop=True)
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.frequency == "weekly"
    assert gap_words(upload), upload.warnings


def test_weekly_excel_serials_small_file(mk):
    df = mk.frame(10, freq="7D")
    df["date"] = [str(45292 + 7 * i) for i in range(10)]
    upload = read_upload(mk.csv(df), "data.csv", Limits(min_rows=5))
    assert upload.frequency == "weekly"
    assert frame_dates(upload)[0] == pd.Timestamp("2024-01-01")
    assert frame_dates(upload)[-1] == pd.Timestamp("2024-03-04")
    assert np.all(np.diff(np.array(frame_dates(upload), dtype="datetime64[D]")).astype(int) == 7)
