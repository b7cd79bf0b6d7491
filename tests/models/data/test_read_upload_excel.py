"""read_upload: Excel workbooks — sheets, old .xls, formulas, and hostile files
(zip bombs, XML entity expansion, external links)."""

from __future__ import annotations

import io
import re
import socket
import time
import urllib.request
import zipfile

import numpy as np
import pandas as pd
import pytest

from models.data import DataError, Limits, read_upload

SHEET = "xl/worksheets/sheet1.xml"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def assert_values(upload, df, cols=("google", "facebook", "tiktok", "price", "promo", "revenue")):
    frame = upload.frame.sort_values(upload.roles["date"]).reset_index(drop=True)
    assert list(frame[upload.roles["date"]]) == list(pd.to_datetime(df["date"]))
    for col in cols:
        np.testing.assert_allclose(frame[col].to_numpy(dtype=float), df[col].to_numpy(dtype=float), atol=1e-9)


# --------------------------------------------------------------------------- sheets


def test_xlsx_data_on_first_sheet(mk):
    df = mk.frame(60)
    upload = read_upload(mk.frame_xlsx(df, sheet="Data"), "data.xlsx")
    assert upload.sheet == "Data"
    assert upload.roles == mk.EXPECTED_ROLES
    assert upload.frequency == "daily"
    assert upload.warnings == []
    for col in ("google", "facebook", "tiktok", "price", "promo", "revenue"):
        assert upload.frame[col].dtype == np.float64
    assert pd.api.types.is_datetime64_any_dtype(upload.frame["date"])
    assert_values(upload, df)


def test_xlsx_data_on_second_sheet_when_first_is_empty(mk):
    df = mk.frame(60)
    content = mk.xlsx({"Cover": [], "Spend data": mk.frame_to_rows(df)})
    upload = read_upload(content, "data.xlsx")
    assert upload.sheet == "Spend data"
    assert upload.roles == mk.EXPECTED_ROLES
    assert_values(upload, df)


def test_xlsx_with_iso_date_strings(mk):
    df = mk.frame(60)
    rows = mk.frame_to_rows(df, excel_dates=False)
    assert isinstance(rows[1][0], str)
    upload = read_upload(mk.xlsx(rows), "data.xlsx")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_values(upload, df)


def test_xlsx_named_csv_is_read_as_excel(mk):
    df = mk.frame(60)
    upload = read_upload(mk.frame_xlsx(df, sheet="Data"), "data.csv")
    assert upload.sheet == "Data"
    assert upload.roles == mk.EXPECTED_ROLES
    assert_values(upload, df)


def test_xlsx_title_rows_above_header(mk):
    df = mk.frame(60)
    rows = [["Weekly report"], ["Exported 2024-02-01"], []] + mk.frame_to_rows(df)
    upload = read_upload(mk.xlsx(rows), "data.xlsx")
    assert upload.roles == mk.EXPECTED_ROLES
    assert len(upload.frame) == 60
    assert any(w in x.lower() for x in upload.warnings for w in ("skip", "ignor", "line", "row", "title", "above")), (
        upload.warnings
    )


# A bad cell (negative spend, text in a number column) in CSV or xlsx: test_read_upload_values.py.


def test_xlsx_respects_max_rows(mk):
    with pytest.raises(DataError):
        read_upload(mk.frame_xlsx(mk.frame(60)), "data.xlsx", Limits(max_rows=40))


def test_xlsx_respects_max_file_columns(mk):
    with pytest.raises(DataError) as exc:
        read_upload(mk.frame_xlsx(mk.frame(60)), "data.xlsx", Limits(max_columns=3, max_file_columns=5))
    assert "column" in mk.msg(exc).lower()


# --------------------------------------------------------------------------- old .xls


