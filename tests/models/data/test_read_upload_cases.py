"""read_upload on cases found in testing: a notes sheet before the data, wide exports, count targets,
0-1 scaled spend and text columns."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from models.data import DataError, Limits, read_upload, validate_roles
from models.data.limits import MAX_FILE_COLUMNS


def workbook(tmp_path, sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path.read_bytes()


NOTES = [["About this export"], ["Weekly spend and revenue, downloaded from the ad platforms."]]


def wide_frame(mk, extra: int) -> pd.DataFrame:
    """The 60-row frame plus ``extra`` impression columns (unused by role detection)."""
    frame = mk.frame(60)
    rng = np.random.default_rng(3)
    for i in range(extra):
        frame[f"metric_{i}_impressions"] = rng.uniform(1000, 5000, len(frame)).round()
    return frame


# --------------------------------------------------------------------------- 1. the first sheet with dates


def test_notes_sheet_first_then_data_sheet_is_read_and_named(mk, tmp_path):
    content = workbook(tmp_path, {"Notes": NOTES, "Data": mk.frame_to_rows(mk.frame(60)), "Summary": NOTES})
    upload = read_upload(content, "export.xlsx")
    assert upload.sheet == "Data"
    assert len(upload.frame) == 60 and upload.roles == mk.EXPECTED_ROLES
    assert "Read sheet 'Data' (the first sheet with dates; others: Notes, Summary)." in upload.warnings


def test_a_numbers_only_sheet_without_dates_is_skipped_too(mk, tmp_path):
    totals = [["channel", "spend"], ["google", 1000], ["facebook", 800]]
    content = workbook(tmp_path, {"Totals": totals, "Weekly": mk.frame_to_rows(mk.frame(60))})
    assert read_upload(content, "export.xlsx").sheet == "Weekly"


def test_no_sheet_with_dates_names_every_sheet(mk, tmp_path):
    frame = mk.frame(60).drop(columns="date")
    content = workbook(tmp_path, {"Notes": NOTES, "Data": mk.frame_to_rows(frame)})
    with pytest.raises(DataError) as exc:
        read_upload(content, "export.xlsx")
    assert "No sheet of this workbook (Notes, Data) has a date column" in mk.msg(exc)


def test_a_single_sheet_says_nothing_about_sheets(mk, tmp_path):
    upload = read_upload(workbook(tmp_path, {"Data": mk.frame_to_rows(mk.frame(60))}), "data.xlsx")
    assert upload.sheet == "Data" and not mk.has_warning(upload, "sheet")


# --------------------------------------------------------------------------- 2. wide files


def test_80_columns_are_read_with_the_extra_columns_unused(mk, tmp_path):
    path = tmp_path / "wide.csv"
    wide_frame(mk, 73).to_csv(path, index=False)
    upload = read_upload(path.read_bytes(), "wide.csv")
    assert upload.frame.shape == (60, 80)
    assert upload.roles == mk.EXPECTED_ROLES
    assert len(upload.ignored) == 73 and "metric_0_impressions" in upload.ignored


def test_more_than_60_channels_and_controls_keep_60_and_say_which_are_left(mk):
    frame = mk.frame(60)
    rng = np.random.default_rng(5)
    for i in range(70):
        frame[f"partner_{i}_spend"] = rng.uniform(10, 100, len(frame)).round(2)
    upload = read_upload(mk.csv(frame), "partners.csv")
    used = upload.roles["channels"] + upload.roles["controls"]
    assert len(used) == 60 and upload.roles["channels"][:3] == mk.CHANNELS
    left = set(frame.columns) - {"date", "revenue"} - set(used)
    assert len(left) == 15 and left <= set(upload.ignored)
    assert mk.has_warning(upload, "at most 60 can be used together, so 15 were left unused")


def test_a_role_choice_over_the_limit_is_refused_in_words(mk):
    upload = read_upload(mk.csv(), "data.csv")
    with pytest.raises(DataError) as exc:
        validate_roles(upload.frame, upload.roles, max_roles=4)
    assert "5 channels and controls were chosen; at most 4" in mk.msg(exc)
    assert validate_roles(upload.frame, upload.roles, max_roles=5) == []


def test_wider_than_the_file_limit_is_refused_on_the_first_wide_line(mk):
    frame = wide_frame(mk, MAX_FILE_COLUMNS)
    text = mk.csv(frame).decode()
    broken = text + '2024-12-31,"never closed\n'  # a parse error further down is never reached
    with pytest.raises(DataError) as exc:
        read_upload(broken.encode(), "wide.csv")
    assert f"Line 1 of the file has {MAX_FILE_COLUMNS + 7} columns; the most this app reads is 150" in mk.msg(exc)


def test_wider_than_the_file_limit_is_refused_in_xlsx(mk, tmp_path):
    content = workbook(tmp_path, {"Data": mk.frame_to_rows(wide_frame(mk, 10))})
    with pytest.raises(DataError) as exc:
        read_upload(content, "wide.xlsx", Limits(max_columns=5, max_file_columns=12))
    assert "Row 1 of sheet 'Data' has 17 columns; the most this app reads is 12" in mk.msg(exc)


def test_the_file_limit_always_leaves_room_for_every_role():
    assert Limits().file_columns == 150
    assert Limits(max_columns=200).file_columns == 202


# --------------------------------------------------------------------------- 3. targets that count


@pytest.mark.parametrize("target", ["conversions", "orders", "sales_count", "leads", "signups"])
def test_a_count_target_gets_a_warning(mk, target):
    frame = mk.frame(60).rename(columns={"revenue": target})
    upload = read_upload(mk.csv(frame), "counts.csv")
    upload.roles["target"] = target  # leads and signups are not guessed as targets; people pick them
    warnings = validate_roles(upload.frame, upload.roles)
    assert f"The target '{target}' looks like a count, not revenue: ROAS will be {target} per unit of spend" in (
        " ".join(warnings)
    )


def test_a_count_target_names_a_value_column_to_multiply_in(mk):
    frame = mk.frame(60).rename(columns={"revenue": "conversions"})
    frame["revenue_per_conversion"] = 42.0
    upload = read_upload(mk.csv(frame), "counts.csv")
    assert upload.roles["target"] == "conversions"
    count = [w for w in upload.warnings if "looks like a count" in w]
    assert len(count) == 1 and "'revenue_per_conversion': multiply it into the target first" in count[0]


@pytest.mark.parametrize("target", ["revenue", "sales", "order_value", "conversion_value"])
def test_money_targets_get_no_count_warning(mk, target):
    frame = mk.frame(60).rename(columns={"revenue": target})
    upload = read_upload(mk.csv(frame), "money.csv")
    upload.roles["target"] = target
    assert not [w for w in validate_roles(upload.frame, upload.roles) if "count" in w]


# --------------------------------------------------------------------------- 4. scaled spend


def test_spend_scaled_to_0_1_gets_a_warning(mk):
    frame = mk.frame(60)
    for channel in mk.CHANNELS:
        frame[channel] = (frame[channel] / frame[channel].max()).round(4)
    upload = read_upload(mk.csv(frame), "scaled.csv")
    assert "Spend in google, facebook, tiktok never exceeds 1: if it is scaled" in " ".join(upload.warnings)


def test_spend_in_money_gets_no_scaled_warning(mk):
    frame = mk.frame(60)
    frame["google"] = frame["google"] / frame["google"].max()  # one small channel is not a scaled file
    assert not mk.has_warning(read_upload(mk.csv(frame), "spend.csv"), "never exceeds 1")


# --------------------------------------------------------------------------- 5. text columns


def test_a_text_column_is_named_in_a_warning(mk):
    frame = mk.frame(60)
    frame["events"] = ["na"] * 60
    frame.loc[[5, 30], "events"] = ["christmas", "black friday"]
    upload = read_upload(mk.csv(frame), "events.csv")
    assert "events" not in upload.frame.columns
    text = [w for w in upload.warnings if w.startswith("Text column 'events' was left out")]
    assert len(text) == 1 and "'christmas', 'black friday'" in text[0] and "0/1 columns" in text[0]


def test_a_text_column_in_xlsx_is_named_too(mk, tmp_path):
    frame = mk.frame(60)
    frame["campaign"] = "spring sale"
    content = workbook(tmp_path, {"Data": mk.frame_to_rows(frame)})
    upload = read_upload(content, "data.xlsx")
    assert any(w.startswith("Text column 'campaign' was left out") for w in upload.warnings)
