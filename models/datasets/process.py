r"""The space of simulated media-mix processes: what :func:`models.datasets.simulate.simulate` is asked for.

A :class:`ProcessSpec` says how a dataset is made: its periods, its channels (each a :class:`ChannelSpec`
with its response curve, carry-over, spend pattern and true ROAS), how the channels' spend moves
together, the baseline's trend and seasonality, the controls and the noise. :func:`random_spec` draws
one from the space the recovery bench samples (``bench/recovery.py``):

=================  =====================================================================================
dimension          values drawn by :func:`random_spec`
=================  =====================================================================================
frequency, rows    daily 1,000-5,000 rows or weekly 100-260 rows (even odds)
channels           3-8, spend per day log-uniform 200-5,000 (weekly: x7)
response           per process: concave Hill (slope 0.7-1), S-shaped Hill (slope 2-3.5), logistic, or
                   mixed (each channel any of these or a Hill of slope 1-2); half saturation 0.5-2x the
                   channel's spend level, logistic steepness 0.5-3 over it
carry-over         per process: geometric (decay 0.1-0.8 a day, 0.1-0.6 a week) or Weibull (CDF, or
                   PDF with a delayed peak), over 28 days or 10 weeks
flighting          no flighted channels (40%) or each channel flighted with odds 0.25-0.6: dark for whole
                   weeks (1-4 weeks off, 2-8 on)
correlation        independent (50%) or 2-4 channels sharing a campaign factor, correlation 0.3-0.8
true ROAS          0.5-4 per channel (uniform)
media share        15-45% of noise-free revenue
baseline           trend -10% to +40% over the data; yearly seasonality 0-15%, weekly 0-8% (daily data)
controls           0-2 of price (discount runs) and promo (promotion runs)
noise              Gaussian, sd 3-15% of mean noise-free revenue
=================  =====================================================================================

Curve parameters are relative to the channel's *spend level* :math:`\bar x_c` (its mean spend over the
periods it is on), so a spec reads the same at any spend: Hill :math:`K_c = k_c \bar x_c`, logistic
:math:`\lambda_c = l_c / \bar x_c`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

CHANNEL_NAMES = ("search", "social", "video", "display", "tv", "radio", "affiliate", "podcast")
CONTROLS = ("price", "promo")
RESPONSES = ("concave", "s_shaped", "logistic", "mixed")
CARRYOVERS = ("geometric", "weibull")
L_MAX = {"daily": 28, "weekly": 10}  # carry-over window: four weeks of days, ten weeks


@dataclass(frozen=True)
class ChannelSpec:
    """One channel of a simulated process.

    Parameters
    ----------
    name : str
        Column name (a word the upload reader recognises as a channel).
    spend : float
        Mean spend per period over the periods the channel is on, in currency.
    roas : float
        True ROAS over the data: the channel's beta is scaled until contribution / spend equals it.
    saturation : {"hill", "logistic"}
        Name in :data:`models.curves.SATURATIONS`.
    saturation_params : mapping
        Hill: ``half_saturation`` (a multiple of the spend level) and ``slope``; logistic: ``lam``
        (steepness times the spend level).
    adstock : {"geometric", "weibull_cdf", "weibull_pdf"}
        Name in :data:`models.curves.ADSTOCKS`; always normalised (weights sum to 1).
    adstock_params : mapping
        The curve's parameters, as :mod:`models.curves` names them.
    flighted : bool
        Dark for whole weeks between flights.
    volatility : float
        Standard deviation of log spend (campaign levels and period-to-period noise together).
    """

    name: str
    spend: float
    roas: float
    saturation: str = "hill"
    saturation_params: Mapping[str, float] = field(default_factory=lambda: {"half_saturation": 1.0, "slope": 1.0})
    adstock: str = "geometric"
    adstock_params: Mapping[str, float] = field(default_factory=lambda: {"alpha": 0.5})
    flighted: bool = False
    volatility: float = 0.4


@dataclass(frozen=True)
class ProcessSpec:
    """A whole simulated process (see the module docstring for the ranges :func:`random_spec` draws).

    Parameters
    ----------
    channels : tuple of ChannelSpec
        The paid media.
    frequency : {"daily", "weekly"}
        Period of the rows; weekly dates are Mondays.
    n_periods : int
        Number of rows.
    start : str
        First date (ISO).
    correlation : float
        Correlation of log spend between the ``correlated`` channels (a shared campaign factor).
    correlated : tuple of str
        Names of the channels sharing the factor (empty: all independent).
    noise_share : float
        Noise sd as a share of the mean noise-free revenue.
    media_share : float
        Media contribution as a share of the total noise-free revenue (sets the baseline).
    trend : float
        Growth of the baseline from the first to the last period, as a share of it.
    yearly_amplitude, weekly_amplitude : float
        Seasonal amplitudes as shares of the baseline (weekly only for daily data).
    controls : tuple of str
        Subset of :data:`CONTROLS`.
    price_effect : float
        Revenue lift, as a share of the baseline, per unit of relative discount (0.1 = 10% off).
    promo_uplift : float
        Revenue lift of a promotion period, as a share of the baseline.
    label : str
        Short description (response, carry-over, frequency) for reports.
    """

    channels: tuple[ChannelSpec, ...]
    frequency: str = "daily"
    n_periods: int = 1000
    start: str = "2021-01-04"
    correlation: float = 0.0
    correlated: tuple[str, ...] = ()
    noise_share: float = 0.08
    media_share: float = 0.3
    trend: float = 0.2
    yearly_amplitude: float = 0.1
    weekly_amplitude: float = 0.04
    controls: tuple[str, ...] = ()
    price_effect: float = 1.0
    promo_uplift: float = 0.1
    label: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.channels]
        if self.frequency not in L_MAX:
            raise ValueError(f"frequency must be one of {', '.join(L_MAX)}; got {self.frequency!r}.")
        if len(set(names)) != len(names) or not names:
            raise ValueError("channels need distinct names, at least one.")
        if set(self.correlated) - set(names) or set(self.controls) - set(CONTROLS):
            raise ValueError("correlated channels must be channels, and controls among price, promo.")
        if not 0 <= self.correlation < 1:
            raise ValueError(f"correlation must lie in [0, 1); got {self.correlation}.")

    @property
    def l_max(self) -> int:
        """Carry-over window in periods (:data:`L_MAX`)."""
        return L_MAX[self.frequency]

    @property
    def channel_names(self) -> tuple[str, ...]:
        """The channels' column names, in order."""
        return tuple(c.name for c in self.channels)


