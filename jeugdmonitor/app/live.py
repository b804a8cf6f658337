"""The running app's data: notice changed files in data/, reload and validate them, keep the last
good version while the new one is invalid.

`marimo run` serves every session from one process, so there is one `Watcher` per data folder per
process. `current()` is cheap: at most every `CHECK_EVERY` seconds it compares the size and
modification time of every file the app reads; only when those change does it hash the contents
(a touched but unchanged file is not a change) and, when the bytes differ, open and validate the
folder (`store.open_store`: every table and map). A valid folder replaces the served store; an
invalid one leaves the old store in place and sets `problems`, which the app shows as a Dutch
notice. Files written less than `SETTLE` seconds ago are not read yet: an import renames its files
one after another, and a half-swapped folder should not be loaded.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from jeugdmonitor.data import store as store_mod
from jeugdmonitor.data.store import GEO_LEVELS, SCHEMAS, Store

CHECK_EVERY = 2.0  # seconds between checks of the files' size and mtime
SETTLE = 1.0  # seconds a changed file must be left alone before it is read


@dataclass(frozen=True)
class DataState:
    """What the app serves: the store (None while no valid data was ever found), the problems of
    the files on disk when they are not the ones served, and a version that changes with either."""

    store: Store | None
    problems: tuple[str, ...]
    version: int
    loaded_at: float  # time.time() when the served store was read


def watched_files(data_dir: Path) -> list[Path]:
    """Every file the app reads: the tables and the maps."""
    data_dir = Path(data_dir)
    return [data_dir / f"{name}.parquet" for name in SCHEMAS] + [
        data_dir / "geo" / f"{level}.topojson" for level in GEO_LEVELS
    ]


def _fingerprint(files: list[Path]) -> tuple[tuple[int, int] | None, ...]:
    marks = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            marks.append(None)
        else:
            marks.append((st.st_mtime_ns, st.st_size))
    return tuple(marks)


def _digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for path in files:
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"\0missing\0")
        h.update(b"\0" + path.name.encode() + b"\0")
    return h.hexdigest()


def _problems(exc: BaseException) -> tuple[str, ...]:
    if isinstance(exc, store_mod.DataValidationError):
        return tuple(str(p) for p in exc.problems)
    return (f"{type(exc).__name__}: {exc}",)


class Watcher:
    """The served data of one folder, re-checked at most every `check_every` seconds."""

    def __init__(self, data_dir: Path, check_every: float = CHECK_EVERY, settle: float = SETTLE):
        self.data_dir = Path(data_dir)
        self.files = watched_files(self.data_dir)
        self.check_every, self.settle = check_every, settle
        self._lock = threading.Lock()
        self._checked = float("-inf")
        self._marks: tuple | None = None
        self._digest: str | None = None
        self._state = DataState(None, (), 0, 0.0)

    def current(self) -> DataState:
        """The state to serve now (checks the files when the last check is old enough).

        Until the first load has finished every caller waits for it: sessions that start at the
        same moment must not see the empty state (and the error page) while one thread loads.
        """
        if self._state.version and time.monotonic() - self._checked < self.check_every:
            return self._state
        with self._lock:
            if time.monotonic() - self._checked >= self.check_every:
                self._check()
            return self._state

    def _check(self) -> None:
        marks = _fingerprint(self.files)
        if marks == self._marks:
            self._checked = time.monotonic()
            return
        newest = max((m[0] for m in marks if m is not None), default=0) / 1e9
        wait = self.settle - (time.time() - newest)
        if wait > 0:
            if self._state.version:
                return  # still being written: look again at the next call
            time.sleep(min(wait, self.settle))  # the very first load waits instead
            marks = _fingerprint(self.files)
        digest = _digest(self.files)
        self._checked = time.monotonic()
        self._marks = marks
        if digest == self._digest:
            return
        self._digest = digest
        old = self._state
        try:
            fresh = store_mod.open_store(self.data_dir)
        except Exception as exc:  # noqa: BLE001 - any unreadable folder keeps the old data
            self._state = DataState(old.store, _problems(exc), old.version + 1, old.loaded_at)
        else:
            self._state = DataState(fresh, (), old.version + 1, time.time())


@functools.lru_cache(maxsize=4)
def _watcher(resolved: str) -> Watcher:
    return Watcher(Path(resolved))


def watcher(data_dir: Path | str | None = None) -> Watcher:
    """The process-wide watcher of a data folder (default: `store.default_data_dir()`)."""
    data = Path(data_dir) if data_dir else store_mod.default_data_dir()
    return _watcher(str(data.resolve()))


def current(data_dir: Path | str | None = None) -> DataState:
    """The data the app serves now (see `Watcher.current`)."""
    return watcher(data_dir).current()
