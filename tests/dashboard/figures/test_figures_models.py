"""Tests for the fitted-model figure builders."""

import base64
import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures import models as figures
from dashboard.figures import plan as plan_figures
from dashboard.figures.format import MISSING_TEXT, compact_number
from dashboard.figures.theme import BREAK_EVEN, channel_colors

CHANNELS = ["google", "facebook", "podcast"]
DATES = pd.date_range("2024-01-07", periods=20, freq="W")


def strict_json(fig: go.Figure) -> dict:
    """The figure's JSON, parsed so that NaN or Infinity anywhere fails the test."""

    def refuse(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(fig.to_json(), parse_constant=refuse)


def sent(values) -> list:
    """The numbers of one array in a figure's JSON as the browser gets them: plotly sends a float array as
    binary (``{"dtype", "bdata"}``), which holds NaN, drawn as a gap; here NaN reads as None."""
    if isinstance(values, dict) and "bdata" in values:
        values = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def empty_message(fig: go.Figure) -> str:
    return fig.layout.annotations[0].text if not fig.data and fig.layout.annotations else ""


@pytest.fixture
def fitted():
    rng = np.random.default_rng(0)
    actual = 1000 + rng.normal(0, 50, size=20)
    actual[3] = np.nan  # a blank target period must not break the figure
    return pd.DataFrame(
        {
            "date": DATES,
            "actual": actual,
            "predicted": actual + rng.normal(0, 10, size=20),
            "holdout": [False] * 16 + [True] * 4,
        }
    ).sample(frac=1.0, random_state=1)


@pytest.fixture
def contributions():
    t = np.arange(20)
    return pd.DataFrame(
        {
            "baseline": np.full(20, 500.0),
            "trend": np.linspace(-40, 40, 20),  # changes sign
            "seasonality": 30 * np.sin(t),  # changes sign
            "price": np.full(20, -25.0),  # always negative control
            "holiday": np.where(t % 5 == 0, 60.0, 0.0),  # non-negative control
            "google": 100 + t,
            "facebook": 50 + t,
            "podcast": np.full(20, 10.0),
        },
        index=pd.DatetimeIndex(DATES, name="week"),
    )


@pytest.fixture
def roas():
    return pd.DataFrame(
        {
            "channel": CHANNELS,
            "spend": [1000.0, 500.0, 0.0],
            "contribution": [2500.0, 400.0, 0.0],
            "roas": [2.5, 0.8, np.nan],
            "mroas": [1.6, 0.5, np.nan],
        }
    ).assign(lower=lambda f: f["roas"], upper=lambda f: f["roas"])


@pytest.fixture
def curves():
    grid = np.linspace(0, 300, 31)
    parts = []
    for i, channel in enumerate(CHANNELS):
        response = (i + 1) * 400 * (1 - np.exp(-grid / 100))
        parts.append(pd.DataFrame({"channel": channel, "spend": grid, "response": response}))
    frame = pd.concat(parts, ignore_index=True)
    return frame.assign(lower=frame["response"], upper=frame["response"])


def test_actual_vs_predicted_lines_holdout_and_hover(fitted):
    fig = figures.actual_vs_predicted(fitted)
    assert [trace.name for trace in fig.data] == ["actual", "predicted"]
    assert fig.data[1].line.dash == "dash"
    assert fig.layout.hovermode == "x unified"
    assert np.all(np.diff(np.asarray(fig.data[0].x, dtype="datetime64[ns]")) > np.timedelta64(0))
    (shape,) = fig.layout.shapes
    assert shape.type == "rect"
    assert pd.Timestamp(shape.x0) == DATES[16] and pd.Timestamp(shape.x1) == DATES[-1]
    assert any(a.text == "holdout" for a in fig.layout.annotations)
    assert fig.layout.title.text == "Actual vs predicted"
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    strict_json(fig)


def test_actual_vs_predicted_without_holdout_has_no_shading(fitted):
    fig = figures.actual_vs_predicted(fitted.assign(holdout=False), title="Fit")
    assert not fig.layout.shapes
    assert fig.layout.title.text == "Fit"


def test_contributions_area_groups_and_colours(contributions):
    fig = figures.contributions_area(contributions, CHANNELS)
    up = [trace.name for trace in fig.data if trace.stackgroup == "up"]
    down = [trace.name for trace in fig.data if trace.stackgroup == "down"]
    assert up == ["baseline", "trend", "seasonality", "holiday", *CHANNELS]
    assert down == ["trend", "seasonality", "price"]
    # One legend entry and one hover line per component, however many traces it has.
    shown = [t.name for t in fig.data if t.showlegend is not False]
    hovered = [t.name for t in fig.data if t.hoverinfo != "skip"]
    assert sorted(shown) == sorted(hovered) == sorted(contributions.columns)
    assert len(shown) == len(hovered) == contributions.shape[1]
    ranks = {t.name: t.legendrank for t in fig.data if t.showlegend is not False}
    assert sorted(ranks, key=ranks.get) == list(contributions.columns)  # legend keeps the engine's order
    colors = channel_colors(CHANNELS)
    for trace in fig.data:
        if trace.name in CHANNELS:
            assert trace.line.color == colors[trace.name]
        if trace.name in figures.BASE_COLORS:
            assert trace.line.color == figures.BASE_COLORS[trace.name]
        if trace.name in ("price", "holiday"):
            assert trace.line.color in figures.CONTROL_COLORS
    # Each period's up and down parts add back to the fitted revenue.
    net = np.sum([np.asarray(t.y, dtype=float) for t in fig.data], axis=0)
    np.testing.assert_allclose(net, contributions.sum(axis=1).to_numpy())
    assert all(np.all(np.asarray(t.y, dtype=float) <= 0) for t in fig.data if t.stackgroup == "down")
    strict_json(fig)


def test_contribution_waterfall_ends_with_total(contributions):
    totals = contributions.sum()[["trend", "google", "baseline", "price", "facebook"]]
    fig = figures.contribution_waterfall(totals, CHANNELS)
    trace = fig.data[0]
    assert list(trace.x) == ["baseline", "trend", "google", "price", "facebook", figures.TOTAL_LABEL]
    assert list(trace.measure) == ["relative"] * 5 + ["total"]
    assert trace.y[-1] == pytest.approx(totals.sum())
    assert sum(trace.y[:-1]) == pytest.approx(trace.y[-1])
    assert trace.text[0] == compact_number(totals["baseline"])
    strict_json(fig)


def test_compact_number():
    assert compact_number(1_234_567) == "1.2M"
    assert compact_number(35_400) == "35k"
    assert compact_number(-4_500) == "-4.5k"
    assert compact_number(2.1e9) == "2.1B"
    assert compact_number(12.4) == "12"
    assert compact_number(float("nan")) == MISSING_TEXT


def test_roas_bars_point_model(roas):
    fig = figures.roas_bars(roas)
    assert [trace.name for trace in fig.data] == ["ROAS", "marginal ROAS"]
    assert fig.layout.barmode == "group"
    colors = channel_colors(CHANNELS)
    assert list(fig.data[0].marker.color) == [colors[c] for c in CHANNELS]
    assert fig.data[1].marker.pattern.shape == "/"
    assert not fig.data[0].error_y.visible  # point model: lower and upper repeat ROAS
    (line,) = fig.layout.shapes
    assert line.y0 == line.y1 == 1.0 and line.line.dash == "dash"
    assert not fig.layout.annotations  # item 4: no label on the plot, where it sat on the bars
    assert line.name == BREAK_EVEN and line.showlegend  # the line is named in the legend instead
    assert "spend" in fig.data[0].hovertemplate and "contribution" in fig.data[0].hovertemplate
    assert fig.data[0].customdata[0][0] == 1000.0
    payload = strict_json(fig)
    assert sent(payload["data"][0]["y"])[2] is None  # zero spend: no ROAS, shown as a gap


def test_roas_bars_with_intervals(roas):
    fig = figures.roas_bars(roas.assign(lower=roas["roas"] - 0.5, upper=roas["roas"] + 0.3))
    error = fig.data[0].error_y
    assert error.visible
    assert error.array[0] == pytest.approx(0.3) and error.arrayminus[0] == pytest.approx(0.5)
    strict_json(fig)


def test_roas_bars_keep_colours_of_full_channel_list(roas):
    fig = figures.roas_bars(roas[roas["channel"] == "podcast"], channels=["affiliates", "podcast"])
    assert list(fig.data[0].marker.color) == [channel_colors(["affiliates", "podcast"])["podcast"]]


def test_importance_bars_sorted_descending():
    importance = pd.DataFrame(
        {"feature": ["tv", "google", "price", "trend"], "importance": [0.2, 0.9, np.nan, 0.5], "kind": "SHAP"}
    )
    fig = figures.importance_bars(importance)
    (trace,) = fig.data
    assert list(trace.y) == ["google", "Trend", "tv", "price"]
    assert trace.orientation == "h"
    assert fig.layout.xaxis.title.text == "Average effect on revenue per period (SHAP)"
    assert fig.layout.yaxis.autorange == "reversed"
    strict_json(fig)


def test_response_curves_lines_and_current_markers(curves):
    current = {"google": 150.0, "podcast": 50.0}
    fig = figures.response_curves_figure(curves, current)
    lines = [t.name for t in fig.data if t.mode == "lines" and t.fill is None and t.showlegend is not False]
    assert lines == CHANNELS
    markers = {t.legendgroup: t for t in fig.data if t.mode == "markers"}
    assert set(markers) == {"google", "podcast"}
    assert not [t for t in fig.data if t.fill == "tonexty"]  # point model: no bands
    google = curves[curves["channel"] == "google"]
    assert markers["google"].y[0] == pytest.approx(np.interp(150.0, google["spend"], google["response"]))
    colors = channel_colors(CHANNELS)
    for trace in fig.data:
        if trace.mode == "lines" and trace.name in CHANNELS:
            assert trace.line.color == colors[trace.name]
    assert fig.layout.xaxis.title.text == "Spend per period"
    assert fig.layout.yaxis.title.text == "Revenue per period"
    strict_json(fig)


def test_response_curves_bands_only_where_intervals_differ(curves):
    wide = curves["channel"] == "facebook"
    curves.loc[wide, "lower"] = curves.loc[wide, "response"] * 0.8
    curves.loc[wide, "upper"] = curves.loc[wide, "response"] * 1.2
    fig = figures.response_curves_figure(curves)
    filled = [t for t in fig.data if t.fill == "tonexty"]
    assert [t.legendgroup for t in filled] == ["facebook"]
    assert len(fig.data) == len(CHANNELS) + 2
    strict_json(fig)


def test_decay_figure_lines_and_empty():
    decay = pd.DataFrame(
        {"channel": ["tv"] * 4 + ["google"] * 4, "lag": [0, 1, 2, 3] * 2, "weight": [0.5, 0.25, 0.15, 0.1] * 2}
    )
    fig = figures.decay_figure(decay, channels=["google", "tv"])
    assert [t.name for t in fig.data] == ["tv", "google"]
    assert fig.data[0].line.color == channel_colors(["google", "tv"])["tv"]
    assert fig.layout.yaxis.tickformat == ".0%"
    strict_json(fig)
    empty = figures.decay_figure(pd.DataFrame(columns=["channel", "lag", "weight"]))
    assert empty_message(empty) == "This model has no adstock"


def test_decay_figure_names_the_datas_days_or_weeks():
    decay = pd.DataFrame({"channel": "tv", "lag": [0, 1, 2], "weight": [0.5, 0.3, 0.2]})
    daily = figures.decay_figure(decay, frequency="daily")
    assert daily.layout.title.text == "Carry-over: share of effect felt after N days"
    assert daily.layout.xaxis.title.text == "Days after the spend"
    trace = daily.data[0]
    assert list(trace.customdata) == ["days", "day", "days"] and trace.hovertemplate.startswith(
        "after %{x} %{customdata}:"
    )
    weekly = figures.decay_figure(decay, frequency="weekly")
    assert weekly.layout.xaxis.title.text == "Weeks after the spend" and "after N weeks" in weekly.layout.title.text
    assert list(weekly.data[0].customdata) == ["weeks", "week", "weeks"]  # "after 1 week", "after 2 weeks"
    unknown = figures.decay_figure(decay)
    assert (
        unknown.layout.xaxis.title.text == "Periods after the spend" and "after N periods" in unknown.layout.title.text
    )
    strict_json(daily)


@pytest.mark.parametrize(
    "build",
    [
        lambda: figures.actual_vs_predicted(pd.DataFrame(columns=["date", "actual", "predicted", "holdout"])),
        lambda: figures.contributions_area(pd.DataFrame(), CHANNELS),
        lambda: figures.contribution_waterfall(pd.Series(dtype=float), CHANNELS),
        lambda: figures.roas_bars(pd.DataFrame(columns=["channel", "spend", "contribution", "roas", "mroas"])),
        lambda: figures.importance_bars(pd.DataFrame(columns=["feature", "importance", "kind"])),
        lambda: figures.response_curves_figure(pd.DataFrame(columns=["channel", "spend", "response"])),
    ],
)
def test_empty_inputs_give_a_message(build):
    fig = build()
    assert empty_message(fig).startswith("No ")
    strict_json(fig)


def test_axes_name_the_datas_days_or_weeks(curves):
    """Weekly data read "per week" on every axis that counts periods, daily data "per day"."""
    weekly = figures.response_curves_figure(curves, {"google": 150.0}, frequency="weekly")
    assert (weekly.layout.xaxis.title.text, weekly.layout.yaxis.title.text) == ("Spend per week", "Revenue per week")
    importance = pd.DataFrame({"feature": ["tv"], "importance": [3.0], "kind": "SHAP"})
    shap = figures.importance_bars(importance, "daily").layout.xaxis.title.text
    assert shap == "Average effect on revenue per day (SHAP)"
    parts = pd.DataFrame({"tv": [1.0, 2.0]}, index=pd.date_range("2025-01-06", periods=2, freq="W-MON"))
    assert figures.contributions_area(parts, ["tv"], "weekly").layout.yaxis.title.text == "Revenue per week"
    allocation = pd.DataFrame({"channel": ["tv"], "current": [1.0], "optimal": [2.0], "at_bound": [""]})
    bars = plan_figures.allocation_figure(allocation, per="week")
    assert bars.layout.yaxis.title.text == "Spend per week" and bars.layout.title.text.startswith("Spend per week:")
    spend = pd.DataFrame({"scenario": ["A"], "channel": ["tv"], "spend": [2.0]})
    assert plan_figures.scenario_spend_figure(spend, per="day").layout.yaxis.title.text == "Spend per day"
