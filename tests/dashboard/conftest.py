"""Shared fixtures of the dashboard tests: private settings, apps, a session with data, a session with a fit."""

from __future__ import annotations

import pytest

from dashboard import create_app
from dashboard.settings import Settings
from dashboard.tabs.data.callbacks import ingest
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.job import fit_job
from dashboard.tabs.plan.state import FitKey, fitted_families
from models.datasets import load_demo_bytes
from tests.dashboard.helpers import RIDGE, XGBOOST


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret", session_ttl=3600, sweep_interval=3600)


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
    app.session_store.stop_sweeper()


@pytest.fixture
def demo(app, settings):
    """(app, store, token) of a session that holds the demo data."""
    store = app.session_store
    token = store.new_session()
    ingest(store, store.session_id(token), load_demo_bytes(), "demo.csv", settings)
    return app, store, token


@pytest.fixture(scope="session")
def planned(tmp_path_factory):
    """(app, key of the fit, fits, token): a session with the demo data and a small ridge fit, shared by the
    tests that only read it (or put back what they change)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("plan") / "data", secret_key="s", sweep_interval=3600)
    app = create_app(settings)
    store = app.session_store
    token = store.new_session()
    sid = store.session_id(token)
    ingest(store, sid, load_demo_bytes(), "demo.csv", settings)
    assert "error" not in fit_job(store, "ridge", token, 10, RIDGE, lambda _: None)
    version = load_dataset(store, sid).version
    fits = fitted_families(store, sid, version)
    yield app, FitKey(sid, "ridge", version, fits["ridge"]["stamp"]), fits, token
    store.stop_sweeper()


@pytest.fixture(scope="session")
def compared(tmp_path_factory):
    """(app, token, sid, version): a session with the demo data, a ridge and an XGBoost fit, each with its
    intervals and checks, for the leaderboard and the Plan tab's recommendation (read only)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("compare") / "data", secret_key="c", sweep_interval=3600)
    app = create_app(settings)
    store = app.session_store
    token = store.new_session()
    sid = store.session_id(token)
    ingest(store, sid, load_demo_bytes(), "demo.csv", settings)
    for family, form in (("ridge", RIDGE), ("xgboost", XGBOOST)):
        assert "error" not in fit_job(store, family, token, 10, form, lambda _: None)
    yield app, token, sid, load_dataset(store, sid).version
    store.stop_sweeper()
