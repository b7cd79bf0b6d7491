"""Saved scenarios, called directly on a real fitted model: save the what-if or the optimised plan by name,
list, compare up to four, download the comparison, delete; they go with the session's data."""

import base64
import io

import openpyxl
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from dashboard.ids import Plan
from dashboard.tabs.data.callbacks import ingest
from dashboard.tabs.plan.compare import binding, shown_values
from dashboard.tabs.plan.optimise import optimise
from dashboard.tabs.plan.records import allocation_frame
from dashboard.tabs.plan.saved import (
    MAX_NAME,
    SCENARIOS,
    add_scenario,
    checked_name,
    load_scenarios,
    next_name,
    scenario_notes,
)
from dashboard.tabs.plan.scenarios import (
    compare_scenarios,
    download_comparison,
    list_scenarios,
    remove_scenario,
    save_scenario,
)
from dashboard.tabs.plan.state import FitKey, fitted_families
from models.datasets import load_demo_bytes
from tests.dashboard.helpers import FakeClock, browser_form, channels_of, components, triggered


@pytest.fixture
def scenarios_of(planned):
    """(app, key, fits, token, save): the shared ridge session, its scenarios deleted after the test."""
    app, key, fits, token = planned
    store, summary = app.session_store, {"version": key.version}

    def save(name, source="what-if", result=None, **changes):
        form = browser_form(channels_of(app, key), **changes)
        return save_scenario(store, app.plan_cache, 1, name, source, result, "ridge", fits, summary, token, **form)

    yield app, key, fits, token, save
    store.delete(key.sid, SCENARIOS)


def said(message) -> str:
    return str(message.children)


def picks(listed) -> list:
    """The tick boxes of a scenario list, in its order."""
    kind = Plan.scenario_pick("any")["type"]
    return [c for c in components(listed) if isinstance(getattr(c, "id", None), dict) and c.id["type"] == kind]


def test_a_name_is_required_trimmed_capped_and_unique():
    taken = [{"name": "Scenario 1"}, {"name": "More TV"}]
    assert checked_name("  Less   search ", taken) == "Less search"
    for bad, words in [("  ", "Give the scenario a name"), ("x" * (MAX_NAME + 1), "characters or fewer")]:
        with pytest.raises(ValueError, match=words):
            checked_name(bad, taken)
    with pytest.raises(ValueError, match="already a scenario called 'more tv'"):
        checked_name("more tv", taken)
    assert next_name(taken) == "Scenario 3" and next_name([{"name": "Scenario 2"}]) == "Scenario 3"


