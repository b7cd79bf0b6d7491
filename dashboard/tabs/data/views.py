"""HTML pieces of the data panel: what was read, and messages with the reader's warnings."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.ui import alert, muted

NO_DATA = "No data yet: upload a file or try the demo data."


def no_data() -> html.P:
    return muted(NO_DATA)


def message(children, color: str) -> dbc.Alert:
    """A dismissable message under the upload box or the role pickers."""
    return alert(children, color, dismissable=True)


def warning_list(warnings: list[str], headline: str) -> dbc.Alert:
    """A success message, or the headline with each warning to check: one sentence in one text node, so the
    browser cannot break it between a long file name and its full stop."""
    if not warnings:
        return message(headline, "success")
    ask = "Please check this:" if len(warnings) == 1 else f"Please check these {len(warnings)} points:"
    return message(
        [
            html.P(html.Strong(f"{headline} {ask}"), className="mb-1"),
            html.Ul([html.Li(w) for w in warnings], className="mb-0"),
        ],
        "warning",
    )


def summary_view(summary: dict) -> html.Div:
    """What was read: file, rows, date range, frequency, sheet and the columns left unused."""
    items = [
        ("File", summary["filename"]),
        ("Rows", f"{summary['rows']:,}"),
        ("Dates", f"{summary['start']} to {summary['end']}"),
        ("Frequency", summary["frequency"]),
    ]
    if summary.get("sheet"):
        items.append(("Sheet", summary["sheet"]))
    pairs = [
        part
        for label, value in items
        for part in (html.Dt(label, className="col-5"), html.Dd(value, className="col-7 mb-1"))
    ]
    return html.Div(
        [html.H5("What was read", className="card-title"), html.Dl(pairs, className="row summary-list small mb-0")]
    )
