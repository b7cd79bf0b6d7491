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
prior scale of each coefficient ``coef_sd`` ``(P,)`` and ``y`` ``(T,)``. ``spend``, ``design``, ``budget``
and ``y`` enter the graph as ``pm.Data``, whose shapes are not frozen, so the compiled model takes new
data of any length through nutpie's ``with_data`` without compiling again: one compile per (adstock,
saturation, l_max, C, P) and process (:data:`COMPILED`), plus PyTensor's and numba's on-disk caches
across processes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from models.curves import lookup

PROGRESS_SECONDS = 0.3  # the shortest gap between two progress reports while sampling
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
        shared = {name: pm.Data(f"data_{name}", data[name]) for name in ("spend", "design", "budget", "y")}
        coef = pm.Normal("coef", 0.0, np.asarray(data["coef_sd"], dtype=float))
        saturated = _saturated(shared["spend"], adstock, saturation, l_max, n_channels)
        roas = pt.exp(pm.Normal("log_roas", 0.2, 0.9, shape=n_channels))
        beta = roas * shared["budget"] / pt.maximum(saturated.sum(axis=0), 1e-9)
        level = pm.Normal("level", 1.0, 0.5)
        media_mean = pt.dot(roas, shared["budget"]) / shared["y"].shape[0]
        mu = (level - media_mean) + pt.dot(shared["design"], coef) + pt.dot(saturated, beta)
        pm.Normal("y_obs", mu, pm.HalfNormal("sigma", 0.25), observed=shared["y"])
    return model


def _saturated(spend, adstock: str, saturation: str, l_max: int, n_channels: int):
    """Saturated adstock of the scaled spend, ``(T, C)``, with the priors of its parameters."""
    from models.families.bayesian import ops

    weights = ops.lag_weights(adstock, lookup(ADSTOCK_PRIORS, adstock, "adstock")(n_channels), l_max)
    first, second = lookup(SATURATION_PRIORS, saturation, "saturation")(n_channels)
    return ops.saturated_adstock(spend, weights, saturation, first, second)


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


def hill_prior(n_channels: int) -> tuple:
    """``(log K, slope)``: log half-saturation ~ Normal(0, 0.7), slope ~ LogNormal(0, 0.5) per channel."""
    import pymc as pm
    import pytensor.tensor as pt

    log_half = pm.Normal("log_half_saturation", 0.0, 0.7, shape=n_channels)
    return log_half, pt.exp(pm.Normal("log_slope", 0.0, 0.5, shape=n_channels))


def logistic_prior(n_channels: int) -> tuple:
    """``(lambda, None)``: lambda ~ LogNormal(0, 0.7) per channel."""
    import pymc as pm
    import pytensor.tensor as pt

    return pt.exp(pm.Normal("log_lam", 0.0, 0.7, shape=n_channels)), None


ADSTOCK_PRIORS = {"geometric": geometric_prior, "weibull_cdf": weibull_cdf_prior}  # parameters by curve name
SATURATION_PRIORS = {"hill": hill_prior, "logistic": logistic_prior}  # the op's (first, second) arguments


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
    return {f"data_{name}": data[name] for name in ("spend", "design", "budget", "y")}


def _compiled(data: dict[str, np.ndarray], adstock: str, saturation: str, l_max: int):
    """The nutpie model of this graph shape, compiled on first use in this process."""
    import nutpie

    key = graph_key(data, adstock, saturation, l_max)
    with _COMPILE_LOCK:
        if key not in COMPILED:
            COMPILED[key] = nutpie.compile_pymc_model(build_model(data, adstock, saturation, l_max))
        return COMPILED[key]


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
                progress(done[0] / (per_chain * chains), _draw_message(done[0] // chains, per_chain, chains))
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
            progress(count[0] / total, _draw_message(count[0] // chains, tune + draws, chains))

    with model:
        trace = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=1,
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
    flat = {name: np.asarray(posterior[name].values, dtype=float) for name in posterior.data_vars}
    flat = {name: value.reshape(chains * draws, *value.shape[2:]) for name, value in flat.items()}
    return Posterior(draws=flat, diagnostics=diagnostics)


def _extreme(dataset, names: list[str], reduce) -> float:
    values = np.concatenate([np.ravel(dataset[name].values) for name in names])
    return float(reduce(values)) if np.isfinite(values).any() else float("nan")


def _draw_message(draw: int, per_chain: int, chains: int) -> str:
    return f"Sampling: draw {draw} of {per_chain} in each of {chains} chains"


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
