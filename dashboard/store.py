"""Per-session server-side store: bytes only, with an idle TTL, really deleted on expiry or clear."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import re
import secrets
import struct
import threading
import time
from collections.abc import Callable, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from cachelib import FileSystemCache, RedisCache
from cachelib.serializers import BaseSerializer
from flask_caching import Cache
from itsdangerous import BadSignature, Signer

log = logging.getLogger(__name__)
SESSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")  # secrets.token_urlsafe(16): 128 random bits
META_KEY = b"mmm-dashboard"
REFRESH_EVERY = 60  # seconds between TTL refreshes of a session that is in use (reads, writes, a running fit)
INDEX = "index"
TICKET = "ticket:"  # a background job's stand-in for a session token
TICKETS = "job-tickets"  # the pseudo-session that keeps them


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
    """Blobs per session in Flask-Caching (FileSystemCache or RedisCache), keyed by a signed id.

    Each session has an index (the names it holds and when it was last used). One TTL covers everything a
    session owns: every blob of a session expires in the backend at the same moment, ``ttl`` seconds after
    the index's "used" time, and each refresh (a read, a write or a running fit's :meth:`touch`, at most once
    every REFRESH_EVERY seconds) moves that moment for all of them at once. A blob written later (a fit
    saved after the data) never outlives the rest. The store itself treats a session idle for longer than
    ``ttl`` seconds by ``clock`` (``time.time`` by default) as gone and deletes it when it sees it; the
    backend's own expiry and :meth:`sweep` remove what nobody reads again.
    """

    def __init__(self, cache: Cache, secret_key: str, ttl: int, clock: Callable[[], float] = time.time):
        self.cache = cache
        self.ttl = ttl
        self.clock = clock  # seconds since the epoch, as time.time: the file backend's expiry uses the same scale
        self._signer = Signer(secret_key, salt="mmm-dashboard-session")
        self._key_secret = hashlib.sha256(b"mmm-dashboard-keys:" + secret_key.encode()).digest()
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

    def session_or_none(self, token: object) -> str | None:
        """The guard every callback starts with: the session id, or None for a token this server did not issue.
        A background job's ticket (:meth:`issue_ticket`) stands for the token it replaced."""
        if isinstance(token, str) and token.startswith(TICKET):
            token = self._redeem(token)
        try:
            return self.session_id(token)
        except InvalidSession:
            return None

    def issue_ticket(self, token: str) -> str:
        """A random stand-in for ``token`` in a background job's message; the token waits in the store, and the
        session lists its tickets so that :meth:`clear` deletes them with everything else."""
        ticket = TICKET + secrets.token_urlsafe(16)
        self.cache.set(self._key(TICKETS, ticket), token.encode(), timeout=self.ttl)
        sid = self.session_id(token)  # the list lives as long as its newest ticket
        self.put_transient(sid, TICKETS, json.dumps([*self._tickets(sid), ticket]).encode(), timeout=self.ttl)
        return ticket

    def _tickets(self, sid: str) -> list[str]:
        blob = self.get_transient(sid, TICKETS)
        return json.loads(blob) if blob else []

    def _redeem(self, ticket: str) -> str | None:
        if len(ticket) > 100:
            return None
        blob = self.cache.get(self._key(TICKETS, ticket))
        return blob.decode() if blob else None

    def put(self, sid: str, name: str, blob: bytes) -> None:
        """Save one blob for the session, replacing any previous one atomically; it expires with the rest."""
        index = self._refreshed(sid)
        self._write_index(sid, set(index["names"]) | {name}, index["used"])  # first: nothing is left unlisted
        if not self.cache.set(self._key(sid, name), blob, timeout=self._remaining(index["used"])):
            raise OSError("the session store could not save the data")

    def ping(self) -> None:
        """Ask the backend something; raises its error (e.g. redis' ConnectionError) when it does not answer."""
        self.cache.has("ping")

    def touch(self, sid: str) -> None:
        """Keep a session in use alive without reading it (a running fit's heartbeat calls this)."""
        self._refreshed(sid, create=False)

    def put_transient(self, sid: str, name: str, blob: bytes, timeout: int) -> None:
        """A short-lived blob kept outside the index (frequent writes never race with it); it expires by itself."""
        self.cache.set(self._key(sid, name), blob, timeout=timeout)

    def get_transient(self, sid: str, name: str) -> bytes | None:
        """A blob written by :meth:`put_transient` (None once expired or deleted)."""
        return self.cache.get(self._key(sid, name))

    def delete_transient(self, sid: str, name: str) -> None:
        self.cache.delete(self._key(sid, name))

    def get(self, sid: str, name: str) -> bytes | None:
        """One blob of the session, or None (never stored, deleted, or the session was idle past the TTL)."""
        index = self._index(sid)
        if index is None:
            return None
        blob = self.cache.get(self._key(sid, name))
        if blob is not None and self._due(index):
            self._touch(sid, index["names"])
        return blob

    def names(self, sid: str) -> set[str]:
        """Names of the blobs the session holds."""
        index = self._index(sid)
        return set(index["names"]) if index else set()

    def delete(self, sid: str, name: str) -> None:
        """Delete one blob of the session."""
        self.cache.delete(self._key(sid, name))
        index = self._index(sid)
        if index and name in index["names"]:
            self._write_index(sid, set(index["names"]) - {name}, index["used"])

    def clear(self, sid: str) -> None:
        """Delete everything the session stored, now, and the tickets its background jobs were given."""
        for ticket in self._tickets(sid):
            self.cache.delete(self._key(TICKETS, ticket))
        self.delete_transient(sid, TICKETS)
        index = self._read_index(sid)
        self._drop(sid, index["names"] if index else [])

    def sweep(self) -> None:
        """Delete expired files (FileSystemCache only prunes past a threshold; Redis expires keys itself)."""
        if isinstance(self.cache.cache, FileSystemCache):
            # cachelib offers no public way to drop expired files without also evicting live ones.
            self.cache.cache._remove_expired(self.clock())

    def start_sweeper(self, interval: float, also: Sequence[Callable[[], object]] = ()) -> threading.Thread:
        """Sweep in a daemon thread every ``interval`` seconds until :meth:`stop_sweeper`, calling each of
        ``also`` after each sweep (other stores' expiry)."""
        thread = threading.Thread(
            target=self._sweep_every, args=(interval, tuple(also)), name="session-sweeper", daemon=True
        )
        thread.start()
        return thread

    def stop_sweeper(self) -> None:
        self._stop.set()

    def _sweep_every(self, interval: float, also: tuple) -> None:
        while not self._stop.wait(interval):
            for sweep in (self.sweep, *also):
                try:
                    sweep()
                except Exception:  # a store briefly unreachable: the next round tries again
                    log.warning("a sweep of expired data failed; retrying in %s s", interval, exc_info=True)

    def _refreshed(self, sid: str, create: bool = True) -> dict:
        """The session's index, its TTL restarted first if a refresh is due (a new, empty one if none)."""
        index = self._index(sid)
        if index is None:
            return {"names": [], "used": self.clock()} if create else {"names": [], "used": None}
        if self._due(index):
            self._touch(sid, index["names"])
            return {"names": index["names"], "used": self.clock()}
        return index

    def _due(self, index: dict) -> bool:
        return self.clock() - index["used"] > min(REFRESH_EVERY, self.ttl / 2)

    def _remaining(self, used: float) -> int:
        """Seconds until a session last refreshed at ``used`` expires: what a blob written now may live."""
        return max(1, math.ceil(used + self.ttl - self.clock()))

    def _touch(self, sid: str, names) -> None:
        """Restart the idle TTL of every blob of a session in use, all to the same moment."""
        for name in names:
            self._extend(self._key(sid, name))
        self._write_index(sid, set(names), self.clock())

    def _extend(self, key: str) -> None:
        """Move one key's expiry to ``ttl`` seconds from now without rewriting its value (a rewrite could put
        back an older copy over a blob saved meanwhile)."""
        backend = self.cache.cache
        if isinstance(backend, RedisCache):
            backend._write_client.expire(backend._get_prefix() + key, self.ttl)
        elif isinstance(backend, FileSystemCache):
            # cachelib's file layout: a 4-byte expiry (seconds since the epoch), then the value.
            try:
                with open(backend._get_filename(key), "r+b") as handle:
                    handle.write(struct.pack("I", int(self.clock() + self.ttl)))
            except FileNotFoundError:
                pass
        else:  # any other backend: rewrite the value
            blob = self.cache.get(key)
            if blob is not None:
                self.cache.set(key, blob, timeout=self.ttl)

    def _index(self, sid: str) -> dict | None:
        """The session's index while the session lives; a session idle past the TTL is deleted here."""
        index = self._read_index(sid)
        if index is not None and self.clock() - index["used"] > self.ttl:
            self._drop(sid, index["names"])
            return None
        return index

    def _read_index(self, sid: str) -> dict | None:
        raw = self.cache.get(self._key(sid, INDEX))
        return json.loads(raw) if raw else None

    def _write_index(self, sid: str, names: set[str], used: float) -> None:
        index = {"names": sorted(names), "used": used}
        self.cache.set(self._key(sid, INDEX), json.dumps(index).encode(), timeout=self._remaining(used))

    def _drop(self, sid: str, names) -> None:
        for name in [*names, INDEX]:
            self.cache.delete(self._key(sid, name))

    def _key(self, sid: str, name: str) -> str:
        """An opaque key: the session id is the session's only credential, so the backend (a Redis that
        operators can list) never sees it; a keyed hash stands in for it."""
        digest = hashlib.blake2b(sid.encode(), key=self._key_secret, digest_size=16).hexdigest()
        return f"{digest}:{name}"
