r"""The costly checks: a placebo channel and a simulated twin, each one refit of the same family.

Both refit the fitted model's family with its own options (``type(fitted)(**fitted.get_params())``, no
cross-validation, the same holdout share) through the public interface only, and are seeded by the fit's
``random_state``.

**Placebo channel.** A copy of the biggest channel's spend, cut into blocks of 2-4 weeks (14-28 days, or
2-4 weeks of weekly data) put in random order, joins the real channels. The blocks keep the spend's
level, flights and autocorrelation, but no longer line up with revenue, so the placebo cannot have earned
any. The check reads its ROAS against the real channels' overall ROAS (total contribution over total
spend): the *placebo share*. A model with intervals of its own (the Bayesian family's posterior) is read at
the lower end of the placebo's 90% interval: its ROAS prior keeps every channel's ROAS above zero, so a
placebo the data say nothing about gets about the prior's ROAS, and only an interval that stays clear of
zero means the model credits the placebo with revenue. Point models repeat their estimate as the interval,
so for them the two readings are the same.

**Simulated twin.** The user's own dates, spend and controls, with revenue replaced by

.. math:: \tilde y_t = \sum_k \hat c_{k,t} + \varepsilon_t, \qquad \varepsilon_t \sim N(0, \hat\sigma^2)

where :math:`\hat c_{k,t}` are the fitted model's components (its prediction) and :math:`\hat\sigma` the
standard deviation of its residuals over every period with revenue. The twin's true ROAS is the fitted
model's own; the check refits on the twin and reports the median over channels of
:math:`|\widehat{\text{ROAS}}_c - \text{ROAS}_c| / \max(\text{ROAS}_c, 0.1\,\overline{\text{ROAS}})`.
It measures whether data like the user's pin the family's ROAS down (identifiability and variance), not
whether the family's shape of response is right: a twin is made in the model's own image.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.checks.basic import FLOOR_SHARE, NOTHING_TO_DO, ROAS_NEAR_ZERO, row

PLACEBO, TWIN = "Placebo channel", "Simulated twin"
PLACEBO_WARN, PLACEBO_FAIL = 0.2, 0.5  # placebo ROAS over the real channels' overall ROAS
TWIN_WARN, TWIN_FAIL = 0.25, 0.5  # median relative ROAS error on the twin
BLOCK_PERIODS = {"daily": (14, 28), "weekly": (2, 4)}  # placebo block lengths: 2-4 weeks
PLACEBO_STREAM, TWIN_STREAM = 1, 2  # seed streams: numpy.random.default_rng([random_state, stream])


def block_shuffle(values: np.ndarray, low: int, high: int, rng: np.random.Generator) -> np.ndarray:
    """``values`` cut into consecutive blocks of ``low`` to ``high`` periods, the blocks put in random order.

    Within a block the series is unchanged, so its autocorrelation and distribution stay; across blocks it
    no longer lines up with time.
    """
    edges = [0]
    while edges[-1] < len(values):
        edges.append(edges[-1] + int(rng.integers(low, high + 1)))
    blocks = [values[start:end] for start, end in zip(edges[:-1], edges[1:])]
    return np.concatenate([blocks[i] for i in rng.permutation(len(blocks))])[: len(values)]


def refit(fitted, frame: pd.DataFrame, roles: dict, progress):
    """The fitted model's family, with its options and no cross-validation, fitted on ``frame``."""
    params = {**fitted.get_params(), "cv_folds": 0}
    holdout = fitted.metrics["holdout_periods"] / len(fitted.history())
    return type(fitted)(**params).fit(frame, roles, holdout=holdout, progress=progress)


def seeded(fitted, stream: int) -> np.random.Generator:
    """A generator seeded by the fit's ``random_state`` and the check's own stream."""
    return np.random.default_rng([int(fitted.get_params()["random_state"]), stream])


