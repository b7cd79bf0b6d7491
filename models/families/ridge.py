r"""Robyn-style media-mix model: media transforms searched by Optuna, a bounded ridge regression on top.

Revenue per period is modelled as

.. math::

    \hat y_t = b_0 + \gamma\, \text{trend}_t + \sum_k \theta_k\, \text{season}_{k,t}
        + \sum_j \delta_j (z_{j,t} - \bar z_j)
        + \sum_c \beta_c\, s_c\bigl(a_c(x_c / \kappa_c)_t\bigr), \qquad \beta_c \ge 0

with :math:`a_c` a normalised adstock (geometric or Weibull) and :math:`s_c` a saturation curve (Hill or
logistic), both looked up by name in :mod:`models.curves`; :math:`\kappa_c` the channel's mean non-zero
training spend (so the half-saturation point is searched in a unit-free range), :math:`z_j` the controls
and the trend and season terms from :func:`models.families.features.time_features`. :math:`\beta_c` is
the most revenue per period the channel can bring, in currency.

For fixed transform parameters the linear part is a ridge regression on standardised columns (the
intercept unpenalised) with non-negative channel coefficients, solved exactly by
:func:`~models.families.robyn.bounded_ridge`. The transform parameters and the penalty are searched with
Optuna (NSGA-II) against two objectives, as in Meta's Robyn: the NRMSE on the last 15 % of the training rows
(fitted on the rows before them) and DECOMP.RSSD, the distance between each channel's share of the
media effect and its share of spend. The trial nearest the origin after min-max scaling of both
objectives wins; the linear part is then refitted on every training row. With ``reuse`` (rolling-origin
cross-validation) only the linear part is refitted.

Components (:meth:`RidgeMMM._components`) are in currency: ``baseline`` (intercept, plus each control's
effect at its training mean), ``trend``, ``seasonality`` (all ``season_*`` terms), each control around its
training mean, and each channel :math:`\beta_c s_c(\cdot)`, which is 0 at zero spend.

Notes
-----
Search space per channel: geometric decay :math:`\alpha \in [0, 0.9]` or Weibull shape and relative scale
(:func:`models.transforms.weibull_weights`); Hill half-saturation :math:`K \in [0.3, 3]` in units of
:math:`\kappa_c` (log-uniform) and slope :math:`\in [0.5, 3]`, or logistic :math:`\lambda \in [0.1, 10]`;
penalty :math:`\lambda \in [10^{-5}, 1]` (log-uniform). The trial budget is the main cost: with the default
200 trials the whole fit (holdout and 3 rolling-origin CV folds included) takes about 1.5 s on 5,000 daily
rows x 6 channels on two cores (``bench/RESULTS.md``).

The data pin down the marginal effect of spend near its usual level far better than the level of each
channel's effect (the extrapolation to zero spend), which decides ROAS: channels that never go dark leave a
flat valley of Hill curves that fit equally well. DECOMP.RSSD settles that valley towards each channel's
share of spend, as Robyn intends; a channel whose true share of effect is far from its share of spend is
pulled towards it. On the 1,096-day demo the median ROAS error is 0.2-0.5 depending on the seed, the
marginal ROAS error 0.1-0.3. That valley is what :meth:`~RidgeMMM.estimate_intervals` measures: the search
keeps its *plausible* trials (validation NRMSE within one standard error of the best,
:func:`~models.families.robyn.plausible_trials`) and the bootstrap of :mod:`models.families.bootstrap` draws
its worlds from them.

References
----------
Meta Robyn, https://github.com/facebookexperimental/Robyn (``R/R/model.R``: ``robyn_mmm``,
``decomp.rssd``; ``R/R/transformation.R``).
"""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
from threadpoolctl import threadpool_limits

from models.curves import ADSTOCKS, SATURATIONS, choices, lookup_adstock, lookup_saturation
from models.families.base import DECAY_COLUMNS, IMPORTANCE_COLUMNS, Progress
from models.families.bootstrap import BootstrapMMM
from models.families.features import (
    BASELINE,
    SEASONALITY,
    TREND,
    remembered_time_features,
    shared,
    time_features,
)
from models.families.robyn import bounded_ridge, decomp_rssd, nearest_to_origin, plausible_trials
from models.options import Option

