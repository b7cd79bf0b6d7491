"""Figures for the Plan tab: predicted revenue of a plan, revenue per channel, current vs optimised spend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.format import finite, ratio
from dashboard.figures.theme import TARGET_COLOR, apply_theme, band_traces, colors_for, empty_figure

CURRENT_COLOR = "#B0B0B0"


def prediction_figure(prediction: pd.DataFrame, title: str = "Predicted revenue per period") -> go.Figure:
    """Expected revenue per future period, with the 90% interval as a band when it is not a single line."""
    if prediction.empty:
        return empty_figure("No prediction to show")
    fig = go.Figure()
    has_band = not np.allclose(prediction["lower"], prediction["upper"], equal_nan=True)
    if has_band:
        lower, upper = finite(prediction["lower"]), finite(prediction["upper"])
        fig.add_traces(band_traces(prediction["date"], lower, upper, TARGET_COLOR, "90% interval"))
    fig.add_trace(
        go.Scatter(
            x=prediction["date"],
            y=finite(prediction["mean"]),
            mode="lines+markers",
            name="expected revenue",
            line={"color": TARGET_COLOR, "width": 2},
            marker={"size": 4},
            hovertemplate="%{y:,.0f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Date")
    fig.update_yaxes(title_text="Revenue", rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return apply_theme(fig, title, bottom=90)


def incremental_figure(
    channels: pd.DataFrame, colors: Mapping[str, str] | None = None, title: str = "Revenue from each channel"
) -> go.Figure:
    """Incremental revenue per channel over the horizon, ROAS on the bars and marginal ROAS in the hover."""
    if channels.empty:
        return empty_figure("No channels to show")
    colors = colors_for(list(channels["channel"]), given=colors)
    text = [f"ROAS {ratio(r)}" for r in channels["roas"]]
    hover = [f"spend {s:,.0f}<br>marginal ROAS {ratio(m)}" for s, m in zip(channels["total_spend"], channels["mroas"])]
    fig = go.Figure(
        go.Bar(
            x=list(channels["channel"]),
            y=finite(channels["incremental_revenue"]),
            marker_color=[colors[c] for c in channels["channel"]],
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=hover,
            hovertemplate="%{x}<br>revenue %{y:,.0f}<br>%{customdata}<br>%{text}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_yaxes(title_text="Revenue over the horizon", rangemode="tozero")
    return apply_theme(fig, title, bottom=90)


def allocation_figure(
    allocation: pd.DataFrame,
    colors: Mapping[str, str] | None = None,
    channels: Sequence[str] | None = None,
    title: str = "Spend per period: current vs optimised",
) -> go.Figure:
    """Grouped bars per channel: the recent (current) spend in grey beside the optimised spend in the
    channel's colour; bound or lock in the hover."""
    if allocation.empty:
        return empty_figure("No plan to show")
    names = list(allocation["channel"])
    colors = colors_for(names, channels, given=colors)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names,
            y=finite(allocation["current"]),
            name="current",
            marker_color=CURRENT_COLOR,
            hovertemplate="%{x}<br>current %{y:,.0f}<extra></extra>",
        )
    )
    notes = [f"<br>at its {b}" if b and b != "locked" else ("<br>locked" if b else "") for b in allocation["at_bound"]]
    fig.add_trace(
        go.Bar(
            x=names,
            y=finite(allocation["optimal"]),
            name="optimised",
            marker_color=[colors[c] for c in names],
            customdata=notes,
            hovertemplate="%{x}<br>optimised %{y:,.0f}%{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="Spend per period", rangemode="tozero")
    fig.update_layout(barmode="group")
    return apply_theme(fig, title, bottom=90)
