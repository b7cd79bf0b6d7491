"""Share links: what a share holds (results, never the rows), its token and lifetime, revoking, Clear, and the
``/share/<token>`` page with its own Content-Security-Policy."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from dash import no_update

import models
from dashboard import report
from dashboard.ids import Share
from dashboard.shares import (
    MAX_DAYS,
    MAX_SHARES,
    STORE,
    clear_session,
    create_share,
    list_shares,
    open_share,
    revoke_share,
    stored_name,
)
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.models.comparison import comparison
from dashboard.tabs.models.fits import load_fit, load_model
from dashboard.tabs.plan.saved import add_scenario
from dashboard.tabs.share.callbacks import (
    STAGES,
    change_links,
    chosen_family,
    download_report,
    share_choices,
    share_page,
    show_links,
)
from dashboard.tabs.share.snapshot import NothingToShare, build_snapshot, cautions, largest_spender
from dashboard.tabs.share.views import link_list
from tests.dashboard.helpers import triggered

SNAPSHOT = {"model": {"label": "Ridge (Robyn-style)"}, "roas": []}


def test_a_share_holds_results_and_never_the_rows(compared):
    app, _token, sid, version = compared
    store = app.session_store
    snapshot = build_snapshot(store, sid)
    frame = load_dataset(store, sid).frame
    text = json.dumps(snapshot)
    dates = frame["date"].dt.strftime("%Y-%m-%d")
    assert sum(d in text for d in dates) == 2  # the first and last dates only
    revenue = frame["revenue"]
    assert not any(f"{v!r}" in text for v in revenue.head(50).astype(float)), "no row's revenue"
    assert (
        snapshot["model"]["recommended"]
        and snapshot["model"]["family"] == comparison(store, sid, version)["recommended"]
    )
    assert {r["channel"] for r in snapshot["roas"]} == set(snapshot["dataset"]["channels"])
    assert snapshot["dataset"]["rows"] == len(frame) and snapshot["checks"]
    assert any("per unit spent" in h for h in snapshot["headlines"])
    move = snapshot["headlines"][-1]  # the best 10% move by the model's what-if, or that none adds revenue
    assert re.fullmatch(
        r"Moving 10% of \w+'s budget to \w+ adds about \+\d+\.\d% revenue over the next 28 days\.", move
    ) or (move.startswith("No move of 10%")), move
    other = build_snapshot(store, sid, "xgboost" if snapshot["model"]["family"] != "xgboost" else "ridge")
    assert other["model"]["recommended"] is False and other["model"]["reason"] == ""
    assert other["model"]["recommended_model"] == snapshot["model"]["label"] == snapshot["model"]["recommended_model"]


def test_the_headlines_name_the_largest_budget_when_its_roas_is_not_among_the_best(compared):
    app, _token, sid, version = compared
    store = app.session_store
    fitted = load_model(store, sid, "ridge", version)
    roas = load_fit(store, sid, "ridge", version).tables["roas"]
    recent = fitted.recent_spend()
    top = recent.idxmax()
    others = set(roas.channel) - {top}
    sentence = largest_spender(fitted, roas, others)  # the ROAS headlines named every channel but the largest
    row = roas.set_index("channel").loc[top]
    share = recent[top] / recent[recent > 0].sum()
    assert sentence.startswith(f"{top}, the largest budget ({share:.0%} of recent spend), returns about ")
    assert f"{row.roas:.2f}" in sentence and sentence.endswith("per unit spent.")
    assert largest_spender(fitted, roas, {top}) is None  # already named: not repeated
    headlines = build_snapshot(store, sid, "ridge")["headlines"]
    assert sum(h.startswith(f"{top} ") or h.startswith(f"{top},") for h in headlines) == 1, headlines


def test_nothing_to_share_without_data_or_fit(demo):
    _app, store, token = demo
    with pytest.raises(NothingToShare, match="Fit a model"):
        build_snapshot(store, store.session_id(token))
    with pytest.raises(NothingToShare, match="Load your data"):
        build_snapshot(store, store.session_id(store.new_session()))


def test_links_are_random_expire_and_are_listed_until_revoked(demo):
    _app, store, token = demo
    sid = store.session_id(token)
    first, second = (create_share(store, sid, SNAPSHOT, 7) for _ in range(2))
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", first["token"]) and first["token"] != second["token"]  # 192 bits
    assert open_share(store, first["token"])["expires"] == first["expires"]
    assert [r["token"] for r in list_shares(store, sid)] == [first["token"], second["token"]]
    revoke_share(store, sid, first["token"])
    assert open_share(store, first["token"]) is None and open_share(store, second["token"]) is not None
    assert [r["token"] for r in list_shares(store, sid)] == [second["token"]]
    stranger = store.session_id(store.new_session())
    revoke_share(store, stranger, second["token"])  # not its link: nothing happens
    assert open_share(store, second["token"]) is not None
    week_ago = datetime.now(UTC) - timedelta(days=8)
    create_share(store, sid, SNAPSHOT, 7, now=week_ago)  # listed as expired: left out
    assert len(list_shares(store, sid)) == 1


@pytest.mark.parametrize("days", [0, MAX_DAYS + 1, 2.5, "soon", None])
def test_a_lifetime_out_of_range_is_refused_in_words(demo, days):
    _app, store, token = demo
    with pytest.raises(ValueError, match="days"):
        create_share(store, store.session_id(token), SNAPSHOT, days)


def test_a_session_keeps_a_bounded_number_of_links(demo):
    _app, store, token = demo
    sid = store.session_id(token)
    for _ in range(MAX_SHARES):
        create_share(store, sid, SNAPSHOT, 1)
    with pytest.raises(ValueError, match="revoke one first"):
        create_share(store, sid, SNAPSHOT, 1)


def test_clear_revokes_every_link_and_the_stored_names_hide_the_tokens(demo, settings):
    _app, store, token = demo
    sid = store.session_id(token)
    record = create_share(store, sid, SNAPSHOT, 7)
    on_disk = " ".join(p.name + p.read_bytes().decode("latin-1") for p in settings.cache_dir.rglob("*") if p.is_file())
    assert record["token"] not in " ".join(p.name for p in settings.cache_dir.rglob("*"))
    assert "Ridge (Robyn-style)" in on_disk  # the snapshot is there, under a name that opens nothing
    clear_session(store, sid)
    assert open_share(store, record["token"]) is None and list_shares(store, sid) == []


@pytest.mark.parametrize("token", ["", "x" * 32 + "/..", "a" * 31, "<script>", "a" * 500])
def test_malformed_tokens_open_nothing(demo, token):
    _app, store, _token = demo
    assert open_share(store, token) is None


def test_the_share_page_shows_the_report_under_its_own_policy(compared):
    app, token, sid, _version = compared
    store = app.session_store
    snapshot = build_snapshot(store, sid)
    record = create_share(store, sid, snapshot, 7)
    # Links to reports of two uploads tell apart: the list names the data each was made from.
    assert record["data"] == snapshot["dataset"]["name"] and record["data"]
    listed = str(link_list(list_shares(store, sid)))
    assert record["data"] in listed and "'Data'" in listed
    with app.server.test_request_context():
        response = share_page(store, record["token"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Media mix report" in page and record["expires"] in page
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert policy.count("'sha256-") >= 3  # one per chart
    client = app.server.test_client()
    served = client.get(f"/share/{record['token']}")
    assert served.status_code == 200 and served.headers["Content-Security-Policy"] == policy
    assert served.headers["Cache-Control"] == "no-store" and served.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/_report/plotly.min.js").status_code == 200
    revoke_share(store, sid, record["token"])
    gone = client.get(f"/share/{record['token']}")
    assert gone.status_code == 404 and "revoked" in gone.get_data(as_text=True)
    assert "Ridge" not in gone.get_data(as_text=True) and token not in gone.get_data(as_text=True)


def test_an_expired_share_shows_the_clear_page(demo):
    app, store, token = demo
    record = create_share(store, store.session_id(token), SNAPSHOT, 1)
    name = stored_name(record["token"])  # its stored copy now expires in 1 s instead of a day
    store.put_transient(STORE, name, store.get_transient(STORE, name), timeout=1)
    time.sleep(1.5)
    response = app.server.test_client().get(f"/share/{record['token']}")
    assert response.status_code == 404 and "expired" in response.get_data(as_text=True)


def test_the_tab_lists_the_fitted_models_recommended_first(compared):
    app, token, sid, version = compared
    store = app.session_store
    options, value = share_choices(store, {"version": version}, None, None, None, None, None, token)
    assert options[0]["label"].endswith("(recommended)") and value == options[0]["value"]
    recommended = comparison(store, sid, version)["recommended"]
    assert {chosen_family(o["value"]) or recommended for o in options} == {"ridge", "xgboost"}
    assert share_choices(store, None, None, None, None, None, None, token) == ([], None)


def test_create_then_revoke_from_the_tab(compared):
    app, token, sid, _version = compared
    store = app.session_store
    with app.server.test_request_context(base_url="https://mmm.example.com"):
        message, revision = triggered(Share.CREATE, change_links, store, 1, [], "ridge", 7, 0, token)
    assert revision == 1
    url = re.search(r"https://mmm\.example\.com/share/[A-Za-z0-9_-]{32}", str(message)).group(0)
    shared = url.rsplit("/", 1)[1]
    assert shared in str(show_links(store, 1, None, token))
    with app.server.test_request_context():
        _message, revision = triggered(Share.revoke(shared), change_links, store, 1, [1], "ridge", 7, 1, token)
    assert revision == 2 and open_share(store, shared) is None
    with app.server.test_request_context():
        refused, unchanged = triggered(Share.CREATE, change_links, store, 2, [], "ridge", 99, 2, token)
    assert "whole days" in str(refused) and unchanged is no_update


def test_the_report_download_is_one_self_contained_file(compared):
    app, token, _sid, _version = compared
    download, _message = download_report(app.session_store, 1, None, token)
    assert download["filename"].endswith(".html") and "<script src=" not in download["content"]
    assert len(download["content"]) > 1_000_000  # plotly.js is inside


def session_with(store, sid: str, names) -> str:
    """A new session (its token) holding a copy of these of ``sid``'s entries: its data and some of its fits."""
    token = store.new_session()
    for name in names:
        store.put(store.session_id(token), name, store.get(sid, name))
    return token


