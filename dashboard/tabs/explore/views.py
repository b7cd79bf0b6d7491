"""HTML pieces of the Explore tab."""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.figures.format import no_negative_zero
from dashboard.ui import explained_table

# A total of a price or an index means nothing: only spend and the target add up over time.
SUMMED_ROLES = ("target", "channel")
SHOWN_NAMES = {"zero_share": "zeros"}  # the engine's statistics the table names otherwise (the downloads too)
STATS_TERMS = {"std": ("std",)}  # the glossary terms of the table's less plain column names


def stats_table(stats: pd.DataFrame) -> html.Div:
    """Summary statistics per column, formatted for reading, scrolling sideways inside its card when wide."""
    shown = stats.rename(columns=SHOWN_NAMES).copy()
    shown["zeros"] = (shown["zeros"] * 100).map(lambda v: f"{v:.0f}%" if v == v else "")
    for col in ("count", "missing"):
        shown[col] = shown[col].map(lambda v: f"{v:,.0f}")
    spread = ["mean", "std", "min", "median", "max"]  # a row's statistics share one format, to compare them
    shown[spread] = [row_statistics(values) for values in shown[spread].to_numpy(float)]
    summed = shown["role"].isin(SUMMED_ROLES)  # totals of spend and revenue only, written alike down the column
    shown["total"] = row_statistics(shown["total"].where(summed).to_numpy(float))
    table = explained_table(
        shown,
        STATS_TERMS,
        "explore-stats",
        striped=True,
        hover=True,
        size="sm",
        class_name="stats-table text-nowrap mb-0",
    )
    return html.Div(table, className="table-responsive", style={"overflowX": "auto", "maxWidth": "100%"})


def row_statistics(values) -> list[str]:
    """One column's statistics written alike, in the form the largest of them needs: millions with two decimals
    from a million (1.80M, 0.72M, 0.67M; not 1.8M beside 716,229), whole units from 100, cents below; 0 as 0;
    blank when missing."""
    finite = [abs(v) for v in values if v == v]
    top = max(finite, default=0.0)

    def one(value: float) -> str:
        if value != value:
            return ""
        if value == 0:
            return "0"
        if top >= 1e6:
            return no_negative_zero(f"{value / 1e6:,.2f}M")
        return no_negative_zero(f"{value:,.0f}" if top >= 100 else f"{value:,.2f}")

    return [one(float(v)) for v in values]
