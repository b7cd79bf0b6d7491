"""The Plan tab's downloads as tables with human headers and number kinds (see dashboard.exports): an
optimised plan (allocation, expected totals, prediction, messages)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.exports import Sheet
from dashboard.figures.format import no_negative_zero, one_period
from dashboard.tabs.plan.records import allocation_frame
from dashboard.tabs.plan.views import plan_headline

INTERVAL = ("Lower (90%)", "Upper (90%)")
# expected totals of a plan: key -> (words, kind); "current" is the recent average spend as it is
EXPECTED = {
    "revenue": ("Expected revenue (optimised plan)", "money"),
    "incremental_revenue": ("Revenue from media (optimised plan)", "money"),
    "roas": ("ROAS (optimised plan)", "ratio"),
    "spend": ("Spend (optimised plan)", "money"),
    "current_revenue": ("Expected revenue at the recent average spend", "money"),
    "current_incremental_revenue": ("Revenue from media at the recent average spend", "money"),
    "current_roas": ("ROAS at the recent average spend", "ratio"),
    "current_spend": ("Spend at the recent average", "money"),
    "current_mix_revenue": ("Expected revenue of the recent average mix at this budget", "money"),
    "current_mix_incremental_revenue": ("Revenue from media of the recent average mix at this budget", "money"),
    "current_mix_roas": ("ROAS of the recent average mix at this budget", "ratio"),
    "current_mix_spend": ("Spend of the recent average mix at this budget", "money"),
    "lift": ("Lift over the recent average mix", "money"),
}
RISK = {
    "revenue_quantile": "Revenue at the {p} percentile (cautious plan)",
    "expected_plan_revenue_quantile": "Revenue at the {p} percentile (expected-revenue plan)",
    "expected_revenue_cost": "Expected revenue given up for caution",
}


def per(record: Mapping) -> str:
    """The period in words, singular: day, week."""
    return record.get("per") or one_period(record["unit"])


def plan_sheet(record: Mapping) -> Sheet:
    """The allocation per channel with spend per period and over the horizon, and a total row."""
    frame, one, horizon = allocation_frame(record), per(record), f"over {record['periods']} {record['unit']}"
    columns = {
        "Channel": (frame["channel"], None),
        f"Recent average spend per {one}": (frame["current"], "cents"),
        f"Your what-if spend per {one}": (frame["what_if"], "cents"),
        f"Optimised spend per {one}": (frame["optimal"], "cents"),
        f"Change per {one} (optimised - recent average)": (frame["change"], "cents"),
        f"Recent average spend {horizon}": (frame["current_total"], "money"),
        f"Optimised spend {horizon}": (frame["optimal_total"], "money"),
        f"Minimum per {one}": (frame["lower_bound"], "cents"),
        f"Maximum per {one}": (frame["upper_bound"], "cents"),
        "Constraint": (frame["at_bound"], None),
        "Marginal ROAS": (frame["mroas"], "ratio"),
    }
    out = pd.DataFrame({name: values for name, (values, _) in columns.items()})
    summed = [name for name, (_, kind) in columns.items() if kind in ("cents", "money") and "imum" not in name]
    total = pd.DataFrame([{"Channel": "Total", **out[summed].sum(min_count=1).to_dict()}])
    kinds = {name: kind for name, (_, kind) in columns.items() if kind}
    return Sheet(pd.concat([out, total], ignore_index=True), kinds)


def expected_sheet(record: Mapping) -> Sheet:
    """One row per expected total of the plan (with its 90% interval where the model has one)."""
    expected, rows, kinds = record["expected"], [], []
    head = [
        ("Budget over the horizon", record["budget"], "money"),
        (f"Horizon ({record['unit']})", record["periods"], "count"),
    ]
    if record.get("goal") == "target":
        head.append(("Revenue to reach", record.get("target"), "money"))
    for words, value, kind in head:
        rows.append({"Measure": words, "Value": value, INTERVAL[0]: None, INTERVAL[1]: None})
        kinds.append(kind)
    for key, (words, kind) in EXPECTED.items():
        if key in expected:
            low, high = expected.get(f"{key}_lower"), expected.get(f"{key}_upper")
            rows.append({"Measure": words, "Value": expected[key], INTERVAL[0]: low, INTERVAL[1]: high})
            kinds.append(kind)
    for key, words in RISK.items() if record.get("risk") else ():
        percentile = f"{record['risk']['quantile'] * 100:.0f}th"
        rows.append({"Measure": words.format(p=percentile), "Value": record["risk"][key]})
        kinds.append("money")
    frame = pd.DataFrame(rows, columns=["Measure", "Value", *INTERVAL])
    return Sheet(
        frame.astype({"Value": float, INTERVAL[0]: float, INTERVAL[1]: float}),
        dict.fromkeys(["Value", *INTERVAL], kinds),
    )


def prediction_sheet(record: Mapping) -> Sheet:
    prediction = pd.DataFrame(record["prediction"])
    frame = pd.DataFrame(
        {
            "Date": pd.to_datetime(prediction["date"]),
            "Expected revenue": prediction["mean"],
            INTERVAL[0]: prediction["lower"],
            INTERVAL[1]: prediction["upper"],
        }
    )
    return Sheet(frame, dict.fromkeys(["Expected revenue", *INTERVAL], "money"))


def about_sheet(record: Mapping, about: Mapping[str, str]) -> Sheet:
    """What the workbook holds and how far to trust it, first: the model, the data, when, the plan asked for,
    and ``about``'s lines (the model's standing among those fitted, failed checks)."""
    rows = {
        "Model": record.get("label") or record.get("family"),
        "Plan": plan_headline(record),
        **about,
    }
    return Sheet(pd.DataFrame({"About": list(rows), "": list(rows.values())}, dtype=object))


def plan_exports(record: Mapping, about: Mapping[str, str] | None = None) -> dict[str, Sheet]:
    """Every table of an optimised plan, by sheet name: about (with ``about``: data, made at, standing,
    cautions), plan, expected, prediction, messages."""
    messages = [no_negative_zero(m) for m in record["messages"]]
    return {
        **({"about": about_sheet(record, about)} if about is not None else {}),
        "plan": plan_sheet(record),
        "expected": expected_sheet(record),
        "prediction": prediction_sheet(record),
        "messages": Sheet(pd.DataFrame({"Message": messages}, dtype=object)),
    }
