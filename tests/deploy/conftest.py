"""The deployment exactly as the Procfile starts it, on free loopback ports, stopped at the end, pass or fail.

``web``: gunicorn with the embedded stores (file-system sessions, diskcache jobs forked from the web).
``redis_web``: Redis (Debian's ``redis-server``, no persistence), a Celery worker and gunicorn, all three
with the same ``REDIS_URL``: the Heroku-style deployment. Without ``redis-server`` those tests are skipped,
except under CI (``CI=true``), where the README's test command installs it and a skip would hide a fault.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_command(process: str) -> str:
    """The Procfile's command line of ``process`` ("web" or "worker"), for a shell as Heroku runs it."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise AssertionError(f"no {process} process in the Procfile")


def start_process(process: str, env: dict, log: Path | None = None) -> subprocess.Popen:
    """Start the Procfile's ``process`` with the venv's tools first on PATH, bound to loopback only."""
    command = procfile_command(process).replace("0.0.0.0", "127.0.0.1")
    env = {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"}
    env.setdefault("MMM_WARM_UP", "0")  # 45 s of CPU per start; tests/dashboard/test_warmup.py covers it
    sink = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_log(log: Path, text: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.3)
    raise AssertionError(f"{text!r} not in {log} within {timeout:.0f} s")


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:  # booting workers answer late or not at all
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def start_web(env: dict, log: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """The Procfile's web process on ``port`` (a free one by default), once it answers."""
    port = port or free_port()
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": "2"}
    env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{port}"  # loopback only, whatever the config says
    process = start_process("web", env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/", process)
    except AssertionError:
        stop(process)
        raise
    return process, url


@contextlib.contextmanager
def deployment(tmp_path_factory, name: str, redis_url: str | None = None, **env_vars: str):
    """The Procfile's processes as one deployment in its own data directory: gunicorn with the embedded stores,
    or with ``redis_url`` a Celery worker and gunicorn sharing it. Yields ``(web URL, worker or None, env)``;
    everything started is stopped on the way out, pass or fail. ``env_vars``: extra settings (MMM_*)."""
    data_dir = tmp_path_factory.mktemp(f"{name}-data")
    env = {**os.environ, "MMM_DATA_DIR": str(data_dir), "SECRET_KEY": "deploy-test-secret", **env_vars}
    env.pop("REDIS_URL", None)
    with contextlib.ExitStack() as started:
        worker = None
        if redis_url:
            env["REDIS_URL"] = redis_url
            worker_log = data_dir.parent / f"{name}-worker.log"
            worker = start_process("worker", env, worker_log)
            started.callback(stop, worker)
            wait_for_log(worker_log, "ready.", worker)
        web_process, url = start_web(env, data_dir.parent / f"{name}-web.log")
        started.callback(stop, web_process)
        yield url, worker, env


@pytest.fixture(scope="module")
def web_deployment(tmp_path_factory):
    """``(web URL, None, env)`` of ``gunicorn`` from the Procfile's web line (2 workers, embedded stores)."""
    with deployment(tmp_path_factory, "web") as started:
        yield started


@pytest.fixture(scope="module")
def web(web_deployment) -> str:
    return web_deployment[0]


class RedisServer:
    """Debian's ``redis-server`` on a free loopback port, in its own directory; it can be stopped and started
    again on the same port with the data it held (a snapshot is saved on the way down)."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        self.port, self.workdir, self.process = free_port(), workdir, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client, deadline = redis.Redis.from_url(self.url), time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except (redis.ConnectionError, redis.BusyLoadingError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.1)

    def stop(self, keep_data: bool = False) -> None:
        if keep_data:
            redis.Redis.from_url(self.url).save()  # dump.rdb in workdir: the next start loads it
        stop(self.process)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A private Redis (no persistence unless asked), shut down at the end."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: the README's test command installs it")
        pytest.skip("redis-server is not installed (the README's test command installs it)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            stop(server.process)


@pytest.fixture(scope="module")
def redis_url(redis_server) -> str:
    return redis_server.url


@pytest.fixture(scope="module")
def redis_deployment(redis_url, tmp_path_factory):
    """``(web URL, worker process, env)`` of the Procfile's web and worker sharing ``redis_url``."""
    with deployment(tmp_path_factory, "redis", redis_url) as started:
        yield started


@pytest.fixture(scope="module")
def redis_web(redis_deployment) -> str:
    return redis_deployment[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.deploy_failed = True
        if "dash_br" in item.funcargs:  # the browser is still open here, not in the fixture's teardown
            report.sections.append(("browser console", repr(item.funcargs["dash_br"].get_logs())))
    return report


@pytest.fixture(autouse=True)
def logs_on_failure(request, tmp_path_factory):
    """After a failed test, print the tail of every log the deployment's processes wrote during it (the
    browser's console is added by the hook above): without them a failure in CI cannot be diagnosed."""
    started = time.time()
    yield
    if getattr(request.node, "deploy_failed", False):
        for log in sorted(tmp_path_factory.getbasetemp().rglob("*.log")):
            if log.stat().st_mtime >= started:
                print(f"--- {log} (last 3,000 characters)\n{log.read_text(errors='replace')[-3000:]}")
