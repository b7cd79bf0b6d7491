r"""Simulated media-mix datasets of varied processes, each with its known truth.

::

    from models.datasets.process import random_spec
    from models.datasets.simulate import simulate

    data = simulate(random_spec(np.random.default_rng(3)), seed=3)
    data.frame, data.roles                      # as models.data.read_upload gives them
    data.channel_truth                          # channel, spend, contribution, roas, mroas
    data.truth.true_revenue(data.frame, spend_per_period, periods=28)
    data.truth.true_optimum(data.frame, budget_per_period, periods=28)

A :class:`~models.datasets.process.ProcessSpec` says what to simulate; :func:`simulate` draws the inputs
(spend, price, promo), calibrates the process so that each channel's true ROAS over the data is the one
asked for and media is the asked share of revenue, and adds noise. The process itself, with the revenue
of any spend plan and the true optimum, is :class:`~models.datasets.true_process.TrueProcess`.

Spend of channel :math:`c` in period :math:`t` is

.. math::

    x_{c,t} = \bar x_c \exp\bigl(\sigma_c z_{c,t} - \sigma_c^2 / 2\bigr)\, f_{c,t}, \qquad
    z_{c,t} = \sqrt{\rho_c}\, u_t + \sqrt{1 - \rho_c}\,\bigl(\sqrt{q}\, v_{c,t} + \sqrt{1 - q}\, e_{c,t}\bigr)

with :math:`u` the shared campaign factor, :math:`v_c` the channel's own campaign levels (both constant
over 2-6 week campaigns), :math:`e_c` period noise, :math:`q` = :data:`CAMPAIGN_SHARE`, :math:`f_{c,t}`
the flight mask (0 in dark weeks, else 1) and :math:`\rho_c` the spec's correlation for the correlated
channels, 0 for the others. The factors are made orthonormal over the sample (Gram-Schmidt), so the
correlation of log spend between two correlated channels is exactly :math:`\rho` before flights and
rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from models.curves import lookup_saturation
from models.datasets.process import ProcessSpec
from models.datasets.true_process import LIST_PRICE, TrueProcess
from models.families.features import period_days

CAMPAIGN_SHARE = 0.7  # share of a channel's own log-spend variance that moves with its campaigns
CAMPAIGN_WEEKS = (2, 6)  # length of a campaign (constant spend level)
FLIGHT_WEEKS = {"off": (1, 4), "on": (2, 8)}
DISCOUNTS = (0.10, 0.15, 0.20, 0.25)
# (off, on) run lengths in periods: discount and promotion runs, daily and weekly
RUNS = {
    ("price", "daily"): ((20, 80), (3, 10)),
    ("price", "weekly"): ((4, 12), (1, 2)),
    ("promo", "daily"): ((10, 35), (1, 4)),
    ("promo", "weekly"): ((3, 10), (1, 1)),
}


@dataclass(frozen=True)
class SimulatedData:
    """A simulated dataset and its truth.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``date``, the channels' spend, the controls, ``revenue``; one row per period, money in cents.
    roles : dict
        ``{"date", "target", "channels", "controls"}`` as :func:`models.data.read_upload` returns them.
    truth : TrueProcess
        The process, calibrated: revenue of any spend, true optimum of a budget split.
    channel_truth : pandas.DataFrame
        True spend, contribution, ROAS and marginal ROAS per channel over the data
        (:meth:`TrueProcess.channel_truth`), with the spec's curve names, flighting and how saturated
        each channel runs (:func:`saturation_at_level`).
    spec : ProcessSpec
        What was asked for.
    seed : int
        Seed of the inputs and the noise.
    """

    frame: pd.DataFrame
    roles: dict
    truth: TrueProcess
    channel_truth: pd.DataFrame
    spec: ProcessSpec
    seed: int

    @property
    def true_roas(self) -> dict[str, float]:
        """True ROAS per channel."""
        return dict(zip(self.channel_truth["channel"], self.channel_truth["roas"]))

    @property
    def true_mroas(self) -> dict[str, float]:
        """True marginal ROAS (+1% spend every period) per channel."""
        return dict(zip(self.channel_truth["channel"], self.channel_truth["mroas"]))


def simulate(spec: ProcessSpec, seed: int) -> SimulatedData:
    r"""Simulate a dataset of ``spec``; the same spec and seed give the same data.

    Parameters
    ----------
    spec : ProcessSpec
        The process (see :mod:`models.datasets.process`).
    seed : int
        Seed of :func:`numpy.random.default_rng` for spend, controls and noise.

    Returns
    -------
    SimulatedData
        Revenue = :meth:`TrueProcess.expected_revenue` + :math:`N(0, (s \bar R)^2)` with :math:`s` the
        spec's ``noise_share`` and :math:`\bar R` the mean noise-free revenue, rounded to cents.
    """
    rng = np.random.default_rng(seed)
    step = "W-MON" if spec.frequency == "weekly" else "D"
    frame = pd.DataFrame({"date": pd.date_range(spec.start, periods=spec.n_periods, freq=step)})
    spend = simulate_spend(spec, rng)
    for i, name in enumerate(spec.channel_names):
        frame[name] = np.round(spend[:, i], 2)
    for control in spec.controls:
        frame[control] = simulate_control(control, spec.frequency, spec.n_periods, rng)
    truth = calibrate(spec, frame)
    expected = truth.expected_revenue(frame)
    noise = rng.normal(0.0, spec.noise_share * expected.mean(), spec.n_periods)
    frame["revenue"] = np.round(expected + noise, 2)
    roles = {"date": "date", "target": "revenue", "channels": list(spec.channel_names), "controls": list(spec.controls)}
    table = truth.channel_truth(frame)
    table["saturation"] = [c.saturation for c in spec.channels]
    table["adstock"] = [c.adstock for c in spec.channels]
    table["flighted"] = [c.flighted for c in spec.channels]
    table["saturation_at_level"] = saturation_at_level(truth, frame)
    return SimulatedData(frame=frame, roles=roles, truth=truth, channel_truth=table, spec=spec, seed=int(seed))


def saturation_at_level(truth: TrueProcess, frame: pd.DataFrame) -> list[float]:
    r"""Each channel's curve at its spend level, :math:`h_c(\bar x_c)` in [0, 1): how saturated it runs.

    Near 1, the channel's contribution hardly moves with its spend and looks like baseline to a model:
    its ROAS is then barely identified by the data (its marginal ROAS still is).
    """
    levels = [float(frame.loc[frame[name] > 0, name].mean()) for name in truth.channels]
    return [
        float(lookup_saturation(truth.saturations[c]).apply(level, truth.saturation_params[c]))
        for c, level in enumerate(levels)
    ]


def simulate_spend(spec: ProcessSpec, rng: np.random.Generator) -> np.ndarray:
    """Spend per period and channel, ``(n_periods, channels)``, by the formula in the module docstring."""
    n, k = spec.n_periods, len(spec.channels)
    weeks = 7 // period_days(spec.frequency)  # periods per week
    raw = [_campaign_levels(n, weeks, rng) for _ in range(k + 1)] + [rng.standard_normal(n) for _ in range(k)]
    factors = _orthonormal(np.column_stack(raw))
    common, own, noise = factors[:, 0], factors[:, 1 : k + 1], factors[:, k + 1 :]
    spend = np.empty((n, k))
    for i, channel in enumerate(spec.channels):
        rho = spec.correlation if channel.name in spec.correlated else 0.0
        mine = np.sqrt(CAMPAIGN_SHARE) * own[:, i] + np.sqrt(1 - CAMPAIGN_SHARE) * noise[:, i]
        z = np.sqrt(rho) * common + np.sqrt(1 - rho) * mine
        sigma = channel.volatility
        spend[:, i] = channel.spend * np.exp(sigma * z - sigma**2 / 2)
        if channel.flighted:
            spend[:, i] *= flight_mask(n, weeks, rng)
    return spend


def _campaign_levels(n: int, weeks: int, rng: np.random.Generator) -> np.ndarray:
    """Standard normal levels, each held for a campaign of :data:`CAMPAIGN_WEEKS` weeks."""
    lengths = rng.integers(CAMPAIGN_WEEKS[0] * weeks, CAMPAIGN_WEEKS[1] * weeks + 1, size=n // weeks + 2)
    return np.repeat(rng.standard_normal(lengths.size), lengths)[:n]


def _orthonormal(columns: np.ndarray) -> np.ndarray:
    """Centre the columns and make them orthogonal in order (Gram-Schmidt, by QR), each of variance 1."""
    centred = columns - columns.mean(axis=0)
    q, r = np.linalg.qr(centred)
    return q * np.sign(np.diag(r)) * np.sqrt(len(columns))


def flight_mask(n: int, weeks: int, rng: np.random.Generator) -> np.ndarray:
    """1 in flights, 0 in dark weeks: runs of whole weeks, :data:`FLIGHT_WEEKS` long, from a random phase.

    ``weeks`` is the number of periods in a week (7 daily, 1 weekly); the data start on a Monday, so dark
    runs cover whole calendar weeks. Starts on a flight.
    """
    n_weeks = -(-n // weeks)
    runs = n_weeks // (FLIGHT_WEEKS["off"][0] + FLIGHT_WEEKS["on"][0]) + 4
    on = rng.integers(FLIGHT_WEEKS["on"][0], FLIGHT_WEEKS["on"][1] + 1, size=runs)
    off = rng.integers(FLIGHT_WEEKS["off"][0], FLIGHT_WEEKS["off"][1] + 1, size=runs)
    by_week = np.repeat(np.tile([1.0, 0.0], runs), np.column_stack([on, off]).ravel())
    by_week = by_week[rng.integers(0, on[0]) :]  # random phase inside the first flight
    return np.repeat(by_week[:n_weeks], weeks)[:n]


def _runs(n: int, off: tuple[int, int], on: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of alternating off/on runs with uniform integer lengths, starting off."""
    count = n // (off[0] + on[0]) + 2
    lengths = np.column_stack([rng.integers(off[0], off[1] + 1, count), rng.integers(on[0], on[1] + 1, count)])
    return np.repeat(np.tile([False, True], count), lengths.ravel())[:n]


