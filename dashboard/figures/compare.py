"""Comparing fitted models: the leaderboard table (ranked by ``models.compare``'s score) and ROAS per channel
side by side, with each model's 90% interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.format import MISSING_TEXT, finite, no_negative_zero, plotted
from dashboard.figures.theme import apply_theme, break_even_line, empty_figure

# One colour per model, apart from the channel colours (channels are on the x-axis here).
MODEL_COLORS = ("#4C6A92", "#D98C3F", "#6B9E6B", "#A35D8F", "#8C8C8C")
LEADERBOARD_COLUMNS = [
    "family",
    "Model",
    "Score",
    "Checks",
    "Twin ROAS error",
    "Placebo share",
    "ROAS spread (CV)",
    "R² (holdout)",
    "MAPE (holdout)",
    "NRMSE (holdout)",
    "NRMSE (CV)",
    "Fit time",
    "recommended",
]
CHECKS_STATE_NOTES = {"running": "placebo and twin running", "not run": "placebo and twin not run"}
CHECKS_STATE_NOTES["failed"] = "placebo and twin failed"


def _formatted(values: pd.Series, pattern: str) -> pd.Series:
    """Each value through the format ``pattern``, or a dash when missing."""
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.map(
        lambda v: no_negative_zero(pattern.format(v)) if pd.notna(v) and math.isfinite(v) else MISSING_TEXT
    )


def checks_summary(row: dict) -> str:
    """``5 ok · 1 warn · 0 fail``, and whether the refit checks are still to come."""
    counts = " · ".join(f"{int(row.get(status) or 0)} {status}" for status in ("ok", "warn", "fail"))
    note = CHECKS_STATE_NOTES.get(row.get("checks_state"))
    return f"{counts} ({note})" if note else counts


def leaderboard_frame(rows: list[dict]) -> pd.DataFrame:
    """``models.compare`` rows (best score first, with ``fit_seconds`` and ``checks_state``) formatted for the
    leaderboard, in their order; ``recommended`` marks the model to trust."""
    if not rows:
        return pd.DataFrame(columns=LEADERBOARD_COLUMNS)
    raw = pd.DataFrame(rows)
    for key in ("score", "twin_error", "placebo_share", "roas_spread", "r2", "mape", "nrmse", "cv_nrmse"):
        raw[key] = pd.to_numeric(raw[key], errors="coerce") if key in raw else np.nan
    seconds = raw["fit_seconds"] if "fit_seconds" in raw else pd.Series(np.nan, index=raw.index)
    table = pd.DataFrame(
        {
            "family": raw["family"],
            "Model": raw["model"],
            "Score": _formatted(raw["score"], "{:.0f}"),
            "Checks": [checks_summary(row) for row in rows],
            "Twin ROAS error": _formatted(raw["twin_error"], "{:.0%}"),
            "Placebo share": _formatted(raw["placebo_share"], "{:.0%}"),
            "ROAS spread (CV)": _formatted(raw["roas_spread"], "{:.0%}"),
            "R² (holdout)": _formatted(raw["r2"], "{:.3f}"),
            "MAPE (holdout)": _formatted(raw["mape"], "{:.1%}"),
            "NRMSE (holdout)": _formatted(raw["nrmse"], "{:.3f}"),
            "NRMSE (CV)": _formatted(raw["cv_nrmse"], "{:.3f}"),
            "Fit time": _formatted(seconds, "{:.1f} s"),
        }
    )
    trained_on = raw["trained_on"] if "trained_on" in raw else pd.Series(0, index=raw.index)
    partly = pd.to_numeric(trained_on, errors="coerce").fillna(0).gt(0)
    for column in ("R² (holdout)", "MAPE (holdout)", "NRMSE (holdout)"):  # partly in-sample: see the note
        table[column] = table[column].where(~partly | table[column].eq(MISSING_TEXT), table[column] + " *")
    table["recommended"] = raw["recommended"].fillna(False).astype(bool) if "recommended" in raw else False
    return table[LEADERBOARD_COLUMNS]


def _error_bars(rows: pd.DataFrame) -> dict | None:
    """A model's ROAS intervals as error bars, or None where it has none (every bound equals its estimate)."""
    plus = (rows["upper"] - rows["roas"]).clip(lower=0)
    minus = (rows["roas"] - rows["lower"]).clip(lower=0)
    if not (np.nan_to_num(plus.to_numpy(float)) > 0).any() and not (np.nan_to_num(minus.to_numpy(float)) > 0).any():
        return None
    return {"type": "data", "array": finite(plus), "arrayminus": finite(minus), "visible": True}


def roas_comparison(roas: pd.DataFrame) -> go.Figure:
    """ROAS per channel, one bar per model side by side, with each model's 90% interval and break-even at 1.

    ``roas``: model, channel, roas, lower, upper (tidy; the models in the order to show them).
    """
    if roas.empty:
        return empty_figure("No models to compare")
    fig = go.Figure()
    for i, (model, rows) in enumerate(roas.groupby("model", sort=False)):
        fig.add_trace(
            go.Bar(
                x=[str(c) for c in rows["channel"]],
                y=plotted(rows["roas"], 2),
                name=str(model),
                marker={"color": MODEL_COLORS[i % len(MODEL_COLORS)]},
                error_y=_error_bars(rows),
                customdata=np.column_stack([plotted(rows["lower"], 2), plotted(rows["upper"], 2)]),
                hovertemplate="%{x}: ROAS %{y:.2f} (90%: %{customdata[0]:.2f} – %{customdata[1]:.2f})"
                + f"<extra>{model}</extra>",
            )
        )
    break_even_line(fig)
    fig.update_xaxes(title_text="Channel")
    fig.update_yaxes(title_text="ROAS (revenue per unit of spend)", rangemode="tozero")
    fig.update_layout(barmode="group")
    return apply_theme(fig, "ROAS per channel by model, with 90% intervals")