def test_save_the_what_if_and_the_plan_then_list_compare_download_and_delete(scenarios_of):
    app, key, fits, token, save = scenarios_of
    store, summary, channels = app.session_store, {"version": key.version}, channels_of(app, key)
    revision, message = save("  Scenario 1 ")
    assert set(revision) == {"revision"} and "Saved 'Scenario 1' (what-if" in said(message)
    for name, source, words in [
        ("scenario 1", "what-if", "already a scenario"),
        ("", "what-if", "Give the scenario a name"),
        ("From the plan", "plan", "Optimise first"),
    ]:
        refused, message = save(name, source)
        assert refused is no_update and words in said(message)

    asked = browser_form(channels, budget=150_000)
    reference = optimise(store, app.plan_cache, 1, "ridge", fits, summary, token, **asked)
    assert "Saved 'Budget 150k' (optimised" in said(save("Budget 150k", source="plan", result=reference)[1])
    first, second = load_scenarios(store, key.sid)
    assert first["kind"] == "what-if" and second["kind"] == "optimised" and first["version"] == key.version
    assert first["inputs"]["spend"] == dict.fromkeys(channels, 1000.0) and second["inputs"]["budget"] == 150_000
    assert second["totals"]["spend"] == pytest.approx(150_000) and first["totals"]["lift"] is not None

    listed, fresh = list_scenarios(store, revision, summary, "ridge", "Budget 150k", [], [], token)
    assert fresh == "Scenario 3" and "Budget 150k" in str(listed) and len(picks(listed)) == 2
    assert "not the model selected" not in str(listed)
    other = str(list_scenarios(store, revision, summary, "xgboost", "x", [], [], token)[0])
    assert "Made with Ridge (Robyn-style), not the model selected" in other  # the model's label, as it is spelt
    ids = [p.id for p in picks(listed)]
    table, figure, disabled, no_export = compare_scenarios(store, [True, True], ids, "ridge", summary, token)
    assert "Spend per day: " + channels[0] in str(table) and "Marginal ROAS: " + channels[0] in str(table)
    assert "(90%: " in str(table) and "Lift over the recent average mix" in str(table)
    assert [t.name for t in figure.data] == ["Scenario 1", "Budget 150k"] and disabled == [False, False]
    assert no_export is False and "not the model selected" not in str(table)
    elsewhere = compare_scenarios(store, [True, True], ids, "xgboost", {"version": "newer"}, token)[0]
    # saved with the name of the upload it came from, so a scenario of another file says which
    noted = "made with Ridge (Robyn-style), not the model selected; made on other data (demo.csv)"
    assert noted in str(elsewhere)

    sent = download_comparison(store, 1, [True, True], ids, "ridge", summary, token)
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    assert sent["filename"] == "scenarios - comparison.xlsx"
    assert book.sheetnames == ["comparison", "spend per day", "inputs"]
    rows = {r[0]: r[1:] for r in book["comparison"].iter_rows(values_only=True)}
    assert rows["Measure"] == ("Scenario 1", "Budget 150k") and rows["Spend over the horizon"][1] == 150_000
    assert rows["Expected revenue over the horizon: lower (90%)"][0] < rows["Expected revenue over the horizon"][0]
    head, *inputs = list(book["inputs"].iter_rows(values_only=True))
    what_if, plan = (dict(zip(head, row)) for row in inputs)
    # The optimiser's settings only where the optimiser made the scenario, in the Plan tab's words.
    assert what_if["Budget"] is None and what_if["Objective"] is None and what_if["Risk"] is None
    assert plan["Budget"] == 150_000 and plan["Objective"] == "Maximise revenue" and plan["Risk"] == "Expected revenue"
    saved = book["inputs"].cell(row=2, column=head.index("Saved at (UTC)") + 1)
    assert saved.is_date and saved.number_format == "yyyy-mm-dd hh:mm"  # a time Excel can sort, not ISO text

    delete = Plan.scenario_delete(first["id"])
    with pytest.raises(PreventUpdate):  # the list drawn anew: its buttons were never clicked
        triggered(delete, remove_scenario, store, [None, None], token, value=None)
    assert len(load_scenarios(store, key.sid)) == 2
    assert set(triggered(delete, remove_scenario, store, [1, None], token)) == {"revision"}
    assert [s["name"] for s in load_scenarios(store, key.sid)] == ["Budget 150k"]


def test_the_plan_of_another_model_is_not_saved_as_the_selected_ones(compared):
    app, token, sid, version = compared
    store, summary = app.session_store, {"version": version}
    fits = fitted_families(store, sid, version)
    form = browser_form(app.plan_cache.model(FitKey(sid, "ridge", version, fits["ridge"]["stamp"])).channels)
    reference = optimise(store, app.plan_cache, 1, "ridge", fits, summary, token, **form)
    try:
        args = (store, app.plan_cache, 1, "Ridge plan", "plan", reference)
        refused, message = save_scenario(*args, "xgboost", fits, summary, token, **form)
        assert refused is no_update and "Optimise first" in said(message)
        saved = save_scenario(*args, "ridge", fits, summary, token, **form)[1]
        assert "Saved 'Ridge plan' (optimised, Ridge" in said(saved)
    finally:
        store.delete(sid, "plan")
        store.delete(sid, SCENARIOS)


def test_at_most_four_are_compared(scenarios_of):
    app, key, _, token, save = scenarios_of
    store, summary = app.session_store, {"version": key.version}
    for n in range(5):
        save(f"Plan {n}", spend=[500.0 + 100 * n] * len(channels_of(app, key)))
    listed, _ = list_scenarios(store, None, summary, "ridge", "Plan 0", [], [], token)
    ids = [p.id for p in picks(listed)]
    _, figure, disabled, _ = compare_scenarios(store, [True] * 4 + [False], ids, "ridge", summary, token)
    assert len(figure.data) == 4 and disabled == [False] * 4 + [True]  # the fifth cannot be ticked
    kept, _ = list_scenarios(store, None, summary, "ridge", "x", [True, False, True, False, False], ids, token)
    assert [p.value for p in picks(kept)] == [True, False, True, False, False]  # ticks survive a redraw
    with pytest.raises(PreventUpdate):
        download_comparison(store, 1, [False] * 5, ids, "ridge", summary, token)


