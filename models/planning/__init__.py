"""Plan future spend with any fitted model: what-if predictions and budget optimisation.

A plan is a constant spend per period for each channel over the next ``periods`` periods. Every number
comes from the fitted model itself (:meth:`~models.families.base.MediaMixModel.scenario_draws`) on the data's last
periods followed by the plan, so spend carried over from the data (adstock) counts, and controls are held
at their recent average (:meth:`~models.families.base.MediaMixModel.future_frame`).

* :func:`what_if` predicts revenue for one plan: per period, in total, and per channel the incremental
  revenue (against not spending on that channel in the horizon), ROAS and marginal ROAS.
* :func:`optimize_budget` splits a total budget to maximise revenue, optionally subject to a minimum
  overall ROAS, within per-channel bounds and locks, or (``quantile``) to maximise a low percentile of
  revenue across the model's draws: a cautious plan. There are no hidden bounds: a channel without a bound
  can take anything from 0 to the whole budget.
* :func:`minimum_budget` finds the least budget whose optimised plan reaches a revenue target.

How the optimiser works: each free channel's incremental revenue over the horizon is evaluated on a grid
of spend levels with the model (other channels at their recent spend) and interpolated with a monotone
cubic (:class:`scipy.interpolate.PchipInterpolator`), which gives SLSQP a smooth objective with exact
gradients; it starts from the best split on a grid (dynamic programming) and several other points and
keeps the best. For the additive models (``fitted.additive``: ridge, Bayesian) a channel's revenue depends
on its own spend only, so this is the model's response up to interpolation. For the tree models it is a
per-channel approximation, so the plan is then refined on the whole model (:mod:`models.planning.search`:
budget moved between pairs of channels in shrinking steps, every round one batched call of the model).
The allocation is then evaluated exactly with the model, with intervals from the posterior or bootstrap
where the model has them (its mean response is what is optimised, unless a ``quantile`` is asked for).
"""

from models.planning.horizon import Horizon, PlannableModel
from models.planning.messages import uncertain_cut_messages
from models.planning.optimiser import BudgetPlan, optimize_budget
from models.planning.target import minimum_budget
from models.planning.what_if import WhatIf, what_if

__all__ = [
    "BudgetPlan",
    "Horizon",
    "PlannableModel",
    "WhatIf",
    "minimum_budget",
    "optimize_budget",
    "uncertain_cut_messages",
    "what_if",
]
