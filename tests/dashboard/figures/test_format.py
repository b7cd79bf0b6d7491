"""Numbers as the page shows them: short amounts, intervals whose ends differ when the values do, no "-0"."""

import pytest

from dashboard.figures.format import (
    MISSING_TEXT,
    compact_number,
    compact_numbers,
    interval_text,
    no_negative_zero,
    percent_change,
    ratio,
    ratios,
    signed_whole,
    whole,
)


def test_compact_numbers_keep_the_usual_short_form():
    shown = [compact_number(v) for v in (1_234_567, 35_400, -4_500, 2.1e9, 12.4)]
    assert shown == ["1.2M", "35k", "-4.5k", "2.1B", "12"]
    assert compact_number(None) == compact_number(float("nan")) == compact_number(float("inf")) == MISSING_TEXT


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ((1.7e6, 1.69e6, 1.71e6), "1.70M (90%: 1.69M – 1.71M)"),  # one more digit than usual tells them apart
        ((1.7e6, 1.6999e6, 1.7001e6), "1.7000M (90%: 1.6999M – 1.7001M)"),
        ((1.7e6, 1.2e6, 2.3e6), "1.7M (90%: 1.2M – 2.3M)"),  # already apart: the usual digits
        ((1.7e6, 1.7e6, 1.7e6), "1.7M (90%: 1.7M – 1.7M)"),  # equal values stay equal
        ((350_000, 349_990, 350_020), "350.00k (90%: 349.99k – 350.02k)"),
        ((950, 2_000, 3_000), "0.9k (90%: 2.0k – 3.0k)"),  # one unit for the three, picked by the largest
    ],
)
def test_interval_ends_differ_when_the_values_differ(values, shown):
    assert interval_text(*values) == shown


def test_interval_text_without_an_interval_and_for_ratios():
    assert interval_text(1.7e6) == "1.7M" and interval_text(None, 1, 2) == MISSING_TEXT
    assert interval_text(2.5, 2.495, 2.52, ratios) == "2.500 (90%: 2.495 – 2.520)"
    assert ratios([1.234, 1.2341]) == ["1.2340", "1.2341"] and ratio(1.234) == "1.23"


def test_never_minus_zero():
    assert whole(-0.3) == "0" and signed_whole(-0.4) == "0"
    assert signed_whole(3) == "+3" and signed_whole(-1234) == "-1,234"
    assert ratio(-0.001) == "0.00" and compact_number(-0.0) == "0" and percent_change(-0.0001) == "0.0%"
    assert percent_change(0.034) == "+3.4%" and percent_change(None) == MISSING_TEXT
    assert compact_numbers([-0.01, 5_000]) == ["0.0k", "5.0k"]
    said = "google: each extra 1,000 would add about -0. Spend -0.05 more, -0.00k, x-0, (-0)"
    assert no_negative_zero(said) == "google: each extra 1,000 would add about 0. Spend -0.05 more, 0.00k, x-0, (0)"


def test_nothing_reads_0_not_0k_beside_amounts_of_a_unit():
    """A what-if read "109k (90%: 0k – 294k)"."""
    assert interval_text(109_000.0, 0.0, 294_000.0) == "109k (90%: 0 – 294k)"
    assert compact_numbers([0.0, 1_500_000.0]) == ["0", "1.5M"]
