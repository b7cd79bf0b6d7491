"""Figures for a fitted model: fit, contributions, ROAS, importance, response and decay curves."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.format import compact_number, finite, period_name, plotted, whole
from dashboard.figures.theme import (
    BASE_COLORS,
    TARGET_COLOR,
    apply_theme,
    band_traces,
    break_even_line,
    channel_colors,
    colors_for,
    empty_figure,
    rgba,
    spend_axis,
)

BASE_COMPONENTS = ("baseline", "trend", "seasonality")
# Desaturated hues, so controls sit behind the channels instead of competing with them.
CONTROL_COLORS = ("#A3B4C4", "#C4B49A", "#A8C2A4", "#C4A3B4", "#B4A8C8", "#C9C0A0")
NEUTRAL_COLOR = "#8C8C8C"
HOLDOUT_COLOR = "#9E9E9E"
PREDICTED_COLOR = "#E15759"
# Blue up, orange down: the pair colour-blind readers tell apart (green and red they may not).
STEP_COLORS = {"increase": "#4477AA", "decrease": "#EE7733"}
INTERVAL_TOLERANCE = 1e-9
# Importance kinds (``models`` families) in words; the share kinds are fractions of the summed effect.
IMPORTANCE_TITLES = {
    "SHAP": "Average effect on revenue per {one} (SHAP)",
    "coefficient": "Share of the total effect on revenue (coefficients)",
    "contribution": "Share of the total effect on revenue (posterior mean)",
}
SHARE_KINDS = {"coefficient", "contribution"}
# Names the engine gives its own features (``models.families.features``); Fourier terms via SEASON_TERM.
ENGINE_FEATURES = {"trend": "Trend", "seasonality": "Seasonality", "baseline": "Baseline"}
SEASON_TERM = re.compile(r"season_(year|week)_(sin|cos)(\d+)")
SEASON_PERIODS = {"year": "yearly", "week": "weekly"}
DECAY_TICKS = 8  # at most about this many ticks on the carry-over chart's axis
TOTAL_LABEL = "Total (fitted revenue)"


def actual_vs_predicted(fitted: pd.DataFrame, title: str = "Actual vs predicted") -> go.Figure:
    """Actual and predicted revenue over time, with the holdout period shaded."""
    if fitted.empty:
        return empty_figure("No fitted values to show")
    data = fitted.sort_values("date")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=data["date"],
            y=finite(data["actual"]),
            name="actual",
            mode="lines",
            line={"color": TARGET_COLOR, "width": 2},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["date"],
            y=finite(data["predicted"]),
            name="predicted",
            mode="lines",
            line={"color": PREDICTED_COLOR, "width": 2, "dash": "dash"},
        )
    )
    holdout = data["holdout"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if holdout.any():
        fig.add_vrect(
            x0=data.loc[holdout, "date"].iloc[0],
            x1=data["date"].iloc[-1],
            fillcolor=HOLDOUT_COLOR,
            opacity=0.15,
            layer="below",
            line_width=0,
            annotation_text="holdout",
            annotation_position="top left",
        )
    fig.update_xaxes(title_text="Date")
    fig.update_yaxes(title_text="Revenue")
    fig.update_layout(hovermode="x unified")
    return apply_theme(fig, title)


def _component_colors(components: Sequence[str], channels: Sequence[str]) -> dict[str, str]:
    """Greys for base components, muted hues for controls, the theme's colours for channels."""
    colors = channel_colors(list(channels))
    controls = [c for c in components if c not in colors and c not in BASE_COLORS]
    colors.update({c: CONTROL_COLORS[i % len(CONTROL_COLORS)] for i, c in enumerate(controls)})
    colors.update(BASE_COLORS)
    return {c: colors.get(c, NEUTRAL_COLOR) for c in components}


def _area(
    dates, values: pd.Series, name: str, rank: int, color: str, group: str, signed: pd.Series | None
) -> go.Scatter:
    """One stacked area; ``signed`` carries the whole signed series for the hover (None: no hover)."""
    trace = go.Scatter(
        x=dates,
        y=finite(values),
        name=name,
        legendgroup=name,
        legendrank=1000 + rank,
        stackgroup=group,
        mode="lines",
        line={"width": 0.5, "color": color},
        fillcolor=rgba(color, 0.85),
    )
    if signed is None:
        trace.update(hoverinfo="skip", showlegend=False)
    else:
        trace.update(customdata=plotted(signed), hovertemplate="%{customdata:,.0f}")
    return trace


