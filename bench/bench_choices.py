"""What the switch "Toon ook voorbeeldcijfers (gesimuleerd)" costs: the sections of a gemeente with
real figures only (the default page) against the same page with the simulated figures too, in
the same process, cold (first time in the process) and warm (median of repeated builds).

The default page reads a real-only copy of the data, so a process that only ever serves the
default does no work for the simulated rows; the first page with the switch on builds the other
set (the full data's aggregates and the model fits of the simulated zorgvormen) once.

Usage: python bench/bench_choices.py [--regions GM0344,GM0363,GM0088]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import UrlAssets, median_ms, report, timed  # noqa: E402

from jeugdmonitor.data.regions import get_region  # noqa: E402
from jeugdmonitor.data.store import load  # noqa: E402
from jeugdmonitor.present.sections import Choices, build_sections  # noqa: E402

SIM = Choices(include_simulated=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--regions", default="GM0344,GM0363,GM0088")
    codes = ap.parse_args().regions.split(",")
    store = load()
    regions = [get_region(store, c) for c in codes]

    def pages(choices: Choices) -> None:
        for region in regions:
            build_sections(store, region, assets=UrlAssets(), choices=choices)

    rows = [
        ("default, cold", timed(lambda: pages(Choices()))),
        ("with simulated, cold", timed(lambda: pages(SIM))),
        ("default, warm", median_ms(lambda: pages(Choices()), repeat=5, warmup=1)),
        ("with simulated, warm", median_ms(lambda: pages(SIM), repeat=5, warmup=1)),
    ]
    print(f"{len(regions)} gemeenten per measure: {', '.join(codes)}")
    report(rows, "default, warm")


if __name__ == "__main__":
    main()
