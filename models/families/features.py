"""Shared building blocks of every model family: time features, splits and metrics.

Written once so that every family sees the same trend and seasonality and is scored the same way.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Hashable, Iterator

import numpy as np
import pandas as pd

TREND = "trend"
SEASONALITY = "seasonality"
BASELINE = "baseline"
RECENT_PERIODS = {"daily": 28, "weekly": 4}  # "recent" = about the last month


# The frame being read once (see read_once) and what has been read from it, by key.
_READ_ONCE: contextvars.ContextVar[tuple[pd.DataFrame, dict] | None] = contextvars.ContextVar("read_once", default=None)


@contextlib.contextmanager
def read_once(frame: pd.DataFrame) -> Iterator[None]:
    """Within this block, models predicting ``frame`` share what they read from it (:func:`shared`): bootstrap
    replicates predict the same frame dozens of times, and reading its columns cost more than the maths.
    ``frame`` must not change inside the block."""
    token = _READ_ONCE.set((frame, {}))
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def shared(frame: pd.DataFrame, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()``, remembered under ``key`` while ``frame`` is the frame of a :func:`read_once` block (read-only
    then, as every model gets the same array); outside such a block, computed each time."""
    current = _READ_ONCE.get()
    if current is None or current[0] is not frame:
        return compute()
    if key not in current[1]:
        array = np.asarray(compute())
        array.flags.writeable = False
        current[1][key] = array
    return current[1][key]


def infer_frequency(dates: pd.Series) -> str:
    """``"daily"`` or ``"weekly"`` from the median spacing of sorted dates."""
    steps = np.diff(np.sort(pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")).astype(np.int64))
    return "weekly" if len(steps) and np.median(steps) >= 7 else "daily"


def period_days(frequency: str) -> int:
    return 7 if frequency == "weekly" else 1


def time_features(dates: pd.Series, frequency: str, origin: pd.Timestamp, yearly_order: int = 2) -> pd.DataFrame:
    """Trend (years since ``origin``) and Fourier seasonality columns.

    Yearly terms ``sin/cos(2 pi k t / 365.25)`` for k = 1..yearly_order; for daily data also weekly terms
    ``sin/cos(2 pi k d / 7)`` for k = 1..3 (d = day of week). Columns named ``season_*`` belong to the
    seasonality component, ``trend`` to the trend.
    """
    dates = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    days = (dates - origin).dt.days.to_numpy(dtype=float)
    features = {TREND: days / 365.25}
    day_of_year = dates.dt.day_of_year.to_numpy(dtype=float)
    for k in range(1, yearly_order + 1):
        features[f"season_year_sin{k}"] = np.sin(2 * np.pi * k * day_of_year / 365.25)
        features[f"season_year_cos{k}"] = np.cos(2 * np.pi * k * day_of_year / 365.25)
    if frequency == "daily":
        weekday = dates.dt.day_of_week.to_numpy(dtype=float)
        for k in range(1, 4):
            features[f"season_week_sin{k}"] = np.sin(2 * np.pi * k * weekday / 7)
            features[f"season_week_cos{k}"] = np.cos(2 * np.pi * k * weekday / 7)
    return pd.DataFrame(features)


def remembered_time_features(slot: list, dates: pd.Series, frequency: str, origin: pd.Timestamp) -> np.ndarray:
    """:func:`time_features` of ``dates`` as an array, remembered in the one-item list ``slot`` for the last dates.

    A model and its copies (cross-validation, bootstrap replicates) share one slot, so evaluating many of
    them on the same frame computes the calendar once.
    """
    values = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]")
    key, cached = values.tobytes(), slot[0]
    if cached is None or cached[0] != key:
        cached = (key, time_features(pd.Series(values), frequency, origin).to_numpy())
        slot[0] = cached
    return cached[1]


def holdout_start(n_rows: int, holdout: float) -> int:
    """Index of the first holdout row: the last ``holdout`` fraction of periods (at least one row)."""
    if not 0 <= holdout < 0.5:
        raise ValueError("holdout must be a fraction between 0 and 0.5 (e.g. 0.1 for the last 10%)")
    if holdout == 0:
        return n_rows
    return n_rows - max(1, int(round(n_rows * holdout)))


def rolling_origin_folds(n_rows: int, folds: int, test_size: int) -> list[tuple[int, int]]:
    """(train_end, test_end) pairs: each fold trains on rows [0, train_end) and tests on [train_end, test_end).

    The test blocks are the ``folds`` consecutive blocks of ``test_size`` rows that end at ``n_rows``.
    """
    pairs = []
    for fold in range(folds, 0, -1):
        train_end = n_rows - fold * test_size
        if train_end >= max(2 * test_size, 20):
            pairs.append((train_end, train_end + test_size))
    return pairs


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """R², MAPE (fraction) and NRMSE (RMSE over the range of ``actual``, as Robyn reports it)."""
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    keep = np.isfinite(actual) & np.isfinite(predicted)
    actual, predicted = actual[keep], predicted[keep]
    if len(actual) < 2:
        return {"r2": float("nan"), "mape": float("nan"), "nrmse": float("nan")}
    residual = actual - predicted
    total = np.sum((actual - actual.mean()) ** 2)
    spread = actual.max() - actual.min()
    nonzero = actual != 0
    return {
        "r2": float(1 - np.sum(residual**2) / total) if total > 0 else float("nan"),
        "mape": float(np.mean(np.abs(residual[nonzero] / actual[nonzero]))) if nonzero.any() else float("nan"),
        "nrmse": float(np.sqrt(np.mean(residual**2)) / spread) if spread > 0 else float("nan"),
    }
