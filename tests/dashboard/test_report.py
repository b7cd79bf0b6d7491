"""The stakeholder report, rendered from a hand-made snapshot of three channels (one named with HTML characters):
self-contained when downloaded, one plotly.js URL when shared, CSP hashes that match its inline scripts, numbers
written for people, and every chart drawn in headless Chromium with no console error (offline, and under a CSP
made of the page's own hashes)."""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import os
import re
import threading
import time
from html.parser import HTMLParser

import plotly.offline
import pytest
from dash.testing.wait import until
from flask import Flask, Response
from werkzeug.serving import make_server

from dashboard.figures.format import no_negative_zero
from dashboard.report import inline_script_hashes, render_report, unavailable_page

ODD = '<b>tv&"</b>'  # a user's channel name with HTML characters
CHANNELS = ["google", "meta", ODD]
PLOTLY_URL = "/x/plotly.min.js"
SECTIONS = ["In short", "Return on ad spend", "Where revenue comes from", "Response curves", "Checks", "Plans"]
HEADLINE = "Google returns about 2.10 per unit spent (90%: 1.80–2.40)."
ALL_PLOTS_DRAWN = (
    "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".filter(plot => plot.querySelector('.main-svg')).length"
)


def roas_row(channel, spend, roas, mroas, lower, upper) -> dict:
    return {
        "channel": channel,
        "spend": spend,
        "contribution": spend * roas,
        "roas": roas,
        "mroas": mroas,
        "lower": lower,
        "upper": upper,
        "contribution_lower": None if lower is None else spend * lower,
        "contribution_upper": None if upper is None else spend * upper,
    }


def plan(name: str, kind: str, spends: list[float]) -> dict:
    totals = {"spend": 30 * sum(spends), "revenue": 3.0e5, "revenue_lower": 2.7e5, "revenue_upper": 3.3e5}
    totals |= {"roas": 3.0, "roas_lower": None, "roas_upper": None, "lift": 1.2e4}
    channels = [{"channel": c, "spend": s, "mroas": 1.2} for c, s in zip(CHANNELS, spends)]
    saved = "2026-11-30T17:35:00+00:00"
    return {"name": name, "kind": kind, "label": "Ridge (Robyn-style)", "periods": 30, "saved_at": saved} | {
        "channels": channels,
        "totals": totals,
    }


def snapshot() -> dict:
    """Three channels with known numbers: google 2.10 (1.80–2.40), meta 1.71 with an interval so narrow that
    the usual digits would read "1.7M (90%: 1.7M – 1.7M)", and the odd name with a marginal ROAS of -0.001."""
    roas = [
        roas_row("google", 100_000.0, 2.1, 1.4, 1.8, 2.4),
        roas_row("meta", 1_000_000.0, 1.71, 0.9, 1.705, 1.715),
        roas_row(ODD, 50_000.0, 0.5, -0.001, 0.2, 0.8),
    ]
    curves = [
        {"channel": c, "spend": s, "response": k * s**0.5, "lower": 0.8 * k * s**0.5, "upper": 1.2 * k * s**0.5}
        for k, c in enumerate(CHANNELS, 1)
        for s in (0.0, 100.0, 400.0, 900.0)
    ]
    dataset = {"name": 'spend<i>"2024".csv', "rows": 1096, "start": "2022-01-01", "end": "2024-12-31"}
    dataset |= {"frequency": "daily", "channels": CHANNELS, "controls": ["price"], "revenue": 7.0e6}
    dataset["spend"] = {r["channel"]: r["spend"] for r in roas}
    model = {"family": "ridge", "label": "Ridge (Robyn-style)", "fitted_at": "2026-11-30 17:30:00"}
    model |= {"metrics": {"r2": 0.91, "mape": 0.05, "nrmse": 0.07}, "recommended": True}
    model |= {"reason": "It predicts the held-out weeks best.", "intervals": "Bootstrap refits on resampled weeks."}
    checks = [
        {"check": "Holdout fit", "status": "ok", "detail": "R² 0.82 on the last 10%", "action": "Nothing."},
        {"check": "Residuals", "status": "warn", "detail": "Some autocorrelation.", "action": "Add a control."},
    ]
    plans = [plan("Scenario 1", "optimised", [48_200.0, 150.0, 90.0]), plan("Scenario 2", "what-if", [100.0] * 3)]
    made = {"version": 1, "created": "2026-11-30 17:40 UTC", "expires": "2026-12-07 17:40 UTC"}
    results = {"roas": roas, "baseline": 5.0e6, "curves": curves, "checks": checks, "plans": plans}
    recent = {"google": 150.0, "meta": 400.0, ODD: 90.0}
    return made | {"dataset": dataset, "model": model, "recent_spend": recent, "headlines": [HEADLINE]} | results


