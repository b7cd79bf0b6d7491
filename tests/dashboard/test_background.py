"""The embedded default's background jobs: finished job processes are reaped at once (no zombies), and what
the jobs write expires with the session."""

from __future__ import annotations

import pickle
import time

import psutil
from dash.testing.wait import until

from dashboard.background import JOB_NICENESS, JobCache, ReapingDiskcacheManager


def quick_job(result_key, progress_key, args, context):
    """A job that ends at once without anyone collecting its result (the tab was closed)."""


def reaped(pid: int) -> bool:
    """True once the process is out of the process table (a zombie is still in it)."""
    try:
        psutil.Process(pid)
    except psutil.NoSuchProcess:
        return True
    return False


def test_a_finished_job_leaves_no_zombie_process(tmp_path):
    manager = ReapingDiskcacheManager(JobCache(str(tmp_path / "jobs"), default_expire=60))
    pid = manager.call_job_fn("key", quick_job, [], {})
    until(lambda: reaped(pid), timeout=10)  # a zombie stays in the process table until reaped
    assert not any(child.status() == psutil.STATUS_ZOMBIE for child in psutil.Process().children())


def test_job_results_expire_with_the_session(tmp_path):
    cache = JobCache(str(tmp_path / "jobs"), default_expire=1)
    cache.set("result", {"version": "v"})
    cache["progress"] = (10, "Fitting")
    cache.add("secret", "kept", expire=None)  # Dash's signing secret: written with add, never expires
    copy = pickle.loads(pickle.dumps(cache))  # how a job process may receive it
    assert copy.default_expire == 1
    time.sleep(1.2)
    assert cache.get("result") is None and cache.get("progress") is None
    cache.expire()  # what the sweeper calls: expired rows leave the database
    assert len(cache) == 1 and cache.get("secret") == "kept"


def niceness_of_this_process(out, *_job_args):
    import os

    out.write_text(str(os.nice(0)))


def test_a_job_runs_at_a_lower_priority_than_the_web_worker(tmp_path):
    """Two fits at the web workers' priority held both cores while page requests waited seconds."""
    import functools
    import os

    out = tmp_path / "nice.txt"
    manager = ReapingDiskcacheManager(JobCache(str(tmp_path / "jobs"), default_expire=60))
    pid = manager.call_job_fn("key", functools.partial(niceness_of_this_process, out), [], {})
    until(lambda: out.exists() and out.read_text() != "", timeout=10)
    until(lambda: reaped(pid), timeout=10)
    assert int(out.read_text()) >= max(JOB_NICENESS, os.nice(0))


def sockets_of_this_process(out, *_job_args):
    """A job that writes down which of its descriptors are sockets."""
    import os
    import stat

    fds = [int(n) for n in os.listdir("/proc/self/fd")]
    found = []
    for fd in fds:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    out.write_text(repr(found))


def test_a_job_does_not_hold_the_web_workers_connections(tmp_path):
    """A forked job must not keep the worker's client connections open (a closed keep-alive connection
    would stay open in the job, and the browser's next request on it would hang until the job ends)."""
    import functools
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        out = tmp_path / "sockets.txt"
        manager = ReapingDiskcacheManager(JobCache(str(tmp_path / "jobs"), default_expire=60))
        pid = manager.call_job_fn("key", functools.partial(sockets_of_this_process, out), [], {})
        until(lambda: out.exists() and out.read_text() != "", timeout=10)
        until(lambda: reaped(pid), timeout=10)
        assert out.read_text() == "[]"
    finally:
        listener.close()
