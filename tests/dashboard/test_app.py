"""The app factory, layout ids, server-side limits and the data callbacks' helpers."""

import re
import subprocess
import sys

import pytest

import models
from dashboard import create_app, ids
from dashboard.callbacks.data import ingest
from dashboard.datasets import load_dataset
from dashboard.layout_models import FAMILY_OPTIONS
from models.datasets import load_demo_bytes


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
    app.session_store.stop_sweeper()


def all_ids(component) -> list[str]:
    found = []
    if getattr(component, "id", None):
        found.append(component.id)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            found.extend(all_ids(child))
    return found


def test_factory_serves_the_page_and_every_id_is_in_the_layout(app):
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout_ids = all_ids(app.layout())
    assert len(layout_ids) == len(set(layout_ids))
    groups = (ids.App, ids.Data, ids.Explore, ids.Models, ids.Plan)
    declared = [v for group in groups for k, v in vars(group).items() if k.isupper()]
    built = [
        builder(family, *extra)
        for family in models.MODEL_NAMES
        for builder, extra in [
            (ids.Models.fit_button, ()),
            (ids.Models.cancel_button, ()),
            (ids.Models.progress, ()),
            (ids.Models.result_store, ()),
            (ids.Models.results, ()),
            *[(ids.Models.option, (name,)) for name, *_ in FAMILY_OPTIONS[family]],
        ]
    ]
    assert sorted(declared + built) == sorted(layout_ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9_]+)+", i) for i in declared + built)


def test_each_page_load_gets_its_own_server_issued_session(app):
    tokens = {app.layout().children[0].data for _ in range(5)}
    assert len(tokens) == 5
    assert all(app.session_store.session_id(t) for t in tokens)


def test_server_refuses_requests_larger_than_the_upload_limit(app, settings):
    client = app.server.test_client()
    too_big = b"x" * (settings.max_request_bytes + 1)
    response = client.post("/_dash-update-component", data=too_big, content_type="application/json")
    assert response.status_code == 413


def test_rejected_upload_leaves_the_previous_dataset_untouched(app, settings):
    store = app.session_store
    sid = store.session_id(store.new_session())
    summary, _, _ = ingest(store, sid, load_demo_bytes(), "demo.csv", settings)
    before = load_dataset(store, sid)
    result, message, _ = ingest(store, sid, b"date,revenue\n2024-01-01,abc\n", "bad.csv", settings)
    assert result is not summary and not isinstance(result, dict)  # no_update
    assert "bad.csv" in str(message)
    after = load_dataset(store, sid)
    assert after.version == before.version and after.frame.equals(before.frame)


def test_oversized_upload_flagged_by_the_browser_gets_a_message(app, settings):
    store = app.session_store
    sid = store.session_id(store.new_session())
    _, message, _ = ingest(store, sid, None, "huge.csv", settings)
    assert "limit" in str(message) and load_dataset(store, sid) is None


def test_web_start_up_does_not_import_pymc(settings):
    code = (
        "import sys; from dashboard import create_app; from dashboard.settings import Settings; "
        f"create_app(Settings(data_dir=__import__('pathlib').Path({str(settings.data_dir)!r}), secret_key='s')); "
        "print(sorted(m for m in ('pymc', 'pytensor', 'arviz') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_background_jobs_use_diskcache_by_default_and_celery_with_redis(settings):
    from dash import CeleryManager, DiskcacheManager

    from dashboard import background_manager

    manager, celery_app = background_manager(settings)
    assert isinstance(manager, DiskcacheManager) and celery_app is None
    with_redis = settings.__class__(data_dir=settings.data_dir, secret_key="s", redis_url="redis://127.0.0.1:6390/0")
    manager, celery_app = background_manager(with_redis)
    assert isinstance(manager, CeleryManager)
    assert celery_app.conf.broker_url == "redis://127.0.0.1:6390/0"
