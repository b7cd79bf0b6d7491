"""The background fit job: check the options, fit the session's data, store the model and its summary."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Sequence

import models
from dashboard.store import SessionStore
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.fits import Heartbeat, save_fit
from models.data import DataError
from models.options import checked_options

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.3  # seconds between progress updates sent to the browser
SESSION_LOST = "Your session is not valid any more: load your data again."
NO_DATA = "There is no data to fit: upload a file or try the demo data first."
FAILED = "The fit failed unexpectedly. Try other options, or check the roles of your columns."


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


def fit_job(store: SessionStore, family: str, token, holdout, values: Sequence, set_progress: Callable) -> dict:
    """Load the session's data, fit, store the model and its summary; errors come back as messages."""
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
    heartbeat = Heartbeat(store, sid, family)
    try:
        with heartbeat:
            fitted, seconds = timed_fit(family, dataset, holdout, options, throttled(set_progress))
        set_progress((97, "Saving results"))
        meta = save_fit(store, sid, fitted, dataset.version, seconds, options)
    except (DataError, ValueError) as exc:
        return {"error": f"The model could not be fitted: {exc}"}
    except Exception as exc:  # never show a traceback; log where it failed, not the data
        where = "".join(traceback.format_tb(exc.__traceback__))
        log.error("fit of %s failed with %s:\n%s", family, type(exc).__name__, where)
        return {"error": FAILED}
    finally:
        heartbeat.finished()
    set_progress((100, f"Done in {seconds:.1f} s"))
    return {"version": dataset.version, "fitted_at": meta["fitted_at"]}


def timed_fit(family: str, dataset, holdout, options: dict, report: Callable) -> tuple:
    """(fitted model, seconds) for the dataset with the holdout slider's percentage."""
    report(0.0, "Starting")
    started = time.perf_counter()
    fitted = models.fit(family, dataset.frame, dataset.roles, holdout=(holdout or 10) / 100, progress=report, **options)
    return fitted, time.perf_counter() - started


def throttled(set_progress: Callable) -> Callable[[float, str], None]:
    """A progress(fraction, message) callback that updates the bar at most every PROGRESS_EVERY seconds."""
    return Throttle(set_progress).report


class Throttle:
    """Forwards the engine's progress to the bar (0-95%: saving takes the rest), dropping rapid updates."""

    def __init__(self, set_progress: Callable):
        self.set_progress, self.last = set_progress, 0.0

    def report(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction >= 1 or now - self.last >= PROGRESS_EVERY:
            self.last = now
            percent = round(95 * fraction)
            self.set_progress((percent, f"{message} ({percent}%)"))
