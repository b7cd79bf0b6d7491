"""Browser tests (dash.testing in headless Chromium): a fresh app per test, the `browser` marker on every
test here, and a fit held in the background job until the test lets it go."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import models
from dashboard import create_app
from dashboard.settings import Settings

BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_TESTS in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def app_settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", secret_key="browser-test-secret", sweep_interval=3600)


@pytest.fixture
def dash_app(app_settings):
    app = create_app(app_settings)
    yield app
    app.session_store.stop_sweeper()


@pytest.fixture
def held_fit(monkeypatch, tmp_path) -> Path:
    """A gate (a file path): ``models.fit`` in the background job reports progress ("Trial n") until the test
    creates the file, then fits for real. The job is forked from this process, so it runs the patched fit;
    the test acts while a fit runs without guessing how long a real one takes."""
    gate, real_fit = tmp_path / "fit-gate", models.fit

    def held(name, frame, roles, progress=None, **options):
        waiting, step = threading.Event(), 0
        while not gate.exists():
            step += 1
            progress(min(step / 2000, 0.5), f"Trial {step}")
            waiting.wait(0.05)  # the simulated work of one trial
        return real_fit(name, frame, roles, progress=progress, **options)

    monkeypatch.setattr(models, "fit", held)
    return gate


@pytest.fixture
def held_intervals(monkeypatch, tmp_path):
    """A gate for the bootstrap stage of a point fit: ``estimate_intervals`` reports "Bootstrap refit n of 30"
    until the test creates the file (a test that cancels never does), then estimates for real."""
    from models.families.bootstrap import BootstrapMMM

    gate, real = tmp_path / "intervals-gate", BootstrapMMM.estimate_intervals

    def held(self, replicates=None, progress=None):
        waiting, step = threading.Event(), 0
        while not gate.exists():
            step = step % 30 + 1
            progress(step / 30, f"Bootstrap refit {step} of 30")
            waiting.wait(0.1)
        return real(self, replicates=replicates, progress=progress)

    monkeypatch.setattr(BootstrapMMM, "estimate_intervals", held)
    yield gate
    gate.touch()  # a job the test did not cancel finishes, so nothing is left waiting
