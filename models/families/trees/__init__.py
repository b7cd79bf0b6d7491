"""Gradient-boosted tree families: the shared model (:mod:`.model`) and its two libraries (:mod:`.boosters`)."""

from models.families.trees.boosters import LightGBMMMM, XGBoostMMM
from models.families.trees.model import TreeMMM

__all__ = ["LightGBMMMM", "TreeMMM", "XGBoostMMM"]
