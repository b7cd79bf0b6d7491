"""Fitted models shared by the engine's tests: each family fitted once per session on the shipped demo data.

The contract, family and planning tests all read the same fits (``demo_fit(name)``), so a test run fits
ridge, LightGBM and XGBoost with their defaults and the Bayesian model with short chains once each, and
only when a test asks for that family. The fits are shared: a test that changes a model works on a copy
(``model._clone_with_state()``) or refits its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

import models
from models.data import read_upload
from models.datasets import load_demo_bytes

# Defaults for the point models; the Bayesian model with short chains (its defaults take minutes here).
FIT_OPTIONS = {"ridge": {}, "lightgbm": {}, "xgboost": {}, "bayesian": {"draws": 300, "tune": 300, "chains": 2}}
HOLDOUT = 0.1
# One fixture parameter per family; the Bayesian one compiles and samples, tens of seconds.
FAMILY_PARAMS = [pytest.param(n, marks=pytest.mark.slow) if n == "bayesian" else n for n in models.MODEL_NAMES]


@dataclass
class DemoFit:
    """A family fitted on the demo, with every progress report ``(seconds, fraction, message)`` it made."""

    model: object
    progress: list[tuple[float, float, str]] = field(default_factory=list)


@pytest.fixture(scope="session")
def demo():
    """The shipped demo data as an upload: ``(frame, roles)``."""
    upload = read_upload(load_demo_bytes(), "demo_daily.csv")
    return upload.frame, upload.roles


class DemoFits:
    """Each family fitted on the demo (:data:`FIT_OPTIONS`, random_state 0) on first use, then kept."""

    def __init__(self, frame, roles):
        self.frame, self.roles = frame, roles
        self.fits: dict[str, DemoFit] = {}

    def __call__(self, name: str) -> DemoFit:
        if name not in self.fits:
            self.fits[name] = self.fresh(name)
        return self.fits[name]

    def fresh(self, name: str) -> DemoFit:
        """A new fit with the same data, options and seed (not kept)."""
        record = DemoFit(model=None)
        record.model = models.fit(
            name,
            self.frame,
            self.roles,
            holdout=HOLDOUT,
            random_state=0,
            progress=lambda f, m: record.progress.append((time.perf_counter(), f, m)),
            **FIT_OPTIONS[name],
        )
        return record


@pytest.fixture(scope="session")
def demo_fit(demo) -> DemoFits:
    """``demo_fit(name)``: family ``name`` fitted once per session on the demo; ``demo_fit.fresh(name)`` refits."""
    return DemoFits(*demo)


@pytest.fixture(params=FAMILY_PARAMS)
def fitted(request, demo_fit):
    """Every registered family in turn, fitted on the demo."""
    return demo_fit(request.param).model
