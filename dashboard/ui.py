"""HTML pieces every tab uses: graphs with one toolbar config, cards, alerts and figures of numbers."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def graph(component_id: str, figure, height: int) -> dcc.Graph:
    """A chart with the shared toolbar (PNG export, no logo) at a fixed height."""
    return dcc.Graph(id=component_id, figure=figure, config=GRAPH_CONFIG, style={"height": f"{height}px"})


def card(children, class_name: str = "mt-3", **kwargs) -> dbc.Card:
    return dbc.Card(dbc.CardBody(children), class_name=class_name, **kwargs)


def alert(children, color: str, class_name: str = "mb-0 small", dismissable: bool = False) -> dbc.Alert:
    return dbc.Alert(children, color=color, class_name=class_name, dismissable=dismissable)


def muted(text: str, class_name: str = "text-muted small mb-0") -> html.P:
    """A quiet line of text: an empty state or a hint."""
    return html.P(text, className=class_name)


def stat_cards(items: list[tuple[str, str]]) -> dbc.Row:
    """A row of small cards, each a label above a number."""
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(dbc.CardBody([html.Small(label, className="text-muted"), html.H6(value, className="mb-0")]))
            )
            for label, value in items
        ],
        class_name="g-2",
    )


def labelled(label: str, control, class_name: str = "small mb-0") -> html.Div:
    """A form control under its label."""
    return html.Div([dbc.Label(label, html_for=control.id, class_name=class_name), control])
