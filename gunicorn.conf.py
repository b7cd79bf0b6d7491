"""Gunicorn settings for the web process (Procfile: ``gunicorn -c gunicorn.conf.py wsgi:server``).

A connection that never finishes its headers must not hold a whole worker: with the former 2 sync workers,
two such sockets took the app offline. See ``worker_class`` below. Each setting can be changed from the
environment: WEB_WORKER_CLASS, WEB_CONCURRENCY (worker processes), WEB_THREADS (threads each, gthread),
WEB_CONNECTIONS (gevent), WEB_TIMEOUT (seconds), PORT (Heroku sets it).

Embedded default (no REDIS_URL): once the server is up, ``when_ready`` starts ``python -m dashboard.warmup``, a
separate low-priority process that fills the Bayesian model's compile caches in MMM_DATA_DIR (empty after a
restart on a fresh file system), so the first fit forked from a worker does not compile from scratch
(bench/RESULTS.md, "Warm workers"). MMM_WARM_UP=0 turns it off.
"""

import os
import subprocess
import sys

bind = f"0.0.0.0:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# With REDIS_URL the fits run in the Celery worker and the web process only answers requests: gevent
# serves each connection as a greenlet, so hundreds of slow clients cost memory, not workers. Without it
# (the embedded default) fits are forked from the web process, which gevent's patched threads do not
# survive: threads, where each worker serves WEB_THREADS slow clients before it queues (defer: 5 s idle).
worker_class = os.environ.get("WEB_WORKER_CLASS") or ("gevent" if os.environ.get("REDIS_URL") else "gthread")
worker_connections = int(os.environ.get("WEB_CONNECTIONS", "1000"))  # gevent: open connections per worker
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))  # a request's worker thread is recycled after this
graceful_timeout = 20
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")  # Heroku's router sets X-Forwarded-*
control_socket_disable = True  # gunicorn's admin socket: unused, and one path per user shared by every instance
accesslog = None  # request lines carry no user data, but nothing needs them: the router logs requests

_warm_up = None  # the warm-up process (embedded default), stopped with the server if still running


def when_ready(server):
    global _warm_up
    if os.environ.get("REDIS_URL") or os.environ.get("MMM_WARM_UP", "1").strip() == "0":
        return  # with Redis the fits run in the Celery worker, which warms up itself (dashboard/warmup.py)
    here = os.path.dirname(os.path.abspath(__file__))
    _warm_up = subprocess.Popen([sys.executable, "-m", "dashboard.warmup"], cwd=here, stdin=subprocess.DEVNULL)
    server.log.info("Warming the Bayesian model's compile caches (pid %s)", _warm_up.pid)


def on_exit(server):
    if _warm_up is not None and _warm_up.poll() is None:
        _warm_up.terminate()