def contributions_area(contributions: pd.DataFrame, channels: list[str], frequency: str | None = None) -> go.Figure:
    """Stacked areas of each component's contribution over time.

    Positive parts stack up from 0 ("up" group) and negative parts stack down from 0 ("down" group),
    so the top edge is the sum of positives, the bottom edge the sum of negatives, and no band hides
    another. A component that changes sign (seasonality, trend) gets a trace in each group, sharing
    one legend entry; its hover, showing the signed value, sits on the first of the two. The legend
    keeps the engine's component order.
    """
    if contributions.empty or contributions.shape[1] == 0:
        return empty_figure("No contributions to show")
    data = contributions.sort_index()
    colors = _component_colors(list(data.columns), channels)
    ups, downs = [], []
    for rank, name in enumerate(data.columns):
        values = data[name].astype(float)
        has_up, has_down = bool((values > 0).any()), bool((values < 0).any())
        if has_up or not has_down:
            ups.append(_area(data.index, values.clip(lower=0), name, rank, colors[name], "up", values))
        if has_down:
            signed = None if has_up else values
            downs.append(_area(data.index, values.clip(upper=0), name, rank, colors[name], "down", signed))
    fig = go.Figure([*ups, *downs])
    fig.update_xaxes(title_text="Date")
    fig.update_yaxes(title_text=f"Revenue per {period_name(frequency)}")
    fig.update_layout(hovermode="x unified")
    return apply_theme(fig, "Contribution to revenue over time")


def contribution_waterfall(totals: pd.Series, channels: list[str]) -> go.Figure:
    """Waterfall from the baseline through each component to the fitted revenue over the period."""
    values = totals.astype(float).dropna()
    if values.empty:
        return empty_figure("No contributions to show")
    # Baseline first so the bars climb from it; the rest keep the engine's order.
    order = (["baseline"] if "baseline" in values.index else []) + [c for c in values.index if c != "baseline"]
    values = values[order]
    total = float(values.sum())
    names = [str(c) for c in values.index]
    amounts = [*values.tolist(), total]
    steps = ["decrease" if v < 0 else "increase" for v in values] + ["total"]
    fig = go.Figure(
        go.Waterfall(
            x=[*names, TOTAL_LABEL],
            y=amounts,
            measure=["relative"] * len(names) + ["total"],
            text=[compact_number(v) for v in amounts],
            textposition="outside",
            customdata=steps,
            hovertext=[whole(v) for v in amounts],  # never "-0", as %{y:,.0f} would write -0.0001
            hovertemplate="%{x}: %{hovertext} (%{customdata})<extra></extra>",
            connector={"line": {"color": "#BBBBBB", "width": 1}},
            increasing={"marker": {"color": STEP_COLORS["increase"]}},
            decreasing={"marker": {"color": STEP_COLORS["decrease"]}},
            totals={"marker": {"color": TARGET_COLOR}},
            name="contribution",
            showlegend=False,
        )
    )
    # A waterfall has one legend entry; these say which colour is which (only the directions present).
    for step in [s for s in STEP_COLORS if s in steps]:
        fig.add_trace(_legend_swatch(step, STEP_COLORS[step]))
    fig.update_xaxes(title_text="Component")
    fig.update_yaxes(title_text="Revenue over the whole data")
    return apply_theme(fig, "From baseline to fitted revenue")


def _legend_swatch(name: str, color: str) -> go.Scatter:
    """A legend entry with no data: a square of ``color`` named ``name``."""
    marker = {"color": color, "symbol": "square", "size": 12}
    return go.Scatter(x=[None], y=[None], mode="markers", marker=marker, name=name, hoverinfo="skip")


