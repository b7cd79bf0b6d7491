"""The Bayesian family's estimator: options, fitting, and every output from the posterior draws.

The model, its priors and measured costs are described in :mod:`models.families.bayesian`; the graph and
the sampler in :mod:`.sampling`, the numpy maths on the draws in :mod:`.posterior`, the plain-language
checks in :mod:`.health`.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from models.curves import ADSTOCKS as ADSTOCK_CURVES
from models.curves import SATURATIONS as SATURATION_CURVES
from models.curves import choices, lookup_adstock, lookup_saturation
from models.families.base import (
    CURVE_COLUMNS,
    CURVE_WINDOW,
    DECAY_COLUMNS,
    IMPORTANCE_COLUMNS,
    PREDICT_COLUMNS,
    ROAS_COLUMNS,
    MediaMixModel,
    Progress,
)
from models.families.bayesian import health, posterior
from models.families.features import BASELINE, SEASONALITY, TREND, time_features
from models.options import Option

L_MAX = {"daily": 14, "weekly": 8}  # adstock window: two weeks of days, two months of weeks
ADSTOCKS = ("geometric", "weibull_cdf")  # names in models.curves that the graph implements (ops.LAG_WEIGHTS)
SATURATIONS = ("hill", "logistic")  # likewise (ops.SATURATIONS); the order of the option's choices
CREDIBLE = (0.05, 0.95)  # a 90% interval
CV_TUNE, CV_DRAWS = 150, 100  # per chain, for the cross-validation refits (posterior means only)
TREND_SD, SEASON_SD, CONTROL_SD = 0.5, 0.2, 0.5  # prior scales of the linear terms (see the table above)


class BayesianMMM(MediaMixModel):
    """Bayesian MMM in PyMC with ROAS priors, sampled by nutpie (see :mod:`models.families.bayesian`).

    Parameters
    ----------
    adstock : {"geometric", "weibull_cdf"}
        Carry-over shape per channel over ``L_MAX`` periods.
    saturation : {"hill", "logistic"}
        Diminishing-returns curve per channel. Hill (the default) bends either way: concave or S-shaped,
        its slope free between 0.5 and 4. Logistic is concave only: where the true curve is S-shaped it
        reports a ROAS above the marginal ROAS, confidently wrong (see Notes in
        :mod:`models.families.bayesian`).
    draws, tune, chains : int
        NUTS draws and warm-up iterations per chain, and the number of chains (run in parallel threads).
        Nutpie adapts within a few hundred iterations, so the default spends 1500 of its 2000 iterations
        per chain on draws: at target acceptance 0.9 the smallest effective sample size was above 400 on 19
        of 19 bench datasets (15 of 19 with 1000 + 1000), at the default 0.95 on 18 (286 on the other).
    random_state : int
        Seed of the sampler: same data, same seed, same posterior.
    cv_folds : int
        Rolling-origin folds for the cross-validated metrics (each a short MCMC refit).
    """

    name = "bayesian"
    has_intervals = True

    OPTIONS = (
        Option("adstock", "Adstock (carry-over)", choices(ADSTOCK_CURVES, ADSTOCKS)),
        Option("saturation", "Saturation", choices(SATURATION_CURVES, SATURATIONS)),
        Option("draws", "Draws per chain", minimum=100, maximum=5000),
        Option("tune", "Warm-up steps per chain", minimum=100, maximum=5000),
        Option("chains", "Chains", minimum=1, maximum=4),
    )

    def __init__(
        self, adstock="geometric", saturation="hill", draws=1500, tune=500, chains=2, random_state=0, cv_folds=3
    ):
        super().__init__(random_state=random_state, cv_folds=cv_folds)
        self.adstock = adstock
        self.saturation = saturation
        self.draws = draws
        self.tune = tune
        self.chains = chains

    def _init_options(self) -> dict:
        return {
            "adstock": self.adstock,
            "saturation": self.saturation,
            "draws": self.draws,
            "tune": self.tune,
            "chains": self.chains,
        }

    # ----------------------------------------------------------------------------- fitting
    def _fit_family(self, train: pd.DataFrame, progress: Progress, reuse: bool) -> None:
        from models.families.bayesian import sampling

        self._check_options()
        if not reuse:
            self._set_scales(train)
        tune, draws = (min(self.tune, CV_TUNE), min(self.draws, CV_DRAWS)) if reuse else (self.tune, self.draws)
        data = self._graph_data(train)
        result = sampling.sample(
            data,
            self.adstock,
            self.saturation,
            self.l_max_,
            draws=int(draws),
            tune=int(tune),
            chains=int(self.chains),
            seed=int(self.random_state),
            progress=progress,
        )
        progress(1.0, "Summarising the posterior")
        self.posterior_ = posterior.thin(result.draws, data, self.adstock, self.saturation, self.l_max_)
        if not reuse:
            self.diagnostics = result.diagnostics
        self._data_components = None

    def _check_options(self) -> None:
        lookup_adstock(self.adstock, allowed=ADSTOCKS)
        lookup_saturation(self.saturation, allowed=SATURATIONS)
        for name, low in (("draws", 10), ("tune", 10), ("chains", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} must be a whole number of at least {low}; got {value!r}.")

    def _set_scales(self, train: pd.DataFrame) -> None:
        """Units of the graph, from the training rows: mean revenue, mean spend, control moments, span."""
        channels, controls = self.roles_["channels"], self.roles_["controls"]
        y = train[self.roles_["target"]].to_numpy(float)
        self.l_max_ = L_MAX[self.frequency_]
        self.y_scale_ = float(np.mean(np.abs(y))) or 1.0
        spend = np.clip(train[channels].to_numpy(float), 0.0, None)
        self.spend_scales_ = [float(s[s > 0].mean()) if (s > 0).any() else 1.0 for s in spend.T]
        values = train[controls].to_numpy(float)
        self.control_means_ = values.mean(axis=0).tolist()
        self.control_sds_ = [float(sd) if sd > 0 else 1.0 for sd in values.std(axis=0)]
        times = time_features(train[self.roles_["date"]], self.frequency_, self.origin_)
        self.trend_span_ = float(times[TREND].max()) or 1.0
        self.season_columns_ = [c for c in times.columns if c.startswith("season_")]

    def _features(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Scaled spend ``(T, C)`` and the linear design ``(T, P)``: 1, trend, season terms, controls."""
        channels = self.roles_["channels"]
        spend = np.clip(frame[channels].to_numpy(float), 0.0, None) / np.array(self.spend_scales_)
        times = time_features(frame[self.roles_["date"]], self.frequency_, self.origin_)
        controls = (frame[self.roles_["controls"]].to_numpy(float) - self.control_means_) / self.control_sds_
        design = np.column_stack(
            [
                np.ones(len(frame)),
                times[TREND].to_numpy() / self.trend_span_,
                times[self.season_columns_].to_numpy(),
                controls,
            ]
        )
        return spend, design

    def _graph_data(self, train: pd.DataFrame) -> dict[str, np.ndarray]:
        """Arrays of the graph (:mod:`.sampling`): spend, centred design, budget, target, always-on weights."""
        from models.families.bayesian import sampling

        spend, design = self._features(train)
        linear = design[:, 1:]
        n_season = len(self.season_columns_)
        money = np.clip(train[self.roles_["channels"]].to_numpy(float), 0.0, None).sum(axis=0)
        return {
            "spend": spend,
            "design": linear - linear.mean(axis=0),
            "design_mean": linear.mean(axis=0),
            "coef_sd": np.r_[
                TREND_SD, np.full(n_season, SEASON_SD), np.full(linear.shape[1] - 1 - n_season, CONTROL_SD)
            ],
            "budget": money / self.y_scale_,
            "y": train[self.roles_["target"]].to_numpy(float) / self.y_scale_,
            "always_on": sampling.always_on_weights(health.spend_floors(spend)),
        }

    # ------------------------------------------------------------------ posterior maths (numpy)
    def _coefficients(self) -> np.ndarray:
        """Linear coefficients per draw, ``(D, P)`` in the order of the design's columns."""
        return np.column_stack([self.posterior_["intercept"], self.posterior_["coef"]])

    def _lag_weights(self) -> np.ndarray:
        """Normalised adstock weights per draw, ``(l_max, D, C)``."""
        return posterior.lag_weights(self.posterior_, self.adstock, self.l_max_)

    def _media_draws(self, spend: np.ndarray) -> np.ndarray:
        """Revenue from each channel per period and draw, ``(T, D, C)``, in currency."""
        carried = posterior.carried_spend(spend, self._lag_weights())
        saturated = posterior.saturated(carried, self.posterior_, self.saturation)
        return saturated * (self.posterior_["beta"] * self.y_scale_)

    def _mean_draws(self, frame: pd.DataFrame) -> np.ndarray:
        """Expected revenue per period and draw, ``(T, D)``, in currency."""
        spend, design = self._features(frame)
        return design @ self._coefficients().T * self.y_scale_ + self._media_draws(spend).sum(axis=2)

    # --------------------------------------------------------------------------- outputs
    def _components(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Posterior-mean baseline, trend, seasonality, controls and channels, in currency."""
        spend, design = self._features(frame)
        parts = design * self._coefficients().mean(axis=0) * self.y_scale_
        n_season = len(self.season_columns_)
        out = {BASELINE: parts[:, 0], TREND: parts[:, 1], SEASONALITY: parts[:, 2 : 2 + n_season].sum(axis=1)}
        out.update(zip(self.roles_["controls"], parts[:, 2 + n_season :].T))
        out.update(zip(self.roles_["channels"], self._media_draws(spend).mean(axis=1).T))
        return pd.DataFrame(out)

    def roas(self) -> pd.DataFrame:
        """Per channel over the whole data: posterior-mean ROAS and contribution with 90% intervals, marginal ROAS."""
        self._check_fitted()
        channels = self.roles_["channels"]
        spend, _ = self._features(self.data_)
        totals = self._media_draws(spend).sum(axis=0)
        gain = self._media_draws(spend * 1.01).sum(axis=0) - totals  # channels add up: bump all at once
        money = self.data_[channels].to_numpy(float).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            roas, mroas = totals / money, gain / (0.01 * money)
        low, high = np.quantile(roas, CREDIBLE, axis=0)
        contribution_low, contribution_high = np.quantile(totals, CREDIBLE, axis=0)
        table = pd.DataFrame(
            {
                "channel": channels,
                "spend": money,
                "contribution": totals.mean(axis=0),
                "roas": np.where(money > 0, totals.mean(axis=0) / np.where(money > 0, money, 1.0), np.nan),
                "mroas": mroas.mean(axis=0),
                "lower": low,
                "upper": high,
                "contribution_lower": contribution_low,
                "contribution_upper": contribution_high,
            }
        )
        return table[ROAS_COLUMNS]

    def predict(self, plan: pd.DataFrame) -> pd.DataFrame:
        """Revenue for future periods with a 90% posterior-predictive interval (observation noise included)."""
        self._check_fitted()
        future = self.future_frame(plan)
        history = self.data_.tail(self.l_max_ - 1)  # all the adstock needs from the past
        means = self._mean_draws(pd.concat([history, future], ignore_index=True))[len(history) :]
        rng = np.random.default_rng(self.random_state)
        noisy = means + rng.standard_normal(means.shape) * self.posterior_["sigma"] * self.y_scale_
        low, high = np.quantile(noisy, CREDIBLE, axis=1)
        date = future[self.roles_["date"]].to_numpy()
        return pd.DataFrame({"date": date, "mean": means.mean(axis=1), "lower": low, "upper": high})[PREDICT_COLUMNS]

    def carryover_periods(self) -> int:
        return min(self.l_max_ - 1, len(self.data_))

    def scenario_draws(self, frame: pd.DataFrame) -> np.ndarray:
        return self._mean_draws(frame)

    def noise_scale(self) -> np.ndarray:
        return self.posterior_["sigma"] * self.y_scale_

    def response_curves(self, n_points: int = 50) -> pd.DataFrame:
        """Revenue per period at a constant spend over the last year, posterior mean and 90% interval.

        As in the base class, the spend starts at the window's first period (adstock builds up over its
        first ``l_max`` periods); each draw's curve starts at 0 and never decreases, so do the mean and
        the quantiles.
        """
        self._check_fitted()
        rows = len(self.data_.tail(CURVE_WINDOW[self.frequency_]))
        build_up = np.cumsum(self._lag_weights(), axis=0)[np.minimum(np.arange(rows), self.l_max_ - 1)]
        frames = []
        for i, channel in enumerate(self.roles_["channels"]):
            top = float(self.data_[channel].max()) * 1.5 or 1.0
            grid = np.linspace(0.0, top, n_points)
            carried = grid[:, None, None] / self.spend_scales_[i] * build_up[None, :, :, i]  # (grid, rows, D)
            saturated = posterior.saturated(carried, self.posterior_, self.saturation, channel=i).mean(axis=1)
            response = saturated * self.posterior_["beta"][:, i] * self.y_scale_
            low, high = np.quantile(response, CREDIBLE, axis=1)
            frames.append(
                pd.DataFrame(
                    {"channel": channel, "spend": grid, "response": response.mean(axis=1), "lower": low, "upper": high}
                )
            )
        return pd.concat(frames, ignore_index=True)[CURVE_COLUMNS]

    def importance(self) -> pd.DataFrame:
        """Share of the summed absolute posterior-mean contribution over the training periods."""
        self._check_fitted()
        parts = self.data_components().iloc[: self.holdout_start_].drop(columns=BASELINE)
        size = parts.abs().sum()
        share = size / size.sum() if size.sum() > 0 else size
        table = pd.DataFrame({"feature": share.index, "importance": share.to_numpy(), "kind": "contribution"})
        return table.sort_values("importance", ascending=False, ignore_index=True)[IMPORTANCE_COLUMNS]

    def decay_curves(self, max_lag: int | None = None) -> pd.DataFrame:
        """Posterior-mean adstock lag weights per channel (they sum to 1 over ``L_MAX`` lags)."""
        self._check_fitted()
        weights = self._lag_weights().mean(axis=1)
        lags = np.arange(self.l_max_ if max_lag is None else int(max_lag) + 1)
        padded = np.vstack([weights, np.zeros((max(len(lags) - self.l_max_, 0), weights.shape[1]))])[: len(lags)]
        channels = self.roles_["channels"]
        return pd.DataFrame(
            {"channel": np.repeat(channels, len(lags)), "lag": np.tile(lags, len(channels)), "weight": padded.T.ravel()}
        )[DECAY_COLUMNS]

    def health_check(self) -> list[dict]:
        """Plain-language checks, each ``{"level": "ok" | "warning" | "problem", "message": ...}``.

        Convergence (R-hat above 1.01, bulk or tail ESS below 400, any divergence), a negative baseline
        (media explaining more than all revenue), implausible ROAS (above 20, or below 0.05 for a channel
        with at least 10% of spend), channels whose ROAS the data cannot pin down (90% interval wider than
        a factor of 3; an extrapolation when spend never falls near zero) and the holdout error (MAPE above
        20%); see :mod:`.health`. Every message that is not "ok" says what to do.
        """
        self._check_fitted()
        checks = health.convergence_checks(self.diagnostics)
        parts = self.data_components().iloc[: self.holdout_start_]
        media = parts[self.roles_["channels"]].to_numpy().sum()
        total = parts.to_numpy().sum()
        checks.append(health.baseline_check(1.0 - media / total if total else float("nan")))
        table = self.roas()
        checks.extend(health.roas_checks(table))
        train = self.data_.iloc[: self.holdout_start_]
        checks.extend(health.identification_checks(table, health.spend_floors(train[self.roles_["channels"]])))
        checks.append(health.holdout_check(self.metrics.get("mape", float("nan"))))
        return [check for check in checks if check is not None]

    # ----------------------------------------------------------------------- serialisation
    STATE_KEYS = (
        "l_max_",
        "y_scale_",
        "spend_scales_",
        "control_means_",
        "control_sds_",
        "trend_span_",
        "season_columns_",
        "diagnostics",
    )

    def _get_state(self) -> tuple[dict, dict[str, bytes]]:
        state = {key: getattr(self, key) for key in self.STATE_KEYS}
        state["posterior_shapes"] = {name: list(value.shape[1:]) for name, value in self.posterior_.items()}
        columns = {
            f"{name}:{j}": column
            for name, value in self.posterior_.items()
            for j, column in enumerate(value.reshape(len(value), -1).T)
        }
        return state, {"posterior.parquet": pd.DataFrame(columns).to_parquet(index=False)}

    def _set_state(self, state: dict, blobs: dict[str, bytes]) -> None:
        shapes = state.pop("posterior_shapes")
        for key, value in state.items():
            setattr(self, key, value)
        table = pd.read_parquet(io.BytesIO(blobs["posterior.parquet"]))
        self.posterior_ = {}
        for name, shape in shapes.items():
            size = int(np.prod(shape)) if shape else 1
            values = table[[f"{name}:{j}" for j in range(size)]].to_numpy(float)
            self.posterior_[name] = values.reshape(len(table), *shape)
