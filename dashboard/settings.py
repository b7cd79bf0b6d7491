"""Settings from the environment, with safe local defaults (no external services needed)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from models.data import Limits


@dataclass(frozen=True)
class Settings:
    """Everything the app factory needs; build it with :meth:`from_env` or directly in tests."""

    data_dir: Path
    secret_key: str
    redis_url: str | None = None
    session_ttl: int = 2 * 60 * 60
    sweep_interval: int = 60
    limits: Limits = field(default_factory=Limits)
    debug: bool = False
    max_fits: int = 2  # fits running at once on this server (more wait in line); one per session

    @property
    def cache_dir(self) -> Path:
        """Private directory of the FileSystemCache session store."""
        return self.data_dir / "sessions"

    @property
    def jobs_dir(self) -> Path:
        """Fixed diskcache directory shared by every worker for background jobs."""
        return self.data_dir / "jobs"

    @property
    def max_request_bytes(self) -> int:
        """Largest request Flask accepts: the upload arrives base64-encoded (4/3 larger) inside JSON."""
        return self.limits.max_bytes * 4 // 3 + 1_000_000

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        """Read MMM_* variables, SECRET_KEY and REDIS_URL; see the README for each."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("MMM_DATA_DIR") or Path.home() / ".cache" / "mmm-dashboard")
        make_private_dir(data_dir)
        limits = Limits(
            max_bytes=int(env.get("MMM_MAX_UPLOAD_MB", "10")) * 1_000_000,
            max_rows=int(env.get("MMM_MAX_ROWS", "20000")),
            max_columns=int(env.get("MMM_MAX_COLUMNS", "60")),
            min_rows=int(env.get("MMM_MIN_ROWS", "30")),
        )
        return cls(
            data_dir=data_dir,
            secret_key=env.get("SECRET_KEY") or local_secret(data_dir),
            redis_url=env.get("REDIS_URL") or None,
            session_ttl=int(env.get("MMM_SESSION_TTL", str(2 * 60 * 60))),
            sweep_interval=int(env.get("MMM_SWEEP_INTERVAL", "60")),
            limits=limits,
            debug=env.get("MMM_DEBUG", "") == "1",
            max_fits=max(1, int(env.get("MMM_MAX_FITS", "2"))),
        )


def make_private_dir(path: Path) -> Path:
    """Create ``path`` readable by this user only (mode 0700), tightening it if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def local_secret(data_dir: Path) -> str:
    """A secret kept in the private data dir, so every worker on this machine signs alike."""
    path = data_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