def _differs(lower, upper, centre) -> bool:
    """Whether an interval has any width (point models repeat the centre as both bounds)."""
    lower, upper, centre = (np.asarray(v, dtype=float) for v in (lower, upper, centre))
    gap = np.abs(np.concatenate([upper - centre, centre - lower]))
    return bool(np.nanmax(gap, initial=0.0) > INTERVAL_TOLERANCE * max(1.0, np.nanmax(np.abs(centre), initial=0.0)))


def _roas_error_bars(roas: pd.DataFrame) -> dict | None:
    """The ROAS interval as error bars, or None for a model without intervals."""
    if not _differs(roas["lower"], roas["upper"], roas["roas"]):
        return None
    plus = (roas["upper"] - roas["roas"]).clip(lower=0)
    minus = (roas["roas"] - roas["lower"]).clip(lower=0)
    return {"type": "data", "array": finite(plus), "arrayminus": finite(minus), "visible": True}


def roas_bars(roas: pd.DataFrame, *, channels: Sequence[str] | None = None) -> go.Figure:
    """ROAS and marginal ROAS per channel, with intervals when the model has them and break-even at 1."""
    if roas.empty:
        return empty_figure("No channels to show")
    names = [str(c) for c in roas["channel"]]
    colors = colors_for(names, channels)
    palette = [colors[c] for c in names]
    hover = np.column_stack([plotted(roas["spend"]), plotted(roas["contribution"])])
    template = "%{x}<br>%{fullData.name}: %{y:.2f}<br>spend: %{customdata[0]:,.0f}"
    template += "<br>contribution: %{customdata[1]:,.0f}<extra></extra>"
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names,
            y=plotted(roas["roas"], 2),
            name="ROAS",
            marker={"color": palette},
            error_y=_roas_error_bars(roas),
            customdata=hover,
            hovertemplate=template,
        )
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=plotted(roas["mroas"], 2),
            name="marginal ROAS",
            marker={"color": [rgba(c, 0.45) for c in palette], "pattern": {"shape": "/", "fgcolor": palette}},
            customdata=hover,
            hovertemplate=template,
        )
    )
    break_even_line(fig)
    fig.update_xaxes(title_text="Channel")
    fig.update_yaxes(title_text="Revenue per unit of spend")
    fig.update_layout(barmode="group")
    return apply_theme(fig, "Return on ad spend (ROAS) and marginal ROAS")


def feature_label(feature: str) -> str:
    """A model feature in words: ``season_week_cos1`` -> "Season (weekly, cos 1)", ``trend`` -> "Trend";
    channels and controls keep the names the user gave their columns."""
    name = str(feature)
    season = SEASON_TERM.fullmatch(name)
    if season:
        period, wave, order = season.groups()
        return f"Season ({SEASON_PERIODS[period]}, {wave} {order})"
    return ENGINE_FEATURES.get(name, name)


def importance_bars(importance: pd.DataFrame, frequency: str | None = None) -> go.Figure:
    """Horizontal bars of feature importance, largest at the top, every bar labelled; the x-axis says in words
    what the kind of importance measures (per day or week, from the data's ``frequency``)."""
    if importance.empty:
        return empty_figure("No feature importance to show")
    data = importance.sort_values("importance", ascending=False, na_position="last")
    kinds = [str(k) for k in pd.unique(data["kind"].dropna())]
    shares = bool(kinds) and all(k in SHARE_KINDS for k in kinds)
    fig = go.Figure(
        go.Bar(
            x=plotted(data["importance"], 3 if shares else 15),  # .1% or ,.4g: never "-0"
            y=[feature_label(f) for f in data["feature"]],
            orientation="h",
            marker={"color": NEUTRAL_COLOR},
            name="importance",
            hovertemplate="%{y}: %{x:" + (".1%" if shares else ",.4g") + "}<extra></extra>",
        )
    )
    fig.update_xaxes(
        title_text=" / ".join(IMPORTANCE_TITLES.get(k, k) for k in kinds).format(one=period_name(frequency))
        or "Importance",
        tickformat=".0%" if shares else "~s",
        rangemode="tozero",
    )
    # Reversed so the descending order reads top-down; dtick 1 labels every bar, not every other one.
    fig.update_yaxes(autorange="reversed", title_text=None, type="category", dtick=1, automargin=True)
    fig.update_layout(showlegend=False)
    return apply_theme(fig, "Feature importance")


