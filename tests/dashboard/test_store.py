"""The session store: isolation between sessions, signed ids, bytes only, real deletion."""

import pickle
import time
from pathlib import Path

import pytest
from flask import Flask
from flask_caching import Cache

from dashboard import cache_config
from dashboard.settings import make_private_dir
from dashboard.store import InvalidSession, SessionStore

MARKER = b"SECRET-REVENUE-1234567"


def make_store(settings, ttl=3600):
    make_private_dir(settings.cache_dir)
    cache = Cache(config=cache_config(settings))
    cache.init_app(Flask(__name__))
    return SessionStore(cache, settings.secret_key, ttl)


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
    store.cache.set(f"mmm:{sid}:dataset", pickle.dumps(Evil()))
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


def test_expired_data_is_deleted_from_disk(settings):
    store = make_store(settings, ttl=1)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    assert files_holding(settings.cache_dir, MARKER)
    time.sleep(2.2)
    assert store.get(sid, "dataset") is None  # hidden at once...
    store.sweep()
    assert files_holding(settings.cache_dir, MARKER) == []  # ...and really gone after the sweep
    assert list(settings.cache_dir.iterdir()) == []


def test_sweeper_thread_deletes_without_any_request(settings):
    store = make_store(settings, ttl=1)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    store.start_sweeper(interval=0.2)
    try:
        deadline = time.monotonic() + 6
        while files_holding(settings.cache_dir, MARKER) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        store.stop_sweeper()
    assert files_holding(settings.cache_dir, MARKER) == []


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


def test_idle_ttl_restarts_while_the_session_is_used(settings, monkeypatch):
    monkeypatch.setattr("dashboard.store.REFRESH_EVERY", 0)
    store = make_store(settings, ttl=2)
    sid = store.session_id(store.new_session())
    store.put(sid, "dataset", MARKER)
    for _ in range(3):  # used every second for 3 s: longer than the TTL, never idle that long
        time.sleep(1)
        assert store.get(sid, "dataset") == MARKER
    time.sleep(3.2)
    assert store.get(sid, "dataset") is None
