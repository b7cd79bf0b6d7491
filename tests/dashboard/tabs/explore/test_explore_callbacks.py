"""The Explore tab's callbacks called directly: overview, series and the downloads follow the roles."""

import base64
import io

import openpyxl

from dashboard.ids import Explore
from dashboard.tabs.data.callbacks import change_roles
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.explore.callbacks import download_tables, overview, series
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
    figure = series(store, ["google", "not-a-channel"], summary, token)
    assert [t.name for t in figure.data] == ["revenue", "google"]
    assert not series(store, ["google"], None, token).data


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
