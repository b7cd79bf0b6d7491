"""Models tab: a shared holdout and leaderboard, then one sub-tab per model family."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

import models
from dashboard.ids import Models

# (option, label, choices or None for a number, default); names are the families' constructor arguments.
FAMILY_OPTIONS = {
    "ridge": [
        (
            "adstock",
            "Adstock",
            [("geometric", "Geometric"), ("weibull_cdf", "Weibull CDF"), ("weibull_pdf", "Weibull PDF")],
            "geometric",
        ),
        ("saturation", "Saturation", [("hill", "Hill"), ("logistic", "Logistic")], "hill"),
        ("trials", "Search trials (blank: automatic)", None, None),
    ],
    "lightgbm": [("n_estimators", "Trees (blank: automatic)", None, None)],
    "xgboost": [("n_estimators", "Trees (blank: automatic)", None, None)],
    "bayesian": [
        ("adstock", "Adstock", [("geometric", "Geometric"), ("weibull_cdf", "Weibull CDF")], "geometric"),
        ("saturation", "Saturation", [("hill", "Hill"), ("logistic", "Logistic")], "hill"),
        ("draws", "Draws per chain (blank: 1000)", None, None),
        ("chains", "Chains (blank: 2)", None, None),
    ],
}
FAMILY_NOTES = {
    "ridge": "Regularised regression with per-channel adstock and saturation searched by Optuna "
    "(fit accuracy and Robyn's decomposition distance); channel effects are never negative.",
    "lightgbm": "Gradient-boosted trees on adstocked spend, time features and controls, with spend constrained "
    "to never lower revenue; contributions from the library's SHAP values.",
    "xgboost": "Gradient-boosted trees (XGBoost) on the same features and constraints; contributions from SHAP.",
    "bayesian": "Bayesian regression in PyMC sampled with NUTS (nutpie): adstock, saturation, trend, seasonality "
    "and controls with priors scaled to your data; every result comes with a 90% credible interval.",
}


def models_tab() -> html.Div:
    return html.Div(
        [
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H6("Leaderboard", className="mb-0"),
                                html.Div(
                                    [
                                        dbc.Label("Holdout: last", class_name="small mb-0 me-2"),
                                        html.Div(
                                            dcc.Slider(
                                                id=Models.HOLDOUT,
                                                min=5,
                                                max=30,
                                                step=5,
                                                value=10,
                                                marks={v: f"{v}%" for v in range(5, 35, 5)},
                                            ),
                                            style={"width": "260px"},
                                        ),
                                        html.Small("of periods", className="text-muted ms-1"),
                                    ],
                                    className="d-flex align-items-center",
                                ),
                            ],
                            className="d-flex justify-content-between align-items-center flex-wrap mb-2",
                        ),
                        html.Div(
                            id=Models.LEADERBOARD,
                            children=html.P(
                                "No model fitted yet. Pick a family below and click Fit.",
                                className="text-muted small mb-0",
                            ),
                        ),
                    ]
                ),
                class_name="mt-3",
            ),
            dbc.Tabs(
                [dbc.Tab(family_panel(f), label=models.LABELS[f], tab_id=f) for f in models.MODEL_NAMES],
                id=Models.TABS,
                active_tab=models.MODEL_NAMES[0],
                class_name="mt-3",
            ),
        ]
    )


def family_panel(family: str) -> html.Div:
    controls = [option_control(family, *spec) for spec in FAMILY_OPTIONS[family]]
    buttons = html.Div(
        [
            dbc.Button("Fit", id=Models.fit_button(family), color="primary"),
            dbc.Button("Cancel", id=Models.cancel_button(family), color="secondary", outline=True, disabled=True),
        ],
        className="d-flex gap-2 align-items-end",
    )
    return html.Div(
        [
            dcc.Store(id=Models.result_store(family)),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.P(FAMILY_NOTES[family], className="small text-muted"),
                        dbc.Row([*[dbc.Col(c, md=3) for c in controls], dbc.Col(buttons, md=3)], class_name="g-2"),
                        dbc.Progress(
                            id=Models.progress(family),
                            value=0,
                            label="",
                            class_name="mt-3",
                            style={"height": "1.25rem"},
                        ),
                    ]
                ),
                class_name="mt-3",
            ),
            html.Div(id=Models.results(family), className="mt-3"),
        ]
    )


def option_control(family: str, name: str, label: str, choices, default) -> html.Div:
    component_id = Models.option(family, name)
    if choices is None:
        control = dbc.Input(id=component_id, type="number", min=1, step=1, value=default, placeholder="auto", size="sm")
    else:
        control = dbc.Select(
            id=component_id, options=[{"label": t, "value": v} for v, t in choices], value=default, size="sm"
        )
    return html.Div([dbc.Label(label, html_for=component_id, class_name="small mb-0"), control])
