"""Figures for the explore tab: time series, spend share, correlation and collinearity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.format import plotted
from dashboard.figures.theme import SPEND_AXIS, TARGET_COLOR, apply_theme, colors_for, empty_figure

VIF_CAP = 100.0
PERIOD_AXIS = {"day": "Date", "week": "Week starting", "month": "Month"}
# Above this many series per-cell numbers overlap: the cells keep their colour and the hover keeps the value.
CELL_TEXT_MAX = 15


def _money(label: str, currency: str | None) -> str:
    """Axis title with the currency in brackets when it is known."""
    return f"{label} ({currency})" if currency else label


def time_series_figure(
    frame: pd.DataFrame,
    date: str,
    target: str,
    channels: Sequence[str],
    *,
    colors: Mapping[str, str] | None = None,
    currency: str | None = None,
    period: str | None = None,
) -> go.Figure:
    """Target on the left axis and each channel's spend on the right axis, per ``period`` (day, week, month)."""
    data = frame.sort_values(date)
    colors = colors_for(channels, given=colors)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    line = {"color": TARGET_COLOR, "width": 2.5}
    fig.add_trace(go.Scatter(x=data[date], y=data[target], name=target, mode="lines", line=line), secondary_y=False)
    for channel in channels:
        line = {"color": colors.get(channel), "width": 1.5}
        fig.add_trace(
            go.Scatter(x=data[date], y=data[channel], name=channel, mode="lines", line=line), secondary_y=True
        )
    per = f" per {period}" if period else ""
    fig.update_yaxes(title_text=_money(f"{target}{per}", currency), secondary_y=False)
    # Without channels the right axis would be an empty, unlabelled scale.
    spend_title = _money(f"Spend{per}", currency) if channels else None
    spend = {"title_text": spend_title, **SPEND_AXIS}
    fig.update_yaxes(showgrid=False, visible=bool(channels), secondary_y=True, **spend)
    fig.update_xaxes(title_text=PERIOD_AXIS.get(period, "Date"))
    fig.update_layout(hovermode="x unified")
    title = f"Spend and {target}{per}" if period else f"{target} and media spend over time"
    return apply_theme(fig, title[:1].upper() + title[1:])


def spend_share_figure(
    share: pd.DataFrame,
    *,
    colors: Mapping[str, str] | None = None,
    currency: str | None = None,
) -> go.Figure:
    """Donut of each channel's share of total spend (input: models.explore.spend_share)."""
    if share.empty or not (share["spend"] > 0).any():
        return empty_figure("No spend to show")
    channels = list(share["channel"])
    colors = colors_for(channels, given=colors)
    fig = go.Figure(
        go.Pie(
            labels=channels,
            values=share["spend"],
            hole=0.5,
            sort=False,
            direction="clockwise",
            marker={"colors": [colors.get(channel) for channel in channels]},
            textinfo="percent",
            hovertemplate=f"%{{label}}<br>{_money('Spend', currency)}: %{{value:,.0f}}<br>%{{percent}}<extra></extra>",
        )
    )
    return apply_theme(fig, _money("Share of total spend", currency))


def correlation_heatmap(corr: pd.DataFrame) -> go.Figure:
    """Correlation matrix as a heatmap (red positive, blue negative); values in cells up to CELL_TEXT_MAX series."""
    crowded = len(corr.columns) > CELL_TEXT_MAX
    labels_x = [str(name) for name in corr.columns]
    labels_y = [str(name) for name in corr.index]
    fig = go.Figure(
        go.Heatmap(
            z=plotted(corr.to_numpy(dtype=float).ravel(), 2).reshape(corr.shape),  # %{z:.2f} never "-0.00"
            x=labels_x,
            y=labels_y,
            zmin=-1,
            zmax=1,
            zmid=0,
            colorscale="RdBu",
            reversescale=True,
            texttemplate=None if crowded else "%{z:.2f}",
            hovertemplate="%{y} vs %{x}: %{z:.2f}<extra></extra>",
            colorbar={"title": {"text": "r"}},
        )
    )
    # Reversed y so the first column is at the top-left, as in a printed matrix.
    ticks = {"type": "category", "title_text": None, "automargin": True, "tickfont": {"size": 10 if crowded else 12}}
    fig.update_yaxes(autorange="reversed", **ticks)
    fig.update_xaxes(tickangle=-45 if crowded else None, **ticks)
    return apply_theme(fig, "Correlation (Pearson)")


def _vif_hover(value: float) -> str:
    """Hover text for one VIF value, naming the cases a bar cannot show."""
    if np.isinf(value):
        return "perfectly collinear"
    if np.isnan(value):
        return "undefined (constant or too few rows)"
    return f"VIF {value:,.1f}"


def _vif_guides(fig: go.Figure) -> None:
    """Reference lines at 5 (dotted) and 10 (dashed); the chart's caption on the Explore tab says what they mean
    (a note inside the figure sat under the axis's left end, away from the lines it explained)."""
    for threshold, dash in ((5, "dot"), (10, "dash")):
        line = {"color": "#888888", "dash": dash, "width": 1}
        fig.add_vline(x=threshold, line=line, annotation_text=str(threshold), annotation_position="top")


def vif_figure(
    vif: pd.DataFrame,
    *,
    colors: Mapping[str, str] | None = None,
    cap: float = VIF_CAP,
) -> go.Figure:
    """Horizontal VIF bar per channel, capped at ``cap``, with reference lines at 5 and 10."""
    if vif.empty:
        return empty_figure("No channels selected")
    channels = list(vif["column"])
    colors = colors_for(channels, given=colors)
    values = vif["vif"].to_numpy(dtype=float)
    shown = np.where(np.isnan(values), 0.0, np.minimum(values, cap))
    fig = go.Figure(
        go.Bar(
            x=shown,
            y=channels,
            orientation="h",
            marker={"color": [colors.get(channel) for channel in channels]},
            hovertext=[_vif_hover(value) for value in values],
            hovertemplate="%{y}: %{hovertext}<extra></extra>",
            name="VIF",
        )
    )
    _vif_guides(fig)
    upper = max(12.0, float(np.max(shown)) * 1.08)
    fig.update_xaxes(title_text=f"Variance inflation factor (capped at {cap:g})", range=[0, upper])
    # Reversed so channels read top-down in the order given.
    fig.update_yaxes(autorange="reversed", title_text=None)
    apply_theme(fig, "Collinearity between channels (VIF)")
    fig.update_layout(showlegend=False)
    return fig
