"""The leaderboard's pieces on made-up comparisons: the recommendation in words, the ranking, the holdouts,
ROAS side by side and the disagreement warning."""

import pandas as pd

import models
from dashboard.tabs.models.comparison import json_safe, recommendation_text, why, with_mape
from dashboard.tabs.models.fits import FitResult
from dashboard.tabs.models.leaderboard import AGREE, checks_state, holdout_note, leaderboard_view

REASON = "{m}: recovers its twin's ROAS within 7%, passes the placebo check (15%), no check fails, holdout MAPE 3.9%."


def row(model, family, score, recommended, **extra) -> dict:
    reason = REASON.format(m=model) + (" Recommended: score 84 of 100, next XGBoost 81." if recommended else "")
    base = {"model": model, "family": family, "score": score, "recommended": recommended, "reason": reason}
    numbers = {"r2": 0.6, "mape": 0.04, "nrmse": 0.12, "cv_nrmse": 0.12, "twin_error": 0.07, "placebo_share": 0.15}
    return {**base, **numbers, "roas_spread": 0.3, "ok": 6, "warn": 0, "fail": 0, **extra}


def fit(family, holdout=110, checks="done", width=0.5, frequency="daily") -> FitResult:
    roas = pd.DataFrame({"channel": ["google", "tiktok"], "roas": [1.0, 2.0]})
    roas["lower"], roas["upper"] = roas["roas"] - width / 2, roas["roas"] + width
    meta = {"family": family, "fit_seconds": 1.5, "metrics": {"holdout_periods": holdout}, "frequency": frequency}
    meta["stages"] = {"intervals": "done", "checks": checks}
    return FitResult(meta=meta, tables={"roas": roas})


def record(rows, disagreements=()) -> dict:
    return {"rows": rows, "recommended": rows[0]["family"], "disagreements": list(disagreements)}


def test_two_models_recommendation_ranking_side_by_side_and_agreement():
    rows = [row("LightGBM", "lightgbm", 84, True), row("Ridge", "ridge", 71, False, warn=1)]
    advice, table, figure, style, agreement = leaderboard_view(
        record(rows), {"lightgbm": fit("lightgbm"), "ridge": fit("ridge", width=0)}, []
    )
    text = str(advice)
    assert "Recommended: " in text and "LightGBM, because its checks score best (84 of 100; next Ridge, 71)" in text
    assert "recovers its twin's ROAS within 7%" in text and "Provisional" not in text
    assert str(table).count("table-success") == 1 and str(table).index("LightGBM") < str(table).index("Ridge")
    assert "6 ok · 1 warn · 0 fail" in str(table) and "Hover a row" in str(table)
    assert [t.name for t in figure.data] == ["LightGBM", "Ridge"] and style == {}
    assert figure.data[0].error_y.array is not None and figure.data[1].error_y.array is None
    assert AGREE in str(agreement)


def test_disagreements_are_listed_and_unfinished_checks_make_it_provisional():
    rows = [row("XGBoost", "xgboost", 80, True), row("Ridge", "ridge", 60, False)]
    said = {"channel": "google", "message": "The models disagree on google's ROAS by a factor of 3.0 (...)."}
    fits = {"xgboost": fit("xgboost", checks="pending"), "ridge": fit("ridge", holdout=220)}
    advice, table, _, _, warning = leaderboard_view(record(rows, [said]), fits, running=["xgboost"])
    assert "disagree by more than 2x on google" in str(warning) and said["message"] in str(warning)
    assert "Provisional: the placebo and twin checks of XGBoost" in str(advice)
    assert "placebo and twin running" in str(table) and "different holdouts (110, 220 days)" in str(table)


def test_one_model_needs_a_second_to_compare():
    advice, table, figure, style, agreement = leaderboard_view(
        record([row("Ridge", "ridge", 71, True)]), {"ridge": fit("ridge")}, []
    )
    assert "Fit a second family to compare" in str(advice) and "table-success" not in str(table)
    assert style == {"display": "none"} and not figure.data and agreement is None


