"""Benchmark: how long read_upload and the session store take on the largest accepted tables.

Run: PYTHONPATH=. .venv/bin/python bench/read_upload.py   (record the output in bench/RESULTS.md)
"""

from __future__ import annotations

import io
import platform
import time

import numpy as np
import pandas as pd

from dashboard.store import decode_dataset, encode_dataset
from models.data import Limits, read_upload


def make_frame(rows: int, channels: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"date": pd.date_range("1970-01-01", periods=rows, freq="D").strftime("%Y-%m-%d")})
    for i in range(channels):
        frame[f"channel_{i}_spend"] = rng.gamma(2.0, 500.0, rows).round(2)
    frame["price"] = rng.normal(20, 1, rows).round(2)
    frame["revenue"] = rng.normal(50_000, 5_000, rows).round(2)
    return frame


def timed(label: str, func, repeat: int = 3) -> None:
    best = min(_once(func) for _ in range(repeat))
    print(f"| {label} | {best * 1000:,.0f} ms |")


def _once(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    print(f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print("| case | best of 3 |\n|---|---|")
    limits = Limits(max_bytes=50_000_000)
    small = make_frame(1_096, 6).to_csv(index=False).encode()
    timed(f"CSV 1,096 rows x 9 cols ({len(small) / 1e3:,.0f} KB)", lambda: read_upload(small, "s.csv"))
    big = make_frame(20_000, 57)
    plain = big.to_csv(index=False).encode()
    timed(f"CSV 20,000 rows x 60 cols ({len(plain) / 1e6:.1f} MB)", lambda: read_upload(plain, "b.csv", limits))
    euro = big.to_csv(index=False, sep=";", decimal=",").encode()
    timed("CSV 20,000 x 60, semicolons + decimal commas", lambda: read_upload(euro, "e.csv", limits))
    money = big.assign(**{c: "$" + big[c].map("{:,.2f}".format) for c in big.columns[1:7]})
    currency = money.to_csv(index=False).encode()
    timed("CSV 20,000 x 60, 6 columns as '$1,234.56'", lambda: read_upload(currency, "m.csv", limits))
    sink = io.BytesIO()
    make_frame(5_000, 20).to_excel(sink, index=False)
    xlsx = sink.getvalue()
    timed(f"XLSX 5,000 rows x 23 cols ({len(xlsx) / 1e6:.1f} MB)", lambda: read_upload(xlsx, "x.xlsx"), repeat=1)
    upload = read_upload(plain, "b.csv", limits)
    blob = encode_dataset(upload.frame, {"roles": upload.roles})
    timed(
        f"store encode 20,000 x 60 to parquet ({len(blob) / 1e6:.1f} MB)",
        lambda: encode_dataset(upload.frame, {"roles": upload.roles}),
    )
    timed("store decode 20,000 x 60 from parquet", lambda: decode_dataset(blob))


if __name__ == "__main__":
    main()
