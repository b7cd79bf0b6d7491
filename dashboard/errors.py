"""When the server's stores cannot be reached (Redis down, a full disk) or a callback fails: a clear page or
message in words, never a traceback, and recovery on its own once the store answers again.

- ``GET /`` asks the session store first; unreachable, it answers 503 with a short page that tries again
  every 30 seconds (no script: the CSP allows none inline).
- Any other request that fails on an unreachable store answers the same 503 page.
- A callback that raises (the store went away while the page was open) shows a notice at the top of the page
  (App.NOTICE) through Dash's ``on_error`` hook; the page keeps working, and the notice goes once the store
  answers again (dashboard/session.py asks now and then).
"""

from __future__ import annotations

import logging

import redis.exceptions
from dash import set_props
from flask import Response, request
from kombu.exceptions import OperationalError

from dashboard.ids import App
from dashboard.store import SessionStore
from dashboard.ui import alert

log = logging.getLogger(__name__)
# A store that does not answer: Redis (sessions, job results), its broker connection (Celery), the disk.
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OperationalError, OSError)
STORE_DOWN = (
    "The dashboard cannot reach its data store right now, so this action did not run. Nothing you saved is "
    "lost: try again in a minute."
)
FAILED = "Something went wrong on the server and this action did not run. Try again; if it keeps happening, reload."
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>MMM Dashboard: back soon</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1 style="font-size: 1.4rem">The dashboard cannot reach its data store right now</h1>
<p>Nothing you saved is lost. This page tries again every 30 seconds and opens the dashboard as soon as
the store answers.</p></body></html>"""


def unreachable_page() -> Response:
    return Response(PAGE, status=503, mimetype="text/html", headers={"Retry-After": "30"})


def guard(server, store: SessionStore) -> None:
    """The 503 page for the page load and any request that finds the store unreachable."""

    @server.before_request
    def _store_answers():
        if request.path == "/":
            store.ping()  # raises one of UNREACHABLE when the store is down

    for error in UNREACHABLE:
        server.register_error_handler(error, _unreachable)


def _unreachable(error):
    log.error("the session store did not answer (%s) on %s %s", type(error).__name__, request.method, request.path)
    return unreachable_page()


def callback_error(error: Exception) -> None:
    """Dash's ``on_error`` hook: the notice in words; the callback's outputs stay as they were."""
    down = isinstance(error, UNREACHABLE)
    log.error("a callback failed with %s", type(error).__name__)  # the type only: messages may hold data
    set_props(App.NOTICE, {"children": alert(STORE_DOWN if down else FAILED, "danger", "mb-3", dismissable=True)})
