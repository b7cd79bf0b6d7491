"""The charts' theme: channel colours (a channel looks the same everywhere), layout, empty figures and
interval bands."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE = "plotly_white"
# Every figure starts on the theme's template: plotly gives a new figure the default template without copying
# it, while naming it in update_layout deep-copies and validates it again (7 ms a figure, a third of the Models
# tab's results view, which draws eight).
pio.templates.default = TEMPLATE
# Greys and near-black are reserved for what is not a channel: revenue, baseline, trend, seasonality. Their
# levels sit between the channel colours' lightness as colour-blind readers see them (tests check the gaps).
TARGET_COLOR = "#2B2B2B"
BASE_COLORS = {"baseline": "#C0C0C0", "trend": "#6B6B6B", "seasonality": "#DCDCDC"}
MISSING_COLOR = "#BDBDBD"
# The toolbar sits in a strip of its own at the top; the title starts below it, the legend right of the plot
# (plotly widens the right margin to fit it), so toolbar, title, legend and axis titles never overlap.
TOOLBAR_STRIP = 30
TITLE = {"x": 0.01, "xanchor": "left", "xref": "container", "yref": "container", "y": 1, "yanchor": "top"}
TITLE["pad"] = {"t": TOOLBAR_STRIP}
MARGIN = {"l": 60, "r": 30, "t": TOOLBAR_STRIP + 45, "b": 50}
# tracegroupgap: every channel is a legend group of its own (its band and curve toggle together); plotly's 10 px
# between groups made the contributions legend (11 entries) taller than its chart, cut off behind a scrollbar.
LEGEND = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top", "tracegroupgap": 2}
# A chart with a second y axis on the right (its ticks and title sit right of the plot) keeps the legend past
# them: at 1.02 the legend lay over the right axis's title in a 600 px chart.
LEGEND_PAST_RIGHT_AXIS = {**LEGEND, "x": 1.15}
# Text on bars, waterfall steps and pie slices: one size per chart, never shrunk below 10 px; a label that cannot
# fit at that size is left out (its hover still says it) instead of drawn tiny or over its neighbours.
UNIFORM_TEXT = {"minsize": 10, "mode": "hide"}
# Selection, step-zoom and Plotly Cloud buttons do nothing useful here; fewer buttons keep the strip short.
UNUSED_BUTTONS = ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "sendChartToCloud"]
# Every button an empty figure could show: with all removed, plotly draws no toolbar at all.
ALL_BUTTONS = [
    *UNUSED_BUTTONS,
    "zoom2d",
    "pan2d",
    "resetScale2d",
    "toImage",
    "hoverClosestCartesian",
    "hoverCompareCartesian",
    "toggleSpikelines",
    "toggleHover",
    "resetViews",
    "downloadJson",
    "sendChartToCloud",
    "sendDataToCloud",
]
SPEND_AXIS = {"tickformat": "~s", "rangemode": "nonnegative"}  # round SI ticks (70k, 1.2M), never below 0
BAND_ALPHA = 0.2
WEEK_MS = 7 * 24 * 3600 * 1000  # a date axis's dtick counts milliseconds
TICK_WEEKS = (1, 2, 4, 8, 13, 26, 52)  # steps between date ticks of weekly data
MOST_DATE_TICKS = 8
BREAK_EVEN = "break-even (ROAS = 1)"

# One colour per channel from a colour-blind-safe qualitative palette: Okabe & Ito's seven (without black),
# then three of Paul Tol's "muted" that stay apart from them. Past ten channels the palette repeats.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#882255",  # wine
    "#999933",  # olive
    "#332288",  # indigo
    "#F0E442",  # yellow (last: faint on white)
)
# Channels whose name suggests a hue get it when it is free (Google blue, YouTube red, ...).
KNOWN_CHANNEL_COLORS = {
    "google": "#0072B2",
    "facebook": "#56B4E9",
    "youtube": "#D55E00",
    "instagram": "#CC79A7",
    "tiktok": "#009E73",
    "tv": "#E69F00",
    "other": "#999933",
}
_ALIASES = {
    "meta": "facebook",
    "fb": "facebook",
    "ig": "instagram",
    "insta": "instagram",
    "yt": "youtube",
    "television": "tv",
    "others": "other",
}


def _known_key(channel: str) -> str | None:
    """Known channel a column name refers to: whole name first, then its words."""
    name = str(channel).strip().lower()
    candidates = [name, *re.split(r"[^a-z0-9]+", name)]
    for candidate in candidates:
        key = _ALIASES.get(candidate, candidate)
        if key in KNOWN_CHANNEL_COLORS:
            return key
    return None


def channel_colors(channels: Sequence[str]) -> dict[str, str]:
    """Map each channel to a hex colour; pass the full channel list so subsets stay consistent.

    Known names take their hue when no earlier channel has it; the rest take the palette's unused colours in
    order, so up to ten channels never share a colour.
    """
    colors: dict[str, str] = {}
    for channel in channels:
        key = _known_key(channel)
        if key is not None and KNOWN_CHANNEL_COLORS[key] not in colors.values():
            colors[channel] = KNOWN_CHANNEL_COLORS[key]
    free = [color for color in PALETTE if color not in colors.values()]
    rest = [channel for channel in channels if channel not in colors]
    cycle = free + [color for color in PALETTE if color not in free]
    for position, channel in enumerate(rest):
        colors[channel] = cycle[position % len(cycle)]
    return {channel: colors[channel] for channel in channels}


def colors_for(names: Sequence[str], channels: Sequence[str] | None = None, given: Mapping[str, str] | None = None):
    """Colours for ``names``: from the full channel list when given (a subset keeps its colours), then
    ``given`` colours on top."""
    return {**channel_colors(list(names)), **channel_colors(list(channels or [])), **(given or {})}


def rgba(hex_color: str, alpha: float) -> str:
    """``#RRGGBB`` as an rgba() string with the given opacity."""
    red, green, blue = (int(hex_color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


def apply_theme(fig: go.Figure, title: str, bottom: int | None = None) -> go.Figure:
    """The shared template (plotly's default, set above), margins (``bottom``: a taller bottom margin), title
    under the toolbar strip, legend right of the plot, toolbar without the buttons these charts have no use for."""
    fig.update_layout(
        margin=MARGIN if bottom is None else {**MARGIN, "b": bottom},
        title={**TITLE, "text": title},
        legend=LEGEND_PAST_RIGHT_AXIS if _right_axes(fig) else LEGEND,
        modebar={"orientation": "h", "remove": UNUSED_BUTTONS},
        uniformtext=UNIFORM_TEXT,
    )
    # An overlaying axis would otherwise sync its ticks to the main axis's grid: unround values (46.3122k).
    fig.update_yaxes(tickmode="auto", selector={"overlaying": "y"})
    # A thin slice's share reads across, outside the slice if it does not fit, not turned along the slice.
    fig.update_traces(insidetextorientation="horizontal", selector={"type": "pie"})
    return fig


def _right_axes(fig: go.Figure) -> list:
    """The y axes drawn on the right of the plot (a secondary axis), visible ones only."""
    return [axis for axis in fig.select_yaxes() if axis.side == "right" and axis.visible is not False]


def empty_figure(message: str) -> go.Figure:
    """Blank figure with hidden axes, a centred message and no toolbar (every button removed)."""
    fig = go.Figure()
    note = {"text": message, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False}
    note["font"] = {"size": 16, "color": MISSING_COLOR}
    fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False}, annotations=[note])
    apply_theme(fig, "")
    fig.update_layout(modebar={"remove": ALL_BUTTONS})
    return fig


