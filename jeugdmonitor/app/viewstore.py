"""Every region's packed sections on disk, shared by the workers of one machine.

`jeugdmonitor serve` gives its workers one folder (`$JEUGDMONITOR_VIEW_STORE`) and, after the
warm-up, starts `python -m jeugdmonitor.app.precompute FOLDER` at the lowest CPU priority: it renders
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

A plain `marimo run monitor.py` gets the same fast path (`start_for_app`): without
`$JEUGDMONITOR_VIEW_STORE` it uses this machine's own folder in the user's cache
(`~/.cache/jeugdmonitor/views`) and starts the same precompute in the background at the lowest
priority, one at a time per machine (a lock), ending with the app. Views of other fingerprints
(older code or data) are removed there after a week. `JEUGDMONITOR_VIEW_STORE=off` turns the
view store off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from jeugdmonitor.data.files import atomic_write

ENV = "JEUGDMONITOR_VIEW_STORE"


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


OFF = "off"  # $JEUGDMONITOR_VIEW_STORE=off: no view store
KEEP_OTHER_DAYS = 7  # views of another fingerprint are removed after this many days


@functools.cache
def _shared(root: str) -> ViewStore:
    return ViewStore(Path(root))


def shared() -> ViewStore | None:
    """The view store of this machine's workers (`$JEUGDMONITOR_VIEW_STORE`), if any."""
    root = os.environ.get(ENV)
    return _shared(root) if root and root != OFF else None


def machine_root() -> Path:
    """This machine's own view store for a plain `marimo run`: in the user's cache folder."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "jeugdmonitor" / "views"


_STARTED = threading.Lock()


def start_for_app() -> ViewStore | None:
    """In a plain `marimo run` (no view store given): use this machine's own view store and
    precompute every region into it in the background, at the lowest priority, once per process
    (a lock in the folder lets one precompute run per machine at a time). Under `serve` (its
    view store given) or with `$JEUGDMONITOR_VIEW_STORE=off` nothing is started."""
    with _STARTED:
        if ENV in os.environ:
            return shared()
        root = machine_root()
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError:  # no cache folder to write: the app renders every region itself
            os.environ[ENV] = OFF
            return None
        os.environ[ENV] = str(root)
        command = [sys.executable, "-m", "jeugdmonitor.app.precompute", str(root)]
        proc = subprocess.Popen([*command, "--parent", str(os.getpid())], stdout=subprocess.DEVNULL)
        threading.Thread(target=proc.wait, daemon=True).start()  # reaped when it ends
        return shared()


def prune(views: ViewStore, keep: str) -> None:
    """Remove views of other fingerprints not written for `KEEP_OTHER_DAYS`."""
    folder = views.root / "views"
    cutoff = time.time() - KEEP_OTHER_DAYS * 86400
    for other in folder.iterdir() if folder.is_dir() else ():
        if other.name != keep and other.stat().st_mtime < cutoff:
            shutil.rmtree(other, ignore_errors=True)


@functools.cache
def _code_version() -> str:
    """A hash of the package's code (Python, JavaScript, templates): new code, new views."""
    package = Path(__file__).resolve().parents[1]  # the whole jeugdmonitor package
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
