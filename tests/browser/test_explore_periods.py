"""The Explore tab's "Show per" switch in headless Chromium: per month the series chart redraws with far
fewer points."""

from dash.testing.wait import until

from dashboard.ids import App, Explore
from tests.browser.helpers import choose, click_tab, load_demo, no_console_errors

# The points of the first trace (revenue) as the browser holds them in the graph's figure data.
POINTS = (
    "var d = document.getElementById(arguments[0]).querySelector('.js-plotly-plot').data;"
    "return d && d.length ? d[0].x.length : 0;"
)
TITLE = f"#{Explore.SERIES} .gtitle"


def series_points(dash_duo) -> int:
    return dash_duo.driver.execute_script(POINTS, Explore.SERIES)


def test_monthly_view_redraws_the_series_with_far_fewer_points(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    load_demo(dash_duo)
    click_tab(dash_duo, f"#{App.TABS}", "Explore")
    dash_duo.wait_for_contains_text(TITLE, "per week", timeout=20)  # three years of days open per week
    weekly = series_points(dash_duo)
    assert 150 <= weekly <= 157
    choose(dash_duo, Explore.PERIOD, "month")
    dash_duo.wait_for_contains_text(TITLE, "per month", timeout=20)
    until(lambda: series_points(dash_duo) <= 36, timeout=10)
    choose(dash_duo, Explore.PERIOD, "day")
    dash_duo.wait_for_contains_text(TITLE, "per day", timeout=20)
    until(lambda: series_points(dash_duo) == 1096, timeout=10)
    no_console_errors(dash_duo)
