"""HTML pieces every tab uses: graphs with one toolbar config, cards, alerts and figures of numbers."""

from __future__ import annotations

import json

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


def hidden_label(text: str, component_id, class_name: str = "visually-hidden") -> dbc.Label:
    """A label for screen readers only, for a control whose visible context (a row, a column) names it."""
    return dbc.Label(text, html_for=dom_id(component_id), class_name=class_name)


def dom_id(component_id) -> str:
    """The id as the browser has it: Dash writes a pattern-matching (dict) id as JSON with sorted keys and no
    spaces, so a label's ``html_for`` can point at it."""
    if isinstance(component_id, str):
        return component_id
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def named(component, name: str) -> html.Div:
    """A third-party control that takes no ARIA props (dcc.Slider's thumb, dbc.Progress's bar, dcc.Upload's
    file input), wrapped so that assets/a11y.js gives the widget inside it this accessible name."""
    return html.Div(component, **{"data-a11y-name": name})