def bare_snapshot() -> dict:
    """A point model (lower == upper == estimate), no plans, checks or curves, no baseline, no link expiry."""
    bare = copy.deepcopy(snapshot())
    for row in bare["roas"]:
        row |= {"lower": row["roas"], "upper": row["roas"], "contribution_lower": None, "contribution_upper": None}
    bare |= {"plans": [], "checks": [], "curves": [], "baseline": None, "expires": None, "recent_spend": {}}
    bare["headlines"] = ["Google returns about 2.10 per unit spent."]
    bare["model"] |= {"metrics": {}, "reason": "", "intervals": "", "recommended": False}
    return bare


class Page(HTMLParser):
    """What a reader sees (text outside scripts and styles), the headings in order, and each script's attributes
    and text (joined: the parser may hand a script's text over in pieces)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.visible, self.headings, self.scripts, self._open = [], [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self._open.append(tag)
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        tag = self._open[-1] if self._open else ""
        if tag == "script":
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)
        elif tag != "style":
            self.visible.append(data)
            if re.fullmatch(r"h[1-6]", tag):
                self.headings.append((tag, data))

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.visible).split())


def plot_count(page: str) -> int:
    return page.count('class="plotly-graph-div"')


def test_the_download_embeds_plotly_once_and_loads_nothing_from_outside():
    page = render_report(snapshot(), "inline")
    assert page.count(plotly.offline.get_plotlyjs()) == 1
    ours = page.replace(plotly.offline.get_plotlyjs(), "")  # plotly.js's own text names plotly.com in its links
    assert "<script src=" not in ours and not re.search(r"<script[^>]*\bsrc\s*=", ours, re.IGNORECASE)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", ours, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", ours, re.IGNORECASE)  # no fonts or images from outside
    assert '<link rel="stylesheet"' not in page and "@import" not in page
    assert "@media print" in page and "break-inside:avoid" in page and ".modebar" in page
    assert plot_count(page) == 4  # ROAS, contributions, response curves, plans


def test_the_report_shows_the_headlines_and_escapes_what_users_named():
    page = render_report(snapshot())
    seen = Page(page)
    assert HEADLINE in seen.text and "It predicts the held-out weeks best." in seen.text
    assert ODD in seen.text and 'spend<i>"2024".csv' in seen.text  # read back as text, never as markup
    assert ODD not in page and html.escape(ODD) in page and "<i>" not in page
    assert "This link expires 2026-12-07 17:40 UTC" in seen.text
    assert "results, not the uploaded rows" in seen.text and "Made with the MMM Dashboard" in seen.text


def test_the_layout_reads_in_order_and_is_accessible():
    page = render_report(snapshot())
    seen = Page(page)
    assert seen.headings[0] == ("h1", "Media mix report")
    assert [text for tag, text in seen.headings if tag == "h2"] == SECTIONS
    assert [text for tag, text in seen.headings if tag == "h3"] == ["Scenario 1", "Scenario 2"]
    assert '<html lang="en">' in page and "<title>Media mix report – spend&lt;i&gt;" in page
    assert "<th>" not in page and '<th scope="col">' in page and '<th scope="row">' in page
    assert page.index("In short") < page.index('id="report-roas"')  # words before charts


def test_numbers_are_written_for_people():
    text = Page(render_report(snapshot())).text
    assert "2.10 (90%: 1.80 – 2.40)" in text  # ROAS with two decimals and its interval
    assert "1.710M (90%: 1.705M – 1.715M)" in text and "1.7M (90%: 1.7M – 1.7M)" not in text
    assert "1.710 (90%: 1.705 – 1.715)" in text
    assert "48,200" in text and "1,096 rows" in text  # thousands separators
    assert "300k (90%: 270k – 330k)" in text and "+12k" in text  # a plan's revenue and lift
    assert "R² 0.91 · MAPE 5.0% · NRMSE 0.07" in text
    assert "Made 2026-11-30 17:40 UTC" in text
    assert no_negative_zero(text) == text  # the marginal ROAS of -0.001 reads 0.00


def test_checks_say_their_status_in_words_as_well_as_colour():
    page = render_report(snapshot())
    assert re.search(r'class="status status-ok">.*?OK</span>', page)
    assert re.search(r'class="status status-warn">.*?Warning</span>', page)
    assert "Add a control." in Page(page).text


def test_the_share_page_loads_plotly_from_the_given_url_once():
    page = render_report(snapshot(), PLOTLY_URL)
    assert page.count("<script src=") == 1 and f'<script src="{PLOTLY_URL}"></script>' in page
    assert plotly.offline.get_plotlyjs()[:2000] not in page and len(page) < 500_000
    assert plot_count(page) == 4
    with pytest.raises(ValueError):
        render_report(snapshot(), "https://cdn.example.com/plotly")


@pytest.mark.parametrize("plotly_js", ["inline", PLOTLY_URL])
def test_the_csp_hashes_match_every_inline_script(plotly_js):
    page = render_report(snapshot(), plotly_js)
    inline = [text for attributes, text in Page(page).scripts if "src" not in attributes]
    assert len(inline) == plot_count(page) + (plotly_js == "inline")
    expected = [f"'sha256-{base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()}'" for t in inline]
    assert inline_script_hashes(page) == expected


def test_the_unavailable_page_escapes_its_words_and_runs_nothing():
    page = unavailable_page("Link <expired>", 'Made on "Monday" & gone <script>alert(1)</script>')
    assert "<script" not in page.lower() and inline_script_hashes(page) == []
    assert "Link &lt;expired&gt;" in page and "&amp; gone &lt;script&gt;" in page
    seen = Page(page)
    assert seen.headings == [("h1", "Link <expired>")] and '<html lang="en">' in page


def test_a_point_model_without_plans_checks_or_curves_renders_plainly():
    page = render_report(bare_snapshot())
    text = Page(page).text
    assert no_negative_zero(text) == text
    assert not re.search(r"\b(nan|none|inf|null|undefined)\b", text, re.IGNORECASE)
    assert "90%" not in text and "expires" not in text  # no interval where lower == upper == estimate
    assert "No plans were saved" in text and "No checks were run" in text and "No response curves" in text
    assert "not the one the dashboard recommends" in text and "How well" not in text
    assert plot_count(page) == 2 and "Total from channels" in page  # ROAS and contributions only


def test_a_plan_without_intervals_and_a_report_without_channels_render():
    bare = bare_snapshot()
    bare["plans"] = [plan("Only", "cautious plan", [10.0, 0.0, -0.0])]
    bare["plans"][0]["totals"] |= {"revenue_lower": None, "revenue_upper": None, "lift": None}
    text = Page(render_report(bare)).text
    assert "Cautious plan" in text and "300k" in text and "90%" not in text and "Revenue lift" not in text
    assert no_negative_zero(text) == text
    empty = Page(render_report(bare | {"roas": [], "plans": []})).text
    assert "No channel results" in empty and "No contributions" in empty


def draw_all_plots(dash_br, url: str, charts: int):
    """Open ``url`` and wait until each of the ``charts`` plots has drawn its SVG."""
    dash_br.driver.get(url)
    until(lambda: dash_br.driver.execute_script(ALL_PLOTS_DRAWN) == charts, timeout=30)
    assert len(dash_br.find_elements(".js-plotly-plot")) == charts


@pytest.mark.browser
def test_the_downloaded_file_draws_every_chart_offline(dash_br, tmp_path):
    page = render_report(snapshot())
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    draw_all_plots(dash_br, path.as_uri(), plot_count(page))
    assert dash_br.find_elements("#report-roas .errorbar")  # the ROAS intervals are drawn
    assert ODD in dash_br.find_element("#roas table").text
    assert dash_br.get_logs() == []


@pytest.fixture
def share_server():
    """A server that answers the share page (under a CSP of its own hashes) and plotly.js, as the app would."""
    page = render_report(snapshot(), PLOTLY_URL)
    scripts = " ".join(inline_script_hashes(page))  # the app's own policy, with the report's scripts
    policy = f"default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
    policy += "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    server = Flask(__name__)
    server.add_url_rule("/share", "share", lambda: Response(page, headers={"Content-Security-Policy": policy}))
    plotly_js = plotly.offline.get_plotlyjs()
    server.add_url_rule(PLOTLY_URL, "plotly", lambda: Response(plotly_js, mimetype="text/javascript"))
    http = make_server("127.0.0.1", 0, server)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}/share", plot_count(page)
    http.shutdown()
    thread.join()


@pytest.mark.browser
def test_the_share_page_draws_every_chart_under_its_csp(dash_br, share_server):
    url, charts = share_server
    draw_all_plots(dash_br, url, charts)
    assert dash_br.get_logs() == []  # a script the policy blocked would be a console error


def section_html(page: str, name: str) -> str:
    return re.search(rf'<section id="{name}".*?</section>', page, re.DOTALL).group(0)


def section_text(page: str, name: str) -> str:
    """What a reader sees of one section of the report."""
    return Page(section_html(page, name)).text


def test_in_short_leads_with_the_cautions_and_the_recommended_model():
    shown = copy.deepcopy(snapshot())
    caution = "2 of this model's checks fail (Placebo channel, Simulated twin): treat its ROAS with caution."
    shown["cautions"] = [caution]
    shown["model"] |= {"recommended": False, "reason": "", "recommended_model": "LightGBM"}
    text = section_text(render_report(shown), "in-short")
    lead = f"In short {caution} This model is not the one the dashboard recommends: it recommends LightGBM."
    assert text.startswith(lead) and HEADLINE in text, text
    passed = section_text(render_report(snapshot()), "in-short")  # no caution, the recommended model
    assert passed.startswith(f"In short {HEADLINE}") and "caution" not in passed and "not the one" not in passed


def test_plans_made_with_other_models_are_set_apart():
    shown = copy.deepcopy(snapshot())
    shown["other_plans"] = [plan("Bold plan", "optimised", [9_000.0, 1.0, 1.0]) | {"label": "LightGBM"}]
    page = render_report(shown)
    seen = Page(page)
    assert [text for tag, text in seen.headings if tag == "h2"] == [*SECTIONS, "Plans saved with other models"]
    own, others = section_text(page, "plans"), section_text(page, "other-plans")
    assert "Scenario 1" in own and "Scenario 2" in own and "Bold plan" not in own
    assert "Bold plan" in others and "model LightGBM" in others and "not this" not in own
    assert "those models' estimates" in others and "Bold plan" not in section_html(page, "plans")
    assert plot_count(page) == 5  # each group of plans has its spend chart
    page = render_report(shown | {"plans": []})
    assert "No plans were saved with this model." in section_text(page, "plans") and plot_count(page) == 4


def test_plans_count_the_datas_days_or_weeks():
    """A plan's horizon and spend in the data's own periods: days or weeks (one week alone), "periods" unknown."""
    daily = section_text(render_report(snapshot()), "plans")
    assert "Expected revenue over 30 days" in daily and "Spend over 30 days" in daily and "Spend per day" in daily
    assert "period" not in daily
    weekly = copy.deepcopy(snapshot())
    weekly["dataset"]["frequency"] = "weekly"
    weekly["plans"][0]["periods"] = 1
    weekly["other_plans"] = [plan("Bold plan", "optimised", [9_000.0, 1.0, 1.0]) | {"label": "LightGBM"}]
    page = render_report(weekly)
    shown = section_text(page, "plans")
    assert "Expected revenue over 1 week " in shown and "Spend over 1 week " in shown and "over 30 weeks" in shown
    assert "Spend per week" in shown and "Spend per week" in section_text(page, "other-plans")
    assert '"text":"Spend per week, by plan"' in section_html(page, "plans").replace(": ", ":")
    unknown = copy.deepcopy(snapshot())
    del unknown["dataset"]["frequency"]
    assert "Expected revenue over 30 periods" in section_text(render_report(unknown), "plans")


def cells(page: str, section: str, column: int) -> list[str]:
    """What a reader sees in one column of a section's first table, row by row (0: the row's heading)."""
    table = re.search(r"<tbody>(.*?)</tbody>", section_html(page, section), re.DOTALL).group(1)
    return [Page(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)[column]).text for row in table.split("</tr>")[:-1]]


def contribution_row(channel, contribution, lower, upper, spend=1.0e6) -> dict:
    row = roas_row(channel, spend, contribution / spend, 1.0, lower / spend, upper / spend)
    return row | {"contribution": contribution, "contribution_lower": lower, "contribution_upper": upper}


def test_a_column_of_amounts_shares_its_unit_and_digits():
    """The audit's demo fit: google 1.8M whose interval runs 1.8M to 14M, instagram 595k, other 160k from 0: one
    unit, the smallest with two significant digits as the waterfall's 160k, never "2M (90%: 2M – 14M)" or "0.2M"."""
    shown = copy.deepcopy(snapshot())
    shown["roas"] = [
        contribution_row("google", 1_797_000.0, 1_797_000.0, 13_970_000.0, spend=3_120_000.0),
        contribution_row("instagram", 595_400.0, 250_000.0, 2_180_000.0, spend=911_000.0),
        contribution_row("other", 160_000.0, 0.0, 1_350_000.0, spend=325_000.0),
    ]
    page = render_report(shown)
    assert cells(page, "roas", 2) == [
        "1.80M (90%: 1.80M – 13.97M)",
        "0.60M (90%: 0.25M – 2.18M)",
        "0.16M (90%: 0 – 1.35M)",
    ]
    assert cells(page, "roas", 1) == ["3.12M", "0.91M", "0.33M"]  # spend: 911k and 325k beside 3.1M
    weekly = copy.deepcopy(snapshot())  # the weekly Ridge fit: 4M (90%: 4M – 11M) beside 6.8M and 2.0M
    weekly["roas"] = [
        contribution_row("tv", 6_800_000.0, 6_000_000.0, 7_900_000.0),
        contribution_row("paid_search", 4_260_000.0, 4_260_000.0, 10_800_000.0),
        contribution_row("paid_social", 2_000_000.0, 1_300_000.0, 9_300_000.0),
    ]
    column = cells(render_report(weekly), "roas", 2)
    assert column == ["6.8M (90%: 6.0M – 7.9M)", "4.3M (90%: 4.3M – 10.8M)", "2.0M (90%: 1.3M – 9.3M)"]


