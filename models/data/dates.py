"""Find and parse the date column, and tell daily from weekly data."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from models.data.errors import DataError, describe_rows, quote_value

DATE_WORDS = frozenset({"date", "day", "week", "ds", "dt", "time", "period", "month", "timestamp"})
TIME_SUFFIX = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?(?:Z|[+-]\d{2}:?\d{2})?)$", re.I)
ISO_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
DAY_FIRST = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y")
MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y")
NAMED = ("%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%b %d %Y", "%d %B %Y", "%B %d, %Y", "%B %d %Y")
FORMATS = ISO_FORMATS + DAY_FIRST + MONTH_FIRST + NAMED
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIALS = (25569, 73051)  # 1970-01-01 .. 2099-12-31
USE_ISO = "Use one date format for the whole column, ideally YYYY-MM-DD (e.g. 2024-01-31)."


def is_date_name(name: str) -> bool:
    """True for column names that announce dates (date, Week, ds, wk_strt_dt, Order Date...)."""
    tokens = set(re.split(r"[^a-z0-9]+", name.lower()))
    return bool(tokens & DATE_WORDS) or name.lower().startswith("date")


def parse_date_column(name: str, cells: list[object], row_numbers: list[int]) -> pd.Series:
    """Parse a column of dates; raise :class:`DataError` naming rows that are blank, unreadable or mixed."""
    blank = [row_numbers[i] for i, c in enumerate(cells) if c is None or (isinstance(c, str) and not c.strip())]
    if blank:
        raise DataError(
            f"The date column {quote_value(name)} is empty in {describe_rows(blank)}. Fill in a date for every row."
        )
    if all(isinstance(c, (dt.date, pd.Timestamp)) for c in cells):
        return pd.Series(pd.to_datetime(cells)).dt.normalize()
    numbers = pd.to_numeric(pd.Series([str(c).strip() for c in cells]), errors="coerce")
    if numbers.notna().all():
        return _from_numbers(name, numbers, row_numbers)
    texts = pd.Series([TIME_SUFFIX.sub("", str(c).strip()) for c in cells])
    return _from_text(name, texts, row_numbers)


def _from_numbers(name: str, numbers: pd.Series, row_numbers: list[int]) -> pd.Series:
    """Excel serial day numbers (45292 = 2024-01-01) or yyyymmdd integers."""
    if numbers.between(*EXCEL_SERIALS).all() and (numbers == numbers.round()).all():
        dates = (EXCEL_EPOCH + pd.to_timedelta(numbers, unit="D")).dt.normalize()
        dates.attrs["read_as"] = "Excel serial numbers"  # the upload tells the user: a number read as a date
        return dates
    as_text = numbers.astype("Int64").astype(str) if (numbers == numbers.round()).all() else None
    if as_text is not None:
        parsed = pd.to_datetime(as_text, format="%Y%m%d", errors="coerce")
        if parsed.notna().all():
            return parsed
    bad = [row_numbers[i] for i in range(len(numbers)) if not EXCEL_SERIALS[0] <= numbers.iloc[i] <= EXCEL_SERIALS[1]]
    raise DataError(
        f"The date column {quote_value(name)} holds numbers that are not dates "
        f"({describe_rows(bad or row_numbers[:1])}). " + USE_ISO
    )


def _from_text(name: str, texts: pd.Series, row_numbers: list[int]) -> pd.Series:
    sample = texts.iloc[:: max(1, len(texts) // 200)]
    likely = [f for f in FORMATS if pd.to_datetime(sample, format=f, errors="coerce").notna().all()]
    parsed = {fmt: pd.to_datetime(texts, format=fmt, errors="coerce") for fmt in likely}
    complete = [fmt for fmt, values in parsed.items() if values.notna().all()]
    if complete:
        return _pick_complete(name, complete, parsed, texts)
    parsed = {fmt: pd.to_datetime(texts, format=fmt, errors="coerce") for fmt in FORMATS}
    readable = pd.concat([v.notna() for v in parsed.values()], axis=1).any(axis=1)
    unreadable = [row_numbers[i] for i in np.flatnonzero(~readable.to_numpy())]
    if unreadable:
        first = texts.iloc[row_numbers.index(unreadable[0])]
        raise DataError(
            f"The date column {quote_value(name)} has values that are not dates in {describe_rows(unreadable)} "
            f"(e.g. {quote_value(first)}). " + USE_ISO
        )
    best = max(parsed, key=lambda fmt: parsed[fmt].notna().sum())
    other = [i for i in range(len(texts)) if pd.isna(parsed[best].iloc[i])]
    first_ok = next(i for i in range(len(texts)) if pd.notna(parsed[best].iloc[i]))
    raise DataError(
        f"The date column {quote_value(name)} mixes date formats: {describe_rows([row_numbers[first_ok]])} has "
        f"{quote_value(texts.iloc[first_ok])} but {describe_rows([row_numbers[i] for i in other])} "
        f"{'has' if len(other) == 1 else 'have'} e.g. {quote_value(texts.iloc[other[0]])}. " + USE_ISO
    )


def _pick_complete(name: str, complete: list[str], parsed: dict[str, pd.Series], texts: pd.Series) -> pd.Series:
    """Several formats read every value (e.g. 03/04/2024): keep the one giving evenly spaced dates."""
    distinct = {fmt: parsed[fmt] for fmt in complete}
    first = distinct[complete[0]]
    if all(values.equals(first) for values in distinct.values()):
        return first
    regular = [fmt for fmt, values in distinct.items() if _is_regular(values)]
    if len(regular) == 1:
        return distinct[regular[0]]
    raise DataError(
        f"The dates in {quote_value(name)} are ambiguous: they can be read day-first or month-first "
        f"(is {quote_value(texts.iloc[0])} day/month or month/day?). " + USE_ISO
    )


def _is_regular(values: pd.Series) -> bool:
    days = np.diff(np.sort(values.to_numpy(dtype="datetime64[D]")).astype(np.int64))
    return len(days) > 0 and np.isin(days, (1, 7)).mean() >= 0.9


def check_dates(name: str, dates: pd.Series, row_numbers: list[int], warnings: list[str]) -> str:
    """Check order, duplicates and spacing; return "daily" or "weekly" and add warnings for gaps."""
    duplicated = dates[dates.duplicated(keep=False)]
    if len(duplicated):
        day = duplicated.iloc[0]
        rows = [row_numbers[i] for i in duplicated.index if dates.iloc[i] == day]
        raise DataError(
            f"The date {day:%Y-%m-%d} appears more than once ({describe_rows(rows)}); there are "
            f"{duplicated.nunique()} repeated date(s) in all. Keep one row per day or week (sum repeated rows, "
            "e.g. per campaign or region, into one)."
        )
    if not dates.is_monotonic_increasing:
        warnings.append("The rows were not in date order; they have been sorted by date.")
    ordered = np.sort(dates.to_numpy(dtype="datetime64[D]"))
    steps = np.diff(ordered).astype(np.int64)
    if len(steps) == 0:
        return "daily"
    step = int(np.median(steps))
    if step not in (1, 7):
        raise DataError(
            f"The dates in {quote_value(name)} are typically {step} days apart. The dashboard models daily or "
            "weekly data: aggregate your data to days or weeks (one row each)."
        )
    _warn_gaps(ordered, steps, step, warnings)
    return "daily" if step == 1 else "weekly"


def _warn_gaps(ordered: np.ndarray, steps: np.ndarray, step: int, warnings: list[str]) -> None:
    unit = "day" if step == 1 else "week"
    odd = steps % step != 0
    if odd.any():
        warnings.append(
            f"Some dates are not a whole number of {unit}s apart (e.g. after {ordered[:-1][odd][0]}); "
            "check that every row starts on the same weekday."
        )
    missing = int((steps[~odd] // step - 1).sum())
    if missing > 0:
        first_gap = ordered[:-1][(steps > step) & ~odd][0] + np.timedelta64(step, "D")
        warnings.append(
            f"{missing} {unit}(s) are missing between the first and last date (the first gap starts "
            f"{first_gap}). Add rows with zero spend if nothing was spent; the models treat missing periods as absent."
        )


def period_unit(frequency) -> str:
    """What one row of data of ``frequency`` ("daily", "weekly") is called in words: "day", "week"; "period"
    when the frequency is unknown."""
    return {"daily": "day", "weekly": "week"}.get(str(frequency), "period")
