"""Uploaded file names: shown only once made safe, and only the documented extensions accepted."""

import pytest

from models.data import DataError
from models.data.names import MAX_NAME, check_upload_name, display_name


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("spend.csv", "spend.csv"),
        ("spend\u202ecsv.exe", "spendcsv.exe"),  # right-to-left override: would display as "spendexe.csv"
        ("spend.csv\x00.exe", "spend.csv.exe"),
        ("C:\\Users\\me\\Downloads\\spend.xlsx", "spend.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("a\u200bb\tc\n.csv", "ab c .csv"),
        ("", "upload"),
        (None, "upload"),
    ],
)
def test_display_name_drops_control_format_characters_and_folders(raw, shown):
    assert display_name(raw) == shown


def test_long_names_are_cut_keeping_the_extension():
    name = display_name("x" * 500 + ".xlsx")
    assert len(name) <= MAX_NAME and name.endswith(".xlsx")


@pytest.mark.parametrize("name", ["spend.csv.exe", "spend\u202ecsv.exe", "spend.csv\x00.exe", "spend", "data.xls"])
def test_names_without_a_documented_extension_are_refused_in_words(name):
    with pytest.raises(DataError) as refused:
        check_upload_name(name)
    text = str(refused.value)
    assert ".csv" in text and ".xlsx" in text
    assert "\u202e" not in text and "\x00" not in text


@pytest.mark.parametrize("name", ["spend.csv", "SPEND.CSV", "weekly.tsv", "export.txt", "book.xlsx"])
def test_documented_extensions_are_accepted(name):
    assert check_upload_name(name) == name
