"""The session's dataset in the store: one blob (parquet + metadata), replaced whole or not at all."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

import pandas as pd

from dashboard.store import SessionStore, decode_dataset, encode_dataset
from dashboard.tabs.models.fits import clear_fits
from dashboard.tabs.plan.state import clear_plan
from models.data import Upload

DATASET = "dataset"


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

    def meta(self) -> dict:
        """Everything but the frame, as JSON for the blob's metadata."""
        return {
            "roles": self.roles,
            "warnings": self.warnings,
            "filename": self.filename,
            "frequency": self.frequency,
            "sheet": self.sheet,
            "ignored": self.ignored,
            "version": self.version,
        }

    def summary(self) -> dict:
        """Small JSON for the browser (App.DATASET): what was read, for display and to fill the role pickers."""
        dates = self.frame[self.roles["date"]]
        return {
            **self.meta(),
            "rows": len(self.frame),
            "start": f"{dates.min():%Y-%m-%d}",
            "end": f"{dates.max():%Y-%m-%d}",
            "columns": [c for c in self.frame.columns if c != self.roles["date"]],
            "date_columns": [self.roles["date"]],
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
    save_dataset(store, sid, dataset)
    return dataset


def save_roles(store: SessionStore, sid: str, dataset: Dataset, roles: dict, warnings: list) -> Dataset:
    used = {roles["date"], roles["target"], *roles["channels"], *roles["controls"]}
    ignored = [c for c in dataset.frame.columns if c not in used]
    updated = replace(dataset, roles=roles, warnings=warnings, ignored=ignored, version=secrets.token_hex(8))
    save_dataset(store, sid, updated)
    return updated


def load_dataset(store: SessionStore, sid: str | None) -> Dataset | None:
    """The session's dataset, or None (no session, nothing loaded, cleared or expired)."""
    blob = store.get(sid, DATASET) if sid is not None else None
    if blob is None:
        return None
    frame, meta = decode_dataset(blob)
    return Dataset(frame=frame, **meta)


def save_dataset(store: SessionStore, sid: str, dataset: Dataset) -> None:
    """Replace the dataset; fits and plans of the previous version describe other data, so they go."""
    store.put(sid, DATASET, encode_dataset(dataset.frame, dataset.meta()))
    clear_fits(store, sid)
    clear_plan(store, sid)
