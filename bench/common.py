"""Tiny timing helpers shared by the benchmarks: medians in ms, printed as ratios to a baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeat: int = 15, warmup: int = 2) -> float:
    """Median wall time of `fn()` in milliseconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def report(rows: list[tuple[str, float]], baseline: str) -> None:
    """Print name, median ms and the ratio to the named baseline row."""
    base = dict(rows)[baseline]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  {'median ms':>10}  {'× ' + baseline:>12}")
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:>10.2f}  {ms / base:>12.2f}")
