r"""Intervals for the point-estimate families (ridge, LightGBM, XGBoost): a calibrated block bootstrap over time.

A point family fits one model; :meth:`BootstrapMMM.estimate_intervals` then measures how far that kind of fit
lands from the truth in *worlds* that fit the data about as well as it does, and turns the errors into 90%
intervals for every output. Replicate :math:`i`:

1. **A world.** Adstock and saturation parameters :math:`h_i` are drawn from the ridge search's *plausible
   set*: every trial whose validation NRMSE is within one standard error of the best (an RMSE over
   :math:`n` errors has a relative standard error of about :math:`1/\sqrt{2n}`; the one-standard-error rule
   of Hastie, Tibshirani and Friedman, *ESL* 7.10). Its linear part is fitted to the training revenue
   resampled as in step 2 (a bootstrap draw of the coefficients, so a channel that the bounded ridge puts
   at zero is not zero in every world), giving the world's expected revenue :math:`W_i(t)` and effects.
   Ridge draws from its own search, the tree families from a ridge search run on the same rows
   (:meth:`BootstrapMMM._world_shell`).
2. **Data from the world.** :math:`y^*_t = W_i(t) + e^*_t`, with :math:`e^*` the world's centred training
   residuals resampled in moving blocks of :data:`BLOCK_PERIODS` (four weeks), which keeps their
   autocorrelation.
3. **The family's own fit on them**, :math:`F_i`: ridge refits with its tuned settings, the tree families
   also re-choose each channel's decay and reseed the booster.
4. **A draw of the truth** for any effect :math:`g` (contribution, ROAS, response curve):
   :math:`g_i = \hat g - (g(F_i) - g(W_i))`, the estimate less the error the same fit makes in world
   :math:`i`. The 5% and 95% quantiles of :math:`g_i`, widened to hold the estimate, are the interval.

Why worlds rather than a bootstrap around the point fit. Ridge's error is mostly *which* curves it picks:
channels that never go dark leave a flat valley of adstock/saturation settings that fit equally well but put
each channel's effect at a different level. On five simulated processes x three seeds x six channels, three
years of daily data and 30 replicates (``bench/intervals.py --part methods``, ``bench/RESULTS.md``), the 90%
intervals held the true ROAS 42% of the time when refitting with the tuned settings around the point fit;
74% when re-running the whole 200-trial search in every replicate (11 s on 1,096 rows, about 25 s on 5,000);
88% with the plausible worlds (under a second). The tree families are flat below the lowest spend they have
seen, so for an always-on channel they understate the effect by design: a bootstrap around the tree's own fit
never sees that (34%), while the errors measured in ridge worlds, whose curves go down to zero spend, move
the interval towards the truth (96%). Intervals of such channels stay wide because the data cannot say more,
and shrink only slowly with more data of the same kind.

Outcomes (:meth:`~BootstrapMMM.predict`, :meth:`~BootstrapMMM.scenario_draws`) keep the point fit's mean:
draw :math:`i` is :math:`\hat y + (W_i - F_i)` less its mean over the replicates (the first
:data:`OUTCOME_REPLICATES`), so planning optimises the same model with or without intervals; the tree
families leave :math:`F_i` out (:attr:`BootstrapMMM.fits_in_outcome_draws`: a booster per replicate made
planning 30 times slower). Predictions add Gaussian noise with the world's residual standard deviation
(:meth:`~BootstrapMMM.noise_scale`).

References
----------
Kuensch, H. R. (1989). The jackknife and the bootstrap for general stationary observations. *Annals of
Statistics* 17(3). Meta Robyn, ``R/R/clusters.R`` (intervals across the Pareto-optimal models).
"""

from __future__ import annotations

import json
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from models.families.base import CURVE_WINDOW, MediaMixModel, Progress, no_progress, scaled_progress
from models.families.features import read_once

