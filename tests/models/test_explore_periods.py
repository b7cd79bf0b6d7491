"""Series per week or month: flows summed, levels averaged, half periods at the edges dropped."""

import numpy as np
import pandas as pd

from models.explore import per_period


def test_flows_are_summed_levels_averaged_and_partial_edges_dropped():
    frame = pd.DataFrame({"date": pd.date_range("2024-01-03", periods=40, freq="D"), "spend": 1.0})
    frame["price"] = np.arange(40.0)
    weekly = per_period(frame.sample(frac=1.0, random_state=0), "date", "week", ["spend"], ["price"])
    assert list(weekly["date"].dt.day_of_week.unique()) == [0]  # weeks start on Monday
    assert weekly["date"].iloc[0] == pd.Timestamp("2024-01-08")  # Wed-Sun (5 days) would be a false dip
    assert (weekly["spend"] == 7.0).all() and weekly["price"].iloc[0] == 8.0  # mean of days 5..11
    daily = per_period(frame, "date", "day", ["spend"])
    assert len(daily) == 40


def test_a_period_without_values_stays_empty():
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=28, freq="D"), "spend": 1.0})
    frame.loc[7:13, "spend"] = np.nan
    weekly = per_period(frame, "date", "week", ["spend"])
    assert weekly["spend"].isna().tolist() == [False, True, False, False]


def test_months_of_weekly_data_share_each_week_by_its_days():
    """A steady 700 a week is 3,100 in January and 2,800 in February, not 3,500 and 2,800 for holding 5 and 4
    Mondays: each week is spread over its seven days before the months are summed."""
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=24, freq="W-MON"), "revenue": 700.0})
    frame["price"] = 10.0
    monthly = per_period(frame, "date", "month", ["revenue"], ["price"]).set_index("date")
    assert monthly.loc["2024-01-01", "revenue"] == 3100.0 and monthly.loc["2024-02-01", "revenue"] == 2900.0
    assert (monthly["revenue"] / monthly.index.days_in_month == 100.0).all() and (monthly["price"] == 10.0).all()
    assert monthly.index[-1] == pd.Timestamp("2024-05-01")  # the last week ends on 16 June: a partial month
    weekly = per_period(frame, "date", "week", ["revenue"])
    assert (weekly["revenue"] == 700.0).all() and len(weekly) == 24  # weeks of weekly data stay as they are
