"""read_upload: file formats, separators, number formats, encodings, sniffing.

Content decides how a file is read; the filename never does.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.data import DataError, Limits, read_upload

NUMERIC = ["google", "facebook", "tiktok", "price", "promo", "revenue"]


def assert_same_values(upload, df: pd.DataFrame, columns=NUMERIC) -> None:
    """The frame holds df's numbers (df has ISO date strings), row for row by date."""
    frame = upload.frame
    date_col = upload.roles["date"]
    got = frame.sort_values(date_col).reset_index(drop=True)
    want = df.assign(date=pd.to_datetime(df["date"])).sort_values("date").reset_index(drop=True)
    assert len(got) == len(want)
    assert list(pd.to_datetime(got[date_col])) == list(want["date"])
    for col in columns:
        np.testing.assert_allclose(
            got[col].to_numpy(dtype=float),
            want[col].to_numpy(dtype=float),
            rtol=0,
            atol=1e-6,
            err_msg=f"column {col!r}",
        )


def fmt(values, pattern):
    return [pattern(v) for v in values]


# --------------------------------------------------------------------------- good input


def test_good_daily_csv_reads_cleanly(mk):
    df = mk.frame(60)
    upload = read_upload(mk.csv(df), "data.csv")

    assert upload.roles == mk.EXPECTED_ROLES
    assert set(upload.roles) == {"date", "target", "channels", "controls"}
    assert upload.warnings == []
    assert upload.frequency == "daily"
    assert upload.sheet is None
    assert upload.ignored == []

    frame = upload.frame
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 60
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert frame["date"].is_monotonic_increasing
    assert frame["date"].iloc[0] == pd.Timestamp("2024-01-01")
    for col in NUMERIC:
        assert frame[col].dtype == np.float64, col
    assert_same_values(upload, df)


def test_limits_is_keyword_dataclass_with_spec_defaults():
    import dataclasses

    assert dataclasses.is_dataclass(Limits)
    limits = Limits()
    assert (limits.max_bytes, limits.max_rows, limits.max_columns, limits.min_rows) == (
        10_000_000,
        20_000,
        60,
        30,
    )
    custom = Limits(max_bytes=1, max_rows=2, max_columns=3, min_rows=4)
    assert (custom.max_bytes, custom.max_rows, custom.max_columns, custom.min_rows) == (1, 2, 3, 4)


def test_dataerror_is_a_valueerror():
    assert issubclass(DataError, ValueError)


def test_explicit_default_limits_same_as_none(mk):
    content = mk.daily_csv(60)
    a = read_upload(content, "data.csv")
    b = read_upload(content, "data.csv", Limits())
    assert a.roles == b.roles
    pd.testing.assert_frame_equal(a.frame, b.frame)


# --------------------------------------------------------------------------- separators


