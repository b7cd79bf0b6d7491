"""Per-session server-side store: bytes only, with an idle TTL, really deleted on expiry or clear."""

from __future__ import annotations

import io
import json
import re
import secrets
import threading
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from cachelib.serializers import BaseSerializer
from flask_caching import Cache
from itsdangerous import BadSignature, Signer

SESSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")  # secrets.token_urlsafe(16): 128 random bits
META_KEY = b"mmm-dashboard"
REFRESH_EVERY = 60  # seconds between TTL refreshes of a session that is in use


class InvalidSession(Exception):
    """The session token is missing, malformed or not signed by this server."""


class BytesSerializer(BaseSerializer):
    """Stores raw bytes and reads them back as bytes: nothing is ever unpickled."""

    def dump(self, value, f, protocol=None) -> None:
        f.write(_as_bytes(value))

    def load(self, f):
        return f.read()

    def dumps(self, value, protocol=None) -> bytes:
        return _as_bytes(value)

    def loads(self, bvalue):
        return bvalue


def _as_bytes(value) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError("the session store keeps bytes only")
    return value


def encode_dataset(frame: pd.DataFrame, meta: dict) -> bytes:
    """One parquet blob holding the frame and its metadata (roles, warnings...) as JSON."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: json.dumps(meta)})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def decode_dataset(blob: bytes) -> tuple[pd.DataFrame, dict]:
    table = pq.read_table(io.BytesIO(blob))
    return table.to_pandas(), json.loads(table.schema.metadata[META_KEY])


class SessionStore:
    """Blobs per session in Flask-Caching (FileSystemCache or RedisCache), keyed by a signed id."""

    def __init__(self, cache: Cache, secret_key: str, ttl: int):
        self.cache = cache
        self.ttl = ttl
        self._signer = Signer(secret_key, salt="mmm-dashboard-session")
        self._refreshed: dict[str, float] = {}
        self._stop = threading.Event()
        cache.cache.serializer = BytesSerializer()

    def new_session(self) -> str:
        """A fresh signed token: 128 random bits issued by this server."""
        return self._signer.sign(secrets.token_urlsafe(16)).decode()

    def session_id(self, token: object) -> str:
        """The session id inside ``token``; raise InvalidSession unless this server issued it."""
        if not isinstance(token, str) or len(token) > 200:
            raise InvalidSession("no session")
        try:
            sid = self._signer.unsign(token).decode()
        except BadSignature as exc:
            raise InvalidSession("bad signature") from exc
        if not SESSION_PATTERN.match(sid):
            raise InvalidSession("malformed session id")
        return sid

    def put(self, sid: str, name: str, blob: bytes) -> None:
        """Save one blob for the session, replacing any previous one atomically."""
        names = self._names(sid) | {name}  # index first: a failed write leaves nothing unlisted
        self.cache.set(self._key(sid, "index"), json.dumps(sorted(names)).encode(), timeout=self.ttl)
        if not self.cache.set(self._key(sid, name), blob, timeout=self.ttl):
            raise OSError("the session store could not save the data")
        self._refreshed[sid] = time.monotonic()

    def get(self, sid: str, name: str) -> bytes | None:
        blob = self.cache.get(self._key(sid, name))
        if blob is not None and time.monotonic() - self._refreshed.get(sid, 0) > REFRESH_EVERY:
            self._touch(sid)
        return blob

    def names(self, sid: str) -> set[str]:
        """Names of the blobs the session holds."""
        return self._names(sid)

    def delete(self, sid: str, name: str) -> None:
        """Delete one blob of the session."""
        self.cache.delete(self._key(sid, name))
        remaining = self._names(sid) - {name}
        self.cache.set(self._key(sid, "index"), json.dumps(sorted(remaining)).encode(), timeout=self.ttl)

    def clear(self, sid: str) -> None:
        """Delete everything the session stored, now."""
        for name in self._names(sid) | {"index"}:
            self.cache.delete(self._key(sid, name))
        self._refreshed.pop(sid, None)

    def sweep(self) -> None:
        """Delete expired files (FileSystemCache only prunes past a threshold; Redis expires keys itself)."""
        remove_expired = getattr(self.cache.cache, "_remove_expired", None)
        if remove_expired is not None:
            remove_expired(time.time())

    def start_sweeper(self, interval: float) -> threading.Thread:
        """Sweep in a daemon thread every ``interval`` seconds until :meth:`stop_sweeper`."""

        def loop() -> None:
            while not self._stop.wait(interval):
                self.sweep()

        thread = threading.Thread(target=loop, name="session-sweeper", daemon=True)
        thread.start()
        return thread

    def stop_sweeper(self) -> None:
        self._stop.set()

    def _touch(self, sid: str) -> None:
        """Restart the idle TTL of every blob of a session in use."""
        for name in self._names(sid) | {"index"}:
            blob = self.cache.get(self._key(sid, name))
            if blob is not None:
                self.cache.set(self._key(sid, name), blob, timeout=self.ttl)
        self._refreshed[sid] = time.monotonic()

    def _names(self, sid: str) -> set[str]:
        raw = self.cache.get(self._key(sid, "index"))
        return set(json.loads(raw)) if raw else set()

    @staticmethod
    def _key(sid: str, name: str) -> str:
        return f"mmm:{sid}:{name}"
