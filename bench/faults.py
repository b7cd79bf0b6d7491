"""Deletion and faults of the deployment, timed (not a test: tests/deploy/ checks the same things pass).

Run::

    OMP_WAIT_POLICY=passive PYTENSOR_FLAGS=blas__ldflags=-lopenblas PYTHONPATH=. .venv/bin/python bench/faults.py

Against the Procfile's processes on loopback (as ``tests/deploy`` starts them: Debian's ``redis-server``, a
Celery worker and gunicorn), with headless Chromium as the user:

- **Clear**: a CSV whose channel is named by a unique marker is uploaded and fitted; seconds from the click
  on "Clear my data" until no Redis key (every database) and no file in the data directory holds the
  marker. Both configurations.
- **TTL**: the same, with MMM_SESSION_TTL=20 and MMM_SWEEP_INTERVAL=2; the tab leaves after the fit; seconds
  from leaving until nothing holds the marker. Both configurations.
- **Worker killed** mid-fit (Redis + Celery): seconds from the kill until the page says the fit stopped,
  and until Fit is enabled again.
- **Web restarted** mid-fit (Redis + Celery): seconds from the new web process answering until the page
  shows the finished fit.
- **Redis stopped**: what ``GET /`` answers and how fast; seconds from Redis's return until ``GET /``
  answers 200 again.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import requests
from dash.testing.browser import Browser

from dashboard.ids import App, Data, Models
from tests.browser.helpers import clear_data, click_tab, load_demo, progress_text, start_ridge_fit
from tests.conftest import pytest_setup_options
from tests.deploy.conftest import RedisServer, start_process, start_web, stop, wait_for_log
from tests.deploy.test_deletion import holding, upload_and_fit
from tests.deploy.test_worker_loss import kill_tree


def seconds_until(condition, timeout: float = 300, poll: float = 0.1, shown=None) -> float:
    """Seconds until ``condition()`` holds; TimeoutError (with ``shown()``, what the page shows) after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"not within {timeout} s" + (f": {shown()!r}" if shown else ""))
        time.sleep(poll)
    return time.monotonic() - start


class Deployment:
    """The Procfile's web (and worker, with a Redis URL) in ``workdir``, stopped on exit."""

    def __init__(self, workdir: Path, name: str, redis_url: str | None = None, **settings: str):
        self.env = {**os.environ, "MMM_DATA_DIR": str(workdir / f"{name}-data"), "SECRET_KEY": "bench", **settings}
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.workdir, self.name, self.worker, self.web = workdir, name, None, None

    def __enter__(self):
        if "REDIS_URL" in self.env:
            log = self.workdir / f"{self.name}-worker.log"
            self.worker = start_process("worker", self.env, log)
            wait_for_log(log, "ready.", self.worker)
        self.web, self.url = start_web(self.env, self.workdir / f"{self.name}-web.log")
        return self

    def __exit__(self, *exc):
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                stop(process)


def database(redis: RedisServer, number: int) -> str:
    """A Redis database of its own for one scenario: another scenario's worker or fit slots never meet it."""
    return redis.url.rsplit("/", 1)[0] + f"/{number}"


def browser(workdir: Path) -> Browser:
    return Browser("chrome", headless=True, options=pytest_setup_options(), download_path=str(workdir), percy_run=False)


