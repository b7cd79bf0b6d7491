"""The theme module: layout defaults, empty figures and interval bands shared by every tab's figures."""

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.figures.format import compact_number, finite, ratio
from dashboard.figures.theme import (
    ALL_BUTTONS,
    LEGEND,
    TEMPLATE,
    TOOLBAR_STRIP,
    apply_theme,
    band_traces,
    blank_figure,
    colors_for,
    empty_figure,
    rgba,
)


def test_empty_figure_has_hidden_axes_and_a_message():
    figure = empty_figure("Upload data to see this chart")
    assert not figure.data and figure.layout.annotations[0].text == "Upload data to see this chart"
    assert figure.layout.xaxis.visible is False and figure.layout.template == pio.templates[TEMPLATE]


def test_theme_keeps_the_title_below_the_toolbar_and_the_legend_right_of_the_plot():
    """Item 1 and 2: the toolbar has a strip of its own above the title; the legend sits right of the plot area
    (plotly widens the margin for it), away from the title and the axis titles below and left of the plot."""
    fig = apply_theme(go.Figure(), "Plain")
    title = fig.layout.title
    assert title.text == "Plain" and (title.yref, title.y, title.yanchor) == ("container", 1, "top")
    assert title.pad.t >= TOOLBAR_STRIP and fig.layout.margin.t >= TOOLBAR_STRIP + 40
    assert fig.layout.modebar.orientation == "h" and "lasso2d" in fig.layout.modebar.remove
    assert (fig.layout.legend.orientation, fig.layout.legend.x, fig.layout.legend.xanchor) == ("v", 1.02, "left")
    assert fig.layout.legend.to_plotly_json() == LEGEND
    assert apply_theme(go.Figure(), "Taller", bottom=90).layout.margin.b == 90


def test_empty_figure_has_no_toolbar_buttons():
    """Item 9: every button plotly could show is removed, so no toolbar floats over the blank box."""
    modebar = empty_figure("Nothing yet").layout.modebar
    assert set(modebar.remove) == set(ALL_BUTTONS)
    assert {"zoom2d", "pan2d", "resetScale2d", "toImage", "select2d", "lasso2d"} <= set(modebar.remove)


def test_band_is_a_lower_edge_and_an_upper_edge_filled_to_it():
    lower, upper = band_traces([1, 2], [0.5, 1.0], [1.5, 3.0], "#2B2B2B", "90% interval")
    assert (lower.fill, upper.fill) == (None, "tonexty") and upper.fillcolor == rgba("#2B2B2B", 0.2)
    assert upper.name == "90% interval" and upper.showlegend and not lower.showlegend
    grouped = band_traces([1], [0.0], [1.0], "#4285F4", "google 90% interval", group="google")
    assert {t.legendgroup for t in grouped} == {"google"} and not any(t.showlegend for t in grouped)


def test_colours_and_numbers():
    assert colors_for(["podcast"], ["google", "podcast"])["podcast"] == colors_for(["google", "podcast"])["podcast"]
    assert colors_for(["tv"], given={"tv": "#000000"}) == {"tv": "#000000"}
    assert compact_number(1_234_567) == "1.2M" and compact_number(None) == "–"
    assert ratio(1.234) == "1.23" and ratio(float("inf")) == "–"
    assert np.array_equal(finite([1, float("nan"), float("inf"), "x"]), [1.0, np.nan, np.nan, np.nan], equal_nan=True)


def test_the_layouts_blank_figure_is_the_empty_figure_built_once_and_handed_out_fresh():
    shown = blank_figure("Upload data to see this chart")
    assert go.Figure(shown) == empty_figure("Upload data to see this chart")
    shown["layout"]["annotations"][0]["text"] = "changed by a caller"
    assert blank_figure("Upload data to see this chart")["layout"]["annotations"][0]["text"] != "changed by a caller"