def simulate_control(name: str, frequency: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Price (list 20, cut 10-25% during discount runs, noise sd 0.2, in cents) or promo (0/1 runs)."""
    off, on = RUNS[(name, frequency)]
    active = _runs(n, off, on, rng)
    if name == "promo":
        return active.astype(int)
    run_id = np.cumsum(np.r_[True, np.diff(active)]) - 1
    depth = rng.choice(DISCOUNTS, size=run_id.max() + 1)[run_id]
    return np.round(LIST_PRICE * (1 - np.where(active, depth, 0.0)) + rng.normal(0.0, 0.2, n), 2)


def calibrate(spec: ProcessSpec, frame: pd.DataFrame) -> TrueProcess:
    r"""The true process of ``spec`` on ``frame``'s inputs, scaled to the spec's ROAS and media share.

    Curve parameters become absolute with each channel's spend level :math:`\bar x_c` (mean spend over its
    periods with spend); :math:`\beta_c = \text{ROAS}_c \sum_t x_{c,t} / \sum_t h_c(a_c(x_c)_t)`, exact
    because the contribution is linear in :math:`\beta_c`; the baseline :math:`b` makes media the share
    :math:`m` of noise-free revenue: :math:`b = \frac{1-m}{m} \bar M / \overline{\text{base}_1}` with
    :math:`\bar M` the mean media revenue per period and :math:`\text{base}_1` the base revenue at
    :math:`b = 1`.
    """
    spend = frame[list(spec.channel_names)].to_numpy(float)
    levels = [float(column[column > 0].mean()) for column in spend.T]
    unit = TrueProcess(
        channels=spec.channel_names,
        frequency=spec.frequency,
        l_max=spec.l_max,
        adstocks=tuple(c.adstock for c in spec.channels),
        adstock_params=tuple(dict(c.adstock_params) for c in spec.channels),
        saturations=tuple(c.saturation for c in spec.channels),
        saturation_params=tuple(_absolute(c.saturation, c.saturation_params, x) for c, x in zip(spec.channels, levels)),
        beta=(1.0,) * len(spec.channels),
        baseline=1.0,
        start=str(pd.Timestamp(frame["date"].iloc[0]).date()),
        n_periods=spec.n_periods,
        trend=spec.trend,
        yearly_amplitude=spec.yearly_amplitude,
        weekly_amplitude=spec.weekly_amplitude if spec.frequency == "daily" else 0.0,
        controls=spec.controls,
        price_effect=spec.price_effect,
        promo_uplift=spec.promo_uplift,
    )
    shapes = unit.media_effect(spend).sum(axis=0)
    beta = tuple(float(c.roas * x.sum() / s) for c, x, s in zip(spec.channels, spend.T, shapes))
    media = sum(c.roas * x.sum() for c, x in zip(spec.channels, spend.T)) / spec.n_periods
    baseline = (1 - spec.media_share) / spec.media_share * media / unit.base_revenue(frame).mean()
    return replace(unit, beta=beta, baseline=float(baseline))


def _absolute(saturation: str, params, level: float) -> dict[str, float]:
    """Saturation parameters in spend units from the spec's, relative to the spend ``level``."""
    if saturation == "hill":
        return {"half_saturation": params["half_saturation"] * level, "slope": params["slope"]}
    if saturation == "logistic":
        return {"lam": params["lam"] / level}
    raise ValueError(f"saturation must be hill or logistic; got {saturation!r}.")