def deletion(workdir: Path, redis: RedisServer) -> None:
    for configuration in ("embedded", "redis"):
        url = redis.url if configuration == "redis" else None
        marker = f"bench{configuration}clear"
        with Deployment(workdir, f"clear-{configuration}", url) as deployed, browser(workdir) as user:
            upload_and_fit(user, deployed.url, marker, workdir)
            assert holding(deployed.env, marker.encode())
            clear_data(user)
            gone = seconds_until(lambda: holding(deployed.env, marker.encode()) == [])  # noqa: B023
            print(f"{configuration}: Clear: nothing holds the data {gone:.1f} s after the click")
        marker = f"bench{configuration}ttl"
        settings = {"MMM_SESSION_TTL": "20", "MMM_SWEEP_INTERVAL": "2"}
        redis_db = url.rsplit("/", 1)[0] + "/1" if url else None
        with Deployment(workdir, f"ttl-{configuration}", redis_db, **settings) as deployed, browser(workdir) as user:
            upload_and_fit(user, deployed.url, marker, workdir)
            user.driver.get("about:blank")
            gone = seconds_until(lambda: holding(deployed.env, marker.encode()) == [], timeout=120, poll=0.5)  # noqa: B023
            print(f"{configuration}: TTL 20 s, sweep every 2 s: nothing holds the data {gone:.1f} s after the tab left")


def fit_under_way(user: Browser, url: str, trials: str) -> None:
    """The demo loaded and a ridge fit of ``trials`` search trials running (its bar shows trials)."""
    user.server_url = url
    user.wait_for_element(f"#{Data.DEMO}", timeout=90)
    load_demo(user)
    click_tab(user, f"#{App.TABS}", "Models")
    start_ridge_fit(user, trials=trials)
    seconds_until(lambda: "Trial" in progress_text(user, "ridge"), 60, shown=lambda: progress_text(user, "ridge"))


def worker_killed(workdir: Path, redis: RedisServer) -> None:
    with Deployment(workdir, "kill", database(redis, 2)) as deployed, browser(workdir) as user:
        fit_under_way(user, deployed.url, trials="2000")
        kill_tree(deployed.worker.pid)
        start = time.monotonic()
        seconds_until(lambda: "stopped" in user.find_element(f"#{Models.results('ridge')}").text.lower())  # noqa: B023
        told = time.monotonic() - start
        button = f"#{Models.fit_button('ridge')}"
        seconds_until(lambda: user.find_element(button).get_attribute("disabled") is None)  # noqa: B023
        enabled = time.monotonic() - start
        print(f"worker killed mid-fit: the page said so after {told:.1f} s, Fit enabled after {enabled:.1f} s")


def web_restarted(workdir: Path, redis: RedisServer) -> None:
    with Deployment(workdir, "restart", database(redis, 3)) as deployed, browser(workdir) as user:
        fit_under_way(user, deployed.url, trials="600")
        stop(deployed.web)
        down = time.monotonic()
        deployed.web, _ = start_web(deployed.env, workdir / "restart-again.log", port=urlparse(deployed.url).port)
        up = time.monotonic()
        seconds_until(lambda: "Holdout R²" in user.find_element(f"#{Models.results('ridge')}").text, timeout=300)  # noqa: B023
        print(
            f"web restarted mid-fit: down for {up - down:.1f} s; the finished fit shown {time.monotonic() - up:.1f} s"
            " after the new web answered"
        )


def redis_outage(workdir: Path, redis: RedisServer) -> None:
    with Deployment(workdir, "outage", redis.url) as deployed:
        redis.stop()
        start = time.monotonic()
        answer = requests.get(deployed.url + "/", timeout=60)
        print(f"Redis stopped: GET / answered {answer.status_code} in {time.monotonic() - start:.2f} s")
        redis.start()
        back = seconds_until(lambda: requests.get(deployed.url + "/", timeout=30).status_code == 200, poll=0.2)  # noqa: B023
        print(f"Redis back: GET / answered 200 again {back:.1f} s after Redis accepted connections")


SCENARIOS = {"deletion": deletion, "worker": worker_killed, "restart": web_restarted, "outage": redis_outage}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", nargs="+", choices=sorted(SCENARIOS), default=list(SCENARIOS))
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as name:
        workdir = Path(name)
        redis = RedisServer(workdir)
        redis.start()
        try:
            for name in args.scenarios:
                SCENARIOS[name](workdir, redis)
        finally:
            if redis.process.poll() is None:
                stop(redis.process)


if __name__ == "__main__":
    main()
