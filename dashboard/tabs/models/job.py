"""The background fit job: check the options, fit the session's data and store it, then add its 90% intervals
and its costly checks, saving after each stage so the page fills in as they finish."""

from __future__ import annotations

import functools
import logging
import time
import traceback
from collections.abc import Callable, Sequence

import models
from dashboard.jobs import Busy, FitSlots
from dashboard.store import SessionStore
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.fits import (
    DONE,
    PENDING,
    STAGES,
    STALE_AFTER,
    DataGone,
    Heartbeat,
    data_present,
    forget_fit,
    mark_started,
    save_fit,
    save_stage,
)
from models.data import DataError
from models.options import checked_options

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.3  # seconds between progress updates sent to the browser
SESSION_LOST = "Your session is not valid any more: load your data again."
NO_DATA = "There is no data to fit: upload a file or try the demo data first."
BUSY = (
    "A {family} fit is already running for your data: wait for it to finish (or cancel it), then fit again. "
    "One fit runs at a time per session."
)
CLEARED = "Your data was cleared while the fit ran, so the fit was stopped and nothing of it was kept."
QUEUED = "Queued: the server runs {n} fits at a time, yours starts when one ends."
FAILED = "The fit failed unexpectedly. Try other options, or check the roles of your columns."
STAGE_FAILED = {
    "intervals": "the bootstrap failed unexpectedly; the point estimates stand without intervals.",
    "checks": "the placebo and twin refits failed unexpectedly; the other checks stand.",
}
# Percent of the progress bar per stage: the point fit (shown as soon as it is saved), intervals, checks.
SPANS = {"fit": (0, 50), "intervals": (50, 85), "checks": (85, 99)}


def form_options(family: str, values: Sequence) -> dict:
    """The family's option form (values in the order of ``models.family_options``) as constructor arguments,
    checked by the engine; a blank is allowed only where the family says what blank means. ValueError in words."""
    specs = models.family_options(family)
    for spec, value in zip(specs, values):
        if value in (None, "") and not spec["blank"]:
            if spec["choices"] is not None:
                raise ValueError(f"{spec['label']}: choose one of the options.")
            raise ValueError(f"{spec['label']}: enter a whole number from {spec['minimum']:,} to {spec['maximum']:,}.")
    return checked_options(models.model_class(family), {spec["name"]: v for spec, v in zip(specs, values)})


def fit_job(
    store: SessionStore,
    family: str,
    token,
    holdout,
    values: Sequence,
    set_progress: Callable,
    announce=None,
    slots: FitSlots | None = None,
    click=None,
) -> dict:
    """Load the session's data, fit, store the model and its summary, then add its intervals and checks in
    the same job, saving after each stage and ``announce``-ing it (so the results fill in as they finish);
    errors come back as messages. ``slots`` bound the fits running at once (one per session, a few per
    server, the rest wait in line: dashboard/jobs.py). ``click``: the Fit button's n_clicks that sent it, kept
    in the job's marks so the page's pulse tells its own job from an earlier one."""
    sid = store.session_or_none(token)
    if sid is None:
        return {"error": SESSION_LOST}
    dataset = load_dataset(store, sid)
    if dataset is None:
        return {"error": NO_DATA}
    try:
        options = form_options(family, values)
    except ValueError as exc:
        return {"error": f"Check the options: {exc}"}
    slots, job = slots or FitSlots(store, stale_after=STALE_AFTER), FitSlots.new_job()
    try:
        slots.claim_session(sid, family, job)
    except Busy as busy:
        return {"error": BUSY.format(family=models.LABELS.get(busy.family, busy.family))}
    mark_started(store, sid, family, click)
    slot = None
    try:
        slot = slots.wait_for_server(sid, family, job, lambda n: set_progress((0, QUEUED.format(n=n))))
        beat = functools.partial(slots.refresh, sid, family, job, slot)
        heartbeat = Heartbeat(store, sid, family, also=beat, click=click)
        return _fit_and_save(store, sid, family, dataset, holdout, options, set_progress, announce, heartbeat)
    finally:
        slots.release(sid, job, slot)


