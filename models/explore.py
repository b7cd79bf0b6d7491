"""Descriptive statistics for exploring a media-mix data set before fitting.

Every function takes the analysis ``frame`` (one row per period) and returns a
tidy :class:`pandas.DataFrame` with fixed column names, so the dashboard and a
notebook user see the same numbers.

The ``roles`` mapping used throughout has the form::

    {"date": "date", "target": "revenue",
     "channels": ["google", "facebook"], "controls": ["price", "promo"]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

SUMMARY_COLUMNS = (
    "column",
    "role",
    "count",
    "missing",
    "mean",
    "std",
    "min",
    "median",
    "max",
    "zero_share",
    "total",
)
VIF_COLUMNS = ("column", "vif")
SPEND_SHARE_COLUMNS = ("channel", "spend", "share")

# R^2 this close to 1 is treated as exact collinearity (VIF = inf): beyond it the
# least-squares residual is floating-point noise, not signal.
_COLLINEAR_TOLERANCE = 1e-12


def _ordered_roles(frame: pd.DataFrame, roles: Mapping) -> list[tuple[str, str]]:
    """Return ``(column, role)`` pairs in role order, each column once."""
    pairs: list[tuple[str, str]] = []
    target = roles.get("target")
    if target is not None:
        pairs.append((target, "target"))
    pairs += [(name, "channel") for name in roles.get("channels") or []]
    pairs += [(name, "control") for name in roles.get("controls") or []]
    missing = [name for name, _ in pairs if name not in frame.columns]
    if missing:
        raise KeyError(f"columns named in roles are not in the frame: {missing}")
    seen = {name for name, _ in pairs} | {roles.get("date")}
    for name in frame.columns:
        if name not in seen and pd.api.types.is_numeric_dtype(frame[name]):
            pairs.append((name, "unused"))
            seen.add(name)
    unique: dict[str, str] = {}
    for name, role in pairs:
        unique.setdefault(name, role)
    return list(unique.items())


def _describe(values: pd.Series) -> dict[str, float]:
    """Summary numbers of one column, ignoring missing values."""
    present = values.dropna()
    count = int(present.size)
    return {
        "count": count,
        "missing": int(values.size - count),
        "mean": present.mean() if count else np.nan,
        "std": present.std(ddof=1) if count > 1 else np.nan,
        "min": present.min() if count else np.nan,
        "median": present.median() if count else np.nan,
        "max": present.max() if count else np.nan,
        "zero_share": float((present == 0).sum() / count) if count else np.nan,
        "total": present.sum() if count else np.nan,
    }


def summary_statistics(frame: pd.DataFrame, roles: Mapping) -> pd.DataFrame:
    """Summarise every non-date column, one row per column in role order.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period. May contain missing values (NaN).
    roles : Mapping
        Keys ``date``, ``target``, ``channels`` and ``controls`` naming columns
        of ``frame``. ``channels``/``controls`` may be absent or empty.

    Returns
    -------
    pandas.DataFrame
        Columns ``column, role, count, missing, mean, std, min, median, max,
        zero_share, total``. Rows come in the order target, channels, controls,
        then any other numeric column (role ``"unused"``). ``count`` and
        ``missing`` count non-missing and missing cells; ``std`` is the sample
        standard deviation (``ddof=1``); ``zero_share`` is the share of exact
        zeros among non-missing values (0..1); ``total`` is the sum of
        non-missing values, in the column's own units (currency for spend).
        Statistics of a column with no values are NaN.

    Raises
    ------
    KeyError
        If ``roles`` names a column that ``frame`` lacks.

    Notes
    -----
    Role columns are coerced to numbers; cells that are not numbers count as
    missing.
    """
    rows = []
    for name, role in _ordered_roles(frame, roles):
        values = pd.to_numeric(frame[name], errors="coerce").astype(float)
        rows.append({"column": name, "role": role, **_describe(values)})
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def correlation_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Pearson correlation between columns, using pairwise-complete rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period. May contain missing values.
    columns : sequence of str
        Columns to correlate, in the order wanted for rows and columns.

    Returns
    -------
    pandas.DataFrame
        Square matrix indexed and labelled by ``columns``, values in [-1, 1].
        Each pair uses the rows where both columns are present. A pair with a
        constant column, or with fewer than two shared rows, is NaN.

    Notes
    -----
    :math:`r_{xy} = \\sum (x_i-\\bar x)(y_i-\\bar y) /
    \\sqrt{\\sum (x_i-\\bar x)^2 \\sum (y_i-\\bar y)^2}`.
    """
    names = list(columns)
    numeric = frame[names].apply(pd.to_numeric, errors="coerce").astype(float)
    corr = numeric.corr(method="pearson", min_periods=2)
    return corr.reindex(index=names, columns=names)


def _r_squared(y: np.ndarray, others: np.ndarray) -> float:
    """R^2 of ``y`` regressed by least squares on ``others`` plus an intercept."""
    centred = y - y.mean()
    ss_total = float(centred @ centred)
    if ss_total == 0.0:
        return np.nan
    design = np.column_stack([np.ones(len(y)), others])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return 1.0 - float(residual @ residual) / ss_total


