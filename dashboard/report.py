"""The stakeholder report: one HTML document rendered from a JSON-safe snapshot of a fit (never the uploaded rows).

Served at ``/share/<token>`` with plotly.js from this server (a strict CSP allows the charts' inline scripts by
their hashes, :func:`inline_script_hashes`), or downloaded as one self-contained file with plotly.js inline
that opens offline and prints to PDF. Words and tables come first, charts after; every string from a user is
escaped, every number goes through ``dashboard.figures.format``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from dashboard.figures import format as fmt
from dashboard.figures.format import compact_number, interval_text, no_negative_zero, period_name, ratio, ratios, whole
from dashboard.figures.models import TOTAL_LABEL, contribution_waterfall, response_curves_figure, roas_bars
from dashboard.figures.plan import scenario_spend_figure

NUMBER_CELL = ' class="number"'
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
CHART_HEIGHT = "460px"
INTERVAL_TOLERANCE = 1e-9  # relative: a point model repeats its estimate as both ends
SHARED_DIGITS = 2  # significant digits of the smallest of amounts read side by side (0.16M beside 1.80M)
MAX_SHARED_DECIMALS = 3  # but no more decimals than this (0.001M) for one amount far smaller than the rest
EXTRA_DECIMALS = 2  # at most this many more to tell a column's amounts apart: closer ones read the same
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
SRC_ATTRIBUTE = re.compile(r"\bsrc\s*=", re.IGNORECASE)
STATUS = {"ok": ("OK", "✓"), "warn": ("Warning", "!"), "fail": ("Failed", "✗"), "not run": ("Not run", "–")}
METRICS = {"r2": "R²", "mape": "MAPE", "nrmse": "NRMSE"}
PERCENT_METRICS = {"mape"}
ROAS_COLUMNS = ("channel", "spend", "contribution", "roas", "mroas", "lower", "upper")
CURVE_COLUMNS = ("channel", "spend", "response", "lower", "upper")
OTHER_HEADING = "Plans saved with other models"
OTHER_MODELS = '<p class="note">Made with other models of this data: their numbers are those models\' estimates.</p>'

# inlined into every report page, so that a downloaded report looks the same opened offline
STYLE = Path(__file__).with_name("report.css").read_text(encoding="utf-8")


def render_report(snapshot: dict, plotly_js: str = "inline") -> str:
    """The report as one HTML document. plotly_js: "inline" embeds plotly.js (the download; opens offline),
    or a URL ending in .js that a <script src> loads (the share page)."""
    sections = (_in_short, _roas_section, _contributions_section, _curves_section, _checks_section, _plans_section)
    main = "".join(section(snapshot) for section in sections)
    name = (snapshot.get("dataset") or {}).get("name")
    title = f"Media mix report – {name}" if name else "Media mix report"
    body = f'{_header(snapshot)}<main class="page">{main}</main>'
    return _document(title, body, _plotly_script(plotly_js))


def inline_script_hashes(html_text: str) -> list[str]:
    """The CSP source expressions ('sha256-<base64>') of every inline <script> in html, for a
    Content-Security-Policy header that allows exactly those scripts."""
    hashes = []
    for attributes, text in SCRIPT.findall(html_text):
        if SRC_ATTRIBUTE.search(attributes):
            continue
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return hashes


def unavailable_page(title: str, message: str) -> str:
    """A small, clear HTML page (no script) for a link that is unknown, revoked or expired."""
    body = (
        f'<main class="page"><section><h1>{_text(title)}</h1><p>{_text(message)}</p>'
        '<p class="note">Ask the person who sent you the link for a new one.</p></section></main>'
    )
    return _document(title, body)


def _document(title: str, body: str, head: str = "") -> str:
    """A whole page: language, character set, title, the inline stylesheet and ``head`` (plotly.js)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        '<link rel="icon" href="data:,">\n'  # no favicon request: nothing leaves the file or the CSP
        f"<title>{_text(title)}</title>\n<style>{STYLE}</style>\n{head}</head>\n"
        f'<body>\n{body}\n<footer class="page">Made with the MMM Dashboard</footer>\n</body>\n</html>\n'
    )


