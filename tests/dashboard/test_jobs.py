"""Fit slots: one fit per session, a few per server (the rest queued), freed when a job ends or dies."""

import struct
import threading
import time

import pytest
from dash.exceptions import PreventUpdate

from dashboard.ids import Models
from dashboard.jobs import Busy, FitSlots
from dashboard.session import CLEAR_ROUTE
from dashboard.tabs.models.callbacks import (
    DELIVERED_WITHIN,
    LOST_AFTER,
    QUEUE_PATIENCE,
    cancelled,
    check_fit_alive,
    follow_fit,
)
from dashboard.tabs.models.fits import RUNNING, STALE_AFTER, Heartbeat, mark_started, running_fits
from dashboard.tabs.models.job import CLEARED, fit_job
from tests.dashboard.helpers import RIDGE, FakeClock, in_callback


@pytest.fixture
def slots(app):
    store = app.session_store
    store.clock = FakeClock()
    return FitSlots(store, capacity=2, stale_after=STALE_AFTER)


def sessions(store, n: int) -> list[str]:
    return [store.session_id(store.new_session()) for _ in range(n)]


def test_one_fit_per_session_and_a_second_is_refused_by_name(slots):
    (sid,) = sessions(slots.store, 1)
    slots.claim_session(sid, "ridge", "job-1")
    with pytest.raises(Busy) as busy:
        slots.claim_session(sid, "lightgbm", "job-2")
    assert busy.value.family == "ridge"
    slots.claim_session(sid, "ridge", "job-1")  # the holder may claim again (its heartbeat)
    slots.release(sid, "job-1", None)
    slots.claim_session(sid, "lightgbm", "job-2")


def test_the_server_runs_capacity_fits_and_frees_a_dead_jobs_slot_when_it_goes_stale(slots):
    assert [slots.claim_server("ridge", f"job-{i}") for i in range(3)] == [0, 1, None]
    assert slots.running() == 2
    slots.release("any", "job-0", 0)
    assert slots.claim_server("ridge", "job-2") == 0
    slots.refresh("sid", "ridge", "job-2", 0)  # job-2 beats, job-1 died without a word
    slots.store.clock.advance(STALE_AFTER / 2 + 1)
    slots.refresh("sid", "ridge", "job-2", 0)
    slots.store.clock.advance(STALE_AFTER / 2 + 1)
    assert slots.claim_server("ridge", "job-3") == 1  # job-1's claim went stale
    assert slots.claim_server("ridge", "job-4") is None  # job-2 kept its slot by beating


def test_a_queued_fit_waits_with_its_place_shown_then_runs(slots):
    (sid,) = sessions(slots.store, 1)
    slots.claim_server("other", "job-a")
    slots.claim_server("other", "job-b")
    said, got = [], []

    def queued(n):
        said.append(n)
        if len(said) == 2:
            slots.release("any", "job-a", 0)  # a running fit ends

    waiter = threading.Thread(
        target=lambda: got.append(slots.wait_for_server(sid, "ridge", "job-c", queued, poll=0.01))
    )
    waiter.start()
    waiter.join(timeout=10)
    assert got == [0] and said == [2, 2]


def test_a_replayed_fit_of_a_busy_session_is_refused_in_words(demo):
    _, store, token = demo
    sid = store.session_id(token)
    slots = FitSlots(store, capacity=2, stale_after=STALE_AFTER)
    slots.claim_session(sid, "lightgbm", "running-job")
    result = fit_job(store, "ridge", token, 10, RIDGE, print, slots=slots)
    assert result["error"].startswith("A LightGBM fit is already running for your data")
    assert slots.running() == 0  # refused before it took a server slot


def test_cancel_frees_the_session_at_once(demo):
    _, store, token = demo
    sid = store.session_id(token)
    slots = FitSlots(store, capacity=1, stale_after=STALE_AFTER)
    slots.claim_session(sid, "ridge", "killed-job")
    slots.claim_server("ridge", "killed-job")
    with Heartbeat(store, sid, "ridge"):
        pass  # the killed job's last mark stays behind
    assert running_fits(store, sid) == ["ridge"]
    _, props = in_callback(cancelled, store, slots, "ridge", 1, token)
    assert running_fits(store, sid) == [] and slots.running() == 0
    assert props[Models.progress("ridge")]["label"].startswith("Cancelled")  # the bar says so
    slots.claim_session(sid, "ridge", "new-job")  # a new fit may start now
    assert in_callback(cancelled, store, slots, "ridge", 1, "forged")[1] == {}  # a forged token changes nothing


