"""Warm load of all tables: read + validate + index, against a bare parquet read in the same run.

Run: python bench/bench_store.py   (target: warm open_store < 200 ms)
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from common import median_ms, report  # noqa: E402

from jeugdmonitor.analysis import indicators
from jeugdmonitor.data import store  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data"


def bare_read() -> None:
    """Baseline: read the six parquet files with no checks at all."""
    for name in store.SCHEMAS:
        pl.read_parquet(DATA / f"{name}.parquet")


def main() -> None:
    rows = [
        ("bare pl.read_parquet (baseline)", median_ms(bare_read)),
        ("open_store: read+validate+index", median_ms(lambda: store.open_store(DATA))),
        ("load() again (process cache hit)", median_ms(lambda: store.load(DATA), repeat=1000)),
    ]
    s = store.open_store(DATA)
    rows.append(
        (
            "level_values cold (1 indicator, SWV po)",
            median_ms(lambda: indicators._aggregate(s, "jeugdhulp", "swv_po"), repeat=20),
        )
    )
    report(rows, baseline="bare pl.read_parquet (baseline)")
    warm = dict(rows)["open_store: read+validate+index"]
    print(
        f"\nwarm load of all tables: {warm:.1f} ms (target < 200 ms): {'OK' if warm < 200 else 'TOO SLOW'}"
    )


if __name__ == "__main__":
    main()
