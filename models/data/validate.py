"""Check that the columns given a role can play it: numeric target that varies, non-negative spend."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from models.data.errors import DataError, describe_rows, quote_value
from models.data.roles import name_tokens

ROLE_KEYS = ("date", "target", "channels", "controls")
OUTLIER_FACTOR = 100  # a value this many times the column's median (of positive values) is flagged
COUNT_WORDS = frozenset(
    """conversions conversion convs conv orders order leads lead signups signup registrations
    registration installs install downloads subscriptions subscribers customers units purchases purchase
    transactions bookings visits count counts qty quantity volume""".split()
)
MONEY_WORDS = frozenset("revenue revenues value amount gmv income turnover eur usd gbp money dollars euros".split())


def validate_roles(
    frame: pd.DataFrame, roles: dict, row_numbers: Sequence[int] | None = None, max_roles: int | None = None
) -> list[str]:
    """Check ``roles`` against ``frame``; return warnings, raise :class:`DataError` when unusable.

    Parameters
    ----------
    frame : pandas.DataFrame
        As from :func:`models.data.read_upload`.
    roles : dict
        {"date": str, "target": str, "channels": [str], "controls": [str]}.
    row_numbers : sequence of int, optional
        Spreadsheet row number of each frame row, to name rows in messages; dates are named otherwise.
    max_roles : int, optional
        Most channels and controls together (``Limits.max_columns``); more are refused. No limit when None.
    """
    _check_structure(frame, roles)
    chosen = len(roles["channels"]) + len(roles["controls"])
    if max_roles is not None and chosen > max_roles:
        raise DataError(
            f"{chosen} channels and controls were chosen; at most {max_roles} can be used together. Remove "
            f"{chosen - max_roles} of them (e.g. small channels or controls that barely change) and try again."
        )
    where = _locator(frame, roles["date"], row_numbers)
    target = frame[roles["target"]]
    if target.notna().sum() == 0:
        raise DataError(f"The target column {quote_value(roles['target'])} has no values.")
    if target.nunique(dropna=True) < 2:
        raise DataError(
            f"The target column {quote_value(roles['target'])} has the same value in every row, so there is "
            "nothing to explain. Choose the column holding revenue (or sales) per period."
        )
    warnings = []
    for channel in roles["channels"]:
        spend = frame[channel]
        negative = np.flatnonzero((spend < 0).to_numpy())
        if len(negative):
            raise DataError(
                f"Channel {quote_value(channel)} has negative spend in {where(negative)}. Spend cannot be "
                "negative: correct those cells (record refunds or credits elsewhere)."
            )
        warnings.extend(_channel_warnings(channel, spend))
    for column in [roles["target"], *roles["channels"]]:
        warnings.extend(_outlier_warnings(column, frame[column], where))
    return _count_target_warnings(roles["target"], frame.columns) + _scaled_spend_warnings(frame, roles) + warnings


def _count_target_warnings(target: str, columns) -> list[str]:
    """A target named like a count (conversions, orders, leads) makes ROAS a count per unit of spend."""
    words = set(name_tokens(target))
    if not words & COUNT_WORDS or words & MONEY_WORDS:
        return []
    warning = (
        f"The target {quote_value(target)} looks like a count, not revenue: ROAS will be {target} per unit of "
        f"spend, and budget plans will maximise {target}, not revenue."
    )
    values = [c for c in columns if c != target and _is_value_per_unit(c)]
    if values:
        warning += (
            f" The file also has {quote_value(values[0])}: multiply it into the target first (target x "
            f"{values[0]}) to model revenue."
        )
    return [warning]


def _is_value_per_unit(name: str) -> bool:
    """revenue_per_conversion, value_per_order, aov, average_order_value..."""
    words = set(name_tokens(name))
    return "aov" in words or bool(words & (MONEY_WORDS | {"price"}) and words & {"per", "avg", "average"})


def _scaled_spend_warnings(frame: pd.DataFrame, roles: dict) -> list[str]:
    """Spend that never exceeds 1 in any channel was probably scaled (0-1), not currency."""
    channels = roles["channels"]
    peaks = [frame[c].max() for c in channels]
    if not channels or not all(pd.notna(p) and p <= 1 for p in peaks) or not any(p > 0 for p in peaks):
        return []
    return [
        f"Spend in {', '.join(channels)} never exceeds 1: if it is scaled (e.g. divided by its maximum), ROAS "
        "and response curves are in scaled units, not currency. Upload spend in money to read ROAS as revenue "
        "per unit of spend."
    ]


def _check_structure(frame: pd.DataFrame, roles: dict) -> None:
    if not isinstance(roles, dict) or set(ROLE_KEYS) - set(roles):
        raise DataError("Roles must name the date, the target, the channels and the controls.")
    if (
        not roles["date"]
        or roles["date"] not in frame
        or not pd.api.types.is_datetime64_any_dtype(frame[roles["date"]])
    ):
        raise DataError("Choose the date column (one date per row).")
    if not roles["target"] or roles["target"] not in frame:
        raise DataError("Choose the target column: revenue (or sales) per period.")
    used = [roles["date"], roles["target"], *roles["channels"], *roles["controls"]]
    twice = sorted({c for c in used if used.count(c) > 1})
    if twice:
        raise DataError(f"Column {quote_value(twice[0])} has two roles; give each column one role only.")
    for column in used[1:]:
        if column not in frame or not pd.api.types.is_numeric_dtype(frame[column]):
            raise DataError(f"Column {quote_value(column)} is not a numeric column of this data.")


def _locator(frame: pd.DataFrame, date: str, row_numbers: Sequence[int] | None):
    """Word positions of frame rows as spreadsheet rows when known, else as dates."""
    dates = frame[date]

    def where(positions: np.ndarray) -> str:
        if row_numbers is not None:
            return describe_rows([row_numbers[i] for i in positions])
        shown = ", ".join(f"{dates.iloc[i]:%Y-%m-%d}" for i in positions[:5])
        more = f", ... ({len(positions)} in all)" if len(positions) > 5 else ""
        return f"the rows dated {shown}{more}"

    return where


def _channel_warnings(channel: str, spend: pd.Series) -> list[str]:
    if spend.notna().sum() == 0:
        return [f"Channel {quote_value(channel)} has no values at all; remove it from Channels."]
    if (spend.fillna(0) == 0).all():
        return [f"Channel {quote_value(channel)} has zero spend in every row, so its effect cannot be measured."]
    if spend.nunique(dropna=True) == 1:
        return [
            f"Channel {quote_value(channel)} has the same spend in every row, so its effect cannot be told apart "
            "from the baseline."
        ]
    return []


def _outlier_warnings(column: str, values: pd.Series, where) -> list[str]:
    positive = values[values > 0]
    if len(positive) < 10:
        return []
    median = float(positive.median())
    extreme = np.flatnonzero((values > OUTLIER_FACTOR * median).to_numpy())
    if not len(extreme):
        return []
    top = float(values.iloc[extreme].max())
    return [
        f"Column {quote_value(column)} has extreme values in {where(extreme)} (up to {top:,.0f}, about "
        f"{top / median:,.0f}x its median of {median:,.0f}). Check for a typo such as extra zeros."
    ]