def test_plans_side_by_side_write_their_revenue_alike():
    """A budget plan's 1,410,025 beside a cautious plan's 1,408,488 reads larger (not 1.4M beside 1.41M), in either
    group of plans; lifts share their digits too, and a plan without lift reads 0."""
    shown = copy.deepcopy(snapshot())
    budget, cautious = (plan(name, "optimised", [100.0] * 3) for name in ("budget plan", "cautious plan"))
    budget["totals"] |= {"revenue": 1_410_025.0, "revenue_lower": 1_309_000.0, "revenue_upper": 1_463_100.0}
    cautious["totals"] |= {"revenue": 1_408_488.0, "revenue_lower": 1_347_700.0, "revenue_upper": 1_448_600.0}
    budget["totals"]["lift"], cautious["totals"]["lift"] = 83_000.0, 1_500.0
    shown["plans"], shown["other_plans"] = [budget], [cautious | {"label": "LightGBM"}]
    page = render_report(shown)
    own, others = section_text(page, "plans"), section_text(page, "other-plans")
    assert "Expected revenue over 30 days 1.410M (90%: 1.309M – 1.463M)" in own, own
    assert "Expected revenue over 30 days 1.408M (90%: 1.348M – 1.449M)" in others, others
    assert "Revenue lift +83.0k" in own and "Revenue lift +1.5k" in others
    shown["plans"][0]["totals"]["lift"] = 0.0
    assert "Revenue lift 0 " in section_text(render_report(shown), "plans")


