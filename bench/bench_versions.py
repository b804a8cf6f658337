"""This version against an earlier one, in the same run: warm store load and warm region change.

The earlier version (default: the last commit before the real CBS figures, i.e. the simulated-only
data model) is checked out in a temporary git worktree with its own data/; both are measured in
fresh processes, alternately, three rounds each, so drift of this shared machine hits both alike.
Printed: medians per round and the ratio this/earlier (target for issue 10: at most 1.2×).

A region change is what the app computes in the kernel: `build_sections` for the region, every
chart's JSON and the marimo layout of every section; the sample is the same 30 regions (all types)
for both versions, after one warm-up render per region type.

Usage: python bench/bench_versions.py [--ref COMMIT] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_REAL_DATA = "d836578"  # last commit with only simulated indicators (before issue 10)

MEASURE = r"""
import json, random, statistics, sys, time
from pathlib import Path
root = Path(sys.argv[1])
sys.path.insert(0, str(root))
from jeugdmonitor.present import charts
from jeugdmonitor.data import store as store_mod
from jeugdmonitor.app import ui
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.present.sections import build_sections

class UrlAssets(charts.Assets):
    def geo(self, level, text, feature=None):
        return charts.topojson_url(f"./@file/{level}.json", feature or level)
    def table(self, key, text):
        return {"url": f"./@file/{hash(key)}.json", "format": {"type": "json"}}

def timed(fn):
    t = time.perf_counter(); fn(); return (time.perf_counter() - t) * 1000

data = root / "data"
loads = [timed(lambda: store_mod.open_store(data)) for _ in range(7)]
s = store_mod.load(data)
def render(code):
    region = get_region(s, code)
    built = build_sections(s, region, assets=UrlAssets())
    for sec in built.values():
        for f in sec.figures:
            if f.chart is not None:
                f.chart.to_json()
        ui.section_view(sec)
by_type = s.regions.group_by("type").agg("code").sort("type").rows()
for _, codes in by_type:
    render(codes[0])
pool = sorted(c for _, codes in by_type for c in codes)
sample = random.Random(7).sample(pool, 30)
changes = [min(timed(lambda c=c: render(c)) for _ in range(2)) for c in sample]
print(json.dumps({"load": statistics.median(loads), "change": statistics.median(changes),
                  "gemeente": statistics.median(t for c, t in zip(sample, changes) if c.startswith("GM"))}))
"""


def measure(tree: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tree)],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ref", default=BEFORE_REAL_DATA, help="the earlier version (a git commit)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(base), args.ref],
            check=True,
        )
        try:
            runs: dict[str, list[dict[str, float]]] = {"earlier": [], "this": []}
            for r in range(args.rounds):
                runs["earlier"].append(measure(base))
                runs["this"].append(measure(ROOT))
                print(f"round {r + 1}: earlier {runs['earlier'][-1]}  this {runs['this'][-1]}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)])
    print(f"\nearlier = {args.ref}; medians over {args.rounds} rounds (ms)")
    for key, label in (
        ("load", "warm store load (open_store: read + validate + index)"),
        ("change", "warm region change, 30 regions"),
        ("gemeente", "warm region change, gemeenten of the sample"),
    ):
        earlier = statistics.median(x[key] for x in runs["earlier"])
        this = statistics.median(x[key] for x in runs["this"])
        print(f"{label:<58} earlier {earlier:7.1f}  this {this:7.1f}  ratio {this / earlier:5.2f}x")


if __name__ == "__main__":
    main()
