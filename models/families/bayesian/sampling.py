r"""The Bayesian MMM's PyMC graph, compiled once per shape, sampled with nutpie (PyMC's NUTS as fallback).

Kept apart from :mod:`.model` and :mod:`.posterior` so that the model's maths on posterior draws (numpy)
and its sampling machinery (PyMC, PyTensor, nutpie, ArviZ) can be read separately. Every heavy import
happens inside the functions: importing this module costs nothing. The priors of each curve's parameters
are a registry keyed by the names of :mod:`models.curves` (:data:`ADSTOCK_PRIORS`, :data:`SATURATION_PRIORS`).

Nutpie is driven through its private background-sampler API (``nutpie._lib``,
``nutpie.sample._BackgroundSampler``: see :func:`_sample_nutpie`), which is why requirements.txt pins it.

Inputs are the scaled arrays built by :class:`~models.families.bayesian.model.BayesianMMM` (see
:mod:`models.families.bayesian` for the model and priors): ``spend`` ``(T, C)``, ``budget`` ``(C,)``
(total spend over mean revenue), ``design`` ``(T, P)`` (trend, season terms, controls; centred), the
prior scale of each coefficient ``coef_sd`` ``(P,)``, ``y`` ``(T,)`` and ``always_on`` ``(C,)``
(:func:`always_on_weights`). All but ``coef_sd`` enter the graph as ``pm.Data`` (:data:`SHARED`), whose
shapes are not frozen, so the compiled model takes new data of any length through nutpie's ``with_data``
without compiling again: one compile per (adstock, saturation, l_max, C, P) and process
(:data:`COMPILED`), plus PyTensor's and numba's on-disk caches across processes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from models.curves import lookup

PROGRESS_SECONDS = 0.3  # the shortest gap between two progress reports while sampling
TARGET_ACCEPT = 0.95  # NUTS step-size target. On 19 bench datasets nutpie's 0.8 left divergences on 3, 0.9
# on 1 (a single one, in the far tail where a steep S-curve and a tiny ROAS fit an always-on channel), 0.95
# on none, for about 25% more gradient evaluations (bench/RESULTS.md)
ALWAYS_ON_FLOOR = (0.1, 0.3)  # spend floors (see always_on_weights) between which a channel turns always-on
SHARED = ("spend", "design", "budget", "y", "always_on")  # the arrays that enter the graph as data
SAMPLER_COORDINATES = ("log_local_roas", "slope_z")  # free variables kept out of the posterior's outputs
COMPILED: dict[tuple, object] = {}  # nutpie compiled models of this process, keyed by graph_key()
_COMPILE_LOCK = threading.Lock()


@dataclass
class Posterior:
    """Draws of every stored variable, flattened to ``(chains * draws, ...)``, and their diagnostics."""

    draws: dict[str, np.ndarray]
    diagnostics: dict


def graph_key(data: dict[str, np.ndarray], adstock: str, saturation: str, l_max: int) -> tuple:
    """What fixes the compiled graph: the options and every dimension except the number of periods."""
    return (adstock, saturation, l_max, data["spend"].shape[1], tuple(data["coef_sd"]))


def always_on_weights(floors: np.ndarray) -> np.ndarray:
    """Per channel, how far its spend stays away from zero: 0 when dark in 10% of periods, 1 from a floor of 30%.

    ``floors`` are :func:`models.families.bayesian.health.spend_floors` of the scaled spend (5th percentile
    over the mean non-zero spend); linear in between (:data:`ALWAYS_ON_FLOOR`). Sets the coordinates the
    sampler moves in (:func:`_roas`), not the model.
    """
    low, high = ALWAYS_ON_FLOOR
    return np.clip((np.asarray(floors, dtype=float) - low) / (high - low), 0.0, 1.0)


def build_model(data: dict[str, np.ndarray], adstock: str, saturation: str, l_max: int):
    r"""The PyMC model (priors in :mod:`models.families.bayesian`).

    ``design`` holds trend, season terms and controls, each centred on the rows it is fitted on, so
    ``level`` is the mean of :math:`\mu` over those rows, which the data pin down on their own: the
    intercept (derived after sampling) no longer trades off against every other term. One design matrix
    keeps the number of whole-series operations, which set the cost of a gradient, small. There are no
    ``pm.Deterministic`` terms: the channel coefficients and the intercept are derived from the draws in
    numpy (:func:`models.families.bayesian.posterior.thin`), which halves nutpie's compile time (its draw
    "expansion" function would otherwise contain the whole media graph).
    """
    import pymc as pm
    import pytensor.tensor as pt

    n_channels = data["spend"].shape[1]
    with pm.Model() as model:
        shared = {name: pm.Data(f"data_{name}", data[name]) for name in SHARED}
        coef = pm.Normal("coef", 0.0, np.asarray(data["coef_sd"], dtype=float))
        saturated, log_elasticity = _saturated(shared["spend"], adstock, saturation, l_max, n_channels)
        roas = _roas(log_elasticity, shared["always_on"], n_channels)
        beta = roas * shared["budget"] / pt.maximum(saturated.sum(axis=0), 1e-9)
        level = pm.Normal("level", 1.0, 0.5)
        media_mean = pt.dot(roas, shared["budget"]) / shared["y"].shape[0]
        mu = (level - media_mean) + pt.dot(shared["design"], coef) + pt.dot(saturated, beta)
        pm.Normal("y_obs", mu, pm.HalfNormal("sigma", 0.25), observed=shared["y"])
    return model


def _saturated(spend, adstock: str, saturation: str, l_max: int, n_channels: int):
    """Saturated adstock of the scaled spend, ``(T, C)``, with the priors of its parameters.

    Also returns the log of each curve's elasticity at the mean spend, ``(C,)``, for :func:`_roas`.
    """
    from models.families.bayesian import ops

    weights = ops.lag_weights(adstock, lookup(ADSTOCK_PRIORS, adstock, "adstock")(n_channels), l_max)
    first, second, log_elasticity = lookup(SATURATION_PRIORS, saturation, "saturation")(n_channels)
    return ops.saturated_adstock(spend, weights, saturation, first, second), log_elasticity


def _roas(log_elasticity, always_on, n_channels: int):
    r"""ROAS per channel, prior LogNormal(0.2, 0.9), sampled in coordinates the data pin down.

    For spend that never goes near zero the data measure the marginal ROAS, about
    :math:`\text{ROAS}_c\, e_c` with :math:`e_c` the curve's elasticity at the mean spend, not the ROAS:
    sampled directly, ROAS and the curve's shape would lie on a narrow ridge, and NUTS would need deep
    trees. So the sampler moves in :math:`u_c = \log \text{ROAS}_c + w_c \log e_c` (flat) and the
    curve's parameters, and the ROAS prior is added as a potential on
    :math:`\log \text{ROAS}_c = u_c - w_c \log e_c`. The change of variables has Jacobian 1 for any
    fixed :math:`w_c`, so the model is the same; :math:`w_c` (``always_on``, :func:`always_on_weights`) is 1
    for always-on channels and 0 for flighted ones, whose dark weeks pin down the ROAS itself.
    """
    import pymc as pm
    import pytensor.tensor as pt

    local = pm.Flat("log_local_roas", shape=n_channels)
    log_roas = pm.Deterministic("log_roas", local - always_on * log_elasticity)
    pm.Potential("roas_prior", -0.5 * pt.sum(pt.sqr((log_roas - 0.2) / 0.9)))
    return pt.exp(log_roas)


# ------------------------------------------------------------------ priors of the curves, by name
def geometric_prior(n_channels: int) -> dict:
    """Decay ``alpha`` ~ Beta(2, 2) per channel."""
    import pymc as pm

    return {"alpha": pm.Beta("alpha", 2.0, 2.0, shape=n_channels)}


def weibull_cdf_prior(n_channels: int) -> dict:
    """Weibull ``shape`` ~ LogNormal(0, 0.7) and relative ``scale`` ~ Beta(1.5, 4) per channel."""
    import pymc as pm
    import pytensor.tensor as pt

    shape = pt.exp(pm.Normal("log_shape", 0.0, 0.7, shape=n_channels))
    return {"shape": shape, "scale": pm.Beta("scale", 1.5, 4.0, shape=n_channels)}


SLOPE_RANGE = (0.5, 4.0)  # Hill slopes the prior allows: concave (below 1) to sharply S-shaped


def hill_prior(n_channels: int) -> tuple:
    r"""``(log K, slope, log elasticity)`` per channel.

    Log half-saturation ~ Normal(0, 0.7) (in units of the mean spend); slope
    :math:`n = 0.5 + 3.5\,\sigma(z)`, :math:`z` ~ Normal(0, 1.6): roughly uniform over
    :data:`SLOPE_RANGE`, so concave and S-shaped curves are a priori alike. Elasticity at the mean spend
    :math:`x = 1`: :math:`n\,(1 - h(1)) = n\,\sigma(n \log K)`.
    """
    import pymc as pm
    import pytensor.tensor as pt

    log_half = pm.Normal("log_half_saturation", 0.0, 0.7, shape=n_channels)
    low, high = SLOPE_RANGE
    z = pm.Normal("slope_z", 0.0, 1.6, shape=n_channels)
    slope = pm.Deterministic("slope", low + (high - low) * pm.math.sigmoid(z))
    return log_half, slope, pt.log(slope) - pt.softplus(-slope * log_half)


def logistic_prior(n_channels: int) -> tuple:
    r"""``(lambda, None, log elasticity)``: lambda ~ LogNormal(0, 0.7) per channel.

    Elasticity of :math:`\tanh(\lambda x / 2)` at :math:`x = 1`: :math:`\lambda / \sinh \lambda`, with
    :math:`\log \sinh \lambda = \lambda + \log(1 - e^{-2\lambda}) - \log 2` (no overflow).
    """
    import pymc as pm
    import pytensor.tensor as pt

    lam = pt.exp(pm.Normal("log_lam", 0.0, 0.7, shape=n_channels))
    log_sinh = lam + pt.log1p(-pt.exp(-2.0 * lam)) - np.log(2.0)
    return lam, None, pt.log(lam) - log_sinh


ADSTOCK_PRIORS = {"geometric": geometric_prior, "weibull_cdf": weibull_cdf_prior}  # parameters by curve name
SATURATION_PRIORS = {"hill": hill_prior, "logistic": logistic_prior}  # op's (first, second), log elasticity


def sample(
    data: dict[str, np.ndarray],
    adstock: str,
    saturation: str,
    l_max: int,
    *,
    draws: int,
    tune: int,
    chains: int,
    seed: int,
    progress: Callable[[float, str], None],
) -> Posterior:
    """Sample the posterior with nutpie (PyMC's own NUTS when nutpie is not installed)."""
    try:
        import nutpie  # noqa: F401
    except ImportError:
        return _sample_pymc(data, adstock, saturation, l_max, draws, tune, chains, seed, progress)
    progress(0.0, "Compiling the model")
    start = time.perf_counter()
    compiled = _compiled(data, adstock, saturation, l_max).with_data(**_shared(data))
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    trace = _sample_nutpie(compiled, draws, tune, chains, seed, progress)
    return _posterior(trace, compile_seconds, time.perf_counter() - start)


def _shared(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays that enter the graph as data, under their names there."""
    return {f"data_{name}": data[name] for name in SHARED}


def _compiled(data: dict[str, np.ndarray], adstock: str, saturation: str, l_max: int):
    """The nutpie model of this graph shape, compiled on first use in this process."""
    import nutpie

    key = graph_key(data, adstock, saturation, l_max)
    with _COMPILE_LOCK:
        if key not in COMPILED:
            with _quiet_fusion_errors():
                COMPILED[key] = nutpie.compile_pymc_model(build_model(data, adstock, saturation, l_max))
        return COMPILED[key]


@contextlib.contextmanager
def _quiet_fusion_errors():
    """Silence PyTensor's logged (and caught) error from its elementwise-fusion rewrite while compiling.

    PyTensor 2.38 (pinned through PyMC) fails to fuse one subgraph of this model's gradient
    (pymc-devs/pytensor#2145, fixed in later releases) and logs a traceback at ERROR level; the rewrite is
    skipped and the compiled function is right. Measured: about 3% slower per gradient, 0.60 against
    0.59 ms on 5,000 days x 6 channels.
    """
    logger = logging.getLogger("pytensor.graph.rewriting.basic")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _sample_nutpie(compiled, draws: int, tune: int, chains: int, seed: int, progress):
    """Run nutpie's sampler threads; the calling thread reports progress and waits.

    nutpie renders a progress template on its own thread every :data:`PROGRESS_SECONDS`; the callback only
    records the count, and this thread passes it on, so ``progress`` is never called from nutpie's threads.
    Any exception (a cancelled job's ``KeyboardInterrupt`` included) aborts the sampler threads.
    This drives nutpie's private background-sampler API (``nutpie._lib``, ``_BackgroundSampler``) as
    ``nutpie.sample(blocking=False)`` does, without its display code: requirements.txt pins nutpie for it.
    """
    from nutpie import _lib
    from nutpie.sample import _BackgroundSampler

    settings = _lib.PyNutsSettings.Diag(int(seed))
    settings.target_accept = TARGET_ACCEPT
    settings.num_tune, settings.num_draws, settings.num_chains = int(tune), int(draws), int(chains)
    done = [0]

    def record(text: str) -> None:
        done[0] = int(text.strip() or 0)

    cores = max(1, min(int(chains), _cpu_count()))
    report = _lib.ProgressType.template_callback(
        int(PROGRESS_SECONDS * 1000), "{{ total_finished_draws }}", cores, record
    )
    sampler = object.__new__(_BackgroundSampler)  # nutpie.sample(blocking=False) without its display code
    sampler._settings, sampler._compiled_model, sampler._html = settings, compiled, None
    sampler._save_warmup, sampler._return_raw_trace = False, False
    sampler._store = _lib.PyStorage.arrow()
    sampler._sampler = compiled._make_sampler(settings, np.zeros(compiled.n_dim), cores, report, sampler._store)
    per_chain = int(tune) + int(draws)
    try:
        while True:
            try:
                sampler._sampler.wait(PROGRESS_SECONDS)
                break
            except TimeoutError:
                progress(done[0] / (per_chain * chains), _draw_message(done[0] // chains, int(tune), chains, draws))
        return sampler._extract(sampler._sampler.take_results())
    except BaseException:
        sampler._sampler.abort()
        raise


def _sample_pymc(data, adstock, saturation, l_max, draws, tune, chains, seed, progress):
    """Fallback without nutpie: PyMC's NUTS, one chain after another in this process (no worker processes)."""
    import pymc as pm

    progress(0.0, "Compiling the model")
    start = time.perf_counter()
    model = build_model(data, adstock, saturation, l_max)
    total, count, last = (tune + draws) * chains, [0], [0.0]

    def callback(trace, draw) -> None:
        count[0] += 1
        if time.perf_counter() - last[0] >= PROGRESS_SECONDS:
            last[0] = time.perf_counter()
            progress(count[0] / total, _draw_message(count[0] // chains, tune, chains, draws))

    with model:
        trace = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=1,
            target_accept=TARGET_ACCEPT,
            random_seed=int(seed),
            progressbar=False,
            callback=callback,
            compute_convergence_checks=False,
        )
    return _posterior(trace, 0.0, time.perf_counter() - start)


def _posterior(trace, compile_seconds: float, sampling_seconds: float) -> Posterior:
    """Flattened draws and ArviZ diagnostics over the free parameters."""
    import arviz as az

    posterior = trace.posterior
    names = list(posterior.data_vars)
    rhat, bulk = az.rhat(trace, var_names=names), az.ess(trace, var_names=names, method="bulk")
    tail = az.ess(trace, var_names=names, method="tail")
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    diagnostics = {
        "rhat_max": _extreme(rhat, names, np.nanmax),
        "ess_bulk_min": _extreme(bulk, names, np.nanmin),
        "ess_tail_min": _extreme(tail, names, np.nanmin),
        "divergences": int(trace.sample_stats["diverging"].sum()),
        "draws": int(draws),
        "chains": int(chains),
        "sampling_seconds": float(sampling_seconds),
        "compile_seconds": float(compile_seconds),
    }
    kept = [name for name in posterior.data_vars if name not in SAMPLER_COORDINATES]
    flat = {name: np.asarray(posterior[name].values, dtype=float) for name in kept}
    flat = {name: value.reshape(chains * draws, *value.shape[2:]) for name, value in flat.items()}
    return Posterior(draws=flat, diagnostics=diagnostics)


def _extreme(dataset, names: list[str], reduce) -> float:
    values = np.concatenate([np.ravel(dataset[name].values) for name in names])
    return float(reduce(values)) if np.isfinite(values).any() else float("nan")


def _draw_message(iteration: int, tune: int, chains: int, draws: int) -> str:
    """Where each chain is: in its warm-up (tuning) iterations, or in its draws (the number the user set)."""
    if iteration < tune:
        return f"Sampling: warm-up {iteration} of {tune} in each of {chains} chains, then {draws} draws"
    return f"Sampling: draw {min(iteration - tune, int(draws))} of {draws} in each of {chains} chains"


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