def _fit_and_save(store, sid, family, dataset, holdout, options, set_progress, announce, heartbeat) -> dict:
    started, announce = time.perf_counter(), announce or ignore

    def guarded(update) -> None:  # every progress report first checks that the data was not cleared
        heartbeat.check()
        set_progress(update)

    try:
        with heartbeat:
            fitted, seconds = timed_fit(family, dataset, holdout, options, Throttle(guarded, *SPANS["fit"]).report)
            if not data_present(store, sid):
                raise DataGone
            set_progress((SPANS["fit"][1], "Fit saved: the results are shown while its checks run"))
            meta = save_fit(store, sid, fitted, dataset.version, seconds, options, first_stages(fitted))
            announce(stage_mark(meta))
            later_stages(store, sid, fitted, meta, guarded, announce)
    except DataGone:
        forget_fit(store, sid, family)  # a point fit saved before the data went goes with it
        return {"error": CLEARED}
    except (DataError, ValueError) as exc:
        return {"error": f"The model could not be fitted: {exc}"}
    except Exception as exc:  # never show a traceback; log where it failed, not the data
        log.error("fit of %s failed with %s:\n%s", family, type(exc).__name__, where(exc))
        return {"error": FAILED}
    finally:
        heartbeat.finished()
    set_progress((100, f"Done in {time.perf_counter() - started:.1f} s (the fit itself {seconds:.1f} s)"))
    return {"version": dataset.version, "fitted_at": meta["fitted_at"]}


def first_stages(fitted) -> dict:
    """The later stages still to run: intervals unless the model has its own (a posterior), then checks."""
    return {"intervals": DONE if fitted.has_intervals else PENDING, "checks": PENDING}


def later_stages(store: SessionStore, sid: str, fitted, meta: dict, set_progress: Callable, announce) -> dict:
    """Each pending stage in turn: run it, save the fit again, announce it. A stage that fails is saved as
    failed with its reason; the point fit stays."""
    for stage in STAGES:
        if meta["stages"][stage] != PENDING:
            continue
        report = Throttle(set_progress, *SPANS[stage], STAGE_LABELS[stage]).report
        started = time.perf_counter()
        error = run_stage(stage, fitted, report)
        set_progress((SPANS[stage][1], "Saving the results"))
        meta = save_stage(store, sid, fitted, meta, stage, time.perf_counter() - started, error)
        announce(stage_mark(meta))
    return meta


def run_stage(stage: str, fitted, report: Callable) -> str | None:
    """Add the intervals (bootstrap refits) or run the costly checks (placebo, twin); None, or why it failed."""
    try:
        if stage == "intervals":
            fitted.estimate_intervals(progress=report)
        else:
            fitted.run_checks(progress=report)
    except ValueError as exc:
        return str(exc)
    except DataGone:
        raise
    except Exception as exc:  # the point fit is saved: say the stage failed, never show a traceback
        log.error("%s of %s failed with %s:\n%s", stage, fitted.name, type(exc).__name__, where(exc))
        return STAGE_FAILED[stage]
    return None


def stage_mark(meta: dict) -> dict:
    """What the job announces after each save: the fit and its revision (each one new to the browser)."""
    return {"fitted_at": meta["fitted_at"], "revision": meta["revision"]}


def ignore(_mark: dict) -> None:
    """Announce nothing (a job run outside a browser callback)."""


def where(exc: Exception) -> str:
    """Where an exception came from (the traceback's frames), for the log only."""
    return "".join(traceback.format_tb(exc.__traceback__))


def timed_fit(family: str, dataset, holdout, options: dict, report: Callable) -> tuple:
    """(fitted model, seconds) for the dataset with the holdout slider's percentage."""
    report(0.0, "Starting")
    started = time.perf_counter()
    fitted = models.fit(family, dataset.frame, dataset.roles, holdout=(holdout or 10) / 100, progress=report, **options)
    return fitted, time.perf_counter() - started


def throttled(set_progress: Callable) -> Callable[[float, str], None]:
    """A progress(fraction, message) callback for the point fit that updates the bar at most every
    PROGRESS_EVERY seconds."""
    return Throttle(set_progress, *SPANS["fit"]).report


def intervals_label(message: str) -> str:
    """ "Intervals: bootstrap refit 3 of 30" from the engine's "Bootstrap refit 3 of 30"."""
    return f"Intervals: {message[:1].lower()}{message[1:]}"


def as_is(message: str) -> str:
    return message


class Throttle:
    """Forwards the engine's progress to the bar, within the stage's span of percent, dropping rapid updates."""

    def __init__(self, set_progress: Callable, start: int, end: int, label: Callable[[str], str] = as_is):
        self.set_progress, self.last = set_progress, 0.0
        self.start, self.end, self.label = start, end, label

    def report(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction >= 1 or now - self.last >= PROGRESS_EVERY:
            self.last = now
            percent = round(self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0))
            self.set_progress((percent, f"{self.label(message)} ({percent}%)"))


STAGE_LABELS = {"intervals": intervals_label, "checks": as_is}  # the checks' messages already say which runs
