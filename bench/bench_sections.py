"""Time rendering every section for one region in-process (target: median < 150 ms).

A render = `build_sections` + every chart's Vega-Lite JSON + the marimo layout of every section
(what a region change in the app costs in the kernel), with maps referring to their TopoJSON and
tables by URL as in the app. Baselines measured in the same run:
- cold: the very first render in the process (loads data, aggregates indicators per level and
  compiles every chart template);
- uncached: warm data, but every chart template rebuilt with Altair on each render (what the
  app would cost without the template cache).

Usage: python bench/bench_sections.py [--regions N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from jeugdmonitor import charts, ui
from jeugdmonitor.regions import get_region
from jeugdmonitor.sections import build_sections
from jeugdmonitor.store import load

TEMPLATES = [
    charts._bars_template,
    charts._trend_template,
    charts._radar_template,
    charts._map_template,
]


class UrlAssets(charts.Assets):
    """Like the app's `ui.SessionAssets`: TopoJSON and map tables referred to by URL."""

    def geo(self, level, text):
        return charts.topojson_url(f"./@file/{level}.json", level)

    def table(self, key, text):
        return {"url": f"./@file/{hash(key)}.json", "format": {"type": "json"}}


ASSETS = UrlAssets()


def render(store, code: str | None) -> int:
    """One region change: sections, chart JSON and marimo layout; returns the output size."""
    region = get_region(store, code) if code else None
    sections = build_sections(store, region, assets=ASSETS)
    size = sum(
        len(f.chart.to_json()) for s in sections.values() for f in s.figures if f.chart is not None
    )
    for section in sections.values():
        ui.section_view(section)
    return size


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--regions", type=int, default=60, help="regions in the warm sample")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()

    load_ms = timed(load)
    store = load()
    cold_ms = timed(lambda: render(store, "GM0363"))

    by_type = store.regions.group_by("type").agg("code").sort("type").rows()
    # warm every level once (first use of a level aggregates its indicators, once per process)
    for _, codes in by_type:
        render(store, codes[0])

    rng = random.Random(args.seed)
    pool = [c for _, codes in by_type for c in codes]
    sample = [None, *rng.sample(pool, min(args.regions, len(pool)))]
    warm = [timed(lambda c=c: render(store, c)) for c in sample]

    def uncached(code):
        for template in TEMPLATES:
            template.cache_clear()
        render(store, code)

    baseline = [timed(lambda c=c: uncached(c)) for c in sample[:10]]

    median = statistics.median(warm)
    p90 = sorted(warm)[int(0.9 * (len(warm) - 1))]
    print(f"load store (once per process):   {load_ms:8.1f} ms")
    print(f"cold first render (GM0363):      {cold_ms:8.1f} ms")
    print(f"uncached templates, median of 10: {statistics.median(baseline):7.1f} ms")
    print(
        f"warm render, {len(warm)} regions:         median {median:6.1f} ms, "
        f"p90 {p90:6.1f} ms, max {max(warm):6.1f} ms"
    )
    print(f"ratio cold / warm median:        {cold_ms / median:8.1f}x")
    print(f"ratio uncached / warm median:    {statistics.median(baseline) / median:8.1f}x")
    print(f"target median < 150 ms:          {'met' if median < 150 else 'NOT met'}")


if __name__ == "__main__":
    main()
