"""Fitted models in the session store: the model (no pickle) with its summary tables, and which fits run."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

import models
from dashboard.store import SessionStore
from models.summary import SUMMARY_TABLES

PREFIX = "fit:"
COMPARISON = "comparison"  # models.compare over the fits, kept beside them (dashboard/tabs/models/comparison.py)
RUNNING = "running:"
STARTED = "started:"  # when the family's last job started (took its session's slot): a queued job has none
DATASET = "dataset"  # the session's data (dashboard/tabs/data/state.py; importing it here would be circular)
HEARTBEAT = 5  # seconds between a running fit's "still running" marks
STALE_AFTER = 4 * HEARTBEAT  # a mark older than this belongs to a fit that was cancelled or died
START_SLACK = 30  # seconds a job may start before the page notes that it sent it


STAGES = ("intervals", "checks")  # what the fit job adds after the point fit, in this order
PENDING, DONE, FAILED = "pending", "done", "failed"  # a stage's status in a fit's meta
CHECKS_TABLE = "checks"


@dataclass
class FitResult:
    """What a fit left in the store: metadata and the summary's tables (with its checks)."""

    meta: dict
    tables: dict[str, pd.DataFrame]


def fit_meta(summary, dataset_version: str, seconds: float, options: dict, stages: dict) -> dict:
    """The JSON kept beside a fit: what the leaderboard, the results header and the Plan tab's list read.
    ``stages``: the status of each later stage (intervals, checks); ``revision`` counts the saves."""
    return {
        "family": summary.family,
        "label": models.LABELS.get(summary.family, summary.family),
        "dataset_version": dataset_version,
        "metrics": summary.metrics,
        "options": options,
        "fit_seconds": seconds,
        "fitted_at": datetime.now(UTC).isoformat(sep=" ", timespec="seconds"),  # 2026-12-01 04:20:11+00:00
        "channels": summary.channels,
        "frequency": summary.frequency,
        "recent_spend": summary.recent_spend,
        "diagnostics": summary.diagnostics,
        "health": summary.health,
        "intervals": summary.intervals,
        "stages": stages,
        "stage_seconds": {},
        "stage_errors": {},
        "revision": 0,
    }


def save_fit(
    store: SessionStore, sid: str, fitted, dataset_version: str, seconds: float, options: dict, stages=None
) -> dict:
    """Store the model and its summary (meta and tables) as one zip blob, replacing the family's last fit;
    ``stages`` says which later stages are still to come (default: none)."""
    summary = fitted.summary()
    meta = fit_meta(summary, dataset_version, seconds, options, stages or dict.fromkeys(STAGES, DONE))
    write_fit(store, sid, fitted, summary, meta)
    return meta


def save_stage(
    store: SessionStore, sid: str, fitted, meta: dict, stage: str, seconds: float, error: str | None = None
) -> dict:
    """Store the fit again once a later stage has run (or failed with ``error``), as the next revision."""
    summary = fitted.summary()
    meta = {
        **meta,
        "intervals": summary.intervals,
        "diagnostics": summary.diagnostics,
        "health": summary.health,
        "stages": {**meta["stages"], stage: FAILED if error else DONE},
        "stage_seconds": {**meta["stage_seconds"], stage: seconds},
        "stage_errors": {**meta["stage_errors"], **({stage: error} if error else {})},
        "revision": meta["revision"] + 1,
    }
    write_fit(store, sid, fitted, summary, meta)
    return meta


def write_fit(store: SessionStore, sid: str, fitted, summary, meta: dict) -> None:
    """One zip blob: meta.json, the model (the engine's own format, no pickle) and every table as parquet."""
    tables = {**{name: summary.tables[name] for name in SUMMARY_TABLES}, CHECKS_TABLE: fitted.checks()}
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", json.dumps(meta, default=float))  # numpy numbers as floats
        archive.writestr("model.zip", fitted.to_bytes())
        for name, table in tables.items():
            archive.writestr(f"{name}.parquet", table.to_parquet(index=False))
    store.put(sid, PREFIX + summary.family, sink.getvalue())