def test_the_choice_follows_the_recommendation_until_the_user_picks_a_model(compared):
    """The first fit, chosen while it was the only one, gives way to a better model fitted later (its link is
    made for the better one); a model the user picks stays chosen until its fit is gone."""
    app, _token, sid, version = compared
    store = app.session_store
    best = comparison(store, sid, version)["recommended"]
    first = next(family for family in ("ridge", "xgboost") if family != best)
    token = session_with(store, sid, ["dataset", f"fit:{first}"])  # after its first fit: the data and that fit
    session = store.session_id(token)

    def choose(chosen) -> tuple:
        """The dropdown's options and value, and the label of the option it shows."""
        options, value = share_choices(store, {"version": version}, *[None] * len(STAGES), chosen, token)
        return options, value, next(o["label"] for o in options if o["value"] == value)

    _options, value, label = choose(None)
    assert label.endswith("(recommended)")  # the only fit
    store.put(session, f"fit:{best}", store.get(sid, f"fit:{best}"))  # a better model is fitted next
    options, value, label = choose(value)
    assert label == options[0]["label"] and label.endswith("(recommended)"), label
    with app.server.test_request_context():
        triggered(Share.CREATE, change_links, store, 1, [], value, 7, 0, token)
    assert [r["model"] for r in list_shares(store, session)] == [label.removesuffix(" (recommended)")]
    _options, value, label = choose(first)  # the user picks the other model
    assert value == first and not label.endswith("(recommended)")
    store.delete(session, f"fit:{first}")
    assert choose(value)[2].endswith("(recommended)")  # its fit is gone: the recommended one again


