"""Readability of the charts, checked on the figure objects: one colour per channel on every chart, colours
that colour-blind readers tell apart, round spend axes from 0, the carry-over axis, every importance bar named
in words, and the waterfall's decreases in their own colour."""

import itertools

import numpy as np
import pandas as pd
import pytest

from dashboard.figures import explore, models, plan
from dashboard.figures.theme import BASE_COLORS, PALETTE, TARGET_COLOR, channel_colors
from models.explore import spend_share, variance_inflation

TEN = ["google", "facebook", "youtube", "instagram", "tiktok", "other", "tv", "radio", "print", "podcast"]
# Machado, Oliveira & Fernandes (2009) simulation matrices (severity 1) in linear RGB.
COLOUR_BLIND = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
}
# Smallest distance (sRGB, 0-255) two colours keep as these readers see them; measured minimum 45, black vs grey 73.
APART = 40


def seen(hex_color: str, matrix) -> np.ndarray:
    """``hex_color`` as a reader with this colour vision deficiency sees it, in sRGB 0-255."""
    value = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(value <= 0.04045, value / 12.92, ((value + 0.055) / 1.055) ** 2.4)
    out = np.clip(np.asarray(matrix) @ linear, 0, 1)
    return 255 * np.where(out <= 0.0031308, 12.92 * out, 1.055 * out ** (1 / 2.4) - 0.055)


def test_ten_channels_get_ten_colours_apart_from_each_other_and_from_the_greys():
    """Item 3: distinct for colour-blind readers, and never the greys/black kept for revenue, baseline, trend."""
    colors = channel_colors(TEN)
    assert len(set(colors.values())) == 10 and set(colors.values()) == set(PALETTE)
    reserved = [TARGET_COLOR, *BASE_COLORS.values()]
    for name, matrix in [*COLOUR_BLIND.items(), ("normal vision", np.eye(3))]:
        for a, b in itertools.combinations(colors.values(), 2):
            assert np.linalg.norm(seen(a, matrix) - seen(b, matrix)) >= APART, (name, a, b)
        for channel_color, grey in itertools.product(colors.values(), reserved):
            assert np.linalg.norm(seen(channel_color, matrix) - seen(grey, matrix)) >= APART, (name, channel_color)
    assert channel_colors(["other"])["other"] not in reserved and channel_colors(["facebook"])["facebook"] != "#1C2B5A"


def channel_figures(channels: list[str]) -> dict:
    """Every chart that colours channels, each given the full channel list (as the app does)."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-07", periods=12, freq="W")
    frame = pd.DataFrame(rng.uniform(1, 100, size=(12, len(channels))), columns=channels)
    frame["revenue"], frame["date"] = 500 + frame[channels].sum(axis=1), dates
    colors = channel_colors(channels)
    curves = pd.concat(
        pd.DataFrame({"channel": c, "spend": [0.0, 50.0, 100.0], "response": [0.0, 40.0, 60.0]}) for c in channels
    )
    per_channel = pd.DataFrame({"channel": channels, "spend": 1.0, "contribution": 2.0, "roas": 2.0, "mroas": 1.0})
    plans = per_channel.assign(total_spend=10.0, incremental_revenue=5.0)
    allocation = pd.DataFrame({"channel": channels, "current": 1.0, "optimal": 2.0, "at_bound": ""})
    contributions = pd.DataFrame({"baseline": 100.0, "trend": 1.0, **{c: 5.0 for c in channels}}, index=dates)
    return {
        "time series": explore.time_series_figure(frame, "date", "revenue", channels, colors=colors),
        "spend share": explore.spend_share_figure(spend_share(frame, channels), colors=colors),
        "vif": explore.vif_figure(variance_inflation(frame, channels), colors=colors),
        "contributions": models.contributions_area(contributions, channels),
        "roas": models.roas_bars(per_channel.assign(lower=2.0, upper=2.0), channels=channels),
        "response": models.response_curves_figure(curves.assign(lower=curves["response"], upper=curves["response"])),
        "decay": models.decay_figure(pd.DataFrame({"channel": channels, "lag": 0, "weight": 1.0}), channels=channels),
        "incremental": plan.incremental_figure(plans),
        "allocation": plan.allocation_figure(allocation, channels=channels),
    }


def hue(color: str) -> str:
    """``#RRGGBB`` of a hex or rgba() colour (a lighter tint of a channel, e.g. marginal ROAS, is its colour)."""
    if not color.startswith("rgba("):
        return color.upper()
    red, green, blue = (int(part) for part in color[5:-1].split(",")[:3])
    return f"#{red:02X}{green:02X}{blue:02X}"


