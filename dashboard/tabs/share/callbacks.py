"""Share tab callbacks: the models a report can show, making and revoking links, the report download; and the
``/share/<token>`` page a link opens (no Dash, no session: it reads the share alone)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import Response, request

import models
from dashboard import report
from dashboard.ids import App, Models, Share
from dashboard.shares import create_share, list_shares, open_share, revoke_share
from dashboard.store import SessionStore
from dashboard.tabs import bound
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.comparison import comparison
from dashboard.tabs.share.snapshot import NothingToShare, build_snapshot
from dashboard.tabs.share.views import link_list, made_link
from dashboard.ui import alert

log = logging.getLogger(__name__)
PLOTLY_JS = "/_report/plotly.min.js"
STAGES = [Input(Models.stage_store(f), "data") for f in models.MODEL_NAMES]  # a fit saved: the choices change
RECOMMENDED = "recommended"  # the dropdown's value while it follows the recommendation: no family is called this
GONE = (
    "This link does not open a report",
    "It was revoked, it expired, or it was never issued. Ask whoever sent it for a new link.",
)


def register(app, store: SessionStore) -> None:
    app.callback(
        Output(Share.FAMILY, "options"),
        Output(Share.FAMILY, "value"),
        Input(App.DATASET, "data"),
        *STAGES,
        State(Share.FAMILY, "value"),
        State(App.SESSION, "data"),
    )(bound(share_choices, store))
    app.callback(
        Output(Share.LINKS, "children"),
        Input(Share.REVISION, "data"),
        Input(App.DATASET, "data"),
        State(App.SESSION, "data"),
    )(bound(show_links, store))
    app.callback(
        Output(Share.MESSAGE, "children"),
        Output(Share.REVISION, "data"),
        Input(Share.CREATE, "n_clicks"),
        Input(Share.revoke(ALL), "n_clicks"),
        State(Share.FAMILY, "value"),
        State(Share.DAYS, "value"),
        State(Share.REVISION, "data"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(change_links, store))
    app.callback(
        Output(Share.DOWNLOAD, "data"),
        Output(Share.MESSAGE, "children", allow_duplicate=True),
        Input(Share.REPORT, "n_clicks"),
        State(Share.FAMILY, "value"),
        State(App.SESSION, "data"),
        prevent_initial_call=True,
    )(bound(download_report, store))
    register_routes(app.server, store)


def share_choices(store: SessionStore, summary: dict | None, *stages_chosen_token) -> tuple:
    """The fitted models, the recommended one first: the choice follows the recommendation (RECOMMENDED) until the
    user picks a model, and keeps that pick while the model's fit exists."""
    *_stages, chosen, token = stages_chosen_token
    sid = store.session_or_none(token)
    dataset = load_dataset(store, sid) if summary else None
    record = comparison(store, sid, dataset.version) if dataset is not None else None
    if record is None:
        return [], None
    picked = chosen if chosen in {row["family"] for row in record["rows"]} else None
    rows = sorted(record["rows"], key=lambda row: not row["recommended"])
    return [model_option(row, picked) for row in rows], picked or RECOMMENDED


def model_option(row: dict, picked: str | None) -> dict:
    """One model in the dropdown. The recommended one's value is RECOMMENDED (follow the recommendation) unless
    the user picked that model themselves: a family as the value is kept as a pick when the recommendation moves."""
    if not row["recommended"]:
        return {"label": row["model"], "value": row["family"]}
    value = row["family"] if row["family"] == picked else RECOMMENDED
    return {"label": f"{row['model']} (recommended)", "value": value}


def chosen_family(value: str | None) -> str | None:
    """The family the dropdown names (None for the recommended model)."""
    return None if value in (None, "", RECOMMENDED) else value


def show_links(store: SessionStore, _revision, _summary, token):
    return link_list(list_shares(store, store.session_or_none(token)))


def change_links(store: SessionStore, _create, _revokes, family, days, revision, token) -> tuple:
    """Create a link to the chosen model's report, or revoke one; the message in words either way."""
    sid = store.session_or_none(token)
    if sid is None:
        return alert("Your session is not valid any more: reload the page.", "warning"), no_update
    trigger = ctx.triggered_id
    if isinstance(trigger, dict):  # a Revoke button (a click, not the list being drawn)
        if not ctx.triggered[0]["value"]:
            raise PreventUpdate
        revoke_share(store, sid, trigger["token"])
        return alert("The link was revoked: it no longer opens the report.", "secondary"), (revision or 0) + 1
    try:
        record = create_share(store, sid, build_snapshot(store, sid, chosen_family(family)), days)
    except ValueError as exc:  # NothingToShare is one, and so is a refused lifetime
        return alert(str(exc), "warning"), no_update
    return made_link(request.host_url.rstrip("/") + f"/share/{record['token']}", record), (revision or 0) + 1


def download_report(store: SessionStore, _clicks, family, token) -> tuple:
    """The report of the chosen model as one self-contained HTML file."""
    try:
        snapshot = build_snapshot(store, store.session_or_none(token), chosen_family(family))
    except NothingToShare as exc:
        return no_update, alert(str(exc), "warning")
    name = f"mmm-report-{snapshot['model']['family']}-{datetime.now(UTC):%Y-%m-%d}.html"
    return dcc.send_string(report.render_report(snapshot, "inline"), name), html.Span()


def register_routes(server, store: SessionStore) -> None:
    server.add_url_rule("/share/<token>", "share_page", bound(share_page, store))
    server.add_url_rule(PLOTLY_JS, "report_plotly_js", plotly_js)


def share_page(store: SessionStore, token: str) -> Response:
    """The report behind a link, under a policy that allows exactly its own inline scripts; a clear page (404)
    for a link that is unknown, revoked or expired."""
    snapshot = open_share(store, token)
    if snapshot is None:
        response = Response(report.unavailable_page(*GONE), 404, mimetype="text/html")
        response.headers["Content-Security-Policy"] = page_policy([])
    else:
        page = report.render_report(snapshot, PLOTLY_JS)
        response = Response(page, mimetype="text/html")
        response.headers["Content-Security-Policy"] = page_policy(report.inline_script_hashes(page))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def page_policy(hashes: list[str]) -> str:
    """The share page's Content-Security-Policy: scripts from this server and the page's own (by hash)."""
    scripts = " ".join(["'self'", *hashes])
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def plotly_js() -> Response:
    """plotly.js for share pages, from the installed plotly package (nothing from a CDN)."""
    from plotly.offline import get_plotlyjs

    response = Response(get_plotlyjs(), mimetype="application/javascript")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