def test_a_report_sets_apart_the_plans_made_with_other_models(compared):
    app, _token, sid, version = compared
    store = app.session_store
    session = store.session_id(session_with(store, sid, ["dataset", "fit:ridge", "fit:xgboost"]))
    for family in ("ridge", "xgboost"):
        scenario = {"family": family, "label": models.LABELS[family], "version": version, "kind": "what-if"}
        add_scenario(store, session, f"{family} mix", scenario | {"periods": 28, "channels": [], "totals": {}})
    snapshot = build_snapshot(store, session, "ridge")
    assert [p["name"] for p in snapshot["plans"]] == ["ridge mix"]
    assert [p["name"] for p in snapshot["other_plans"]] == ["xgboost mix"]
    page = report.render_report(snapshot, "/plotly.min.js")
    own, others = (re.search(rf'<section id="{n}".*?</section>', page, re.DOTALL)[0] for n in ("plans", "other-plans"))
    assert "ridge mix" in own and "xgboost mix" not in own
    assert "Plans saved with other models" in others and "xgboost mix" in others and "ridge mix" not in others


def test_failed_checks_come_first_in_words(compared):
    app, _token, sid, version = compared
    checks = load_fit(app.session_store, sid, "ridge", version).tables["checks"]  # the fitted model's checks()
    assert set(checks.columns) >= {"check", "status", "detail", "action"} and len(checks) >= 3
    failing = checks.assign(status=["fail", "warn", "fail", *["ok"] * (len(checks) - 3)])
    names = f"{checks.check[0]}, {checks.check[2]}"
    assert cautions(failing) == [f"2 of this model's checks fail ({names}): treat its ROAS with caution."]
    one = checks.assign(status=["fail", *["ok"] * (len(checks) - 1)])
    assert cautions(one) == [f"1 of this model's checks fails ({checks.check[0]}): treat its ROAS with caution."]
    assert cautions(checks.assign(status="ok")) == [] and cautions(None) == []
    unconverged = pd.DataFrame({"check": ["Convergence"], "status": ["fail"]})  # its own words, not softened
    assert cautions(unconverged) == [
        "1 of this model's checks fails (Convergence): do not act on its numbers until its sampler converges."
    ]
