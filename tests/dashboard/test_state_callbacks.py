"""One source of truth, called directly: role changes reach App.DATASET, a page load restores the session."""

import time

import cachelib.file
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from dashboard import create_app
from dashboard.callbacks.data import ingest, save_changed_roles, show_dataset
from dashboard.callbacks.models import fit_job
from dashboard.callbacks.plan import optimised_plan
from dashboard.callbacks.session import restored_state
from dashboard.datasets import load_dataset
from dashboard.fits import fit_summaries, load_fit
from dashboard.plans import FitKey, fitted_families, save_plan
from models.datasets import load_demo_bytes

RIDGE = ("geometric", "hill", "20")  # a small search keeps the fit to seconds


@pytest.fixture
def session(settings):
    app = create_app(settings)
    store = app.session_store
    token = store.new_session()
    ingest(store, store.session_id(token), load_demo_bytes(), "demo.csv", settings)
    yield app, store, token
    store.stop_sweeper()


def without(roles: dict, channel: str) -> dict:
    return {**roles, "channels": [c for c in roles["channels"] if c != channel]}


def test_role_change_returns_the_new_version_and_a_fit_after_it_is_found(session):
    _, store, token = session
    sid = store.session_id(token)
    before = load_dataset(store, sid)
    summary, message = save_changed_roles(store, token, without(before.roles, "other"))
    after = load_dataset(store, sid)
    assert summary == after.summary() and summary["version"] != before.version  # what App.DATASET receives
    assert "other" not in summary["roles"]["channels"] and "Roles saved." in str(message)

    result = fit_job(store, "ridge", token, 10, RIDGE, lambda _: None)
    assert result["version"] == summary["version"]  # the Models tab looks the fit up by App.DATASET's version
    assert load_fit(store, sid, "ridge", summary["version"]).meta["channels"] == summary["roles"]["channels"]
    assert [m["family"] for m in fit_summaries(store, sid, summary["version"])] == ["ridge"]  # leaderboard
    assert list(fitted_families(store, sid, summary["version"])) == ["ridge"]  # the Plan tab's list

    # the pickers refilled from App.DATASET send the same roles back: nothing is saved, nothing loops
    assert save_changed_roles(store, token, after.roles) == (no_update, None)
    assert load_dataset(store, sid).version == after.version


def test_invalid_roles_and_sessions_change_nothing(session):
    _, store, token = session
    sid = store.session_id(token)
    dataset = load_dataset(store, sid)
    twice = {**dataset.roles, "controls": [*dataset.roles["controls"], dataset.roles["channels"][0]]}
    summary, message = save_changed_roles(store, token, twice)
    assert summary is no_update and "two roles" in str(message)
    summary, message = save_changed_roles(store, "forged", dataset.roles)
    assert summary is no_update and "not valid" in str(message)
    with pytest.raises(PreventUpdate):
        save_changed_roles(store, token, {**dataset.roles, "target": None})
    assert load_dataset(store, sid).version == dataset.version


def test_page_load_restores_data_fits_and_the_last_plan(session):
    app, store, token = session
    sid = store.session_id(token)
    dataset = load_dataset(store, sid)
    assert restored_state(store, token, None) == (no_update, dataset.summary(), None)  # data, no plan yet

    fit_job(store, "ridge", token, 10, RIDGE, lambda _: None)
    key = FitKey(sid, "ridge", dataset.version, fitted_families(store, sid, dataset.version)["ridge"]["stamp"])
    form = {
        "periods": 28,
        "budget": 100_000,
        "objective": "revenue",
        "min_roas": None,
        "unit": "absolute",
        "channels": [],
        "spend": [],
        "locks": [],
        "minimums": [],
        "maximums": [],
    }
    reference = save_plan(store, sid, optimised_plan(app.plan_cache, key, "Ridge", form))
    token_out, summary, plan = restored_state(store, token, None)
    assert token_out is no_update and summary == dataset.summary() and plan == reference
    assert restored_state(store, token, summary) == (no_update,) * 3  # the page shows it already

    changed, _ = save_changed_roles(store, token, without(dataset.roles, "other"))
    assert restored_state(store, token, summary) == (no_update, changed, None)  # the plan of old data is gone
    assert "plan" not in store.names(sid) and not fit_summaries(store, sid, changed["version"])


def test_cleared_or_expired_session_restores_the_empty_state(session, monkeypatch):
    _, store, token = session
    sid = store.session_id(token)
    now = time.time()
    monkeypatch.setattr(cachelib.file, "time", lambda: now + store.ttl + 60)  # the idle TTL has passed
    assert restored_state(store, token, None) == (no_update, None, None)
    monkeypatch.undo()
    assert load_dataset(store, sid) is not None
    store.clear(sid)
    assert restored_state(store, token, {"version": "shown before"}) == (no_update, None, None)
    assert "No data yet" in str(show_dataset(None)[0])


def test_a_token_this_server_did_not_issue_gets_a_new_empty_session(session):
    _, store, _ = session
    for token in ("forged", None):
        new, summary, plan = restored_state(store, token, None)
        assert store.session_id(new) and summary is None and plan is None
        assert store.names(store.session_id(new)) == set()
