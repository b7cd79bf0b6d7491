"""Browser options for dash.testing (a large headless window, no background networking), and a second browser."""

import pytest
from dash.testing.browser import Browser
from selenium.webdriver.chrome.options import Options


def pytest_setup_options():
    options = Options()
    options.add_argument("--window-size=1400,1100")  # the default headless size hides buttons
    options.add_argument("--disable-background-networking")  # the test machines have no internet
    options.add_argument("--disable-component-update")
    options.add_argument("--no-first-run")
    return options


@pytest.fixture
def stakeholder(request, tmp_path):
    """A second headless browser made as dash.testing makes its own, with a fresh profile (no session, nothing
    uploaded): the person a share link is sent to."""
    config = request.config
    with Browser(
        browser=config.getoption("webdriver"),
        headless=config.getoption("headless"),
        options=config.hook.pytest_setup_options(),
        download_path=str(tmp_path / "stakeholder-downloads"),
        percy_run=False,
    ) as browser:
        yield browser