def _plotly_script(plotly_js: str) -> str:
    """plotly.js once, in the head: inline for the download, from a URL for the share page."""
    if plotly_js == "inline":
        return f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>\n'
    if not isinstance(plotly_js, str) or not plotly_js.split("?")[0].endswith(".js"):
        raise ValueError(f'plotly_js must be "inline" or a URL ending in .js, not {plotly_js!r}')
    return f'<script src="{html.escape(plotly_js, quote=True)}"></script>\n'


def _text(value) -> str:
    """A snapshot string, escaped for HTML (None as nothing)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _when(value) -> str:
    """A time stamp as people read it, in UTC as the report's "Made" time: 2026-11-30 17:35 UTC. One without a
    zone (a fit saved before fit times carried theirs) is read as this server's local time; the text as given
    when it is not ISO."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _has_interval(value, lower, upper) -> bool:
    """Whether the 90% interval is there and has a width (a point model repeats its estimate)."""
    if not all(_number(v) for v in (value, lower, upper)):
        return False
    return max(abs(upper - value), abs(value - lower)) > INTERVAL_TOLERANCE * max(1.0, abs(value))


def _amounts(points: list, ends: list):
    """How a column of amounts is written (interval_text's ``numbers``): in the unit of the largest, with decimals that
    give the smallest point two significant digits (1.80M beside 0.16M, never 2M beside 0.2M), and up to
    EXTRA_DECIMALS more where points that differ would read the same (1.410M beside 1.408M, never 1.41M)."""
    largest = max((abs(float(v)) for v in (*points, *ends) if _number(v)), default=0.0)
    divisor, suffix = fmt.unit_of([largest])
    smallest = min((abs(v) for v in points if _number(v) and abs(v) > INTERVAL_TOLERANCE * largest), default=0.0)
    digits = SHARED_DIGITS - 1 - math.floor(math.log10(smallest / divisor)) if smallest else 0
    decimals = min(MAX_SHARED_DECIMALS, max(0, digits))
    snapped = sorted({round(float(v) / divisor, decimals + EXTRA_DECIMALS) for v in points if _number(v)})
    places = max((len(text.partition(".")[2]) for text in fmt.distinct_texts(snapped, decimals)), default=decimals)

    def written(some: list) -> list[str]:  # an amount that reads as zero is written 0, never 0.00M
        texts = fmt.distinct_texts(some, places, divisor, suffix)
        return ["0" if _number(value) and not re.search("[1-9]", text) else text for value, text in zip(some, texts)]

    return written


def _column(rows: list[dict], name: str, lower: str = "", upper: str = "", as_ratio: bool = False) -> list[str]:
    """``name`` of ``rows`` (with its interval, from ``lower`` and ``upper``, where it has a width) as a column of
    amounts that share their digits: 1.80M (90%: 1.80M – 13.97M) beside 0.16M (90%: 0 – 1.35M); or ``as_ratio``,
    with two decimals each (1.10 beside 1.10 where an optimiser made them equal), more to tell an interval apart."""
    triples = [(row.get(name), row.get(lower), row.get(upper)) for row in rows]
    triples = [triple if _has_interval(*triple) else triple[:1] for triple in triples]
    ends = [end for triple in triples for end in triple[1:]]
    numbers = ratios if as_ratio else _amounts([triple[0] for triple in triples], ends)
    return [interval_text(*triple, numbers=numbers) for triple in triples]


