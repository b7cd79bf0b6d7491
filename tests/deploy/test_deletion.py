"""Deletion holds on every store of both deployments (embedded, Redis + Celery): after "Clear my data", and
after the session's TTL once its tab is gone, no Redis key and no file holds the session's data, its fits,
its job results or its job tickets (a unique channel name is planted and searched for); Celery task messages
carry no request data or token."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import redis

from dashboard.background import PRIVATE_CONTEXT, PrivateCeleryManager
from dashboard.ids import App, Data, Models
from models.datasets import load_demo_bytes
from tests.browser.helpers import clear_data, click_tab, start_ridge_fit, upload
from tests.deploy.conftest import deployment

MARKER = "zqx7marker"  # a channel name nothing else holds


def readable(blob: bytes) -> bytes:
    """The bytes and, for a zip (a stored fit), every member's bytes."""
    parts = [blob]
    if blob[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(blob)) as archive:
                parts += [archive.read(name) for name in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    return b"".join(parts)


def values_of(client: redis.Redis, key: bytes) -> list[bytes]:
    """Every value stored under ``key``, whatever its Redis type."""
    kind = client.type(key).decode()
    if kind == "string":
        return [client.get(key) or b""]
    if kind == "list":
        return client.lrange(key, 0, -1)
    if kind == "hash":
        return list(client.hgetall(key).values())
    if kind == "set":
        return list(client.smembers(key))
    if kind == "zset":
        return client.zrange(key, 0, -1)
    return []


def redis_holding(url: str, needle: bytes) -> list[str]:
    """``db/key`` of every key in every database of the server at ``url`` that holds ``needle``."""
    found = []
    for db in redis.Redis.from_url(url).info("keyspace"):  # "db0", "db1", ...: the databases holding keys
        client = redis.Redis.from_url(url, db=int(db[2:]))
        for key in client.scan_iter(count=1000):
            if needle in key or any(needle in readable(v) for v in values_of(client, key)):
                found.append(f"{db}/{key.decode(errors='replace')}")
    return found


def files_holding(root: Path, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in readable(p.read_bytes())]


def holding(env: dict, needle: bytes) -> list[str]:
    """Every Redis key (with REDIS_URL) and every file in the data directory that holds ``needle``."""
    found = files_holding(Path(env["MMM_DATA_DIR"]), needle)
    return found + (redis_holding(env["REDIS_URL"], needle) if env.get("REDIS_URL") else [])


def upload_and_fit(dash_br, url: str, marker: str, tmp_path: Path) -> None:
    """Upload the demo with one channel renamed ``marker``, then fit ridge to the end."""
    frame = pd.read_csv(io.BytesIO(load_demo_bytes())).rename(columns={"tiktok": marker})
    path = tmp_path / "marked.csv"
    frame.to_csv(path, index=False)
    dash_br.server_url = url
    dash_br.wait_for_element(f"#{Data.DEMO}", timeout=90)  # a second worker may still be booting
    upload(dash_br, path)
    dash_br.wait_for_contains_text(f"#{Data.SUMMARY}", "1,096", timeout=30)
    click_tab(dash_br, f"#{App.TABS}", "Models")
    start_ridge_fit(dash_br)
    dash_br.wait_for_contains_text(f"#{Models.progress('ridge')}", "Done in", timeout=120)


@pytest.fixture(params=["embedded", "redis"])
def any_deployment(request):
    """``(web URL, worker or None, env)`` of each configuration."""
    return request.getfixturevalue("web_deployment" if request.param == "embedded" else "redis_deployment")


def test_clear_deletes_the_sessions_data_from_every_store(dash_br, any_deployment, tmp_path):
    url, _worker, env = any_deployment
    upload_and_fit(dash_br, url, MARKER, tmp_path)
    assert holding(env, MARKER.encode()), "the planted data should be stored before Clear"

    clear_data(dash_br)
    dash_br.wait_for_contains_text(f"#{Data.MESSAGE}", "deleted", timeout=20)
    assert holding(env, MARKER.encode()) == []


TTL = 20  # seconds: MMM_SESSION_TTL of the deployments below


@pytest.mark.parametrize("configuration", ["embedded", "redis"])
def test_nothing_of_a_session_outlives_its_ttl(dash_br, configuration, tmp_path_factory, tmp_path, request):
    """The tab closes after a fit; one TTL later (plus the sweeper's interval) nothing holds its data."""
    redis_url = None
    if configuration == "redis":  # its own database: the module's other worker must not take these fits
        redis_url = request.getfixturevalue("redis_url").rsplit("/", 1)[0] + "/1"
    marker = f"ttl{configuration}marker"
    settings = {"MMM_SESSION_TTL": str(TTL), "MMM_SWEEP_INTERVAL": "2"}
    with deployment(tmp_path_factory, f"ttl-{configuration}", redis_url, **settings) as (url, _worker, env):
        upload_and_fit(dash_br, url, marker, tmp_path)
        dash_br.driver.get("about:blank")  # the tab is gone: nothing keeps the session alive any more
        assert holding(env, marker.encode()), "the planted data should be stored until the TTL"
        deadline = time.monotonic() + TTL + 30
        while holding(env, marker.encode()) and time.monotonic() < deadline:
            time.sleep(1)
        assert holding(env, marker.encode()) == []


class Recorder:
    """Stands for a Celery task's ``delay``: records the message it would send."""

    def __init__(self):
        self.sent = None

    def delay(self, *message):
        self.sent = message
        return type("Task", (), {"task_id": "t1"})()


def test_task_messages_carry_no_request_data_and_no_session_token(dash_app_factory=None):
    from celery import Celery

    from dashboard import create_app
    from dashboard.settings import Settings

    app = create_app(Settings(data_dir=Path("/tmp") / "mmm-ticket-test", secret_key="s" * 32))
    store = app.session_store
    manager = PrivateCeleryManager(Celery("t", broker="memory://", backend="cache+memory://"), store)
    token = store.new_session()
    context = {name: f"private-{name}" for name in PRIVATE_CONTEXT} | {"outputs_list": [], "triggered_inputs": []}
    job = Recorder()
    manager.call_job_fn("key", job, [1, 10, token, "hill"], context)
    _key, _progress, args, sent_context = job.sent
    assert token not in repr(job.sent) and not any(name in sent_context for name in PRIVATE_CONTEXT)
    assert "outputs_list" in sent_context
    assert args[2].startswith("ticket:") and store.session_or_none(args[2]) == store.session_id(token)
    assert args[:2] == [1, 10] and args[3] == "hill"
    assert store.session_or_none("ticket:unknown") is None