@pytest.mark.parametrize("filename", ["data.xls", "data.csv", "data.xlsx"])
def test_old_binary_xls_is_rejected_with_advice(filename):
    content = OLE_MAGIC + b"\x00" * 24 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 4000
    with pytest.raises(DataError) as exc:
        read_upload(content, filename)
    low = str(exc.value).lower()
    assert "xlsx" in low or "csv" in low, low


# --------------------------------------------------------------------------- formulas


def _formula_rows(mk, df):
    rows = mk.frame_to_rows(df)
    for r in range(2, len(rows) + 1):
        rows[r - 1][6] = f"=B{r}*2+C{r}*1.5+1000"  # revenue as formulas
    return rows


def test_formulas_without_saved_values_are_rejected(mk):
    df = mk.frame(60)
    content = mk.xlsx(_formula_rows(mk, df))
    assert b"<f>" in zipfile.ZipFile(io.BytesIO(content)).read(SHEET)
    with pytest.raises(DataError) as exc:
        read_upload(content, "data.xlsx")
    assert "formula" in mk.msg(exc).lower()


def test_formulas_with_saved_values_use_the_saved_values(mk):
    df = mk.frame(60)
    df["revenue"] = (df["google"] * 2 + df["facebook"] * 1.5 + 1000).round(6)
    content = mk.xlsx(_formula_rows(mk, df))
    sheet = zipfile.ZipFile(io.BytesIO(content)).read(SHEET).decode()

    def fill(match):
        row = int(match.group(2))
        return f"{match.group(1)}<v>{float(df['revenue'].iloc[row - 2])!r}</v></c>"

    sheet, n = re.subn(r'(<c r="G(\d+)"[^>]*><f>[^<]*</f>)<v\s*/?>(?:</v>)?</c>', fill, sheet)
    assert n == 60
    content = mk.rewrite_zip(content, replace={SHEET: sheet.encode()})

    upload = read_upload(content, "data.xlsx")
    assert upload.roles == mk.EXPECTED_ROLES
    assert_values(upload, df)


# --------------------------------------------------------------------------- hostile workbooks


