"""read_upload on public MMM datasets (copied into tests/data/public/).

None of these tests is skipped: a missing file is a failure, because the
detected roles on real-world files are the point of this module.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from models.data import Limits, read_upload

PUBLIC = Path(__file__).resolve().parents[2] / "data" / "public"  # tests/data/public


def raw(name: str) -> bytes:
    path = PUBLIC / name
    assert path.is_file(), f"{path} is missing: the public datasets must be copied into {PUBLIC}"
    return path.read_bytes()


def load(name: str, limits: Limits | None = None):
    return read_upload(raw(name), name, limits)


def check_frame(upload) -> None:
    frame = upload.frame
    date = upload.roles["date"]
    assert set(upload.roles) == {"date", "target", "channels", "controls"}
    assert pd.api.types.is_datetime64_any_dtype(frame[date])
    assert frame[date].is_monotonic_increasing
    assert frame[date].is_unique
    for col in [upload.roles["target"], *upload.roles["channels"], *upload.roles["controls"], *upload.ignored]:
        assert col in frame.columns, col
        assert frame[col].dtype == "float64", (col, frame[col].dtype)
    assigned = [upload.roles["target"], *upload.roles["channels"], *upload.roles["controls"]]
    assert len(assigned) == len(set(assigned)), "a column got two roles"
    assert not set(assigned) & set(upload.ignored)


def test_robyn_simulated_weekly():
    upload = load("robyn_simulated_weekly.csv")
    check_frame(upload)
    assert upload.roles["date"] == "DATE"
    assert upload.roles["target"] == "revenue"
    channels = upload.roles["channels"]
    for col in ["tv_S", "ooh_S", "print_S", "facebook_S", "search_S"]:
        assert col in channels, channels
    assert "facebook_I" not in channels
    assert "search_clicks_P" not in channels
    assert "competitor_sales_B" not in channels
    assert upload.frequency == "weekly"
    assert upload.sheet is None


def test_pymc_marketing_example():
    upload = load("pymc_marketing_example.csv")
    check_frame(upload)
    assert upload.roles["date"] == "date_week"
    assert upload.roles["target"] == "y"
    assert sorted(upload.roles["channels"]) == ["x1", "x2"]
    assert upload.frequency == "weekly"


def test_meridian_national():
    upload = load("meridian_national.csv")
    check_frame(upload)
    assert upload.roles["date"] == "time"
    assert upload.roles["target"] == "conversions"
    assert upload.frequency == "weekly"
    assert sorted(upload.roles["channels"]) == [f"Channel{i}_spend" for i in range(5)]
    assert "revenue_per_conversion" != upload.roles["target"]
    impressions = [c for c in upload.frame.columns if "impression" in c.lower()]
    assert impressions, "expected impression columns to be kept in the frame"
    for col in impressions:
        assert col not in upload.roles["channels"]
        assert col not in upload.roles["controls"]


def test_razaqabdi_uk_weekly():
    upload = load("razaqabdi_uk_weekly.csv")
    check_frame(upload)
    assert upload.roles["date"] == "date"
    assert upload.frequency == "weekly"
    assert upload.roles["target"] == "revenue"
    assert sorted(upload.roles["channels"]) == sorted(["tv", "paid_search", "paid_social", "display"])
    for col in ["price_index", "promo"]:
        assert col in upload.roles["controls"], upload.roles["controls"]


def test_mmm_stan_case_study_80_columns_are_read_with_the_default_limits():
    upload = load("mmm_stan_case_study.csv")
    check_frame(upload)
    assert len(upload.frame.columns) == 80
    assert len(upload.roles["channels"]) + len(upload.roles["controls"]) <= Limits().max_columns
    assert len(upload.ignored) >= 18  # impressions (mdip_*) and helpers stay unused


def test_mmm_stan_case_study_with_few_roles_allowed_leaves_the_rest_unused():
    upload = load("mmm_stan_case_study.csv", Limits(max_columns=12))
    check_frame(upload)
    assert len(upload.roles["channels"]) + len(upload.roles["controls"]) == 12
    assert any("at most 12 can be used together" in w for w in upload.warnings), upload.warnings


def test_mmm_stan_case_study_with_raised_column_limit():
    upload = load("mmm_stan_case_study.csv", Limits(max_columns=100))
    check_frame(upload)
    assert upload.roles["date"] == "wk_strt_dt"
    assert upload.roles["target"] == "sales"
    assert upload.frequency == "weekly"
    mdsp = [c for c in upload.frame.columns if c.startswith("mdsp_")]
    assert mdsp, "expected mdsp_* spend columns"
    assert sorted(upload.roles["channels"]) == sorted(mdsp)
    assert not [c for c in upload.roles["channels"] if c.startswith("mdip_")]