def test_scenarios_named_like_the_workbooks_own_columns_download_intact(scenarios_of):
    app, key, _, token, save = scenarios_of
    store, summary, names = app.session_store, {"version": key.version}, ["Measure", "Channel", "=SUM(A1)"]
    for n, name in enumerate(names):
        assert "Saved" in said(save(name, spend=[500.0 + 100 * n] * len(channels_of(app, key)))[1])
    ids = [p.id for p in picks(list_scenarios(store, None, summary, "ridge", "x", [], [], token)[0])]
    sent = download_comparison(store, 1, [True] * 3, ids, "ridge", summary, token)
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    comparison, spend = (list(book[s].iter_rows(values_only=True)) for s in ("comparison", "spend per day"))
    assert comparison[0] == ("Measure", "Measure (2)", "Channel (2)", "=SUM(A1)") and comparison[1][0] == "Model"
    assert spend[0] == ("Channel", "Measure (2)", "Channel (2)", "=SUM(A1)")
    assert all(book[s]["D1"].quotePrefix and book[s]["D1"].data_type == "s" for s in ("comparison", "spend per day"))
    assert [row[0] for row in spend[1:]] == channels_of(app, key)
    assert [row[1:] for row in spend[1:]] == [(500, 600, 700)] * len(channels_of(app, key))


def test_scenarios_go_with_the_sessions_data_but_outlive_a_new_version(demo, settings):
    app, store, token = demo
    sid = store.session_id(token)
    saved = add_scenario(store, sid, "Kept", {"family": "ridge", "label": "Ridge", "version": "v1"})
    ingest(store, sid, load_demo_bytes(), "demo again.csv", settings)  # new data: fits and plan go, scenarios stay
    assert load_scenarios(store, sid) == [saved]
    assert scenario_notes(saved, "ridge", "v2") == ["made on an older version of the data"]  # saved before names
    assert scenario_notes({**saved, "data": "uk weekly.csv"}, "ridge", "v2") == ["made on other data (uk weekly.csv)"]
    store.clear(sid)  # the Clear button
    assert load_scenarios(store, sid) == [] and SCENARIOS not in store.names(sid)
    add_scenario(store, sid, "Expires", {"family": "ridge", "label": "Ridge", "version": "v1"})
    store.clock = clock = FakeClock()
    clock.advance(store.ttl + 60)  # idle past the TTL
    assert load_scenarios(store, sid) == []


def test_compared_amounts_share_their_digits_across_scenarios():
    """An expected plan at 1,404,000 (90%: 1.30M – 1.50M) beside a cautious one at 1,408,500 (1.405M – 1.412M)
    read "1.4M" and "1.409M": caution looked like more revenue at a glance. A row is written as a whole."""
    expected, cautious = (1_404_000.0, 1_300_000.0, 1_500_000.0), (1_408_500.0, 1_405_000.0, 1_412_000.0)
    first, second = shown_values("interval", [expected, cautious])
    assert first.split(" ")[0] == "1.404M" and second.split(" ")[0] == "1.409M", (first, second)
    assert shown_values("lift", [(83_400.0, 0.063), (1_500.0, 0.001)]) == ["83k (+6.3%)", "1.5k (+0.1%)"]
    assert shown_values("ratio", [1.2, 1.2]) == ["1.20", "1.20"] and shown_values("text", ["a", None]) == ["a", ""]
    # marginal ROAS read as the plan table reads them: 0.02 each, not 0.018610 to tell 0.018610 from 0.018605
    assert shown_values("ratio", [0.018610, 0.018605, None]) == ["0.02", "0.02", "–"]


def test_only_bounds_the_user_set_bind():
    """A channel the optimiser left at no spend is not "at its minimum" when its minimum is the 0 nobody set:
    the comparison listed "ooh at its minimum, print at its minimum" for a plan made without bounds."""
    allocation = [
        {"channel": c, "current": 1.0, "optimal": x, "lower_bound": low, "upper_bound": None, "at_bound": at}
        for c, x, low, at in (("ooh", 0.0, 0.0, "minimum"), ("tv", 5.0, 5.0, "minimum"), ("web", 3.0, 0.0, "locked"))
    ]
    frame = allocation_frame({"allocation": allocation})
    assert list(frame["at_bound"]) == ["", "minimum", "locked"]
    channels = [
        {"channel": r.channel, "spend": r.optimal, "mroas": 1.0, "bound": r.at_bound} for r in frame.itertuples()
    ]
    assert binding({"channels": channels}) == "tv at its minimum, web locked"