def _current_marker(curve: pd.DataFrame, channel: str, spend: float, color: str) -> go.Scatter:
    """A marker on the channel's response curve at its recent average spend."""
    response = float(np.interp(spend, curve["spend"].astype(float), curve["response"].astype(float)))
    return go.Scatter(
        x=plotted([spend]),
        y=plotted([response]),
        name=f"{channel} current spend",
        legendgroup=channel,
        showlegend=False,
        mode="markers",
        marker={"color": color, "size": 11, "line": {"color": "white", "width": 2}},
        hovertemplate="current spend %{x:,.0f}: revenue %{y:,.0f}<extra>" + channel + "</extra>",
    )


def response_curves_figure(
    curves: pd.DataFrame,
    current: Mapping[str, float] | None = None,
    *,
    channels: Sequence[str] | None = None,
    frequency: str | None = None,
) -> go.Figure:
    """Revenue per period against spend per period (per day or week, from the data's ``frequency``) for each
    channel, with bands and current spend."""
    if curves.empty:
        return empty_figure("No response curves to show")
    names = [str(c) for c in pd.unique(curves["channel"])]
    colors = colors_for(names, channels)
    fig = go.Figure()
    for channel in names:
        curve = curves[curves["channel"] == channel].sort_values("spend")
        x = plotted(curve["spend"])
        if _differs(curve["lower"], curve["upper"], curve["response"]):
            lower, upper = finite(curve["lower"]), finite(curve["upper"])
            fig.add_traces(band_traces(x, lower, upper, colors[channel], f"{channel} 90% interval", group=channel))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=plotted(curve["response"]),
                name=channel,
                legendgroup=channel,
                mode="lines",
                line={"color": colors[channel], "width": 2},
                hovertemplate="spend %{x:,.0f}: revenue %{y:,.0f}<extra>" + channel + "</extra>",
            )
        )
        spend = (current or {}).get(channel)
        if spend is not None and math.isfinite(spend):
            fig.add_trace(_current_marker(curve, channel, spend, colors[channel]))
    one = period_name(frequency)
    fig.update_xaxes(**spend_axis(f"Spend per {one}"))
    fig.update_yaxes(title_text=f"Revenue per {one}", rangemode="tozero")
    return apply_theme(fig, "Response curves (markers: recent average spend)")


def decay_figure(
    decay: pd.DataFrame, *, channels: Sequence[str] | None = None, frequency: str | None = None
) -> go.Figure:
    """Share of a period's spend effect felt N periods later, per channel (the adstock shape); the periods are
    named as the data's ``frequency`` has them ("after 2 days")."""
    if decay.empty:
        return empty_figure("This model has no adstock")
    one, many = period_name(frequency), period_name(frequency, plural=True)
    names = [str(c) for c in pd.unique(decay["channel"])]
    colors = colors_for(names, channels)
    fig = go.Figure()
    for channel in names:
        rows = decay[decay["channel"] == channel].sort_values("lag")
        words = [one if lag == 1 else many for lag in rows["lag"]]  # "after 1 day", "after 2 days"
        fig.add_trace(
            go.Scatter(
                x=finite(rows["lag"]),
                y=plotted(rows["weight"], 3),
                name=channel,
                mode="lines+markers",
                line={"color": colors[channel], "width": 2},
                cliponaxis=False,  # the markers at lag 0 sit on the axis start, not half cut off
                customdata=words,
                hovertemplate="after %{x} %{customdata}: %{y:.1%}<extra>" + channel + "</extra>",
            )
        )
    last = max(float(np.nanmax(decay["lag"].to_numpy(dtype=float), initial=0.0)), 1.0)
    fig.update_xaxes(
        title_text=f"{many.capitalize()} after the spend", range=[0, last], dtick=nice_step(last / DECAY_TICKS)
    )
    fig.update_yaxes(title_text="Share of effect", tickformat=".0%", rangemode="tozero")
    return apply_theme(fig, f"Carry-over: share of effect felt after N {many}")


def nice_step(rough: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... periods that is at least ``rough``."""
    step = 1
    while step < rough:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step
