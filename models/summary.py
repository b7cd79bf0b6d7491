"""What a fitted model tells its users, as documented tables: the engine's face to the dashboard.

:meth:`models.families.base.MediaMixModel.summary` returns a :class:`ModelSummary`; a user interface or a notebook
reads these tables and fields and never a model's learned (``name_``) state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

SUMMARY_TABLES = ("fitted", "contributions", "roas", "curves", "importance", "decay")
FITTED_COLUMNS = ["date", "actual", "predicted", "holdout"]


@dataclass
class ModelSummary:
    """Result tables of one fitted model, in original units (currency, periods of the data).

    ``tables``:

    - ``fitted``: date, actual, predicted, holdout (True for the periods kept out of training).
    - ``contributions``: the date column, then one column per component (baseline, trend, seasonality,
      controls, channels); each row sums to the fitted revenue.
    - ``roas``: channel, spend, contribution, roas, mroas, lower, upper (90% interval of ROAS),
      contribution_lower, contribution_upper (90% interval of the contribution); an interval repeats the
      estimate for a point model whose bootstrap has not run (``intervals`` is None).
    - ``curves``: channel, spend, response, lower, upper (revenue per period at a constant spend per period,
      with its 90% interval).
    - ``importance``: feature, importance, kind.
    - ``decay``: channel, lag, weight (carry-over; empty for models without one).

    ``metrics``: holdout (r2, mape, nrmse), training (train_*) and cross-validation (cv_*) scores and
    ``holdout_periods``. ``diagnostics``: sampler diagnostics (models with a posterior) or None.
    ``health``: plain-language checks ``{"level", "message"}`` or None. ``recent_spend``: average spend
    per period over about the last month, per channel. ``spend_range``: channel, min, max, mean of the
    observed spend per period. ``intervals``: how a point model's intervals were made (``method``,
    ``replicates``, ``level``, ``block_periods``, ``plausible_settings``; see
    :mod:`models.families.bootstrap`), None for the Bayesian model (posterior intervals) and for a point
    model before ``estimate_intervals()``.
    """

    family: str
    channels: list[str]
    frequency: str
    metrics: dict
    tables: dict[str, pd.DataFrame]
    recent_spend: dict[str, float]
    spend_range: pd.DataFrame
    diagnostics: dict | None = None
    health: list[dict] | None = field(default=None)
    intervals: dict | None = None