def on_a_fake_clock(demo, capacity: int = 2) -> tuple:
    """(store, token, sid, clock, slots) for the demo session, its store on a fake clock."""
    _, store, token = demo
    store.clock = FakeClock()
    return store, token, store.session_id(token), store.clock, FitSlots(store, capacity, stale_after=STALE_AFTER)


def one_fit_ended(store, sid, clock, click: int = 1) -> None:
    """A ridge job sent by the page's ``click`` of Fit started, ran 3 s and ended."""
    mark_started(store, sid, "ridge", click=click)
    clock.advance(3)
    Heartbeat(store, sid, "ridge", click=click).finished()


def test_a_fit_whose_job_died_is_reported_and_fit_re_enabled(demo, caplog):
    store, token, sid, clock, slots = on_a_fake_clock(demo)
    followed, pulse_off = follow_fit(store, "ridge", 1, None, 2, None)  # every family's Fit clicks
    assert followed == {"family": "ridge", "since": clock(), "click": 1} and pulse_off is False
    assert follow_fit(store, "xgboost", 1, None, 2, None)[0]["click"] == 2
    assert follow_fit(store, None, 1, None, 2, None) == (None, True)

    with pytest.raises(PreventUpdate):  # just started: the job may still be forking or waiting for a worker
        check_fit_alive(store, slots, 1, followed, token)
    slots.claim_session(sid, "ridge", "job")
    mark_started(store, sid, "ridge")
    with Heartbeat(store, sid, "ridge"):
        clock.advance(LOST_AFTER + 1)
        slots.refresh(sid, "ridge", "job", None)
        with pytest.raises(PreventUpdate):  # alive: it beats
            check_fit_alive(store, slots, 2, followed, token)
    clock.advance(STALE_AFTER + 1)  # then it died: no more beats, no "ended" mark
    (running, pulse_off), props = in_callback(check_fit_alive, store, slots, 3, followed, token)
    assert running is None and pulse_off is True
    assert props[Models.fit_button("ridge")] == {"disabled": False}
    assert props[Models.cancel_button("ridge")] == {"disabled": True}
    assert "lost" in props[Models.progress("ridge")]["label"]
    assert "Press Fit to run it again" in props[Models.stage_store("ridge")]["data"]["error"]
    assert slots.session_holder(sid) is None  # a new fit may start
    (logged,) = [r.getMessage() for r in caplog.records if "called lost" in r.getMessage()]
    assert "click 1" in logged and "'started': {'beat'" in logged and sid not in logged  # for the operator


def followed_fit(demo) -> tuple:
    """(store, token, sid, clock, slots, the pulse's record) for a ridge fit the page has followed for just
    longer than LOST_AFTER seconds, on a fake clock."""
    store, token, sid, clock, slots = on_a_fake_clock(demo)
    followed, _ = follow_fit(store, "ridge")
    clock.advance(LOST_AFTER + 1)
    return store, token, sid, clock, slots, followed


def test_a_fit_waiting_for_a_free_worker_is_not_taken_for_lost(demo):
    """Sent to a busy Celery worker, the task waits in Redis: no heartbeat, no slot, but not lost. It says it
    waits, until QUEUE_PATIENCE without a start calls it lost (no worker at all)."""
    store, token, _sid, clock, slots, followed = followed_fit(demo)
    clock.advance(59)
    with pytest.raises(PreventUpdate):
        in_callback(check_fit_alive, store, slots, 1, followed, token)
    clock.advance(QUEUE_PATIENCE)
    (running, pulse_off), props = in_callback(check_fit_alive, store, slots, 2, followed, token)
    assert running is None and pulse_off and "no worker running" in props[Models.stage_store("ridge")]["data"]["error"]


def test_a_fit_that_ended_normally_is_not_taken_for_lost(demo):
    store, token, sid, clock, slots, followed = followed_fit(demo)
    with Heartbeat(store, sid, "ridge") as heartbeat:
        pass
    heartbeat.finished()  # the job ended; the page has not yet heard its result
    with pytest.raises(PreventUpdate):
        check_fit_alive(store, slots, 1, followed, token)
    clock.advance(DELIVERED_WITHIN - 1)
    with pytest.raises(PreventUpdate):  # its answer may still be on its way
        check_fit_alive(store, slots, 2, followed, token)


