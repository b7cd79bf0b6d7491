"""What the data panel says about an upload: the sheet read, one well-formed message per upload, warnings
in words, and role choices over the limit refused."""

import io

import numpy as np
import pandas as pd
from dash import no_update

from dashboard.tabs.data.callbacks import change_roles, clear_role_message, ingest, show_dataset
from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.data.views import warning_list
from models.datasets import load_demo_bytes
from tests.dashboard.helpers import notes_then_data


def demo_frame(rows: int = 60) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(load_demo_bytes())).head(rows)


def texts(component) -> list[str]:
    """Every text node under a component, in order."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    if children is None:
        return []
    if not isinstance(children, (list, tuple)):
        children = [children]
    return [text for child in children for text in texts(child)]


def session(app):
    store = app.session_store
    token = store.new_session()
    return store, token, store.session_id(token)


def test_what_was_read_names_the_sheet_of_a_workbook(app, settings):
    store, _, sid = session(app)
    summary, message, _ = ingest(store, sid, notes_then_data(demo_frame()), "export.xlsx", settings)
    assert summary["sheet"] == "Data"
    assert ["Sheet", "Data"] == [t for t in texts(show_dataset(summary)[0]) if t in ("Sheet", "Data")]
    assert "Read sheet 'Data' (the first sheet with dates; others: Notes)." in texts(message)


def test_the_upload_message_is_one_sentence_not_split_at_the_file_name(app, settings):
    store, _, sid = session(app)
    frame = demo_frame().rename(columns={"revenue": "conversions"})
    _, message, _ = ingest(store, sid, frame.to_csv(index=False).encode(), "robyn_simulated_weekly.csv", settings)
    shown = texts(message)
    assert shown[0] == "Read robyn_simulated_weekly.csv. Please check this:", shown
    assert not any(t.strip().startswith(".") for t in shown)
    assert any("The target 'conversions' looks like a count" in t for t in shown)
    several = texts(warning_list(["a", "b"], "Read x.csv."))
    assert several[:3] == ["Read x.csv. Please check these 2 points:", "a", "b"]
    assert texts(warning_list([], "Read x.csv.")) == ["Read x.csv."]


def test_wide_file_lists_the_extra_columns_as_not_used(app, settings):
    store, _, sid = session(app)
    frame = demo_frame()
    rng = np.random.default_rng(0)
    for i in range(80 - len(frame.columns)):
        frame[f"col_{i}_clicks"] = rng.uniform(0, 100, len(frame))
    summary, message, _ = ingest(store, sid, frame.to_csv(index=False).encode(), "wide.csv", settings)
    assert summary is not no_update and len(summary["columns"]) == 79
    assert "col_0_clicks" in summary["ignored"]
    assert "danger" not in str(message)


def test_a_role_choice_over_the_limit_is_refused_in_words(demo):
    _, store, token = demo
    dataset = load_dataset(store, store.session_id(token))
    roles = dataset.roles
    summary, message = change_roles(
        store, roles["target"], roles["channels"], roles["controls"][:1], roles["date"], token, max_roles=3
    )
    assert summary is no_update and "at most 3 can be used together" in str(message)
    assert load_dataset(store, store.session_id(token)).version == dataset.version


def test_a_new_upload_the_demo_or_clear_removes_the_last_role_message():
    assert clear_role_message({"filename": "new.csv"}, None, None) is None
