"""The Explore tab's downloads as tables in the tab's own words, with number kinds (see dashboard.exports): the
data as read, summary statistics, correlations and VIF."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.exports import Sheet, distinct_headers
from dashboard.tabs.data.state import Dataset
from dashboard.tabs.explore.views import SHOWN_NAMES, SUMMED_ROLES
from models.explore import correlation_matrix, summary_statistics, variance_inflation

STATISTICS = ("mean", "std", "min", "median", "max")
# what a VIF that is not a number means, in the VIF chart's hover words
VIF_INFINITE, VIF_UNDEFINED = "perfectly collinear", "undefined (constant or too few rows)"


def export_tables(dataset: Dataset) -> dict[str, pd.DataFrame | Sheet]:
    """Everything the Explore tab shows, as tables: the data as read, statistics, correlations, VIF."""
    frame, roles = dataset.frame, dataset.roles
    columns = [roles["target"], *roles["channels"], *roles["controls"]]
    return {
        "Data as read": frame,
        "Summary statistics": statistics_sheet(summary_statistics(frame, roles)),
        "Correlation": correlation_sheet(correlation_matrix(frame, columns)),
        "VIF": vif_sheet(variance_inflation(frame, roles["channels"])),
    }


def header(name: str) -> str:
    """A statistic's header: the word the tab's table uses, capitalised as the other downloads' headers are."""
    return SHOWN_NAMES.get(name, name).capitalize()


def statistics_sheet(stats: pd.DataFrame) -> Sheet:
    """Statistics per column (models.explore.summary_statistics): spend and revenue in currency, to the cent
    and their totals in whole units; other columns to 2-4 decimals and, as on screen, without a total (a sum
    of prices means nothing); the share of zeros as a percentage."""
    summed = stats["role"].isin(SUMMED_ROLES)
    shown = stats.assign(total=stats["total"].where(summed))
    per_row = ["cents" if money else "decimal" for money in summed]
    kinds = {"count": "count", "missing": "count", "zero_share": "share", "total": "money"}
    kinds |= dict.fromkeys(STATISTICS, per_row)
    return Sheet(shown.rename(columns=header), {header(name): kind for name, kind in kinds.items()})


def correlation_sheet(matrix: pd.DataFrame) -> Sheet:
    """The correlation matrix with its row names in a first column headed "Column" (or "Column (2)" when the
    data has a column called that), each correlation to 2 decimals."""
    first = distinct_headers(["Column"], taken=[str(c) for c in matrix.columns])[0]
    return Sheet(matrix.reset_index(names=first), dict.fromkeys(matrix.columns, "ratio"))


def vif_sheet(vif: pd.DataFrame) -> Sheet:
    """VIF per channel to 2 decimals; in words where it is not a number (a cell cannot hold infinity)."""
    values = [VIF_INFINITE if np.isinf(v) else VIF_UNDEFINED if np.isnan(v) else v for v in vif["vif"]]
    return Sheet(pd.DataFrame({"Channel": vif["column"], "VIF": values}), {"VIF": "ratio"})