L_MAX = {"daily": 28, "weekly": 12}  # periods an adstock lasts: four weeks / a quarter
VALIDATION_SHARE = 0.15  # last share of the training rows that scores a trial
DEFAULT_TRIALS = 200  # the whole fit: about 1.5 s on 5,000 daily rows x 6 channels, 2 cores (bench/RESULTS.md)
PROGRESS_CALLS = 40
PENALTY_RANGE = (1e-5, 1.0)  # ridge lambda per row, on standardised columns (log-uniform)
# Search ranges per curve of models.curves, keyed by its name and parameters: (low, high, log scale).
ADSTOCK_SPACE = {
    "geometric": {"alpha": (0.0, 0.9, False)},
    "weibull_cdf": {"shape": (0.1, 3.0, True), "scale": (0.0, 0.5, False)},
    "weibull_pdf": {"shape": (0.1, 6.0, True), "scale": (0.0, 0.5, False)},
}
SATURATION_SPACE = {
    "hill": {"half_saturation": (0.3, 3.0, True), "slope": (0.5, 3.0, False)},
    "logistic": {"lam": (0.1, 10.0, True)},
}


def media_features(scaled: np.ndarray, params: dict, adstock: str, saturation: str, l_max: int) -> np.ndarray:
    r"""Saturated adstock :math:`s_c(a_c(x_c/\kappa_c))` of scaled spend, shape ``(n_periods, n_channels)``.

    ``adstock`` and ``saturation`` are names in :mod:`models.curves`; the adstock is normalised.
    """
    carried = lookup_adstock(adstock).apply(scaled, params, l_max)
    return lookup_saturation(saturation).apply(carried, params)


