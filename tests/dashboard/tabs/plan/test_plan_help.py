"""Every measure in the Plan tab's cards and tables (what-if, plan, scenario list and comparison) has an ⓘ help
button whose words come from the glossary, and no two components of the tab share an id."""

from collections import Counter

import pandas as pd
from dash import html

from dashboard.tabs.plan.callbacks import what_if_outputs
from dashboard.tabs.plan.compare import MEASURE_TERMS, comparison_rows
from dashboard.tabs.plan.layout import plan_tab
from dashboard.tabs.plan.optimise import optimised_plan
from dashboard.tabs.plan.scenario_views import comparison_view, scenario_list
from dashboard.tabs.plan.views import ALLOCATION_TERMS, WHAT_IF_TERMS, allocation_table, plan_cards, what_if_table
from dashboard.ui import GLOSSARY
from tests.dashboard.helpers import channels_of, components, plan_form, string_ids
from tests.dashboard.helpers import help_buttons as shared_help_buttons


def help_buttons(tree) -> dict[str, str]:
    """{label asked about: the words read out for it} (the ids are checked by id scope below)."""
    return {label: text for label, (_, text) in shared_help_buttons(tree).items()}


def words(*terms: str) -> str:
    return " ".join(GLOSSARY[term] for term in terms)


def scenario(name: str, channels: list[str]) -> dict:
    rows = [
        {"channel": c, "spend": 100.0, "mroas": 1.5, "bound": "locked" if i == 0 else None}
        for i, c in enumerate(channels)
    ]
    totals = {"spend": 5600.0, "revenue": 1e4, "revenue_lower": 9e3, "revenue_upper": 1.1e4, "roas": 1.8}
    totals |= {"roas_lower": 1.6, "roas_upper": 2.0, "lift": 400.0, "mix_revenue": 9600.0}
    meta = {"id": name, "name": name, "label": "Ridge", "family": "ridge", "version": "v1", "kind": "what-if"}
    return {**meta, "periods": 28, "unit": "days", "channels": rows, "totals": totals}


def test_every_term_used_has_a_definition():
    used = {
        t for terms in [*WHAT_IF_TERMS.values(), *ALLOCATION_TERMS.values(), *MEASURE_TERMS.values()] for t in terms
    }
    assert used <= set(GLOSSARY)


def test_what_if_and_plan_measures_are_explained_with_unique_string_ids(planned):
    app, key, *_ = planned
    channels = channels_of(app, key)
    cards, *_, table = what_if_outputs(app.plan_cache, key, 28, dict.fromkeys(channels, 1000.0))
    assert help_buttons(cards) == {
        "Revenue, next 28 days": words("90% interval"),
        "from media": words("incremental revenue"),
        "ROAS": words("ROAS"),
    }
    assert help_buttons(table) == {column: words(*terms) for column, terms in WHAT_IF_TERMS.items()}
    headers = [c for c in components(table) if isinstance(c, html.Th)]
    assert [str(h.children[0]) if isinstance(h.children, list) else h.children for h in headers][:2] == [
        "channel",
        "spend per day",
    ]
    record = optimised_plan(app.plan_cache, key, "Ridge", plan_form(channels))
    plan = plan_cards(record)
    assert help_buttons(plan) == {
        "Expected revenue (optimised)": words("90% interval"),
        f"Recent average mix ({record['recent']}) at this budget": words("recent average mix"),
        "Lift over the recent average mix": words("lift"),
        "ROAS optimised / recent average mix": words("ROAS"),
    }
    allocation = allocation_table(record)
    assert help_buttons(allocation) == {"marginal ROAS": words("marginal ROAS"), "bound": words("bound")}
    assert len(allocation.children[1].children) == len(channels)  # a row per channel, as before
    headers = [c for c in components(allocation.children[0]) if isinstance(c, html.Th)]
    names = [str(h.children[0]) if isinstance(h.children, list) else h.children for h in headers]
    assert names.index("bound") == names.index("optimised") + 1  # the limit beside the spend it binds
    every = string_ids(plan_tab(), cards, table, plan, allocation)
    assert not [i for i, n in Counter(every).items() if n > 1]


def test_cautious_plan_explains_its_percentile():
    expected = {"revenue": 1.7e6, "roas": 2.5, "current_mix_roas": 2.1, "current_mix_revenue": 1.6e6, "lift": 1e5}
    risk = {"quantile": 0.1, "revenue_quantile": 1.62e6, "expected_plan_revenue_quantile": 1.58e6}
    record = {"label": "Ridge", "budget": 1e5, "periods": 28, "unit": "days", "expected": expected}
    shown = help_buttons(plan_cards(record | {"risk": risk | {"expected_revenue_cost": 1.2e4}}))
    assert shown["Revenue at the 10th percentile: cautious / expected plan"] == words("percentile")


def test_scenario_list_and_comparison_explain_their_measures_and_keep_ids_apart():
    chosen = [scenario("Scenario 1", ["TV", "tv", "google"]), scenario("Scenario 2", ["TV", "tv", "google"])]
    listed = scenario_list(chosen, {"Scenario 1"}, "ridge", "v1")
    assert help_buttons(listed) == {"revenue over the horizon": words("90% interval")}
    table = comparison_view(comparison_rows(chosen, "ridge", "v1"), ["Scenario 1", "Scenario 2"])
    assert help_buttons(table) == {
        "Expected revenue over the horizon (90% interval)": words("90% interval"),
        "ROAS (90% interval)": words("ROAS", "90% interval"),
        "Marginal ROAS": words("marginal ROAS"),
        "Lift over the recent average mix (same spend)": words("lift", "recent average mix"),
        "Bounds that bind": words("bound"),
    }
    measures = [c for c in components(table) if isinstance(c, html.Th) and "fw-normal" in getattr(c, "className", "")]
    marginal = [m for m in measures if isinstance(m.children, list) and str(m.children[0]).startswith("Marginal ROAS")]
    assert [m.children[0] for m in marginal] == ["Marginal ROAS: TV", "Marginal ROAS: tv", "Marginal ROAS: google"]
    assert "Spend per day: TV" in [m.children for m in measures]  # plain measures stay plain
    every = string_ids(plan_tab(), listed, table)
    assert not [i for i, n in Counter(every).items() if n > 1]
    assert all(i.startswith("plan-compare-") for i in string_ids(table) if "-help-" in i)


def test_the_tables_show_the_same_cells_as_before():
    channels = pd.DataFrame(
        {"channel": ["tv"], "spend": [10.0], "total_spend": [280.0], "incremental_revenue": [500.0]}
        | {"roas": [1.79], "mroas": [0.9]}
    )
    table = what_if_table(channels)
    assert [td.children for td in components(table) if isinstance(td, html.Td)] == [
        "tv",
        "10",
        "280",
        "500",
        "1.79",
        "0.90",
    ]


def test_the_scenario_list_writes_its_revenues_together():
    """Two plans at 19.14M and 19.10M both read "19M (90%: 18M – 20M)" in the list."""
    first, second = scenario("A", ["tv"]), scenario("B", ["tv"])
    first["totals"] |= {"revenue": 19.14e6, "revenue_lower": 18.2e6, "revenue_upper": 20.1e6}
    second["totals"] |= {"revenue": 19.10e6, "revenue_lower": 18.1e6, "revenue_upper": 20.0e6}
    cells = [str(getattr(c, "children", c)) for c in components(scenario_list([first, second], set(), "ridge", "v1"))]
    assert any(c.startswith("19.14M (90%: ") for c in cells) and any(c.startswith("19.10M (90%: ") for c in cells)
