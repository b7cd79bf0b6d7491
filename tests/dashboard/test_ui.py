"""The shared HTML pieces: the glossary's help buttons (keyboard- and screen-reader-friendly) and captions."""

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.ui import GLOSSARY, caption, explained, explained_table, header_cell, help_button, slug
from tests.dashboard.helpers import components


def test_a_help_button_is_a_named_button_described_by_the_glossary_sentences():
    parts = components(help_button("Holdout NRMSE", ("NRMSE", "holdout"), "models-ridge"))
    button = next(c for c in parts if isinstance(c, html.Button))
    text = GLOSSARY["NRMSE"] + " " + GLOSSARY["holdout"]
    assert button.id == "models-ridge-help-holdout-nrmse" and button.type == "button"
    assert button.to_plotly_json()["props"]["aria-label"] == "What is Holdout NRMSE?"
    described = next(c for c in parts if getattr(c, "id", None) == button.to_plotly_json()["props"]["aria-describedby"])
    assert described.children == text and "visually-hidden" in described.className
    tooltip = next(c for c in parts if isinstance(c, dbc.Tooltip))
    assert tooltip.target == button.id and tooltip.children == text


def test_labels_become_ids_and_every_definition_is_one_plain_sentence_or_two():
    assert slug("CV R² (mean)") == "cv-r2-mean" and slug("R-hat") == "r-hat"
    assert explained("ESS", ("ESS",), "s")[0] == "ESS"
    assert all(text.strip() and text.endswith(".") and len(text) < 240 for text in GLOSSARY.values())
    assert "chart-caption" in caption("Bars: ROAS.").className


def test_a_table_explains_its_measure_columns_only_and_scopes_their_ids():
    assert header_cell("channel", {"ROAS": ("ROAS",)}, "t").children == "channel"
    shown = pd.DataFrame({"channel": ["tv", "radio"], "ROAS": ["1.20", "0.80"]})
    table = explained_table(shown, {"ROAS": ("ROAS",)}, "plan-x")
    buttons = [c for c in components(table) if isinstance(c, html.Button)]
    assert [b.id for b in buttons] == ["plan-x-help-roas"]
    assert GLOSSARY["ROAS"] in str(table) and [c.children for c in components(table) if isinstance(c, html.Td)] == [
        "tv",
        "1.20",
        "radio",
        "0.80",
    ]
    assert "chart-caption" in caption(["VIF", " ", "per channel."]).className
