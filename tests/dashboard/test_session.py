"""A page load restores what the session holds: data, roles, fits (through App.DATASET), the last plan, and a
watch on a fit that still runs."""

from dash import no_update

from dashboard.session import check_expiry, idle_text, restore
from dashboard.tabs.data.callbacks import change_roles
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.fits import Heartbeat, fit_summaries
from dashboard.tabs.models.job import fit_job
from dashboard.tabs.plan.optimise import optimised_plan
from dashboard.tabs.plan.state import FitKey, fitted_families, save_plan
from tests.dashboard.helpers import RIDGE, FakeClock

FORM = {
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


def test_page_load_restores_data_fits_and_the_last_plan(demo):
    app, store, token = demo
    sid = store.session_id(token)
    dataset = load_dataset(store, sid)
    assert restore(store, token, None) == (no_update, dataset.summary(), None, True)  # data, no plan, no fit runs

    fit_job(store, "ridge", token, 10, RIDGE, lambda _: None)
    key = FitKey(sid, "ridge", dataset.version, fitted_families(store, sid, dataset.version)["ridge"]["stamp"])
    reference = save_plan(store, sid, optimised_plan(app.plan_cache, key, "Ridge", FORM))
    token_out, summary, plan, stop_watching = restore(store, token, None)
    assert token_out is no_update and summary == dataset.summary() and plan == reference and stop_watching
    assert restore(store, token, summary) == (no_update,) * 3 + (True,)  # the page shows it already

    roles = dataset.roles
    changed, _ = change_roles(store, roles["target"], roles["channels"][:-1], roles["controls"], roles["date"], token)
    assert restore(store, token, summary) == (no_update, changed, None, True)  # the plan of old data is gone
    assert "plan" not in store.names(sid) and not fit_summaries(store, sid, changed["version"])


def test_a_page_loaded_while_a_fit_runs_watches_for_it(demo):
    _, store, token = demo
    with Heartbeat(store, store.session_id(token), "ridge"):
        assert restore(store, token, None)[3] is False  # poll until the fit is done (see watch_fits)


def test_cleared_or_expired_session_restores_the_empty_state(demo):
    _, store, token = demo
    sid = store.session_id(token)
    clock = FakeClock()
    store.clock = clock
    clock.advance(store.ttl + 60)  # idle past the TTL
    assert restore(store, token, None) == (no_update, None, None, True)
    assert load_dataset(store, sid) is None and store.names(sid) == set()
    store.clear(sid)
    assert restore(store, token, {"version": "shown before"}) == (no_update, None, None, True)


def test_a_token_this_server_did_not_issue_gets_a_new_empty_session(app):
    store = app.session_store
    for token in ("forged", None):
        new, summary, plan, stop_watching = restore(store, token, None)
        assert store.session_id(new) and summary is None and plan is None and stop_watching
        assert store.names(store.session_id(new)) == set()


def test_a_page_whose_data_expired_says_so_and_empties_the_panel(demo):
    _, store, token = demo
    shown = load_dataset(store, store.session_id(token)).summary()
    assert check_expiry(store, 1, token, shown) == (no_update, no_update, no_update)  # the data are there
    assert check_expiry(store, 1, token, None) == (no_update, no_update, no_update)  # nothing shown: nothing to say
    clock = FakeClock()
    store.clock = clock
    clock.advance(store.ttl - 30)
    assert check_expiry(store, 1, token, shown) == (no_update, no_update, no_update)
    clock.advance(31)  # asking did not keep the session alive
    summary, alert, _notice = check_expiry(store, 2, token, shown)
    assert summary is None and "no longer on the server" in str(alert) and idle_text(store.ttl) in str(alert)
    assert store.names(store.session_id(token)) == set()
    assert check_expiry(store, 3, "forged", shown)[0] is None


def test_the_idle_time_in_words():
    assert [idle_text(s) for s in (7200, 3600, 1800, 60, 45, 90)] == [
        "2 hours",
        "1 hour",
        "30 minutes",
        "1 minute",
        "45 seconds",
        "90 seconds",
    ]


def test_the_store_notice_goes_once_the_store_answers(demo):
    _, store, token = demo
    shown = load_dataset(store, store.session_id(token)).summary()
    assert check_expiry(store, 1, token, shown, "The dashboard cannot reach its data store") == (no_update,) * 2 + (
        None,
    )
    assert check_expiry(store, 1, token, None, "Something went wrong")[2] is None