LEVEL = (0.05, 0.95)  # 90% intervals, as the Bayesian family's
BLOCK_PERIODS = {"daily": 28, "weekly": 4}  # residual blocks: four weeks
CURVE_POINTS = 11  # spend points per channel where the replicates' response curves are measured
REFERENCE_SHARE = 0.1  # of the progress bar: the reference search (tree families)
NOISE_DRAWS = 200  # at least this many draws of revenue behind a prediction interval
OUTCOME_REPLICATES = 30  # replicates behind predictions and planning (each one is evaluated per block of plans)


def moving_blocks(values: np.ndarray, block: int, rng: np.random.Generator) -> np.ndarray:
    """``values`` resampled in blocks of ``block`` consecutive entries (moving-block bootstrap), same length."""
    n = len(values)
    block = max(1, min(int(block), n))
    starts = rng.integers(0, n - block + 1, size=-(-n // block))
    return values[(starts[:, None] + np.arange(block)[None, :]).ravel()[:n]]


def bounds(draws: np.ndarray, estimate: np.ndarray, floor: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`LEVEL` quantiles of ``draws`` over axis 0, widened to hold ``estimate``, not below ``floor``."""
    low, high = np.quantile(draws, LEVEL, axis=0)
    low, high = np.minimum(low, estimate), np.maximum(high, estimate)
    return (low if floor is None else np.maximum(low, floor)), high


@dataclass
class Replicate:
    """One bootstrap replicate: the world the data were drawn from and the family's fit on them."""

    world: MediaMixModel
    fit: MediaMixModel


@dataclass
class Intervals:
    """The replicates and what was measured on them, in currency over the fitted data.

    ``point_totals`` (C,) is the point fit's contribution per channel by the family's replicate measure
    (:meth:`BootstrapMMM._channel_totals`); ``fit_totals`` and ``world_totals`` (R, C) the same for each
    replicate's fit and world. ``curve_errors`` (R, C, K) is fit minus world response per period at
    :data:`CURVE_POINTS` spends from 0 to ``curve_tops``; ``noise`` (R,) each world's residual standard
    deviation; ``carryover`` the longest adstock memory of any replicate.
    """

    replicates: list[Replicate]
    point_totals: np.ndarray
    fit_totals: np.ndarray
    world_totals: np.ndarray
    curve_tops: np.ndarray
    curve_errors: np.ndarray
    noise: np.ndarray
    carryover: int
    block: int
    extra: dict = field(default_factory=dict)

    ARRAYS: ClassVar[tuple[str, ...]] = (
        "point_totals",
        "fit_totals",
        "world_totals",
        "curve_tops",
        "curve_errors",
        "noise",
    )

    def contribution_draws(self) -> np.ndarray:
        """Draws of each channel's true contribution over the data, (R, C): estimate less each replicate's error."""
        return self.point_totals - (self.fit_totals - self.world_totals)

    def curve_draws(self, channel: int, grid: np.ndarray, response: np.ndarray) -> np.ndarray:
        """Draws of a channel's true response curve at ``grid``, (R, G): the errors interpolated between spends."""
        coarse = np.linspace(0.0, self.curve_tops[channel], self.curve_errors.shape[2])
        errors = np.array([np.interp(grid, coarse, error) for error in self.curve_errors[:, channel]])
        return response - errors

    def deviations(self, frame: pd.DataFrame, with_fits: bool = True) -> np.ndarray:
        """World minus fit per row of ``frame`` and replicate, less its mean over the replicates, (rows, R).

        Only the first :data:`OUTCOME_REPLICATES` replicates count (they are independent draws, and planning
        evaluates every one for every block of plans). ``with_fits=False`` leaves the fits out: the worlds' own
        spread, for families whose predictions are costly.
        """
        replicates = self.replicates[:OUTCOME_REPLICATES]
        with read_once(frame):  # every replicate predicts this frame: its columns are read once for all
            gaps = np.column_stack(
                [r.world.predict_frame(frame) - (r.fit.predict_frame(frame) if with_fits else 0.0) for r in replicates]
            )
        return gaps - gaps.mean(axis=1, keepdims=True)

    def describe(self) -> dict:
        """What the intervals are, for a user interface."""
        return {
            "method": "block bootstrap",
            "replicates": len(self.replicates),
            "level": round(LEVEL[1] - LEVEL[0], 2),
            "block_periods": self.block,
            **self.extra,
        }

    # --------------------------------------------------------------------------- storage
    def files(self) -> dict[str, bytes]:
        """The archive entries (under ``boot/``): the measured arrays, then each replicate's two states."""
        arrays = {name: np.asarray(getattr(self, name)).tolist() for name in self.ARRAYS}
        meta = {"carryover": self.carryover, "block": self.block, "extra": self.extra, "count": len(self.replicates)}
        out = {"boot/intervals.json": json.dumps({**arrays, **meta}).encode("utf-8")}
        for i, replicate in enumerate(self.replicates):
            for role in ("world", "fit"):
                state, blobs = getattr(replicate, role)._get_state()
                out[f"boot/{i}/{role}.json"] = json.dumps(state).encode("utf-8")
                out.update({f"boot/{i}/{role}/{name}": blob for name, blob in blobs.items()})
        return out

    @classmethod
    def from_files(cls, model: BootstrapMMM, files: dict[str, bytes]) -> Intervals:
        """Intervals back from :meth:`files`; ``model`` is the restored point fit they belong to."""
        saved = json.loads(files["boot/intervals.json"])
        replicates, world = [], model._world_shell()
        for i in range(saved["count"]):
            pair = {}
            for role, shell in (("world", world._replicate_shell()), ("fit", model._replicate_shell())):
                prefix = f"boot/{i}/{role}/"
                blobs = {name[len(prefix) :]: blob for name, blob in files.items() if name.startswith(prefix)}
                shell._set_state(json.loads(files[f"boot/{i}/{role}.json"]), blobs)
                pair[role] = shell
            replicates.append(Replicate(**pair))
        arrays = {name: np.asarray(saved[name], dtype=float) for name in cls.ARRAYS}
        return cls(replicates, **arrays, carryover=saved["carryover"], block=saved["block"], extra=saved["extra"])


def estimate(model: BootstrapMMM, count: int, progress: Progress) -> Intervals:
    """Fit ``count`` replicates of ``model`` (see the module docstring) and measure their effects."""
    target = model.roles_["target"]
    train = model.data_.iloc[: model.holdout_start_].dropna(subset=[target]).reset_index(drop=True)
    y = train[target].to_numpy(float)
    block = min(BLOCK_PERIODS[model.frequency_], max(1, len(train) // 8))
    seed = 0 if model.random_state is None else int(model.random_state)
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: BLAS threads only add overhead
        reference = model._world_shell()
        searching = scaled_progress(progress, 0.0, REFERENCE_SHARE)
        candidates = reference._plausible_hyper(train, lambda f, m: searching(f, f"Plausible curves: {m.lower()}"))
        tops = np.array([model._curve_top(channel) for channel in model.roles_["channels"]])
        window = model.data_.tail(CURVE_WINDOW[model.frequency_]).reset_index(drop=True)
        replicates, measured = [], []
        for i in range(count):
            progress(REFERENCE_SHARE + (1 - REFERENCE_SHARE) * i / count, f"Bootstrap refit {i + 1} of {count}")
            rng = np.random.default_rng([seed, i])
            params = candidates[int(rng.integers(len(candidates)))]
            world = reference._world(params, _resampled(reference._world(params, train), train, y, block, rng)[0])
            star, noise = _resampled(world, train, y, block, rng)
            fit = model._refit_replicate(star, int(rng.integers(2**31 - 1)))
            replicates.append(Replicate(world, fit))
            measured.append(_measure(replicates[-1], model.data_, window, tops) + (noise,))
    progress(1.0, "Intervals ready")
    fit_totals, world_totals, errors, noise = (np.array(values) for values in zip(*measured))
    carryover = max(max(r.world.carryover_periods(), r.fit.carryover_periods()) for r in replicates)
    return Intervals(
        replicates,
        point_totals=model._channel_totals(model.data_),
        fit_totals=fit_totals,
        world_totals=world_totals,
        curve_tops=tops,
        curve_errors=errors,
        noise=noise,
        carryover=int(carryover),
        block=int(block),
        extra={"plausible_settings": len(candidates)},
    )


def _resampled(world, train: pd.DataFrame, y: np.ndarray, block: int, rng: np.random.Generator) -> tuple:
    """The training rows with revenue drawn from ``world``: its expectation plus its residuals in moving blocks."""
    expected = world.predict_frame(train)
    residuals = y - expected
    star = train.copy()
    star[world.roles_["target"]] = expected + moving_blocks(residuals - residuals.mean(), block, rng)
    return star, float(np.std(residuals))


def _measure(replicate: Replicate, data: pd.DataFrame, window: pd.DataFrame, tops: np.ndarray) -> tuple:
    """Contribution totals of the fit and the world, and fit minus world response curves (C, K)."""
    fit, world = replicate.fit, replicate.world
    errors = []
    for channel, top in zip(fit.roles_["channels"], tops):
        grid = np.linspace(0.0, top, CURVE_POINTS)
        errors.append(fit._responses(window, channel, grid) - world._responses(window, channel, grid))
    return fit._channel_totals(data), world._channel_totals(data), np.array(errors)


class BootstrapMMM(MediaMixModel):
    """A point-estimate family whose intervals come from a calibrated block bootstrap (module docstring).

    The point fit is unchanged and as fast as before; :meth:`estimate_intervals` runs the bootstrap as a
    second step. Until then (and for models saved before it) every lower/upper repeats the estimate.
    """

    default_replicates: ClassVar[int] = 30
    retune_replicates: ClassVar[bool] = False  # True: a replicate also re-chooses what reuse=True keeps
    # Outcome draws (predict, scenario_draws) evaluate each replicate's fit; False: the worlds' spread alone
    # (planning evaluates the draws for every block of plans, and a booster per replicate costs seconds).
    fits_in_outcome_draws: ClassVar[bool] = True
    intervals_: Intervals | None = None

    @property
    def has_intervals(self) -> bool:
        """True once :meth:`estimate_intervals` has run (or the model was saved with intervals)."""
        return self.intervals_ is not None

    def fit(self, *args, **kwargs):
        """As :meth:`MediaMixModel.fit`; intervals of an earlier fit are dropped."""
        self.intervals_ = None
        return super().fit(*args, **kwargs)

    def estimate_intervals(self, replicates: int | None = None, progress: Progress | None = None):
        """Fit the bootstrap replicates and give every output a 90% interval; returns self.

        ``replicates`` defaults to the family's :attr:`default_replicates`; ``progress(fraction, message)``
        hears "Bootstrap refit 3 of 30" before each refit. The same ``random_state`` gives the same intervals.
        """
        self._check_fitted()
        count = self.default_replicates if replicates is None else replicates
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 2:
            raise ValueError(f"replicates must be a whole number of at least 2; got {count!r}.")
        self.intervals_ = estimate(self, int(count), progress or no_progress)
        return self

    def interval_summary(self) -> dict | None:
        return None if self.intervals_ is None else self.intervals_.describe()

    # ------------------------------------------------------------------------- family hooks
    @abstractmethod
    def _world_shell(self):
        """An unfitted ridge model sharing this fit's data and roles, whose search supplies the worlds."""

    def _replicate_shell(self) -> BootstrapMMM:
        """A copy of this fit to refit or restore a replicate into (it has no replicates of its own)."""
        self.__dict__.setdefault("_time_cache", [None])  # the copies share the calendar's memory
        shell = self._clone_with_state()
        shell.intervals_ = None
        return shell

    def _refit_replicate(self, train: pd.DataFrame, seed: int) -> BootstrapMMM:
        """The family's fit on a replicate's training rows (tuned settings kept unless ``retune_replicates``)."""
        fit = self._replicate_shell()
        fit.random_state = seed
        fit._fit_family(train, no_progress, reuse=not self.retune_replicates)
        return fit

    def _channel_totals(self, frame: pd.DataFrame) -> np.ndarray:
        """Contribution per channel summed over ``frame``, as measured on every replicate."""
        return self._components(frame)[self.roles_["channels"]].sum().to_numpy(float)

    # ----------------------------------------------------------------- outputs with intervals
    def roas(self) -> pd.DataFrame:
        """As :meth:`MediaMixModel.roas`, with 90% intervals of ROAS and contribution once estimated."""
        table = super().roas()
        if self.intervals_ is None:
            return table
        low, high = bounds(self.intervals_.contribution_draws(), table["contribution"].to_numpy(float), floor=0.0)
        spend = table["spend"].to_numpy(float)
        table["contribution_lower"], table["contribution_upper"] = low, high
        with np.errstate(divide="ignore", invalid="ignore"):
            table["lower"] = np.where(spend > 0, np.minimum(low / spend, table["roas"]), np.nan)
            table["upper"] = np.where(spend > 0, np.maximum(high / spend, table["roas"]), np.nan)
        return table

    def response_curves(self, n_points: int = 50) -> pd.DataFrame:
        """As :meth:`MediaMixModel.response_curves`, with 90% intervals once estimated (never decreasing)."""
        table = super().response_curves(n_points)
        if self.intervals_ is None:
            return table
        for c, channel in enumerate(self.roles_["channels"]):
            rows = (table["channel"] == channel).to_numpy()
            grid, response = table.loc[rows, "spend"].to_numpy(float), table.loc[rows, "response"].to_numpy(float)
            low, high = bounds(self.intervals_.curve_draws(c, grid, response), response, floor=0.0)
            table.loc[rows, "lower"] = np.maximum.accumulate(low)
            table.loc[rows, "upper"] = np.maximum.accumulate(high)
        return table

    def predict(self, plan: pd.DataFrame) -> pd.DataFrame:
        """As :meth:`MediaMixModel.predict`, with a 90% interval of revenue (noise included) once estimated."""
        table = super().predict(plan)
        if self.intervals_ is None:
            return table
        future = self.future_frame(plan)
        history = self.data_.tail(self.carryover_periods())
        frame = pd.concat([history, future], ignore_index=True)
        spread = self.intervals_.deviations(frame, self.fits_in_outcome_draws)[len(history) :]
        repeats = -(-NOISE_DRAWS // spread.shape[1])  # several noise draws per replicate: smoother quantiles
        spread, noise = np.repeat(spread, repeats, axis=1), np.repeat(self.noise_scale(), repeats)
        mean = table["mean"].to_numpy(float)
        rng = np.random.default_rng(0 if self.random_state is None else int(self.random_state))
        noisy = mean[:, None] + spread + rng.standard_normal(spread.shape) * noise
        table["lower"], table["upper"] = bounds(noisy.T, mean)
        return table

    def scenario_draws(self, frame: pd.DataFrame) -> np.ndarray:
        """Expected revenue per row, one column per replicate (at most :data:`OUTCOME_REPLICATES`; their mean is
        the point fit) once the intervals are estimated."""
        point = self.predict_frame(frame)[:, None]
        return (
            point if self.intervals_ is None else point + self.intervals_.deviations(frame, self.fits_in_outcome_draws)
        )

    def scenario_mean(self, frame: pd.DataFrame) -> np.ndarray:
        """The mean of :meth:`scenario_draws` without drawing them: the point fit (the deviations are centred),
        so planning a model with intervals costs one prediction per scenario, not one per replicate."""
        return self.predict_frame(frame)

    def noise_scale(self) -> np.ndarray | None:
        """Residual standard deviation of each world behind :meth:`scenario_draws`, in currency (None: no intervals)."""
        return None if self.intervals_ is None else self.intervals_.noise[:OUTCOME_REPLICATES]

    # ------------------------------------------------------------------------------ storage
    def _archive_files(self) -> dict[str, bytes]:
        return {} if self.intervals_ is None else self.intervals_.files()

    def _restore_files(self, files: dict[str, bytes]) -> None:
        self.intervals_ = Intervals.from_files(self, files) if "boot/intervals.json" in files else None
