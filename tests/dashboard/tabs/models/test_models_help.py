"""Jargon in the Models tab is explained where it appears: every metric card and leaderboard measure has a help
button whose words come from the glossary, every chart of a fit has a caption, and the family notes and
options speak plainly."""

import dash_bootstrap_components as dbc
from dash import html

import models
from dashboard.ids import Models
from dashboard.tabs.models.callbacks import leaderboard, show_results
from dashboard.tabs.models.layout import FAMILY_NOTES, family_panel
from dashboard.tabs.models.leaderboard import COLUMN_TERMS
from dashboard.tabs.models.views import CHART_CAPTIONS, METRIC_CARDS, chart_caption, intervals_text
from dashboard.ui import GLOSSARY
from tests.dashboard.helpers import components, help_buttons

UNEXPLAINED = ("Optuna", "decomposition distance", "blank: automatic", "NUTS")


def help_labels(tree) -> list[str]:
    """The labels of the help buttons in a tree ("What is X?" -> X), in order, each checked to be a real button
    with its words as a hidden description and a tooltip."""
    return list(help_buttons(tree))


def test_every_term_used_has_a_definition():
    used = {term for _, terms, _, _ in METRIC_CARDS for term in terms}
    used |= {term for terms in COLUMN_TERMS.values() for term in terms}
    assert used <= set(GLOSSARY)


def test_metric_cards_the_sampler_line_and_every_chart_of_a_fit_are_explained(planned):
    app, key, _, token = planned
    view = show_results(app.session_store, "ridge", None, {"version": key.version}, None, token)
    buttons = help_buttons(view)
    assert [label for label, *_ in METRIC_CARDS] == list(buttons)[: len(METRIC_CARDS)]
    ids = [i for i, _ in buttons.values()]
    assert len(ids) == len(set(ids)) and all(i.startswith("models-ridge-help-") for i in ids)
    assert len([c for c in components(view) if isinstance(c, html.Button) and c.className == "help-button"]) == len(ids)
    for kind in CHART_CAPTIONS:
        card = next(c for c in components(view) if isinstance(c, dbc.Card) and Models.graph("ridge", kind) in str(c))
        assert chart_caption(kind, "daily") in [c.children for c in components(card) if isinstance(c, html.P)]


def test_the_captions_and_the_intervals_name_the_datas_days_or_weeks():
    days, weeks = chart_caption("decay", "daily"), chart_caption("decay", "weekly")
    assert days.startswith("Carry-over: the share of a day's spend effect still felt 1, 2, 3... days later")
    assert "a week's spend effect still felt 1, 2, 3... weeks later" in weeks
    assert "prediction, week by week;" in chart_caption("fit", "weekly")
    assert "How much of each day's predicted revenue" in chart_caption("contributions", "daily")
    assert "1, 2, 3... periods later" in chart_caption("decay")  # the frequency unknown
    assert not any("{" in chart_caption(kind) for kind in CHART_CAPTIONS)
    bootstrap = {"level": 0.9, "replicates": 50, "block_periods": 4}
    assert "(4-week blocks of residuals)" in intervals_text({"intervals": bootstrap, "frequency": "weekly"}, False)
    assert "(4-day blocks of residuals)" in intervals_text({"intervals": bootstrap, "frequency": "daily"}, False)
    # LightGBM's google read 0.58 [0.58, 4.48] with nothing to say why the estimate sits at the interval's end
    assert "An interval that starts at the estimate means fits like this one understate that channel" in (
        intervals_text({"intervals": bootstrap, "frequency": "daily"}, False)
    )


def test_every_leaderboard_measure_has_its_help_button(compared):
    app, token, _, version = compared
    _, table, *_ = leaderboard(app.session_store, {"version": version}, None, [], token)
    headers = [c for c in components(table) if isinstance(c, html.Th)]
    explained = [h for h in headers if help_labels(h)]
    assert [help_labels(h)[0] for h in explained] == list(COLUMN_TERMS)
    assert {str(h.children) for h in headers if not help_labels(h)} == {"Model", "Fit time"}


def test_family_notes_and_options_speak_plainly():
    for family in models.MODEL_NAMES:
        text = str(family_panel(family)) + FAMILY_NOTES[family]
        assert not any(word in text for word in UNEXPLAINED), family
    assert GLOSSARY["Trees"] in str(family_panel("xgboost")) and GLOSSARY["Search trials"] in str(family_panel("ridge"))
