"""The session store: isolation between sessions, signed ids, bytes only, real deletion, an idle TTL on an
injected clock (the tests move it instead of waiting)."""

import json
import pickle
import struct
import time
from pathlib import Path

import pytest
from dash.testing.wait import until
from flask import Flask
from flask_caching import Cache

from dashboard import cache_config
from dashboard.settings import make_private_dir
from dashboard.store import InvalidSession, SessionStore
from tests.dashboard.helpers import FakeClock

MARKER = b"SECRET-REVENUE-1234567"


def make_store(settings, ttl=3600, clock=None):
    make_private_dir(settings.cache_dir)
    cache = Cache(config=cache_config(settings))
    cache.init_app(Flask(__name__))
    return SessionStore(cache, settings.secret_key, ttl, **({"clock": clock} if clock else {}))


def files_holding(directory: Path, needle: bytes) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_two_sessions_never_see_each_others_data(settings):
    store = make_store(settings)
    alice, bob = (store.session_id(store.new_session()) for _ in range(2))
    assert alice != bob
    store.put(alice, "dataset", b"alice " + MARKER)
    assert store.get(alice, "dataset") == b"alice " + MARKER
    assert store.get(bob, "dataset") is None
    store.put(bob, "dataset", b"bob")
    assert store.get(alice, "dataset") == b"alice " + MARKER


def test_session_ids_are_signed_random_and_validated(settings):
    store = make_store(settings)
    token = store.new_session()
    sid = store.session_id(token)
    assert len(sid) == 22  # 16 random bytes, base64url: 128 bits
    other = make_store(settings.__class__(data_dir=settings.data_dir, secret_key="another-secret"))
    for forged in [sid, token[:-2] + "xx", "../../etc/passwd", None, 42, "a" * 500, other.new_session()]:
        with pytest.raises(InvalidSession):
            store.session_id(forged)


def test_store_keeps_bytes_only_and_never_unpickles(settings, tmp_path):
    store = make_store(settings)
    sid = store.session_id(store.new_session())
    with pytest.raises(TypeError):
        store.put(sid, "dataset", {"not": "bytes"})
    flag = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (flag,))

    # An attacker who could write to the cache gets raw bytes back, never code execution.
    store.cache.set(store._key(sid, "dataset"), pickle.dumps(Evil()))
    assert store.get(sid, "dataset") == pickle.dumps(Evil())
    assert not flag.exists()


def test_clear_deletes_files_at_once(settings):
    store = make_store(settings)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    store.put(sid, "fit", MARKER + b"-fit")
    assert files_holding(settings.cache_dir, MARKER)
    store.clear(sid)
    assert store.get(sid, "dataset") is None
    assert files_holding(settings.cache_dir, MARKER) == []
    assert list(settings.cache_dir.iterdir()) == []


def test_clear_deletes_the_tickets_its_background_jobs_were_given(settings):
    """A ticket stands for the session's token in a job's message; Clear deletes them all, another session's
    stay, and a job that arrives after Clear (a redelivered task) finds no session."""
    store = make_store(settings)
    token, other = store.new_session(), store.new_session()
    sid = store.session_id(token)
    tickets = [store.issue_ticket(token) for _ in range(3)]
    kept = store.issue_ticket(other)
    assert {store.session_or_none(t) for t in tickets} == {sid}
    store.clear(sid)
    assert [store.session_or_none(t) for t in tickets] == [None, None, None]
    assert store.session_or_none(kept) == store.session_id(other)
    assert files_holding(settings.cache_dir, token.encode()) == []  # no file holds the cleared session's token


def test_a_session_idle_past_the_ttl_is_gone_at_once(settings):
    clock = FakeClock()
    store = make_store(settings, ttl=60, clock=clock)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    clock.advance(59)
    assert store.get(sid, "dataset") == MARKER  # not idle long enough
    clock.advance(61)
    assert store.get(sid, "dataset") is None and store.names(sid) == set()
    assert files_holding(settings.cache_dir, MARKER) == []  # deleted when seen, not only hidden
    assert list(settings.cache_dir.iterdir()) == []


