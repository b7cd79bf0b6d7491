"""App settings pointing at a private temporary directory."""

import pytest

from dashboard.settings import Settings


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret", session_ttl=3600, sweep_interval=3600)
