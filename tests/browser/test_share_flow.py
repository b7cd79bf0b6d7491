"""A stakeholder's view: the analyst shares a fit, a second browser (a fresh session, no upload) opens the
link and sees the report with its charts; a revoked link shows a clear page; the downloaded report opens from
disk with its charts and no console errors."""

from __future__ import annotations

from pathlib import Path

from dash.testing.wait import until

from dashboard.ids import App, Share
from tests.browser.helpers import click, click_tab, downloaded, fit_ridge, no_console_errors, open_models_with_demo


def charts_drawn(browser) -> int:
    return len(browser.find_elements(".js-plotly-plot .main-svg"))


def test_a_shared_fit_opens_in_a_fresh_browser_until_revoked(dash_duo, stakeholder, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    fit_ridge(dash_duo)
    click_tab(dash_duo, f"#{App.TABS}", "Share")
    dash_duo.wait_for_contains_text(f"#{Share.FAMILY}", "Ridge", timeout=30)
    click(dash_duo, f"#{Share.CREATE}")
    link = dash_duo.wait_for_element(f"#{Share.MESSAGE} input.share-link", timeout=30).get_attribute("value")
    assert "/share/" in link
    dash_duo.wait_for_contains_text(f"#{Share.LINKS}", "Revoke", timeout=10)

    stakeholder.driver.get(link)  # the stakeholder: another browser, no session, no upload
    until(lambda: charts_drawn(stakeholder) >= 3, timeout=30)
    page = stakeholder.find_element("body").text
    assert "Media mix report" in page and "per unit spent" in page and "Ridge" in page
    assert not stakeholder.find_elements("input[type=file]")  # nothing to upload, nothing to fit
    assert stakeholder.get_logs() == []

    click(dash_duo, f"#{Share.LINKS} button")  # Revoke
    dash_duo.wait_for_contains_text(f"#{Share.MESSAGE}", "revoked", timeout=20)
    stakeholder.driver.refresh()
    until(lambda: "does not open a report" in stakeholder.find_element("body").text, timeout=20)
    assert "per unit spent" not in stakeholder.find_element("body").text
    no_console_errors(dash_duo)


def test_the_downloaded_report_opens_offline_with_its_charts(dash_duo, stakeholder, dash_app):
    open_models_with_demo(dash_duo, dash_app)
    fit_ridge(dash_duo)
    click_tab(dash_duo, f"#{App.TABS}", "Share")
    dash_duo.wait_for_contains_text(f"#{Share.FAMILY}", "Ridge", timeout=30)
    click(dash_duo, f"#{Share.REPORT}")
    until(lambda: any(p.suffix == ".html" for p in Path(dash_duo.download_path).iterdir()), 30)
    name = next(p.name for p in Path(dash_duo.download_path).iterdir() if p.suffix == ".html")
    path = downloaded(dash_duo, name)
    stakeholder.driver.get(path.as_uri())
    until(lambda: charts_drawn(stakeholder) >= 3, timeout=30)
    assert "Media mix report" in stakeholder.find_element("body").text
    assert stakeholder.get_logs() == []
    no_console_errors(dash_duo)