def _table(caption: str, headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A table: headers escaped here, cells already HTML; the first cell of a row heads it, ``numeric``
    columns align right."""
    head = "".join(f'<th scope="col">{_text(h)}</th>' for h in headers)
    lines = []
    for cells in rows:
        rest = "".join(f"<td{NUMBER_CELL if i in numeric else ''}>{c}</td>" for i, c in enumerate(cells[1:], 1))
        lines.append(f'<tr><th scope="row">{cells[0]}</th>{rest}</tr>')
    body = "".join(lines)
    return f"<table><caption>{_text(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(fig: go.Figure, name: str, label: str) -> str:
    """One chart div with its inline plotting script (plotly.js comes once, in the head)."""
    options = {"config": PLOT_CONFIG, "div_id": f"report-{name}", "default_height": CHART_HEIGHT}
    div = fig.to_html(full_html=False, include_plotlyjs=False, **options)
    return f'<div class="chart" role="figure" aria-label="{_text(label)}">{div}</div>'


def _frame(records: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    """Snapshot records as a DataFrame for the figure builders: numbers as floats (None as NaN)."""
    frame = pd.DataFrame(records, columns=list(columns))
    numbers = [c for c in columns if c != "channel"]
    frame[numbers] = frame[numbers].apply(pd.to_numeric, errors="coerce").astype(float)
    frame["channel"] = frame["channel"].astype(str)
    return frame


def _section(heading: str, content: str, name: str) -> str:
    heading = f'<h2 id="{name}-heading">{heading}</h2>'
    return f'<section id="{name}" aria-labelledby="{name}-heading">{heading}{content}</section>'


def _header(snapshot: dict) -> str:
    dataset, model = snapshot.get("dataset") or {}, snapshot.get("model") or {}
    period = f"{_text(dataset.get('start'))} to {_text(dataset.get('end'))}"
    rows = whole(dataset.get("rows")) if _number(dataset.get("rows")) else "–"
    data_line = f"{_text(dataset.get('name'))} · {period} · {_text(dataset.get('frequency'))} data · {rows} rows"
    model_line = f"Model: {_text(model.get('label'))}, fitted {_text(_when(model.get('fitted_at')))}"
    made = f"Made {_text(snapshot.get('created'))}."
    if snapshot.get("expires"):
        made += f" This link expires {_text(snapshot['expires'])}."
    roles = f"Channels: {_text(', '.join(map(str, dataset.get('channels') or [])) or 'none')}."
    if dataset.get("controls"):
        roles += f" Controls: {_text(', '.join(map(str, dataset['controls'])))}."
    return (
        f'<header class="page"><h1>Media mix report</h1><p class="subtitle">{data_line}</p>'
        f'<p class="subtitle">{model_line}</p><p class="meta">{roles}</p><p class="meta">{made}</p>'
        '<p class="note">This report holds the model\'s results, not the uploaded rows.</p>'
        '<noscript><p class="note">The charts need JavaScript; the tables hold the same numbers.</p></noscript>'
        "</header>"
    )


def _fit_line(metrics: dict) -> str:
    """How well the model fits, from the metrics it has: R² 0.91 · MAPE 5.0% · NRMSE 0.07."""
    parts = []
    for key, value in (metrics or {}).items():
        if _number(value):
            shown = no_negative_zero(f"{value * 100:.1f}%") if key in PERCENT_METRICS else ratio(value)
            parts.append(f"{_text(METRICS.get(key, key.replace('_', ' ')))} {shown}")
    return f"<p>How well the model fits the data: {' · '.join(parts)}.</p>" if parts else ""


def _in_short(snapshot: dict) -> str:
    """Cautions first (failed checks, not the recommended model), then the headlines, why this model, its fit."""
    model = snapshot.get("model") or {}
    cautions = [*(snapshot.get("cautions") or []), *_not_recommended(model)]
    content = "".join(f"<p><strong>{_text(line)}</strong></p>" for line in cautions)
    items = "".join(f"<li>{_text(line)}</li>" for line in snapshot.get("headlines") or [])
    content += f"<ul>{items}</ul>" if items else "<p>No headline results in this report.</p>"
    if model.get("reason"):
        lead = "Why this model" if model.get("recommended") else "About this model (not the recommended one)"
        content += f"<p><strong>{lead}:</strong> {_text(model['reason'])}</p>"
    return _section("In short", content + _fit_line(model.get("metrics")), "in-short")


def _not_recommended(model: dict) -> list[str]:
    """ "This model is not the one the dashboard recommends: it recommends LightGBM." when it is not."""
    other = model.get("recommended_model")
    words = f"This model is not the one the dashboard recommends{f': it recommends {other}' if other else ''}."
    return [words] if model.get("recommended") is False else []


def _roas_rows(rows: list[dict]) -> list[list[str]]:
    """The table's cells; each column written with shared digits, so that the channels compare."""
    columns = [
        [_text(row.get("channel")) for row in rows],
        _column(rows, "spend"),
        _column(rows, "contribution", "contribution_lower", "contribution_upper"),
        _column(rows, "roas", "lower", "upper", as_ratio=True),
        _column(rows, "mroas", as_ratio=True),
    ]
    return [list(cells) for cells in zip(*columns)]


def _roas_section(snapshot: dict) -> str:
    rows = snapshot.get("roas") or []
    if not rows:
        return _section("Return on ad spend", "<p>No channel results in this report.</p>", "roas")
    headers = ["Channel", "Spend", "Contribution to revenue", "ROAS", "Marginal ROAS"]
    content = _table("Spend, contribution and return per channel", headers, _roas_rows(rows), {1, 2, 3, 4})
    note = "ROAS is revenue per unit of spend; marginal ROAS is what the next unit of spend returns."
    if any(_has_interval(r.get("roas"), r.get("lower"), r.get("upper")) for r in rows):
        intervals = (snapshot.get("model") or {}).get("intervals")
        note += " Ranges in brackets are 90% intervals." + (f" {_text(intervals)}" if intervals else "")
    channels = (snapshot.get("dataset") or {}).get("channels")
    chart = _chart(roas_bars(_frame(rows, ROAS_COLUMNS), channels=channels), "roas", "Bar chart of ROAS per channel")
    return _section("Return on ad spend", f'{content}<p class="note">{note}</p>{chart}', "roas")


def _contributions_words(snapshot: dict, channels_total: float) -> str:
    revenue, baseline = (snapshot.get("dataset") or {}).get("revenue"), snapshot.get("baseline")
    words = f"The channels brought about {compact_number(channels_total)}"
    if _number(revenue) and revenue:
        share = no_negative_zero(f"{100 * channels_total / revenue:.0f}")
        words += f" of the {compact_number(revenue)} revenue in the data ({share}%)"
    if _number(baseline):
        words += f"; the baseline (trend, season, controls and sales without ads) about {compact_number(baseline)}"
    return f"<p>{words}.</p>"


def _contributions_section(snapshot: dict) -> str:
    rows = [r for r in snapshot.get("roas") or [] if _number(r.get("contribution"))]
    if not rows:
        return _section("Where revenue comes from", "<p>No contributions in this report.</p>", "contributions")
    totals = pd.Series({str(r["channel"]): float(r["contribution"]) for r in rows}, dtype=float)
    if _number(snapshot.get("baseline")):
        totals = pd.concat([pd.Series({"baseline": float(snapshot["baseline"])}), totals])
    fig = contribution_waterfall(totals, [str(r["channel"]) for r in rows])
    if not _number(snapshot.get("baseline")):  # without the baseline the bars add up to the channels only
        fig.data[0].x = [*fig.data[0].x[:-1], "Total from channels"]
    label = f"Waterfall from the baseline through each channel to {TOTAL_LABEL.lower()}"
    words = _contributions_words(snapshot, float(totals.drop("baseline", errors="ignore").sum()))
    return _section("Where revenue comes from", words + _chart(fig, "contributions", label), "contributions")


def _curves_section(snapshot: dict) -> str:
    curves = snapshot.get("curves") or []
    if not curves:
        return _section("Response curves", "<p>No response curves in this report.</p>", "curves")
    recent = {str(k): float(v) for k, v in (snapshot.get("recent_spend") or {}).items() if _number(v)}
    dataset = snapshot.get("dataset") or {}
    per = period_name(dataset.get("frequency"))
    fig = response_curves_figure(
        _frame(curves, CURVE_COLUMNS), recent, channels=dataset.get("channels"), frequency=dataset.get("frequency")
    )
    words = f"<p>Revenue per {per} that each level of spend per {per} brings; markers show recent average spend.</p>"
    return _section("Response curves", words + _chart(fig, "curves", "Line chart of revenue against spend"), "curves")


def _status(status) -> str:
    """A check's status as a word and a symbol on its colour (never colour alone)."""
    word, symbol = STATUS.get(str(status), (str(status), "•"))
    kind = status if status in ("ok", "warn", "fail") else "other"
    return f'<span class="status status-{kind}"><span aria-hidden="true">{symbol}</span> {_text(word)}</span>'


def _checks_section(snapshot: dict) -> str:
    checks = snapshot.get("checks") or []
    if not checks:
        return _section("Checks", "<p>No checks were run for this model.</p>", "checks")
    rows = [
        [_text(c.get("check")), _status(c.get("status")), _text(c.get("detail")), _text(c.get("action"))]
        for c in checks
    ]
    return _section("Checks", _table("The model's checks", ["Check", "Status", "Detail", "What to do"], rows), "checks")


def _plans_shown(plans: list[dict]) -> list[dict]:
    """Each plan's totals as text, written together so that plans compare: 1.410M beside 1.408M, not 1.4M, 1.41M."""
    totals = [plan.get("totals") or {} for plan in plans]
    lifts = [total.get("lift") for total in totals]
    columns = {
        "revenue": _column(totals, "revenue", "revenue_lower", "revenue_upper"),
        "spend": _column(totals, "spend"),
        "roas": _column(totals, "roas", "roas_lower", "roas_upper", as_ratio=True),
        "lift": [f"+{t}" if _number(v) and v > 0 and t != "0" else t for v, t in zip(lifts, _column(totals, "lift"))],
    }
    return [dict(zip(columns, cells)) for cells in zip(*columns.values())]


def _plan_totals(plan: dict, shown: dict, frequency: str | None) -> str:
    totals, periods = plan.get("totals") or {}, plan.get("periods")
    over = f" over {whole(periods)} {period_name(frequency, plural=periods != 1)}" if _number(periods) else ""
    items = [(f"Expected revenue{over}", shown["revenue"]), (f"Spend{over}", shown["spend"]), ("ROAS", shown["roas"])]
    if _number(totals.get("lift")):
        items.append(("Revenue lift", shown["lift"]))
    return '<dl class="totals">' + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in items) + "</dl>"


