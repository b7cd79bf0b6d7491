r"""Bayesian media-mix model written directly in PyMC, sampled with nutpie: every result has an interval.

Revenue per period, scaled by its training mean :math:`\bar y` (:math:`\tilde y_t = y_t / \bar y`), is

.. math::

    \tilde y_t \sim N(\mu_t, \sigma^2), \qquad
    \mu_t = \ell + \sum_k \theta_k (z_{k,t} - \bar z_k) + \sum_c \beta_c\, \bigl(s_c(a_c(\tilde x_c)_t)
        - \bar s_c\bigr)

with :math:`z_k` the linear terms: the trend :math:`\tau_t \in [0, 1]` (time since the first date over the
training span), the ``season_*`` Fourier terms of :func:`models.families.features.time_features` (yearly;
weekly too for daily data) and each control standardised on the training rows; :math:`\tilde x_c` the
spend over the channel's mean non-zero training spend, :math:`a_c` a normalised adstock over ``L_MAX``
periods (14 days or 8 weeks; geometric or Weibull survival) and :math:`s_c` a logistic (default) or Hill
saturation, both looked up by name (:mod:`models.curves`, and :mod:`.ops` for the graph's PyTensor
versions). Bars are means over the fitted rows, so the level :math:`\ell` is the mean of :math:`\mu`,
which the data pin down on their own; the intercept (``baseline``) is derived from it.

The channel coefficient is not a free parameter: as in Google's Meridian the model samples each channel's
ROAS over the fitted rows and derives

.. math::

    \beta_c = \text{ROAS}_c \, \frac{\sum_t x_{c,t} / \bar y}{\sum_t s_c\bigl(a_c(\tilde x_c)_t\bigr)}

so the total contribution is :math:`\text{ROAS}_c \sum_t x_{c,t}` whatever the saturation's shape. Both
choices remove ridges that make NUTS trees deep: between :math:`\beta_c` and the saturation point, and
between the intercept and every other term.

Priors, in the scaled units above (1 = the mean revenue per period; spend in units of its mean):

================================  ==================================  ===================================
parameter                         prior                               meaning
================================  ==================================  ===================================
:math:`\text{ROAS}_c`             LogNormal(0.2, 0.9)                 Meridian's default: median 1.2,
                                                                      90% between 0.3 and 5.3
adstock decay :math:`\alpha_c`    Beta(2, 2)                          geometric; mean 0.5
Weibull shape, scale              LogNormal(0, 0.7), Beta(1.5, 4)     ``weibull_cdf`` only
logistic :math:`\lambda_c`        LogNormal(0, 0.7)                   :math:`\tanh(\lambda/2)` of the
                                                                      maximum at the mean spend
Hill :math:`\log K_c`, slope      Normal(0, 0.7), LogNormal(0, 0.5)   half effect near the mean spend
level :math:`\ell`                Normal(1, 0.5)                      mean revenue (1 after scaling)
trend                             Normal(0, 0.5)                      change over the training span
season terms                      Normal(0, 0.2)                      each Fourier term
controls                          Normal(0, 0.5)                      per standard deviation
:math:`\sigma`                    HalfNormal(0.25)                    noise
================================  ==================================  ===================================

The log-normal priors are sampled as normals on the log scale. There is no hierarchy, hence no funnel to
non-centre. Adstock and saturation of every period are one numba operation with a hand-written gradient
(:class:`models.families.bayesian.ops.SaturatedAdstock`).

Outputs. ``POSTERIOR_DRAWS`` draws, evenly spaced over all chains, are kept (and serialised as parquet);
every output is computed from them with the numpy curves of :mod:`models.curves` (:mod:`.posterior`).
Components and ``predict_frame`` are posterior means (so contributions still add up to the prediction);
``roas``, ``response_curves`` and ``predict`` carry 90% credible intervals in ``lower``/``upper``,
``predict`` including the observation noise. ``diagnostics`` holds ArviZ's R-hat, bulk and tail ESS and
the divergences; :meth:`.model.BayesianMMM.health_check` turns them, the ROAS and the holdout error into
plain words (:mod:`.health`).
Rolling-origin cross-validation refits each fold with short chains (``CV_TUNE`` + ``CV_DRAWS`` per chain):
folds are scored on the posterior-mean prediction only, which needs far fewer draws than intervals.

Notes
-----
Measured on the 2-core development machine, 5,000 days of the demo process
(``generate_demo(end="2036-09-08")``, 6 channels, price, promo), defaults (2 chains of 1000 + 1000, 10%
holdout, 3 CV folds), warm compile caches, nothing else running (``bench/RESULTS.md``): the whole ``fit``
takes about 42 s (compile 12 s, sampling 19 s), R-hat 1.004, bulk ESS 896, no divergences, median absolute
ROAS error 0.06 (the smallest channel, 1% of revenue, is off by 0.5: its data say little, the prior
speaks). ``saturation="hill"`` (free slope) samples several times slower and recovers ROAS worse: in a
development run, not repeated in ``bench/RESULTS.md``, NUTS trees were about 50 steps deep against 12 for
logistic, bulk ESS 289 and the median ROAS error 0.31: the slope and the half-saturation point trade off
when spend never goes far from its usual level, so the posterior of ROAS is wide. On the 1,096-day demo
the default fit's median ROAS error is about 0.2.

References
----------
Jin, Y. et al. (2017). *Bayesian Methods for Media Mix Modeling with Carryover and Shape Effects*. Google.
Google Meridian, default priors: https://developers.google.com/meridian/docs/basics/default-prior-distributions
"""

from models.families.bayesian.model import BayesianMMM

__all__ = ["BayesianMMM"]
