"""The leaderboard table and ROAS side by side (dashboard/figures/compare.py)."""

import numpy as np
import pandas as pd

from dashboard.figures import compare
from dashboard.figures.format import MISSING_TEXT
from dashboard.figures.theme import BREAK_EVEN
from tests.dashboard.figures.test_figures_models import empty_message, strict_json


def compared_row(model, family, score, recommended, **extra):
    numbers = {"r2": 0.81234, "mape": 0.0712, "nrmse": 0.12, "cv_nrmse": 0.13, "twin_error": 0.07}
    numbers |= {"placebo_share": 0.151, "roas_spread": 0.26, "ok": 5, "warn": 1, "fail": 0, "fit_seconds": 1.234}
    return {"model": model, "family": family, "score": score, "recommended": recommended, **numbers, **extra}


def test_leaderboard_keeps_the_comparisons_order_and_formats_every_column():
    rows = [
        compared_row("LightGBM", "lightgbm", 83.7, True, checks_state="done"),
        compared_row("Ridge", "ridge", 70.9, False, twin_error=None, placebo_share=np.nan, checks_state="running"),
    ]
    table = compare.leaderboard_frame(rows)
    assert list(table.columns) == compare.LEADERBOARD_COLUMNS
    assert list(table["Model"]) == ["LightGBM", "Ridge"] and list(table["recommended"]) == [True, False]
    best = table.iloc[0]
    assert (best["Score"], best["Twin ROAS error"], best["Placebo share"], best["ROAS spread (CV)"]) == (
        "84",
        "7%",
        "15%",
        "26%",
    )
    assert (best["R² (holdout)"], best["MAPE (holdout)"], best["NRMSE (CV)"], best["Fit time"]) == (
        "0.812",
        "7.1%",
        "0.130",
        "1.2 s",
    )
    assert best["Checks"] == "5 ok · 1 warn · 0 fail"
    assert table.iloc[1]["Twin ROAS error"] == table.iloc[1]["Placebo share"] == MISSING_TEXT
    assert table.iloc[1]["Checks"] == "5 ok · 1 warn · 0 fail (placebo and twin running)"
    assert list(compare.leaderboard_frame([]).columns) == compare.LEADERBOARD_COLUMNS


def test_roas_side_by_side_groups_models_with_their_intervals():
    roas = pd.DataFrame(
        {
            "model": ["Ridge", "Ridge", "XGBoost", "XGBoost"],
            "channel": ["google", "tiktok", "google", "tiktok"],
            "roas": [1.7, 1.8, 0.57, 1.26],
            "lower": [0.8, 1.1, 0.57, 0.76],
            "upper": [6.4, 7.6, 4.5, np.inf],
        }
    )
    fig = compare.roas_comparison(roas)
    assert [t.name for t in fig.data] == ["Ridge", "XGBoost"] and fig.layout.barmode == "group"
    (line,) = fig.layout.shapes  # break-even is named in the legend, not written over the bars
    assert (line.y0, line.name, line.showlegend) == (1.0, BREAK_EVEN, True) and not fig.layout.annotations
    assert list(fig.data[0].x) == ["google", "tiktok"] and fig.data[0].error_y.array[0] == 6.4 - 1.7
    assert fig.data[1].error_y.arrayminus[0] == 0 and np.isnan(fig.data[1].error_y.array[1])  # inf: no bar end
    assert fig.data[0].marker.color != fig.data[1].marker.color
    strict_json(fig)
    points = roas.assign(lower=roas["roas"], upper=roas["roas"])
    assert compare.roas_comparison(points).data[0].error_y.array is None  # a model without intervals: plain bars
    assert empty_message(compare.roas_comparison(roas.iloc[0:0])) == "No models to compare"