def test_a_fit_that_ended_while_the_web_restarted_is_shown(demo):
    """The job ended and saved its fit, but the page's wait for its answer died with the web process: after
    DELIVERED_WITHIN seconds the pulse ends the running state and asks for the saved fit to be shown."""
    store, token, sid, clock, slots, followed = followed_fit(demo)
    Heartbeat(store, sid, "ridge").finished()
    clock.advance(DELIVERED_WITHIN + 1)
    (running, pulse_off), props = in_callback(check_fit_alive, store, slots, 1, followed, token)
    assert running is None and pulse_off is True
    assert props[Models.fit_button("ridge")] == {"disabled": False}
    assert props[Models.progress("ridge")]["value"] == 100 and "Done" in props[Models.progress("ridge")]["label"]
    assert "error" not in props[Models.stage_store("ridge")]["data"]


def test_a_refit_waiting_for_a_busy_worker_is_not_taken_for_the_fit_before_it(demo):
    """Fit pressed again a few seconds after a fit ended, while the Celery worker runs other sessions' fits:
    the earlier job's marks (started and ended moments ago) are not the new job's, which waits, not lost."""
    store, token, sid, clock, slots = on_a_fake_clock(demo)
    one_fit_ended(store, sid, clock)  # the first fit ended, and its page heard it
    clock.advance(5)
    followed, _ = follow_fit(store, "ridge", 2, None, None, None)  # the second click; its task waits in Redis
    for tick, wait in enumerate([LOST_AFTER + 1, 60, 120]):
        clock.advance(wait)
        with pytest.raises(PreventUpdate):  # waiting (the bar says so), never "lost"
            in_callback(check_fit_alive, store, slots, tick, followed, token)


def test_a_fit_that_ended_before_its_page_noted_the_start_is_not_taken_for_lost(demo):
    """A loaded server: the fit ran and ended before the page's request that notes its start was served
    (``since`` after the job's end). Its marks carry the click that sent it, so the pulse knows it ended."""
    store, token, sid, clock, slots = on_a_fake_clock(demo)
    one_fit_ended(store, sid, clock)
    clock.advance(2)
    followed, _ = follow_fit(store, "ridge", 1, None, None, None)
    clock.advance(LOST_AFTER + 1)
    with pytest.raises(PreventUpdate):  # ended a moment ago: its answer is on its way
        check_fit_alive(store, slots, 1, followed, token)
    clock.advance(DELIVERED_WITHIN)
    (running, pulse_off), props = in_callback(check_fit_alive, store, slots, 2, followed, token)
    assert running is None and pulse_off is True
    assert "Done" in props[Models.progress("ridge")]["label"]
    assert "error" not in props[Models.stage_store("ridge")]["data"]


def test_an_ended_mark_lasts_as_long_as_the_session(demo):
    """A hidden tab's timers run about once a minute: its pulse may look minutes after the fit ended, and must
    still find that it ended rather than call it lost (the mark used to expire after two minutes)."""
    _, store, token = demo
    sid = store.session_id(token)
    Heartbeat(store, sid, "ridge", click=1).finished()
    backend = store.cache.cache
    with open(backend._get_filename(store._key(sid, RUNNING + "ridge")), "rb") as handle:  # cachelib: expiry first
        expires = struct.unpack("I", handle.read(4))[0]
    assert expires >= time.time() + store.ttl - 5


def test_a_queued_fit_is_alive(demo):
    store, token, sid, clock, slots = on_a_fake_clock(demo, capacity=1)
    followed, _ = follow_fit(store, "xgboost")
    clock.advance(LOST_AFTER + 1)
    slots.claim_session(sid, "xgboost", "queued-job")  # waiting for a server slot refreshes this claim
    with pytest.raises(PreventUpdate):
        check_fit_alive(store, slots, 1, followed, token)


def test_the_dataset_name_the_fit_watches_is_the_one_the_data_tab_stores():
    from dashboard.tabs.data import state
    from dashboard.tabs.models import fits

    assert fits.DATASET == state.DATASET


def test_clear_during_a_fit_stops_it_and_nothing_is_saved(demo):
    _, store, token = demo
    sid = store.session_id(token)
    cleared = []

    def progress(update):  # the user clicks "Clear my data" while the fit runs
        if not cleared:
            cleared.append(update)
            store.clear(sid)

    result = fit_job(store, "ridge", token, 10, RIDGE, progress)
    assert result == {"error": CLEARED}
    assert store.names(sid) == set()  # no fit written after the data went


def test_the_clear_route_deletes_at_once_and_ignores_unknown_tokens(demo, app):
    _, store, token = demo
    sid = store.session_id(token)
    client = app.server.test_client()
    assert client.post(CLEAR_ROUTE, json={"token": "forged"}).status_code == 204
    assert client.post(CLEAR_ROUTE, data="not json").status_code == 204
    assert store.names(sid)  # nothing cleared by those
    assert client.post(CLEAR_ROUTE, json={"token": token}).status_code == 204
    assert store.names(sid) == set()
