"""The app factory: the page it serves, its ids, server-side limits, background jobs and start-up imports."""

import re
import subprocess
import sys

import models
from dashboard import create_app, ids


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
    groups = (ids.App, ids.Data, ids.Explore, ids.Models, ids.Plan, ids.Share)
    declared = [v for group in groups for k, v in vars(group).items() if k.isupper()]
    built = [
        builder(family, *extra)
        for family in models.MODEL_NAMES
        for builder, extra in [
            (ids.Models.fit_button, ()),
            (ids.Models.cancel_button, ()),
            (ids.Models.progress, ()),
            (ids.Models.result_store, ()),
            (ids.Models.stage_store, ()),
            (ids.Models.results, ()),
            *[(ids.Models.option, (spec["name"],)) for spec in models.family_options(family)],
        ]
    ]
    assert sorted(declared + built) == sorted(layout_ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9_]+)+", i) for i in declared + built)


def test_each_page_load_gets_its_own_server_issued_session(app):
    tokens = {app.layout().children[0].data for _ in range(5)}
    assert len(tokens) == 5
    assert all(app.session_store.session_id(t) for t in tokens)


def test_the_app_is_set_up_before_its_first_request(settings):
    """A threaded worker's concurrent first requests must find Dash's scripts and callbacks registered
    (plotly/dash#3971: otherwise the page's bundles can answer 404 and the page never renders)."""
    app = create_app(settings)
    assert {"dash-renderer/build/dash_renderer.min.js", "deps/prop-types@15.8.1.min.js"} <= app.registered_paths["dash"]
    app.session_store.stop_sweeper()


def test_server_refuses_requests_larger_than_the_upload_limit(app, settings):
    client = app.server.test_client()
    too_big = b"x" * (settings.max_request_bytes + 1)
    response = client.post("/_dash-update-component", data=too_big, content_type="application/json")
    assert response.status_code == 413


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


def dependency(item: dict, value=None) -> dict | list:
    """One input, state or output as the page sends it: a list of matches for a pattern-matching id."""
    if item["id"].startswith("{"):
        return []  # no such components on an empty page
    return {"id": item["id"], "property": item["property"], **({} if value == "output" else {"value": value})}


def test_every_callback_is_wired_to_arguments_it_accepts(settings):
    """Dash calls each callback with the page's values by name or position: an empty page must get an answer
    (200, or 204 for "nothing to update"), never a server error from a wiring mistake. Two apps in one
    process, as in the tests and a Celery worker: registering the first must not change the second."""
    for app in (create_app(settings), create_app(settings)):
        try:
            assert_callbacks_answer(app)
        finally:
            app.session_store.stop_sweeper()


def assert_callbacks_answer(app):
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # Dash finishes its set-up on the first request
    token = app.session_store.new_session()
    for callback_id, entry in list(app.callback_map.items()):
        if "callback" not in entry or entry["background"]:
            continue  # clientside callbacks run in the browser; fits run as background jobs
        outputs = (
            [
                dependency({"id": o.component_id_str(), "property": o.component_property}, "output")
                for o in entry["output"]
            ]
            if isinstance(entry["output"], list)
            else dependency(
                {"id": entry["output"].component_id_str(), "property": entry["output"].component_property}, "output"
            )
        )
        state = [dependency(s, token if s["id"] == ids.App.SESSION else None) for s in entry["state"]]
        body = {"output": callback_id, "outputs": outputs, "inputs": [dependency(i) for i in entry["inputs"]]}
        response = client.post("/_dash-update-component", json={**body, "state": state, "changedPropIds": []})
        assert response.status_code in (200, 204), (callback_id, response.get_data(as_text=True)[-500:])
