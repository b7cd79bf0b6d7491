"""The Explore tab explains its measures where they appear: VIF under the collinearity chart, correlation under
the heatmap and the standard deviation in the statistics table, each with an ⓘ button whose words come from the
glossary; no two components of the tab share an id."""

from collections import Counter

from dash import html

from dashboard.tabs.data.state import load_dataset
from dashboard.tabs.explore.callbacks import overview
from dashboard.tabs.explore.layout import explore_tab
from dashboard.ui import GLOSSARY
from tests.dashboard.helpers import components, help_buttons, string_ids


def test_vif_and_correlation_captions_have_help_buttons():
    layout = explore_tab()
    assert help_buttons(layout) == {
        "VIF": ("explore-help-vif", GLOSSARY["VIF"]),
        "Correlation": ("explore-help-correlation", GLOSSARY["correlation"]),
    }
    assert "variance inflation factor" in GLOSSARY["VIF"].lower() and "5 to 10" in GLOSSARY["VIF"]
    captions = [c for c in components(layout) if "chart-caption" in getattr(c, "className", "")]
    assert len(captions) == 2 and "dashed line at 10" in str(captions[0])


def test_the_statistics_table_explains_the_standard_deviation_and_ids_stay_unique(demo):
    _, store, token = demo
    summary = load_dataset(store, store.session_id(token)).summary()
    stats = overview(store, summary, token)[3]
    assert help_buttons(stats) == {"std": ("explore-stats-help-std", GLOSSARY["std"])}
    headers = [h.children for h in components(stats) if isinstance(h, html.Th)]
    assert "median" in headers and "total" in headers and len(headers) == len(set(map(str, headers)))
    cells = [c.children for c in components(stats) if isinstance(c, html.Td)]
    assert "google" in cells and "channel" in cells  # the rows as before: a column's name, its role, its numbers
    every = string_ids(explore_tab(), stats)
    assert not [i for i, n in Counter(every).items() if n > 1]
