"""Share tab views: the link just made, and the session's live links with their Revoke buttons."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.ids import Share
from dashboard.tabs.share.layout import NO_LINKS
from dashboard.ui import dom_id, muted


def made_link(url: str, record: dict) -> dbc.Alert:
    """The new link, ready to copy, with what it shows and until when."""
    return dbc.Alert(
        [
            dbc.Label(
                f"Link to the {record['model']} report, until {record['expires']}:",
                html_for=dom_id(Share.link(record["token"])),
                class_name="d-block mb-1",
            ),
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=Share.link(record["token"]), value=url, readonly=True, size="sm", class_name="share-link"
                    ),
                    dbc.Button("Open", href=url, target="_blank", external_link=True, size="sm", color="success"),
                ],
                size="sm",
            ),
        ],
        color="success",
        class_name="mb-0 small",
    )


def link_list(records: list[dict]):
    """A table of the live links: model, the data it was made from, made, expires, and a Revoke button each."""
    if not records:
        return muted(NO_LINKS)
    columns = ("Model", "Data", "Made", "Expires", "Link", "")
    header = html.Thead(html.Tr([html.Th(t, scope="col") for t in columns]))
    rows = [
        html.Tr(
            [
                html.Td(r["model"]),
                html.Td(r.get("data", "")),
                html.Td(r["created"]),
                html.Td(r["expires"]),
                html.Td(html.A("open", href=f"/share/{r['token']}", target="_blank", rel="noopener")),
                html.Td(dbc.Button("Revoke", id=Share.revoke(r["token"]), color="danger", outline=True, size="sm")),
            ]
        )
        for r in records
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", class_name="small mb-0", responsive=True)