def _plan_card(plan: dict, shown: dict, frequency: str | None) -> str:
    kind = str(plan.get("kind") or "plan")
    meta = f"{_text(kind[:1].upper() + kind[1:])} · model {_text(plan.get('label'))}"
    if plan.get("saved_at"):
        meta += f" · saved {_text(_when(plan['saved_at']))}"
    channels = plan.get("channels") or []
    mroas = _column(channels, "mroas", as_ratio=True)
    rows = [[_text(c.get("channel")), whole(c.get("spend")), m] for c, m in zip(channels, mroas)]
    headers = ["Channel", f"Spend per {period_name(frequency)}", "Marginal ROAS"]
    table = _table("Spend per channel", headers, rows, {1, 2})
    heading = f'<h3>{_text(plan.get("name"))}</h3><p class="meta">{meta}</p>'
    return f'<article class="plan">{heading}{_plan_totals(plan, shown, frequency)}{table}</article>'


def _plan_spend(plans: list[dict]) -> pd.DataFrame:
    """Spend per channel per period of each plan, tidy, one name per plan (repeats get a number)."""
    records, seen = [], set()
    for number, plan in enumerate(plans, 1):
        name = str(plan.get("name") or f"Plan {number}")
        name = name if name not in seen else f"{name} ({number})"
        seen.add(name)
        for channel in plan.get("channels") or []:
            records.append({"scenario": name, "channel": str(channel.get("channel")), "spend": channel.get("spend")})
    frame = pd.DataFrame(records, columns=["scenario", "channel", "spend"])
    frame["spend"] = pd.to_numeric(frame["spend"], errors="coerce")
    return frame


