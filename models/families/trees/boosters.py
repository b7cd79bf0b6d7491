"""The two boosting libraries behind :class:`~models.families.trees.model.TreeMMM`: LightGBM and XGBoost.

Each subclass only wraps its library's training, prediction, TreeSHAP and model-file calls; one thread
each, so the same seed gives the same model.
"""

from __future__ import annotations

from typing import ClassVar

import lightgbm as lgb
import xgboost as xgb

from models.families.trees.model import TreeMMM


class LightGBMMMM(TreeMMM):
    """LightGBM family (``models.fit("lightgbm", ...)``); see :class:`TreeMMM`. Stored as a LightGBM text model."""

    name: ClassVar[str] = "lightgbm"
    booster_file: ClassVar[str] = "lightgbm.txt"

    def _params(self) -> dict:
        return {
            "objective": "regression",
            "learning_rate": float(self.learning_rate),
            "max_depth": int(self.max_depth),
            "num_leaves": max(2, 2 ** int(self.max_depth) - 1),
            "min_data_in_leaf": self.min_leaf_,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "monotone_constraints": self._monotone(),
            "monotone_constraints_method": "intermediate",
            "seed": int(self.random_state),
            "num_threads": 1,
            "deterministic": True,
            "force_col_wise": True,
            "verbosity": -1,
        }

    def _train(self, features, scaled):
        data = lgb.Dataset(features, scaled, params={"verbosity": -1})
        return lgb.train(self._params(), data, int(self.n_estimators), keep_training_booster=True)

    def _predict(self, features):
        return self.booster_.predict(features, num_threads=1)

    def _shap(self, features):
        return self.booster_.predict(features, pred_contrib=True, num_threads=1)

    def _booster_bytes(self) -> bytes:
        return self.booster_.model_to_string().encode("utf-8")

    def _load_booster(self, blob: bytes) -> lgb.Booster:
        return lgb.Booster(model_str=blob.decode("utf-8"))


class XGBoostMMM(TreeMMM):
    """XGBoost family (``models.fit("xgboost", ...)``); see :class:`TreeMMM`. Stored as XGBoost JSON."""

    name: ClassVar[str] = "xgboost"
    booster_file: ClassVar[str] = "xgboost.json"

    def _params(self) -> dict:
        return {
            "objective": "reg:squarederror",
            "tree_method": "hist",
            "eta": float(self.learning_rate),
            "max_depth": int(self.max_depth),
            "min_child_weight": float(self.min_leaf_),
            "subsample": 0.8,
            "monotone_constraints": "(" + ",".join(map(str, self._monotone())) + ")",
            "seed": int(self.random_state),
            "nthread": 1,
            "verbosity": 0,
        }

    def _train(self, features, scaled):
        return xgb.train(self._params(), xgb.DMatrix(features, scaled, nthread=1), int(self.n_estimators))

    def _predict(self, features):
        return self.booster_.predict(xgb.DMatrix(features, nthread=1)).astype(float)  # XGBoost works in float32

    def _shap(self, features):
        return self.booster_.predict(xgb.DMatrix(features, nthread=1), pred_contribs=True).astype(float)

    def _booster_bytes(self) -> bytes:
        return bytes(self.booster_.save_raw("json"))

    def _load_booster(self, blob: bytes) -> xgb.Booster:
        booster = xgb.Booster(params={"nthread": 1})
        booster.load_model(bytearray(blob))
        return booster
