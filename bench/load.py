"""Load: many users through upload, Explore, a fit and Plan at once, and fits started together, per deployment.

Command (loopback only; every process it starts is stopped at the end, on error or Ctrl-C too)::

    OMP_WAIT_POLICY=passive PYTENSOR_FLAGS=blas__ldflags=-lopenblas PYTHONPATH=. \\
        .venv/bin/python bench/load.py --config both --users 20 --seconds 60 --fits 5

1. Record one visit (bench/load_record.py): the app in this process, driven once by headless Chromium through
   page load, the upload of a 1,500-row CSV (the demo's data-generating process), two changes in Explore, a
   ridge fit (20 search trials, with its intervals and checks) and, in Plan, a typed what-if spend and Optimise.
   ``--recording FILE`` keeps it (and reuses it next time).
2. For each configuration, start the Procfile's processes on free loopback ports as tests/deploy does:
   ``embedded`` (gunicorn, file-system sessions, diskcache jobs forked from the web) or ``redis``
   (redis-server, the Celery worker and gunicorn, all with REDIS_URL). Wait until they are idle (a warm-up at
   start is not measured), then send two users through the visit (not counted) to warm the workers.
3. Users: ``--users`` simulated people start together and replay the visit (bench/load_replay.py), each with
   their own page and session, pausing ``--think`` seconds before each action, and start it again until
   ``--seconds`` have passed (a run stops them 150 s later, finished or not). Their fits queue on the server
   (MMM_MAX_FITS, default 2 at once). Each visit is checked for what the person would see: data read, the fit
   done with its charts, a what-if and an optimised plan; the fit's progress line is followed as shown.
4. Fits: ``--fits`` new sessions load the page and upload, then all press Fit at the same moment; each fit is
   polled to its end.

Latency is the client's (request sent to answer read) on the same 2 cores as the server. An error is an answer
other than 200/204, a body that is not JSON, or no answer within 60 s. A request whose kept-alive connection
is reset before any answer is sent once more on a new connection, as a browser does, and counted apart. A
fit's own requests (its start and polls) are reported apart from the others. Requests are named by their
callback's first output: ``models-ridge-results-div`` is the fit's results view, ``models-recommendation-div``
the leaderboard, ``plan-fits-store`` the Plan tab's list of fits, ``app-running-store ... (tick)`` the page's
pulse while a fit runs (every 5 s), ``app-pulse-since-store`` the callback that starts and stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import redis
import requests

from bench.load_replay import Flow, PageState, Stats, User, analyse
from dashboard.ids import App, Models, Plan
from dashboard.tabs.models.views import NOT_FITTED
from models.datasets.synthetic import DEFAULT_TRUTH, generate_demo
from tests.deploy.conftest import free_port, procfile_command, start_process, start_web, stop, wait_for_log

ROOT = Path(__file__).resolve().parents[1]
ROWS = 1500
TARGET_MS = 1000
HARD_EXTRA = 150  # seconds past --seconds after which users are stopped, finished or not


# ------------------------------------------------------------------------------------------ deployments
def stop_all(process: subprocess.Popen) -> None:
    """Stop a started process and anything it started (fits forked from the web, Celery's pool)."""
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    stop(process)
    for child in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(family, timeout=10)


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    command = [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url, deadline = f"redis://127.0.0.1:{port}/0", time.monotonic() + 20
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return process, url
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                stop(process)
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def deployment(config: str, workdir: Path):
    """The base URL of the configuration's web process; every process is stopped on the way out."""
    data = workdir / config
    data.mkdir()
    env = {**os.environ, "MMM_DATA_DIR": str(data / "data"), "SECRET_KEY": "load-bench-secret"}
    env.pop("REDIS_URL", None)
    started = []
    try:
        if config == "redis":
            server, env["REDIS_URL"] = start_redis(data)
            started.append(server)
            worker = start_process("worker", env, data / "worker.log")
            started.append(worker)
            wait_for_log(data / "worker.log", "ready.", worker)
        web, url = start_web(env, data / "web.log")
        started.append(web)
        both_workers_up(url)
        waited = settle(started)
        yield url, waited
    finally:
        for process in reversed(started):
            stop_all(process)


def both_workers_up(url: str) -> None:
    """start_web waits for one worker; send a few requests at once until every one answers (both booted)."""
    for _ in range(3):
        threads = [threading.Thread(target=requests.get, args=(url + "/",), kwargs={"timeout": 90}) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def settle(processes: list[subprocess.Popen], cap: float = 300.0) -> float:
    """Wait until the started processes and their children (a warm-up, Celery's pool) use under a fifth of a
    core for 3 s in a row, at most ``cap`` seconds; the seconds waited."""
    started, quiet = time.monotonic(), 0
    while time.monotonic() - started < cap and quiet < 3:
        tree = []
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                root = psutil.Process(process.pid)
                tree += [root, *root.children(recursive=True)]
        before = {p.pid: _cpu(p) for p in tree}
        time.sleep(1.0)
        busy = sum(_cpu(p) - before[p.pid] for p in tree)
        quiet = quiet + 1 if busy < 0.2 else 0
    return time.monotonic() - started


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
        return times.user + times.system
    except psutil.NoSuchProcess:
        return 0.0


def log_problems(folder: Path) -> list[str]:
    """Lines of the processes' logs that say something went wrong (gunicorn, Celery, Flask)."""
    found = []
    for log in sorted(folder.glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if any(word in line for word in ("Traceback", "ERROR", "CRITICAL", "WORKER TIMEOUT", "Unhandled")):
                found.append(f"{log.name}: {line.strip()[:200]}")
    return found


# ------------------------------------------------------------------------------------------- scenarios
LABEL = (Models.progress("ridge"), "label")  # the fit's progress line, as the page shows it


def visit_record(user: User, page: PageState | None, began: float) -> dict:
    """What the person saw on one visit: their data read, the fit done with its charts, a what-if, a plan; the
    fit's progress labels (seconds after Fit was pressed, text) from its job and from the page's pulse."""
    job = user.jobs[-1] if user.jobs else None
    labels = [(t - job.started, value) for t, key, value in user.seen if key == LABEL and value] if job else []
    found = page.get if page is not None else (lambda key, default=None: default)
    results = json.dumps(found((Models.results("ridge"), "children"), None))
    allocation, plan = found((Plan.ALLOCATION, "figure"), None) or {}, found((Plan.RESULT, "data"), None)
    checks = {
        "data": (found((App.DATASET, "data"), None) or {}).get("rows") == ROWS,
        "fit": bool(job and job.result is not None and labels and labels[-1][1].startswith("Done")),
        "results": '"Graph"' in results and NOT_FITTED not in results,
        "what-if": "Revenue, next" in json.dumps(found((Plan.WHATIF_SUMMARY, "children"), None)),
        "plan": bool(plan) and not (isinstance(plan, dict) and plan.get("error")) and bool(allocation.get("data")),
    }
    return {"checks": checks, "job": job, "labels": labels, "seconds": time.monotonic() - began}


def run_users(url: str, flow: Flow, users: int, seconds: float, think: float) -> dict:
    """``users`` people replay the visit together, again and again until ``seconds`` have passed."""
    stats, stop_now, visits, lock = Stats(), threading.Event(), [], threading.Lock()
    started = time.monotonic()

    def pause(_user, _phase):
        stop_now.wait(think)

    def person(number: int) -> None:
        user = User(url, flow, stats, f"user {number}", before_action=pause, stop=stop_now, watch=[LABEL])
        while not stop_now.is_set():
            began = time.monotonic()
            record = visit_record(user, user.visit(), began)
            with lock:
                visits.append(record)
            if time.monotonic() - started >= seconds:
                return

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    threads = [threading.Thread(target=person, args=(n,), daemon=True) for n in range(users)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(1.0, started + seconds + HARD_EXTRA - time.monotonic()))
    finally:
        stop_now.set()  # past the hard limit (or Ctrl-C): whoever is still going stops
    for thread in threads:
        thread.join(60)
    wall, after = time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    return {"stats": stats, "visits": visits, "wall": wall, "client_cpu": client_cpu, "users": users}


def run_fits(url: str, flow: Flow, fits: int) -> list[dict]:
    """``fits`` sessions load the page and upload, then press Fit at the same moment; each fit to its end."""
    fit_action = next(a for a, phase in flow.actions.items() if phase == "fit")
    until_fit = Flow([c for c in flow.calls if c.action <= fit_action], flow.dependencies, flow.intervals, flow.actions)
    together, stats, found = threading.Barrier(fits), Stats(), {}

    def before(_user, phase):
        if phase == "fit":
            together.wait(timeout=120)

    def person(number: int) -> None:
        user = User(url, until_fit, stats, f"fit {number}", before_action=before, watch=[LABEL])
        found[number] = visit_record(user, user.visit(), time.monotonic())

    threads = [threading.Thread(target=person, args=(n,), daemon=True) for n in range(fits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HARD_EXTRA + 120)
    return [found.get(n, {"job": None, "labels": [], "checks": {}}) for n in range(fits)]


# ---------------------------------------------------------------------------------------------- tables
def ms(value: float) -> str:
    return f"{value:,.0f}"


def latency_row(name: str, values, errors: int) -> str:
    values = np.array(values) * 1000
    p50, p95 = np.percentile(values, 50), np.percentile(values, 95)
    return f"| {name} | {len(values):,} | {errors} | {ms(p50)} | {ms(p95)} | {ms(values.max())} |"


def phase_table(stats: Stats) -> list[str]:
    """Non-fit requests by the user action that caused them (a fit's own start and polls left out)."""
    lines = ["| after the user's action | requests | errors | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|---|"]
    return lines + [latency_row(phase, values, stats.phase_errors[phase]) for phase, values in stats.phases.items()]


def request_table(stats: Stats, top: int) -> list[str]:
    """Per request kind, worst p95 first; the non-fit kinds beyond ``top`` in one row, the fit's at the end."""
    rows = stats.rows()
    plain, fit = [r for r in rows if not r["fit"]], [r for r in rows if r["fit"]]
    lines = ["| request (callback: its first output) | count | errors | p50 ms | p95 ms | max ms |"]
    lines.append("|---|---|---|---|---|---|")
    every = [v for r in plain for v in stats.latency[r["kind"]]]
    lines.append(latency_row("**every non-fit request**", every, sum(r["errors"] for r in plain)))
    lines += [latency_row(r["kind"], stats.latency[r["kind"]], r["errors"]) for r in plain[:top]]
    if plain[top:]:
        rest = [v for r in plain[top:] for v in stats.latency[r["kind"]]]
        lines.append(latency_row(f"{len(plain[top:])} other callbacks", rest, sum(r["errors"] for r in plain[top:])))
    return lines + [latency_row(f"fit: {r['kind']}", stats.latency[r["kind"]], r["errors"]) for r in fit]


WORDS = ("Queued", "lost", "restarted")  # what the progress line says while a fit waits, or when the page gave up


def shown(labels: list, text: str) -> bool:
    return any(text in label for _t, label in labels)


def users_summary(result: dict) -> list[str]:
    visits, stats = result["visits"], result["stats"]
    names = ("data", "fit", "results", "what-if", "plan")
    complete = sum(all(v["checks"][c] for c in names) for v in visits)
    missing = ", ".join(f"{c} missing in {n}" for c in names if (n := sum(not v["checks"][c] for v in visits)))
    fits = [v for v in visits if v["job"]]
    took = [v["job"].finished - v["job"].started for v in fits if v["job"].result is not None]
    plain = [r for r in stats.rows() if not r["fit"]]
    over = [f"{r['kind']} ({ms(r['p95'])})" for r in plain if r["p95"] >= TARGET_MS]
    took_text = f"median {np.median(took):.0f} s, max {max(took):.0f} s" if took else "-"
    seconds = [v["seconds"] for v in visits]
    lines = [
        f"- {result['users']} users for {result['wall']:.0f} s: {len(visits)} visits (each {np.median(seconds):.0f} s "
        f"median, {max(seconds):.0f} s max), {complete} with everything shown (data, fit, its charts, what-if, "
        f"optimised plan){'; ' + missing if missing else ''}",
        f"- fits: {len(took)} of {len(fits)} done (Fit pressed to done: {took_text}); "
        + "; ".join(f'"{word}" shown in {sum(shown(v["labels"], word) for v in fits)}' for word in WORDS),
        f"- non-fit requests: {sum(r['count'] for r in plain):,}, errors {sum(r['errors'] for r in plain)}, "
        f"status other than recorded {sum(r['differs'] for r in plain)}, connections reset (request sent again) "
        f"{sum(r['resets'] for r in stats.rows())}; p95 >= 1 s: {', '.join(over) or 'none'}",
        f"- the load client used {result['client_cpu']:.0f} CPU-seconds ({result['client_cpu'] / result['wall']:.0%} "
        "of one core) on the same machine",
    ]
    return lines + (["- first errors: " + "; ".join(stats.examples[:4])] if stats.examples else [])


def fits_table(found: list[dict]) -> list[str]:
    lines = [
        '| fit | "Queued" shown | first label after (s) | labels shown (first two ... last) | done after (s) | charts |'
    ]
    lines.append("|---|---|---|---|---|---|")
    first = min((f["job"].started for f in found if f["job"]), default=0.0)
    for number, fit in enumerate(found, 1):
        job, labels = fit["job"], [label.replace("|", "/") for _t, label in fit["labels"]]
        if job is None:
            lines.append(f"| {number} | - | - | (no fit started) | - | no |")
            continue
        short = [label if len(label) <= 48 else label[:45] + "..." for label in labels]
        if len(short) > 3:
            short = [*short[:2], f"... {len(short) - 3} more ...", short[-1]]
        queued = "yes" if shown(fit["labels"], "Queued") else "no"
        label_after = f"{fit['labels'][0][0]:.1f}" if fit["labels"] else "-"
        after = f"{job.finished - first:.1f}" if job.result is not None else f"no result ({job.error or 'HTTP 204'})"
        charts = "yes" if fit["checks"].get("results") else "no"
        lines.append(f"| {number} | {queued} | {label_after} | {' → '.join(short) or '(none)'} | {after} | {charts} |")
    return lines


# ------------------------------------------------------------------------------------------------- main
def write_csv(workdir: Path) -> Path:
    start = pd.Timestamp(DEFAULT_TRUTH.start)
    frame, _ = generate_demo(end=(start + pd.Timedelta(days=ROWS - 1)).strftime("%Y-%m-%d"))
    path = workdir / f"load_{ROWS}_rows.csv"
    frame.to_csv(path, index=False)
    return path


def recorded_flow(workdir: Path, saved: Path | None) -> Flow:
    from bench.load_record import record_visit  # selenium only when recording

    if saved is not None and saved.exists():
        recording = json.loads(saved.read_text())
    else:
        print("Recording one visit in headless Chromium...", flush=True)
        recording = record_visit(write_csv(workdir), workdir)
        if saved is not None:
            saved.write_text(json.dumps(recording))
    flow = analyse(recording)
    if sum(call.background for call in flow.calls) != 1:
        raise SystemExit("the recording should hold exactly one fit; record it again")
    return flow


def run_config(config: str, flow: Flow, args, workdir: Path) -> list[str]:
    print(f"\n## {config}: starting the processes...", flush=True)
    with deployment(config, workdir) as (url, waited):
        print(f"{config}: up; its processes were busy starting for {waited:.0f} s", flush=True)
        warm = run_users(url, flow, 2, 0, 0.2)
        if not all(v["checks"]["fit"] and v["checks"]["plan"] for v in warm["visits"]):
            raise SystemExit(f"{config}: the warm-up visit did not finish: {warm['visits']} {warm['stats'].examples}")
        print(f"{config}: {args.users} users for {args.seconds:.0f} s...", flush=True)
        users = run_users(url, flow, args.users, args.seconds, args.think)
        print(f"{config}: {args.fits} fits at once...", flush=True)
        fits = run_fits(url, flow, args.fits)
    problems = log_problems(workdir / config)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
        for log in (workdir / config).glob("*.log"):
            shutil.copy(log, args.logs / f"{config}-{log.name}")
    lines = [f"### {describe(config, workdir / config)}", "", f"{args.users} users, think time {args.think:g} s:", ""]
    lines.append(f"- start-up (not measured): its processes were busy for {waited:.0f} s before the users came")
    lines += users_summary(users)
    lines.append(f"- server logs: {len(problems)} error lines" + (": " + " / ".join(problems[:3]) if problems else ""))
    lines += ["", *phase_table(users["stats"]), "", *request_table(users["stats"], args.top)]
    lines += ["", f"{args.fits} fits pressed at the same moment (new sessions, each with the 1,500-row upload):", ""]
    lines += fits_table(fits)
    return lines


def describe(config: str, folder: Path) -> str:
    """The configuration as it ran: gunicorn's worker class and workers from its log, Celery's concurrency."""
    log = (folder / "web.log").read_text(errors="replace")
    worker = re.search(r"Using worker: (\w+)", log)
    boots = log.count("Booting worker with pid")
    restarts = f"{boots - 2} restarted" if boots > 2 else "none restarted"  # start_web asks for 2 workers
    web = f"gunicorn (2 {worker.group(1) if worker else '?'} workers, {restarts})"
    if config == "embedded":
        return f"Embedded default: {web}, file-system sessions, diskcache jobs forked from the web workers"
    found = re.search(r"--concurrency[= ](\d+)", procfile_command("worker"))
    concurrency = found.group(1) if found else "?"
    return f"Redis + a Celery worker (concurrency {concurrency}) + {web}, REDIS_URL for both"


def tree_state() -> str:
    """The commit, and which files the app runs from differ from it (others may be editing the tree)."""

    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    paths = ["dashboard", "models", "Procfile", "gunicorn.conf.py", "wsgi.py", "requirements.txt"]
    changed = [line[3:] for line in git("status", "--porcelain", "--", *paths).splitlines()]
    return f"commit {git('rev-parse', '--short', 'HEAD').strip()}" + (
        f" + uncommitted: {', '.join(changed)}" if changed else ""
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=("embedded", "redis", "both"), default="both")
    parser.add_argument("--users", type=int, default=20, help="simulated people at once (default 20)")
    parser.add_argument("--seconds", type=float, default=60, help="users start the visit again until then")
    parser.add_argument("--think", type=float, default=1.0, help="seconds each user pauses before an action")
    parser.add_argument("--fits", type=int, default=5, help="fits pressed at the same moment (default 5)")
    parser.add_argument("--top", type=int, default=12, help="non-fit request kinds listed one by one")
    parser.add_argument("--recording", type=Path, help="reuse this recording (made and saved there if missing)")
    parser.add_argument("--logs", type=Path, help="copy the processes' logs into this folder")
    args = parser.parse_args(argv)
    configs = ("embedded", "redis") if args.config == "both" else (args.config,)
    workdir = Path(tempfile.mkdtemp(prefix="mmm-load-"))
    try:
        output = [f"{time.strftime('%Y-%m-%d %H:%M %Z')}; code: {tree_state()}.", ""]
        print(output[0], flush=True)
        flow = recorded_flow(workdir, args.recording)
        for config in configs:
            lines = run_config(config, flow, args, workdir)
            print("\n".join(lines), flush=True)
            output += [*lines, ""]
        print("\n# All configurations\n\n" + "\n".join(output))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