def _zip_bomb_xlsx(mk, mebibytes: int) -> bytes:
    """A valid-looking xlsx whose sheet XML inflates to ``mebibytes`` MiB of spaces.

    Streamed in chunks through ZipFile.open(..., force_zip64=True), so the test never
    holds the inflated text in memory; the file itself stays around 1-2 MB.
    """
    base = zipfile.ZipFile(io.BytesIO(mk.frame_xlsx(mk.frame(60), sheet="Data")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info in base.infolist():
            if info.filename != SHEET:
                z.writestr(info.filename, base.read(info.filename))
        with z.open(SHEET, "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            chunk = b" " * (1 << 20)
            for _ in range(mebibytes):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


@pytest.mark.parametrize("mebibytes", [150, 400], ids=["150MiB", "400MiB"])
def test_zip_bomb_is_rejected_fast(mk, mebibytes):
    content = _zip_bomb_xlsx(mk, mebibytes)
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert len(content) < 3_000_000 and declared > mebibytes * 1_000_000
    start = time.perf_counter()
    with pytest.raises(DataError) as exc:
        read_upload(content, "data.xlsx")
    elapsed = time.perf_counter() - start
    low = str(exc.value).lower()
    # refused for its size, from the zip directory, before any XML is parsed (which takes seconds)
    assert any(w in low for w in ("size", "large", "big", "mb", "gb", "unpack", "compress", "bomb", "limit")), low
    assert elapsed < 1.0, f"took {elapsed:.2f}s: the sheet XML was probably parsed"


LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def _with_doctype(xml: bytes, doctype: str, reference: str, anchor: bytes) -> bytes:
    text = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    assert anchor in text
    text = text.replace(anchor, anchor + reference.encode(), 1)
    return doctype.encode() + text


@pytest.mark.parametrize(
    "part,anchor",
    [(SHEET, b"<sheetData>"), ("xl/workbook.xml", b"<workbookPr/>")],
    ids=["sheet", "workbook"],
)
def test_billion_laughs_is_rejected(mk, part, anchor):
    content = mk.frame_xlsx(mk.frame(60), sheet="Data")
    original = zipfile.ZipFile(io.BytesIO(content)).read(part)
    hostile = mk.rewrite_zip(content, replace={part: _with_doctype(original, LAUGHS, "&lol9;", anchor)})
    start = time.perf_counter()
    with pytest.raises(DataError):
        read_upload(hostile, "data.xlsx")
    assert time.perf_counter() - start < 5.0


def test_external_entity_is_rejected_and_not_resolved(mk):
    content = mk.frame_xlsx(mk.frame(60), sheet="Data")
    original = zipfile.ZipFile(io.BytesIO(content)).read(SHEET)
    doctype = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>\n'
    )
    hostile_sheet = _with_doctype(original, doctype, "", b"<sheetData>").replace(b"<t>promo</t>", b"<t>&xxe;</t>", 1)
    hostile = mk.rewrite_zip(content, replace={SHEET: hostile_sheet})
    with pytest.raises(DataError) as exc:
        read_upload(hostile, "data.xlsx")
    try:
        hostname = open("/etc/hostname").read().strip()
    except OSError:
        hostname = ""
    if hostname:
        assert hostname not in str(exc.value)


def _no_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


def _external_link_xlsx(mk, df) -> bytes:
    """An xlsx with a real external workbook link (URL target) used by an fx_rate column."""
    rows = mk.frame_to_rows(df)
    rows[0].append("fx_rate")
    for r in range(2, len(rows) + 1):
        rows[r - 1].append("=[1]Rates!$A$1")
    content = mk.xlsx(rows)
    z = zipfile.ZipFile(io.BytesIO(content))

    sheet = z.read(SHEET).decode()
    sheet, n = re.subn(r"(<f>\[1\]Rates!\$A\$1</f>)<v\s*/?>(?:</v>)?", r"\1<v>1.1</v>", sheet)
    assert n == len(df)

    workbook = (
        z.read("xl/workbook.xml")
        .decode()
        .replace(
            "</sheets>",
            '</sheets><externalReferences><externalReference xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships" r:id="rId99"/></externalReferences>',
        )
    )
    rels = (
        z.read("xl/_rels/workbook.xml.rels")
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'externalLink" Target="externalLinks/externalLink1.xml" Id="rId99"/></Relationships>',
        )
    )
    types = (
        z.read("[Content_Types].xml")
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
        )
    )
    link = (
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Rates"/></sheetNames>'
        '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>1.1</v></cell></row>'
        "</sheetData></sheetDataSet></externalBook></externalLink>"
    )
    link_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/externalLinkPath" Target="http://203.0.113.7/rates.xlsx" TargetMode="External"/>'
        "</Relationships>"
    )
    return mk.rewrite_zip(
        content,
        replace={
            SHEET: sheet.encode(),
            "xl/workbook.xml": workbook.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
        },
        add={
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
        },
    )


def test_external_links_are_not_followed(mk, monkeypatch):
    df = mk.frame(60)
    content = _external_link_xlsx(mk, df)
    attempts = _no_network(monkeypatch)
    try:
        upload = read_upload(content, "data.xlsx")
    except DataError:
        pass  # refusing the workbook is fine
    else:
        assert upload.roles["target"] == "revenue"
        assert upload.roles["channels"] == mk.CHANNELS
        assert_values(upload, df)
    assert attempts == []


def test_external_link_formula_without_saved_value(mk, monkeypatch):
    rows = mk.frame_to_rows(mk.frame(60))
    rows[0].append("benchmark")
    for r in range(2, len(rows) + 1):
        rows[r - 1].append("='http://203.0.113.7/[rates.xlsx]Sheet1'!$A$1")
    attempts = _no_network(monkeypatch)
    try:
        read_upload(mk.xlsx(rows), "data.xlsx")
    except DataError:
        pass
    assert attempts == []
