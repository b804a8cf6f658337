"""Every region's packed sections on disk, shared by the workers of one machine.

`jeugdmonitor serve` gives its workers one folder (`$JEUGDMONITOR_VIEW_STORE`) and, after the
warm-up, starts `python -m jeugdmonitor.viewstore FOLDER` at the lowest CPU priority: it renders
every region once (about two minutes of one core) and writes

- `views/<data fingerprint>/<code>.json`: per section the packed HTML (as the app sends it), its
  download buttons (figure key, file name, label) and whether it shows simulated values, plus
  the published files the HTML refers to;
- `files/jm-<sha1>.<ext>`: those files (chart templates, maps, map tables).

A worker that has not rendered a region itself reads it from here instead (`ui.RegionView`) and
serves the files it needs; it writes what it renders itself too. So after the precompute a region
change costs about the same on every worker for every region, and nothing is computed twice. The
fingerprint covers the data folder (names, sizes, modification times): new data gets new views.
The folder is temporary (removed when `serve` stops), so the code never changes under it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from jeugdmonitor.files import atomic_write

ENV = "JEUGDMONITOR_VIEW_STORE"
_ORDER = ("nederland", "provincie", "jeugdregio", "swv_po", "swv_vo", "gemeente")


class ViewStore:
    """The shared folder: views by data fingerprint and region, files by content."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.files = self.root / "files"

    def _view(self, fingerprint: str, code: str | None) -> Path:
        return self.root / "views" / fingerprint / f"{code or '_overview'}.json"

    def load(self, fingerprint: str, code: str | None) -> dict[str, Any] | None:
        """The record of a region, or None when it is not (yet) here or unreadable."""
        try:
            return json.loads(self._view(fingerprint, code).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, fingerprint: str, code: str | None, record: dict[str, Any]) -> None:
        """Write a region's record (atomically: readers see all of it or nothing)."""
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        atomic_write(self._view(fingerprint, code), data)

    def write_file(self, name: str, data: bytes) -> None:
        """A published file, once (content-addressed: an existing one is the same)."""
        path = self.files / name
        if not path.exists():
            atomic_write(path, data)  # 0644: nginx (`serve`) may send it itself

    def read_file(self, name: str) -> bytes | None:
        try:
            return (self.files / name).read_bytes()
        except OSError:
            return None


@functools.cache
def _shared(root: str) -> ViewStore:
    return ViewStore(Path(root))


def shared() -> ViewStore | None:
    """The view store of this machine's workers (`$JEUGDMONITOR_VIEW_STORE`), if any."""
    root = os.environ.get(ENV)
    return _shared(root) if root else None


@functools.cache
def _code_version() -> str:
    """A hash of the package's code (Python, JavaScript, templates): new code, new views."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha1()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".js", ".conf") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def fingerprint(data_dir: Path) -> str:
    """A hash of the code and of the data folder's file names, sizes and modification times."""
    parts = [_code_version()]
    for path in sorted(Path(data_dir).rglob("*")):
        if path.is_file():
            stat = path.stat()
            parts.append(f"{path.relative_to(data_dir)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def precompute(root: Path, codes: list[str | None] | None = None) -> int:
    """Render every region (or `codes`; None = no region chosen) into the store at `root`,
    skipping those already there; the number rendered."""
    from jeugdmonitor import transport

    views = ViewStore(root)
    previous = transport._PUBLISHED.offline
    transport._PUBLISHED.offline = views  # publish into the shared folder, no marimo here
    try:
        return _render_all(views, codes)
    finally:
        transport._PUBLISHED.offline = previous


def _render_all(views: ViewStore, codes: list[str | None] | None) -> int:
    from jeugdmonitor import transport, ui
    from jeugdmonitor.regions import get_region
    from jeugdmonitor.store import load

    store = load()
    key = fingerprint(store.data_dir)
    rank = {t: i for i, t in enumerate(_ORDER)}
    regions = store.regions.select("code", "type").rows()
    if codes is None:
        codes = [None, *(c for c, t in sorted(regions, key=lambda r: (rank.get(r[1], 9), r[0])))]
    assets = transport.AppAssets()
    t0 = time.perf_counter()
    done = 0
    for code in codes:
        if views.load(key, code) is not None:
            continue
        region = get_region(store, code) if code else None
        view = ui.RegionView(store, region, assets=assets)
        views.save(key, code, view.record)
        done += 1
    print(f"precomputed {done} regions in {time.perf_counter() - t0:.0f} s", flush=True)
    return done


if __name__ == "__main__":
    os.nice(19)  # only what the workers leave over
    try:
        precompute(Path(sys.argv[1]))
    except KeyboardInterrupt:  # stopped with `serve` (Ctrl-C): quietly, the store stays usable
        sys.exit(0)
