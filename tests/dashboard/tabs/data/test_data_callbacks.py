"""The data panel's callbacks called directly: upload, demo, clear, the summary and role corrections."""

import base64

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from dashboard.ids import Data
from dashboard.tabs.data.callbacks import (
    change_data,
    change_roles,
    decode_payload,
    ingest,
    show_dataset,
    unused_columns,
)
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.fits import fit_summaries, load_fit
from dashboard.tabs.models.job import fit_job
from dashboard.tabs.plan.state import fitted_families
from models.datasets import load_demo_bytes
from tests.dashboard.helpers import RIDGE, triggered


def payload(content: bytes, filename: str) -> dict:
    """What the browser's size check sends on for a file within the limit."""
    return {"filename": filename, "contents": "data:text/csv;base64," + base64.b64encode(content).decode()}


def roles_of(roles: dict) -> tuple:
    """change_roles' arguments from a roles dict: target, channels, controls, date."""
    return roles["target"], roles["channels"], roles["controls"], roles["date"]


def without(roles: dict, channel: str) -> dict:
    return {**roles, "channels": [c for c in roles["channels"] if c != channel]}


def test_demo_upload_and_clear_replace_the_sessions_data(app, settings):
    store = app.session_store
    token = store.new_session()
    sid = store.session_id(token)
    summary, message, upload, new_token = triggered(Data.DEMO, change_data, store, settings, None, 1, None, token)
    assert summary["rows"] == 1096 and "demo_daily.csv" in str(message) and new_token is no_update
    assert load_dataset(store, sid).version == summary["version"]

    small = load_demo_bytes().splitlines()[:101]
    uploaded = triggered(
        Data.PAYLOAD, change_data, store, settings, payload(b"\n".join(small), "shop.csv"), 1, None, token, prop="data"
    )
    assert uploaded[0]["rows"] == 100 and uploaded[0]["filename"] == "shop.csv" and upload is None

    cleared = triggered(Data.CLEAR, change_data, store, settings, None, 1, 1, token)
    assert cleared[0] is None and "deleted" in str(cleared[1]) and store.names(sid) == set()


def test_a_token_this_server_did_not_issue_gets_a_fresh_session(app, settings):
    store = app.session_store
    summary, _, _, new_token = triggered(Data.DEMO, change_data, store, settings, None, 1, None, "forged")
    assert load_dataset(store, store.session_id(new_token)).version == summary["version"]


def test_rejected_upload_leaves_the_previous_dataset_untouched(demo, settings):
    _, store, token = demo
    sid = store.session_id(token)
    before = load_dataset(store, sid)
    result, message, _ = ingest(store, sid, b"date,revenue\n2024-01-01,abc\n", "bad.csv", settings)
    assert result is no_update and "bad.csv" in str(message)
    after = load_dataset(store, sid)
    assert after.version == before.version and after.frame.equals(before.frame)


def test_oversized_or_mangled_uploads_get_a_message(app, settings):
    store = app.session_store
    sid = store.session_id(store.new_session())
    _, message, _ = ingest(store, sid, None, "huge.csv", settings)
    assert "limit" in str(message) and load_dataset(store, sid) is None
    assert decode_payload({"filename": "huge.csv", "size": 10**9}) == (None, "huge.csv")
    assert decode_payload({"filename": "x.csv", "contents": "no comma"}) == (b"", "x.csv")
    with pytest.raises(PreventUpdate):
        decode_payload(None)


def test_summary_fills_the_pickers_and_names_unused_columns(demo):
    _, store, token = demo
    summary = load_dataset(store, store.session_id(token)).summary()
    view, date_options, date, *pickers = show_dataset(summary)
    assert "What was read" in str(view) and date_options == ["date"] and date == "date"
    assert pickers[1] == "revenue" and pickers[3] == summary["roles"]["channels"]
    assert "No data yet" in str(show_dataset(None)[0])
    roles = summary["roles"]
    assert unused_columns(summary, roles["target"], roles["channels"], roles["controls"]) == "Every column has a role."
    assert unused_columns(summary, roles["target"], roles["channels"][1:], []).startswith("Not used: ")
    assert unused_columns(None) == ""


def test_role_change_returns_the_new_version_and_a_fit_after_it_is_found(demo):
    _, store, token = demo
    sid = store.session_id(token)
    before = load_dataset(store, sid)
    summary, message = change_roles(store, *roles_of(without(before.roles, "other")), token)
    after = load_dataset(store, sid)
    assert summary == after.summary() and summary["version"] != before.version  # what App.DATASET receives
    assert "other" not in summary["roles"]["channels"] and "Roles saved." in str(message)

    result = fit_job(store, "ridge", token, 10, RIDGE, lambda _: None)
    assert result["version"] == summary["version"]  # the Models tab looks the fit up by App.DATASET's version
    assert load_fit(store, sid, "ridge", summary["version"]).meta["channels"] == summary["roles"]["channels"]
    assert [m["family"] for m in fit_summaries(store, sid, summary["version"])] == ["ridge"]  # leaderboard
    assert list(fitted_families(store, sid, summary["version"])) == ["ridge"]  # the Plan tab's list

    # the pickers refilled from App.DATASET send the same roles back: nothing is saved, nothing loops
    assert change_roles(store, *roles_of(after.roles), token) == (no_update, None)
    assert load_dataset(store, sid).version == after.version


def test_invalid_roles_and_sessions_change_nothing(demo):
    _, store, token = demo
    sid = store.session_id(token)
    dataset = load_dataset(store, sid)
    twice = {**dataset.roles, "controls": [*dataset.roles["controls"], dataset.roles["channels"][0]]}
    summary, message = change_roles(store, *roles_of(twice), token)
    assert summary is no_update and "two roles" in str(message)
    summary, message = change_roles(store, *roles_of(dataset.roles), "forged")
    assert summary is no_update and "not valid" in str(message)
    with pytest.raises(PreventUpdate):
        change_roles(store, *roles_of({**dataset.roles, "target": None}), token)
    assert load_dataset(store, sid).version == dataset.version


@pytest.mark.parametrize("name", ["spend.csv.exe", "spend\u202ecsv.exe", "spend.csv\x00.exe"])
def test_uploads_named_like_programs_are_refused_and_shown_safely(app, settings, name):
    store = app.session_store
    token = store.new_session()
    sid = store.session_id(token)
    content = b"\n".join(load_demo_bytes().splitlines()[:101])
    summary, message, _, _ = triggered(
        Data.PAYLOAD, change_data, store, settings, payload(content, name), 1, None, token, prop="data"
    )
    shown = str(message)
    assert summary is no_update and load_dataset(store, sid) is None  # nothing stored
    assert ".xlsx" in shown and "\u202e" not in shown and "\x00" not in shown