@pytest.mark.parametrize("sep", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_separator_is_detected(mk, sep):
    df = mk.frame(60)
    upload = read_upload(mk.csv(df, sep=sep), "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_same_values(upload, df)


def test_windows_line_endings(mk):
    df = mk.frame(60)
    content = mk.csv(df).replace(b"\n", b"\r\n")
    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_same_values(upload, df)


# --------------------------------------------------------------------------- number formats


def test_decimal_comma_with_semicolon_separator(mk):
    df = mk.frame(60)
    df["google"] = df["google"] + 1000  # e.g. 1234.56 -> "1234,56"
    text = mk.as_text(df)
    for col in ["google", "facebook", "tiktok", "price", "revenue"]:
        text[col] = fmt(df[col], lambda v: f"{v:.2f}".replace(".", ","))
    content = mk.rows_to_csv(list(df.columns), text.itertuples(index=False, name=None), sep=";")
    assert b"," in content and b";" in content

    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_same_values(upload, df)


def test_thousands_separator_quoted_in_comma_csv(mk):
    df = mk.frame(60)
    df["google"] = df["google"] + 1000
    text = mk.as_text(df)
    text["google"] = fmt(df["google"], lambda v: f"{v:,.2f}")  # "1,234.56"
    text["revenue"] = fmt(df["revenue"], lambda v: f"{v:,.2f}")
    content = mk.rows_to_csv(list(df.columns), text.itertuples(index=False, name=None), sep=",")
    assert b'"1,' in content  # the csv writer quoted them

    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_same_values(upload, df)


def test_thousands_dot_decimal_comma_in_semicolon_csv(mk):
    df = mk.frame(60)
    df["google"] = df["google"] + 1000
    euro = lambda v: f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")  # noqa: E731
    text = mk.as_text(df)
    for col in ["google", "facebook", "tiktok", "price", "revenue"]:
        text[col] = fmt(df[col], euro)  # "1.234,56"
    content = mk.rows_to_csv(list(df.columns), text.itertuples(index=False, name=None), sep=";")

    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_same_values(upload, df)


def _currency_case(df, kind):
    df = df.copy()
    text_cols = {}
    if kind == "dollar":
        df["google"] = df["google"] + 1000
        text_cols["google"] = fmt(df["google"], lambda v: f"${v:,.2f}")  # "$1,234.50"
        sep = ","
    elif kind == "euro":
        text_cols["google"] = fmt(df["google"], lambda v: f"€ {v:.2f}".replace(".", ","))  # "€ 512,50"
        text_cols["facebook"] = fmt(df["facebook"], lambda v: f"{v:.2f}".replace(".", ","))
        text_cols["tiktok"] = fmt(df["tiktok"], lambda v: f"{v:.2f}".replace(".", ","))
        text_cols["price"] = fmt(df["price"], lambda v: f"{v:.2f}".replace(".", ","))
        text_cols["revenue"] = fmt(df["revenue"], lambda v: f"{v:.2f}".replace(".", ","))
        sep = ";"
    else:  # pound, whole numbers
        df["google"] = df["google"].round(0)
        text_cols["google"] = fmt(df["google"], lambda v: f"£{int(v)}")  # "£300"
        sep = ","
    return df, text_cols, sep


@pytest.mark.parametrize("kind", ["dollar", "euro", "pound"])
def test_currency_symbols_are_stripped(mk, kind):
    df, text_cols, sep = _currency_case(mk.frame(60), kind)
    text = mk.as_text(df)
    for col, values in text_cols.items():
        text[col] = values
    content = mk.rows_to_csv(list(df.columns), text.itertuples(index=False, name=None), sep=sep)

    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert upload.frame["google"].dtype == np.float64
    assert_same_values(upload, df)


def test_every_value_quoted(mk):
    df = mk.frame(60)
    content = mk.csv(df, quoting=csv.QUOTE_ALL)
    assert content.startswith(b'"date"')
    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    for col in NUMERIC:
        assert upload.frame[col].dtype == np.float64
    assert_same_values(upload, df)


# --------------------------------------------------------------------------- encodings


def test_utf8_bom(mk):
    df = mk.frame(60)
    content = b"\xef\xbb\xbf" + mk.csv(df)
    upload = read_upload(content, "data.csv")
    assert upload.roles["date"] == "date"  # not "\ufeffdate"
    assert "\ufeffdate" not in upload.frame.columns
    assert upload.roles == mk.EXPECTED_ROLES
    assert_same_values(upload, df)


def test_utf16_le_with_bom(mk):
    df = mk.frame(60)
    text = mk.csv(df).decode("utf-8")
    content = b"\xff\xfe" + text.encode("utf-16-le")
    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_same_values(upload, df)


def test_windows_1252_column_name(mk):
    df = mk.frame(60)
    rng = np.random.default_rng(3)
    df["météo"] = rng.uniform(-5, 30, len(df)).round(1)
    content = mk.csv(df, encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # make sure this really is not UTF-8

    upload = read_upload(content, "data.csv")
    assert "météo" in upload.frame.columns, list(upload.frame.columns)
    assert upload.roles["target"] == "revenue"
    assert upload.roles["channels"] == mk.CHANNELS
    np.testing.assert_allclose(upload.frame.sort_values("date")["météo"].to_numpy(), df["météo"].to_numpy())


def test_windows_1252_euro_sign_in_values(mk):
    df = mk.frame(60)
    text = mk.as_text(df)
    text["google"] = fmt(df["google"], lambda v: f"{v:.2f} €".replace(".", ","))
    for col in ["facebook", "tiktok", "price", "revenue"]:
        text[col] = fmt(df[col], lambda v: f"{v:.2f}".replace(".", ","))
    content = mk.rows_to_csv(list(df.columns), text.itertuples(index=False, name=None), sep=";", encoding="cp1252")
    assert b"\x80" in content  # the cp1252 euro byte

    upload = read_upload(content, "data.csv")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_same_values(upload, df)


# --------------------------------------------------------------------------- content decides


def _zip_of_random_files() -> bytes:
    rng = np.random.default_rng(11)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(3):
            z.writestr(f"file{i}.bin", rng.integers(0, 256, 2000, dtype=np.uint8).tobytes())
        z.writestr("readme.txt", "date,google,revenue\n2024-01-01,1,2\n")
    return buf.getvalue()


def _html_page() -> bytes:
    rows = "".join(
        f"<tr><td>2024-01-{d:02d}</td><td>{100 + d}</td><td>{50 + d}</td><td>{1000 + d}</td></tr>" for d in range(1, 31)
    )
    return (
        "<!DOCTYPE html><html><head><title>Report</title></head><body><table>"
        "<tr><th>date</th><th>google</th><th>facebook</th><th>revenue</th></tr>"
        f"{rows}</table></body></html>"
    ).encode()


PNG_HEADER = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
    b"\x90\x91h6\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_zip_of_random_files_named_csv_is_rejected():
    with pytest.raises(DataError):
        read_upload(_zip_of_random_files(), "data.csv")


def test_json_document_named_csv_is_rejected(mk):
    df = mk.frame(60)
    content = json.dumps(df.to_dict(orient="records"), indent=1).encode()
    with pytest.raises(DataError):
        read_upload(content, "data.csv")


def test_json_object_named_csv_is_rejected(mk):
    df = mk.frame(60)
    content = json.dumps({col: df[col].tolist() for col in df.columns}).encode()
    with pytest.raises(DataError):
        read_upload(content, "data.csv")


def test_html_page_named_xls_is_rejected():
    with pytest.raises(DataError):
        read_upload(_html_page(), "data.xls")


def test_png_named_xlsx_is_rejected():
    with pytest.raises(DataError):
        read_upload(PNG_HEADER + b"\x00" * 200, "data.xlsx")


class _Touch:
    """Unpickling this object creates a file: proves whether a pickle was loaded."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def _forbid_unpickling(monkeypatch):
    calls = []

    def boom(*args, **kwargs):
        calls.append(args)
        raise AssertionError("read_upload must never unpickle an upload")

    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pd, "read_pickle", boom)
    return calls


def test_pickle_of_dataframe_named_csv_is_rejected(mk, monkeypatch):
    content = pickle.dumps(mk.frame(60).assign(date=lambda d: pd.to_datetime(d["date"])))
    calls = _forbid_unpickling(monkeypatch)
    with pytest.raises(DataError):
        read_upload(content, "data.csv")
    assert calls == []


def test_malicious_pickle_named_csv_is_never_loaded(tmp_path, monkeypatch):
    flag = tmp_path / "pwned"
    content = pickle.dumps({"date": ["2024-01-01"], "revenue": [1.0], "x": _Touch(flag)})
    calls = _forbid_unpickling(monkeypatch)
    with pytest.raises(DataError):
        read_upload(content, "data.csv")
    assert not flag.exists()
    assert calls == []


# --------------------------------------------------------------------------- filename is irrelevant


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd.xlsx",
        "<script>.csv",
        "data.txt",
        "export",
        "DATA.CSV",
        "C:\\Users\\me\\Downloads\\data.xls",
        "",
    ],
)
def test_filename_does_not_matter_for_csv(mk, filename):
    df = mk.frame(60)
    upload = read_upload(mk.csv(df), filename)
    assert upload.sheet is None
    assert upload.roles == mk.EXPECTED_ROLES
    assert upload.warnings == []
    assert_same_values(upload, df)
