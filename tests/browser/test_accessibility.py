"""axe-core finds no critical or serious violation on any tab with the demo data loaded and a model fitted: every
control is named, the page says its language, no hidden element takes focus, the tabs point at their panes."""

from __future__ import annotations

from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from dashboard.ids import App, Explore, Models, Plan, Share
from tests.browser.accessibility import axe_violations, describe
from tests.browser.helpers import click, click_tab, fit_ridge, no_console_errors, open_models_with_demo

DRAWN = (".main-svg .trace", ".main-svg .slice", ".main-svg .point")
SHOWN_PANE = f"#{App.TABS} + .tab-content > .tab-pane.active.show"


def open_tab(dash_duo, label: str):
    """Switch tabs and wait for the pane's fade-in to end (axe reads colours mid-fade as low contrast)."""
    click_tab(dash_duo, f"#{App.TABS}", label)
    opacity = f"const p = document.querySelector('{SHOWN_PANE}'); return p && getComputedStyle(p).opacity;"
    until(lambda: dash_duo.driver.execute_script(opacity) == "1", timeout=10)


def charts_drawn(dash_duo, *graph_ids: str):
    for graph_id in graph_ids:
        until(lambda g=graph_id: dash_duo.find_elements(", ".join(f"#{g} {s}" for s in DRAWN)), timeout=30)


def test_no_critical_or_serious_violation_on_any_tab(dash_duo, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    fit_ridge(dash_duo)
    charts_drawn(dash_duo, Models.graph("ridge", "fit"), Models.graph("ridge", "curves"))
    found = {"Models, a ridge fit": axe_violations(dash_duo)}

    open_tab(dash_duo, "Explore")
    charts_drawn(dash_duo, Explore.SERIES, Explore.SHARE, Explore.VIF)
    dash_duo.wait_for_contains_text(f"#{Explore.STATS}", "median")
    found["Explore"] = axe_violations(dash_duo)

    open_tab(dash_duo, "Plan")
    dash_duo.wait_for_contains_text(f"#{Plan.WHATIF_SUMMARY}", "Revenue, next 28 days", timeout=20)
    charts_drawn(dash_duo, Plan.PREDICTION, Plan.INCREMENTAL)
    click(dash_duo, f"#{Plan.OPTIMISE}")
    charts_drawn(dash_duo, Plan.ALLOCATION)
    found["Plan, optimised"] = axe_violations(dash_duo)

    open_tab(dash_duo, "Share")
    dash_duo.wait_for_contains_text(f"#{Share.FAMILY}", "Ridge", timeout=30)
    click(dash_duo, f"#{Share.CREATE}")
    dash_duo.wait_for_element(f"#{Share.MESSAGE} input.share-link", timeout=30)
    dash_duo.wait_for_contains_text(f"#{Share.LINKS}", "Revoke", timeout=10)
    found["Share, a link made"] = axe_violations(dash_duo)

    failing = {tab: violations for tab, violations in found.items() if violations}
    assert not failing, "axe-core violations:\n" + "\n".join(f"{tab}:\n{describe(v)}" for tab, v in failing.items())

    # the tabs from the keyboard: the open one is the tab stop, an arrow key opens its neighbour
    active = dash_duo.find_element(f"#{App.TABS} [role=tab][aria-selected=true]")
    assert active.text == "Share" and active.get_attribute("tabindex") == "0"
    active.send_keys(Keys.ARROW_LEFT)
    dash_duo.wait_for_text_to_equal(f"#{App.TABS} [role=tab][aria-selected=true]", "Plan")
    assert dash_duo.driver.switch_to.active_element.text == "Plan"
    no_console_errors(dash_duo)