@pytest.fixture
def server_two_hours_east_of_utc():
    """The server's local time at UTC+2, as a fit's naive time stamp (time.strftime) would be written there."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "XST-02"  # POSIX: two hours east of UTC
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_times_are_written_in_utc(server_two_hours_east_of_utc):
    """The fit's time says UTC, as "Made … UTC" does: a naive time is the server's local time."""
    shown = copy.deepcopy(snapshot())
    text = Page(render_report(shown)).text
    assert "fitted 2026-11-30 15:30 UTC" in text and "Made 2026-11-30 17:40 UTC" in text
    shown["model"]["fitted_at"] = "2026-11-30T17:30:00+00:00"
    assert "fitted 2026-11-30 17:30 UTC" in Page(render_report(shown)).text


def test_printing_lets_long_sections_run_on_over_pages():
    """Whole sections kept on one page left printed pages half empty: only plan cards, charts, table rows and
    headings stay whole, and a heading stays with what follows it."""
    style = re.sub(r"/\*.*?\*/", "", render_report(snapshot()), flags=re.DOTALL)
    printed = re.search(r"@media print\{(.*)\}\s*</style>", style, re.DOTALL).group(1)
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", printed)
    whole_ones = {s.strip() for selectors, body in rules if "break-inside:avoid" in body for s in selectors.split(",")}
    assert not whole_ones & {"section", "table", "main", "article", "tbody"}, whole_ones
    assert {".plan", ".chart", "tr", "h2", "h3"} <= whole_ones
    kept_with_next = {
        s.strip() for selectors, body in rules if "break-after:avoid" in body for s in selectors.split(",")
    }
    assert {"h2", "h3"} <= kept_with_next
