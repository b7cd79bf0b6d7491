"""Browser options for dash.testing: a large headless window and no background networking."""

from selenium.webdriver.chrome.options import Options


def pytest_setup_options():
    options = Options()
    options.add_argument("--window-size=1400,1100")  # the default headless size hides buttons
    options.add_argument("--disable-background-networking")  # the test machines have no internet
    options.add_argument("--disable-component-update")
    options.add_argument("--no-first-run")
    return options
