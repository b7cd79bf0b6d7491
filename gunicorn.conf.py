"""Gunicorn settings for the web process (Procfile: ``gunicorn -c gunicorn.conf.py wsgi:server``).

A connection that never finishes its headers must not hold a whole worker: with the former 2 sync workers,
two such sockets took the app offline. See ``worker_class`` below. Each setting can be changed from the
environment: WEB_WORKER_CLASS, WEB_CONCURRENCY (worker processes), WEB_THREADS (threads each, gthread),
WEB_CONNECTIONS (gevent), WEB_TIMEOUT (seconds), PORT (Heroku sets it).
"""

import os

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
accesslog = None  # request lines carry no user data, but nothing needs them: the router logs requests
