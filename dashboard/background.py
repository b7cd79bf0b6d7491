"""Background jobs on Celery without the user's request in the broker.

Dash hands a background callback's whole request context (cookies, headers, the client's address, the
URL) and its arguments (the session token among them) to Celery, whose messages sit in Redis (in
``unacked``, with no expiry, after a crash). :class:`PrivateCeleryManager` keeps only what a job needs:

- the context loses ``cookies``, ``headers``, ``remote``, ``origin``, ``path`` and ``args``;
- every argument that is a session token this server issued becomes a one-time *ticket*: a random string
  whose token waits in the session store (opaque key, expires with the session). The job trades the
  ticket back (:meth:`dashboard.store.SessionStore.session_or_none` accepts both), so the message names
  no session.
"""

from __future__ import annotations

import dash

from dashboard.store import SessionStore

PRIVATE_CONTEXT = ("cookies", "headers", "remote", "origin", "path", "args")


class PrivateCeleryManager(dash.CeleryManager):
    """A CeleryManager whose task messages hold no request data and no session token."""

    def __init__(self, celery_app, store: SessionStore | None = None, **kwargs):
        super().__init__(celery_app, **kwargs)
        self.store = store  # set by create_app once the store exists

    def call_job_fn(self, key, job_fn, args, context):
        context = {name: value for name, value in dict(context).items() if name not in PRIVATE_CONTEXT}
        if self.store is not None:
            args = self._ticketed(args)
        return super().call_job_fn(key, job_fn, args, context)

    def _ticketed(self, args):
        if isinstance(args, dict):
            return {name: self._ticket_for(value) for name, value in args.items()}
        return [self._ticket_for(value) for value in args]

    def _ticket_for(self, value):
        if isinstance(value, str) and self.store.session_or_none(value) is not None:
            return self.store.issue_ticket(value)
        return value
