"""Tests for models.explore against values computed by hand or independently."""

import numpy as np
import pandas as pd
import pytest

from models.explore import (
    SUMMARY_COLUMNS,
    correlation_matrix,
    spend_share,
    summary_statistics,
    variance_inflation,
)

ROLES = {"date": "date", "target": "revenue", "channels": ["google", "facebook"], "controls": ["price"]}


@pytest.fixture
def tiny_frame():
    return pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=4, freq="W"),
            "extra": [1.0, 1.0, 1.0, 1.0],
            "price": [2.0, 2.0, 4.0, 4.0],
            "revenue": [10.0, 20.0, 30.0, np.nan],
            "facebook": [0.0, 0.0, 3.0, 5.0],
            "google": [1.0, 2.0, 3.0, 4.0],
            "label": ["a", "b", "c", "d"],
        }
    )


def _vif_by_lstsq(x, j):
    """Independent reference: 1 / (1 - R^2) of column j on the others plus intercept."""
    y = x[:, j]
    design = np.column_stack([np.ones(len(x)), np.delete(x, j, axis=1)])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    r2 = 1 - np.sum((y - design @ coef) ** 2) / np.sum((y - y.mean()) ** 2)
    return 1 / (1 - r2)


def test_summary_statistics_order_roles_and_columns(tiny_frame):
    stats = summary_statistics(tiny_frame, ROLES)
    assert list(stats.columns) == list(SUMMARY_COLUMNS)
    assert list(stats["column"]) == ["revenue", "google", "facebook", "price", "extra"]
    assert list(stats["role"]) == ["target", "channel", "channel", "control", "unused"]


def test_summary_statistics_values_by_hand(tiny_frame):
    stats = summary_statistics(tiny_frame, ROLES).set_index("column")
    revenue = stats.loc["revenue"]
    assert revenue["count"] == 3 and revenue["missing"] == 1
    assert revenue["mean"] == pytest.approx(20.0)
    assert revenue["std"] == pytest.approx(10.0)
    assert (revenue["min"], revenue["median"], revenue["max"]) == (10.0, 20.0, 30.0)
    assert revenue["total"] == pytest.approx(60.0)
    facebook = stats.loc["facebook"]
    assert facebook["zero_share"] == pytest.approx(0.5)
    assert facebook["total"] == pytest.approx(8.0)
    assert facebook["median"] == pytest.approx(1.5)
    assert stats.loc["google", "std"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    assert stats.loc["extra", "std"] == 0.0


def test_summary_statistics_all_missing_column_and_missing_roles():
    frame = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=2), "revenue": [1.0, 2.0], "tv": [np.nan, np.nan]}
    )
    stats = summary_statistics(frame, {"date": "date", "target": "revenue", "channels": ["tv"]})
    tv = stats.set_index("column").loc["tv"]
    assert tv["count"] == 0 and tv["missing"] == 2
    assert np.isnan(tv["mean"]) and np.isnan(tv["zero_share"]) and np.isnan(tv["total"])


def test_summary_statistics_unknown_role_column_raises(tiny_frame):
    with pytest.raises(KeyError, match="nope"):
        summary_statistics(tiny_frame, {**ROLES, "channels": ["nope"]})


def test_correlation_matrix_pairwise_complete_and_constant(tiny_frame):
    corr = correlation_matrix(tiny_frame, ["revenue", "google", "extra"])
    assert list(corr.index) == list(corr.columns) == ["revenue", "google", "extra"]
    # revenue is missing in the last row; pairwise rows 0..2 are perfectly linear.
    assert corr.loc["revenue", "google"] == pytest.approx(1.0)
    assert np.isnan(corr.loc["extra", "google"])
    expected = np.corrcoef(tiny_frame["google"], tiny_frame["facebook"])[0, 1]
    pair = correlation_matrix(tiny_frame, ["google", "facebook"])
    assert pair.iloc[0, 1] == pytest.approx(expected)


def test_vif_independent_channels_near_one():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(2000, 3)), columns=["a", "b", "c"])
    vif = variance_inflation(frame, ["a", "b", "c"])
    assert list(vif.columns) == ["column", "vif"]
    assert list(vif["column"]) == ["a", "b", "c"]
    assert np.all(np.abs(vif["vif"] - 1.0) < 0.05)


def test_vif_near_collinear_matches_lstsq():
    rng = np.random.default_rng(1)
    x1, x2 = rng.uniform(0, 100, size=(2, 200))
    x3 = x1 + x2 + rng.normal(scale=5.0, size=200)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "x3": x3})
    frame.loc[5, "x2"] = np.nan  # dropped row must not break the comparison
    vif = variance_inflation(frame, ["x1", "x2", "x3"]).set_index("column")["vif"]
    assert vif["x3"] > 10
    complete = frame.dropna().to_numpy()
    for j, name in enumerate(["x1", "x2", "x3"]):
        assert vif[name] == pytest.approx(_vif_by_lstsq(complete, j), rel=1e-8)


def test_vif_exact_collinearity_and_constant():
    x1 = np.arange(10.0)
    x2 = np.array([3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3])
    exact = pd.DataFrame({"x1": x1, "x2": x2, "x3": x1 + 2 * x2})
    assert np.all(np.isinf(variance_inflation(exact, ["x1", "x2", "x3"])["vif"]))
    flat = pd.DataFrame({"x1": x1, "x2": x2, "k": np.full(10, 7.0)})
    vif = variance_inflation(flat, ["x1", "x2", "k"]).set_index("column")["vif"]
    assert np.isnan(vif["k"]) and np.isfinite(vif["x1"])


def test_vif_fewer_than_two_channels(tiny_frame):
    assert variance_inflation(tiny_frame, ["google"])["vif"].tolist() == [1.0]
    empty = variance_inflation(tiny_frame, [])
    assert empty.empty and list(empty.columns) == ["column", "vif"]


def test_spend_share_sums_to_one(tiny_frame):
    share = spend_share(tiny_frame, ["google", "facebook"])
    assert list(share.columns) == ["channel", "spend", "share"]
    assert share["spend"].tolist() == [10.0, 8.0]
    assert share["share"].sum() == pytest.approx(1.0)
    assert share["share"].tolist() == pytest.approx([10 / 18, 8 / 18])


def test_spend_share_all_zero_and_missing():
    frame = pd.DataFrame({"a": [0.0, np.nan], "b": [0.0, 0.0]})
    share = spend_share(frame, ["a", "b"])
    assert share["spend"].tolist() == [0.0, 0.0]
    assert share["share"].tolist() == [0.0, 0.0]
