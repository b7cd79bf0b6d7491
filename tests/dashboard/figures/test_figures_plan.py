"""The Plan tab's figure builders: theme colours, and intervals only where the model has them."""

import numpy as np
import pandas as pd

from dashboard.figures.plan import allocation_figure, incremental_figure, prediction_figure
from dashboard.figures.theme import channel_colors


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
    figure = allocation_figure(allocation)
    assert [t.name for t in figure.data] == ["current", "optimised"] and figure.layout.barmode == "group"
    assert figure.data[1].customdata == ("<br>locked", "<br>at its minimum")
