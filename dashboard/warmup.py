"""Warm workers: the Bayesian model's compile caches in the data directory, and a tiny fit at start.

A process's first Bayesian fit pays for importing PyMC, PyTensor, nutpie and ArviZ, for PyTensor's C
compilation and numba's JIT (both cached on disk, by default in ``~/.pytensor``, which is empty after a
restart on a fresh file system) and for compiling the model's graph, which the process then keeps in memory
(:data:`models.families.bayesian.sampling.COMPILED`, one per graph shape). Measured in
``bench/RESULTS.md`` ("Warm workers": on 5,000 days, 84-100 s cold, 42-44 s warm). Four pieces take that off
the first user's fit:

- :func:`use_data_dir_caches` puts PyTensor's compile directory and numba's cache under
  ``<MMM_DATA_DIR>/compile`` (mode 0700), so a server whose data directory persists keeps them across
  restarts. PyTensor and numba read these settings once, when first imported, so call it before anything
  imports them: first thing in ``wsgi.py`` (the entry point of gunicorn and of the Celery worker), before
  ``create_app`` is imported. Importing ``dashboard`` is fine: neither is imported at web start-up.
- :func:`warm_up` runs a tiny Bayesian fit (the first :data:`WARM_ROWS` days of the demo data, the
  dashboard's default options, a few draws): every import, JIT and disk cache is warm afterwards, and the
  graph of demo-shaped data (6 channels, 2 controls, daily) is compiled in this process.
- :func:`connect` hooks it to the Celery worker: each pool process (where fits run) warms up in a
  background thread as it starts, so the worker takes tasks at once; a fit that arrives meanwhile waits for
  the compile under way (``sampling._COMPILE_LOCK``) and reuses it when its graph has the same shape.
- :func:`main` (``python -m dashboard.warmup``) is the embedded default's: ``gunicorn.conf.py`` starts it
  once the web server is up, a separate low-priority process that leaves only the disk caches behind. Its
  fits are forked from the web workers, which therefore must not warm up themselves: a fork while a warm-up
  thread holds numba's compiler lock would hang, and a warmed process holds about 620 MB more.

Data of another shape still compiles its own graph (about 17 s after the warm-up, 34 s cold).
``MMM_WARM_UP=0`` turns the warm-up off (the caches stay in the data directory).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import MutableMapping
from pathlib import Path

log = logging.getLogger(__name__)

WARM_UP_ENV = "MMM_WARM_UP"  # "0" turns the warm-up off
WARM_ROWS = 120  # days of the demo data the warm-up fits (the graph's shape does not depend on it)
WARM_TUNE, WARM_DRAWS = 30, 10  # per chain: enough to run every step of a fit, not to converge
WARM_NICE = 10  # the warm-up yields the CPU to fits and to the web workers
HOOKS = ("mmm-warm-up-process", "mmm-warm-up-ready")  # dispatch_uid of the Celery receivers (connect)
_threads: dict[int, threading.Thread] = {}  # the warm-up thread started in each process, by pid
_threads_lock = threading.Lock()


def compile_dir(data_dir: Path | str) -> Path:
    """Where the compile caches live: ``<data_dir>/compile`` (``pytensor/`` and ``numba/`` in it)."""
    return Path(data_dir) / "compile"


def use_data_dir_caches(data_dir: Path | str | None = None, env: MutableMapping[str, str] | None = None) -> Path:
    """Point PyTensor's compile directory and numba's cache at :func:`compile_dir` (each mode 0700).

    Sets ``base_compiledir`` in ``PYTENSOR_FLAGS`` (PyTensor's C modules and its numba cache go under it)
    and ``NUMBA_CACHE_DIR``, in ``env`` (``os.environ`` by default; child processes inherit them). A
    setting already made by the operator (``base_compiledir`` in ``PYTENSOR_FLAGS``, ``NUMBA_CACHE_DIR``) is
    kept. ``data_dir`` defaults to the settings' (``MMM_DATA_DIR``). Must run before PyTensor or numba is
    imported in this process (it logs a warning otherwise, and only child processes that import them
    afresh would follow): call it first thing in ``wsgi.py``. Returns the compile directory.
    """
    from dashboard.settings import Settings, make_private_dir

    env = os.environ if env is None else env
    data_dir = make_private_dir(Path(data_dir)) if data_dir is not None else Settings.from_env(env).data_dir
    root = make_private_dir(compile_dir(data_dir))
    pytensor_dir, numba_dir = make_private_dir(root / "pytensor"), make_private_dir(root / "numba")
    flags = env.get("PYTENSOR_FLAGS", "")
    keys = {item.split("=", 1)[0].strip() for item in flags.split(",") if item.strip()}
    if "base_compiledir" not in keys:
        if "," in str(pytensor_dir) or "=" in str(pytensor_dir):  # PYTENSOR_FLAGS is key=value,key=value
            log.warning("PyTensor's compile cache stays in its default place: %s has a ',' or '='", pytensor_dir)
        else:
            env["PYTENSOR_FLAGS"] = ",".join(part for part in (flags, f"base_compiledir={pytensor_dir}") if part)
    env.setdefault("NUMBA_CACHE_DIR", str(numba_dir))
    late = [name for name in ("pytensor", "numba") if name in sys.modules]
    if env is os.environ and late:
        log.warning("%s already imported: this process keeps its compile caches where they were", " and ".join(late))
    return root


def enabled(env: MutableMapping[str, str] | None = None) -> bool:
    """Whether the warm-up runs (``MMM_WARM_UP`` is not "0")."""
    return (os.environ if env is None else env).get(WARM_UP_ENV, "1").strip() != "0"


def warm_data(rows: int = WARM_ROWS):
    """``(frame, roles)``: the first ``rows`` days of the demo data, read as an upload is."""
    from models.data import read_upload
    from models.datasets import load_demo_bytes

    upload = read_upload(load_demo_bytes(), "demo.csv")
    return upload.frame.head(rows).reset_index(drop=True), upload.roles


def warm_up(frame=None, roles=None, **options) -> float:
    """Run a tiny Bayesian fit so that this process's imports, JIT and compile caches are warm; its seconds.

    Defaults: :func:`warm_data`, the model's default options (those the dashboard starts from), a 10%
    holdout as the dashboard's, no cross-validation refits and :data:`WARM_TUNE` + :data:`WARM_DRAWS`
    iterations per chain (neither changes the compiled graph). ``options`` go to the model (e.g.
    ``saturation="logistic"`` to compile that graph too). Raises what the fit raises.
    """
    import models

    if frame is None:
        frame, roles = warm_data()
    options = {"cv_folds": 0, "tune": WARM_TUNE, "draws": WARM_DRAWS, **options}
    start = time.perf_counter()
    models.fit("bayesian", frame, roles, holdout=0.1, **options)
    return time.perf_counter() - start


def _warm_up_logged() -> None:
    """:func:`warm_up` at low priority (:data:`WARM_NICE`), logged; a failure is logged, never raised."""
    try:
        os.nice(WARM_NICE)  # on Linux this thread's only (and the sampler threads it starts): fits come first
    except OSError:
        pass
    try:
        seconds = warm_up()
    except Exception:  # a failed warm-up costs the first fit its compile, nothing else
        log.exception("Warm-up of the Bayesian model failed; the first fit will compile it")
        return
    log.info("Bayesian model warmed up in %.1f s (pid %d)", seconds, os.getpid())


def start_in_background() -> threading.Thread | None:
    """Run :func:`warm_up` in a daemon thread of this process, at low priority, once per process; None when
    ``MMM_WARM_UP=0``.

    Never fork this process while the thread runs: the child would inherit the locks it holds (numba's
    compiler lock, the model's compile lock) and hang on them. Celery's pool processes do not fork.
    """
    if not enabled():
        return None
    with _threads_lock:
        thread = _threads.get(os.getpid())
        if thread is None:
            thread = threading.Thread(target=_warm_up_logged, name="mmm-warm-up", daemon=True)
            _threads[os.getpid()] = thread
            thread.start()
        return thread


def connect(celery_app=None) -> None:
    """Warm up the Celery worker's processes as they start (``celery_app`` only documents which app).

    Prefork pool (the Procfile's): each pool process, where tasks run, starts :func:`start_in_background`
    on ``worker_process_init``; Celery kills a pool process whose start takes over 4 s
    (``worker_proc_alive_timeout``), hence the thread. Other pools (solo, threads) are not warmed up.
    Connected once per process, whatever the number of apps.
    """
    from celery import signals

    signals.worker_process_init.connect(_on_process_init, weak=False, dispatch_uid=HOOKS[0])


def _on_process_init(**_kwargs) -> None:
    start_in_background()


def main() -> None:
    """``python -m dashboard.warmup``: fill this machine's compile caches in the data directory, at low priority.

    The embedded default's web server starts it once (``gunicorn.conf.py``, ``when_ready``): its fits are
    forked from the web workers, which must not hold a half-done warm-up (see :func:`start_in_background`),
    so the warm-up runs in a process of its own and leaves only the disk caches behind.
    """
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s [%(process)d] [warm-up] %(message)s")
    log.setLevel(logging.INFO)  # its own start and end; the libraries' chatter only from warnings up
    if not enabled():
        return
    use_data_dir_caches()
    _warm_up_logged()


if __name__ == "__main__":
    main()
