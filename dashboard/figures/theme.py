"""The charts' theme: channel colours (a channel looks the same everywhere), layout, empty figures and
interval bands."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

TEMPLATE = "plotly_white"
TARGET_COLOR = "#2B2B2B"
MARGIN = {"l": 60, "r": 30, "t": 80, "b": 50}
MISSING_COLOR = "#BDBDBD"
# Below the plot: long legends (many components or channels) wrap without covering the title.
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0}
BAND_ALPHA = 0.2

# Brand-ish hues, picked to stay distinct from each other rather than exact brand codes
# (Google and Meta are both blue; two blues side by side would be unreadable).
KNOWN_CHANNEL_COLORS = {
    "google": "#4285F4",
    "search": "#34A853",
    "facebook": "#1C2B5A",
    "instagram": "#C13584",
    "youtube": "#E62117",
    "tiktok": "#25C2C2",
    "tv": "#F28E2B",
    "display": "#9467BD",
    "social": "#8C564B",
    "radio": "#BCBD22",
    "print": "#6B4E16",
    "ooh": "#FF9DA7",
    "email": "#59A14F",
    "other": "#7F7F7F",
}
_ALIASES = {
    "meta": "facebook",
    "fb": "facebook",
    "ig": "instagram",
    "insta": "instagram",
    "yt": "youtube",
    "sem": "search",
    "paid_search": "search",
    "television": "tv",
    "outdoor": "ooh",
    "others": "other",
}
# Plotly's qualitative "Bold" palette, copied so colours do not shift with plotly versions.
PALETTE = (
    "#7F3C8D",
    "#11A579",
    "#3969AC",
    "#F2B701",
    "#E73F74",
    "#80BA5A",
    "#E68310",
    "#008695",
    "#CF1C90",
    "#F97B72",
    "#4B4B8F",
    "#A5AA99",
)


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
    """Map each channel to a hex colour; pass the full channel list so subsets stay consistent."""
    colors: dict[str, str] = {}
    for channel in channels:
        key = _known_key(channel)
        if key is not None and KNOWN_CHANNEL_COLORS[key] not in colors.values():
            colors[channel] = KNOWN_CHANNEL_COLORS[key]
    rest = [channel for channel in channels if channel not in colors]
    for position, channel in enumerate(rest):
        # PALETTE shares no colour with KNOWN_CHANNEL_COLORS; it cycles past 12 channels.
        colors[channel] = PALETTE[position % len(PALETTE)]
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
    """Shared template, margins and title; with ``bottom`` (the results charts) a compact top and the
    legend below the plot."""
    if bottom is None:
        fig.update_layout(template=TEMPLATE, margin=MARGIN, title={"text": title, "x": 0.01})
        return fig
    fig.update_layout(
        template=TEMPLATE,
        margin={**MARGIN, "t": 50, "b": bottom},
        title={"text": title, "x": 0.01},
        legend=LEGEND_BELOW,
    )
    return fig


def empty_figure(message: str) -> go.Figure:
    """Blank figure with hidden axes and a centred message."""
    fig = go.Figure()
    note = {"text": message, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False}
    note["font"] = {"size": 16, "color": MISSING_COLOR}
    fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False}, annotations=[note])
    return apply_theme(fig, "")


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
