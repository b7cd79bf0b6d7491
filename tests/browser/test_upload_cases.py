"""Uploads found awkward in testing, as a person makes them: a workbook with a notes sheet first, an
80-column export, a conversions target, and a failed upload followed by a good one."""

import io

import numpy as np
import pandas as pd
import pytest

from dashboard.ids import Data
from models.datasets import load_demo_bytes
from tests.browser.helpers import no_console_errors, upload
from tests.dashboard.helpers import notes_then_data


@pytest.fixture
def demo_frame():
    return pd.read_csv(io.BytesIO(load_demo_bytes())).head(120)


def test_notes_sheet_first_then_the_data_sheet_is_read_and_named(dash_duo, dash_app, demo_frame, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(notes_then_data(demo_frame))
    dash_duo.start_server(dash_app)
    upload(dash_duo, path)
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "export.xlsx", timeout=20)
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "Sheet")
    assert "Data" in dash_duo.find_element(f"#{Data.SUMMARY}").text
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "120")
    dash_duo.wait_for_contains_text(f"#{Data.MESSAGE}", "Read sheet 'Data' (the first sheet with dates; others: Notes)")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_TARGET}", "revenue")
    no_console_errors(dash_duo)


def test_an_80_column_export_is_read_with_the_extra_columns_unused(dash_duo, dash_app, demo_frame, tmp_path):
    rng = np.random.default_rng(1)
    wide = demo_frame.copy()
    extra = 80 - len(wide.columns)
    for i in range(extra):
        wide[f"channel_{i}_impressions"] = rng.uniform(1000, 9000, len(wide)).round()
    path = tmp_path / "wide_export.csv"
    wide.to_csv(path, index=False)
    dash_duo.start_server(dash_app)
    upload(dash_duo, path)
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "wide_export.csv", timeout=20)
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_CHANNELS}", "6 selected")
    assert len(wide.columns) == 80
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_UNUSED}", f"channel_{extra - 1}_impressions")
    assert "channel_0_impressions" in dash_duo.find_element(f"#{Data.ROLE_UNUSED}").text
    assert not dash_duo.find_elements(f"#{Data.MESSAGE} .alert-danger")
    no_console_errors(dash_duo)


def test_a_conversions_target_is_warned_and_an_old_error_goes(dash_duo, dash_app, demo_frame, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text("date,revenue\n2024-01-01,abc\n")
    counts = tmp_path / "robyn_simulated_weekly.csv"
    demo_frame.rename(columns={"revenue": "conversions"}).to_csv(counts, index=False)
    dash_duo.start_server(dash_app)
    upload(dash_duo, bad)
    dash_duo.wait_for_element(f"#{Data.MESSAGE} .alert-danger", timeout=20)
    upload(dash_duo, counts)
    dash_duo.wait_for_contains_text(f"#{Data.MESSAGE}", "looks like a count, not revenue", timeout=20)
    message = dash_duo.find_element(f"#{Data.MESSAGE}").text
    assert "Read robyn_simulated_weekly.csv. Please check" in message
    assert "ROAS will be conversions per unit of spend" in message
    assert not dash_duo.find_elements(f"#{Data.MESSAGE} .alert-danger")
    assert not dash_duo.find_elements(f"#{Data.ROLE_MESSAGE} .alert-danger")
    no_console_errors(dash_duo)
