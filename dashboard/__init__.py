"""The web app: ``create_app(settings)`` builds a Dash app around the ``models`` engine.

Laid out by tab (``dashboard/tabs/{data,explore,models,plan}/``: layout, callbacks, views, state), with the
page shell (``layout.py``), the page-load restore (``session.py``), shared HTML pieces (``ui.py``), pure figure
builders (``figures/``), every component id (``ids.py``) and the session store (``store.py``) beside them.
"""

from __future__ import annotations

from pathlib import Path

import dash
from flask_caching import Cache

from dashboard import session, warmup
from dashboard.background import JobCache, PrivateCeleryManager, ReapingDiskcacheManager
from dashboard.errors import callback_error, guard
from dashboard.http import harden
from dashboard.jobs import FitSlots
from dashboard.layout import PAGE, serve_layout
from dashboard.settings import Settings, make_private_dir
from dashboard.store import SessionStore
from dashboard.tabs.data import callbacks as data_tab
from dashboard.tabs.explore import callbacks as explore_tab
from dashboard.tabs.models import callbacks as models_tab
from dashboard.tabs.models.fits import STALE_AFTER
from dashboard.tabs.plan import callbacks as plan_tab
from dashboard.tabs.share import callbacks as share_tab

ASSETS = Path(__file__).resolve().parent.parent / "assets"
UNISSUED_TOKEN = "validation-only"  # not signed by any server: the store refuses it


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Wire settings, session store, background jobs, layout and callbacks into a new app."""
    settings = settings or Settings.from_env()
    make_private_dir(settings.cache_dir)
    make_private_dir(settings.jobs_dir)
    manager, celery_app = background_manager(settings)
    app = dash.Dash(
        __name__,
        assets_folder=str(ASSETS),
        title="MMM Dashboard",
        index_string=PAGE,
        update_title=None,
        background_callback_manager=manager,
        on_error=callback_error,  # a callback that raises: a notice in words (dashboard/errors.py)
    )
    server = app.server
    server.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_request_bytes)
    cache = Cache(config=cache_config(settings))
    cache.init_app(server)
    store = SessionStore(cache, settings.secret_key, settings.session_ttl)
    if isinstance(manager, PrivateCeleryManager):
        manager.store = store  # it swaps session tokens for tickets in task messages
    # Dash validates callbacks against a layout it would otherwise build (and send to every visitor of this
    # process, inside GET /) with a real session token: give it one with a token no server issued.
    app.validation_layout = serve_layout(UNISSUED_TOKEN, settings)
    app.layout = lambda: serve_layout(store.new_session(), settings)
    data_tab.register(app, store, settings)
    explore_tab.register(app, store)
    models_tab.register(app, store, FitSlots(store, settings.max_fits, stale_after=STALE_AFTER))
    plan_tab.register(app, store)
    share_tab.register(app, store)
    session.register(app, store)
    guard(server, store)  # an unreachable store: a 503 page in words, then recovery
    harden(app)  # after every callback: the CSP hashes Dash's inline scripts
    # Every worker sweeps: expired sessions (file-system store) and expired job results (embedded jobs).
    store.start_sweeper(settings.sweep_interval, also=[manager.handle.expire] if settings.redis_url is None else [])
    app.session_store = store  # for tests and the jobs that later read sessions
    app.celery_app = celery_app  # the worker's entry point when REDIS_URL is set (see Procfile)
    set_up_before_serving(app)
    return app


def set_up_before_serving(app: dash.Dash) -> None:
    """Run Dash's once-per-process server setup now, in one thread, before any request can race it.

    Dash sets up on the first request and marks itself done *before* the work (plotly/dash#3971): on a
    threaded worker (gunicorn gthread) a concurrent first request then finds no registered scripts and
    the page's bundles answer 404, leaving the page on "Loading..." for good. The setup is one of Flask's
    ``before_request`` hooks: run them for the favicon's path (no store read), without serving a request,
    so Flask still accepts hooks added after this (tests, bench/load_record.py).
    """
    with app.server.test_request_context("/_favicon.ico"):
        app.server.preprocess_request()


def background_manager(settings: Settings):
    """Celery on Redis when REDIS_URL is set (jobs survive web restarts, scale out); else diskcache."""
    if settings.redis_url:
        from celery import Celery

        celery_app = Celery(__name__, broker=settings.redis_url, backend=settings.redis_url)
        celery_app.conf.update(
            worker_prefetch_multiplier=1,
            # Acknowledge on receipt: a fit whose worker dies is not redelivered an hour later (kombu's
            # visibility timeout) to run for nobody; the page's pulse reports it lost within about 30 s.
            task_acks_late=False,
            task_reject_on_worker_lost=False,
            broker_transport_options={"visibility_timeout": 60},
            result_expires=settings.session_ttl,  # a job's result lives no longer than the session's data
            worker_hijack_root_logger=False,
        )
        warmup.connect(celery_app)  # each pool process compiles the Bayesian model as it starts (dashboard/warmup.py)
        return PrivateCeleryManager(celery_app), celery_app
    return ReapingDiskcacheManager(JobCache(str(settings.jobs_dir), default_expire=settings.session_ttl)), None


def cache_config(settings: Settings) -> dict:
    """RedisCache when REDIS_URL is set, else a FileSystemCache in the private data directory."""
    common = {"CACHE_DEFAULT_TIMEOUT": settings.session_ttl}
    if settings.redis_url:
        return {
            **common,
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": settings.redis_url,
            "CACHE_KEY_PREFIX": "mmm:",
            # A Redis that stops answering fails a request in seconds (a notice in words), never hangs it.
            "CACHE_OPTIONS": {"socket_timeout": 10, "socket_connect_timeout": 5, "health_check_interval": 30},
        }
    # Threshold 0: never evict live sessions to make room; the sweeper removes expired files instead.
    return {
        **common,
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": str(settings.cache_dir),
        "CACHE_THRESHOLD": 0,
        "CACHE_OPTIONS": {"mode": 0o600},
    }
