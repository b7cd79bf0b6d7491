"""Explore tab: charts and tables of the session's dataset, following its roles."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc
from dash.exceptions import PreventUpdate

from dashboard.datasets import load_dataset
from dashboard.exports import csv_bytes, xlsx_bytes
from dashboard.figures.explore import (
    correlation_heatmap,
    empty_figure,
    spend_share_figure,
    time_series_figure,
    vif_figure,
)
from dashboard.figures.theme import channel_colors
from dashboard.ids import App, Explore
from dashboard.store import InvalidSession, SessionStore
from models.explore import correlation_matrix, spend_share, summary_statistics, variance_inflation

NO_DATA = "Upload data to see this chart"
EXPIRED = "Your data is no longer on the server (cleared, or expired after inactivity). Upload it again."


def register(app, store: SessionStore) -> None:
    def current(token):
        try:
            return load_dataset(store, store.session_id(token))
        except InvalidSession:
            return None

    @app.callback(
        Output(Explore.SHARE, "figure"),
        Output(Explore.VIF, "figure"),
        Output(Explore.CORRELATION, "figure"),
        Output(Explore.STATS, "children"),
        Output(Explore.CHANNELS, "options"),
        Output(Explore.CHANNELS, "value"),
        Output(Explore.STATUS, "children"),
        Input(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )
    def overview(summary, token):
        """Spend share, collinearity, correlations and statistics for the current roles."""
        dataset = current(token) if summary else None
        if dataset is None:
            status = dbc.Alert(EXPIRED, color="warning") if summary else None
            blank = empty_figure(NO_DATA)
            return blank, blank, blank, None, [], [], status
        frame, roles = dataset.frame, dataset.roles
        colors = channel_colors(roles["channels"])
        columns = [roles["target"], *roles["channels"], *roles["controls"]]
        options = [{"label": c, "value": c} for c in roles["channels"]]
        return (
            spend_share_figure(spend_share(frame, roles["channels"]), colors=colors),
            vif_figure(variance_inflation(frame, roles["channels"]), colors=colors),
            correlation_heatmap(correlation_matrix(frame, columns)),
            stats_table(summary_statistics(frame, roles)),
            options,
            roles["channels"],
            None,
        )

    @app.callback(
        Output(Explore.DOWNLOAD, "data"),
        Input(Explore.EXPORT_XLSX, "n_clicks"),
        Input(Explore.EXPORT_CSV, "n_clicks"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )
    def download(_xlsx, _csv, token):
        """The explore tables as an Excel workbook, or the statistics as CSV."""
        dataset = current(token)
        if dataset is None:
            raise PreventUpdate
        tables = export_tables(dataset)
        stem = dataset.filename.rsplit(".", 1)[0][:60] or "data"
        if ctx.triggered_id == Explore.EXPORT_CSV:
            return dcc.send_bytes(csv_bytes(tables["Summary statistics"]), f"{stem} - summary.csv")
        return dcc.send_bytes(xlsx_bytes(tables), f"{stem} - explore.xlsx")

    @app.callback(
        Output(Explore.SERIES, "figure"),
        Input(Explore.CHANNELS, "value"),
        State(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )
    def series(chosen, summary, token):
        """Revenue with the chosen channels' spend over time."""
        dataset = current(token) if summary else None
        if dataset is None:
            return empty_figure(NO_DATA)
        roles = dataset.roles
        chosen = [c for c in chosen or [] if c in roles["channels"]]
        return time_series_figure(
            dataset.frame, roles["date"], roles["target"], chosen, colors=channel_colors(roles["channels"])
        )


def export_tables(dataset) -> dict:
    """Everything the Explore tab shows, as tables: the data as read, statistics, correlations, VIF."""
    frame, roles = dataset.frame, dataset.roles
    columns = [roles["target"], *roles["channels"], *roles["controls"]]
    return {
        "Data as read": frame,
        "Summary statistics": summary_statistics(frame, roles),
        "Correlation": correlation_matrix(frame, columns).reset_index(names=""),
        "VIF": variance_inflation(frame, roles["channels"]),
    }


def stats_table(stats) -> dbc.Table:
    shown = stats.rename(columns={"zero_share": "zeros"}).copy()
    shown["zeros"] = (shown["zeros"] * 100).map(lambda v: f"{v:.0f}%" if v == v else "")
    for col in ("count", "missing"):
        shown[col] = shown[col].map(lambda v: f"{v:,.0f}")
    for col in ("mean", "std", "min", "median", "max", "total"):
        shown[col] = shown[col].map(lambda v: f"{v:,.2f}" if v == v else "")
    return dbc.Table.from_dataframe(
        shown, striped=True, hover=True, size="sm", responsive=True, class_name="stats-table mb-0"
    )
