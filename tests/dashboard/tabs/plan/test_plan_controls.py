"""The Plan tab's spend controls on data with a flighted channel: one that runs in bursts and spent nothing in
the recent window starts its what-if at 0, and the page says so instead of planning without it in silence."""

import pytest

import models
from dashboard.tabs.plan.controls import kept_controls
from models.data import read_upload
from models.datasets import load_demo_bytes


@pytest.fixture(scope="module")
def paused_youtube():
    upload = read_upload(load_demo_bytes(), "demo.csv")
    frame = upload.frame.copy()
    frame.loc[frame.index[-40:], "youtube"] = 0.0  # a burst that ended before the last 28 days
    return models.fit("ridge", frame, upload.roles, random_state=0)


def test_a_channel_dark_in_the_recent_window_is_named_with_what_it_spent_before(paused_youtube):
    rows, bounds, spend, note = kept_controls(paused_youtube, None)
    assert spend["youtube"] == 0
    text = str(note)
    assert "youtube spent nothing in the last 28 days, so its what-if starts at 0" in text
    most = paused_youtube.spend_range().set_index("channel").loc["youtube", "max"]
    assert f"up to {most:,.0f} per day before" in text
    assert "google spent nothing" not in text  # channels with recent spend are not named
    # once the user has set its spend, the page has nothing to warn about
    values = {"ids": [{"channel": c} for c in spend], "spend": [v or 500.0 for v in spend.values()]}
    values |= {"locks": [False] * len(spend), "minimums": [None] * len(spend), "maximums": [None] * len(spend)}
    assert "spent nothing" not in str(kept_controls(paused_youtube, values, start=spend)[3])
