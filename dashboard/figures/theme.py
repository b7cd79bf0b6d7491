"""One place for chart colours and layout defaults, so a channel looks the same everywhere."""

from __future__ import annotations

import re
from collections.abc import Sequence

TEMPLATE = "plotly_white"
TARGET_COLOR = "#2B2B2B"
MARGIN = {"l": 60, "r": 30, "t": 80, "b": 50}
MISSING_COLOR = "#BDBDBD"

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
