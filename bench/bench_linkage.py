"""Bench: school linkage at national scale (≈2.5 M pupils and ≈500 k trajectories a year, 5 years).

Measures, each in its own fresh process so peak memory (ru_maxrss) belongs to that step alone:
1. generating the national synthetic extracts (parquet; skipped when they already exist);
2. the baseline: the same pipeline on the default mid-sized gemeente (≈15 k pupils a year),
   read from parquet like the national run, median of three runs;
3. the national run: validation + pseudonymisation + linkage + all seven indicators +
   complementary suppression + publication tables (`pipeline.run`), with a stage breakdown.

Baseline choice: the same code on the default gemeente is what a user runs every day; comparing
time per input row tells whether the lazy/streaming design keeps its per-row cost when the input
grows ~170×, which a naive pipeline would not (per-row Python HMAC and validation alone would cost
~15 s per 15 M rows). Targets for the national run: < 60 s wall time and < 8 GB peak memory on the
2-core machine. Timings are printed as figures and ratios; nothing is asserted.

Usage: python bench/bench_linkage.py [--data DIR] [--regenerate]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0
TARGET_GB = 8.0
KEY = b"bench-only-key-" + b"0" * 32  # an ephemeral key: the data are synthetic


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB → GB


def _generate(folder: str, queue) -> None:
    from jeugdmonitor.analysis.linkage import synthetic

    start = time.perf_counter()
    manifest = synthetic.generate(folder, "national", formats=("parquet",))
    queue.put({"seconds": time.perf_counter() - start, "peak_gb": _peak_gb(), "manifest": manifest})


def _run(enrolment, jeugdhulp, queue) -> None:
    import polars as pl

    from jeugdmonitor.analysis.linkage import pipeline, synthetic

    with tempfile.TemporaryDirectory(prefix="jeugdmonitor-bench-") as tmp:
        if enrolment is None:  # the baseline: default gemeente, written as parquet before timing
            synthetic.generate(tmp, "gemeente", formats=("parquet",))
            enrolment, jeugdhulp = f"{tmp}/inschrijvingen.parquet", f"{tmp}/jeugdhulp.parquet"
        rows = {
            "inschrijvingen": pl.scan_parquet(enrolment).select(pl.len()).collect().item(),
            "jeugdhulp": pl.scan_parquet(jeugdhulp).select(pl.len()).collect().item(),
        }
        stages: dict[str, float] = {}
        start = time.perf_counter()
        result = pipeline.run(enrolment, jeugdhulp, KEY, timings=stages)
        seconds = time.perf_counter() - start
    queue.put(
        {
            "seconds": seconds,
            "peak_gb": _peak_gb(),
            "stages": stages,
            "rows": rows,
            "published_rows": {k: v.height for k, v in result.tables.items()},
            "rejected": result.rejects.height,
        }
    )


def _in_child(target, *args) -> dict:
    """Run `target` in a fresh spawned process and return what it reports."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"{target.__name__} failed with exit code {proc.exitcode}")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/tmp/jeugdmonitor-bench-national"))
    ap.add_argument("--regenerate", action="store_true", help="regenerate the national extracts")
    args = ap.parse_args()
    enrolment, jeugdhulp = args.data / "inschrijvingen.parquet", args.data / "jeugdhulp.parquet"
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")

    if args.regenerate or not (enrolment.is_file() and jeugdhulp.is_file()):
        gen = _in_child(_generate, str(args.data))
        rows = gen["manifest"]["rijen"]
        sizes = sum(p.stat().st_size for p in args.data.glob("*.parquet")) / 1024**2
        print(
            f"generate national: {gen['seconds']:.1f} s, peak {gen['peak_gb']:.2f} GB, "
            f"{rows['inschrijvingen']:,} enrolment rows, {rows['jeugdhulp']:,} jeugdhulp rows, "
            f"{gen['manifest']['scholen']:,} schools, {sizes:.0f} MB parquet"
        )
    else:
        print(f"generate national: skipped (re-using {args.data}; pass --regenerate to time it)")

    base_runs = [_in_child(_run, None, None) for _ in range(3)]
    base = sorted(base_runs, key=lambda r: r["seconds"])[1]
    base_rows = sum(base["rows"].values())
    print(
        f"baseline (default gemeente, median of 3): {statistics.median(r['seconds'] for r in base_runs):.2f} s, "
        f"peak {base['peak_gb']:.2f} GB, {base_rows:,} input rows"
    )

    national = _in_child(_run, str(enrolment), str(jeugdhulp))
    rows = sum(national["rows"].values())
    print(
        f"national run: {national['seconds']:.1f} s, peak {national['peak_gb']:.2f} GB, "
        f"{rows:,} input rows, {national['rejected']:,} rejected rows, "
        f"published {json.dumps(national['published_rows'])}"
    )
    for stage, seconds in national["stages"].items():
        print(f"  {stage:<26} {seconds:6.1f} s  ({seconds / national['seconds']:.0%})")

    per_row_base = base["seconds"] / base_rows
    per_row_national = national["seconds"] / rows
    print(
        f"ratios national / baseline: input rows ×{rows / base_rows:.0f}, "
        f"wall time ×{national['seconds'] / base['seconds']:.0f}, "
        f"time per input row ×{per_row_national / per_row_base:.2f}, "
        f"peak memory ×{national['peak_gb'] / base['peak_gb']:.1f}"
    )
    ok_time = national["seconds"] < TARGET_SECONDS
    ok_memory = national["peak_gb"] < TARGET_GB
    print(
        f"targets: wall time {national['seconds']:.1f} s < {TARGET_SECONDS:.0f} s "
        f"{'MET' if ok_time else 'MISSED'} ({national['seconds'] / TARGET_SECONDS:.2f} of target); "
        f"peak {national['peak_gb']:.2f} GB < {TARGET_GB:.0f} GB {'MET' if ok_memory else 'MISSED'} "
        f"({national['peak_gb'] / TARGET_GB:.2f} of target)"
    )


if __name__ == "__main__":
    main()
