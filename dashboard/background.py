"""Background jobs: on Celery without the user's request in the broker; embedded, with expiring results and
no zombie processes.

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

import functools
import os
import stat
import threading

import dash
import diskcache

from dashboard.store import SessionStore

PRIVATE_CONTEXT = ("cookies", "headers", "remote", "origin", "path", "args")
# A fit is batch work: on the embedded default it shares the web workers' cores, and at equal priority two
# fits held both cores while page requests waited seconds (bench/load.py). Niceness 10: requests go first.
JOB_NICENESS = 10


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


class JobCache(diskcache.Cache):
    """The embedded default's job store (a diskcache): what Dash's jobs write without an expiry (results,
    progress) expires after ``default_expire`` seconds, the session's TTL, so the result of a job nobody
    collects (a closed tab) does not stay on disk. :meth:`diskcache.Cache.expire` (the session sweeper calls
    it) deletes expired entries. Dash's signing secret is written with ``add`` and stays."""

    def __init__(self, directory=None, timeout=60, disk=diskcache.Disk, default_expire: float | None = None, **kw):
        super().__init__(directory, timeout, disk, **kw)
        self.default_expire = default_expire

    def set(self, key, value, expire=None, read=False, tag=None, retry=True):
        # retry: a write that finds the database locked past ``timeout`` tries again instead of raising
        # diskcache.Timeout, which lost a finished fit's result under load (bench/load.py, 20 users).
        expire = self.default_expire if expire is None else expire
        return super().set(key, value, expire=expire, read=read, tag=tag, retry=retry)

    def __getstate__(self):  # a job process that unpickles the cache keeps the expiry
        return (*super().__getstate__(), self.default_expire)

    def __setstate__(self, state):
        self.__init__(*state)


class ReapingDiskcacheManager(dash.DiskcacheManager):
    """Dash's DiskcacheManager, whose job processes let go of the web worker's sockets and are reaped at once.

    Dash forks each job with ``multiprocess`` from a web worker: the child inherited every open socket (the
    listening one and each client's kept-alive connection), so a connection the worker closed stayed open
    in the job, and the browser's next request on it waited unread until the job ended (measured under load:
    bench/load.py). The job closes them first. And Dash reaps a job only when its result is collected or the
    next job starts, so a job whose tab closed stayed a zombie process. Jobs run at a lower CPU priority than
    the web workers (:data:`JOB_NICENESS`), so the pages stay quick while fits run."""

    def call_job_fn(self, key, job_fn, args, context):
        from multiprocess import Process  # Dash's own choice: dill pickles the callback's closures

        target = functools.partial(as_background_process, job_fn)
        process = Process(target=target, args=(key, self._make_progress_key(key), args, context))
        process.start()
        threading.Thread(target=process.join, name=f"reap-{process.pid}", daemon=True).start()
        return process.pid


def as_background_process(job_fn, *args):
    """Close the sockets a forked job inherited from the web worker (it needs none: the embedded stores are
    files), step down to :data:`JOB_NICENESS`, then run the job."""
    os.nice(max(0, JOB_NICENESS - os.nice(0)))
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
        fd = int(name)
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:  # the directory's own descriptor, already closed
            pass
    return job_fn(*args)
