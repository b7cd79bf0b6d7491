"""HTML pieces of saved scenarios: the list to tick and delete from, and the side-by-side comparison."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import html

from dashboard.ids import Plan
from dashboard.tabs.plan.compare import interval_of, measure_name, measure_terms, shown_values
from dashboard.tabs.plan.saved import MAX_COMPARED, scenario_notes
from dashboard.ui import header_cell, help_button, muted

NO_SCENARIOS = "No scenarios yet: save the what-if or the optimised plan to compare them here."
REVENUE = "revenue over the horizon"
# Help-button id scopes: the list's, and the comparison's (one per row: channels' rows share a measure's name).
LIST_SCOPE, COMPARE_SCOPE = "plan-scenarios", "plan-compare"


def scenario_list(scenarios: Sequence[Mapping], ticked: set[str], family: str | None, version: str | None):
    """A row per scenario: tick to compare, name, model, kind, revenue, what differs from the plan on screen,
    and a delete button."""
    if not scenarios:
        return muted(NO_SCENARIOS)
    header = ["compare", "name", "model", "kind", REVENUE, "", ""]
    cells = [header_cell(h, {REVENUE: ("90% interval",)}, LIST_SCOPE) for h in header]
    # the revenues written together: 19.14M beside 19.10M, never 19M (90%: 18M – 20M) for both
    revenues = shown_values("interval", [interval_of(s["totals"], "revenue") for s in scenarios])
    rows = [scenario_row(s, s["id"] in ticked, family, version, r) for s, r in zip(scenarios, revenues)]
    table = dbc.Table(
        [html.Thead(html.Tr(cells)), html.Tbody(rows)],
        size="sm",
        hover=True,
        responsive=True,
        class_name="small mb-1 align-middle",
    )
    hint = muted(f"Tick up to {MAX_COMPARED} scenarios to compare them side by side.", "text-muted small mb-2")
    return html.Div([table, hint])


def scenario_row(scenario: Mapping, ticked: bool, family: str | None, version: str | None, revenue: str) -> html.Tr:
    """One scenario's row; ``revenue`` as the list writes it (shared digits with the others')."""
    notes = "; ".join(scenario_notes(scenario, family, version))  # a sentence: capital first, labels as they are
    return html.Tr(
        [
            html.Td(
                dbc.Checkbox(
                    id=Plan.scenario_pick(scenario["id"]),
                    value=ticked,
                    label=f"Compare {scenario['name']}",
                    label_class_name="visually-hidden",
                )
            ),
            html.Td(scenario["name"], className="fw-semibold"),
            html.Td(scenario["label"]),
            html.Td(scenario["kind"]),
            html.Td(revenue),
            html.Td(notes[:1].upper() + notes[1:], className="text-warning-emphasis"),
            html.Td(dbc.Button("Delete", id=Plan.scenario_delete(scenario["id"]), size="sm", color="link")),
        ]
    )


def comparison_view(rows: list[dict], names: list[str]) -> dbc.Table:
    """Measures down, scenarios across."""
    header = html.Thead(html.Tr([html.Th("")] + [html.Th(name) for name in names]))
    body = [
        html.Tr([measure_cell(row["measure"], i)] + [html.Td(t) for t in shown_values(row["kind"], row["values"])])
        for i, row in enumerate(rows)
    ]
    return dbc.Table([header, html.Tbody(body)], size="sm", striped=True, responsive=True, class_name="small mb-2")


def measure_cell(measure: str, index: int) -> html.Th:
    """A row's measure, with a help button on what it means when it needs one ("Marginal ROAS: google ⓘ" asks
    "What is Marginal ROAS?"); the row's index keeps ids apart even for channels whose names read alike."""
    terms = measure_terms(measure)
    if not terms:
        return html.Th(measure, className="fw-normal")
    button = help_button(measure_name(measure), terms, f"{COMPARE_SCOPE}-{index}")
    return html.Th([measure, " ", button], className="fw-normal")
