"""The Explore tab's callbacks called directly: overview, series and the downloads follow the roles."""

import base64
import io

import openpyxl
import pytest

from dashboard.ids import Explore
from dashboard.tabs.data.callbacks import change_roles
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.explore.callbacks import download_tables, overview, period_choices, series
from dashboard.tabs.explore.views import row_statistics
from tests.dashboard.helpers import triggered


def test_overview_draws_every_chart_for_the_current_roles(demo):
    _, store, token = demo
    summary = load_dataset(store, store.session_id(token)).summary()
    share, vif, correlation, stats, options, chosen, status = overview(store, summary, token)
    assert list(share.data[0].labels) == summary["roles"]["channels"] and status is None
    assert list(vif.data[0].y) == summary["roles"]["channels"] and correlation.data[0].type == "heatmap"
    assert "median" in str(stats) and chosen == summary["roles"]["channels"] and len(options) == len(chosen)


def test_overview_says_when_the_data_expired_and_is_empty_without_data(demo):
    _, store, token = demo
    summary = load_dataset(store, store.session_id(token)).summary()
    store.clear(store.session_id(token))
    *figures, stats, options, chosen, status = overview(store, summary, token)
    assert "no longer on the server" in str(status) and stats is None and options == []
    assert all(not figure.data for figure in figures)
    assert overview(store, None, token)[-1] is None


def test_series_shows_the_chosen_channels_only(demo):
    _, store, token = demo
    summary = load_dataset(store, store.session_id(token)).summary()
    figure = series(store, ["google", "not-a-channel"], "week", summary, token)
    assert [t.name for t in figure.data] == ["revenue", "google"]
    assert not series(store, ["google"], "week", None, token).data


def test_downloads_follow_the_corrected_roles(demo):
    _, store, token = demo
    roles = load_dataset(store, store.session_id(token)).roles
    change_roles(store, roles["target"], roles["channels"][:-1], roles["controls"], roles["date"], token)
    sent = triggered(Explore.EXPORT_XLSX, download_tables, store, 1, None, token)
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])), read_only=True)
    assert book.sheetnames == ["Data as read", "Summary statistics", "Correlation", "VIF"]
    assert [r[0] for r in book["VIF"].iter_rows(min_row=2, values_only=True)] == roles["channels"][:-1]
    csv = triggered(Explore.EXPORT_CSV, download_tables, store, None, 1, token)
    assert csv["filename"] == "demo - summary.csv"


def test_series_sums_spend_and_revenue_per_week_or_month(demo):
    _, store, token = demo
    dataset = load_dataset(store, store.session_id(token))
    summary, frame = dataset.summary(), dataset.frame
    daily = series(store, ["google"], "day", summary, token)
    monthly = series(store, ["google"], "month", summary, token)
    weekly = series(store, ["google"], None, summary, token)  # long daily data opens per week
    assert len(daily.data[0].x) == len(frame) and 30 <= len(monthly.data[0].x) <= 36
    assert 150 <= len(weekly.data[0].x) <= 157 and weekly.layout.title.text == "Spend and revenue per week"
    january = frame[frame["date"].dt.strftime("%Y-%m") == f"{frame['date'].iloc[40]:%Y-%m}"]
    month = list(monthly.data[1].x).index(january["date"].min().replace(day=1))
    assert monthly.data[1].y[month] == pytest.approx(january["google"].sum())  # spend is summed, not averaged
    assert "per month" in monthly.layout.title.text and monthly.layout.xaxis.title.text == "Month"


def test_period_choices_follow_the_frequency_and_length():
    assert period_choices(None) == ([], None)
    options, value = period_choices({"frequency": "daily", "rows": 1096})
    assert [o["label"] for o in options] == ["Daily", "Weekly", "Monthly"] and value == "week"
    assert period_choices({"frequency": "daily", "rows": 120})[1] == "day"
    options, value = period_choices({"frequency": "weekly", "rows": 156})
    assert [o["value"] for o in options] == ["week", "month"] and value == "week"


def test_correlation_and_totals_follow_the_roles(demo):
    _, store, token = demo
    roles = load_dataset(store, store.session_id(token)).roles
    kept = roles["controls"][:-1]
    change_roles(store, roles["target"], roles["channels"], kept, roles["date"], token)
    summary = load_dataset(store, store.session_id(token)).summary()
    _, _, correlation, stats, *_ = overview(store, summary, token)
    assert list(correlation.data[0].x) == [roles["target"], *roles["channels"], *kept]  # not the unused column
    rows = {
        row.children[0].children: [cell.children for cell in row.children]
        for row in stats.children.children[1].children
    }
    assert rows[roles["target"]][-1] and rows[roles["channels"][0]][-1]  # spend and revenue add up
    assert rows[kept[0]][-1] == "" and rows[roles["controls"][-1]][-1] == ""  # a price or an index does not
    assert "table-responsive" in stats.className


def test_statistics_read_as_people_write_them():
    values = (1.234, 99.5, 2262.47, -0.001, 45_712_345.0, float("nan"))
    assert [row_statistics([v])[0] for v in values] == ["1.23", "99.50", "2,262", "0.00", "45.71M", ""]


def test_a_columns_statistics_share_one_format():
    """Revenue read "1.8M | 716,229 | 672,250 | 1.9M | 3.8M" and zeros "0.00" among whole numbers."""
    revenue = row_statistics([1_812_345.0, 716_229.0, 672_250.0, 1_900_000.0, 3_800_000.0])
    assert revenue == ["1.81M", "0.72M", "0.67M", "1.90M", "3.80M"]
    assert row_statistics([452.36, 800.1, 0.0, 0.0, 3000.0]) == ["452", "800", "0", "0", "3,000"]
    assert row_statistics([20.22, 0.87, 18.1, float("nan"), -0.001]) == ["20.22", "0.87", "18.10", "", "0.00"]
