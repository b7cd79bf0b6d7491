"""The first Bayesian fit after a restart: empty compile caches, warm disk caches, and a warmed-up worker (not a test).

Run::

    OMP_WAIT_POLICY=passive PYTENSOR_FLAGS=blas__ldflags=-lopenblas PYTHONPATH=. .venv/bin/python bench/warm_start.py

Each scenario is a fresh Python process (as after a restart) that times the dashboard's default Bayesian
fit, ``models.fit("bayesian", frame, roles, holdout=0.1)`` (3 CV refits, 2 chains of 500 + 1500), on the
first ``--rows`` days of the demo process (``bench/bayesian.py``'s ``demo_frame``), twice in a row:

- ``cold``: PyTensor's compile directory (``base_compiledir``, which also holds its numba cache) and
  ``NUMBA_CACHE_DIR`` point at new, empty directories: a restart on a fresh file system (Heroku) today.
- ``disk``: the same directories, now filled by ``cold``: a restart that keeps its disk caches.
- ``warmup``: empty caches under a new ``MMM_DATA_DIR`` (``dashboard.warmup.use_data_dir_caches``), then
  ``dashboard.warmup.warm_up()`` before the first fit: the Celery worker's pool process after a restart.
- ``fork``: the embedded default: the process imports only what the web app does, and each fit runs in a
  child forked by ``multiprocess`` (as Dash's DiskcacheManager does); empty caches.
- ``fork-disk``: the same after ``python -m dashboard.warmup`` (what gunicorn.conf.py's ``when_ready``
  starts) has filled the data directory's caches: the embedded default after a restart, with the warm-up.
- ``fork-warmup``: the same after ``warm_up()`` in the parent itself, whose memory the children inherit
  (measured for comparison; the web server does not do this, see dashboard/warmup.py).

Before the fits each process imports PyMC, PyTensor, numba, nutpie and ArviZ, timed as "imports" (the
first fit of a process that has not imported them pays for them). The first fit's time is broken down by
wrapping the functions that do each part: PyTensor's C compiler (``GCC_compiler.compile_str``), numba's
compiles (``Dispatcher.compile``, ``CFunc.compile``, outermost calls; of which loading from numba's
cache), the model's compile (``sampling._compiled``: graph, rewrites, C and numba compiles), sampling
(``sampling._sample_nutpie``, the main fit and the CV refits) and ArviZ's diagnostics.

With ``.venv-bench`` (bench/requirements-pymc-marketing.txt) present, ``--pymc-marketing`` also times
PyMC-Marketing's fit with ``bench/bayesian.py``'s code (in ``.venv-bench``) and ours as that bench
runs it (``run_ours``: every row, no CV, 1000 + 1000) in a cold and in a warmed-up process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
SCENARIOS = ("cold", "disk", "warmup", "fork", "fork-disk", "fork-warmup")
PARTS = ("C compile", "numba compile", "numba cache loads", "model compile", "sampling", "diagnostics")
BLAS = "blas__ldflags=-lopenblas"


# ------------------------------------------------------------------------------------ the child process
class Clock:
    """Seconds spent in wrapped functions, outermost calls only (per group), summed since start."""

    def __init__(self):
        self.totals, self.depth = defaultdict(float), defaultdict(int)

    def wrap(self, owner, name: str, group: str, static: bool = False) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            self.depth[group] += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth[group] -= 1
                if self.depth[group] == 0:
                    self.totals[group] += time.perf_counter() - start

        setattr(owner, name, staticmethod(timed) if static else timed)

    def snapshot(self) -> dict[str, float]:
        return dict(self.totals)


def install(clock: Clock) -> None:
    import numba.core.caching
    import numba.core.ccallback
    import numba.core.dispatcher
    from pytensor.link.c.cmodule import GCC_compiler

    from models.families.bayesian import sampling

    clock.wrap(GCC_compiler, "compile_str", "C compile", static=True)
    clock.wrap(numba.core.dispatcher.Dispatcher, "compile", "numba compile")
    clock.wrap(numba.core.ccallback.CFunc, "compile", "numba compile")
    clock.wrap(numba.core.caching.Cache, "load_overload", "numba cache loads")
    clock.wrap(sampling, "_compiled", "model compile")
    clock.wrap(sampling, "_sample_nutpie", "sampling")
    clock.wrap(sampling, "_posterior", "diagnostics")


def timed_step(clock: Clock, run) -> dict:
    """``run()``'s wall seconds and the parts' seconds within it."""
    before, start = clock.snapshot(), time.perf_counter()
    result = run()
    step = {"wall": time.perf_counter() - start}
    step.update({part: clock.totals.get(part, 0.0) - before.get(part, 0.0) for part in PARTS})
    if result is not None and hasattr(result, "diagnostics"):
        step["compile_seconds"] = result.diagnostics.get("compile_seconds")
    return step


def imports() -> None:
    import arviz  # noqa: F401
    import numba  # noqa: F401
    import nutpie  # noqa: F401
    import pymc  # noqa: F401
    import pytensor  # noqa: F401

    from models.families.bayesian import ops  # noqa: F401  (PyTensor's numba dispatch)


def child(args) -> dict:
    """One scenario in this (fresh) process; the environment was set by the parent."""
    if args.scenario == "warmup" or args.scenario.startswith("fork"):
        from dashboard import warmup

        warmup.use_data_dir_caches()  # before PyTensor or numba is imported, as wsgi.py would
    import models
    from bench.bayesian import demo_frame

    frame = demo_frame(args.rows)
    roles = {"date": "date", "target": "revenue", "channels": list(CHANNELS()), "controls": ["price", "promo"]}

    def fit():
        return models.fit("bayesian", frame, roles, holdout=0.1)

    out = {"scenario": args.scenario, "rows": len(frame), "pid": os.getpid()}
    if args.scenario.startswith("fork"):
        return fork_child(args, fit, out)
    clock = Clock()
    start = time.perf_counter()
    imports()
    out["imports"] = time.perf_counter() - start
    install(clock)
    saturation = {"saturation": args.pmm_ours} if args.pmm_ours else {}
    if args.scenario == "warmup":
        from dashboard import warmup

        out["warm_up"] = timed_step(clock, lambda: warmup.warm_up(**saturation))
        out["warm_up"]["wall"] += out["imports"]  # the warm-up pays for the imports
    if args.pmm_ours:
        from bench.bayesian import run_ours

        bench_args = argparse.Namespace(
            holdout=0.0, cv_folds=0, draws=1000, tune=1000, chains=2, saturation=args.pmm_ours or "hill"
        )
        out["ours_bench"] = run_ours(frame, bench_args)["wall"]
        return out
    out["fit1"] = timed_step(clock, fit)
    out["fit2"] = timed_step(clock, fit)
    return out


def fork_child(args, fit, out: dict) -> dict:
    """Each fit in a child forked by ``multiprocess``, as the embedded default runs them."""
    import multiprocess

    if args.scenario == "fork-warmup":
        from dashboard import warmup

        start = time.perf_counter()
        warmup.warm_up()
        out["warm_up"] = {"wall": time.perf_counter() - start}
    elif args.scenario == "fork-disk":
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dashboard.warmup"], cwd=ROOT, check=True, capture_output=True)
        out["warm_up"] = {"wall": time.perf_counter() - start}

    def run(queue):
        clock = Clock()
        start = time.perf_counter()
        imports()
        seconds = time.perf_counter() - start
        install(clock)
        step = timed_step(clock, fit)
        step["imports"] = seconds
        step["wall"] += seconds
        queue.put(step)

    for name in ("fit1", "fit2"):
        queue = multiprocess.Queue()
        start = time.perf_counter()
        process = multiprocess.Process(target=run, args=(queue,))
        process.start()
        step = queue.get()
        process.join()
        step["wall_parent"] = time.perf_counter() - start
        out[name] = step
    return out


def CHANNELS():
    from models.datasets.truth import CHANNELS

    return CHANNELS


# ------------------------------------------------------------------------------------------- the parent
def scenario_env(scenario: str, caches: Path, data_dirs: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("NUMBA_CACHE_DIR", "MMM_DATA_DIR")}
    env.update(OMP_WAIT_POLICY="passive", PYTHONPATH=str(ROOT), PYTENSOR_FLAGS=BLAS)
    if scenario in ("cold", "disk"):
        env["PYTENSOR_FLAGS"] = f"{BLAS},base_compiledir={caches / 'pytensor'}"
        env["NUMBA_CACHE_DIR"] = str(caches / "numba")
    else:  # a new, empty data directory: the warm-up's caches go there (dashboard.warmup.use_data_dir_caches)
        env["MMM_DATA_DIR"] = str(Path(tempfile.mkdtemp(dir=data_dirs)) / "data")
    return env


def run_child(scenario: str, env: dict, rows: int, python: str = sys.executable, extra=()) -> dict:
    command = [python, str(Path(__file__).resolve()), "--child", scenario, "--rows", str(rows), *extra]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{scenario} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    record = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps(record), flush=True)
    return record


def pymc_marketing_seconds(rows: int) -> float | None:
    """PyMC-Marketing's wall time from bench/bayesian.py in .venv-bench (None when that venv is missing)."""
    if not BENCH_PYTHON.exists():
        return None
    env = {**os.environ, "OMP_WAIT_POLICY": "passive", "PYTHONPATH": str(ROOT), "PYTENSOR_FLAGS": BLAS}
    command = [str(BENCH_PYTHON), str(ROOT / "bench" / "bayesian.py"), "--rows", str(rows), "--skip-ours"]
    output = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    print(output, flush=True)
    row = next(line for line in output.splitlines() if line.startswith("| PyMC-Marketing |"))
    return float(row.split("|")[3])


