"""The scenario comparison workbook keeps a column per scenario whatever the user named them: names that are the
workbook's own headers ("Measure", "Channel"), that differ only in case, that look like formulas, that carry
characters a worksheet cannot hold, or that are longer than Excel allows."""

import io

import openpyxl
import pandas as pd
import pytest

from dashboard.exports import FORMULA_STARTS, MAX_HEADER, clean_text, distinct_headers, escape_cell, xlsx_bytes
from dashboard.tabs.plan.scenarios import OWN_HEADERS, comparison_workbook

NAMES = [
    ["Measure", "Channel"],
    ["measure", "CHANNEL", "Scenario"],
    ["Plan", "plan", "PLAN"],
    ["=SUM(A1)", "'=SUM(A1)", "+1", "@x"],
    ["x" * 300, "x" * 300 + "y"],
    ["a\x01b", "\x02=HYPERLINK(1)"],
]


def scenario(name: str, spend: float) -> dict:
    totals = {"revenue": 10 * spend, "revenue_lower": 9 * spend, "revenue_upper": 11 * spend, "roas": 2.0}
    totals |= {"roas_lower": 1.5, "roas_upper": 2.5, "spend": 4 * spend, "lift": 1.0, "mix_revenue": 9.0}
    channels = [{"channel": c, "spend": spend, "mroas": 1.2, "bound": ""} for c in ("tv", "=search")]
    meta = {"family": "ridge", "label": "Ridge", "version": "v1", "periods": 4, "unit": "weeks", "kind": "what-if"}
    return meta | {"id": name, "name": name, "inputs": {}, "channels": channels, "totals": totals | {"target": None}}


def read(workbook: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)  # no formula
    assert all(c.quotePrefix for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


@pytest.mark.parametrize("names", NAMES, ids=lambda n: "|".join(n)[:40].encode("unicode_escape").decode())
def test_every_scenario_keeps_a_column_of_its_own(names):
    chosen = [scenario(name, 100.0 * (i + 1)) for i, name in enumerate(names)]
    sheets = read(comparison_workbook(chosen, "ridge", "v1"))
    headers = distinct_headers(names, OWN_HEADERS)
    for sheet, own in (("comparison", "Measure"), ("spend per week", "Channel")):
        head, *rows = sheets[sheet]
        assert head == (own, *headers)  # the table's own column first, then one per scenario
        assert len({h.casefold() for h in head}) == len(head)
        assert all(len(h) <= MAX_HEADER for h in head)  # those that look like formulas: quote prefix (read)
    comparison = {row[0]: row[1:] for row in sheets["comparison"][1:]}
    assert comparison["Model"] == ("Ridge",) * len(names)  # the measures column is not overwritten
    assert comparison["Spend over the horizon"] == tuple(400 * (i + 1) for i in range(len(names)))
    spend = {row[0]: row[1:] for row in sheets["spend per week"][1:]}
    assert list(spend) == ["tv", "=search"] and spend["tv"] == tuple(100 * (i + 1) for i in range(len(names)))
    assert [row[0] for row in sheets["inputs"][1:]] == [clean_text(n) for n in names]  # the names as written


def test_headers_are_escaped_cut_and_told_apart_ignoring_case():
    assert distinct_headers(["Measure", "b", "B", "=1"], OWN_HEADERS) == ["Measure (2)", "b", "B (2)", "=1"]
    assert distinct_headers(["=1", "'=1", " ", ""]) == ["=1", "'=1", "(no name)", "(no name) (2)"]
    long = distinct_headers(["y" * 400, "y" * 401])
    assert long == ["y" * MAX_HEADER, "y" * (MAX_HEADER - 4) + " (2)"] and all(len(h) == MAX_HEADER for h in long)


def test_control_characters_cannot_hide_a_formula_or_break_the_workbook():
    assert escape_cell("\x01=cmd") == "'=cmd" and escape_cell("a\x08b\tc") == "ab\tc"
    assert len(escape_cell("=" + "z" * 40_000)) == 32_767
    rows = read(xlsx_bytes({"s": pd.DataFrame({"\x01=h": ["\x02+x", "ok\x03"]})}))["s"]
    assert rows == [("=h",), ("+x",), ("ok",)]
