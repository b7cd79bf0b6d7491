"""Models tab: a shared holdout and leaderboard, then one sub-tab per model family with its options."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

import models
from dashboard.figures.theme import blank_figure
from dashboard.ids import Models
from dashboard.tabs.models.leaderboard import COMPARE_FIRST, HIDDEN, NO_FITS
from dashboard.ui import GLOSSARY, card, graph, muted, named

DEFAULT_HOLDOUT = 10  # percent of the periods, at the end, kept out of training and scored

FAMILY_NOTES = {
    "ridge": "Regularised regression with per-channel carry-over (adstock) and saturation. An automatic search "
    "tries many settings and keeps those that forecast well while splitting revenue among channels roughly in "
    "line with their spend, as Meta's Robyn does; channel effects are never negative.",
    "lightgbm": "Gradient-boosted trees (many small decision trees added together) on carried-over spend, time "
    "features and controls, with spend constrained to never lower revenue. Each channel's contribution is its "
    "share of every prediction, split fairly among the inputs (SHAP values).",
    "xgboost": "Gradient-boosted trees (XGBoost) on the same features and constraints; each channel's contribution "
    "is its fair share of every prediction (SHAP values).",
    "bayesian": "Bayesian regression (PyMC): it starts from plausible ranges scaled to your data and draws thousands "
    "of models consistent with it, with carry-over, saturation, trend, seasonality and controls; every result "
    "comes with a 90% credible interval.",
}


def models_tab() -> html.Div:
    families = [dbc.Tab(family_panel(f), label=models.LABELS[f], tab_id=f) for f in models.MODEL_NAMES]
    return html.Div(
        [
            card(
                [
                    leaderboard_header(),
                    html.Div(id=Models.RECOMMENDATION),
                    html.Div(id=Models.LEADERBOARD, children=muted(NO_FITS)),
                    html.Div(
                        card(graph(Models.COMPARE_ROAS, blank_figure(COMPARE_FIRST), 380), "mt-2"),
                        id=Models.COMPARE_BOX,
                        style=HIDDEN,
                    ),
                    html.Div(id=Models.DISAGREEMENTS),
                ]
            ),
            dbc.Tabs(families, id=Models.TABS, active_tab=models.MODEL_NAMES[0], class_name="mt-3"),
        ]
    )


def leaderboard_header() -> html.Div:
    """The leaderboard's title and the holdout slider every fit is scored with."""
    slider = dcc.Slider(
        id=Models.HOLDOUT, min=5, max=30, step=5, value=DEFAULT_HOLDOUT, marks={v: f"{v}%" for v in range(5, 35, 5)}
    )
    holdout = html.Div(
        [
            dbc.Label("Holdout: last", class_name="small mb-0 me-2"),
            html.Div(named(slider, "Holdout: last percent of the data"), style={"width": "260px"}),
            html.Small("of the data", className="text-muted ms-1"),
        ],
        className="d-flex align-items-center",
    )
    return html.Div(
        [
            html.Div(
                [html.H6("Leaderboard", className="mb-0"), holdout],
                className="d-flex justify-content-between align-items-center flex-wrap",
            ),
            html.Div(id=Models.HOLDOUT_NOTE, className="small text-muted text-end mb-2"),
            muted(f"Holdout: {GLOSSARY['holdout']}", "text-muted small mb-2"),
        ]
    )


def family_panel(family: str) -> html.Div:
    """The family's options (declared by the engine), Fit and Cancel, a progress bar and the results."""
    controls = [option_control(family, spec) for spec in models.family_options(family)]
    buttons = html.Div(
        [
            dbc.Button("Fit", id=Models.fit_button(family), color="primary"),
            dbc.Button("Cancel", id=Models.cancel_button(family), color="secondary", outline=True, disabled=True),
        ],
        className="d-flex gap-2 align-items-end",
    )
    progress = dbc.Progress(
        id=Models.progress(family), value=0, label="", class_name="mt-3 fit-progress", style={"height": "1.25rem"}
    )
    form = dbc.Row([*[dbc.Col(c, md=3) for c in controls], dbc.Col(buttons, md=3)], class_name="g-2")
    return html.Div(
        [
            dcc.Store(id=Models.result_store(family)),
            dcc.Store(id=Models.stage_store(family)),
            card(
                [
                    html.P(FAMILY_NOTES[family], className="small text-muted"),
                    form,
                    named(progress, f"{models.LABELS[family]}: fit progress"),
                ]
            ),
            html.Div(id=Models.results(family), className="mt-3"),
        ]
    )


def option_control(family: str, spec: dict) -> html.Div:
    """A select for a choice, or a whole-number box with the family's bounds below it, at the engine's default.

    A number may be left blank only where the family says what blank means (shown as the placeholder). Such a
    box gets no min/max in the browser: the browser turns a number out of bounds into a blank, which would
    quietly mean the default; the fit job's check says what is wrong instead.
    """
    component_id = Models.option(family, spec["name"])
    parts = [dbc.Label(spec["label"], html_for=component_id, class_name="small mb-0")]
    if spec["choices"] is not None:
        options = [{"label": label, "value": value} for value, label in spec["choices"]]
        parts.append(dbc.Select(id=component_id, options=options, value=spec["default"], size="sm"))
    else:
        bounded = not spec["blank"]
        parts.append(
            dbc.Input(
                id=component_id,
                type="number",
                min=spec["minimum"] if bounded else None,
                max=spec["maximum"] if bounded else None,
                step=1,
                value=spec["default"],
                placeholder=spec["blank"] or None,
                required=bounded,
                size="sm",
            )
        )
        parts.append(dbc.FormText(f"{spec['minimum']:,} to {spec['maximum']:,}", class_name="small"))
    explanation = spec["help"] or GLOSSARY.get(spec["label"])
    if explanation:
        parts.append(dbc.FormText(explanation, class_name="small d-block"))
    return html.Div(parts)
