"""read_upload: table shape (header, columns, rows), limits, role detection,
and "nothing but DataError leaks" for garbage input."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest

from models.data import DataError, Limits, read_upload

SIZE_WORDS = ("size", "large", "big", "mb", "kb", "byte", "limit")
SKIP_WORDS = ("skip", "ignor", "line", "title", "above")


def csv_text(mk, df) -> str:
    return mk.csv(df).decode("utf-8")


# --------------------------------------------------------------------------- header


def test_no_header_row_is_rejected(mk):
    content = mk.csv(mk.frame(60), header=False)
    assert content.startswith(b"2024-01-01,")
    with pytest.raises(DataError) as exc:
        read_upload(content, "data.csv")
    assert "header" in mk.msg(exc).lower()


def test_duplicate_column_names_are_rejected(mk):
    df = mk.frame(60)
    lines = csv_text(mk, df).splitlines()
    lines[0] = "date,google,google,tiktok,price,promo,revenue"
    with pytest.raises(DataError) as exc:
        read_upload("\n".join(lines).encode(), "data.csv")
    assert "google" in mk.msg(exc).lower()


def test_blank_column_name_with_data_is_rejected(mk):
    df = mk.frame(60)
    lines = csv_text(mk, df).splitlines()
    lines[0] = "date,,facebook,tiktok,price,promo,revenue"
    with pytest.raises(DataError) as exc:
        read_upload("\n".join(lines).encode(), "data.csv")
    low = mk.msg(exc).lower()
    assert any(w in low for w in ("name", "header", "blank", "empty", "column")), low


def test_trailing_empty_column_without_name_or_data_is_fine(mk):
    df = mk.frame(60)
    lines = [line + "," for line in csv_text(mk, df).splitlines()]
    upload = read_upload("\n".join(lines).encode(), "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert len(upload.frame) == 60


def test_title_lines_above_header_are_skipped_with_warning(mk):
    df = mk.frame(60)
    content = mk.csv(df, preamble="Weekly report\nExported 2024-02-01\n\n")
    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert len(upload.frame) == 60
    assert upload.frame["date"].iloc[0] == pd.Timestamp("2024-01-01")
    assert mk.has_warning(upload, *SKIP_WORDS), upload.warnings


def test_row_numbers_count_title_lines(mk):
    df = mk.as_text(mk.frame(60))
    df.loc[10, "google"] = "-3"  # header on row 4, so data row 10 is spreadsheet row 15
    content = mk.csv(df, preamble="Weekly report\nExported 2024-02-01\n\n")
    with pytest.raises(DataError) as exc:
        read_upload(content, "data.csv")
    msg = mk.msg(exc)
    assert "google" in msg.lower()
    assert mk.mentions_row(msg, mk.excel_row(10, header_row=4)), msg
    assert mk.excel_row(10, header_row=4) == 15


# --------------------------------------------------------------------------- rows


def test_row_with_extra_field_is_rejected_naming_row(mk):
    lines = csv_text(mk, mk.frame(60)).splitlines()
    lines[21] = lines[21] + ",999"  # data row 20 -> spreadsheet row 22
    with pytest.raises(DataError) as exc:
        read_upload("\n".join(lines).encode(), "data.csv")
    msg = mk.msg(exc)
    assert mk.mentions_row(msg, 22), msg


def test_row_with_missing_field_is_rejected_naming_row(mk):
    lines = csv_text(mk, mk.frame(60)).splitlines()
    lines[26] = ",".join(lines[26].split(",")[:-1])  # data row 25 -> spreadsheet row 27
    with pytest.raises(DataError) as exc:
        read_upload("\n".join(lines).encode(), "data.csv")
    msg = mk.msg(exc)
    assert mk.mentions_row(msg, 27), msg


def test_unclosed_quote_is_rejected(mk):
    lines = csv_text(mk, mk.frame(60)).splitlines()
    parts = lines[31].split(",")
    parts[1] = '"' + parts[1]  # opening quote that never closes
    lines[31] = ",".join(parts)
    with pytest.raises(DataError):
        read_upload("\n".join(lines).encode(), "data.csv")


def test_empty_file_is_rejected():
    with pytest.raises(DataError):
        read_upload(b"", "data.csv")


def test_whitespace_only_file_is_rejected():
    with pytest.raises(DataError):
        read_upload(b"  \n\n \r\n", "data.csv")


def test_header_only_file_is_rejected():
    with pytest.raises(DataError):
        read_upload(b"date,google,facebook,tiktok,price,promo,revenue\n", "data.csv")


def test_too_few_rows_mentions_the_minimum(mk):
    with pytest.raises(DataError) as exc:
        read_upload(mk.daily_csv(10), "data.csv")
    assert "30" in mk.msg(exc)


def test_lower_min_rows_lets_a_small_file_through(mk):
    upload = read_upload(mk.daily_csv(10), "data.csv", Limits(min_rows=5))
    assert len(upload.frame) == 10
    assert upload.roles == mk.EXPECTED_ROLES


# --------------------------------------------------------------------------- limits


def test_file_bigger_than_max_bytes_is_rejected(mk):
    content = mk.daily_csv(60)
    assert len(content) > 1000
    with pytest.raises(DataError) as exc:
        read_upload(content, "data.csv", Limits(max_bytes=1000))
    low = mk.msg(exc).lower()
    assert any(w in low for w in SIZE_WORDS), low


def _sizes_in(message: str) -> list[str]:
    return [
        f"{num.replace(',', '')} {unit}"
        for num, unit in re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*(bytes?|kb|mb|gb)\b", message.lower())
    ]


@pytest.mark.parametrize("limit", [1000, 10_000_000], ids=["1000-bytes", "default-10MB"])
def test_size_message_does_not_contradict_itself(limit):
    """A file 1 byte over the limit: the message must not claim it is as big as the limit
    (e.g. "The file is 0.0 MB; the limit is 0.0 MB") or that it is empty."""
    content = b"date,google,revenue\n" + b"2024-01-01,1,2\n" * (limit // 15 + 1)
    content = content[: limit + 1]
    with pytest.raises(DataError) as exc:
        read_upload(content, "data.csv", Limits(max_bytes=limit))
    msg = str(exc.value)
    sizes = _sizes_in(msg)
    assert sizes, msg
    assert not any(float(s.split()[0]) == 0 for s in sizes), msg
    if len(sizes) >= 2:
        assert len(set(sizes)) == len(sizes), msg


def test_more_rows_than_max_rows_is_rejected(mk):
    with pytest.raises(DataError) as exc:
        read_upload(mk.daily_csv(60), "data.csv", Limits(max_rows=40))
    low = mk.msg(exc).lower()
    assert "40" in low or "row" in low, low


def test_more_columns_than_max_file_columns_is_rejected(mk):
    with pytest.raises(DataError) as exc:
        read_upload(mk.daily_csv(60), "data.csv", Limits(max_columns=3, max_file_columns=5))
    low = mk.msg(exc).lower()
    assert "column" in low, low


def test_exactly_at_the_limits_is_fine(mk):
    content = mk.daily_csv(60)
    limits = Limits(max_bytes=len(content), max_rows=60, max_columns=7, min_rows=60)
    upload = read_upload(content, "data.csv", limits)
    assert len(upload.frame) == 60


# --------------------------------------------------------------------------- roles


def test_roles_have_exactly_four_keys(mk):
    upload = read_upload(mk.daily_csv(60), "data.csv")
    assert set(upload.roles) == {"date", "target", "channels", "controls"}
    assert isinstance(upload.roles["date"], str)
    assert isinstance(upload.roles["target"], str)
    assert isinstance(upload.roles["channels"], list)
    assert isinstance(upload.roles["controls"], list)


@pytest.mark.parametrize("name", ["revenue", "sales", "y", "conversions", "gmv", "kpi", "Revenue"])
def test_target_found_by_name(mk, name):
    df = mk.frame(60).rename(columns={"revenue": name})
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.roles["target"] == name
    assert upload.roles["channels"] == mk.CHANNELS


def test_revenue_per_conversion_is_not_the_target(mk):
    df = mk.frame(60)
    df.insert(1, "revenue_per_conversion", (df["revenue"] / 40).round(2))
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.roles["target"] == "revenue"
    assert "revenue_per_conversion" not in upload.roles["channels"]


def test_competitor_sales_is_a_control_not_the_target(mk):
    df = mk.frame(60)
    rng = np.random.default_rng(1)
    df.insert(1, "competitor_sales_B", rng.uniform(1e5, 2e5, 60).round(0))
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.roles["target"] == "revenue"
    assert "competitor_sales_B" in upload.roles["controls"]
    assert "competitor_sales_B" not in upload.roles["channels"]


def _spend_frame(mk, names):
    df = mk.frame(60)[["date", "revenue"]].copy()
    rng = np.random.default_rng(2)
    for name in names:
        df[name] = rng.uniform(50, 500, 60).round(2)
    return df


@pytest.mark.parametrize(
    "names",
    [
        ["youtube", "instagram", "other"],
        ["tv", "search"],
        ["tv_spend", "search_cost", "radio_spend"],
        ["tv_S", "facebook_S", "print_S"],
        ["x1", "x2"],
    ],
    ids=["platforms", "tv-search", "spend-cost-suffix", "robyn-S-suffix", "x1-x2"],
)
def test_channels_found_by_name(mk, names):
    upload = read_upload(mk.csv(_spend_frame(mk, names)), "data.csv")
    assert sorted(upload.roles["channels"]) == sorted(names)
    assert upload.roles["target"] == "revenue"


def test_controls_found_by_name(mk):
    df = mk.frame(60)
    rng = np.random.default_rng(4)
    df["events"] = (rng.uniform(0, 1, 60) < 0.1).astype(int)
    df["holidays"] = (rng.uniform(0, 1, 60) < 0.1).astype(int)
    df["competitor_price"] = (18 + rng.normal(0, 0.5, 60)).round(2)
    df.loc[[2, 9], ["events", "holidays"]] = 1
    upload = read_upload(mk.csv(df), "data.csv")
    assert set(upload.roles["controls"]) == {"price", "promo", "events", "holidays", "competitor_price"}
    assert upload.roles["channels"] == mk.CHANNELS


def test_impressions_clicks_reach_are_ignored(mk):
    df = mk.frame(60)
    rng = np.random.default_rng(5)
    df["google_impressions"] = rng.uniform(1e4, 1e5, 60).round(0)
    df["facebook_clicks"] = rng.uniform(100, 900, 60).round(0)
    df["tiktok_reach"] = rng.uniform(1e3, 1e4, 60).round(0)
    upload = read_upload(mk.csv(df), "data.csv")
    assert upload.roles["channels"] == mk.CHANNELS
    assert set(upload.ignored) == {"google_impressions", "facebook_clicks", "tiktok_reach"}
    for col in upload.ignored:
        assert col in upload.frame.columns
        assert col not in upload.roles["controls"]
        assert upload.frame[col].dtype == np.float64


def test_helper_columns_are_ignored(mk):
    df = mk.frame(60)
    dates = pd.to_datetime(df["date"])
    df["year"] = dates.dt.year
    df["month"] = dates.dt.month
    df["dayofyear"] = dates.dt.day_of_year
    upload = read_upload(mk.csv(df), "data.csv")
    assert set(upload.ignored) == {"year", "month", "dayofyear"}
    assert upload.roles["channels"] == mk.CHANNELS
    assert upload.roles["controls"] == mk.CONTROLS
    assert upload.roles["date"] == "date"


def test_text_only_column_is_dropped_with_warning(mk):
    df = mk.frame(60)
    df["notes"] = ["launch" if i % 10 == 0 else ("sale" if i % 7 == 0 else "") for i in range(60)]
    upload = read_upload(mk.csv(df), "data.csv")
    assert "notes" not in upload.frame.columns
    assert "notes" not in upload.ignored
    assert any("notes" in w.lower() for w in upload.warnings), upload.warnings
    assert upload.roles == mk.EXPECTED_ROLES


# --------------------------------------------------------------------------- garbage never leaks


def _truncated_xlsx(mk) -> bytes:
    content = mk.frame_xlsx(mk.frame(60))
    return content[: len(content) // 2]


def _zip_without_workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buf.getvalue()


def _xlsx_not_xml(mk) -> bytes:
    content = mk.frame_xlsx(mk.frame(60))
    return mk.rewrite_zip(content, replace={"xl/worksheets/sheet1.xml": b"\x00\x01 not xml <<<"})


GARBAGE = {
    "random-bytes": lambda mk: np.random.default_rng(9).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
    "nul-bytes": lambda mk: b"\x00" * 500,
    "single-word": lambda mk: b"date",
    "one-column": lambda mk: ("date\n" + "\n".join(f"2024-01-{d:02d}" for d in range(1, 32))).encode(),
    "only-text-columns": lambda mk: (
        "date,brand,region\n" + "\n".join(f"2024-01-{d:02d},acme,north" for d in range(1, 32))
    ).encode(),
    "truncated-xlsx": _truncated_xlsx,
    "zip-without-workbook": lambda mk: _zip_without_workbook(),
    "xlsx-sheet-not-xml": _xlsx_not_xml,
    "invalid-utf8-and-nul": lambda mk: b"date,revenue\n\xff\xfe\x00\x00\xc3\x28,\x80\n" * 40,
    "gzip": lambda mk: b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4,
    "pdf": lambda mk: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
@pytest.mark.parametrize("filename", ["data.csv", "data.xlsx"])
def test_garbage_raises_only_dataerror(mk, kind, filename):
    content = GARBAGE[kind](mk)
    with pytest.raises(DataError) as exc:
        read_upload(content, filename)
    assert str(exc.value).strip()
