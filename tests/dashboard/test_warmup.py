"""Warm workers (dashboard/warmup.py): compile caches in the private data directory, a warm-up that leaves
the Bayesian model compiled, and the Celery hook that starts it."""

import stat

import pytest

import models
from dashboard import warmup


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_compile_caches_go_into_the_private_data_dir(tmp_path):
    data_dir = tmp_path / "data"
    env = {"PYTENSOR_FLAGS": "blas__ldflags=-lopenblas"}
    root = warmup.use_data_dir_caches(data_dir, env)
    assert root == data_dir / "compile"
    flags = dict(item.split("=", 1) for item in env["PYTENSOR_FLAGS"].split(","))
    assert flags == {"blas__ldflags": "-lopenblas", "base_compiledir": str(root / "pytensor")}
    assert env["NUMBA_CACHE_DIR"] == str(root / "numba")
    for path in (data_dir, root, root / "pytensor", root / "numba"):
        assert path.is_dir() and mode(path) == 0o700, path


def test_the_data_dir_comes_from_the_settings_and_the_operators_choice_stays(tmp_path):
    env = {"MMM_DATA_DIR": str(tmp_path / "d"), "SECRET_KEY": "s", "NUMBA_CACHE_DIR": "/elsewhere"}
    root = warmup.use_data_dir_caches(env=env)
    assert root == tmp_path / "d" / "compile" and mode(root) == 0o700
    assert env["PYTENSOR_FLAGS"] == f"base_compiledir={root / 'pytensor'}"
    assert env["NUMBA_CACHE_DIR"] == "/elsewhere"
    env = {"PYTENSOR_FLAGS": "base_compiledir=/mine", "SECRET_KEY": "s"}
    warmup.use_data_dir_caches(tmp_path / "e", env)
    assert env["PYTENSOR_FLAGS"] == "base_compiledir=/mine"


def test_warm_up_can_be_turned_off():
    assert warmup.enabled({}) and warmup.enabled({"MMM_WARM_UP": "1"})
    assert not warmup.enabled({"MMM_WARM_UP": "0"})


def test_the_celery_hook_starts_the_warm_up_in_each_pool_process(monkeypatch):
    from celery import signals

    started = []
    monkeypatch.setattr(warmup, "start_in_background", lambda: started.append(True))
    try:
        warmup.connect()
        warmup.connect()  # a second app in the same process: still one receiver
        signals.worker_process_init.send(sender=None)
    finally:
        signals.worker_process_init.disconnect(dispatch_uid=warmup.HOOKS[0])
        signals.worker_ready.disconnect(dispatch_uid=warmup.HOOKS[1])
    assert started == [True]


@pytest.mark.slow
def test_warm_up_leaves_the_model_compiled(monkeypatch):
    """After warm_up() a fit of demo-shaped data reuses its compiled graph: no compile, whatever its length.

    About 15 s of CPU with PyTensor's disk caches warm (the other Bayesian tests fill them), 60 s cold."""
    from models.families.bayesian import sampling

    monkeypatch.setattr(sampling, "COMPILED", {})  # this process's compiled graphs, emptied for the test
    assert warmup.warm_up() > 0
    assert len(sampling.COMPILED) == 1
    frame, roles = warmup.warm_data(150)
    model = models.fit("bayesian", frame, roles, holdout=0.1, cv_folds=0, tune=20, draws=10)
    assert model.diagnostics["compile_seconds"] < 1.0
    assert len(sampling.COMPILED) == 1
