"""Replay a recorded visit (bench/load_record.py) as one simulated user of a running server, over HTTP.

Each user keeps what the page would hold (every component property from its own layout and from the answers,
like Dash's renderer) and sends the recorded callback requests in the recorded order with the values the
*server* gave it: its own session token, dataset version, plan id, spend values... A value the person set in
the browser (the uploaded file, a typed number, a click) is sent as recorded. A request waits only for the
answers that had arrived before it was sent in the recording, so the page's parallel requests stay parallel.
A background callback (the fit) is started and then polled every second with the job handles the server
returned, as the renderer does, and every dcc.Interval the page has enabled ticks on its own clock.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import requests

UPDATE = "/_dash-update-component"
PAGE_GETS = {"/": "GET /", "/_dash-layout": "GET /_dash-layout", "/_dash-dependencies": "GET /_dash-dependencies"}
CONFIG = re.compile(r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S)
MISSING = object()
POLL_EVERY = 1.0  # seconds between polls of a background job (Dash's default `interval`)
TIMEOUT = 60  # seconds for any one request: an answer that takes longer is counted as an error


def canonical(component_id) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def items(body: dict) -> list[dict]:
    """The inputs and states of a callback request, pattern-matching lists flattened."""
    found = []
    for entry in [*body.get("inputs", []), *body.get("state", [])]:
        found.extend(entry if isinstance(entry, list) else [entry])
    return found


def output_label(output: str) -> str:
    """A short name for a callback: its first output (without Dash's @hash), and how many more it has."""
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    first = re.sub(r"@[0-9a-f]+$", "", parts[0])
    if first.startswith("{"):
        first = re.sub(r'.*"type":"([^"]+)".*\}(\.\w+)$', r"\1[ALL]\2", first)
    return first + (f" +{len(parts) - 1}" if len(parts) > 1 else "")


class PageState:
    """Every component property the page holds, keyed by (component id, property)."""

    def __init__(self, layout: dict, watch=(), seen: list | None = None):
        self.props: dict[tuple[str, str], object] = {}
        self.lock = threading.Lock()
        self.watch, self.seen = set(watch), seen if seen is not None else []  # (time, key, value) of watched keys
        self.tree(layout)

    def tree(self, node) -> None:
        stack = [node]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                props = value.get("props")
                if "type" in value and isinstance(props, dict) and "id" in props:
                    cid = canonical(props["id"])
                    for name, prop in props.items():
                        self.props[(cid, name)] = prop
                stack.extend(value.values())
            elif isinstance(value, list) and value and isinstance(value[0], (dict, list)):
                stack.extend(value)  # a list of numbers (a figure's data) holds no component

    def set(self, cid: str, prop: str, value) -> None:
        key = (canonical(json.loads(cid)) if cid.startswith("{") else cid, prop.split("@")[0])
        with self.lock:
            if key in self.watch and self.props.get(key, MISSING) != value:
                self.seen.append((time.monotonic(), key, value))
            self.props[key] = value
            self.tree(value)

    def get(self, key: tuple[str, str], default=MISSING):
        return self.props.get(key, default)

    def answer(self, data: dict) -> None:
        """Apply a callback's answer: its outputs, set_props updates and a background job's progress."""
        for changes in (data.get("response"), data.get("sideUpdate")):
            for cid, props in (changes or {}).items():
                for prop, value in props.items():
                    self.set(cid, prop, value)
        for key, value in (data.get("progress") or {}).items():
            cid, prop = key.rsplit(".", 1)
            self.set(cid, prop, value)


@dataclass
class Call:
    """One recorded request: when it was sent and answered, what it is, which of its values the server gave."""

    kind: str
    method: str
    path: str
    action: int
    phase: str
    t0: float
    end: float  # when its answer (for a background job: its last poll's) had arrived
    status: int
    body: dict | None = None
    background: bool = False
    live: set = field(default_factory=set)
    after_update: tuple | None = None  # (background call, n): sent once its job has sent n set_props updates


@dataclass
class Flow:
    calls: list[Call]
    dependencies: list[dict]
    intervals: dict[str, int]  # the page's dcc.Interval ids and their periods (ms)
    actions: dict[int, str]  # action number -> the phase it starts


def analyse(recording: dict) -> Flow:
    """The calls to replay, in the recorded order, each with the values to take from the live page."""
    events = recording["events"]
    layout = next(e["response"] for e in events if e["path"] == "/_dash-layout")
    dependencies = next(e["response"] for e in events if e["path"] == "/_dash-dependencies")
    intervals = {}
    stack = [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "Interval" and "id" in node.get("props", {}):
                intervals[node["props"]["id"]] = node["props"].get("interval", 1000)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    ticks = {f"{i}.n_intervals" for i in intervals}
    jobs = {}  # job handle -> the call that started it
    updates = defaultdict(list)  # the call that started a job -> when each of its polls with set_props arrived
    calls, timeline = [], []
    for event in events:
        body = event.get("body")
        if "job" in event["query"]:  # a poll: replayed by the job's own loop
            starter = jobs[event["query"]["job"][0]]
            starter.end = max(starter.end, event["t1"])
            if isinstance(event.get("response"), dict) and event["response"].get("sideUpdate"):
                updates[id(starter)].append(event["t1"])
            timeline.append((event["t1"], 0, event))
            continue
        if body and body.get("changedPropIds") and set(body["changedPropIds"]) <= ticks:
            timeline.append((event["t1"], 0, event))
            continue  # an Interval's tick: each user's own intervals tick instead
        kind = PAGE_GETS.get(event["path"], "GET static files") if event["method"] == "GET" else None
        call = Call(
            kind or output_label(body["output"]),
            **{name: event[name] for name in ("method", "path", "action", "phase", "t0", "status")},
            end=event["t1"],
            body=body,
        )
        response = event.get("response")
        if isinstance(response, dict) and "job" in response:
            call.background, jobs[response["job"]] = True, call
        calls.append(call)
        timeline += [(event["t0"], 1, call), (event["t1"], 0, event)]
    shadow = PageState(layout)  # what the recorded page held at each moment
    for _time, order, item in sorted(timeline, key=lambda entry: (entry[0], entry[1])):
        if order == 1 and item.body:
            for entry in items(item.body):
                key = (canonical(entry["id"]), entry["property"])
                if "value" in entry and shadow.get(key) == entry["value"]:
                    item.live.add(key)
        elif order == 0 and isinstance(item.get("response"), dict) and item["path"] == UPDATE:
            shadow.answer(item["response"])
    actions = {}
    for call in calls:
        actions.setdefault(call.action, call.phase)
        for job in (c for c in calls if c.background and c.t0 < call.t0 < c.end):
            seen = sum(t1 <= call.t0 for t1 in updates[id(job)])
            if seen:  # it followed what the job's progress set on the page (a stage saved)
                call.after_update = (job, seen)
    return Flow(calls, dependencies, intervals, actions)


class Stats:
    """Latencies and errors per request kind, from every user (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.differs: dict[str, int] = defaultdict(int)
        self.resets: dict[str, int] = defaultdict(int)  # connections reset before any answer, sent again
        self.phases: dict[str, list[float]] = defaultdict(list)  # non-fit latencies by the action they followed
        self.phase_errors: dict[str, int] = defaultdict(int)
        self.background: set[str] = set()
        self.examples: list[str] = []

    def add(self, kind: str, seconds: float, error=None, differs=False, background=False, resets=0, phase=None):
        with self.lock:
            self.latency[kind].append(seconds)
            self.resets[kind] += resets
            if phase and not background:
                self.phases[phase].append(seconds)
                self.phase_errors[phase] += bool(error)
            if background:
                self.background.add(kind)
            if error:
                self.errors[kind] += 1
                if len(self.examples) < 8:
                    self.examples.append(f"{kind}: {error}")
            if differs:
                self.differs[kind] += 1

    def rows(self) -> list[dict]:
        rows = []
        for kind, values in self.latency.items():
            ms = np.array(values) * 1000
            rows.append(
                {
                    "kind": kind,
                    "fit": kind in self.background,
                    "count": len(values),
                    "errors": self.errors[kind],
                    "differs": self.differs[kind],
                    "resets": self.resets[kind],
                    "p50": float(np.percentile(ms, 50)),
                    "p95": float(np.percentile(ms, 95)),
                    "max": float(ms.max()),
                }
            )
        return sorted(rows, key=lambda row: (row["fit"], -row["p95"]))


@dataclass
class Job:
    """One background job (a fit) as the user's page followed it: when it started and ended, and its answer."""

    user: str
    started: float
    finished: float | None = None
    result: dict | None = None  # the callback's outputs; None when it ended without (204) or failed
    error: str | None = None
    updates: int = 0  # answers that carried set_props updates
    changed: threading.Condition = field(default_factory=threading.Condition)

    def updated(self, finished: bool = False) -> None:
        with self.changed:
            if finished:
                self.finished = time.monotonic()
            else:
                self.updates += 1
            self.changed.notify_all()

    def wait_for(self, updates: int, timeout: float = 600) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.updates >= updates or self.finished or self.error, timeout)


class User:
    """One simulated person: visits the page and goes through the recorded flow, with their own session."""

    def __init__(self, base: str, flow: Flow, stats: Stats, name: str, before_action=None, stop=None, watch=()):
        self.base, self.flow, self.stats, self.name, self.watch = base, flow, stats, name, watch
        self.seen: list[tuple[float, tuple, object]] = []  # every change of a watched property, this visit
        self.before_action = before_action or (lambda user, phase: None)
        self.stop = stop or threading.Event()
        self.http = requests.Session()
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=8))
        self.page: PageState | None = None
        self.end_id, self.jobs, self.first, self.phase = None, [], True, "page load"

    def visit(self) -> PageState | None:
        """One pass through the flow (a new page: a new session); static files only on the first visit."""
        self.page, self.end_id, action, pending, started = None, None, None, [], {}
        self.phase, self.seen = self.flow.actions[0], []
        done = threading.Event()
        with ThreadPoolExecutor(max_workers=6) as pool:  # a browser's connections per host
            ticker = threading.Thread(target=self._tick, args=(pool, done), daemon=True)
            ticker.start()
            try:
                for call in self.flow.calls:
                    if self.stop.is_set():
                        break
                    if call.kind == "GET static files" and not self.first:
                        continue  # cached by the browser
                    for end, future in pending:
                        if end <= call.t0:
                            future.result()
                    if call.after_update and id(call.after_update[0]) in started:
                        started[id(call.after_update[0])].wait_for(call.after_update[1])
                    if call.action != action:
                        action, self.phase = call.action, self.flow.actions[call.action]
                        if action > 0:
                            self.before_action(self, self.phase)
                    job = None
                    if call.background:
                        job = started[id(call)] = Job(self.name, time.monotonic())
                        self.jobs.append(job)
                    pending.append((call.end, pool.submit(self._send, call, job)))
                for _end, future in pending:
                    future.result()
            finally:
                done.set()
                ticker.join()
        self.first = False
        return self.page

    # -------------------------------------------------------------------------------------------- requests
    def _send(self, call: Call, job: Job | None = None) -> None:
        try:
            if call.method == "GET":
                self._get(call)
            elif call.background:
                self._background(call, job)
            else:
                self._post(call.kind, self._body(call), call.status, phase=call.phase)
        except Exception as exc:  # counted, never raised into the flow: the next requests still go
            self.stats.add(call.kind, 0.0, f"{type(exc).__name__}: {exc}", background=call.background, phase=call.phase)
            if job is not None:
                job.error = job.error or repr(exc)
                job.updated(finished=True)

    def _request(self, method: str, url: str, **options) -> tuple[requests.Response, int]:
        """(answer, resets): a connection reset before any answer is sent once more on a new connection, as a
        browser does when a kept-alive connection was closed under it; counted apart from errors."""
        try:
            return self.http.request(method, url, timeout=TIMEOUT, **options), 0
        except requests.ConnectionError as exc:
            if "reset" not in str(exc).lower() and "aborted" not in str(exc).lower():
                raise
        return self.http.request(method, url, timeout=TIMEOUT, **options), 1

    def _get(self, call: Call) -> None:
        started, resets = time.perf_counter(), 0
        try:
            answer, resets = self._request("GET", self.base + call.path)
        except requests.RequestException as exc:
            self.stats.add(call.kind, time.perf_counter() - started, type(exc).__name__, phase=call.phase)
            return
        seconds = time.perf_counter() - started
        error = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
        self.stats.add(call.kind, seconds, error, resets=resets, phase=call.phase)
        if call.path == "/":
            self.end_id = json.loads(CONFIG.search(answer.text).group(1))["end_id"]
        elif call.path == "/_dash-layout":
            self.page = PageState(answer.json(), self.watch, self.seen)

    def _post(self, kind: str, body: dict, expected, query=None, background=False, phase=None):
        """Send one callback request; apply and return its answer (None for 204 or an error)."""
        started, resets = time.perf_counter(), 0
        params = {"endId": self.end_id, **(query or {})}
        try:
            answer, resets = self._request("POST", self.base + UPDATE, params=params, json=body)
            data = answer.json() if answer.status_code == 200 else None
            error = None if answer.status_code in (200, 204) else f"HTTP {answer.status_code}: {answer.text[:120]}"
        except (requests.RequestException, ValueError) as exc:
            data, error, answer = None, f"{type(exc).__name__}: {exc}", None
        seconds = time.perf_counter() - started
        differs = answer is not None and expected is not None and answer.status_code != expected
        self.stats.add(kind, seconds, error, differs, background, resets, phase or self.phase)
        if isinstance(data, dict):
            self.page.answer(data)
        return data

    def _body(self, call: Call) -> dict:
        body = copy.deepcopy(call.body)
        for entry in items(body):
            key = (canonical(entry["id"]), entry["property"])
            if key in call.live:
                value = self.page.get(key)
                if value is not MISSING:
                    entry["value"] = value
        return body

    def _background(self, call: Call, job: Job) -> None:
        """Start the job, then poll it every second until it answers (as the renderer does)."""
        body = self._body(call)
        handles = self._post(call.kind + " [start]", body, call.status, background=True)
        if not handles or "job" not in handles:
            job.error = f"no job started: {handles}"
            job.updated(finished=True)
            return
        polled = copy.deepcopy(body)
        for entry in items(polled):
            entry["value"] = None  # the renderer sends the handles, not the values, when it polls
        query = {"cacheKey": handles["cacheKey"], "job": handles["job"]}
        deadline = time.monotonic() + 600
        while not self.stop.is_set() and time.monotonic() < deadline:
            time.sleep(POLL_EVERY)
            data = self._post(call.kind + " [poll]", polled, None, query, background=True)
            if data is None or "response" in data:
                job.result = (data or {}).get("response")
                job.updated(finished=True)
                return
            if data.get("sideUpdate"):
                job.updated()
        job.error = "stopped before the job answered"
        job.updated(finished=True)

    # ------------------------------------------------------------------------------------------- intervals
    def _tick(self, pool: ThreadPoolExecutor, done: threading.Event) -> None:
        """Each enabled dcc.Interval of the page fires its callbacks every ``interval`` ms."""
        next_tick: dict[str, float] = {}
        while not done.wait(0.2):
            if self.page is None or self.end_id is None:
                continue
            now = time.monotonic()
            for cid, period in self.flow.intervals.items():
                if self.page.get((cid, "disabled"), True) is not False:
                    next_tick.pop(cid, None)
                    continue
                if now < next_tick.setdefault(cid, now + period / 1000):
                    continue
                next_tick[cid] = now + period / 1000
                ticks = (self.page.get((cid, "n_intervals"), 0) or 0) + 1
                self.page.set(cid, "n_intervals", ticks)
                for dependency in self.flow.dependencies:
                    if any(i["id"] == cid and i["property"] == "n_intervals" for i in dependency["inputs"]):
                        body = self._tick_body(dependency, f"{cid}.n_intervals")
                        pool.submit(self._post, output_label(dependency["output"]) + " (tick)", body, None)

    def _tick_body(self, dependency: dict, changed: str) -> dict:
        output = dependency["output"]
        parts = output.strip(".").split("...") if output.startswith("..") else [output]
        outputs = [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in parts]

        def entry(spec: dict) -> dict:
            value = self.page.get((spec["id"], spec["property"]))
            return {**spec, **({} if value is MISSING else {"value": value})}

        body = {"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0]}
        body |= {"inputs": [entry(i) for i in dependency["inputs"]], "changedPropIds": [changed]}
        body["parsedChangedPropsIds"] = [changed]
        if dependency["state"]:
            body["state"] = [entry(s) for s in dependency["state"]]
        return body