def fit_stamp(meta: dict) -> str:
    """Identifies one save of one fit, so a refit (or the same fit with its intervals) is never served from
    a cache of the one before."""
    return f"{meta['fitted_at']}|{meta['fit_seconds']!r}|{meta.get('revision', 0)}"


def load_fit(store: SessionStore, sid: str | None, family: str, dataset_version: str) -> FitResult | None:
    """The family's fit for this version of the data, or None (never fitted, or the data changed)."""
    archive = _archive(store, sid, family)
    if archive is None:
        return None
    with archive:
        meta = json.loads(archive.read("meta.json"))
        if meta["dataset_version"] != dataset_version:
            return None
        stored = set(archive.namelist())  # a fit saved before the checks existed has no checks table
        names = [name for name in (*SUMMARY_TABLES, CHECKS_TABLE) if f"{name}.parquet" in stored]
        tables = {name: pd.read_parquet(io.BytesIO(archive.read(f"{name}.parquet"))) for name in names}
    return FitResult(meta=meta, tables=tables)


def load_model(store: SessionStore, sid: str, family: str, dataset_version: str):
    """The fitted model itself (for predictions and planning), or None."""
    archive = _archive(store, sid, family)
    if archive is None:
        return None
    with archive:
        if json.loads(archive.read("meta.json"))["dataset_version"] != dataset_version:
            return None
        return models.load(archive.read("model.zip"))


def load_fit_meta(store: SessionStore, sid: str, family: str, dataset_version: str) -> dict | None:
    """The family's fit metadata (metrics, channels, recent spend per period...) for this data, or None."""
    archive = _archive(store, sid, family)
    if archive is None:
        return None
    with archive:
        meta = json.loads(archive.read("meta.json"))
    return meta if meta["dataset_version"] == dataset_version else None


def fit_summaries(store: SessionStore, sid: str | None, dataset_version: str | None) -> list[dict]:
    """Metadata of every fit made on this version of the data, for the leaderboard and the Plan tab."""
    if sid is None or dataset_version is None:
        return []
    families = [name[len(PREFIX) :] for name in sorted(store.names(sid)) if name.startswith(PREFIX)]
    metas = [load_fit_meta(store, sid, family, dataset_version) for family in families]
    return [meta for meta in metas if meta is not None]


def clear_fits(store: SessionStore, sid: str) -> None:
    """Forget every fit (and their comparison): they describe data that has just changed."""
    for name in store.names(sid):
        if name.startswith(PREFIX) or name == COMPARISON:
            store.delete(sid, name)


def _archive(store: SessionStore, sid: str | None, family: str) -> zipfile.ZipFile | None:
    blob = store.get(sid, PREFIX + family) if sid is not None else None
    return zipfile.ZipFile(io.BytesIO(blob)) if blob is not None else None


class DataGone(Exception):
    """The session's data was cleared while its fit ran: the fit stops and saves nothing."""


def data_present(store: SessionStore, sid: str) -> bool:
    return DATASET in store.names(sid)