def cell(value) -> str:
    return "" if value is None else f"{value:.1f}"


def report(records: dict[str, dict]) -> None:
    print()
    print("| scenario | warm-up s | imports s | first fit s | of which model compile s | second fit s |")
    print("|---|---|---|---|---|---|")
    for name, r in records.items():
        if "fit1" not in r:
            continue
        fork = name.startswith("fork")
        imports = r["fit1"].get("imports") if fork else r.get("imports")
        first = r["fit1"]["wall"] if fork or name == "warmup" else r["fit1"]["wall"] + r["imports"]
        cells = [name, cell(r.get("warm_up", {}).get("wall")), cell(imports), cell(first)]
        cells += [cell(r["fit1"]["model compile"]), cell(r["fit2"]["wall"])]
        print("| " + " | ".join(cells) + " |")
    print()
    print("First fit (imports not included), by part (s):")
    print()
    print("| scenario | fit | " + " | ".join(PARTS) + " | rest |")
    print("|---|---|" + "---|" * (len(PARTS) + 1))
    for name, r in records.items():
        for step in ("warm_up", "fit1", "fit2"):
            if step not in r or "sampling" not in r[step]:
                continue
            s = r[step]
            wall = s["wall"] - (s.get("imports") or (r.get("imports", 0.0) if step == "warm_up" else 0.0))
            rest = wall - s["model compile"] - s["sampling"] - s["diagnostics"]
            cells = [name, step, *(cell(s[p]) for p in PARTS), cell(rest)]
            print("| " + " | ".join(cells) + " |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated, of " + ", ".join(SCENARIOS))
    parser.add_argument("--pymc-marketing", action="store_true", help="also the side-by-side (needs .venv-bench)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pmm-seconds",
        type=float,
        default=None,
        help="PyMC-Marketing's seconds from bench/bayesian.py, used instead of timing it again",
    )
    parser.add_argument("--pmm-ours", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.scenario = args.child
        print(json.dumps(child(args)), flush=True)
        return

    print(
        f"{time.strftime('%Y-%m-%d')}: {args.rows} daily rows; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; scenarios {args.scenarios}",
        flush=True,
    )
    records = {}
    with tempfile.TemporaryDirectory(prefix="warm-start-") as tmp:
        tmp = Path(tmp)
        caches, data_dirs = tmp / "caches", tmp / "data"
        caches.mkdir()
        data_dirs.mkdir()
        for scenario in filter(None, args.scenarios.split(",")):  # --scenarios "": the side by side alone
            if scenario == "disk" and "cold" not in records:
                run_child("cold", scenario_env("cold", caches, data_dirs), args.rows)  # fill the caches first
            records[scenario] = run_child(scenario, scenario_env(scenario, caches, data_dirs), args.rows)
        if records:
            report(records)
        if args.pymc_marketing:
            side_by_side(args.rows, tmp, args.pmm_seconds)


def side_by_side(rows: int, tmp: Path, recorded: float | None) -> None:
    """PyMC-Marketing against ours as bench/bayesian.py runs it (``run_ours``), in a fresh process with empty
    caches and in one after ``warm_up()`` with the same options: the default (Hill) curve and the logistic
    one, which PyMC-Marketing's side uses."""
    if recorded is not None:  # timed already (bench/bayesian.py): not again
        pmm, source = recorded, "given"
    else:
        pmm, source = pymc_marketing_seconds(rows), "timed now"
    if pmm is None:
        source = f"{BENCH_PYTHON.relative_to(ROOT)} missing"
        print(f"\nPyMC-Marketing: not timed, {source}", flush=True)
    lines = []
    for saturation in ("hill", "logistic"):
        for scenario, label in (("cold", "fresh process, empty caches"), ("warmup", "after warm_up()")):
            env = scenario_env(scenario, tmp / f"pmm-{saturation}-caches", tmp / "data")
            record = run_child(scenario, env, rows, extra=["--pmm-ours", saturation])
            ours = record["ours_bench"]
            ratio = f"{pmm / ours:.1f}x" if pmm else ""
            lines.append(f"| {saturation} | {label} | {ours:.1f} | {cell(pmm)} ({source}) | {ratio} |")
    print()
    print("| our curve | our process | ours s | PyMC-Marketing s | PyMC-Marketing / ours |")
    print("|---|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
