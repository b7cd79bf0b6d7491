"""HTML pieces of the Explore tab."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

# A total of a price or an index means nothing: only spend and the target add up over time.
SUMMED_ROLES = ("target", "channel")


def stats_table(stats: pd.DataFrame) -> html.Div:
    """Summary statistics per column, formatted for reading, scrolling sideways inside its card when wide."""
    shown = stats.rename(columns={"zero_share": "zeros"}).copy()
    shown["zeros"] = (shown["zeros"] * 100).map(lambda v: f"{v:.0f}%" if v == v else "")
    for col in ("count", "missing"):
        shown[col] = shown[col].map(lambda v: f"{v:,.0f}")
    for col in ("mean", "std", "min", "median", "max", "total"):
        shown[col] = shown[col].map(lambda v: f"{v:,.2f}" if v == v else "")
    shown.loc[~shown["role"].isin(SUMMED_ROLES), "total"] = ""
    table = dbc.Table.from_dataframe(
        shown, striped=True, hover=True, size="sm", class_name="stats-table text-nowrap mb-0"
    )
    return html.Div(table, className="table-responsive", style={"overflowX": "auto", "maxWidth": "100%"})
