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
periods (14 days or 8 weeks; geometric or Weibull survival) and :math:`s_c` a Hill (default) or logistic
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

The Hill curve :math:`h(x) = x^n / (x^n + K^n)` is the default because it bends both ways: concave for a
slope :math:`n \le 1`, S-shaped above. The logistic curve :math:`\tanh(\lambda x / 2)` is concave only,
so its ROAS (average return) is never below its marginal ROAS; where the true curve is S-shaped (a
threshold before spend works), it matched the marginal ROAS and reported a ROAS far too high with a tight
interval (5,000 S-shaped days: median error 101%, 1 of 6 intervals holding the truth; ``bench/RESULTS.md``).

What the data can tell. For a channel whose spend never goes near zero, the data measure how revenue
moves with spend around its usual level (the marginal ROAS) but not the return on the first units of
spend: its ROAS extrapolates the curve from the lowest spend observed down to zero. The slope's prior is
wide (0.5 to 4), so that extrapolation's uncertainty shows in the ROAS interval instead of being fixed
by the curve's form; the health check names every channel whose 90% interval spans more than a factor of
3 and, when its spend never falls near zero, says that its ROAS is an extrapolation
(:func:`.health.identification_checks`). Sampling such a ROAS directly would put it on a narrow ridge
with the curve's shape (ROAS times the curve's elasticity is what the data pin down), so the sampler
moves in :math:`\log \text{ROAS}_c + w_c \log e_c` instead, :math:`w_c` = 1 for always-on channels
and 0 for flighted ones (:func:`.sampling._roas`; the same model, Jacobian 1).

Priors, in the scaled units above (1 = the mean revenue per period; spend in units of its mean):

================================  ==================================  ===================================
parameter                         prior                               meaning
================================  ==================================  ===================================
:math:`\text{ROAS}_c`             LogNormal(0.2, 0.9)                 Meridian's default: median 1.2,
                                                                      90% between 0.3 and 5.3
adstock decay :math:`\alpha_c`    Beta(2, 2)                          geometric; mean 0.5
Weibull shape, scale              LogNormal(0, 0.7), Beta(1.5, 4)     ``weibull_cdf`` only
Hill :math:`\log K_c`             Normal(0, 0.7)                      half effect near the mean spend
Hill slope :math:`n_c`            :math:`0.5 + 3.5\,\sigma(z)`,       concave to S-shaped, about
                                  :math:`z` ~ Normal(0, 1.6)          uniform over 0.5-4
logistic :math:`\lambda_c`        LogNormal(0, 0.7)                   :math:`\tanh(\lambda/2)` of the
                                                                      maximum at the mean spend
level :math:`\ell`                Normal(1, 0.5)                      mean revenue (1 after scaling)
trend                             Normal(0, 0.5)                      change over the training span
season terms                      Normal(0, 0.2)                      each Fourier term
controls                          Normal(0, 0.5)                      per standard deviation
:math:`\sigma`                    HalfNormal(0.25)                    noise
================================  ==================================  ===================================

The log-normal priors are sampled as normals on the log scale (ROAS through the coordinates above).
There is no hierarchy, hence no funnel to non-centre. NUTS runs with a target acceptance of 0.95
(``sampling.TARGET_ACCEPT``). Adstock and saturation of every period are one numba operation with a
hand-written gradient (:class:`models.families.bayesian.ops.SaturatedAdstock`).

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
Measured on the 2-core development machine with other work running (``bench/RESULTS.md``, "Bayesian model
on S-shaped and always-on data"), defaults (2 chains of 500 + 1500, 10% holdout, 3 CV folds). On 5,000
days the fit converges (R-hat at most 1.006, ESS at least 735, no divergences) and uses 80-95 s of CPU:
43 s wall when both cores were free, 70-95 s while other work ran, about twice the logistic curve's cost
(twice the tree depth, the same cost per gradient). On the recovery bench's 24 simulated processes
(``bench/recovery.py``) the median ROAS error is 22% (39% with the logistic curve) and 90% of the
intervals hold the truth (69%); the channels the health check does not flag have a median error of 7%
and every interval holding the truth, the flagged ones (always-on channels, mostly on weekly data) 31%.
On the 5,000-day demo process, whose curves are mild, the logistic curve's fixed shape happens to fit
(6% against 21%; the same 5 of 6 intervals hold the truth).

References
----------
Jin, Y. et al. (2017). *Bayesian Methods for Media Mix Modeling with Carryover and Shape Effects*. Google.
Google Meridian, default priors: https://developers.google.com/meridian/docs/basics/default-prior-distributions
"""

from models.families.bayesian.model import BayesianMMM

__all__ = ["BayesianMMM"]
