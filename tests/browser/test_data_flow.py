"""A person's path through the data panel and the explore tab, in headless Chromium."""

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from dash.testing.wait import until

from dashboard.ids import App, Data, Explore
from models.datasets import load_demo_bytes
from tests.browser.helpers import clear_data, click, drop_channel, load_demo, no_console_errors, upload

SERIES_TRACES = f"#{Explore.SERIES} .main-svg .scatterlayer .trace"
SHARE_SLICES = f"#{Explore.SHARE} .main-svg .pielayer .slice"


@pytest.fixture
def demo_frame():
    return pd.read_csv(io.BytesIO(load_demo_bytes()))


def wait_for_charts(dash_duo, traces: int):
    dash_duo.wait_for_element(SERIES_TRACES, timeout=20)
    until(lambda: len(dash_duo.find_elements(SERIES_TRACES)) == traces, timeout=20)
    dash_duo.wait_for_element(SHARE_SLICES, timeout=20)
    dash_duo.wait_for_element(f"#{Explore.CORRELATION} .main-svg .heatmaplayer, #{Explore.CORRELATION} .main-svg image")
    dash_duo.wait_for_element(f"#{Explore.VIF} .main-svg .barlayer .point")
    dash_duo.wait_for_contains_text(f"#{Explore.STATS}", "median")


def share_labels(dash_duo) -> list[str]:
    return [e.text for e in dash_duo.find_elements(f"#{Explore.SHARE} .legend .legendtext")]


def test_upload_csv_then_xlsx_shows_roles_and_charts(dash_duo, dash_app, demo_frame, tmp_path):
    dash_duo.start_server(dash_app)
    csv_path = tmp_path / "shop_sales.csv"
    demo_frame.head(400).to_csv(csv_path, index=False, sep=";", decimal=",")
    upload(dash_duo, csv_path)
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "shop_sales.csv", timeout=20)
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "400")
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "daily")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_TARGET}", "revenue")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_CHANNELS}", "6 selected")
    wait_for_charts(dash_duo, traces=7)  # revenue + six channels
    assert sorted(share_labels(dash_duo)) == sorted(["google", "facebook", "youtube", "instagram", "tiktok", "other"])

    weekly = demo_frame.assign(date=pd.to_datetime(demo_frame["date"])).resample("W-MON", on="date").sum()
    weekly = weekly.reset_index()[["date", "google", "facebook", "tiktok", "price", "revenue"]].head(60)
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Weekly data")
    sheet.append(list(weekly.columns))
    for row in weekly.itertuples(index=False):
        sheet.append([row.date.to_pydatetime(), *row[1:]])
    xlsx_path = tmp_path / "weekly.xlsx"
    book.save(xlsx_path)
    upload(dash_duo, xlsx_path)
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "weekly.xlsx", timeout=20)
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "Weekly data")
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "weekly")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_CHANNELS}", "3 selected")
    wait_for_charts(dash_duo, traces=4)
    no_console_errors(dash_duo)


def test_changing_a_role_updates_the_charts(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    load_demo(dash_duo)
    wait_for_charts(dash_duo, traces=7)
    assert "other" in share_labels(dash_duo)

    drop_channel(dash_duo, "other")
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_CHANNELS}", "5 selected")
    until(lambda: "other" not in share_labels(dash_duo), timeout=20)
    until(lambda: len(dash_duo.find_elements(SERIES_TRACES)) == 6, timeout=20)
    dash_duo.wait_for_contains_text(f"#{Data.ROLE_UNUSED}", "other")

    click(dash_duo, f"#{Explore.EXPORT_XLSX}")  # the export follows the corrected roles
    target = Path(dash_duo.download_path) / "demo_daily - explore.xlsx"
    until(target.exists, timeout=20)
    until(lambda: not list(Path(dash_duo.download_path).glob("*.crdownload")), timeout=20)
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == ["Data as read", "Summary statistics", "Correlation", "VIF"]
    vif_channels = [row[0] for row in book["VIF"].iter_rows(min_row=2, values_only=True)]
    assert vif_channels == ["google", "facebook", "youtube", "instagram", "tiktok"]
    assert book["Data as read"].max_row == 1097
    no_console_errors(dash_duo)


def test_bad_file_shows_message_and_keeps_previous_data(dash_duo, dash_app, demo_frame, tmp_path):
    dash_duo.start_server(dash_app)
    load_demo(dash_duo)
    bad = demo_frame.head(100).copy()
    bad.loc[10, "facebook"] = -50
    bad_path = tmp_path / "<img src=x onerror=alert(1)>.csv"
    bad.to_csv(bad_path, index=False)
    upload(dash_duo, bad_path)
    dash_duo.wait_for_contains_text(f"#{Data.MESSAGE}", "negative spend", timeout=20)
    message = dash_duo.find_element(f"#{Data.MESSAGE}").text
    assert (
        "facebook" in message and "row 12" in message and "<img src=x onerror=alert(1)>.csv" in message
    )  # shown as text
    assert "1,096" in dash_duo.find_element(f"#{Data.SUMMARY}").text
    wait_for_charts(dash_duo, traces=7)
    no_console_errors(dash_duo)


def test_clear_asks_first_then_deletes_the_data_from_the_server(dash_duo, dash_app, app_settings):
    dash_duo.start_server(dash_app)
    load_demo(dash_duo)
    assert any(app_settings.cache_dir.iterdir())
    click(dash_duo, f"#{Data.CLEAR_ASK}")  # asks first: "Keep my data" keeps it
    dash_duo.wait_for_contains_text(f"#{Data.CLEAR_DIALOG}", "cannot be brought back", timeout=10)
    click(dash_duo, f"#{Data.CLEAR_KEEP}")
    until(lambda: not dash_duo.find_elements(f"#{Data.CLEAR_DIALOG}.show"), timeout=10)
    assert "1,096" in dash_duo.find_element(f"#{Data.SUMMARY}").text and any(app_settings.cache_dir.iterdir())
    clear_data(dash_duo)
    dash_duo.wait_for_contains_text(f"#{Data.SUMMARY}", "No data yet", timeout=20)
    dash_duo.wait_for_contains_text(f"#{Data.MESSAGE}", "deleted")
    assert list(app_settings.cache_dir.iterdir()) == []
    until(lambda: not dash_duo.find_elements(SERIES_TRACES), timeout=10)
    no_console_errors(dash_duo)


def test_forged_session_token_is_replaced_not_trusted(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element(f"#{Data.DEMO}")
    dash_duo.driver.execute_script(f"sessionStorage.setItem('{App.SESSION}', JSON.stringify('forged-session'));")
    dash_duo.driver.refresh()
    load_demo(dash_duo)
    token = dash_duo.driver.execute_script(f"return JSON.parse(sessionStorage.getItem('{App.SESSION}'))")
    assert token != "forged-session"
    assert dash_app.session_store.session_id(token)
    wait_for_charts(dash_duo, traces=7)
    no_console_errors(dash_duo)
