"""The session's dataset in the store: one blob (parquet + metadata), replaced whole or not at all."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

import pandas as pd

from dashboard.fits import clear_fits
from dashboard.store import SessionStore, decode_dataset, encode_dataset
from models.data import Upload

DATASET = "dataset"
PLAN = "plan"  # the session's last optimised plan (dashboard/plans.py reads and writes it)
META_FIELDS = ("roles", "warnings", "filename", "frequency", "sheet", "ignored", "version")


@dataclass
class Dataset:
    """What the dashboard keeps of an upload; ``version`` changes on every save."""

    frame: pd.DataFrame
    roles: dict
    warnings: list
    filename: str
    frequency: str
    sheet: str | None
    ignored: list
    version: str

    def summary(self) -> dict:
        """Small JSON for the browser: what was read, for display and to fill the role pickers."""
        dates = self.frame[self.roles["date"]]
        return {
            "version": self.version,
            "filename": self.filename,
            "rows": len(self.frame),
            "start": f"{dates.min():%Y-%m-%d}",
            "end": f"{dates.max():%Y-%m-%d}",
            "frequency": self.frequency,
            "sheet": self.sheet,
            "columns": [c for c in self.frame.columns if c != self.roles["date"]],
            "date_columns": [self.roles["date"]],
            "roles": self.roles,
            "warnings": self.warnings,
            "ignored": self.ignored,
        }


def save_upload(store: SessionStore, sid: str, upload: Upload, filename: str) -> Dataset:
    dataset = Dataset(
        frame=upload.frame,
        roles=upload.roles,
        warnings=upload.warnings,
        filename=filename,
        frequency=upload.frequency,
        sheet=upload.sheet,
        ignored=upload.ignored,
        version=secrets.token_hex(8),
    )
    _save(store, sid, dataset)
    return dataset


def save_roles(store: SessionStore, sid: str, dataset: Dataset, roles: dict, warnings: list) -> Dataset:
    used = {roles["date"], roles["target"], *roles["channels"], *roles["controls"]}
    ignored = [c for c in dataset.frame.columns if c not in used]
    updated = replace(dataset, roles=roles, warnings=warnings, ignored=ignored, version=secrets.token_hex(8))
    _save(store, sid, updated)
    return updated


def load_dataset(store: SessionStore, sid: str) -> Dataset | None:
    blob = store.get(sid, DATASET)
    if blob is None:
        return None
    frame, meta = decode_dataset(blob)
    return Dataset(frame=frame, **meta)


def _save(store: SessionStore, sid: str, dataset: Dataset) -> None:
    """Replace the dataset; fits and plans of the previous version describe other data, so they go."""
    meta = {name: getattr(dataset, name) for name in META_FIELDS}
    store.put(sid, DATASET, encode_dataset(dataset.frame, meta))
    clear_fits(store, sid)
    store.delete(sid, PLAN)
