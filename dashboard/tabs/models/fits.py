"""Fitted models in the session store: the model (no pickle) with its summary tables, and which fits run."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass

import pandas as pd

import models
from dashboard.store import SessionStore
from models.summary import SUMMARY_TABLES

PREFIX = "fit:"
RUNNING = "running:"
HEARTBEAT = 5  # seconds between a running fit's "still running" marks
STALE_AFTER = 4 * HEARTBEAT  # a mark older than this belongs to a fit that was cancelled or died


@dataclass
class FitResult:
    """What a finished fit left in the store: metadata and the summary's tables."""

    meta: dict
    tables: dict[str, pd.DataFrame]


def fit_meta(summary, dataset_version: str, seconds: float, options: dict) -> dict:
    """The JSON kept beside a fit: what the leaderboard, the results header and the Plan tab's list read."""
    return {
        "family": summary.family,
        "label": models.LABELS.get(summary.family, summary.family),
        "dataset_version": dataset_version,
        "metrics": summary.metrics,
        "options": options,
        "fit_seconds": seconds,
        "fitted_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "channels": summary.channels,
        "frequency": summary.frequency,
        "recent_spend": summary.recent_spend,
        "diagnostics": summary.diagnostics,
        "health": summary.health,
    }


def save_fit(store: SessionStore, sid: str, fitted, dataset_version: str, seconds: float, options: dict) -> dict:
    """Store the model and its summary (meta and tables) as one zip blob, replacing the family's last fit."""
    summary = fitted.summary()
    meta = fit_meta(summary, dataset_version, seconds, options)
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", json.dumps(meta))
        archive.writestr("model.zip", fitted.to_bytes())
        for name in SUMMARY_TABLES:
            archive.writestr(f"{name}.parquet", summary.tables[name].to_parquet(index=False))
    store.put(sid, PREFIX + summary.family, sink.getvalue())
    return meta


def load_fit(store: SessionStore, sid: str | None, family: str, dataset_version: str) -> FitResult | None:
    """The family's fit for this version of the data, or None (never fitted, or the data changed)."""
    archive = _archive(store, sid, family)
    if archive is None:
        return None
    with archive:
        meta = json.loads(archive.read("meta.json"))
        if meta["dataset_version"] != dataset_version:
            return None
        tables = {name: pd.read_parquet(io.BytesIO(archive.read(f"{name}.parquet"))) for name in SUMMARY_TABLES}
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
    """Forget every fit: they describe data that has just changed."""
    for name in store.names(sid):
        if name.startswith(PREFIX):
            store.delete(sid, name)


def _archive(store: SessionStore, sid: str | None, family: str) -> zipfile.ZipFile | None:
    blob = store.get(sid, PREFIX + family) if sid is not None else None
    return zipfile.ZipFile(io.BytesIO(blob)) if blob is not None else None


class Heartbeat:
    """While a fit runs, mark it as running in the session store every HEARTBEAT seconds, so that a page
    loaded meanwhile (a reload) can wait for it; a cancelled or killed job stops marking and goes stale."""

    def __init__(self, store: SessionStore, sid: str, family: str):
        self.store, self.sid, self.name = store, sid, RUNNING + family
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

    def _mark(self) -> None:
        mark = json.dumps({"beat": self.store.clock()}).encode()
        self.store.put_transient(self.sid, self.name, mark, timeout=STALE_AFTER)

    def finished(self) -> None:
        """The fit is saved (or failed): no page needs to wait for it any more."""
        self.store.delete(self.sid, self.name)


def running_fits(store: SessionStore, sid: str | None) -> list[str]:
    """The families whose fit runs now for this session (a fresh heartbeat in the store)."""
    if sid is None:
        return []
    running = []
    for family in models.MODEL_NAMES:
        blob = store.get(sid, RUNNING + family)
        if blob is not None and store.clock() - json.loads(blob)["beat"] <= STALE_AFTER:
            running.append(family)
    return running
