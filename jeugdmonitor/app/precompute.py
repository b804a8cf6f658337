"""Render every region into a view store (`viewstore`), in the background at the lowest priority.

`python -m jeugdmonitor.app.precompute FOLDER [--parent PID]` is what `serve` (after its warm-up)
and a plain `marimo run` (`viewstore.start_for_app`) start. Apart from `viewstore` because it
renders through the app (`ui.RegionView`, `transport`), which itself reads the view store.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path

from jeugdmonitor.app import transport, ui, viewstore
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load

_ORDER = ("nederland", "provincie", "jeugdregio", "swv_po", "swv_vo", "gemeente")


def precompute(root: Path, codes: list[str | None] | None = None, parent: int | None = None) -> int:
    """Render every region (or `codes`; None = no region chosen) into the store at `root`,
    skipping those already there; the number rendered. With `parent` (a process id) it stops
    when that process has ended."""
    views = viewstore.ViewStore(root)
    previous = transport._PUBLISHED.offline
    transport._PUBLISHED.offline = views  # publish into the shared folder, no marimo here
    try:
        return _render_all(views, codes, parent)
    finally:
        transport._PUBLISHED.offline = previous


def _alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return os.getppid() == pid


def _render_all(
    views: viewstore.ViewStore, codes: list[str | None] | None, parent: int | None
) -> int:
    store = load()
    key = viewstore.fingerprint(store.data_dir)
    rank = {t: i for i, t in enumerate(_ORDER)}
    regions = store.regions.select("code", "type").rows()
    if codes is None:
        codes = [None, *(c for c, t in sorted(regions, key=lambda r: (rank.get(r[1], 9), r[0])))]
    assets = transport.AppAssets()
    t0 = time.perf_counter()
    done = 0
    for code in codes:
        if not _alive(parent):  # the app it works for has stopped
            break
        if views.load(key, code) is not None:
            continue
        region = get_region(store, code) if code else None
        view = ui.RegionView(store, region, assets=assets)
        views.save(key, code, view.record)
        done += 1
    print(f"precomputed {done} regions in {time.perf_counter() - t0:.0f} s", flush=True)
    return done


def main(argv: list[str]) -> int:
    """`python -m jeugdmonitor.app.precompute FOLDER [--parent PID]`: precompute every region at
    the lowest priority, unless another process precomputes into FOLDER already."""
    os.nice(19)  # only what the app leaves over
    root = Path(argv[0])
    parent = int(argv[2]) if len(argv) > 2 and argv[1] == "--parent" else None
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "precompute.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("precompute: another process precomputes into this folder", flush=True)
            return 0
        precompute(root, parent=parent)
        viewstore.prune(viewstore.ViewStore(root), viewstore.fingerprint(load().data_dir))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # stopped with `serve` (Ctrl-C): quietly, the store stays usable
        sys.exit(0)
