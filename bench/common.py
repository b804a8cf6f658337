"""Tiny timing helpers shared by the benchmarks: medians in ms, printed as ratios to a baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from jeugdmonitor.present import charts


class UrlAssets(charts.Assets):
    """Like the app's session assets: TopoJSON and map tables referred to by URL, not inlined."""

    def geo(self, level: str, text: Callable[[], str], feature: str | None = None) -> dict:
        return charts.topojson_url(f"./@file/{level}.json", feature or level)

    def table(self, key: Any, text: Callable[[], str]) -> dict:
        return {"url": f"./@file/{hash(key)}.json", "format": {"type": "json"}}


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call of `fn()` in milliseconds."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


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
