"""The interface every model family implements, and everything the families share.

A family implements four things: ``_fit_family`` (learn from a training frame), ``_components``
(per-period contribution of each component for any frame, which must sum to the prediction),
``importance`` and ``_get_state``/``_set_state`` (serialisation without pickle). Evaluation, ROAS,
prediction, response curves and storage are written once here, so no caller asks which model it holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from models.data import validate_roles
from models.families.archive import Archived
from models.families.features import (
    RECENT_PERIODS,
    holdout_start,
    infer_frequency,
    period_days,
    regression_metrics,
    rolling_origin_folds,
)
from models.options import Option, constructor_defaults, option_specs
from models.summary import ModelSummary

# lower/upper: 90% interval of ROAS, contribution_lower/upper: of the contribution (the estimate, without intervals)
ROAS_COLUMNS = ["channel", "spend", "contribution", "roas", "mroas", "lower", "upper"]
ROAS_COLUMNS += ["contribution_lower", "contribution_upper"]
PREDICT_COLUMNS = ["date", "mean", "lower", "upper"]
CURVE_COLUMNS = ["channel", "spend", "response", "lower", "upper"]
IMPORTANCE_COLUMNS = ["feature", "importance", "kind"]
DECAY_COLUMNS = ["channel", "lag", "weight"]
ROLE_KEYS = ("date", "target", "channels", "controls")
CURVE_WINDOW = {"daily": 365, "weekly": 52}  # periods averaged for response curves: the last year
Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores what it is told."""
    return None


def scaled_progress(progress: Progress | None, start: float, end: float) -> Progress:
    """Map a sub-task's 0..1 progress onto ``start..end`` of the caller's bar."""
    if progress is None:
        return no_progress
    return lambda fraction, message: progress(start + (end - start) * min(max(fraction, 0.0), 1.0), message)


def prepare_frame(frame: pd.DataFrame, roles: dict) -> pd.DataFrame:
    """The modelling columns only, sorted by date; blank spend is 0, blank controls their mean."""
    validate_roles(frame, roles)
    columns = [roles["date"], roles["target"], *roles["channels"], *roles["controls"]]
    data = frame[columns].sort_values(roles["date"]).reset_index(drop=True).copy()
    data[roles["date"]] = pd.to_datetime(data[roles["date"]])
    data[roles["channels"]] = data[roles["channels"]].fillna(0.0).astype(float)
    for control in roles["controls"]:
        data[control] = data[control].astype(float).fillna(data[control].mean())
    data[roles["target"]] = data[roles["target"]].astype(float)
    return data


