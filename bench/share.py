"""Share links and the report download: sizes and times (not a test).

Run::

    OMP_WAIT_POLICY=passive PYTENSOR_FLAGS=blas__ldflags=-lopenblas PYTHONPATH=. .venv/bin/python bench/share.py

In one process: the app (embedded stores, a private data directory), a session with the demo data, a ridge
fit with its intervals and checks, and two saved scenarios. Then, timed:

- making a link (``build_snapshot`` + ``create_share``: the Share tab's "Create" minus the browser);
- the server answering ``GET /share/<token>`` (Flask's test client, ``--requests`` times);
- the report download's rendering (``render_report(..., "inline")``);
- a real page load in headless Chromium against a threaded server: from navigation until every chart of
  the share page has drawn, with plotly.js cached after the first load (``--loads`` times), and the same
  for the downloaded file opened from disk.

Sizes: the snapshot as stored, the share page, plotly.js as served, and the self-contained report.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.serving import make_server

from dashboard import create_app, report
from dashboard.settings import Settings
from dashboard.shares import STORE, create_share, stored_name
from dashboard.tabs.data.callbacks import ingest
from dashboard.tabs.models.job import fit_job
from dashboard.tabs.plan.saved import add_scenario, what_if_scenario
from dashboard.tabs.plan.state import FitKey, fitted_families
from dashboard.tabs.share.snapshot import build_snapshot
from models.datasets import load_demo_bytes

RIDGE_FORM = ("geometric", "hill", 20)  # the ridge form in the order of models.family_options("ridge")


def timed(function, repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (
        f"median {statistics.median(ordered):,.0f} ms, p95 {p95:,.0f} ms, max {ordered[-1]:,.0f} ms (n={len(ordered)})"
    )


def session_with_a_fit(app, settings) -> tuple[str, str]:
    store = app.session_store
    token = store.new_session()
    sid = store.session_id(token)
    ingest(store, sid, load_demo_bytes(), "demo_daily.csv", settings)
    assert "error" not in fit_job(store, "ridge", token, 10, list(RIDGE_FORM), lambda _: None)
    return token, sid


def save_two_scenarios(app, sid: str) -> None:
    store = app.session_store
    cache = app.plan_cache
    from dashboard.tabs.data.state import load_dataset

    version = load_dataset(store, sid).version
    fits = fitted_families(store, sid, version)
    horizon = cache.horizon(FitKey(sid, "ridge", version, fits["ridge"]["stamp"]), 28)
    recent = horizon.fitted.recent_spend()
    meta = {"family": "ridge", "label": "Ridge (Robyn-style)", "version": version, "unit": "days", "per": "day"}
    for name, scale in (("Recent mix", 1.0), ("Ten percent more", 1.1)):
        spend = {c: float(v) * scale for c, v in recent.items()}
        add_scenario(store, sid, name, what_if_scenario(horizon, spend, meta, {"spend": spend}))


def browser_loads(url: str, loads: int) -> list[float]:
    """Milliseconds from navigation until every chart on the page has drawn, in one headless Chromium."""
    from dash.testing.browser import Browser

    from tests.conftest import pytest_setup_options

    browser = Browser("chrome", headless=True, options=pytest_setup_options(), percy_run=False)
    driver = browser.driver
    try:
        times = []
        for _ in range(loads):
            start = time.perf_counter()
            driver.get(url)
            while not driver.execute_script(
                "const p = document.querySelectorAll('.js-plotly-plot');"
                "return p.length > 0 && [...p].every(e => e.querySelector('.main-svg'));"
            ):
                time.sleep(0.01)
            times.append((time.perf_counter() - start) * 1000)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        return times
    finally:
        browser.__exit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--loads", type=int, default=10)
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as workdir:
        settings = Settings(data_dir=Path(workdir) / "data", secret_key="bench", sweep_interval=3600)
        app = create_app(settings)
        token, sid = session_with_a_fit(app, settings)
        save_two_scenarios(app, sid)
        store = app.session_store
        made = []
        with app.server.test_request_context():
            make = timed(lambda: made.append(create_share(store, sid, build_snapshot(store, sid), 7)), 5)
        share = made[-1]["token"]
        client = app.server.test_client()
        pages = timed(lambda: client.get(f"/share/{share}"), args.requests)
        page = client.get(f"/share/{share}").get_data()
        plotly_js = client.get("/_report/plotly.min.js").get_data()
        snapshot = store.get_transient(STORE, stored_name(share))
        inline = []
        rendering = timed(lambda: inline.append(report.render_report(build_snapshot(store, sid), "inline")), 5)
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{server.server_port}/share/{share}"
            shared_loads = browser_loads(url, args.loads)
            offline = Path(workdir) / "report.html"
            offline.write_text(inline[-1], encoding="utf-8")
            offline_loads = browser_loads(offline.as_uri(), args.loads)
        finally:
            server.shutdown()
            store.stop_sweeper()
    print(
        f"snapshot stored: {len(snapshot):,} bytes; share page: {len(page):,} bytes; "
        f"plotly.js (served once, then cached): {len(plotly_js):,} bytes"
    )
    print(f"self-contained report (.html): {len(inline[-1].encode()):,} bytes")
    print(f"make a link (snapshot + store): {summary(make)}")
    print(f"GET /share/<token>, server time: {summary(pages)}")
    print(f"render the report download: {summary(rendering)}")
    print(f"share page in headless Chromium, navigation to every chart drawn: {summary(shared_loads)}")
    print(f"downloaded report opened from disk, to every chart drawn: {summary(offline_loads)}")


if __name__ == "__main__":
    main()
