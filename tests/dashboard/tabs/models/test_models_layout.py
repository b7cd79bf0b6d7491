"""The Models tab's option controls are built from the engine's declared options, at the engine's defaults."""

import pytest

import models
from dashboard.ids import Models
from dashboard.tabs.models.layout import family_panel, models_tab
from tests.dashboard.helpers import components


def option_controls(family: str) -> dict:
    return {c.id: c for c in components(family_panel(family)) if getattr(c, "id", None)}


@pytest.mark.parametrize("family", models.MODEL_NAMES)
def test_ui_option_defaults_equal_the_engines(family):
    controls = option_controls(family)
    constructed = models.model_class(family)().get_params()  # the constructor's own defaults
    specs = models.family_options(family)
    assert specs, "every family offers options"
    for spec in specs:
        control = controls[Models.option(family, spec["name"])]
        assert control.value == constructed[spec["name"]]
        if spec["choices"] is not None:
            assert [o["value"] for o in control.options] == [value for value, _ in spec["choices"]]
        else:
            bounded = not spec["blank"]  # blank only where the family says what it means
            assert control.required is bounded and control.step == 1
            if bounded:
                assert (control.min, control.max) == (spec["minimum"], spec["maximum"])


def test_the_defaults_people_see():
    bayesian = option_controls("bayesian")
    assert bayesian[Models.option("bayesian", "saturation")].value == "hill"  # bends both ways: honest on S-curves
    assert bayesian[Models.option("bayesian", "draws")].value == 1500
    for family in ("lightgbm", "xgboost"):
        trees = option_controls(family)[Models.option(family, "n_estimators")]
        assert trees.value == 300 and not getattr(trees, "placeholder", None)
    ridge = family_panel("ridge")
    trials = option_controls("ridge")[Models.option("ridge", "trials")]
    assert trials.value is None and trials.placeholder == "automatic (200)"
    assert trials.max is None and "1 to 2,000" in str(ridge)  # too many trials reach the engine's check, not "blank"


def test_every_family_has_a_panel():
    ids = {getattr(c, "id", None) for c in components(models_tab())}
    assert all(Models.fit_button(f) in ids and Models.results(f) in ids for f in models.MODEL_NAMES)