def random_spec(rng: np.random.Generator) -> ProcessSpec:
    """Draw a process from the space in the module docstring; the same generator state, the same spec.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (draws are consumed in a fixed order).

    Returns
    -------
    ProcessSpec
        With ``label`` ``"<response>, <carry-over>, <frequency>"`` plus ``", flighted"`` and
        ``", correlated"`` where they apply.
    """
    frequency = "daily" if rng.random() < 0.5 else "weekly"
    n_periods = int(rng.integers(1000, 5001) if frequency == "daily" else rng.integers(100, 261))
    response, carryover = RESPONSES[rng.integers(len(RESPONSES))], CARRYOVERS[rng.integers(len(CARRYOVERS))]
    n_channels = int(rng.integers(3, 9))
    flight_odds = 0.0 if rng.random() < 0.4 else rng.uniform(0.25, 0.6)
    names = CHANNEL_NAMES[:n_channels]
    channels = tuple(_random_channel(rng, name, frequency, response, carryover, flight_odds) for name in names)
    correlation, correlated = 0.0, ()
    if rng.random() < 0.5:
        size = int(rng.integers(2, min(4, n_channels) + 1))
        correlated = tuple(str(n) for n in rng.choice(names, size=size, replace=False))
        correlation = float(rng.uniform(0.3, 0.8))
    controls = tuple(c for c in CONTROLS if rng.random() < 0.5)
    flags = [", flighted"] * any(c.flighted for c in channels) + [", correlated"] * bool(correlated)
    return ProcessSpec(
        channels=channels,
        frequency=frequency,
        n_periods=n_periods,
        correlation=correlation,
        correlated=correlated,
        noise_share=float(rng.uniform(0.03, 0.15)),
        media_share=float(rng.uniform(0.15, 0.45)),
        trend=float(rng.uniform(-0.1, 0.4)),
        yearly_amplitude=float(rng.uniform(0.0, 0.15)),
        weekly_amplitude=float(rng.uniform(0.0, 0.08)) if frequency == "daily" else 0.0,
        controls=controls,
        price_effect=float(rng.uniform(0.5, 2.0)),
        promo_uplift=float(rng.uniform(0.05, 0.2)),
        label=f"{response}, {carryover}, {frequency}" + "".join(flags),
    )


def _random_channel(
    rng: np.random.Generator, name: str, frequency: str, response: str, carryover: str, flight_odds: float
) -> ChannelSpec:
    """One channel of :func:`random_spec`: spend level, curve, carry-over, flighting and ROAS."""
    per_day = float(np.exp(rng.uniform(np.log(200.0), np.log(5000.0))))
    saturation, saturation_params = _random_saturation(rng, response)
    adstock, adstock_params = _random_adstock(rng, carryover, frequency)
    return ChannelSpec(
        name=name,
        spend=per_day * (7 if frequency == "weekly" else 1),
        roas=float(rng.uniform(0.5, 4.0)),
        saturation=saturation,
        saturation_params=saturation_params,
        adstock=adstock,
        adstock_params=adstock_params,
        flighted=bool(rng.random() < flight_odds),
        volatility=float(rng.uniform(0.25, 0.6)),
    )


def _random_saturation(rng: np.random.Generator, response: str) -> tuple[str, dict[str, float]]:
    """A saturation curve of the process's ``response`` kind ("mixed": any kind, or a Hill of slope 1-2)."""
    if response == "mixed":
        response = ("concave", "s_shaped", "logistic", "moderate")[rng.integers(4)]
    if response == "logistic":
        return "logistic", {"lam": float(rng.uniform(0.5, 3.0))}
    low, high = {"concave": (0.7, 1.0), "s_shaped": (2.0, 3.5), "moderate": (1.0, 2.0)}[response]
    return "hill", {"half_saturation": float(rng.uniform(0.5, 2.0)), "slope": float(rng.uniform(low, high))}


def _random_adstock(rng: np.random.Generator, carryover: str, frequency: str) -> tuple[str, dict[str, float]]:
    """A carry-over curve: geometric decay, or Weibull CDF (decay) or PDF (delayed peak), one in three PDF."""
    if carryover == "geometric":
        return "geometric", {"alpha": float(rng.uniform(0.1, 0.8 if frequency == "daily" else 0.6))}
    if rng.random() < 2 / 3:
        return "weibull_cdf", {"shape": float(rng.uniform(0.5, 2.0)), "scale": float(rng.uniform(0.05, 0.3))}
    return "weibull_pdf", {"shape": float(rng.uniform(1.5, 3.0)), "scale": float(rng.uniform(0.05, 0.25))}