def test_sweep_deletes_sessions_nobody_reads_again(settings):
    clock = FakeClock()
    store = make_store(settings, ttl=60, clock=clock)
    store.put(store.session_id(store.new_session()), "dataset", MARKER)
    store.sweep()
    assert files_holding(settings.cache_dir, MARKER)  # still live
    clock.advance(61)
    store.sweep()
    assert list(settings.cache_dir.iterdir()) == []


def test_sweeper_thread_deletes_without_any_request(settings):
    clock = FakeClock()
    store = make_store(settings, ttl=60, clock=clock)
    store.put(store.session_id(store.new_session()), "dataset", MARKER)
    clock.advance(61)
    store.start_sweeper(interval=0.05)
    try:
        until(lambda: not files_holding(settings.cache_dir, MARKER), timeout=5)
    finally:
        store.stop_sweeper()


def test_cache_directory_is_private(settings):
    store = make_store(settings)
    store.put(store.session_id(store.new_session()), "dataset", MARKER)
    assert settings.cache_dir.stat().st_mode & 0o077 == 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in settings.cache_dir.iterdir())


def test_redis_url_switches_to_redis_cache(settings):
    redis_settings = settings.__class__(
        data_dir=settings.data_dir, secret_key="s", redis_url="redis://127.0.0.1:6390/0"
    )
    config = cache_config(redis_settings)
    assert config["CACHE_TYPE"] == "RedisCache" and config["CACHE_REDIS_URL"] == "redis://127.0.0.1:6390/0"
    cache = Cache(config=config)
    cache.init_app(Flask(__name__))
    SessionStore(cache, "s", 60)
    assert type(cache.cache).__name__ == "RedisCache"


def test_idle_ttl_restarts_while_the_session_is_used(settings):
    clock = FakeClock()
    store = make_store(settings, ttl=100, clock=clock)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    for _ in range(4):  # used every 70 s for 280 s: longer than the TTL, never idle that long
        clock.advance(70)
        assert store.get(sid, "dataset") == MARKER
    clock.advance(101)
    assert store.get(sid, "dataset") is None


def test_transient_blobs_stay_out_of_the_index_and_the_guard_returns_none(settings):
    store = make_store(settings)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    store.put_transient(sid, "running:ridge", b"beat", timeout=30)
    assert store.get(sid, "running:ridge") == b"beat" and store.names(sid) == {"dataset"}
    store.delete(sid, "running:ridge")
    assert store.get(sid, "running:ridge") is None and store.names(sid) == {"dataset"}
    assert store.session_or_none("forged") is None and store.session_or_none(store.new_session())


def expiry_of(settings, store, sid, name) -> int:
    """The moment the file backend deletes one blob (cachelib's 4-byte header)."""
    path = store.cache.cache._get_filename(store._key(sid, name))
    with open(path, "rb") as handle:
        return struct.unpack("I", handle.read(4))[0]


def test_every_blob_of_a_session_expires_at_the_same_moment(settings):
    """One TTL for everything a session owns: a fit saved after the data must not outlive it."""
    store = make_store(settings, ttl=600)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    time.sleep(2.2)
    store.put(sid, "fit:ridge", MARKER + b"-fit")
    moments = {expiry_of(settings, store, sid, name) for name in ("dataset", "fit:ridge", "index")}
    assert max(moments) - min(moments) <= 1, moments


def test_a_running_fit_keeps_the_whole_session_alive(settings, monkeypatch):
    """A user waiting on a long fit is not idle: the fit's heartbeat restarts the TTL of every blob."""
    from dashboard.tabs.models import fits

    clock = FakeClock()
    store = make_store(settings, ttl=120, clock=clock)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    store.put(sid, "fit:ridge", MARKER + b"-fit")
    clock.advance(100)
    monkeypatch.setattr(fits, "HEARTBEAT", 0.02)
    with fits.Heartbeat(store, sid, "bayesian"):
        until(lambda: json.loads(store.cache.get(store._key(sid, "index")))["used"] == clock.now, timeout=5)
    clock.advance(100)  # 200 s after the upload, 100 s after the last beat
    assert store.get(sid, "dataset") == MARKER and store.get(sid, "fit:ridge") == MARKER + b"-fit"
    moments = {expiry_of(settings, store, sid, name) for name in ("dataset", "fit:ridge")}
    assert len(moments) == 1 and moments.pop() >= int(clock.now - 100 + 120) - 1
