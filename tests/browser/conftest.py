"""A fresh app per test, with its own private data directory."""

import pytest

from dashboard import create_app
from dashboard.settings import Settings


@pytest.fixture
def app_settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", secret_key="browser-test-secret", sweep_interval=3600)


@pytest.fixture
def dash_app(app_settings):
    app = create_app(app_settings)
    yield app
    app.session_store.stop_sweeper()
