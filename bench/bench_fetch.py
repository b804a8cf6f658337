"""Fetch from a mirror (multi-year tables 2020-2024 and the real yearly jeugdzorg tables 2021-2022, found
through the mirror's catalogue), the plan alone, and CSV import, against a warm open_store of the same data in
the same run.

Run: python bench/bench_fetch.py
Each measure works on a fresh copy of data/ in a temporary folder (the copy is not timed).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from cbs_fixture import odata_tables, write_mirror  # noqa: E402
from common import median_ms, report  # noqa: E402

from jeugdmonitor.analysis.update import run_fetch, run_import  # noqa: E402
from jeugdmonitor.data import store  # noqa: E402
from jeugdmonitor.data.sources import cbs  # noqa: E402
from jeugdmonitor.data.sources.csv_import import LONG_COLUMNS  # noqa: E402

DATA = HERE.parent / "data"
YEARS = [2020, 2021, 2022, 2023, 2024]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
    try:
        specs = cbs.load_mapping(
            None,
            set(pl.read_parquet(DATA / "catalogue.parquet")["indicator"]),
            set(pl.read_parquet(DATA / "breakdowns.parquet")["breakdown"]),
        )
        mirror = write_mirror(
            work / "mirror",
            odata_tables(specs, pl.read_parquet(DATA / "population.parquet"), YEARS),
        )
        rows = pl.read_parquet(DATA / "indicators.parquet").filter(
            (pl.col("indicator") == "armoede")
            & (pl.col("year") == 2023)
            & (pl.col("breakdown") == "all")
        )
        csv = work / "armoede.csv"
        rows.with_columns(source=pl.lit("bench")).select(LONG_COLUMNS).write_csv(csv)

        def fresh() -> Path:
            target = work / "data"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(DATA, target)
            return target

        def timed(fn):
            def run():
                target = fresh()
                return fn(target)

            return run

        quiet = {"progress": lambda _: None}
        results = [
            (
                "open_store: read+validate (baseline)",
                median_ms(lambda: store.open_store(DATA), repeat=7),
            ),
            ("copy data/ (overhead inside each run)", median_ms(timed(lambda d: None), repeat=7)),
            (
                "fetch mirror 5 years, no maps",
                median_ms(
                    timed(
                        lambda d: run_fetch(
                            d, mirror=mirror, fetch_maps=False, use_crosswalk=True, **quiet
                        )
                    ),
                    repeat=5,
                ),
            ),
            (
                "fetch --plan (catalogue only)",
                median_ms(
                    timed(lambda d: run_fetch(d, mirror=mirror, plan_only=True, **quiet)), repeat=5
                ),
            ),
            (
                "fetch mirror 5 years + maps",
                median_ms(
                    timed(lambda d: run_fetch(d, mirror=mirror, use_crosswalk=True, **quiet)),
                    repeat=5,
                ),
            ),
            ("import CSV, 342 rows", median_ms(timed(lambda d: run_import(csv, d)), repeat=5)),
        ]
        report(results, baseline="open_store: read+validate (baseline)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
