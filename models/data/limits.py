"""Configurable limits on what an upload may contain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Limits applied by :func:`models.data.read_upload`.

    Parameters
    ----------
    max_bytes : int
        Largest accepted file, in bytes (default 10 MB).
    max_rows : int
        Most data rows (periods) accepted (default 20,000).
    max_columns : int
        Most named columns accepted (default 60).
    min_rows : int
        Fewest data rows needed to model (default 30 periods).
    max_unpacked_bytes : int
        Largest total uncompressed size an .xlsx may declare (default 100 MB, far above what
        20,000 rows x 60 columns need); refuses zip bombs before any parsing.
    """

    max_bytes: int = 10_000_000
    max_rows: int = 20_000
    max_columns: int = 60
    min_rows: int = 30
    max_unpacked_bytes: int = 100_000_000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_rows", "max_columns", "min_rows", "max_unpacked_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")
