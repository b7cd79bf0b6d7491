"""Explore tab callbacks: charts and tables of the session's dataset, following its roles."""

from __future__ import annotations

from dash import Input, Output, State, ctx, dcc
from dash.exceptions import PreventUpdate

from dashboard.exports import csv_bytes, file_name, xlsx_bytes
from dashboard.figures.explore import correlation_heatmap, spend_share_figure, time_series_figure, vif_figure
from dashboard.figures.theme import channel_colors, empty_figure
from dashboard.ids import App, Explore
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.explore.layout import NO_DATA
from dashboard.tabs.explore.periods import default_period, period_options
from dashboard.tabs.explore.sheets import export_tables
from dashboard.tabs.explore.views import stats_table
from dashboard.ui import alert
from models.explore import correlation_matrix, per_period, spend_share, summary_statistics, variance_inflation

EXPIRED = "Your data is no longer on the server (cleared, or expired after inactivity). Upload it again."


def register(app, store: SessionStore) -> None:
    app.callback(
        Output(Explore.SHARE, "figure"),
        Output(Explore.VIF, "figure"),
        Output(Explore.CORRELATION, "figure"),
        Output(Explore.STATS, "children"),
        Output(Explore.CHANNELS, "options"),
        Output(Explore.CHANNELS, "value"),
        Output(Explore.STATUS, "children"),
        Input(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )(bound(overview, store))
    app.callback(
        Output(Explore.PERIOD, "options"),
        Output(Explore.PERIOD, "value"),
        Input(App.DATASET, "data"),
    )(period_choices)
    app.callback(
        Output(Explore.SERIES, "figure"),
        Input(Explore.CHANNELS, "value"),
        Input(Explore.PERIOD, "value"),
        State(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )(bound(series, store))
    app.callback(
        Output(Explore.DOWNLOAD, "data"),
        Input(Explore.EXPORT_XLSX, "n_clicks"),
        Input(Explore.EXPORT_CSV, "n_clicks"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(download_tables, store))


def overview(store: SessionStore, summary: dict | None, token) -> tuple:
    """Spend share, collinearity, correlations and statistics for the current roles."""
    dataset = load_dataset(store, store.session_or_none(token)) if summary else None
    if dataset is None:
        status = alert(EXPIRED, "warning", class_name="mb-0") if summary else None
        blank = empty_figure(NO_DATA)
        return blank, blank, blank, None, [], [], status
    frame, roles = dataset.frame, dataset.roles
    colors = channel_colors(roles["channels"])
    columns = [roles["target"], *roles["channels"], *roles["controls"]]
    return (
        spend_share_figure(spend_share(frame, roles["channels"]), colors=colors),
        vif_figure(variance_inflation(frame, roles["channels"]), colors=colors),
        correlation_heatmap(correlation_matrix(frame, columns)),
        stats_table(summary_statistics(frame, roles)),
        [{"label": c, "value": c} for c in roles["channels"]],
        roles["channels"],
        None,
    )


def period_choices(summary: dict | None) -> tuple:
    """Per day, week or month for daily data, per week or month for weekly; per week opens long daily data."""
    if not summary:
        return [], None
    frequency = summary.get("frequency", "daily")
    return period_options(frequency), default_period(frequency, summary.get("rows", 0))


def series(store: SessionStore, chosen: list | None, period: str | None, summary: dict | None, token):
    """Revenue with the chosen channels' spend, summed per day, week or month."""
    dataset = load_dataset(store, store.session_or_none(token)) if summary else None
    if dataset is None:
        return empty_figure(NO_DATA)
    roles = dataset.roles
    chosen = [c for c in chosen or [] if c in roles["channels"]]
    period = period or default_period(dataset.frequency, len(dataset.frame))
    # Spend and revenue are flows, so a week's value is the sum of its days.
    frame = per_period(dataset.frame, roles["date"], period, [roles["target"], *chosen])
    colors = channel_colors(roles["channels"])
    return time_series_figure(frame, roles["date"], roles["target"], chosen, colors=colors, period=period)


def download_tables(store: SessionStore, _xlsx, _csv, token) -> dict:
    """The explore tables as an Excel workbook, or the statistics as CSV (which button: ctx.triggered_id)."""
    dataset = load_dataset(store, store.session_or_none(token))
    if dataset is None:
        raise PreventUpdate
    tables = export_tables(dataset)
    stem = dataset.filename.rsplit(".", 1)[0]
    if ctx.triggered_id == Explore.EXPORT_CSV:
        return dcc.send_bytes(csv_bytes(tables["Summary statistics"]), file_name(stem, " - summary.csv"))
    return dcc.send_bytes(xlsx_bytes(tables), file_name(stem, " - explore.xlsx"))
