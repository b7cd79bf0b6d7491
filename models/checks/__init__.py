"""Checks of a fitted model in plain words: can its ROAS be trusted, and what to do if not.

``fitted.checks()`` returns one row per check with the columns of :data:`CHECK_COLUMNS`: ``check`` (its
name), ``status`` (``"ok"``, ``"warn"`` or ``"fail"``), ``detail`` (what was found, with the numbers),
``action`` (what to do) and ``value`` (the number the status is read from). The cheap checks are computed
from the fit every time; the two that refit the model (placebo and twin) run in
``fitted.run_checks(progress)``, which keeps their rows on the model (stored by ``to_bytes``).

==========================  ===============================================  ===========  ===========
check                       value                                            warn above   fail above
==========================  ===============================================  ===========  ===========
Holdout error               MAPE on the holdout periods                      10%          25%
Cross-validation error      mean MAPE of the rolling-origin refits           10%          25%
ROAS stability              largest spread of a channel's last-year ROAS     50%          100% [#]_
                            over the CV refits and the full fit
Plausible ROAS              channels with implausible ROAS                   any [#]_     any negative
Convergence                 largest R-hat (models with a sampler)            see [#]_     see [#]_
Placebo channel             placebo ROAS / real channels' overall ROAS [#]_  20%          50%
Simulated twin              median relative ROAS error on the twin           25%          50%
==========================  ===============================================  ===========  ===========

The error checks also warn when R² is below 0.5 and fail below 0 (worse than a flat line); the CV check
warns when the CV NRMSE is more than twice the training NRMSE (overfitting). A check that cannot be
measured (no CV folds, no holdout) warns and says so.

.. [#] Only a channel with at least 10% of spend fails; smaller ones warn. Spreads and errors divide by at
   least 10% of the channels' overall ROAS, so a channel near 0 does not divide by 0.
.. [#] ROAS above 20, or below 0.05 for a channel with at least 10% of spend.
.. [#] The Bayesian family's :mod:`models.families.bayesian.health` rules and wording (R-hat above 1.01 or
   a divergence: fail; effective sample size below 400 or a single chain: warn).
.. [#] For a model with intervals of its own (the Bayesian family), the lower end of the placebo's 90%
   interval: its ROAS prior keeps a placebo's estimate above zero (:mod:`models.checks.refits`).

References
----------
Placebo and parameter-recovery checks: pymc-labs' Mixlab; Mutinex's mmm-eval; Robyn's refresh stability.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.checks.basic import (
    CONVERGENCE,
    CROSS_VALIDATION,
    HOLDOUT,
    PLAUSIBLE,
    STABILITY,
    convergence_check,
    cross_validation_check,
    holdout_check,
    plausible_check,
    stability_check,
    worst,
)
from models.checks.refits import PLACEBO, TWIN, placebo_check, twin_check
from models.data.dates import period_unit

CHECK_COLUMNS = ["check", "status", "detail", "action", "value"]
STATUSES = ("ok", "warn", "fail")
CHECK_ORDER = (HOLDOUT, CROSS_VALIDATION, STABILITY, PLAUSIBLE, CONVERGENCE, PLACEBO, TWIN)
REFIT_CHECKS = (PLACEBO, TWIN)

__all__ = ["CHECK_COLUMNS", "CHECK_ORDER", "REFIT_CHECKS", "STATUSES", "model_checks", "refit_checks", "summarise"]


def model_checks(fitted, cv_roas: dict | None = None, stored: list[dict] | None = None) -> pd.DataFrame:
    """Every check computed so far for ``fitted``: the cheap ones now, the refit ones from ``stored``.

    Parameters
    ----------
    fitted : models.families.base.MediaMixModel
        A fitted model (any family).
    cv_roas : dict, optional
        Per-fold ROAS recorded by the fit's cross-validation, ``{"periods": n, "folds": [{channel: roas}]}``.
    stored : list of dict, optional
        Rows of :func:`refit_checks` kept on the model.

    Returns
    -------
    pandas.DataFrame
        One row per check in :data:`CHECK_ORDER`, columns :data:`CHECK_COLUMNS`.
    """
    history, channels = fitted.history(), fitted.channels
    unit = period_unit(getattr(fitted, "frequency", None))
    rows = [
        holdout_check(fitted.metrics, unit),
        cross_validation_check(fitted.metrics, getattr(fitted, "name", ""), unit),
        stability_check(cv_roas, fitted.contributions().reset_index(drop=True), history[channels], unit),
        plausible_check(fitted.roas()),
        convergence_check(fitted.diagnostics),
        *(stored or []),
    ]
    table = pd.DataFrame([r for r in rows if r is not None], columns=CHECK_COLUMNS)
    order = {name: i for i, name in enumerate(CHECK_ORDER)}
    return table.sort_values("check", key=lambda names: names.map(order), kind="stable", ignore_index=True)


def refit_checks(fitted, progress) -> list[dict]:
    """Run the placebo and twin checks (one refit each); ``progress(fraction, message)`` says which runs."""
    halves = [(0.0, 0.5), (0.5, 1.0)]
    rows = []
    for check, (start, end) in zip((placebo_check, twin_check), halves):
        rows.append(check(fitted, lambda f, m, s=start, e=end: progress(s + (e - s) * min(max(f, 0.0), 1.0), m)))
    progress(1.0, "Checks done")
    return rows


def summarise(table: pd.DataFrame) -> dict:
    """Counts of ok, warn and fail, the worst status, the names of the checks at it and each check's value."""
    counts = {status: int((table["status"] == status).sum()) for status in STATUSES}
    status = worst(table["status"])
    names = table.loc[table["status"] == status, "check"].tolist() if status != "ok" else []
    found = dict(zip(table["check"], table["value"]))
    values = {name: float(found.get(name, np.nan)) for name in CHECK_ORDER}
    return {**counts, "worst": status, "worst_checks": names, "values": values}
