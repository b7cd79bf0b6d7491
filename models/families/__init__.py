"""The model families: one interface (:class:`models.families.base.MediaMixModel`), four implementations.

* :mod:`models.families.ridge`: Robyn-style ridge regression on searched adstock and saturation
  (its numerical pieces in :mod:`models.families.robyn`).
* :mod:`models.families.trees`: LightGBM and XGBoost on adstocked media, explained by TreeSHAP.
* :mod:`models.families.bootstrap`: 90% intervals for ridge and the trees, by a calibrated block bootstrap
  run after the point fit (``fitted.estimate_intervals()``).
* :mod:`models.families.bayesian`: a PyMC model sampled by nutpie, with intervals on every result.

Nothing is imported here, so ``import models`` stays light; :func:`models.model_class` imports a family
when it is first asked for.
"""
