r"""The numerical pieces of the Robyn-style ridge family (:mod:`models.families.ridge`).

A bounded ridge regression solved on a small system, Robyn's DECOMP.RSSD, the pick among the Pareto front of
the two search objectives and the plausible set of trials the bootstrap draws its worlds from
(:mod:`models.families.bootstrap`). Plain numpy and scipy; no model state.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, solve_triangular
from scipy.optimize import lsq_linear


def bounded_ridge(x: np.ndarray, y: np.ndarray, penalty: float, lower: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Ridge regression with lower bounds on the coefficients; returns (intercept, coefficients).

    With columns standardised on these rows, :math:`Z = (X - \bar X)/\sigma`, it solves

    .. math::

        \min_{b \ge \ell}\; \lVert y - \bar y - Z b \rVert^2 + \lambda n \lVert b \rVert^2

    (the intercept :math:`\bar y - \bar X (b/\sigma)` is unpenalised and free). With
    :math:`G = Z^\top Z + \lambda n I = L L^\top` this equals the 20-odd-row problem
    :math:`\min_{b \ge \ell} \lVert L^\top b - L^{-1} Z^\top (y - \bar y) \rVert^2`, the same solution as
    stacking :math:`\sqrt{\lambda n} I` under :math:`Z` but solved on :math:`p` rows instead of
    :math:`n + p` (``scipy.optimize.lsq_linear``, bounded-variable least squares). Constant columns get
    coefficient 0. ``lower`` is in the units of ``x`` (only 0 and -inf are meaningful).
    """
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    z = (x - mean) / sd
    centred = y - y.mean()
    gram = z.T @ z + penalty * len(y) * np.eye(z.shape[1])
    factor, _ = cho_factor(gram, lower=True)
    chol = np.tril(factor)
    rhs = solve_triangular(chol, z.T @ centred, lower=True)
    upper = np.full(z.shape[1], np.inf)
    standard = lsq_linear(chol.T, rhs, bounds=(lower, upper), method="bvls").x
    coef = standard / sd
    return float(y.mean() - mean @ coef), coef


def decomp_rssd(effect: np.ndarray, spend: np.ndarray) -> float:
    r"""Robyn's DECOMP.RSSD: :math:`\sqrt{\sum_c (e_c/\sum e - x_c/\sum x)^2}` over channels.

    ``effect`` and ``spend`` are totals per channel; a model without media effect scores as if every
    effect share were 0.
    """
    effect_share = effect / effect.sum() if effect.sum() > 0 else np.zeros_like(effect)
    spend_share = spend / spend.sum() if spend.sum() > 0 else np.zeros_like(spend)
    return float(np.sqrt(np.sum((effect_share - spend_share) ** 2)))


def nearest_to_origin(values: np.ndarray) -> int:
    """Row of ``values`` (trials x objectives) nearest the origin after min-max scaling each objective.

    The nearest point is always Pareto-optimal (a point dominating it would be nearer), so this is
    Robyn's pick among the Pareto front. Rows with a non-finite objective are skipped.
    """
    finite = np.isfinite(values).all(axis=1)
    if not finite.any():
        return 0
    low, high = values[finite].min(axis=0), values[finite].max(axis=0)
    scaled = (values - low) / np.where(high > low, high - low, 1.0)
    distance = np.where(finite, np.hypot(*scaled.T), np.inf)
    return int(np.argmin(distance))


def plausible_trials(nrmse: np.ndarray, n_validation: int) -> np.ndarray:
    r"""Indices of the trials whose validation NRMSE is within one standard error of the best.

    The bound is :math:`\min \text{NRMSE} \cdot (1 + 1/\sqrt{2n})` for :math:`n` validation rows: an RMSE
    over :math:`n` independent errors has a relative standard error of about :math:`1/\sqrt{2n}` (the
    one-standard-error rule; Hastie, Tibshirani and Friedman, *ESL* 7.10). Non-finite trials are left out.
    """
    nrmse = np.asarray(nrmse, dtype=float)
    finite = np.isfinite(nrmse)
    if not finite.any():
        return np.arange(min(1, len(nrmse)))
    limit = nrmse[finite].min() * (1 + 1 / np.sqrt(2 * max(n_validation, 1)))
    return np.flatnonzero(finite & (nrmse <= limit))