def _plan_group(heading: str, plans: list[dict], shown: list[dict], name: str, frequency: str | None, note="") -> str:
    """A section of plan cards (their totals ``shown`` as text) with the chart of their spend, per day or week as the
    data's ``frequency``."""
    spend = _plan_spend(plans)
    per = period_name(frequency)
    figure = scenario_spend_figure(spend, f"Spend per {per}, by plan", per=per)
    chart = "" if spend.empty else _chart(figure, name, "Grouped bar chart of spend by plan")
    cards = "".join(_plan_card(plan, text, frequency) for plan, text in zip(plans, shown))
    return _section(heading, note + cards + chart, name)


def _plans_section(snapshot: dict) -> str:
    """The plans made with this model; those made with other models apart, under a heading of their own."""
    plans, others = snapshot.get("plans") or [], snapshot.get("other_plans") or []
    frequency = (snapshot.get("dataset") or {}).get("frequency")  # every plan was made on this data
    shown = _plans_shown([*plans, *others])  # every plan written alike: the two groups compare too
    empty = _section("Plans", f"<p>No plans were saved with this {'model' if others else 'report'}.</p>", "plans")
    own = _plan_group("Plans", plans, shown[: len(plans)], "plans", frequency) if plans else empty
    if not others:
        return own
    return own + _plan_group(OTHER_HEADING, others, shown[len(plans) :], "other-plans", frequency, OTHER_MODELS)
