"""Warm render time per section for gemeenten: each section against the slowest of the others.

A section's render = its builder, every chart's JSON and its marimo layout (what a region change
costs for that section in the app). Every section of 30 gemeenten is rendered after a warm-up,
three interleaved passes, best of three per gemeente; medians are printed with the ratio of each
section to the slowest *other* section in the same run (target for the Wijken section: < 1.3×).

Usage: python bench/bench_section_times.py [--gemeenten 30] [--section wijken]
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
from jeugdmonitor.present.sections import SECTIONS


def render(store, key: str, code: str) -> None:
    section = SECTIONS[key](store, get_region(store, code), assets=UrlAssets())
    for fig in section.figures:
        if fig.chart is not None:
            fig.chart.to_json()
    ui.section_view(section)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--gemeenten", type=int, default=30)
    ap.add_argument("--section", default="wijken", help="the section compared with the others")
    args = ap.parse_args()
    store = load()
    codes = sorted(store.regions.filter(store.regions["type"] == "gemeente")["code"].to_list())
    sample = random.Random(11).sample(codes, args.gemeenten)
    for key in SECTIONS:  # warm up: first use of a level aggregates, templates compile
        render(store, key, sample[0])
    best: dict[str, list[float]] = {key: [] for key in SECTIONS}
    first: dict[str, list[float]] = {key: [] for key in SECTIONS}
    for code in sample:
        for key in SECTIONS:
            times = [timed(lambda k=key, c=code: render(store, k, c)) for _ in range(3)]
            first[key].append(times[0])  # the first visit of this gemeente (its caches cold)
            best[key].append(min(times))
    report(first, args.section, f"first render of each of {len(sample)} gemeenten, median")
    report(best, args.section, f"repeated render, best of 3, median over {len(sample)} gemeenten")


def report(times: dict[str, list[float]], section: str, label: str) -> None:
    """Medians per section and each one's ratio to the slowest other section."""
    medians = {key: statistics.median(values) for key, values in times.items()}
    slowest_other = max(v for k, v in medians.items() if k != section)
    print(f"\nwarm render per section, {label}:")
    for key, value in sorted(medians.items(), key=lambda kv: -kv[1]):
        print(f"  {key:<22} {value:7.1f} ms   {value / slowest_other:5.2f}x the slowest other")
    ratio = medians[section] / slowest_other
    print(f"{section}: {ratio:.2f}x the slowest other section (target < 1.3x): "
          f"{'met' if ratio < 1.3 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
