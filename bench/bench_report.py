"""Static reports against `marimo export html`, in the same run.

Run: python bench/bench_report.py [--all]
- baseline: `marimo export html monitor.py -- --region GM0363` (a fresh kernel per report);
- ours: `jeugdmonitor report --region GM0363` as a fresh process (same footing), and the warm
  in-process render + write that `--all` workers do for every region (target: >= 20x faster);
- sizes: single-file report (< 1.5 MB) and shared-asset report (< 400 KB);
- with --all: every region on every core (target: < 120 s).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median_ms, report  # noqa: E402

from jeugdmonitor.data.regions import get_region  # noqa: E402
from jeugdmonitor.data.store import load  # noqa: E402
from jeugdmonitor.present import report as rep  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CODE = "GM0363"


def _timed(cmd: list[str], repeat: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=env)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="bench-report-"))
    # marimo export writes __marimo__/session/ next to the notebook, or under this prefix
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(out / "pycache")}
    export_ms = _timed(
        [sys.executable, "-m", "marimo", "export", "html", str(ROOT / "monitor.py"), "-o",
         str(out / "m.html"), "--no-include-code", "--", "--region", CODE],
        repeat=2,
        env=env,
    )  # fmt: skip
    cli_ms = _timed(
        [sys.executable, "-m", "jeugdmonitor.cli", "report", "--region", CODE, "--out", str(out)],
        repeat=2,
    )
    store = load()
    region = get_region(store, CODE)
    warm_single = median_ms(lambda: rep.write_report(store, CODE, out / "warm"), repeat=7)
    warm_shared = median_ms(lambda: rep.render(store, region, shared_assets=True), repeat=7)
    rows = [
        ("marimo export html (baseline)", export_ms),
        ("jeugdmonitor report, fresh process", cli_ms),
        ("warm render+write, single file", warm_single),
        ("warm render, shared assets (--all)", warm_shared),
    ]
    report(rows, baseline="marimo export html (baseline)")
    print(
        f"\nspeed-up per report, warm shared (what --all does): {export_ms / warm_shared:.1f}x (target >= 20x)"
    )
    print(f"speed-up per report, fresh process:               {export_ms / cli_ms:.1f}x")
    single = (out / f"{CODE}.html").stat().st_size
    doc, _, _ = rep.render(store, region, shared_assets=True)
    print(f"size single file: {single / 1e6:.2f} MB (target < 1.5 MB); "
          f"shared-asset page: {len(doc.encode()) / 1e3:.0f} KB (target < 400 KB); "
          f"marimo export: {(out / 'm.html').stat().st_size / 1e6:.2f} MB")  # fmt: skip
    if "--all" in sys.argv:
        t0 = time.perf_counter()
        paths = rep.write_all(out / "all", progress=None)
        total = time.perf_counter() - t0
        print(f"--all: {len(paths)} reports in {total:.1f} s on all cores (target < 120 s); "
              f"{total / len(paths) * 1000:.0f} ms per report; "
              f"same work as marimo export would take ~{export_ms * len(paths) / 60000:.0f} min")  # fmt: skip


if __name__ == "__main__":
    main()
