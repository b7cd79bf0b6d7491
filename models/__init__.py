"""The media-mix engine, laid out by concern. Never imports dash.

- ``models.data``: reading and validating an upload (``read_upload``, ``DataError``).
- ``models.datasets``: the demo data, its synthetic generator and true process.
- ``models.explore``: statistics of the data.
- ``models.transforms`` and ``models.curves``: adstock and saturation maths, and the curves by name.
- ``models.families``: the interface every model implements and the families (ridge, trees, Bayesian).
- ``models.options`` and ``models.summary``: what a family offers its users and what a fit tells them.
- ``models.planning``: what-if predictions, budget optimisation and the budget for a revenue target.
- ``models.checks`` and ``models.comparison``: checks of a fit in words (``fitted.checks()``,
  ``fitted.run_checks()``) and which of several fits to trust (``models.compare``).

import models
fitted = models.fit("ridge", upload.frame, upload.roles)
fitted.metrics, fitted.roas(), fitted.contributions(), fitted.predict(plan)
fitted.run_checks(); fitted.checks()
models.compare([fitted, other])
"""

from __future__ import annotations

import importlib

MODEL_NAMES = ("ridge", "lightgbm", "xgboost", "bayesian")
_FAMILIES = {
    "ridge": ("models.families.ridge", "RidgeMMM"),
    "lightgbm": ("models.families.trees", "LightGBMMMM"),
    "xgboost": ("models.families.trees", "XGBoostMMM"),
    "bayesian": ("models.families.bayesian", "BayesianMMM"),
}
LABELS = {"ridge": "Ridge (Robyn-style)", "lightgbm": "LightGBM", "xgboost": "XGBoost", "bayesian": "Bayesian (PyMC)"}


def model_class(name: str):
    """The class registered under ``name`` (imported on first use, so start-up stays light)."""
    if name not in _FAMILIES:
        raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}.")
    module, cls = _FAMILIES[name]
    return getattr(importlib.import_module(module), cls)


def fit(name, frame, roles, holdout=0.1, random_state=0, progress=None, intervals=False, **options):
    """Fit model family ``name`` on ``frame`` with column ``roles`` (as from models.data.read_upload).

    ``holdout`` is the last fraction of periods kept out of training and used for the metrics;
    ``progress(fraction, message)`` is called during the fit; ``options`` go to the family. ``intervals``:
    True (or a number of bootstrap replicates) runs ``fitted.estimate_intervals()`` right after the fit,
    so a point model's outputs carry 90% intervals (the Bayesian model has them anyway).
    """
    model = model_class(name)(random_state=random_state, **options)
    if intervals is False or intervals is None:
        return model.fit(frame, roles, holdout=holdout, progress=progress)
    from models.families.base import scaled_progress

    model.fit(frame, roles, holdout=holdout, progress=scaled_progress(progress, 0.0, 0.3))
    replicates = None if intervals is True else intervals
    return model.estimate_intervals(replicates=replicates, progress=scaled_progress(progress, 0.3, 1.0))


def holdout_periods(n_rows: int, holdout: float) -> int:
    """How many of ``n_rows`` periods a fit with ``holdout`` (a fraction) keeps out of training, at the end."""
    from models.families.features import holdout_start

    return n_rows - holdout_start(n_rows, holdout)


def score_last(fitted_table, periods: int) -> dict:
    """A fit's errors on the last ``periods`` periods of its ``summary().tables["fitted"]`` table (date, actual,
    predicted, holdout), so fits made with one holdout can be scored on another without fitting again.

    Returns ``r2``, ``mape``, ``nrmse`` (as ``fitted.metrics``), ``periods`` (as scored) and ``trained_on``: how
    many of those periods the model was trained on (0: a true out-of-sample score; more: the score is partly
    in-sample, so it flatters the model and only a refit with that holdout gives a fair one).
    """
    from models.families.features import regression_metrics

    periods = int(periods)
    if periods < 2:
        raise ValueError("Score at least 2 periods.")
    last = fitted_table.sort_values("date").tail(periods)
    scores = regression_metrics(last["actual"].to_numpy(), last["predicted"].to_numpy())
    trained_on = int((~last["holdout"].astype(bool)).sum())
    return {**scores, "periods": len(last), "trained_on": trained_on}


def load(blob: bytes):
    """A fitted model back from ``fitted.to_bytes()`` (no pickle involved)."""
    import io
    import json
    import zipfile

    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        family = json.loads(archive.read("model.json"))["common"]["family"]
    return model_class(family).from_bytes(blob)


def optimize_budget(
    fitted, budget, periods, bounds=None, locked=None, objective="revenue", min_roas=None, quantile=None
):
    """Split ``budget`` (total over the next ``periods`` periods) across channels; see models.planning.

    ``quantile`` (0 < q <= 0.5, a model with intervals) maximises that percentile of revenue across the
    model's draws instead of expected revenue; ``plan.risk`` then says what it gains and costs.
    """
    from models.planning import optimize_budget as optimize

    return optimize(
        fitted,
        budget,
        periods,
        bounds=bounds,
        locked=locked,
        objective=objective,
        min_roas=min_roas,
        quantile=quantile,
    )


def minimum_budget(fitted, target_revenue, periods, bounds=None, locked=None):
    """The least budget over the next ``periods`` whose optimised plan reaches ``target_revenue``; see
    models.planning.

    Returns the same BudgetPlan as optimize_budget (``plan.budget`` is the budget found); ``target_revenue``
    is total expected revenue over the horizon, as ``plan.expected["revenue"]``. ValueError in words when no
    budget up to the cap (the sum of the maximums, or 20x the recent spend) reaches it.
    """
    from models.planning import minimum_budget as least_budget

    return least_budget(fitted, target_revenue, periods, bounds=bounds, locked=locked)


def what_if(fitted, spend, periods, horizon=None):
    """Predicted revenue for ``spend`` per period per channel over the next ``periods``; see models.planning.

    Pass a ``models.planning.Horizon(fitted, periods)`` built once to make repeated what-ifs fast.
    """
    from models.planning import what_if as predict

    return predict(fitted, spend, periods, horizon=horizon)


def compare(fits, labels=None):
    """One row per fitted model of the same data, with a score and one recommendation; see models.comparison.

    ``fits`` is a list (models named by ``labels``, :data:`LABELS` by default) or a dict of name to model.
    Run ``fitted.run_checks()`` first so the placebo and twin checks count.
    """
    from models.comparison import compare as compare_fits

    return compare_fits(fits, labels=LABELS if labels is None else labels)


def family_options(name: str) -> list[dict]:
    """The options family ``name`` offers (label, choices or bounds, and the constructor's default)."""
    return model_class(name).option_specs()