def variance_inflation(frame: pd.DataFrame, channels: Sequence[str]) -> pd.DataFrame:
    """Variance inflation factor of each channel given the other channels.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period. Rows with a missing value in any of ``channels``
        are dropped before fitting.
    channels : sequence of str
        Spend columns to check for collinearity.

    Returns
    -------
    pandas.DataFrame
        Columns ``column, vif``, one row per channel in the given order.
        ``vif`` is ``inf`` when the channel is an exact linear combination of
        the others, NaN when the channel is constant (or there are not more
        complete rows than channels), and 1.0 for a single channel. An empty
        ``channels`` gives an empty frame.

    Notes
    -----
    :math:`\\mathrm{VIF}_j = 1 / (1 - R^2_j)`, where :math:`R^2_j` comes from
    an ordinary least-squares regression of channel *j* on all other channels
    and an intercept. VIF above 10 is the usual sign that separate channel
    effects cannot be told apart (Kutner et al., *Applied Linear Statistical
    Models*, 5th ed., section 10.5).
    """
    names = list(channels)
    if len(names) < 2:
        return pd.DataFrame({"column": names, "vif": [1.0] * len(names)}, columns=list(VIF_COLUMNS))
    numeric = frame[names].apply(pd.to_numeric, errors="coerce").astype(float)
    values = numeric.dropna().to_numpy()
    vifs = []
    for j in range(len(names)):
        if values.shape[0] <= len(names):
            vifs.append(np.nan)
            continue
        r2 = _r_squared(values[:, j], np.delete(values, j, axis=1))
        if np.isnan(r2):
            vifs.append(np.nan)
        elif r2 >= 1.0 - _COLLINEAR_TOLERANCE:
            vifs.append(np.inf)
        else:
            vifs.append(1.0 / (1.0 - r2))
    return pd.DataFrame({"column": names, "vif": vifs}, columns=list(VIF_COLUMNS))


def spend_share(frame: pd.DataFrame, channels: Sequence[str]) -> pd.DataFrame:
    """Total spend per channel and its share of all spend.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period; missing spend counts as zero.
    channels : sequence of str
        Spend columns, in currency.

    Returns
    -------
    pandas.DataFrame
        Columns ``channel, spend, share`` in the given channel order.
        ``spend`` is the channel total (currency); ``share`` is
        ``spend / sum(spend)`` in 0..1 and sums to 1, or 0 for every channel
        when total spend is zero.
    """
    names = list(channels)
    numeric = frame[names].apply(pd.to_numeric, errors="coerce").astype(float)
    totals = numeric.sum(skipna=True).to_numpy(dtype=float)
    grand_total = totals.sum()
    shares = totals / grand_total if grand_total > 0 else np.zeros_like(totals)
    return pd.DataFrame({"channel": names, "spend": totals, "share": shares}, columns=list(SPEND_SHARE_COLUMNS))


# Weeks start on Monday and are labelled by that day; months by their first day.
PERIOD_RULES = {"week": "W-MON", "month": "MS"}
SHORT_EDGE = 0.9  # an edge period with fewer rows than this share of the usual count is cut off, not a real dip


def per_period(
    frame: pd.DataFrame, date: str, period: str, flows: Sequence[str], levels: Sequence[str] = ()
) -> pd.DataFrame:
    """One row per period (dated by its start): ``flows`` summed, ``levels`` averaged, partial edges dropped.

    Rows several days apart (weekly data) are spread evenly over their days first when months are asked for:
    a month holds 4 or 5 weekly rows, and summing them whole drew a sawtooth of about 25% from month to month.
    """
    columns = [*dict.fromkeys([*flows, *levels])]
    if period not in PERIOD_RULES:
        return frame[[date, *columns]].sort_values(date)
    step = _days_per_row(frame[date])
    if period == "month" and step > 1:
        frame = _spread_over_days(frame[[date, *columns]], date, flows, step)
    grouped = (
        frame.set_index(date).sort_index().groupby(pd.Grouper(freq=PERIOD_RULES[period], label="left", closed="left"))
    )
    how = {c: "mean" for c in levels} | {c: "sum" for c in flows}
    table = grouped[columns].agg(how) if columns else pd.DataFrame(index=grouped.size().index)
    for column in flows:  # a period without any value stays empty rather than summing to 0
        table.loc[grouped[column].count() == 0, column] = float("nan")
    rows = grouped.size()
    table = table[rows > 0]
    return _trim_partial_edges(table, rows[rows > 0]).rename_axis(date).reset_index()


def _days_per_row(dates: pd.Series) -> int:
    """The usual number of days between rows (7 for weekly data, 1 for daily)."""
    gaps = pd.to_datetime(dates).sort_values().diff().dropna().dt.days
    return max(int(gaps.median()), 1) if len(gaps) else 1


def _spread_over_days(frame: pd.DataFrame, date: str, flows: Sequence[str], step: int) -> pd.DataFrame:
    """Each row as ``step`` daily rows from its date on, its flows shared equally among them (levels kept)."""
    days = frame.loc[frame.index.repeat(step)].reset_index(drop=True)
    days[date] = pd.to_datetime(days[date]) + pd.to_timedelta(np.tile(np.arange(step), len(frame)), unit="D")
    shared = list(dict.fromkeys(flows))
    days[shared] = days[shared].astype(float) / step
    return days


def _trim_partial_edges(table: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
    """Drop a first or last period holding clearly fewer rows than usual (a half week sums to a false dip)."""
    if len(rows) < 3:
        return table
    full = SHORT_EDGE * rows.median()
    keep = pd.Series(True, index=rows.index)
    keep.iloc[0] = rows.iloc[0] >= full
    keep.iloc[-1] = rows.iloc[-1] >= full
    return table[keep.to_numpy()]