def placebo_check(fitted, progress) -> dict:
    """Refit with a block-shuffled copy of the biggest channel added; its ROAS must be near zero."""
    history, roles = fitted.history(), fitted.roles
    spend = history[roles["channels"]].sum()
    source = str(spend.idxmax())
    name = next(f"placebo{i or ''}" for i in range(len(history.columns) + 1) if f"placebo{i or ''}" not in history)
    low, high = BLOCK_PERIODS[fitted.frequency]
    history[name] = block_shuffle(history[source].to_numpy(), low, high, seeded(fitted, PLACEBO_STREAM))
    roles = {**roles, "channels": [*roles["channels"], name]}
    progress(0.0, f"Placebo check: refitting with a shuffled copy of {source}")
    table = refit(fitted, history, roles, lambda f, m: progress(f, f"Placebo check: {m}")).roas().set_index("channel")
    real = table.drop(index=name)
    overall = real["contribution"].sum() / real["spend"].sum()
    placebo, lower, upper = (float(table.loc[name, key]) for key in ("roas", "lower", "upper"))
    interval = upper > lower  # point models repeat the estimate: no interval of their own
    judged = lower if interval else placebo
    share = judged / overall if overall > 0 else float("nan")
    unit = "days" if fitted.frequency == "daily" else "weeks"
    detail = (
        f"A placebo channel ({source}'s spend cut into blocks of {low}-{high} {unit} and shuffled, so it cannot "
        f"have earned revenue) got ROAS {placebo:.2f}"
        + (f" (90% interval {lower:.2f}-{upper:.2f})" if interval else "")
        + " when refitted alongside the real channels: "
    )
    if not np.isfinite(share):
        detail += "the refit found no effect of the real channels either, so the placebo tells nothing."
        return row(PLACEBO, "warn", detail, "Look at the other checks first.", share)
    if interval:
        detail += (
            f"the interval's lower end is {share:.0%} of their overall ROAS ({overall:.2f}). The model's ROAS "
            "prior keeps every channel's ROAS above zero, so only an interval that stays clear of zero means it "
            "credits the placebo with revenue."
        )
    else:
        detail += f"{share:.0%} of their overall ROAS ({overall:.2f})."
    status = "fail" if share > PLACEBO_FAIL else "warn" if share > PLACEBO_WARN else "ok"
    if status != "ok":
        detail += f" Above {PLACEBO_WARN:.0%} warns, above {PLACEBO_FAIL:.0%} fails."
    action = {
        "ok": NOTHING_TO_DO,
        "warn": "The model credits some revenue to spend that cannot have earned it: small channels' ROAS may be "
        "overstated. Add controls for what else drives revenue, or prefer a family that passes this check.",
        "fail": "Do not trust this model's ROAS: it finds effects in spend that has none. Prefer another family, or "
        "add controls for what else drives revenue (seasons, promotions, prices).",
    }[status]
    return row(PLACEBO, status, detail, action, share)


def twin_frame(fitted, rng: np.random.Generator) -> tuple[pd.DataFrame, float]:
    """The fitted data with revenue replaced by the model's fit plus Gaussian noise of its residuals' size."""
    history, target = fitted.history(), fitted.roles["target"]
    expected = fitted.contributions().sum(axis=1).to_numpy()
    actual = history[target].to_numpy(float)
    noise_sd = float(np.nanstd(actual - expected))
    twin = expected + rng.normal(0.0, noise_sd, len(expected))
    history[target] = np.where(np.isfinite(actual), twin, np.nan)
    return history, noise_sd


def relative_errors(estimate: pd.Series, truth: pd.Series) -> pd.Series:
    """|estimate - truth| / max(|truth|, 10% of the mean |truth|) per channel (channels with a truth)."""
    truth = truth.dropna()
    floor = FLOOR_SHARE * float(truth.abs().mean()) or 1e-12
    return ((estimate.reindex(truth.index) - truth).abs() / np.maximum(truth.abs(), floor)).dropna()


def twin_check(fitted, progress) -> dict:
    """Refit on a simulated twin whose true ROAS is the fitted model's own; report how well it comes back."""
    truth = fitted.roas().set_index("channel")["roas"]
    if not truth.abs().mean() >= ROAS_NEAR_ZERO:
        detail = (
            f"Not run: the model finds almost no media effect (mean ROAS {truth.abs().mean():.2f}), so a twin "
            "would have none to recover."
        )
        return row(
            TWIN,
            "warn",
            detail,
            "Look at the other checks first: is the target revenue, and is spend in the right columns?",
        )
    twin, noise_sd = twin_frame(fitted, seeded(fitted, TWIN_STREAM))
    progress(0.0, "Simulated twin: refitting on revenue simulated from this model")
    found = refit(fitted, twin, fitted.roles, lambda f, m: progress(f, f"Simulated twin: {m}"))
    estimate = found.roas().set_index("channel")["roas"]
    errors = relative_errors(estimate, truth)
    error, name = float(errors.median()), errors.idxmax()
    status = "fail" if error > TWIN_FAIL else "warn" if error > TWIN_WARN else "ok"
    detail = (
        f"On a simulated twin of your data (your dates, spend and controls; revenue from this model's fitted "
        f"effects plus noise of its residuals' size, sd {noise_sd:,.0f}), the refitted model finds the known ROAS "
        f"within {error:.0%} (median over {len(errors)} channels; furthest: {name}, true {truth[name]:.2f}, "
        f"found {estimate[name]:.2f})."
    )
    if status != "ok":
        detail += f" Above {TWIN_WARN:.0%} warns, above {TWIN_FAIL:.0%} fails."
    action = {
        "ok": NOTHING_TO_DO,
        "warn": "Treat the ROAS as rough: data like yours do not pin them down well. More history, or more "
        "variation in spend (pausing or doubling a channel for a few weeks), would help.",
        "fail": "Do not act on this model's ROAS: even when the truth is its own, it cannot find it again from data "
        "like yours. Prefer another family, or add history or variation in spend.",
    }[status]
    return row(TWIN, status, detail, action, error)
