"""Figures for the Plan tab: predicted revenue of a plan, revenue per channel, recent average vs what-if vs
optimised spend, and spend per channel of saved scenarios side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.format import finite, plotted, ratio, whole
from dashboard.figures.theme import (
    TARGET_COLOR,
    apply_theme,
    band_traces,
    colors_for,
    date_ticks,
    empty_figure,
    spend_axis,
)

CURRENT_COLOR = "#B0B0B0"
WHAT_IF_COLOR = "#6C8EBF"
# The optimised bars take each channel's colour: their legend entry is a dark neutral square named for that, not
# the first channel's colour (which read as "optimised is orange").
OPTIMISED_LEGEND = {"name": "optimised (channel colours)", "color": "#555555"}
SCENARIO_COLORS = ("#3969AC", "#F2B701", "#11A579", "#E73F74")  # up to four scenarios side by side


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
            y=plotted(prediction["mean"]),
            mode="lines+markers",
            name="expected revenue",
            line={"color": TARGET_COLOR, "width": 2},
            marker={"size": 4},
            hovertemplate="%{y:,.0f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Date", **date_ticks(prediction["date"]))
    fig.update_yaxes(title_text="Revenue", rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return apply_theme(fig, title)


def incremental_figure(
    channels: pd.DataFrame, colors: Mapping[str, str] | None = None, title: str = "Revenue from each channel"
) -> go.Figure:
    """Incremental revenue per channel over the horizon, ROAS on the bars and marginal ROAS in the hover."""
    if channels.empty:
        return empty_figure("No channels to show")
    colors = colors_for(list(channels["channel"]), given=colors)
    text = [f"ROAS {ratio(r)}" for r in channels["roas"]]
    hover = [
        f"spend {whole(s)}<br>marginal ROAS {ratio(m)}" for s, m in zip(channels["total_spend"], channels["mroas"])
    ]
    fig = go.Figure(
        go.Bar(
            x=list(channels["channel"]),
            y=plotted(channels["incremental_revenue"]),
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
    return apply_theme(fig, title)


def allocation_figure(
    allocation: pd.DataFrame,
    colors: Mapping[str, str] | None = None,
    channels: Sequence[str] | None = None,
    title: str | None = None,
    recent: str = "recent average",
    per: str = "period",
) -> go.Figure:
    """Grouped bars per channel: the recent average spend (``recent`` names its window) in grey, the what-if the
    plan was made from (a ``what_if`` column, when known) in blue-grey, and the optimised spend in the channel's
    colour; bound or lock in the hover. ``per``: what one period is called ("day", "week")."""
    if allocation.empty:
        return empty_figure("No plan to show")
    names = list(allocation["channel"])
    colors = colors_for(names, channels, given=colors)
    fig = go.Figure()
    fig.add_trace(spend_bars(names, allocation["current"], recent, CURRENT_COLOR))
    if "what_if" in allocation and allocation["what_if"].notna().any():
        fig.add_trace(spend_bars(names, allocation["what_if"], "your what-if", WHAT_IF_COLOR))
    notes = [f"<br>at its {b}" if b and b != "locked" else ("<br>locked" if b else "") for b in allocation["at_bound"]]
    optimised = spend_bars(names, allocation["optimal"], "optimised", [colors[c] for c in names])
    optimised.update(customdata=notes, hovertemplate="%{x}<br>optimised %{y:,.0f}%{customdata}<extra></extra>")
    optimised.update(legendgroup="optimised", showlegend=False)
    fig.add_traces([optimised, legend_entry(OPTIMISED_LEGEND["name"], OPTIMISED_LEGEND["color"], "optimised")])
    fig.update_yaxes(**spend_axis(f"Spend per {per}"))
    fig.update_layout(barmode="group")
    return apply_theme(fig, title or f"Spend per {per}: recent average, your what-if and optimised")


def legend_entry(name: str, color: str, group: str) -> go.Scatter:
    """A legend entry without data, for bars of many colours: it toggles its ``group`` and draws no point (a
    scatter, so the grouped bars keep their places)."""
    marker = {"symbol": "square", "size": 11, "color": color}
    return go.Scatter(x=[None], y=[None], mode="markers", name=name, legendgroup=group, marker=marker, hoverinfo="skip")


def spend_bars(names: list[str], values, name: str, color) -> go.Bar:
    return go.Bar(
        x=names,
        y=plotted(values),
        name=name,
        marker_color=color,
        hovertemplate=f"%{{x}}<br>{name} %{{y:,.0f}}<extra></extra>",
    )


def scenario_spend_figure(spend: pd.DataFrame, title: str | None = None, per: str = "period") -> go.Figure:
    """Grouped bars: one group per channel, one bar per scenario (tidy ``scenario``, ``channel``, ``spend``),
    scenarios in a fixed palette so each keeps its colour as others are ticked; ``per``: "day", "week"."""
    if spend.empty:
        return empty_figure("Tick up to four scenarios to compare them")
    fig = go.Figure()
    for position, (scenario, rows) in enumerate(spend.groupby("scenario", sort=False)):
        bars = spend_bars(list(rows["channel"]), rows["spend"], str(scenario), SCENARIO_COLORS[position % 4])
        fig.add_trace(bars)
    fig.update_yaxes(**spend_axis(f"Spend per {per}"))
    fig.update_layout(barmode="group")
    return apply_theme(fig, title or f"Spend per {per}, by scenario")
