"""Fitted models in the session store: the model (no pickle) plus the tables the Models tab shows."""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass

import pandas as pd

import models
from dashboard.store import SessionStore

PREFIX = "fit:"
TABLES = ("fitted", "contributions", "roas", "curves", "importance", "decay")


@dataclass
class FitResult:
    """What a finished fit left in the store: metadata and tidy result tables."""

    meta: dict
    tables: dict[str, pd.DataFrame]


def result_tables(fitted) -> dict[str, pd.DataFrame]:
    """Everything the results view draws, computed once when the fit ends."""
    roles, data = fitted.roles_, fitted.data_
    holdout = pd.Series(range(len(data))) >= fitted.holdout_start_
    fitted_frame = pd.DataFrame(
        {
            "date": data[roles["date"]],
            "actual": data[roles["target"]],
            "predicted": fitted.predict_frame(data),
            "holdout": holdout,
        }
    )
    return {
        "fitted": fitted_frame,
        "contributions": fitted.contributions().reset_index(),
        "roas": fitted.roas(),
        "curves": fitted.response_curves(),
        "importance": fitted.importance(),
        "decay": fitted.decay_curves(),
    }


def save_fit(store: SessionStore, sid: str, fitted, dataset_version: str, seconds: float, options: dict) -> dict:
    """Store the model and its tables as one zip blob, replacing the family's previous fit."""
    meta = {
        "family": fitted.name,
        "label": models.LABELS.get(fitted.name, fitted.name),
        "dataset_version": dataset_version,
        "metrics": fitted.metrics,
        "options": options,
        "fit_seconds": seconds,
        "fitted_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "channels": fitted.roles_["channels"],
        "recent_spend": fitted.recent_spend().to_dict(),
        "diagnostics": getattr(fitted, "diagnostics", None),
        "health": fitted.health_check() if hasattr(fitted, "health_check") else None,
    }
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", json.dumps(meta))
        archive.writestr("model.zip", fitted.to_bytes())
        for name, table in result_tables(fitted).items():
            archive.writestr(f"{name}.parquet", table.to_parquet(index=False))
    store.put(sid, PREFIX + fitted.name, sink.getvalue())
    return meta


def load_fit(store: SessionStore, sid: str, family: str, dataset_version: str) -> FitResult | None:
    """The family's fit for this version of the data, or None (never fitted, or the data changed)."""
    archive = _archive(store, sid, family)
    if archive is None:
        return None
    with archive:
        meta = json.loads(archive.read("meta.json"))
        if meta["dataset_version"] != dataset_version:
            return None
        tables = {name: pd.read_parquet(io.BytesIO(archive.read(f"{name}.parquet"))) for name in TABLES}
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


def fit_summaries(store: SessionStore, sid: str, dataset_version: str) -> list[dict]:
    """Metadata of every fit made on this version of the data, for the leaderboard."""
    families = [name[len(PREFIX) :] for name in sorted(store.names(sid)) if name.startswith(PREFIX)]
    metas = [load_fit_meta(store, sid, family, dataset_version) for family in families]
    return [meta for meta in metas if meta is not None]


def clear_fits(store: SessionStore, sid: str) -> None:
    """Forget every fit: they describe data that has just changed."""
    for name in store.names(sid):
        if name.startswith(PREFIX):
            store.delete(sid, name)


def _archive(store: SessionStore, sid: str, family: str) -> zipfile.ZipFile | None:
    blob = store.get(sid, PREFIX + family)
    return zipfile.ZipFile(io.BytesIO(blob)) if blob is not None else None