def colours_by_channel(fig, channels: list[str]) -> dict[str, set[str]]:
    """The colour each channel is drawn in on ``fig``: lines, areas, pie slices and bars (one per category)."""
    found: dict[str, set[str]] = {c: set() for c in channels}
    for trace in fig.data:
        if trace.type == "pie":
            for label, color in zip(trace.labels, trace.marker.colors, strict=True):
                found[label].add(hue(color))
        elif trace.type == "bar" and not isinstance(trace.marker.color, str):
            for label, color in zip(trace.y if trace.orientation == "h" else trace.x, trace.marker.color, strict=True):
                found[label].add(hue(color))
        elif trace.type == "scatter" and trace.name in found:
            found[trace.name].add(hue(trace.line.color))
    return found


def test_a_channel_has_the_same_colour_on_every_chart():
    """Item 3: one function decides; every chart draws each channel in that colour."""
    colors = channel_colors(TEN)
    for name, fig in channel_figures(TEN).items():
        found = colours_by_channel(fig, TEN)
        assert any(found.values()), name
        for channel, drawn in found.items():
            assert drawn <= {colors[channel]}, (name, channel, drawn)


def test_spend_axes_have_round_si_ticks_and_start_at_zero():
    """Item 6: ``~s`` ticks (70k, 1.2M) on automatic round steps, never below 0."""
    figures = channel_figures(TEN)
    axes = [
        figures["time series"].layout.yaxis2,
        figures["response"].layout.xaxis,
        figures["allocation"].layout.yaxis,
        plan.scenario_spend_figure(pd.DataFrame({"scenario": "a", "channel": TEN, "spend": 1.0})).layout.yaxis,
    ]
    for axis in axes:
        assert axis.tickformat == "~s" and axis.rangemode == "nonnegative"
        assert axis.tickmode in (None, "auto") and axis.tickvals is None and axis.dtick is None  # plotly's nice steps


def test_carry_over_axis_starts_at_zero_with_readable_ticks():
    """Item 5: 28 daily lags read 0, 5, ..., 25 from 0 (not -1 to 28 in steps of 1); 8 weekly lags every period."""
    daily = pd.DataFrame({"channel": "tv", "lag": np.arange(28), "weight": np.linspace(0.2, 0, 28)})
    axis = models.decay_figure(daily).layout.xaxis
    assert axis.range == (0, 27) and axis.dtick == 5 and axis.title.text == "Periods after the spend"
    weekly = models.decay_figure(daily.iloc[:8]).layout.xaxis
    assert weekly.range[0] == 0 and weekly.dtick == 1
    assert all(trace.cliponaxis is False for trace in models.decay_figure(daily).data)  # lag 0 marker not cut


def test_importance_labels_every_bar_in_words():
    """Item 7: every bar labelled, engine names in words, the x-axis says what the number is."""
    features = ["trend", "season_week_cos1", "season_year_sin2", "google", "price_lag", "seasonality"]
    shap = pd.DataFrame({"feature": features, "importance": np.arange(6.0, 0, -1), "kind": "SHAP"})
    fig = models.importance_bars(shap)
    expected = ["Trend", "Season (weekly, cos 1)", "Season (yearly, sin 2)", "google", "price_lag", "Seasonality"]
    assert list(fig.data[0].y) == expected
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.automargin is True
    assert fig.layout.xaxis.title.text == "Average effect on revenue per period (SHAP)"
    shares = models.importance_bars(shap.assign(kind="coefficient", importance=[0.4, 0.2, 0.1, 0.1, 0.1, 0.1]))
    assert shares.layout.xaxis.title.text == "Share of the total effect on revenue (coefficients)"
    assert shares.layout.xaxis.tickformat == ".0%"


@pytest.mark.parametrize("seasonality", [-300.0, 300.0])
def test_waterfall_shows_decreases_in_their_own_colour_and_words(seasonality):
    """Item 8: a negative step is orange (increases blue), its hover says "decrease", the legend names both."""
    totals = pd.Series({"baseline": 1000.0, "seasonality": seasonality, "google": 400.0})
    fig = models.contribution_waterfall(totals, ["google"])
    waterfall = fig.data[0]
    up, down = waterfall.increasing.marker.color, waterfall.decreasing.marker.color
    assert down != up and down not in channel_colors(TEN).values() and down != waterfall.totals.marker.color
    step = "decrease" if seasonality < 0 else "increase"
    assert list(waterfall.customdata) == ["increase", step, "increase", "total"]
    assert "%{customdata}" in waterfall.hovertemplate
    legend = {trace.name: trace.marker.color for trace in fig.data[1:]}
    assert legend == ({"increase": up, "decrease": down} if seasonality < 0 else {"increase": up})
