"""Configurable limits on what an upload may contain."""

from __future__ import annotations

from dataclasses import dataclass

MAX_FILE_COLUMNS = 150  # wide exports (every metric per channel) are read; only ``max_columns`` get a role


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
        Most columns that may be channels and controls together (default 60). Role detection picks at most
        this many and the rest of a wider file is left unused; a role choice over it is refused.
    max_file_columns : int
        Most named columns a file may have (default ``MAX_FILE_COLUMNS``, 150, or ``max_columns + 2`` if
        larger). Wider files are refused while reading, before the whole file is parsed.
    min_rows : int
        Fewest data rows needed to model (default 30 periods).
    max_unpacked_bytes : int
        Largest total uncompressed size an .xlsx may declare (default 100 MB, far above what
        20,000 rows x 150 columns need); refuses zip bombs before any parsing.
    """

    max_bytes: int = 10_000_000
    max_rows: int = 20_000
    max_columns: int = 60
    max_file_columns: int = MAX_FILE_COLUMNS
    min_rows: int = 30
    max_unpacked_bytes: int = 100_000_000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_rows", "max_columns", "max_file_columns", "min_rows", "max_unpacked_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")

    @property
    def file_columns(self) -> int:
        """Most named columns read from a file: room for the date, the target and every role, at least."""
        return max(self.max_file_columns, self.max_columns + 2)
