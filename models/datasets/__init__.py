"""Datasets shipped with the engine: the synthetic daily demo and its truth.

The files are written by ``python -m models.datasets.synthetic`` (see ``README.md``
here); this module only locates and reads them, so importing it is cheap.
"""

from __future__ import annotations

import json
from pathlib import Path

DATASETS_DIR = Path(__file__).resolve().parent
DEMO_CSV = DATASETS_DIR / "demo_daily.csv"
DEMO_TRUTH_JSON = DATASETS_DIR / "demo_daily_truth.json"


def load_demo_bytes() -> bytes:
    """Return the raw bytes of ``demo_daily.csv``, as an upload would deliver them.

    Returns
    -------
    bytes
        UTF-8 CSV with columns ``date, google, facebook, youtube, instagram,
        tiktok, other, price, promo, revenue``; one row per day.
    """
    return DEMO_CSV.read_bytes()


def load_demo_truth() -> dict:
    """Return the ground truth of the demo data (``demo_daily_truth.json``).

    Returns
    -------
    dict
        Keys include ``parameters`` (baseline, trend, seasonality, price,
        promo and noise), ``channels`` (per channel: ``alpha``,
        ``half_saturation``, ``slope``, ``beta``, ``total_spend``,
        ``total_contribution``, ``roas``, ``mroas``), ``media_share_of_revenue``,
        ``seed`` and ``description``.
    """
    return json.loads(DEMO_TRUTH_JSON.read_text(encoding="utf-8"))
