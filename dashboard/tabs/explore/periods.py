"""Which periods the Explore tab offers (the sums and means per period are the engine's: models.explore.per_period)."""

from __future__ import annotations

LABELS = {"day": "Daily", "week": "Weekly", "month": "Monthly"}
LONG_DAILY = 180  # daily data longer than this opens per week: 11 daily lines are unreadable


def period_options(frequency: str) -> list[dict]:
    """The periods a dataset can be shown in: daily data per day, week or month; weekly per week or month."""
    periods = ("day", "week", "month") if frequency == "daily" else ("week", "month")
    return [{"label": LABELS[p], "value": p} for p in periods]


def default_period(frequency: str, rows: int) -> str:
    """Per week for long daily data, else as read."""
    if frequency == "daily":
        return "week" if rows > LONG_DAILY else "day"
    return "week"
