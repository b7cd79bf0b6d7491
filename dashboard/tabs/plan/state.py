"""The Plan tab's state: fitted models and horizons cached in this process, the fits a plan can use, and
the last optimised plan kept in the session store (the browser holds only its id)."""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import NamedTuple

from dashboard.figures.format import period_name
from dashboard.store import SessionStore
from dashboard.tabs.models.fits import fit_stamp, fit_summaries, load_model
from models.planning import Horizon

PLAN = "plan"  # the session's last optimised plan
DEFAULT_PERIODS = {"daily": 28, "weekly": 4}  # about the next month
# The engine's "current" spend is the recent average: the mean of about the last month of the data
# (fitted.recent_spend(); a test checks these numbers against it).
RECENT_PERIODS = {"daily": 28, "weekly": 4}
MAX_PERIODS = 730


class LRU:
    """A small thread-safe least-recently-used map whose entries also expire after ``ttl`` seconds idle."""

    def __init__(self, size: int, ttl: float):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build: Callable[[], object]):
        """The cached value for ``key``, or ``build()`` stored under it (None is returned, not stored)."""
        now = time.monotonic()
        with self._lock:
            for old in [k for k, (_, used) in self._items.items() if now - used > self.ttl]:
                del self._items[old]
            if key in self._items:
                value, _ = self._items.pop(key)
                self._items[key] = (value, now)
                return value
        value = build()  # outside the lock: loading a model takes a while
        if value is not None:
            with self._lock:
                self._items[key] = (value, now)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def drop(self, keep: Callable[[tuple], bool]) -> None:
        """Forget every entry whose key ``keep`` rejects."""
        with self._lock:
            for key in [k for k in self._items if not keep(k)]:
                del self._items[key]

    def __len__(self) -> int:
        return len(self._items)


class FitKey(NamedTuple):
    """One fit of one family on one version of a session's data."""

    sid: str
    family: str
    version: str
    stamp: str


class PlanCache:
    """Fitted models per fit and their horizons per number of periods, kept in this process so that
    moving a slider never reloads a model from the session store."""

    def __init__(self, store: SessionStore, size: int = 8, ttl: float = 900):
        self.store = store
        self.models = LRU(size, ttl)
        self.horizons = LRU(size, ttl)

    def model(self, key: FitKey):
        """The session's fitted model, or None when it has none for this data."""
        return self.models.get(key, lambda: load_model(self.store, key.sid, key.family, key.version))

    def horizon(self, key: FitKey, periods) -> Horizon | None:
        """A Horizon for the model's next ``periods`` periods; ValueError for a horizon out of range."""
        periods = checked_periods(periods)
        fitted = self.model(key)
        if fitted is None:
            return None
        return self.horizons.get((*key, periods), lambda: Horizon(fitted, periods))

    def forget(self, sid: str, version: str | None) -> None:
        """Drop the session's entries for any other data (or all of them when it has none now)."""
        for lru in (self.models, self.horizons):
            lru.drop(lambda key: key[0] != sid or key[2] == version)


def fit_key(store: SessionStore, family: str | None, fits: dict | None, summary: dict | None, token) -> FitKey | None:
    """Which stored fit the Plan form points at; the session id comes from the signed token only."""
    sid = store.session_or_none(token)
    if sid is None or not summary or not family or family not in (fits or {}):
        return None
    return FitKey(sid, family, summary["version"], fits[family]["stamp"])


def fitted_families(store: SessionStore, sid: str | None, version: str | None) -> dict:
    """family -> label, fit time and stamp (one save of the fit), for every fit on this data (small JSON for
    the browser); a fit saved again with its intervals keeps its ``fitted_at`` and gets a new stamp."""
    return {
        meta["family"]: {"label": meta["label"], "fitted_at": meta["fitted_at"], "stamp": fit_stamp(meta)}
        for meta in fit_summaries(store, sid, version)
    }


def save_plan(store: SessionStore, sid: str, record: Mapping) -> dict:
    """Keep an optimised plan in the session store, replacing the last one; the browser gets its id only."""
    reference = {"plan": secrets.token_hex(8), "version": record["version"]}
    store.put(sid, PLAN, json.dumps({**record, "id": reference["plan"]}).encode())
    return reference


def load_plan(store: SessionStore, sid: str | None, reference: Mapping | None) -> dict | None:
    """The stored plan ``reference`` points at, or None (replaced, made on other data, or deleted)."""
    blob = store.get(sid, PLAN) if reference and sid is not None else None
    if blob is None:
        return None
    record = json.loads(blob)
    if record["id"] != reference.get("plan") or record["version"] != reference.get("version"):
        return None
    return record


def stored_plan(store: SessionStore, result: dict | None, token) -> dict | None:
    """The plan a Plan.RESULT reference points at, read from the session store; an error as it came."""
    if not result or "error" in result:
        return result
    return load_plan(store, store.session_or_none(token), result)


def made_with(record: Mapping | None, family: str | None) -> bool:
    """Whether a plan record (or the optimiser's error) was made with ``family``: a plan of another model is not
    shown, applied or saved as the selected one's."""
    return bool(record) and record.get("family", family) == family


def latest_plan(store: SessionStore, sid: str, version: str) -> dict | None:
    """A reference to the session's last plan when it was made on this version of the data, else None."""
    blob = store.get(sid, PLAN)
    record = json.loads(blob) if blob is not None else None
    if record is None or record["version"] != version:
        return None
    return {"plan": record["id"], "version": version}


def clear_plan(store: SessionStore, sid: str) -> None:
    """Forget the last plan: it was made on data that has just changed."""
    store.delete(sid, PLAN)


def checked_periods(periods) -> int:
    """A whole number of periods from 1 to MAX_PERIODS, or ValueError in words."""
    try:
        number = float(periods)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= MAX_PERIODS:
        raise ValueError(f"The horizon must be a whole number of periods from 1 to {MAX_PERIODS}.")
    return int(number)


def recent_window(frequency: str | None) -> str:
    """What the recent average covers, in words: "last 28 days"."""
    return f"last {RECENT_PERIODS.get(frequency, 28)} {period_name(frequency, plural=True)}"
