"""Who may fit now: one fit at a time per session, at most ``capacity`` on the server, the others queued.

A fit job claims its session's slot first (a second fit of the same session, from a second tab or a replayed
request, is refused in words), then one of the server's ``capacity`` slots, waiting in line with its place
shown while all are taken. Each claim is a small mark in the session store holding the job's id and the
time of its last heartbeat: the job's heartbeat refreshes it, the job releases it when it ends, and a job
that was killed (Cancel, a dead worker, a restart) stops refreshing it, so its claim goes stale after
``stale_after`` seconds and the slot is free again. Claims are written, then read back (the last writer
wins and the other one retries): good enough to bound the load, not a lock to protect data.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable

from dashboard.store import SessionStore

SESSION_SLOT = "fit-slot"
SERVER = "server-fit-slots"  # the pseudo-session holding the server's slots
DEFAULT_CAPACITY = 2


class Busy(Exception):
    """The session already runs a fit; ``family`` names it."""

    def __init__(self, family: str):
        super().__init__(family)
        self.family = family


class FitSlots:
    """The session and server slots of running fits, kept in ``store``."""

    def __init__(self, store: SessionStore, capacity: int = DEFAULT_CAPACITY, stale_after: float = 20.0):
        if capacity < 1:
            raise ValueError("At least one fit must be allowed to run.")
        self.store, self.capacity, self.stale_after = store, capacity, stale_after

    @staticmethod
    def new_job() -> str:
        return secrets.token_hex(8)

    # -- the session's one slot
    def claim_session(self, sid: str, family: str, job: str) -> None:
        """Take the session's slot for ``job`` or raise :class:`Busy` naming the fit that holds it."""
        holder = self._live(sid, SESSION_SLOT)
        if holder is not None and holder["job"] != job:
            raise Busy(holder["family"])
        self._mark(sid, SESSION_SLOT, family, job)
        holder = self._live(sid, SESSION_SLOT)
        if holder is None or holder["job"] != job:  # another job wrote at the same moment and won
            raise Busy(holder["family"] if holder else family)

    # -- the server's slots
    def claim_server(self, family: str, job: str) -> int | None:
        """The server slot now held by ``job`` (one it holds already, or a free one), or None if all are taken."""
        for slot in range(self.capacity):
            holder = self._live(SERVER, _name(slot))
            if holder is not None and holder["job"] == job:
                return slot
        for slot in range(self.capacity):
            if self._live(SERVER, _name(slot)) is None:
                self._mark(SERVER, _name(slot), family, job)
                holder = self._live(SERVER, _name(slot))
                if holder is not None and holder["job"] == job:
                    return slot
        return None

    def wait_for_server(self, sid: str, family: str, job: str, queued: Callable[[int], None], poll: float = 1.0) -> int:
        """Claim a server slot, waiting while all are taken; ``queued(n)`` says how many fits run meanwhile."""
        while True:
            slot = self.claim_server(family, job)
            if slot is not None:
                return slot
            self._mark(sid, SESSION_SLOT, family, job)  # still waiting: the session's claim must not go stale
            queued(self.capacity)
            time.sleep(poll)

    def session_holder(self, sid: str) -> str | None:
        """The family whose job holds the session's slot now (running or queued), or None."""
        holder = self._live(sid, SESSION_SLOT)
        return holder["family"] if holder else None

    def running(self) -> int:
        """How many server slots are taken now."""
        return sum(self._live(SERVER, _name(slot)) is not None for slot in range(self.capacity))

    # -- heartbeat and release
    def refresh(self, sid: str, family: str, job: str, slot: int | None) -> None:
        self._mark(sid, SESSION_SLOT, family, job)
        if slot is not None:
            self._mark(SERVER, _name(slot), family, job)

    def release(self, sid: str, job: str, slot: int | None) -> None:
        """Free what ``job`` holds (only if it still holds it: a stale claim may have passed on)."""
        for owner, name in ((sid, SESSION_SLOT), (SERVER, _name(slot) if slot is not None else None)):
            if name is None:
                continue
            holder = self._live(owner, name)
            if holder is not None and holder["job"] == job:
                self.store.delete_transient(owner, name)

    def release_session(self, sid: str) -> None:
        """Free the session's slot and the server slot its fit holds (Cancel or Clear killed the job)."""
        holder = self._live(sid, SESSION_SLOT)
        if holder is None:
            return
        for slot in range(self.capacity):
            server = self._live(SERVER, _name(slot))
            if server is not None and server["job"] == holder["job"]:
                self.store.delete_transient(SERVER, _name(slot))
        self.store.delete_transient(sid, SESSION_SLOT)

    def _mark(self, owner: str, name: str, family: str, job: str) -> None:
        mark = {"family": family, "job": job, "beat": self.store.clock()}
        self.store.put_transient(owner, name, json.dumps(mark).encode(), timeout=int(self.stale_after) + 1)

    def _live(self, owner: str, name: str) -> dict | None:
        blob = self.store.get_transient(owner, name)
        if blob is None:
            return None
        mark = json.loads(blob)
        return mark if self.store.clock() - mark["beat"] <= self.stale_after else None


def _name(slot: int) -> str:
    return f"slot-{slot}"