def test_checks_state_and_the_words_taken_from_the_comparison():
    meta = {"stages": {"checks": "pending"}}
    assert checks_state(meta, True) == "running" and checks_state(meta, False) == "not run"
    assert checks_state({}, False) == "done" and checks_state({"stages": {"checks": "failed"}}, True) == "failed"
    best = row("LightGBM", "lightgbm", 84.0, True)
    assert why(best) == REASON.format(m="LightGBM")[len("LightGBM: ") : -1]
    assert why({**best, "reason": "unexpected words"}) == "unexpected words"  # another wording is shown whole
    told = with_mape(best["reason"], 0.052)
    assert told.endswith("no check fails, holdout MAPE 5.2%. Recommended: score 84 of 100, next XGBoost 81.")
    assert recommendation_text(record([{**best, "reason": told}])).endswith("holdout MAPE 5.2%.")
    assert with_mape("other words", 0.052) == "other words" and with_mape(best["reason"], None) == best["reason"]
    assert recommendation_text(record([best])).startswith("LightGBM, because its checks score 84 of 100: recovers")
    assert [json_safe(v) for v in (float("nan"), float("inf"), 2, True, "x", None)] == [
        None,
        None,
        2.0,
        True,
        "x",
        None,
    ]


def test_the_slider_re_scores_on_its_periods_and_falls_back_to_the_fits_own_below_two():
    dates = pd.date_range("2025-01-01", periods=40)
    actual = pd.Series(range(100, 140), dtype=float)
    table = pd.DataFrame(
        {"date": dates, "actual": actual, "predicted": actual + 1.0, "holdout": [False] * 36 + [True] * 4}
    )
    shown = fit("ridge", holdout=4)
    shown.tables["fitted"] = table
    rows = [row("Ridge", "ridge", 71, True, mape=0.5)]
    _, wider, *_ = leaderboard_view(record(rows), {"ridge": shown}, [], periods=8)
    mape = models.score_last(table, 8)["mape"]  # the last 8 periods, 4 of which the fit was trained on
    assert f"{mape:.1%} *" in str(wider) and "Ridge (4)" in str(wider) and "same last 8 days" in str(wider)
    assert "Trained on some of these days" in str(wider)
    # Every row's reason (its tooltip) quotes the MAPE the table shows, not the one of the fit's own holdout.
    assert f"holdout MAPE {mape:.1%}." in str(wider) and "MAPE 3.9%" not in str(wider)
    _, own, *_ = leaderboard_view(record(rows), {"ridge": shown}, [], periods=1)  # a tiny dataset's 5%
    assert "50.0%" in str(own) and "*" not in str(own) and "same last 4 days" in str(own)


def test_the_holdout_notes_count_the_datas_days_or_weeks():
    """The data's frequency names its periods: days or weeks, one week alone; "periods" only when it is unknown."""
    rows = [row("Ridge", "ridge", 71, True, trained_on=1)]
    weekly = str(holdout_note([1], rows, None, "weekly"))
    assert "same last 1 week," in weekly and "Trained on some of these weeks: Ridge (1)" in weekly
    assert "same last 12 weeks," in str(holdout_note([12], rows, None, "weekly"))
    assert "different holdouts (4, 8 weeks)" in str(holdout_note([4, 8], rows, None, "weekly"))
    assert "same last 1 day," in str(holdout_note([4], rows, 1, "daily"))
    assert "periods" not in weekly + str(holdout_note([28], rows, None, "daily"))
    unknown = str(holdout_note([4, 8], rows, None)) + str(holdout_note([4], rows, None))
    assert "(4, 8 periods)" in unknown and "same last 4 periods" in unknown and "these periods" in unknown
    fits = {"ridge": fit("ridge", holdout=12, frequency="weekly")}
    _, table, *_ = leaderboard_view(record([row("Ridge", "ridge", 71, True)]), fits, [])  # the fit's own frequency
    assert "same last 12 weeks" in str(table)


def test_a_model_passed_over_for_not_converging_is_not_called_the_lower_score():
    rows = [row("Ridge", "ridge", 61, True), row("Bayesian", "bayesian", 73, False)]
    text = recommendation_text(record(rows))
    assert text.startswith("Ridge, because its checks score 61 of 100 and Bayesian (73) has not converged")
    assert "score best" not in text


def test_a_tie_is_not_called_a_win():
    tied = [row("Ridge", "ridge", 76.0, True), row("LightGBM", "lightgbm", 76.0, False)]
    said = recommendation_text(record(tied))
    assert "tied with LightGBM's" in said and "best" not in said
    close = [row("Ridge", "ridge", 76.2, True), row("LightGBM", "lightgbm", 75.9, False)]
    assert "score best (76.2 of 100; next LightGBM, 75.9)" in recommendation_text(record(close))
