"""No chart writes "-0": every number a hover or text template formats (%{y:,.0f}, %{z:.2f}, %{x:.1%}...) is
formatted here as plotly's d3 format would (Python's format() writes a tiny negative as "-0" just as d3 does),
and every ready-made text (customdata, hovertext, text) is checked as it stands."""

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures import compare, explore, models, plan
from dashboard.figures.format import NEGATIVE_ZERO, plotted

TINY = -1e-4  # e.g. a contribution or a revenue change that rounds to zero
PLACEHOLDER = re.compile(r"%\{([a-z]+)(?:\[(\d+)\])?(?::([^}]*))?\}")
DATES = pd.date_range("2025-01-06", periods=3, freq="W-MON")


def shown_texts(trace) -> list[str]:
    """Every text a trace's hover and text templates can show for its points, one placeholder at a time."""
    shown = []
    templates = [trace["hovertemplate"], trace["texttemplate"] if "texttemplate" in trace else None]
    for template in templates:
        for field, column, spec in PLACEHOLDER.findall(template or ""):
            if field not in ("x", "y", "z", "customdata", "text", "hovertext") or trace[field] is None:
                continue
            values = np.asarray(trace[field], dtype=object)
            values = values[:, int(column)] if column else values.ravel()
            shown += [format(v, spec) if spec and v is not None else str(v) for v in values.ravel()]
    return shown + [str(t) for t in np.ravel(np.asarray(trace["text"] or [], dtype=object))]


def assert_no_negative_zero(fig: go.Figure) -> None:
    texts = [t for trace in fig.data for t in shown_texts(trace)]
    assert texts, "the figure formats no numbers"
    assert [t for t in texts if NEGATIVE_ZERO.search(t)] == []


def test_the_helper_turns_what_rounds_to_zero_into_plus_zero():
    values = plotted([TINY, -0.0, -0.6, 0.4, np.nan, -0.004], 0)
    assert np.array_equal(values, [0.0, 0.0, -0.6, 0.0, np.nan, 0.0], equal_nan=True)
    assert not any(np.signbit(v) for v in values if v == 0)
    assert list(plotted([-0.004, -0.006], 2)) == [0.0, -0.006] and list(plotted([-0.0004], 3)) == [0.0]


def test_the_check_itself_catches_a_raw_tiny_negative():
    bare = go.Figure(go.Bar(x=["a"], y=[TINY], hovertemplate="%{y:,.0f}"))
    with pytest.raises(AssertionError):
        assert_no_negative_zero(bare)


def plan_figures() -> list[go.Figure]:
    prediction = pd.DataFrame({"date": DATES, "mean": [TINY, -0.0, 5.0], "lower": TINY, "upper": 1.0})
    channels = pd.DataFrame(
        {
            "channel": ["google", "tv"],
            "total_spend": [-1e-9, 56.0],
            "incremental_revenue": [TINY, -0.3],
            "roas": [TINY, 1.0],
            "mroas": [-0.0, TINY],
        }
    )
    allocation = pd.DataFrame(
        {"channel": ["google", "tv"], "current": [-0.0, 2.0], "what_if": [TINY, 1.0], "optimal": [-1e-9, 3.0]}
    ).assign(at_bound=["", "locked"])
    spend = pd.DataFrame({"scenario": ["A", "B"], "channel": ["tv", "tv"], "spend": [TINY, 1.0]})
    return [
        plan.prediction_figure(prediction),
        plan.incremental_figure(channels),
        plan.allocation_figure(allocation),
        plan.scenario_spend_figure(spend),
    ]


def model_figures() -> list[go.Figure]:
    contributions = pd.DataFrame(
        {"baseline": [500.0, 510, 490], "price": [TINY, -0.0, -0.2], "tv": [TINY, 5.0, 0.3]}, index=DATES
    )
    roas = pd.DataFrame(
        {"channel": ["tv", "radio"], "spend": [-0.0, 10.0], "contribution": [TINY, -0.4], "roas": [-0.001, 1.0]}
    ).assign(mroas=[-0.0, TINY], lower=[-0.002, 0.9], upper=[0.001, 1.1])
    grid = np.array([0.0, TINY, 100.0])
    curves = pd.DataFrame({"channel": "tv", "spend": grid, "response": [-0.0, TINY, 50.0]})
    curves = curves.assign(lower=curves["response"] - 1, upper=curves["response"] + 1)
    shares = pd.DataFrame({"feature": ["tv", "price"], "importance": [0.9, -0.00001], "kind": "coefficient"})
    effects = pd.DataFrame({"feature": ["tv", "price"], "importance": [9.0, -0.0], "kind": "SHAP"})
    decay = pd.DataFrame({"channel": "tv", "lag": [0, 1, 2], "weight": [0.7, 0.3, -0.0]})
    return [
        models.contributions_area(contributions, ["tv"]),
        models.contribution_waterfall(pd.Series({"baseline": 0.00005, "price": TINY, "tv": -0.0}), ["tv"]),
        models.contribution_waterfall(contributions.sum(), ["tv"]),
        models.roas_bars(roas),
        models.response_curves_figure(curves, {"tv": TINY}),
        models.importance_bars(shares),
        models.importance_bars(effects),
        models.decay_figure(decay),
    ]


@pytest.mark.parametrize("fig", [*plan_figures(), *model_figures()], ids=lambda f: f.layout.title.text)
def test_no_hover_or_text_shows_minus_zero(fig):
    assert_no_negative_zero(fig)


def test_correlations_that_round_to_zero_read_0_00():
    corr = pd.DataFrame([[1.0, -0.001], [-0.001, 1.0]], index=["a", "b"], columns=["a", "b"])
    fig = explore.correlation_heatmap(corr)
    assert fig.data[0].texttemplate == "%{z:.2f}"
    assert_no_negative_zero(fig)


def test_the_models_compared_and_their_leaderboard_never_show_minus_zero():
    rows = pd.DataFrame(
        {
            "model": ["Ridge", "Ridge", "XGBoost", "XGBoost"],
            "channel": ["google", "tv"] * 2,
            "roas": [-1e-3, 1.2, 0.8, -0.0],
            "lower": [-4e-3, 0.9, TINY, -0.0],
            "upper": [0.5, 1.5, 1.1, 0.2],
        }
    )
    assert_no_negative_zero(compare.roas_comparison(rows))
    row = {"family": "ridge", "model": "Ridge", "score": -0.2, "recommended": True, "r2": -1e-4, "mape": TINY}
    table = compare.leaderboard_frame([{**row, "nrmse": -0.0, "twin_error": TINY, "fit_seconds": 1.0}])
    shown = [str(v) for v in table.drop(columns=["family", "recommended"]).iloc[0]]
    assert [t for t in shown if NEGATIVE_ZERO.search(t)] == [] and "0.000" in shown
