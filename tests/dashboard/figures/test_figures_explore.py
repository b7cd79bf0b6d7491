"""Tests for the explore figure builders and the channel colour theme."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard.figures import explore as figures
from dashboard.figures.theme import KNOWN_CHANNEL_COLORS, PALETTE, TEMPLATE, channel_colors, empty_figure
from dashboard.tabs.explore.layout import VIF_NOTE as EXPLORE_VIF_NOTE
from models.explore import correlation_matrix, spend_share, variance_inflation

CHANNELS = ["google", "facebook", "podcast"]


@pytest.fixture
def frame():
    rng = np.random.default_rng(3)
    data = pd.DataFrame(rng.uniform(0, 100, size=(30, 3)), columns=CHANNELS)
    data["revenue"] = 500 + data.sum(axis=1) + rng.normal(size=30)
    data["date"] = pd.date_range("2024-01-07", periods=30, freq="W")
    return data.sample(frac=1.0, random_state=0)  # builders must not rely on row order


def test_channel_colors_known_fixed_rest_by_position():
    colors = channel_colors(["Google_Spend", "tiktok", "podcast", "radio_x", "affiliates"])
    assert colors["Google_Spend"] == KNOWN_CHANNEL_COLORS["google"]
    assert colors["tiktok"] == KNOWN_CHANNEL_COLORS["tiktok"]
    free = [c for c in PALETTE if c not in (colors["Google_Spend"], colors["tiktok"])]
    assert [colors[c] for c in ("podcast", "radio_x", "affiliates")] == free[:3]  # unused colours, in order
    assert channel_colors(["meta"])["meta"] == KNOWN_CHANNEL_COLORS["facebook"]
    assert channel_colors(["google_search", "google_display"]) == channel_colors(["google_search", "google_display"])


def test_channel_colors_unique_when_names_share_a_brand():
    colors = channel_colors(["google_search", "google_display", "fb", "meta"])
    assert len(set(colors.values())) == 4


def test_time_series_traces_axes_and_layout(frame):
    fig = figures.time_series_figure(frame, "date", "revenue", CHANNELS, currency="EUR")
    assert [trace.name for trace in fig.data] == ["revenue", *CHANNELS]
    assert fig.data[0].yaxis == "y" and all(trace.yaxis == "y2" for trace in fig.data[1:])
    assert fig.layout.hovermode == "x unified"
    assert fig.layout.legend.orientation == "v" and fig.layout.legend.x > 1  # right of the plot, as everywhere
    assert fig.layout.yaxis2.tickformat == "~s" and fig.layout.yaxis2.rangemode == "nonnegative"  # spend axis
    assert fig.layout.template == pio.templates[TEMPLATE]
    assert "EUR" in fig.layout.yaxis.title.text and "EUR" in fig.layout.yaxis2.title.text
    assert np.all(np.diff(fig.data[0].x.astype("datetime64[ns]")) > np.timedelta64(0))


def test_time_series_without_channels(frame):
    fig = figures.time_series_figure(frame, "date", "revenue", [])
    assert [trace.name for trace in fig.data] == ["revenue"]
    assert fig.layout.yaxis2.visible is False


def test_same_channel_same_colour_across_charts(frame):
    series = figures.time_series_figure(frame, "date", "revenue", CHANNELS)
    donut = figures.spend_share_figure(spend_share(frame, CHANNELS))
    line_colors = {trace.name: trace.line.color for trace in series.data[1:]}
    pie_colors = dict(zip(donut.data[0].labels, donut.data[0].marker.colors, strict=True))
    assert line_colors == pie_colors == channel_colors(CHANNELS)
    # A subset keeps the full list's colours when the caller passes them.
    subset = figures.time_series_figure(frame, "date", "revenue", ["podcast"], colors=channel_colors(CHANNELS))
    assert subset.data[1].line.color == pie_colors["podcast"]


def test_spend_share_donut(frame):
    share = spend_share(frame, CHANNELS)
    fig = figures.spend_share_figure(share)
    pie = fig.data[0]
    assert isinstance(pie, go.Pie) and pie.hole == 0.5
    assert list(pie.labels) == CHANNELS
    assert list(pie.values) == pytest.approx(share["spend"].tolist())
    assert "percent" in pie.textinfo


def test_spend_share_all_zero_gives_empty_figure():
    share = spend_share(pd.DataFrame({"a": [0.0], "b": [0.0]}), ["a", "b"])
    fig = figures.spend_share_figure(share)
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == "No spend to show"


def test_correlation_heatmap_matches_matrix(frame):
    frame = frame.assign(flat=1.0)
    corr = correlation_matrix(frame, ["revenue", *CHANNELS, "flat"])
    fig = figures.correlation_heatmap(corr)
    heat = fig.data[0]
    np.testing.assert_array_equal(np.asarray(heat.z, dtype=float), corr.to_numpy())
    assert (heat.zmin, heat.zmax) == (-1, 1)
    assert list(heat.x) == list(heat.y) == list(corr.columns)
    assert heat.texttemplate == "%{z:.2f}"
    assert fig.layout.yaxis.autorange == "reversed"


def test_vif_figure_caps_infinite_values():
    vif = pd.DataFrame({"column": ["a", "b", "c", "d"], "vif": [1.2, 7.0, np.inf, 250.0]})
    fig = figures.vif_figure(vif)
    bar = fig.data[0]
    assert bar.orientation == "h" and list(bar.y) == ["a", "b", "c", "d"]
    assert list(bar.x) == pytest.approx([1.2, 7.0, figures.VIF_CAP, figures.VIF_CAP])
    assert bar.hovertext[2] == "perfectly collinear"
    assert "250" in bar.hovertext[3]
    assert sorted(shape.x0 for shape in fig.layout.shapes) == [5, 10]
    # Each line is labelled where it is; the chart's caption on the Explore tab says what they mean.
    assert sorted(note.text for note in fig.layout.annotations) == ["10", "5"]
    assert "dotted line at 5" in EXPLORE_VIF_NOTE and "dashed line at 10" in EXPLORE_VIF_NOTE


def test_vif_figure_from_engine_output(frame):
    frame = frame.assign(total=frame["google"] + frame["facebook"])
    fig = figures.vif_figure(variance_inflation(frame, ["google", "facebook", "total"]))
    assert list(fig.data[0].x) == [figures.VIF_CAP] * 3


def test_vif_and_empty_figures():
    assert len(figures.vif_figure(pd.DataFrame({"column": [], "vif": []})).data) == 0
    fig = empty_figure("Upload a file to start")
    assert fig.layout.annotations[0].text == "Upload a file to start"
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_figures_serialise_with_missing_values(frame):
    frame = frame.assign(flat=1.0)
    frame.loc[frame.index[:3], "revenue"] = np.nan
    built = [
        figures.time_series_figure(frame, "date", "revenue", CHANNELS),
        figures.correlation_heatmap(correlation_matrix(frame, ["revenue", "flat"])),
        figures.vif_figure(pd.DataFrame({"column": ["a"], "vif": [np.nan]})),
    ]
    for fig in built:
        assert fig.layout.template == pio.templates[TEMPLATE]
        assert "NaN" not in fig.to_json()  # Dash sends JSON; NaN must become null


def test_time_series_says_the_period(frame):
    fig = figures.time_series_figure(frame, "date", "revenue", CHANNELS, currency="EUR", period="month")
    assert fig.layout.title.text == "Spend and revenue per month" and fig.layout.xaxis.title.text == "Month"
    assert fig.layout.yaxis.title.text == "revenue per month (EUR)" and "per month" in fig.layout.yaxis2.title.text


def test_crowded_correlation_hides_cell_text_and_keeps_labels_readable():
    rng = np.random.default_rng(0)
    wide = pd.DataFrame(rng.normal(size=(60, 20)), columns=[f"series_{i}" for i in range(20)])
    fig = figures.correlation_heatmap(correlation_matrix(wide, list(wide.columns)))
    assert fig.data[0].texttemplate is None and "%{z:.2f}" in fig.data[0].hovertemplate
    assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin
    assert fig.layout.xaxis.tickfont.size == 10
