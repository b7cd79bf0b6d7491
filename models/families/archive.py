"""Storing a fitted model without pickle: a zip of JSON, parquet and each library's own model format.

:class:`Archived` is mixed into :class:`models.families.base.MediaMixModel`; a family supplies
``_get_state``/``_set_state`` (and ``_archive_files``/``_restore_files`` for extra entries).
"""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd


class Archived:
    """``to_bytes``/``from_bytes`` for a fitted model; the family's state comes from its own hooks."""

    def to_bytes(self) -> bytes:
        """A zip of JSON, parquet and the library's own model format: safe to store and share."""
        self._check_fitted()
        state, blobs = self._get_state()
        common = {
            "family": self.name,
            "init": {"random_state": self.random_state, "cv_folds": self.cv_folds, **self._init_options()},
            "roles": self.roles_,
            "frequency": self.frequency_,
            "origin": self.origin_.isoformat(),
            "holdout_start": self.holdout_start_,
            "metrics": self.metrics,
            "cv_roas": getattr(self, "cv_roas_", None),
            "checks": getattr(self, "check_results_", []),
        }
        sink = io.BytesIO()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("model.json", json.dumps({"common": common, "family": state}))
            archive.writestr("data.parquet", self.data_.to_parquet(index=False))
            for name, blob in blobs.items():
                archive.writestr(f"blobs/{name}", blob)
            for name, blob in self._archive_files().items():
                archive.writestr(name, blob)
        return sink.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Archived:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            saved = json.loads(archive.read("model.json"))
            data = pd.read_parquet(io.BytesIO(archive.read("data.parquet")))
            blobs = {n[len("blobs/") :]: archive.read(n) for n in archive.namelist() if n.startswith("blobs/")}
            extra = {n: archive.read(n) for n in archive.namelist() if n.startswith("boot/")}
        common = saved["common"]
        model = cls(**common["init"])
        model.roles_, model.frequency_ = common["roles"], common["frequency"]
        model.origin_ = pd.Timestamp(common["origin"])
        model.holdout_start_, model.metrics, model.data_ = common["holdout_start"], common["metrics"], data
        model.cv_roas_, model.check_results_ = common.get("cv_roas"), common.get("checks", [])
        model._set_state(saved["family"], blobs)
        model._restore_files(extra)
        return model

    def _init_options(self) -> dict:
        """Constructor arguments beyond random_state and cv_folds (families override)."""
        return {}

    def _archive_files(self) -> dict[str, bytes]:
        """Extra archive entries (``boot/...``: bootstrap replicates); restored by :meth:`_restore_files`."""
        return {}

    def _restore_files(self, files: dict[str, bytes]) -> None:
        """Restore what :meth:`_archive_files` wrote (an archive without them restores nothing)."""
        return None