class MediaMixModel(Archived, ABC):
    """Base class of every model family (scikit-learn style: ``fit`` returns self, state ends in ``_``)."""

    name: ClassVar[str] = "base"
    has_intervals: ClassVar[bool] = False
    smooth_response: ClassVar[bool] = True  # False: revenue is a step function of spend (trees)
    OPTIONS: ClassVar[tuple[Option, ...]] = ()  # the user-facing constructor arguments (see models.options)
    diagnostics: dict | None = None  # sampler diagnostics, for models with a posterior

    def __init__(self, random_state: int = 0, cv_folds: int = 3):
        self.random_state = random_state
        self.cv_folds = cv_folds

    # ------------------------------------------------------------- options (scikit-learn style)
    @classmethod
    def option_specs(cls) -> list[dict]:
        """The options a user may set, each with its label, choices or bounds and the constructor's default."""
        return option_specs(cls)

    def get_params(self) -> dict:
        """Every constructor argument with its current value."""
        return {name: getattr(self, name) for name in constructor_defaults(type(self))}

    # ------------------------------------------------------------------ public fitted fields
    @property
    def channels(self) -> list[str]:
        """The paid media channels, in the order of every per-channel output."""
        self._check_fitted()
        return list(self.roles_["channels"])

    @property
    def frequency(self) -> str:
        """``"daily"`` or ``"weekly"``: the period of the data and of every per-period number."""
        self._check_fitted()
        return self.frequency_

    @property
    def roles(self) -> dict:
        """The column roles the model was fitted with (date, target, channels, controls)."""
        self._check_fitted()
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.roles_.items()}

    def spend_range(self) -> pd.DataFrame:
        """Observed spend per period of each channel: channel, min, max, mean."""
        self._check_fitted()
        spend = self.data_[self.roles_["channels"]]
        return pd.DataFrame(
            {
                "channel": spend.columns,
                "min": spend.min().to_numpy(),
                "max": spend.max().to_numpy(),
                "mean": spend.mean().to_numpy(),
            }
        )

    def history(self, periods: int | None = None) -> pd.DataFrame:
        """The fitted data's last ``periods`` rows (all rows by default), with the modelling columns."""
        self._check_fitted()
        return (self.data_ if periods is None else self.data_.tail(periods)).copy()

    @property
    def additive(self) -> bool:
        """True when revenue is a sum of one term per channel plus the rest (ridge, Bayesian), so a channel's
        response curve is the model's whole response to it; the tree families, whose revenue is a step
        function of all channels' spend together, are not (planning then searches on the whole model)."""
        return self.smooth_response

    def estimate_intervals(self, replicates: int | None = None, progress: Progress | None = None):
        """Give every output a 90% interval; returns self. Here a no-op: the posterior's intervals come with the fit."""
        return self

    def interval_summary(self) -> dict | None:
        """How the intervals were made (method, replicates, level); None without bootstrap intervals."""
        return None

    def health_check(self) -> list[dict] | None:
        """Plain-language checks ``{"level", "message"}``; None for families without them."""
        return None

    def checks(self) -> pd.DataFrame:
        """Checks of this fit in words: check, status (ok/warn/fail), detail, action, value (see models.checks)."""
        from models.checks import model_checks

        return model_checks(self, getattr(self, "cv_roas_", None), getattr(self, "check_results_", []))

    def run_checks(self, progress: Progress | None = None) -> pd.DataFrame:
        """Run the costly checks (placebo channel, simulated twin: one refit each), keep them; then ``checks()``."""
        from models.checks import refit_checks

        self.check_results_ = refit_checks(self, progress or no_progress)
        return self.checks()

    def summary(self) -> ModelSummary:
        """Everything a user interface shows of this fit, as documented tables (see models.summary)."""
        self._check_fitted()
        data, roles = self.data_, self.roles_
        fitted = pd.DataFrame(
            {
                "date": data[roles["date"]],
                "actual": data[roles["target"]],
                "predicted": self.predict_frame(data),
                "holdout": np.arange(len(data)) >= self.holdout_start_,
            }
        )
        tables = {
            "fitted": fitted,
            "contributions": self.contributions().reset_index(),
            "roas": self.roas(),
            "curves": self.response_curves(),
            "importance": self.importance(),
            "decay": self.decay_curves(),
        }
        return ModelSummary(
            family=self.name,
            channels=self.channels,
            frequency=self.frequency,
            metrics=dict(self.metrics),
            tables=tables,
            recent_spend={k: float(v) for k, v in self.recent_spend().items()},
            spend_range=self.spend_range(),
            diagnostics=self.diagnostics,
            health=self.health_check(),
            intervals=self.interval_summary(),
        )

    # ----------------------------------------------------------------- fitting and evaluation
    def fit(self, frame: pd.DataFrame, roles: dict, holdout: float = 0.1, progress: Progress | None = None):
        """Fit on all but the last ``holdout`` fraction of periods; score on it and by rolling-origin CV."""
        progress = progress or no_progress
        data = prepare_frame(frame, roles)
        self.roles_ = {k: (list(v) if isinstance(v, list) else v) for k, v in roles.items() if k in ROLE_KEYS}
        self.frequency_ = infer_frequency(data[roles["date"]])
        self.origin_ = pd.Timestamp(data[roles["date"]].iloc[0])
        self.holdout_start_ = holdout_start(len(data), holdout)
        self.data_ = data
        self._data_components, self.check_results_ = None, []
        train = data.iloc[: self.holdout_start_]
        self._fit_family(train.dropna(subset=[roles["target"]]), scaled_progress(progress, 0.0, 0.8), reuse=False)
        self.metrics = self._evaluate(data, scaled_progress(progress, 0.8, 1.0))
        progress(1.0, "Done")
        return self

    def _evaluate(self, data: pd.DataFrame, progress: Progress) -> dict:
        target, start = self.roles_["target"], self.holdout_start_
        predicted = self.predict_frame(data)
        actual = data[target].to_numpy()
        metrics = {f"train_{k}": v for k, v in regression_metrics(actual[:start], predicted[:start]).items()}
        metrics.update(regression_metrics(actual[start:], predicted[start:]))
        metrics["holdout_periods"] = len(data) - start
        metrics.update(self._cross_validate(data, progress))
        return metrics

    def _cross_validate(self, data: pd.DataFrame, progress: Progress) -> dict:
        """Rolling origin: refit (same hyper-parameters) on each expanding window, test on the next block."""
        test_size = max(len(data) - self.holdout_start_, len(data) // 10)
        folds = rolling_origin_folds(len(data), self.cv_folds, test_size)
        scores, fold_roas = [], []
        for i, (train_end, test_end) in enumerate(folds):
            progress(i / max(len(folds), 1), f"Cross-validation fold {i + 1} of {len(folds)}")
            model = self._clone_with_state()
            window = data.iloc[:train_end]
            model._fit_family(window.dropna(subset=[self.roles_["target"]]), no_progress, reuse=True)
            predicted = model.predict_frame(data.iloc[:test_end])[train_end:]
            scores.append(regression_metrics(data[self.roles_["target"]].to_numpy()[train_end:test_end], predicted))
            fold_roas.append(model._window_roas(data))
        self.cv_roas_ = {"periods": min(CURVE_WINDOW[self.frequency_], len(data)), "folds": fold_roas}
        if not scores:
            return {"cv_r2": float("nan"), "cv_mape": float("nan"), "cv_nrmse": float("nan"), "cv_folds": 0}
        result = {f"cv_{k}": float(np.nanmean([s[k] for s in scores])) for k in scores[0]}
        result["cv_folds"] = len(scores)
        return result

    def _window_roas(self, data: pd.DataFrame) -> dict[str, float]:
        """ROAS per channel over the data's last year (``CURVE_WINDOW``), its adstock history included."""
        window = min(CURVE_WINDOW[self.frequency_], len(data))
        frame = data.iloc[max(0, len(data) - window - self.carryover_periods()) :]
        parts, spend = self._components(frame).tail(window), frame[self.roles_["channels"]].tail(window).sum()
        return {c: float(parts[c].sum() / spend[c]) if spend[c] > 0 else float("nan") for c in spend.index}

    def _clone_with_state(self) -> MediaMixModel:
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._data_components = None
        return clone

    # ------------------------------------------------------------------- the shared interface
    def predict_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """Fitted revenue per row of ``frame`` (columns as in the training data; history first)."""
        return self._components(frame).sum(axis=1).to_numpy()

    def data_components(self) -> pd.DataFrame:
        """Components of the fitted data, computed once per model (SHAP-based ones are costly)."""
        self._check_fitted()
        if getattr(self, "_data_components", None) is None:
            self._data_components = self._components(self.data_)
        return self._data_components.copy()

    def contributions(self) -> pd.DataFrame:
        """One row per period of the data, one column per component; rows sum to the fitted revenue."""
        components = self.data_components()
        components.index = pd.DatetimeIndex(self.data_[self.roles_["date"]], name=self.roles_["date"])
        return components

    def roas(self) -> pd.DataFrame:
        """Spend, contribution, ROAS and marginal ROAS (+1% spend every period) per channel, whole period."""
        components = self.data_components()
        baseline = self.predict_frame(self.data_).sum()
        rows = []
        for channel in self.roles_["channels"]:
            spend = float(self.data_[channel].sum())
            contribution = float(components[channel].sum())
            bumped = self.data_.copy()
            bumped[channel] = bumped[channel] * 1.01
            extra = float(self.predict_frame(bumped).sum() - baseline)
            roas = contribution / spend if spend > 0 else float("nan")
            mroas = extra / (0.01 * spend) if spend > 0 else float("nan")
            rows.append([channel, spend, contribution, roas, mroas, roas, roas, contribution, contribution])
        return pd.DataFrame(rows, columns=ROAS_COLUMNS)

    def predict(self, plan: pd.DataFrame) -> pd.DataFrame:
        """Revenue for future periods given each channel's spend; the data's last spend carries over."""
        self._check_fitted()
        future = self.future_frame(plan)
        predicted = self.predict_frame(pd.concat([self.data_, future], ignore_index=True))[len(self.data_) :]
        date = future[self.roles_["date"]].to_numpy()
        return pd.DataFrame({"date": date, "mean": predicted, "lower": predicted, "upper": predicted})

    def future_frame(self, plan: pd.DataFrame) -> pd.DataFrame:
        """Check a plan and complete it: controls missing from it are held at their recent average."""
        date, channels = self.roles_["date"], self.roles_["channels"]
        plan = plan.rename(columns={"date": date}) if date not in plan and "date" in plan else plan
        missing = [c for c in [date, *channels] if c not in plan]
        if missing:
            raise ValueError(f"The plan needs a spend column for every channel; missing: {', '.join(missing)}.")
        future = plan.copy()
        future[date] = pd.to_datetime(future[date])
        future = future.sort_values(date).reset_index(drop=True)
        if future[date].iloc[0] <= self.data_[date].iloc[-1]:
            raise ValueError("The plan's dates must come after the last date of the data.")
        spend = future[channels].astype(float)
        if spend.isna().any().any() or (spend < 0).any().any():
            raise ValueError("Planned spend must be a number of at least 0 for every channel and period.")
        recent = self.data_.tail(RECENT_PERIODS[self.frequency_])
        for control in self.roles_["controls"]:
            if control not in future:
                future[control] = recent[control].mean()
        future[self.roles_["target"]] = np.nan
        return future[self.data_.columns]

    def carryover_periods(self) -> int:
        """How many of the data's last periods a future period's prediction depends on (adstock memory).

        Families with a finite adstock window say so, which keeps planning fast; by default all the data.
        """
        return len(self.data_)

    def scenario_draws(self, frame: pd.DataFrame) -> np.ndarray:
        """Expected revenue per row of ``frame`` (history first), ``(rows, draws)``; one draw for point models."""
        return self.predict_frame(frame)[:, None]

    def noise_scale(self) -> np.ndarray | None:
        """Standard deviation of revenue around its expectation per draw, in currency (None: no intervals)."""
        return None

    def future_dates(self, periods: int) -> pd.DatetimeIndex:
        """The ``periods`` dates right after the data."""
        last = self.data_[self.roles_["date"]].iloc[-1]
        step = pd.Timedelta(days=period_days(self.frequency_))
        return pd.DatetimeIndex([last + step * (i + 1) for i in range(periods)])

    def recent_spend(self) -> pd.Series:
        """Average spend per period over about the last month, per channel."""
        return self.data_[self.roles_["channels"]].tail(RECENT_PERIODS[self.frequency_]).mean()

    def response_curves(self, n_points: int = 50) -> pd.DataFrame:
        """Revenue per period at a constant spend per period, averaged over the last year; starts at 0."""
        self._check_fitted()
        window = self.data_.tail(CURVE_WINDOW[self.frequency_]).reset_index(drop=True)
        rows = []
        for channel in self.roles_["channels"]:
            grid = np.linspace(0.0, self._curve_top(channel), n_points)
            responses = self._responses(window, channel, grid)
            rows.extend([channel, s, r, r, r] for s, r in zip(grid, responses))
        return pd.DataFrame(rows, columns=CURVE_COLUMNS)

    def _curve_top(self, channel: str) -> float:
        """The largest spend per period on a response curve: 1.5 times the most the channel ever spent."""
        return float(self.data_[channel].max()) * 1.5 or 1.0

    def _responses(self, window: pd.DataFrame, channel: str, grid: np.ndarray) -> np.ndarray:
        """Mean revenue over ``window`` with the channel at each constant spend, minus that at zero."""
        values = []
        for spend in grid:
            scenario = window.copy()
            scenario[channel] = spend
            values.append(self.predict_frame(scenario).mean())
        values = np.asarray(values)
        return values - values[0]

    def decay_curves(self, max_lag: int | None = None) -> pd.DataFrame:
        """Share of a period's spend effect felt ``lag`` periods later, per channel (empty if none)."""
        return pd.DataFrame(columns=DECAY_COLUMNS)

    @abstractmethod
    def importance(self) -> pd.DataFrame:
        """Feature importance: columns feature, importance, kind."""

    # ------------------------------------------------------------------------- family hooks
    @abstractmethod
    def _fit_family(self, train: pd.DataFrame, progress: Progress, reuse: bool) -> None:
        """Learn from ``train``; with ``reuse`` keep the chosen hyper-parameters and only refit."""

    @abstractmethod
    def _components(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Per-row components (baseline, trend, seasonality, controls, channels) summing to the prediction."""

    @abstractmethod
    def _get_state(self) -> tuple[dict, dict[str, bytes]]:
        """JSON-serialisable state and named binary blobs (native model files); never pickles."""

    @abstractmethod
    def _set_state(self, state: dict, blobs: dict[str, bytes]) -> None:
        """Restore what ``_get_state`` returned."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "data_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call fit() first.")
