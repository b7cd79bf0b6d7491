"""axe-core in the page under test: the vendored script (tests/browser/vendor/) injected through Selenium."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(results => done(results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), count: 0, targets: []}]));
"""


def axe_violations(dash_duo, impacts=("critical", "serious")) -> list[dict]:
    """axe-core's violations on the page as it is now, of the given impacts: id, impact, help, the number of
    nodes and up to 3 node targets each."""
    driver = dash_duo.driver
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))  # run by the driver: the page's CSP does not apply
    driver.set_script_timeout(30)
    return [v for v in driver.execute_async_script(RUN_AXE) if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    """One line per violation, for an assertion message."""
    return "\n".join(
        f"  {v['impact']} {v['id']} ({v['count']} nodes): {v['help']}; e.g. {', '.join(v['targets'])}"
        for v in violations
    )
