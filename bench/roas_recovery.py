"""ROAS recovery on the shipped demo data (known truth), per family and channel (not a test).

Run: ``OMP_WAIT_POLICY=passive PYTHONPATH=. .venv/bin/python bench/roas_recovery.py``
"""

from __future__ import annotations

import numpy as np

import models
from models.data import read_upload
from models.datasets import load_demo_bytes, load_demo_truth


def main() -> None:
    upload = read_upload(load_demo_bytes(), "demo_daily.csv")
    truth = load_demo_truth()["channels"]
    channels = upload.roles["channels"]
    estimates = {
        name: models.fit(name, upload.frame, upload.roles).roas().set_index("channel") for name in models.MODEL_NAMES
    }
    print("| channel | true ROAS | " + " | ".join(models.MODEL_NAMES) + " |")
    print("|---|---|" + "---|" * len(models.MODEL_NAMES))
    for channel in channels:
        cells = [f"{estimates[n].loc[channel, 'roas']:.2f}" for n in models.MODEL_NAMES]
        print(f"| {channel} | {truth[channel]['roas']:.2f} | " + " | ".join(cells) + " |")
    errors = [
        f"{np.median([abs(estimates[n].loc[c, 'roas'] / truth[c]['roas'] - 1) for c in channels]):.0%}"
        for n in models.MODEL_NAMES
    ]
    print("| **median abs. error** | | " + " | ".join(errors) + " |")


if __name__ == "__main__":
    main()