class RidgeMMM(BootstrapMMM):
    """Robyn's ridge MMM with an Optuna search of adstock, saturation and penalty (see module docstring).

    Parameters
    ----------
    adstock : {"geometric", "weibull_cdf", "weibull_pdf"}
        Carry-over shape per channel, lasting ``L_MAX`` periods (28 days / 12 weeks).
    saturation : {"hill", "logistic"}
        Diminishing-returns curve per channel.
    trials : int, optional
        Optuna trial budget; ``None`` uses :data:`DEFAULT_TRIALS`.
    random_state : int
        Seed of the sampler: same data, same seed, same model.
    cv_folds : int
        Rolling-origin folds for the cross-validated metrics.
    """

    name = "ridge"
    default_replicates = 100  # about 4 s on 5,000 daily rows; the 95% quantile steadies (bench/RESULTS.md)

    OPTIONS = (
        Option("adstock", "Adstock (carry-over)", choices(ADSTOCKS, tuple(ADSTOCK_SPACE))),
        Option("saturation", "Saturation", choices(SATURATIONS, tuple(SATURATION_SPACE))),
        Option("trials", "Search trials", minimum=1, maximum=2000, blank=f"automatic ({DEFAULT_TRIALS})"),
    )

    def __init__(self, adstock="geometric", saturation="hill", trials=None, random_state=0, cv_folds=3):
        super().__init__(random_state=random_state, cv_folds=cv_folds)
        self.adstock = adstock
        self.saturation = saturation
        self.trials = trials

    def _init_options(self) -> dict:
        return {"adstock": self.adstock, "saturation": self.saturation, "trials": self.trials}

    # ----------------------------------------------------------------------------- fitting
    def _fit_family(self, train: pd.DataFrame, progress: Progress, reuse: bool) -> None:
        with threadpool_limits(limits=1, user_api="blas"):  # small matrices: BLAS threads only add overhead
            self._fit_in_thread(train, progress, reuse)

    def _fit_in_thread(self, train: pd.DataFrame, progress: Progress, reuse: bool) -> None:
        self._check_options()
        channels = self.roles_["channels"]
        y = train[self.roles_["target"]].to_numpy(float)
        if not reuse:
            self.l_max_ = L_MAX[self.frequency_]
            time = time_features(train[self.roles_["date"]].iloc[:1], self.frequency_, self.origin_).columns
            self.columns_ = [*time, *self.roles_["controls"], *channels]
            spend = train[channels].to_numpy(float)
            self.scales_ = {c: _mean_nonzero(spend[:, i]) for i, c in enumerate(channels)}
            self.hyper_, self.search_, self.plausible_ = self._search(train, y, progress)
        self._fit_linear(self._design(train), y)

    def _check_options(self) -> None:
        lookup_adstock(self.adstock, allowed=tuple(ADSTOCK_SPACE))
        lookup_saturation(self.saturation, allowed=tuple(SATURATION_SPACE))
        if self.trials is not None and (int(self.trials) != self.trials or self.trials < 1):
            raise ValueError(f"trials must be a positive whole number or None; got {self.trials!r}.")

    def _search(self, train: pd.DataFrame, y: np.ndarray, progress: Progress) -> tuple[dict, dict, list]:
        """Optuna search of transform parameters and penalty.

        Returns the chosen hyper-parameters, a summary of the search and the plausible trials' parameters
        (:func:`plausible_trials`), from which the bootstrap draws its worlds.
        """
        trials = int(self.trials or DEFAULT_TRIALS)
        channels = self.roles_["channels"]
        fixed, scaled = self._fixed_features(train), self._scaled_spend(train)
        spend = train[channels].to_numpy(float)
        n_fit = len(y) - int(round(VALIDATION_SHARE * len(y))) if len(y) >= 20 else len(y)
        lower = self._lower_bounds()

        def objective(trial: optuna.Trial) -> tuple[float, float]:
            hyper = self._suggest(trial)
            media = media_features(scaled, _arrays(hyper, channels), self.adstock, self.saturation, self.l_max_)
            x = np.hstack([fixed, media])
            intercept, coef = bounded_ridge(x[:n_fit], y[:n_fit], hyper["penalty"], lower)
            rows = slice(n_fit, None) if n_fit < len(y) else slice(None)
            nrmse = _nrmse(y[rows], intercept + x[rows] @ coef)
            effect = coef[-media.shape[1] :] * media[:n_fit].sum(axis=0)
            return nrmse, decomp_rssd(effect, spend[:n_fit].sum(axis=0))

        step = max(1, trials // PROGRESS_CALLS)

        def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
            if (trial.number + 1) % step == 0 or trial.number + 1 == trials:
                progress((trial.number + 1) / trials, f"Trial {trial.number + 1} of {trials}")

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = optuna.samplers.NSGAIISampler(seed=self.random_state)
        study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
        study.optimize(objective, n_trials=trials, callbacks=[report])
        done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        values = np.array([t.values for t in done], dtype=float)
        best = done[nearest_to_origin(values)]
        summary = {"trials": trials, "trial": best.number, "nrmse": best.values[0], "decomp_rssd": best.values[1]}
        plausible = [done[i].params for i in plausible_trials(values[:, 0], len(y) - n_fit or len(y))]
        return self._suggest(optuna.trial.FixedTrial(best.params)), summary, plausible

    def _suggest(self, trial: optuna.Trial) -> dict:
        """Hyper-parameters of one trial: ``{"penalty": float, "channels": {channel: {name: value}}}``."""
        space = {**ADSTOCK_SPACE[self.adstock], **SATURATION_SPACE[self.saturation]}
        channels = {}
        for channel in self.roles_["channels"]:
            channels[channel] = {
                name: trial.suggest_float(f"{channel}:{name}", low, high, log=log)
                for name, (low, high, log) in space.items()
            }
        return {"penalty": trial.suggest_float("penalty", *PENALTY_RANGE, log=True), "channels": channels}

    def _fit_linear(self, x: np.ndarray, y: np.ndarray) -> None:
        """Bounded ridge on every given row; keeps coefficients in currency per unit of each column."""
        intercept, coef = bounded_ridge(x, y, self.hyper_["penalty"], self._lower_bounds())
        controls = self.roles_["controls"]
        first = len(self.columns_) - len(controls) - len(self.roles_["channels"])
        self.intercept_ = intercept
        self.coef_ = dict(zip(self.columns_, coef.tolist()))
        self.control_means_ = dict(zip(controls, x[:, first : first + len(controls)].mean(axis=0).tolist()))

    # ------------------------------------------------------------------------ the design
    def _time_features(self, dates: pd.Series) -> np.ndarray:
        """:func:`time_features` of ``dates``, remembered for the last dates asked (response curves repeat them).

        Copies of this model (cross-validation, bootstrap worlds and refits) share the one-slot memory.
        """
        slot = self.__dict__.setdefault("_time_cache", [None])
        return remembered_time_features(slot, dates, self.frequency_, self.origin_)

    def _fixed_features(self, frame: pd.DataFrame) -> np.ndarray:
        """Trend, season terms and raw controls: the columns that do not depend on the search (read once per
        frame inside :func:`read_once`, where bootstrap replicates predict one frame in turn)."""
        date, controls = self.roles_["date"], tuple(self.roles_["controls"])
        key = ("ridge fixed", date, controls, self.frequency_, self.origin_)
        return shared(
            frame,
            key,
            lambda: np.hstack([self._time_features(frame[date]), frame[list(controls)].to_numpy(float)]),
        )

    def _scaled_spend(self, frame: pd.DataFrame) -> np.ndarray:
        channels = tuple(self.roles_["channels"])
        scale = np.array([self.scales_[c] for c in channels])
        spend = shared(frame, ("spend", channels), lambda: np.clip(frame[list(channels)].to_numpy(float), 0.0, None))
        return spend / scale

    def _design(self, frame: pd.DataFrame) -> np.ndarray:
        """Every regression column of ``frame``, in the order of ``columns_``; adstock runs over all its rows."""
        params = _arrays(self.hyper_, self.roles_["channels"])
        media = media_features(self._scaled_spend(frame), params, self.adstock, self.saturation, self.l_max_)
        return np.hstack([self._fixed_features(frame), media])

    def _lower_bounds(self) -> np.ndarray:
        n_channels = len(self.roles_["channels"])
        return np.r_[np.full(len(self.columns_) - n_channels, -np.inf), np.zeros(n_channels)]

    # --------------------------------------------------------------------------- outputs
    def predict_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """Fitted revenue per row: the sum of :meth:`_components`, as one matrix product."""
        return self.intercept_ + self._design(frame) @ np.array([self.coef_[c] for c in self.columns_])

    def _components(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Baseline, trend, seasonality, controls (around their training mean) and channels, in currency."""
        parts = self._design(frame) * np.array([self.coef_[c] for c in self.columns_])
        at = {name: i for i, name in enumerate(self.columns_)}
        controls = self.roles_["controls"]
        shift = {c: self.coef_[c] * self.control_means_[c] for c in controls}
        season = [i for name, i in at.items() if name.startswith("season_")]
        out = {
            BASELINE: np.full(len(frame), self.intercept_ + sum(shift.values())),
            TREND: parts[:, at[TREND]],
            SEASONALITY: parts[:, season].sum(axis=1),
        }
        out.update({c: parts[:, at[c]] - shift[c] for c in controls})
        out.update({c: parts[:, at[c]] for c in self.roles_["channels"]})
        return pd.DataFrame(out)

    def carryover_periods(self) -> int:
        return min(self.l_max_, len(self.data_))

    def importance(self) -> pd.DataFrame:
        """Share of the summed absolute contribution over the training periods, per feature."""
        self._check_fitted()
        parts = self._components(self.data_).iloc[: self.holdout_start_].drop(columns=BASELINE)
        size = parts.abs().sum()
        share = size / size.sum() if size.sum() > 0 else size
        table = pd.DataFrame({"feature": share.index, "importance": share.to_numpy(), "kind": "coefficient"})
        return table.sort_values("importance", ascending=False, ignore_index=True)[IMPORTANCE_COLUMNS]

    def decay_curves(self, max_lag: int | None = None) -> pd.DataFrame:
        """Normalised adstock lag weights per channel (they sum to 1 over ``L_MAX`` lags)."""
        self._check_fitted()
        weights = lookup_adstock(self.adstock).lag_weights(_arrays(self.hyper_, self.roles_["channels"]), self.l_max_)
        lags = np.arange(self.l_max_ if max_lag is None else int(max_lag) + 1)
        padded = np.vstack([weights, np.zeros((max(len(lags) - self.l_max_, 0), weights.shape[1]))])[: len(lags)]
        channels = self.roles_["channels"]
        return pd.DataFrame(
            {
                "channel": np.repeat(channels, len(lags)),
                "lag": np.tile(lags, len(channels)),
                "weight": padded.T.ravel(),
            }
        )[DECAY_COLUMNS]

    def _responses(self, window: pd.DataFrame, channel: str, grid: np.ndarray) -> np.ndarray:
        """Response at each constant spend in ``grid`` over ``window``'s rows, one vectorised transform.

        The same number as the base class's scenario loop: only the channel's own term changes with its spend.
        """
        c = self.roles_["channels"].index(channel)
        params = {name: np.full(len(grid), values[c]) for name, values in _arrays(self.hyper_, self.channels).items()}
        scaled = np.tile(np.asarray(grid, float) / self.scales_[channel], (len(window), 1))
        media = media_features(scaled, params, self.adstock, self.saturation, self.l_max_)
        response = media.mean(axis=0) * self.coef_[channel]
        return response - response[0]

    # ----------------------------------------------------------------- bootstrap worlds
    def _world_shell(self) -> RidgeMMM:
        """This fit, to draw worlds from its own search."""
        return super()._replicate_shell()

    def _replicate_shell(self) -> RidgeMMM:
        shell = super()._replicate_shell()
        shell.plausible_ = None  # kept by the point fit only
        return shell

    def _plausible_hyper(self, train: pd.DataFrame, progress: Progress) -> list[dict]:
        """The plausible trials' parameters; a model saved before they were kept searches again (same seed)."""
        if getattr(self, "plausible_", None) is None:
            self._fit_family(train, progress, reuse=False)
        return list(self.plausible_)

    def _world(self, params: dict, train: pd.DataFrame) -> RidgeMMM:
        """This model with the trial ``params``' transforms and penalty, its linear part fitted to ``train``."""
        world = self._replicate_shell()
        world.hyper_ = self._suggest(optuna.trial.FixedTrial(params))
        world._fit_linear(world._design(train), train[self.roles_["target"]].to_numpy(float))
        return world

    # ----------------------------------------------------------------------- serialisation
    def _get_state(self) -> tuple[dict, dict[str, bytes]]:
        keys = ("l_max_", "columns_", "scales_", "hyper_", "search_", "intercept_", "coef_", "control_means_")
        state = {key: getattr(self, key) for key in keys}
        return state | ({"plausible": self.plausible_} if getattr(self, "plausible_", None) is not None else {}), {}

    def _set_state(self, state: dict, blobs: dict[str, bytes]) -> None:
        state = dict(state)
        self.plausible_ = state.pop("plausible", None)  # None (older models, replicates): searched again if needed
        for key, value in state.items():
            setattr(self, key, value)


def _arrays(hyper: dict, channels: list[str]) -> dict[str, np.ndarray]:
    """Per-channel hyper-parameters as one array per parameter name, in the order of ``channels``."""
    names = hyper["channels"][channels[0]]
    return {name: np.array([hyper["channels"][c][name] for c in channels]) for name in names}


def _mean_nonzero(spend: np.ndarray) -> float:
    positive = spend[spend > 0]
    return float(positive.mean()) if positive.size else 1.0


def _nrmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    """RMSE over the range of ``actual`` (Robyn's NRMSE); inf when it cannot be computed."""
    spread = actual.max() - actual.min() if len(actual) else 0.0
    rmse = np.sqrt(np.mean((actual - predicted) ** 2))
    return float(rmse / spread) if spread > 0 and np.isfinite(rmse) else float("inf")
