"""HTML pieces every tab uses: graphs with one toolbar config, cards, alerts and figures of numbers."""

from __future__ import annotations

import json
import re
import unicodedata

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


def stat_cards(items: list[tuple]) -> dbc.Row:
    """A row of small cards, each a label (text, or text and a help button) above a number."""
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


# Every term the dashboard explains, in one plain sentence each: the help buttons and notes all read from here.
GLOSSARY = {
    "R²": "How much of revenue's rise and fall the model explains: 1 is perfect, 0 is no better than always "
    "guessing the average; higher is better.",
    "MAPE": "Mean absolute percentage error: the typical forecast miss as a share of actual revenue; lower is better.",
    "NRMSE": "Normalised root mean squared error: the typical forecast error as a share of revenue's range "
    "(highest minus lowest); lower is better.",
    "holdout": "The last days or weeks of the data, kept out of fitting, so the model is scored on dates it has not "
    "seen.",
    "CV": "Cross-validation: the model is refitted several times, each time scored on a later stretch of data it "
    "did not see, and the results averaged.",
    "train": "Measured on the dates the model was fitted on: always flattering, so compare it with the holdout "
    "number; a much higher train score means the model memorised noise.",
    "Score": "Out of 100: how far the checks say this model's ROAS can be trusted; the highest is recommended. "
    "Up to 15 points compare its holdout fit with the best model's, so a new model can lower the others'.",
    "Checks": "How many of this model's checks passed (ok), raised a warning or failed; see each family's tab for "
    "what they found.",
    "Twin ROAS error": "The model is refitted on made-up data whose true ROAS is known (a twin of yours): how far "
    "off it gets each channel's ROAS; lower is better.",
    "Placebo share": "A fake channel (shuffled spend that cannot have earned anything) is added: the ROAS the model "
    "still gives it, as a share of the real channels'; near 0 is good. Bayesian: the placebo's 90% interval's low end.",
    "ROAS spread": "How much each channel's ROAS moves when the model is refitted on less data; lower means "
    "steadier answers.",
    "ROAS": "Return on ad spend: revenue the channel brought in per unit of spend; above 1 it earned back more "
    "than it cost.",
    "marginal ROAS": "What the next unit of spend would bring in at this level of spend; lower than ROAS once a "
    "channel nears saturation.",
    "R-hat": "Whether the sampler's independent runs (chains) agree: near 1.00 is good, above 1.01 means they "
    "have not settled.",
    "ESS": "Effective sample size: how many independent draws the sampler's draws are worth; a few hundred or "
    "more makes the intervals reliable.",
    "divergences": "Steps where the sampler failed; any means the intervals may be off.",
    "SHAP": "SHAP values split each prediction fairly among its inputs: how much each channel's spend moved it.",
    "Trees": "How many small decision trees the model adds together: more can follow finer patterns but take "
    "longer and may memorise noise.",
    "Search trials": "How many combinations of carry-over and saturation settings the automatic search tries: "
    "more can find a better fit but take longer.",
    "90% interval": "The range the model expects the true number to fall in 9 times out of 10: the wider it is, the "
    "less sure the model is.",
    "incremental revenue": "Revenue that the spend brings in on top of what you would get with no media at all.",
    "recent average mix": "Your budget split between channels the way you spent it in recent days or weeks: the "
    "optimised plan is measured against it.",
    "lift": "How much more revenue the optimised plan is expected to bring than the same total spend split like "
    "the recent average mix.",
    "percentile": "The 10th percentile is a bad case: by the model's range, revenue falls below it only 1 time in 10.",
    "bound": "A limit you set on a channel (locked, or at its minimum or maximum): without it the plan would have "
    "moved that channel's spend further.",
    "VIF": "Variance inflation factor: how much of a channel's spend is explained by the other channels' spend. "
    "Above 5 to 10, the model cannot tell their effects apart.",
    "correlation": "How closely two series move together, from -1 (opposite) through 0 (unrelated) to 1 "
    "(together); channels that always move together are hard for a model to tell apart.",
    "std": "Standard deviation: how far the values typically stray from their mean; 0 means the column never changes.",
}


def slug(text: str) -> str:
    """``Holdout R²`` -> ``holdout-r2``: a piece of an id built from words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def help_button(label: str, terms: tuple[str, ...], scope: str) -> html.Span:
    """An ⓘ button saying what ``label`` means (the ``terms``' sentences from GLOSSARY): a tooltip on hover or
    keyboard focus, and the same words as the button's accessible description for screen readers."""
    button_id = f"{scope}-help-{slug(label)}"
    text = " ".join(GLOSSARY[term] for term in terms)
    return html.Span(
        [
            html.Button(
                "ⓘ",
                id=button_id,
                type="button",
                className="help-button",
                **{"aria-label": f"What is {label}?", "aria-describedby": f"{button_id}-text"},
            ),
            html.Span(text, id=f"{button_id}-text", className="visually-hidden"),
            dbc.Tooltip(text, target=button_id, placement="top"),
        ],
        className="help",
    )


def explained(label: str, terms: tuple[str, ...], scope: str) -> list:
    """A label followed by its help button."""
    return [label, " ", help_button(label, terms, scope)]


def header_cell(column: str, terms: dict[str, tuple[str, ...]], scope: str) -> html.Th:
    """A table's column name, with a help button when ``terms`` has the glossary terms that explain it. Ids are
    ``{scope}-help-{column}``: give each table on a page its own scope."""
    found = terms.get(column)
    return html.Th(explained(column, found, scope) if found else column)


def explained_table(shown, terms: dict[str, tuple[str, ...]], scope: str, **kwargs):
    """``shown`` (a DataFrame of text cells) as ``dbc.Table.from_dataframe`` makes it, but with help buttons on
    the headers of its measure columns; ``kwargs`` go to ``dbc.Table``."""
    header = html.Thead(html.Tr([header_cell(column, terms, scope) for column in shown.columns]))
    body = html.Tbody([html.Tr([html.Td(value) for value in row]) for row in shown.itertuples(index=False)])
    return dbc.Table([header, body], **kwargs)


def caption(text) -> html.P:
    """A chart's plain-language line: what it shows and how to read it (text, or text and help buttons)."""
    return html.P(text, className="chart-caption small text-muted mb-0 mt-1")
