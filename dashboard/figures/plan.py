"""Figures for the Plan tab: predicted revenue of a plan, revenue per channel, current vs optimised spend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.explore import empty_figure
from dashboard.figures.models import apply_theme
from dashboard.figures.theme import TARGET_COLOR, channel_colors

CURRENT_COLOR = "#B0B0B0"
BAND_COLOR = "rgba(43,43,43,0.15)"


def _floats(values) -> list[float | None]:
    """NaN and infinities as None, so plotly leaves gaps and the JSON stays strict."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return [float(v) if np.isfinite(v) else None for v in numbers]


def prediction_figure(prediction: pd.DataFrame, title: str = "Predicted revenue per period") -> go.Figure:
    """Expected revenue per future period, with the 90% interval as a band when it is not a single line."""
    if prediction.empty:
        return empty_figure("No prediction to show")
    fig = go.Figure()
    has_band = not np.allclose(prediction["lower"], prediction["upper"], equal_nan=True)
    if has_band:
        fig.add_trace(
            go.Scatter(
                x=prediction["date"],
                y=_floats(prediction["upper"]),
                mode="lines",
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=prediction["date"],
                y=_floats(prediction["lower"]),
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=BAND_COLOR,
                name="90% interval",
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=prediction["date"],
            y=_floats(prediction["mean"]),
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
    colors = {**channel_colors(list(channels["channel"])), **(colors or {})}
    text = [f"ROAS {_ratio(r)}" for r in channels["roas"]]
    hover = [f"spend {s:,.0f}<br>marginal ROAS {_ratio(m)}" for s, m in zip(channels["total_spend"], channels["mroas"])]
    fig = go.Figure(
        go.Bar(
            x=list(channels["channel"]),
            y=_floats(channels["incremental_revenue"]),
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


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value is not None and np.isfinite(value) else "–"


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
    colors = {**channel_colors(list(channels or names)), **(colors or {})}
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names,
            y=_floats(allocation["current"]),
            name="current",
            marker_color=CURRENT_COLOR,
            hovertemplate="%{x}<br>current %{y:,.0f}<extra></extra>",
        )
    )
    notes = [f"<br>at its {b}" if b and b != "locked" else ("<br>locked" if b else "") for b in allocation["at_bound"]]
    fig.add_trace(
        go.Bar(
            x=names,
            y=_floats(allocation["optimal"]),
            name="optimised",
            marker_color=[colors[c] for c in names],
            customdata=notes,
            hovertemplate="%{x}<br>optimised %{y:,.0f}%{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="Spend per period", rangemode="tozero")
    fig.update_layout(barmode="group")
    return apply_theme(fig, title, bottom=90)
