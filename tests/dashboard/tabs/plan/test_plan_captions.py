"""Each chart of the Plan tab has a plain line under it on what it shows and how to read it."""

from dash import dcc, html

from dashboard.ids import Plan
from dashboard.tabs.plan.layout import CHART_CAPTIONS, plan_tab
from tests.dashboard.helpers import components


def test_every_plan_chart_has_its_caption_under_it():
    holders = [c for c in components(plan_tab()) if isinstance(c, html.Div) and isinstance(c.children, list)]
    for graph_id in (Plan.PREDICTION, Plan.INCREMENTAL, Plan.ALLOCATION, Plan.COMPARISON_GRAPH):
        holder = next(h for h in holders if any(isinstance(c, dcc.Graph) and c.id == graph_id for c in h.children))
        assert holder.children[1].children == CHART_CAPTIONS[graph_id]
