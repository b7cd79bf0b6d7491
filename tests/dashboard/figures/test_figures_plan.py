"""The Plan tab's figure builders: theme colours, and intervals only where the model has them."""

import numpy as np
import pandas as pd

from dashboard.figures.plan import allocation_figure, incremental_figure, prediction_figure, scenario_spend_figure
from dashboard.figures.theme import channel_colors


def bar_names(figure) -> list[str]:
    return [t.name for t in figure.data if t.type == "bar"]


def test_figures_use_the_theme_colours_and_show_intervals_only_when_they_exist():
    dates = pd.date_range("2025-01-01", periods=3)
    flat = pd.DataFrame({"date": dates, "mean": [1.0, 2, 3], "lower": [1.0, 2, 3], "upper": [1.0, 2, 3]})
    assert [t.name for t in prediction_figure(flat).data] == ["expected revenue"]
    band = flat.assign(lower=flat["mean"] - 1, upper=flat["mean"] + 1)
    assert [t.name for t in prediction_figure(band).data][1:] == ["90% interval", "expected revenue"]
    channels = pd.DataFrame(
        {
            "channel": ["google", "tv"],
            "spend": [1.0, 2.0],
            "total_spend": [28.0, 56.0],
            "incremental_revenue": [50.0, 10.0],
            "roas": [1.8, np.nan],
            "mroas": [0.5, 0.1],
        }
    )
    bars = incremental_figure(channels).data[0]
    assert list(bars.marker.color) == list(channel_colors(["google", "tv"]).values())
    assert bars.text == ("ROAS 1.80", "ROAS –") and "marginal ROAS 0.10" in bars.customdata[1]
    allocation = pd.DataFrame(
        {"channel": ["google", "tv"], "current": [1.0, 2.0], "optimal": [3.0, 0.0], "at_bound": ["locked", "minimum"]}
    )
    figure = allocation_figure(allocation, recent="recent average (last 28 days)")
    assert bar_names(figure) == ["recent average (last 28 days)", "optimised"]
    assert figure.layout.barmode == "group" and figure.data[1].customdata == ("<br>locked", "<br>at its minimum")
    with_what_if = allocation_figure(allocation.assign(what_if=[2.5, 1.0]))
    assert bar_names(with_what_if) == ["recent average", "your what-if", "optimised"]
    assert list(with_what_if.data[1].y) == [2.5, 1.0]


def test_scenario_spend_is_a_group_of_bars_per_channel_with_a_bar_per_scenario():
    spend = pd.DataFrame(
        {
            "scenario": ["Scenario 1", "Scenario 1", "More TV", "More TV"],
            "channel": ["google", "tv", "google", "tv"],
            "spend": [100.0, 50.0, 80.0, 120.0],
        }
    )
    figure = scenario_spend_figure(spend)
    assert [t.name for t in figure.data] == ["Scenario 1", "More TV"] and figure.layout.barmode == "group"
    assert figure.data[1].x == ("google", "tv") and list(figure.data[1].y) == [80.0, 120.0]
    assert figure.data[0].marker.color != figure.data[1].marker.color
    empty = scenario_spend_figure(spend.iloc[:0])
    assert not empty.data and "Tick up to four" in empty.layout.annotations[0].text


def test_the_optimised_legend_entry_shows_no_channels_colour():
    """The optimised bars are each in their channel's colour: the legend must not draw them in the first one's."""
    allocation = pd.DataFrame(
        {"channel": ["tv", "google"], "current": [1.0, 2.0], "optimal": [3.0, 1.0], "at_bound": ["", ""]}
    )
    figure = allocation_figure(allocation)
    colors = channel_colors(["tv", "google"])
    bars = next(t for t in figure.data if t.type == "bar" and t.name == "optimised")
    assert list(bars.marker.color) == [colors["tv"], colors["google"]] and bars.showlegend is False
    shown = [t for t in figure.data if t.showlegend is not False and t.legendgroup == bars.legendgroup]
    assert len(shown) == 1 and "optimised" in shown[0].name and shown[0].type == "scatter"
    assert shown[0].marker.color not in colors.values() and shown[0].x == (None,)  # a legend entry, no point


def tick_dates(axis, first, last) -> list[pd.Timestamp]:
    """The dates a linear date axis puts its ticks on between ``first`` and ``last``."""
    start, step = pd.Timestamp(axis.tick0), pd.Timedelta(milliseconds=axis.dtick)
    return list(pd.date_range(start, last, freq=step)) if start <= first else []


def test_weekly_prediction_ticks_fall_on_the_weeks_own_dates():
    """Weeks dated on Mondays: plotly's own weekly ticks fall on Sundays (Dec 28 for the week of Dec 29)."""
    for periods in (4, 13, 52):
        dates = pd.date_range("2025-12-29", periods=periods, freq="W-MON")
        prediction = pd.DataFrame({"date": dates, "mean": 1.0, "lower": 0.5, "upper": 1.5})
        axis = prediction_figure(prediction).layout.xaxis
        assert axis.tickmode == "linear", periods
        ticks = tick_dates(axis, dates[0], dates[-1])
        assert ticks[0] == dates[0] and set(ticks) <= set(dates) and 2 <= len(ticks) <= 8, (periods, ticks)
    days = pd.DataFrame({"date": pd.date_range("2025-12-29", periods=28), "mean": 1.0, "lower": 1.0, "upper": 1.0})
    assert prediction_figure(days).layout.xaxis.tickmode is None  # every day is a date of the data: plotly's ticks
