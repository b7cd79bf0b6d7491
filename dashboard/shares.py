"""Read-only share links: a snapshot of results (never the uploaded rows) behind a random token, with an expiry.

A share is stored outside any session (it must outlive the session's idle TTL) under a key derived from a hash
of its token, so the backend's key names never hold a working link. The session keeps the list of its shares
(token, model, when made and when it expires) so the analyst sees and revokes them; "Clear my data" revokes
them all. A share expires by itself after its days (default :data:`DEFAULT_DAYS`, at most :data:`MAX_DAYS`):
the backend's expiry (Redis) or the sweeper (file system) deletes it.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import UTC, datetime, timedelta

from dashboard.store import SessionStore

SHARES = "shares"  # the session's list of its shares (a session blob)
STORE = "share-links"  # the pseudo-session under which the snapshots wait
DEFAULT_DAYS = 7
MAX_DAYS = 30
MAX_SHARES = 20  # live links per session
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24): 192 random bits
TIME_FORMAT = "%Y-%m-%d %H:%M UTC"


def checked_days(days) -> int:
    """Whole days between 1 and :data:`MAX_DAYS`, or ValueError in words."""
    try:
        number = float(days)
    except (TypeError, ValueError):
        raise ValueError(f"Give the link's lifetime in days, from 1 to {MAX_DAYS}.") from None
    if number != number or not 1 <= number <= MAX_DAYS or number != int(number):
        raise ValueError(f"A link lives from 1 to {MAX_DAYS} whole days.")
    return int(number)


def create_share(store: SessionStore, sid: str, snapshot: dict, days, now: datetime | None = None) -> dict:
    """Store ``snapshot`` behind a new token for ``days`` days; the session's record of it (ValueError in words
    when the days are out of range or the session has :data:`MAX_SHARES` live links)."""
    days = checked_days(days)
    now = now or datetime.now(UTC)
    listed = list_shares(store, sid, now)
    if len(listed) >= MAX_SHARES:
        raise ValueError(f"This session has {MAX_SHARES} live links, the most kept: revoke one first.")
    token = secrets.token_urlsafe(24)
    expires = now + timedelta(days=days)
    record = {
        "token": token,
        "model": snapshot.get("model", {}).get("label", ""),
        "data": (snapshot.get("dataset") or {}).get("name") or "",  # which upload: links to two files tell apart
        "created": now.strftime(TIME_FORMAT),
        "expires": expires.strftime(TIME_FORMAT),
        "expires_at": expires.timestamp(),
    }
    blob = json.dumps({**snapshot, "created": record["created"], "expires": record["expires"]}).encode()
    store.put_transient(STORE, stored_name(token), blob, timeout=days * 86400)
    _write(store, sid, [*listed, record])
    return record


def open_share(store: SessionStore, token: object) -> dict | None:
    """The snapshot behind ``token``, or None for a token that is malformed, unknown, revoked or expired."""
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return None
    blob = store.get_transient(STORE, stored_name(token))
    return json.loads(blob) if blob is not None else None


def list_shares(store: SessionStore, sid: str | None, now: datetime | None = None) -> list[dict]:
    """The session's live links, oldest first (expired ones left out)."""
    blob = store.get(sid, SHARES) if sid is not None else None
    moment = (now or datetime.now(UTC)).timestamp()
    return [r for r in json.loads(blob) if r["expires_at"] > moment] if blob is not None else []


def revoke_share(store: SessionStore, sid: str, token: str) -> None:
    """Delete one of the session's links at once (a token the session does not own is left alone)."""
    listed = list_shares(store, sid)
    if any(r["token"] == token for r in listed):
        store.delete_transient(STORE, stored_name(token))
        _write(store, sid, [r for r in listed if r["token"] != token])


def revoke_all(store: SessionStore, sid: str) -> None:
    """Delete every link the session made ("Clear my data")."""
    blob = store.get(sid, SHARES)
    for record in json.loads(blob) if blob is not None else []:
        store.delete_transient(STORE, stored_name(record["token"]))
    store.delete(sid, SHARES)


def clear_session(store: SessionStore, sid: str) -> None:
    """Everything the session owns, its share links included, deleted now ("Clear my data")."""
    revoke_all(store, sid)
    store.clear(sid)


def _write(store: SessionStore, sid: str, records: list[dict]) -> None:
    if records:
        store.put(sid, SHARES, json.dumps(records).encode())
    else:
        store.delete(sid, SHARES)


def stored_name(token: str) -> str:
    """The stored name of a share: a hash, so that a listing of the backend's keys opens no link."""
    return hashlib.sha256(token.encode()).hexdigest()
