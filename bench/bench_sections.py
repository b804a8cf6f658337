"""Time rendering every section for one region in-process (target: median < 150 ms).

A render = `build_sections` + every chart's Vega-Lite JSON + the marimo layout of every section
(what a region change in the app costs in the kernel), with maps referring to their TopoJSON and
tables by URL as in the app. Baselines measured in the same run:
- cold: the very first render in the process (loads data, aggregates indicators per level and
  compiles every chart template);
- uncached: warm data, but every chart template rebuilt with Altair on each render (what the
  app would cost without the template cache).

This machine's speed drifts (the same render of one gemeente takes 120-210 ms in phases of a few
seconds), so every region of the warm sample is rendered in three interleaved passes: the first
pass gives the plain single-render figures, the best of three the undisturbed cost. Gemeenten,
the heaviest regions (benchmark strips), are also summarised on their own, and so is what the
static report needs per region (sections and chart JSON with inline maps, no marimo layout).

Usage: python bench/bench_sections.py [--regions N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import UrlAssets, timed  # noqa: E402

from jeugdmonitor.app import ui  # noqa: E402
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import build_sections

TEMPLATES = [
    charts._bars_template,
    charts._trend_template,
    charts._radar_template,
    charts._map_template,
    charts._ventile_template,
    charts._ratio_template,
    charts._coefficient_template,
    charts._strip_template,
]


def render(store, code: str | None) -> int:
    """One region change: sections, chart JSON and marimo layout; returns the output size."""
    region = get_region(store, code) if code else None
    sections = build_sections(store, region, assets=UrlAssets())
    size = sum(
        len(f.chart.to_json()) for s in sections.values() for f in s.figures if f.chart is not None
    )
    for section in sections.values():
        ui.section_view(section)
    return size


def build_only(store, code: str | None) -> int:
    """What the static report needs per region: sections and chart JSON, no marimo layout."""
    region = get_region(store, code) if code else None
    sections = build_sections(store, region)
    return sum(
        len(f.chart.to_json()) for s in sections.values() for f in s.figures if f.chart is not None
    )


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
    passes = [[timed(lambda c=c: render(store, c)) for c in sample] for _ in range(3)]
    single = passes[0]
    best = [min(times) for times in zip(*passes, strict=True)]
    is_gm = [bool(c and c.startswith("GM")) for c in sample]
    gemeente = [b for g, b in zip(is_gm, best, strict=True) if g]
    gemeente_single = [t for g, t in zip(is_gm, single, strict=True) if g]

    def uncached(code):
        for template in TEMPLATES:
            template.cache_clear()
        render(store, code)

    baseline = statistics.median(timed(lambda c=c: uncached(c)) for c in sample[:10])

    def line(label: str, times: list[float]) -> float:
        median = statistics.median(times)
        p90 = sorted(times)[int(0.9 * (len(times) - 1))]
        print(
            f"{label:<40} median {median:6.1f} ms, p90 {p90:6.1f} ms, max {max(times):6.1f} ms"
            f"   (uncached/median {baseline / median:4.1f}x)"
        )
        return median

    print(f"load store (once per process):           {load_ms:8.1f} ms")
    print(f"cold first render (GM0363):              {cold_ms:8.1f} ms")
    print(f"uncached templates, median of 10:        {baseline:8.1f} ms")
    line(f"warm, {len(sample)} regions, single render", single)
    line(f"warm, {len(sample)} regions, best of 3", best)
    builds = [min(timed(lambda c=c: build_only(store, c)) for _ in range(3)) for c in sample]
    line("sections + JSON only (report), best of 3", builds)
    line(f"warm, {len(gemeente)} gemeenten, single render", gemeente_single)
    median = line(f"warm, {len(gemeente)} gemeenten, best of 3", gemeente)
    print(f"ratio cold / gemeente median:            {cold_ms / median:8.1f}x")
    print(f"target: gemeente median < 150 ms:        {'met' if median < 150 else 'NOT met'}")


if __name__ == "__main__":
    main()
