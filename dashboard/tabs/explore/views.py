"""HTML pieces of the Explore tab."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd


def stats_table(stats: pd.DataFrame) -> dbc.Table:
    """Summary statistics per column, formatted for reading (zeros as a share, amounts with separators)."""
    shown = stats.rename(columns={"zero_share": "zeros"}).copy()
    shown["zeros"] = (shown["zeros"] * 100).map(lambda v: f"{v:.0f}%" if v == v else "")
    for col in ("count", "missing"):
        shown[col] = shown[col].map(lambda v: f"{v:,.0f}")
    for col in ("mean", "std", "min", "median", "max", "total"):
        shown[col] = shown[col].map(lambda v: f"{v:,.2f}" if v == v else "")
    return dbc.Table.from_dataframe(
        shown, striped=True, hover=True, size="sm", responsive=True, class_name="stats-table mb-0"
    )
