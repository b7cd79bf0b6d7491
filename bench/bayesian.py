"""Our Bayesian MMM against PyMC-Marketing's MMM on the same synthetic data with a known truth (not a test).

Run in the benchmark environment (the project's pins plus PyMC-Marketing)::

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r bench/requirements-pymc-marketing.txt
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv-bench/bin/python bench/bayesian.py            # 5,000 days
    ... bench/bayesian.py --pmm-saturation hill        # both with Hill curves (our default)
    ... bench/bayesian.py --saturation logistic        # both with logistic curves
    OMP_WAIT_POLICY=passive PYTHONPATH=. .venv-bench/bin/python bench/bayesian.py --rows 365 --tune 200 --draws 200

Data: the first ``--rows`` days of the demo's data-generating process (``models.datasets.synthetic.generate_demo``):
6 channels, price and promo. Both tools see every row (no holdout) and the truth is the DGP's ROAS over
the same days (``models.datasets.truth.channel_summary``, revenue inside the window only). Our model runs
with its defaults (Hill saturation unless ``--saturation logistic``, geometric adstock over 14 days) and no
cross-validation refits (``--cv-folds 0``), so both sides time one build + compile + sample.

For each tool: the wall time of build + compile + sample (imports excluded; the PyTensor and nutpie
compile caches in ``~/.pytensor`` are whatever earlier runs left there), the smallest bulk ESS and the
largest R-hat over the sampled parameters, the number of divergent transitions, and the median over
channels of ``|estimated ROAS / true ROAS - 1|`` (posterior-mean ROAS, the same measure as
bench/model_families.py). One table row per tool, then true against estimated ROAS per channel.

PyMC-Marketing side (``pymc_marketing.mmm.multidimensional.MMM``, the class 0.19 documents; the older
``pymc_marketing.mmm.MMM`` is deprecated there): geometric adstock (``L_MAX`` days, normalised) then logistic
saturation (or ``HillSaturation`` with ``--pmm-saturation hill``), its default priors and max scaling,
controls price and promo, yearly seasonality with 2 Fourier modes, nutpie, the same chains/tune/draws and
``random_seed`` 0. Its controls are not scaled for it ("apply your own preprocessing"), so price is centred on
its mean. By default it also gets the terms the DGP has and our model uses, a linear trend (control ``t``,
years since the first day) and weekly seasonality (``WeeklyFourier``, 3 modes, as a mu effect); ``--pmm-
plain`` leaves them out. Its ROAS is the posterior of ``channel_contribution_original_scale`` summed over the
days, divided by the channel's total spend."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd

import models
from models.datasets.synthetic import generate_demo
from models.datasets.truth import CHANNELS, DEMO_START, channel_summary

L_MAX = 14  # daily adstock window for PyMC-Marketing (days)
CONTROLS = ["price", "promo"]
INTERVAL = (0.05, 0.95)  # the 90% interval our model's roas() reports
HEADER = ["tool", "rows", "wall s", "min bulk ESS", "max R-hat", "divergences", "median abs ROAS error"]


def demo_frame(rows: int) -> pd.DataFrame:
    """The first ``rows`` days of the demo process (same seed, so a prefix of the longer runs' data)."""
    end = (pd.Timestamp(DEMO_START) + pd.Timedelta(days=rows - 1)).strftime("%Y-%m-%d")
    frame, _ = generate_demo(end=end)
    return frame


def median_error(estimated: dict[str, float], truth: dict) -> float:
    return float(np.median([abs(estimated[c] / truth[c]["roas"] - 1) for c in CHANNELS]))


def run_ours(frame: pd.DataFrame, args) -> dict:
    """Fit ``models.fit("bayesian", ...)`` on every row; diagnostics and ROAS from its interface."""
    roles = {"date": "date", "target": "revenue", "channels": list(CHANNELS), "controls": CONTROLS}
    models.model_class("bayesian")  # imports outside the timer, like PyMC-Marketing's
    import arviz  # noqa: F401
    import nutpie  # noqa: F401
    import pymc  # noqa: F401  (our model imports these inside the fit; about 5 s)

    start = time.perf_counter()
    fitted = models.fit(
        "bayesian",
        frame,
        roles,
        holdout=args.holdout,
        cv_folds=args.cv_folds,
        random_state=0,
        saturation=args.saturation,
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
    )
    wall = time.perf_counter() - start
    roas = fitted.roas().set_index("channel")
    d = fitted.diagnostics
    print(
        f"ours: compile {d.get('compile_seconds', float('nan')):.1f} s, "
        f"sampling {d.get('sampling_seconds', float('nan')):.1f} s (of the wall time)",
        flush=True,
    )
    return {
        "wall": wall,
        "ess_bulk_min": float(d["ess_bulk_min"]),
        "rhat_max": float(d["rhat_max"]),
        "divergences": int(d["divergences"]),
        "roas": {c: float(roas.loc[c, "roas"]) for c in CHANNELS},
        "interval": {c: (float(roas.loc[c, "lower"]), float(roas.loc[c, "upper"])) for c in CHANNELS},
    }


def run_pymc_marketing(frame: pd.DataFrame, args) -> dict:
    """Build, compile and sample PyMC-Marketing's MMM on the same rows; diagnostics with ArviZ."""
    import arviz as az
    from pymc_marketing.mmm import GeometricAdstock, HillSaturation, LogisticSaturation, WeeklyFourier
    from pymc_marketing.mmm.additive_effect import FourierEffect
    from pymc_marketing.mmm.multidimensional import MMM

    x = frame[["date", *CHANNELS, *CONTROLS]].copy()
    x["price"] = x["price"] - x["price"].mean()
    controls = list(CONTROLS)
    if not args.pmm_plain:
        x["t"] = (x["date"] - x["date"].iloc[0]).dt.days / 365.25
        controls.append("t")
    y = frame["revenue"].rename("revenue")

    start = time.perf_counter()
    mmm = MMM(
        date_column="date",
        channel_columns=list(CHANNELS),
        target_column="revenue",
        control_columns=controls,
        adstock=GeometricAdstock(l_max=L_MAX),
        saturation=HillSaturation() if args.pmm_saturation == "hill" else LogisticSaturation(),
        yearly_seasonality=2,
    )
    if not args.pmm_plain:
        mmm.mu_effects.append(FourierEffect(fourier=WeeklyFourier(n_order=3, prefix="weekly")))
    mmm.build_model(x, y)
    mmm.add_original_scale_contribution_variable(var=["channel_contribution"])
    mmm.fit(
        x,
        y,
        chains=args.chains,
        cores=args.chains,
        tune=args.tune,
        draws=args.draws,
        nuts_sampler="nutpie",
        random_seed=0,
        progressbar=False,
    )
    wall = time.perf_counter() - start

    idata = mmm.idata
    names = [v.name for v in mmm.model.free_RVs]
    ess = az.ess(idata, var_names=names, method="bulk")
    rhat = az.rhat(idata, var_names=names)
    contribution = idata.posterior["channel_contribution_original_scale"].sum("date")
    spend = xr_spend(frame, contribution)
    roas = contribution / spend  # (chain, draw, channel)
    lower = roas.quantile(INTERVAL[0], dim=("chain", "draw"))
    upper = roas.quantile(INTERVAL[1], dim=("chain", "draw"))
    mean = roas.mean(("chain", "draw"))
    return {
        "wall": wall,
        "ess_bulk_min": float(min(ess[v].min() for v in names)),
        "rhat_max": float(max(rhat[v].max() for v in names)),
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "roas": {c: float(mean.sel(channel=c)) for c in CHANNELS},
        "interval": {c: (float(lower.sel(channel=c)), float(upper.sel(channel=c))) for c in CHANNELS},
    }


def xr_spend(frame: pd.DataFrame, like):
    """Total spend per channel as a DataArray on ``like``'s channel coordinate."""
    import xarray as xr

    channels = [str(c) for c in like["channel"].values]
    return xr.DataArray(frame[channels].sum().to_numpy(float), coords={"channel": channels}, dims="channel")


def table_row(tool: str, rows: int, result: dict | None, truth: dict, note: str = "") -> str:
    if result is None:
        return "| " + " | ".join([tool, str(rows), note or "skipped", "", "", "", ""]) + " |"
    cells = [
        tool,
        str(rows),
        f"{result['wall']:.1f}",
        f"{result['ess_bulk_min']:.0f}",
        f"{result['rhat_max']:.3f}",
        str(result["divergences"]),
        f"{median_error(result['roas'], truth):.3f}",
    ]
    return "| " + " | ".join(cells) + " |"


def roas_cell(result: dict | None, channel: str) -> str:
    if result is None:
        return ""
    low, high = result["interval"][channel]
    return f"{result['roas'][channel]:.2f} [{low:.2f}, {high:.2f}]"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="days of demo data (default 5000)")
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--holdout", type=float, default=0.0, help="our model's holdout fraction (default 0)")
    parser.add_argument(
        "--cv-folds", type=int, default=0, help="our model's cross-validation refits, timed with the fit (default 0)"
    )
    parser.add_argument("--skip-ours", action="store_true")
    parser.add_argument("--skip-pymc-marketing", action="store_true")
    parser.add_argument("--pmm-plain", action="store_true", help="PyMC-Marketing without trend and weekly terms")
    parser.add_argument(
        "--saturation", choices=["hill", "logistic"], default="hill", help="our model's curve (default: hill, its own)"
    )
    parser.add_argument(
        "--pmm-saturation",
        choices=["hill", "logistic"],
        default="logistic",
        help="PyMC-Marketing's curve: logistic (its documented examples) or hill (HillSaturation, default priors)",
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)

    frame = demo_frame(args.rows)
    truth = channel_summary(frame)
    print(
        f"{dt.date.today()}: {len(frame)} daily rows x {len(CHANNELS)} channels; {args.chains} chains, "
        f"{args.tune} tune + {args.draws} draws; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"our curve {args.saturation}, PyMC-Marketing's {args.pmm_saturation}",
        flush=True,
    )
    ours = pmm = None
    ours_note = ""
    if not args.skip_ours:
        try:
            ours = run_ours(frame, args)
        except (ImportError, AttributeError, ValueError) as error:  # not registered yet
            ours_note = f"not available ({type(error).__name__}: {error})"
        print(table_row("ours (bayesian)", len(frame), ours, truth, ours_note), flush=True)
    if not args.skip_pymc_marketing:
        import pymc_marketing

        pmm = run_pymc_marketing(frame, args)
        print(table_row(f"PyMC-Marketing {pymc_marketing.__version__}", len(frame), pmm, truth), flush=True)

    print()
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    if not args.skip_ours:
        print(table_row("ours (bayesian)", len(frame), ours, truth, ours_note))
    if not args.skip_pymc_marketing:
        print(table_row("PyMC-Marketing", len(frame), pmm, truth))
    print()
    print("ROAS: posterior mean [5%, 95%]")
    print()
    print("| channel | true ROAS | ours | PyMC-Marketing |")
    print("|---|---|---|---|")
    for c in CHANNELS:
        print(f"| {c} | {truth[c]['roas']:.2f} | {roas_cell(ours, c)} | {roas_cell(pmm, c)} |")


if __name__ == "__main__":
    main()