def blank_figure(message: str) -> dict:
    """``empty_figure(message)`` as a plain figure dict, built once per message: for the page layout, which
    places dozens of them on every page load (building and validating each took about 5 ms)."""
    return json.loads(_empty_figure_json(message))


@functools.lru_cache(maxsize=256)
def _empty_figure_json(message: str) -> str:
    return empty_figure(message).to_json()


def break_even_line(fig: go.Figure) -> None:
    """The dashed line at ROAS 1, named in the legend (a label on the plot would sit on the bars)."""
    line = {"color": "#555555", "dash": "dash", "width": 1}
    fig.add_hline(y=1.0, line=line, name=BREAK_EVEN, showlegend=True, legendrank=2000)


def spend_axis(title: str) -> dict:
    """A spend axis: starts at 0, round SI ticks (70k, 1.2M)."""
    return {"title_text": title, **SPEND_AXIS}


def band_traces(x, lower, upper, color: str, name: str, group: str | None = None) -> list[go.Scatter]:
    """An interval as two traces: the lower edge, then the upper edge filled down to it in ``color``.

    The legend shows the band once, as ``name``, unless it belongs to a ``group`` (a curve's own legend entry).
    """
    common = {"x": x, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
    if group is not None:
        common["legendgroup"] = group
    low = go.Scatter(y=lower, name=f"{name} lower", showlegend=False, **common)
    high = go.Scatter(y=upper, name=name, fill="tonexty", fillcolor=rgba(color, BAND_ALPHA), **common)
    high.update(showlegend=group is None)
    return [low, high]


def date_ticks(dates) -> dict:
    """Date-axis ticks on the data's own dates when its rows are a whole number of weeks apart: plotly's weekly
    ticks fall on Sundays (Dec 28) where weeks that start on Mondays are dated Dec 29. Ticks every 1, 2, 4...
    weeks from the first date, at most MOST_DATE_TICKS of them; {} (plotly's own) for other data."""
    stamps = pd.to_datetime(pd.Series(dates), errors="coerce").dropna().sort_values()
    steps = stamps.diff().dropna().unique()
    if len(steps) != 1 or steps[0] % pd.Timedelta(weeks=1) != pd.Timedelta(0):
        return {}
    weeks = steps[0] // pd.Timedelta(weeks=1)
    span = (len(stamps) - 1) * weeks  # weeks from the first date to the last
    every = next((n for n in TICK_WEEKS if n >= weeks and span / n < MOST_DATE_TICKS), TICK_WEEKS[-1])
    every = max(every // weeks, 1) * weeks  # a whole number of rows, so every tick falls on a row's date
    return {"tickmode": "linear", "tick0": stamps.iloc[0].strftime("%Y-%m-%d"), "dtick": every * WEEK_MS}