class Heartbeat:
    """While a fit runs, mark it as running in the session store every HEARTBEAT seconds, so that a page
    loaded meanwhile (a reload) can wait for it; a cancelled or killed job stops marking and goes stale."""

    def __init__(self, store: SessionStore, sid: str, family: str, also: Callable[[], None] | None = None, click=None):
        self.store, self.sid, self.name, self.also, self.click = store, sid, RUNNING + family, also, click
        self.gone = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"{family}-fit-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._mark()  # at once: a page loaded right after the fit starts already sees it
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            self._mark()
            if not data_present(self.store, self.sid):
                self.gone = True  # "Clear my data": the job's next progress report stops it
            else:
                self.store.touch(self.sid)  # a user waiting on a long fit is not idle: the session lives on

    def check(self) -> None:
        """Raise :class:`DataGone` once the session's data was cleared (seen by the last beat)."""
        if self.gone:
            raise DataGone

    def _mark(self) -> None:
        mark = json.dumps({"beat": self.store.clock()}).encode()
        self.store.put_transient(self.sid, self.name, mark, timeout=STALE_AFTER)
        if self.also is not None:  # the job's slots (dashboard/jobs.py) beat with it
            self.also()

    def finished(self) -> None:
        """The fit is saved (or failed): no page needs to wait for it any more; the mark says it ended (and
        when, and which click of Fit it answered), so a page's pulse does not take a job that has just ended for
        one that died."""
        mark = json.dumps({"beat": self.store.clock(), "ended": True, "click": self.click}).encode()
        # Kept as long as the session (a few bytes, no data), not two minutes: a browser throttles a hidden tab's
        # timers to about once a minute, and its pulse may come after its poll only minutes after the end.
        self.store.put_transient(self.sid, self.name, mark, timeout=self.store.ttl)


def forget_fit(store: SessionStore, sid: str, family: str) -> None:
    """Delete the family's stored fit (its data was cleared while it ran)."""
    store.delete(sid, PREFIX + family)


def forget_running(store: SessionStore, sid: str, family: str) -> None:
    """Drop the family's running mark (its job was killed and will not finish)."""
    store.delete_transient(sid, RUNNING + family)


def running_fits(store: SessionStore, sid: str | None) -> list[str]:
    """The families whose fit runs now for this session (a fresh heartbeat in the store)."""
    if sid is None:
        return []
    running = []
    for family in models.MODEL_NAMES:
        mark = _running_mark(store, sid, family)
        if mark is not None and not mark.get("ended") and store.clock() - mark["beat"] <= STALE_AFTER:
            running.append(family)
    return running


def ended_since(store: SessionStore, sid: str | None, family: str, since: float, click=None) -> float | None:
    """When the family's job ended normally (saved or failed in words), if it is the job the page follows:
    the one that answered its ``click`` of Fit (it may have ended a moment before the page noted ``since``),
    or, when the page does not know the click (a reloaded page), any that ended at or after ``since``."""
    mark = _running_mark(store, sid, family) if sid is not None else None
    if not mark or not mark.get("ended"):
        return None
    if click is not None and mark.get("click") is not None:
        return mark["beat"] if mark["click"] == click and mark["beat"] >= since - START_SLACK else None
    return mark["beat"] if mark["beat"] >= since else None


def mark_started(store: SessionStore, sid: str, family: str, click=None) -> None:
    """The family's job has started (it holds the session's slot): from now on, silence means it died.
    ``click``: which click of the page's Fit button sent it (n_clicks), so the page knows its own job."""
    mark = json.dumps({"beat": store.clock(), "click": click}).encode()
    store.put_transient(sid, STARTED + family, mark, timeout=store.ttl)


def started_since(store: SessionStore, sid: str | None, family: str, since: float, click=None) -> bool:
    """True when the job the page follows has started: the one sent by its ``click`` of Fit, or (the click
    unknown) one that started at or after ``since``. Either way less a little: the job may start before the
    page's pulse notes the time. A job of an earlier click (a refit still waiting for a busy worker) is not it."""
    blob = store.get_transient(sid, STARTED + family) if sid is not None else None
    if blob is None:
        return False
    mark = json.loads(blob)
    if click is not None and mark.get("click") is not None and mark["click"] != click:
        return False
    return mark["beat"] >= since - START_SLACK


def job_marks(store: SessionStore, sid: str | None, family: str) -> dict:
    """The family's job marks (started, running or ended: times and clicks, no data), for the log."""
    if sid is None:
        return {}
    started = store.get_transient(sid, STARTED + family)
    return {"started": json.loads(started) if started else None, "running": _running_mark(store, sid, family)}


def _running_mark(store: SessionStore, sid: str, family: str) -> dict | None:
    blob = store.get_transient(sid, RUNNING + family)
    return json.loads(blob) if blob is not None else None
