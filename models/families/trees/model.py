r"""Gradient-boosted tree families: LightGBM and XGBoost on adstocked media, over a linear time base.

Both families share :class:`TreeMMM`; the subclasses in :mod:`models.families.trees.boosters` only wrap
their library's training, prediction, SHAP and model-file calls. Revenue in period :math:`t` is modelled as

.. math::

    \hat y_t = b_0 + \underbrace{\textstyle\sum_j b_j z_{jt}}_{\text{linear base}}
             + \underbrace{F\big(a_1(x_1)_t, \dots, a_C(x_C)_t, \text{controls}_t\big)}_{\text{boosted trees}}

* :math:`z` are the shared time features (``trend`` and the ``season_*`` Fourier terms of
  :func:`models.families.features.time_features`) and the controls; their coefficients :math:`b_j` come from one least
  squares fit that also holds the adstocked media (so spend that grows over time is not read as trend).
* :math:`a_c(x_c)` is channel :math:`c`'s normalised geometric adstock
  (:func:`models.transforms.geometric_adstock`) with a decay chosen from the data (:func:`choose_alphas`).
* :math:`F` is the booster, fitted to what the linear base leaves; it sees the adstocked media (each with a
  monotone increasing constraint) and the controls (to catch what is not linear in them).

Why time is linear and not a tree input: trees cannot extrapolate a trend, and given the date (or a pair of
Fourier terms) they carve the calendar into blocks of a few weeks, the length of a media campaign, so the
campaigns' effect ends up in "trend" (on the demo data that halved the recovered ROAS).

Contributions come from the libraries' own TreeSHAP values :math:`\phi_j(x)` (``pred_contrib``), which add up
to the booster's prediction with the bias :math:`\phi_0`. SHAP measures a feature against its average, so a
channel's SHAP summed over the data is about 0. A channel's contribution is measured against *not spending*:

.. math::

    \text{contribution}_c(t) = \max\left(0,\ \phi_c(x_t) - \phi_c(x_t^{(c=0)})\right)

where :math:`x_t^{(c=0)}` is row :math:`t` with the channel's adstocked spend set to 0. The monotone constraint
keeps the difference almost always non-negative; the rare small negative values are clipped at 0. A tree is
flat below the smallest spend it has seen, so for a channel that never pauses this measures the effect above
its lowest observed level: trees under-state always-on channels (and, flat above the highest spend too, their
response curves level off past the data). Whatever is taken out of the channels
(:math:`\phi_c(x_t^{(c=0)})` and the clipped parts) goes to ``baseline``, defined as the prediction minus every
other component, so each row sums exactly to the prediction. ``fitted.estimate_intervals()``
(:mod:`models.families.bootstrap`) measures the trees' error in ridge worlds whose curves reach zero spend, so
an always-on channel's interval reaches above that floor.

References
----------
Lundberg, S. M., Erion, G. G. and Lee, S.-I. (2018). *Consistent Individualized Feature Attribution for Tree
Ensembles*. arXiv:1802.03888.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from models.families.base import DECAY_COLUMNS, IMPORTANCE_COLUMNS, Progress
from models.families.bootstrap import BootstrapMMM
from models.families.features import BASELINE, SEASONALITY, TREND, remembered_time_features, time_features
from models.options import Option
from models.transforms import geometric_adstock

ALPHA_GRID = np.round(np.arange(0.0, 1.0, 0.1), 1)  # candidate daily/weekly decay rates
ALPHA_SWEEPS = 2  # rounds of re-choosing each channel's decay given the others'
DECAY_LAGS = {"daily": 28, "weekly": 8}  # lags shown by decay_curves
MIN_LEAF_SHARE = 0.1  # automatic min_child_samples: this share of the training periods, at least 20


def adstocked_media(spend: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """Normalised geometric adstock of every channel, ``(n_periods, n_channels)`` in spend per period."""
    return geometric_adstock(spend, alphas, normalize=True)


def partial_correlations(spend: np.ndarray, target: np.ndarray, confounders: np.ndarray) -> np.ndarray:
    """``(n_alphas, n_channels)`` correlations of each adstocked candidate with the target, given confounders."""
    n_periods, n_channels = spend.shape
    tiled = np.broadcast_to(spend[:, None, :], (n_periods, len(ALPHA_GRID), n_channels))
    candidates = adstocked_media(tiled, ALPHA_GRID[:, None]).reshape(n_periods, -1)
    basis = np.linalg.qr(np.column_stack([np.ones(n_periods), confounders]))[0]  # orthonormal, holds the intercept
    stacked = np.column_stack([target, candidates])
    residuals = stacked - basis @ (basis.T @ stacked)
    norms = np.linalg.norm(residuals, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = (residuals[:, 1:].T @ residuals[:, 0]) / (norms[1:] * norms[0])
    return np.nan_to_num(correlation, nan=-np.inf).reshape(len(ALPHA_GRID), n_channels)


def choose_alphas(spend: np.ndarray, target: np.ndarray, confounders: np.ndarray) -> np.ndarray:
    r"""Each channel's adstock decay: the grid value whose adstock best explains the target, others held.

    For :math:`\alpha` in :data:`ALPHA_GRID` (0, 0.1, ..., 0.9) the channel's adstocked spend and the target are
    both residualised by least squares on an intercept, the ``confounders`` (trend, seasonality, controls) and
    the other channels' adstocked spend; the :math:`\alpha` with the highest correlation of the two residuals
    (a partial correlation, Frisch-Waugh-Lovell) wins, ties to the smaller :math:`\alpha`. The first pass
    leaves the other channels out; :data:`ALPHA_SWEEPS` passes then re-choose each channel given the others'
    current decays, which takes their effect out of the noise the choice has to see through.

    Parameters
    ----------
    spend : numpy.ndarray
        Spend per period, ``(n_periods, n_channels)``.
    target : numpy.ndarray
        Revenue per period, ``(n_periods,)``.
    confounders : numpy.ndarray
        ``(n_periods, k)`` columns to partial out (an intercept is added here).

    Returns
    -------
    numpy.ndarray
        One decay rate per channel, in ``[0, 0.9]``.
    """
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: BLAS threads only wait on each other
        alphas = ALPHA_GRID[np.argmax(partial_correlations(spend, target, confounders), axis=0)]
        n_channels = spend.shape[1]
        for _ in range(ALPHA_SWEEPS if n_channels > 1 else 0):
            for c in range(n_channels):
                others = np.arange(n_channels) != c
                held = np.column_stack([confounders, adstocked_media(spend[:, others], alphas[others])])
                alphas[c] = ALPHA_GRID[np.argmax(partial_correlations(spend[:, [c]], target, held)[:, 0])]
    return alphas


def linear_base(target: np.ndarray, context: np.ndarray, media: np.ndarray) -> np.ndarray:
    """Coefficients of ``context`` in the least squares fit of the target on an intercept, ``context`` and ``media``.

    The media columns are there only so their effect is not read as trend or season; the trees model the media.
    """
    design = np.column_stack([np.ones(len(target)), context, media])
    with threadpool_limits(limits=1, user_api="blas"):
        return np.linalg.lstsq(design, target, rcond=None)[0][1 : 1 + context.shape[1]]


class TreeMMM(BootstrapMMM):
    """Boosted trees on adstocked media and controls over a linear time base, explained by TreeSHAP.

    Parameters
    ----------
    n_estimators : int, default 300
        Boosting rounds. No early stopping: stopping on a validation block shrinks the media effects
        (on the demo data it halved the smaller channels' ROAS) for no gain in holdout R².
    learning_rate : float, default 0.05
        Shrinkage per round.
    max_depth : int, default 3
        Depth of each tree (LightGBM also caps the leaves at ``2 ** max_depth - 1``).
    min_child_samples : int, optional
        Fewest periods in a leaf (XGBoost: ``min_child_weight``, the same for squared error). Default:
        10% of the training periods, at least 20; large leaves keep the trees from reading noise as a
        media effect.
    random_state : int, default 0
        Seed of the row sampling; one thread, so the same seed gives the same model.
    cv_folds : int, default 3
        Rolling-origin folds for the cross-validated metrics.

    Attributes
    ----------
    alphas_ : numpy.ndarray
        Adstock decay per channel (:func:`choose_alphas`).
    min_leaf_ : int
        ``min_child_samples`` in use (kept by the cross-validation refits).
    linear_ : dict
        Linear-base coefficient per trend, ``season_*`` and control column (revenue per unit).
    offsets_ : dict
        Training mean of each control: a control's linear term is ``b * (z - mean)``, as in the ridge family.
    feature_names_ : list of str
        The booster's inputs: the channels (adstocked spend), then the controls.
    booster_ : lightgbm.Booster or xgboost.Booster
        Predicts the standardised remainder ``(y - linear base - center_) / scale_``.
    """

    booster_file: ClassVar[str] = "booster"
    smooth_response: ClassVar[bool] = False
    default_replicates: ClassVar[int] = 50  # 10-20 s on 5,000 daily rows (bench/RESULTS.md)
    retune_replicates: ClassVar[bool] = True  # each bootstrap replicate re-chooses the decays
    # Planning with a booster per replicate took 4 s, not 0.1 s; the worlds' spread alone gives the same 90% width
    # of incremental revenue on the demo (317k vs 317k over 28 days; of total revenue 22k vs 52k, before noise).
    fits_in_outcome_draws: ClassVar[bool] = False
    OPTIONS = (Option("n_estimators", "Trees", minimum=10, maximum=3000),)

    def __init__(
        self,
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        max_depth: int = 3,
        min_child_samples: int | None = None,
        random_state: int = 0,
        cv_folds: int = 3,
    ):
        super().__init__(random_state=random_state, cv_folds=cv_folds)
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples

    def _init_options(self) -> dict:
        return {
            name: getattr(self, name) for name in ("n_estimators", "learning_rate", "max_depth", "min_child_samples")
        }

    # ------------------------------------------------------------------------------- fitting
    def _fit_family(self, train: pd.DataFrame, progress: Progress, reuse: bool) -> None:
        """Choose decays and leaf size (unless ``reuse``), fit the linear base, boost on what it leaves."""
        self._check_options()
        target = train[self.roles_["target"]].to_numpy(dtype=float)
        spend = train[self.roles_["channels"]].to_numpy(dtype=float)
        context = self._context(train)
        if not reuse:
            progress(0.05, "Choosing the adstock decay of each channel")
            self.alphas_ = choose_alphas(spend, target, context)
            self.min_leaf_ = int(self.min_child_samples or max(20, round(MIN_LEAF_SHARE * len(train))))
        progress(0.3, "Fitting trend, seasonality and controls")
        coefficients = linear_base(target, context, adstocked_media(spend, self.alphas_))
        self.linear_ = {name: float(b) for name, b in zip(self._context_names(), coefficients)}
        controls = self.roles_["controls"]
        self.offsets_ = {name: float(train[name].mean()) for name in controls}
        remainder = target - self._linear_terms(context).sum(axis=1)
        self.center_, self.scale_ = float(np.mean(remainder)), float(np.std(remainder)) or 1.0
        self.feature_names_ = [*self.roles_["channels"], *controls]
        progress(0.4, f"Boosting {int(self.n_estimators)} trees")
        self.booster_ = self._train(self._features(train), (remainder - self.center_) / self.scale_)
        progress(1.0, "Trees trained")

    def _check_options(self) -> None:
        if int(self.n_estimators) < 1 or int(self.max_depth) < 1:
            raise ValueError("n_estimators and max_depth must be positive integers.")
        if self.min_child_samples is not None and int(self.min_child_samples) < 1:
            raise ValueError("min_child_samples must be a positive integer (or None for automatic).")
        if not 0 < float(self.learning_rate) <= 1:
            raise ValueError("learning_rate must lie in (0, 1].")

    def _context_names(self) -> list[str]:
        """Columns of :meth:`_context`: ``trend``, the ``season_*`` terms, the controls."""
        time = time_features(pd.Series([self.origin_]), self.frequency_, self.origin_)
        return [*time.columns, *self.roles_["controls"]]

    def _context(self, frame: pd.DataFrame) -> np.ndarray:
        """Trend, seasonality and controls of ``frame``: the linear base's columns."""
        slot = self.__dict__.setdefault("_time_cache", [None])
        time = remembered_time_features(slot, frame[self.roles_["date"]], self.frequency_, self.origin_)
        return np.column_stack([time, frame[self.roles_["controls"]].to_numpy(dtype=float)])

    def _linear_terms(self, context: np.ndarray) -> np.ndarray:
        """Each linear-base column times its coefficient, in currency; controls around their training mean."""
        offsets = np.array([self.offsets_.get(name, 0.0) for name in self.linear_])
        return (context - offsets) * np.array(list(self.linear_.values()))

    def _features(self, frame: pd.DataFrame) -> np.ndarray:
        """The booster's inputs for ``frame``; adstock runs over the whole frame, history first."""
        media = adstocked_media(frame[self.roles_["channels"]].to_numpy(dtype=float), self.alphas_)
        return np.column_stack([media, frame[self.roles_["controls"]].to_numpy(dtype=float)])

    def _monotone(self) -> list[int]:
        """+1 (increasing) for every media feature, 0 for the controls."""
        return [1] * len(self.roles_["channels"]) + [0] * len(self.roles_["controls"])

    # ----------------------------------------------------------------------- the interface
    def predict_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """Fitted revenue per row of ``frame``: linear base plus the booster's plain prediction (no SHAP).

        Identical feature rows are predicted once (planning stacks many plans behind the same history).
        """
        unique, inverse = np.unique(self._features(frame), axis=0, return_inverse=True)
        boosted = self._predict(unique)[inverse.ravel()] * self.scale_ + self.center_
        return boosted + self._linear_terms(self._context(frame)).sum(axis=1)

    def _effects(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        """Per-feature effect in currency (linear term plus SHAP; channels: SHAP) and the booster's inputs."""
        features = self._features(frame)
        shap = self._shap(features)[:, :-1] * self.scale_
        n_channels, n_controls = len(self.roles_["channels"]), len(self.roles_["controls"])
        linear = self._linear_terms(self._context(frame))
        linear[:, linear.shape[1] - n_controls :] += shap[:, n_channels:]
        effects = np.column_stack([linear, shap[:, :n_channels]])
        return pd.DataFrame(effects, columns=[*self.linear_, *self.roles_["channels"]]), features

    def _components(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Trend, seasonality, controls and channels (against zero spend); baseline is the remainder."""
        effects, features = self._effects(frame)
        channels = self.roles_["channels"]
        season = [name for name in self.linear_ if name.startswith("season_")]
        components = pd.DataFrame({TREND: effects[TREND], SEASONALITY: effects[season].sum(axis=1)})
        components[self.roles_["controls"]] = effects[self.roles_["controls"]]
        components[channels] = np.maximum(effects[channels].to_numpy() - self._zero_spend_shap(features), 0.0)
        components.insert(0, BASELINE, self.predict_frame(frame) - components.sum(axis=1).to_numpy())
        return components

    def _responses(self, window: pd.DataFrame, channel: str, grid: np.ndarray) -> np.ndarray:
        """Batched response curve: adstock is linear in spend, so all grid points go in one predict call."""
        features = self._features(window)
        c = self.roles_["channels"].index(channel)
        unit = adstocked_media(np.ones((len(window), 1)), self.alphas_[c : c + 1])[:, 0]
        stacked = np.tile(features, (len(grid), 1))
        stacked[:, c] = np.repeat(grid, len(window)) * np.tile(unit, len(grid))
        means = self._predict(stacked).reshape(len(grid), len(window)).mean(axis=1) * self.scale_
        return means - means[0]  # the linear base is the same in every scenario and cancels

    def carryover_periods(self) -> int:
        """Periods until the slowest channel's geometric adstock has decayed below one millionth."""
        alpha = float(np.max(self.alphas_, initial=0.0))
        memory = 1 if alpha <= 0 else int(np.ceil(np.log(1e-6) / np.log(alpha))) + 1
        if self.intervals_ is not None:  # the replicates' own decays and their ridge worlds' adstock
            memory = max(memory, self.intervals_.carryover)
        return min(memory, len(self.data_))

    def _zero_spend_shap(self, features: np.ndarray) -> np.ndarray:
        r""":math:`\phi_c(x_t^{(c=0)})` for every row and channel, in currency (one stacked SHAP call)."""
        n_rows, n_channels = len(features), len(self.roles_["channels"])
        stacked = np.tile(features, (n_channels, 1))
        for c in range(n_channels):
            stacked[c * n_rows : (c + 1) * n_rows, c] = 0.0
        shap = self._shap(stacked) * self.scale_
        return np.column_stack([shap[c * n_rows : (c + 1) * n_rows, c] for c in range(n_channels)])

    def _channel_totals(self, frame: pd.DataFrame) -> np.ndarray:
        r"""Revenue the booster loses without each channel, summed over ``frame``: the bootstrap's measure.

        :math:`\sum_t \max(0, F(x_t) - F(x_t^{(c=0)}))`, the plain prediction with the channel's adstocked
        spend at 0 (one stacked call, no SHAP, so each replicate costs one prediction of 1 + C copies).
        """
        features = self._features(frame)
        n_rows, n_channels = len(features), len(self.roles_["channels"])
        stacked = np.tile(features, (n_channels + 1, 1))
        for c in range(n_channels):
            stacked[(c + 1) * n_rows : (c + 2) * n_rows, c] = 0.0
        predicted = self._predict(stacked).reshape(n_channels + 1, n_rows) * self.scale_
        return np.maximum(predicted[0] - predicted[1:], 0.0).sum(axis=1)

    def _world_shell(self):
        """A default ridge model on this fit's data: its search supplies the bootstrap's worlds."""
        from models.families.ridge import RidgeMMM

        shell = RidgeMMM(random_state=self.random_state)
        for name in ("roles_", "frequency_", "origin_", "holdout_start_", "data_", "metrics"):
            setattr(shell, name, getattr(self, name))
        return shell

    def importance(self) -> pd.DataFrame:
        r"""Mean absolute SHAP value per feature over the data, in currency per period (largest first).

        Media features are named by channel; the ``season_*`` terms are summed per period into one
        ``seasonality`` feature. A linear term :math:`b_j z_j` has the SHAP value
        :math:`b_j (z_j - \bar z_j)`; a control's is that plus its TreeSHAP value.
        """
        self._check_fitted()
        effects, _ = self._effects(self.data_)
        linear = list(self.linear_)
        effects[linear] -= self._linear_terms(self._context(self.data_)).mean(axis=0)
        # The Fourier terms act together: one seasonality row, as ridge and the Bayesian model report it.
        season = [name for name in linear if name.startswith("season_")]
        if season:
            effects = effects.drop(columns=season).assign(**{SEASONALITY: effects[season].sum(axis=1)})
        table = pd.DataFrame(
            {"feature": effects.columns, "importance": effects.abs().mean().to_numpy(), "kind": "SHAP"}
        )
        return table.sort_values("importance", ascending=False, ignore_index=True)[IMPORTANCE_COLUMNS]

    def decay_curves(self, max_lag: int | None = None) -> pd.DataFrame:
        r"""Normalised geometric weights :math:`\alpha^l / \sum_{k<L} \alpha^k`, lags ``0..L-1``, per channel.

        ``L`` is ``max_lag + 1`` when given, else 28 periods for daily and 8 for weekly data.
        """
        self._check_fitted()
        n_lags = DECAY_LAGS[self.frequency_] if max_lag is None else int(max_lag) + 1
        lags = np.arange(n_lags)
        weights = self.alphas_[:, None] ** lags
        weights /= weights.sum(axis=1, keepdims=True)
        channels = np.repeat(self.roles_["channels"], n_lags)
        table = pd.DataFrame({"channel": channels, "lag": np.tile(lags, len(self.alphas_)), "weight": weights.ravel()})
        return table[DECAY_COLUMNS]

    # ------------------------------------------------------------------------ serialisation
    def _get_state(self) -> tuple[dict, dict[str, bytes]]:
        state = {
            "alphas": self.alphas_.tolist(),
            "min_leaf": self.min_leaf_,
            "linear": self.linear_,
            "offsets": self.offsets_,
            "feature_names": self.feature_names_,
            "center": self.center_,
            "scale": self.scale_,
        }
        return state, {self.booster_file: self._booster_bytes()}

    def _set_state(self, state: dict, blobs: dict[str, bytes]) -> None:
        self.alphas_ = np.asarray(state["alphas"], dtype=float)
        self.min_leaf_ = int(state["min_leaf"])
        self.linear_ = {name: float(b) for name, b in state["linear"].items()}
        self.offsets_ = {name: float(v) for name, v in state["offsets"].items()}
        self.feature_names_ = list(state["feature_names"])
        self.center_, self.scale_ = float(state["center"]), float(state["scale"])
        self.booster_ = self._load_booster(blobs[self.booster_file])

    # ------------------------------------------------------------------------ library hooks
    @abstractmethod
    def _train(self, features: np.ndarray, scaled: np.ndarray):
        """A booster trained for ``n_estimators`` rounds on the standardised remainder."""

    @abstractmethod
    def _predict(self, features: np.ndarray) -> np.ndarray:
        """Standardised prediction per row."""

    @abstractmethod
    def _shap(self, features: np.ndarray) -> np.ndarray:
        """TreeSHAP values, ``(n_rows, n_features + 1)``, bias last, standardised units."""

    @abstractmethod
    def _booster_bytes(self) -> bytes:
        """The booster in the library's own format."""

    @abstractmethod
    def _load_booster(self, blob: bytes):
        """A booster back from :meth:`_booster_bytes`."""
