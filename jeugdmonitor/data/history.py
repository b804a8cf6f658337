"""No data lost: every command that replaces files in data/ first keeps their previous version.

`data/history/<version>/` holds the files as they were just before one `import`, `fetch`,
`build` or `restore`, plus `manifest.json` (when, which command, each file's SHA-256, or null for a
file that did not exist yet). `jeugdmonitor history` lists the versions and `jeugdmonitor restore
VERSION` brings data/ back to how it was before that command: each file takes its content from the
oldest version at or after VERSION that kept it (later commands may have replaced it again), files
those commands created are removed, and everything else stays. A restore is staged and validated in
a temporary copy first, keeps the current files as a new version itself (so it can be undone), and
then renames every file into place; one lock per data folder serialises writers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

HISTORY = "history"
MANIFEST = "manifest.json"


class HistoryError(ValueError):
    """A version that does not exist, or a history folder that cannot be read."""


@dataclass(frozen=True)
class Version:
    """One kept state: the files as they were before `command` ran at `created` (UTC)."""

    id: str
    created: str
    command: str
    files: dict[str, str | None]  # relative path → SHA-256 before the command, None = absent
    folder: Path

    def saved(self, name: str) -> Path:
        """Where the kept copy of a file is."""
        return self.folder / "files" / name


def history_dir(data_dir: Path) -> Path:
    """`data/history`: the versions of one data folder."""
    return Path(data_dir) / HISTORY


def sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None when it does not exist."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


_held = threading.local()  # data folders this thread holds the lock of (the lock is re-entrant)


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """One writer per data folder at a time: an advisory lock (flock) on the data folder itself,
    taken by import, fetch and restore around read → check → keep → rename. It creates no file,
    so a failed command leaves data/ exactly as it was. Re-entrant per thread."""
    data_dir = Path(data_dir)
    key = str(data_dir.resolve())
    held: set[str] = getattr(_held, "folders", set())
    _held.folders = held
    if key in held or not data_dir.is_dir():
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no advisory locks on this platform
        yield
        return
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def ignore_history(data_dir: Path):
    """A `shutil.copytree(ignore=…)` that leaves out data/history (staged copies stay small)."""
    top = Path(data_dir).resolve()

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [HISTORY] if Path(folder).resolve() == top and HISTORY in names else []

    return ignore


def keep(data_dir: Path, names: Iterable[str], command: str) -> Version:
    """Copy the current version of each file (relative to data_dir) into a new history version.

    The version folder is written under a temporary name and renamed when complete, so a version
    is either whole or absent.
    """
    data_dir = Path(data_dir)
    folder = history_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    tmp = Path(tempfile.mkdtemp(prefix=".new-", dir=folder))
    try:
        files: dict[str, str | None] = {}
        for name in sorted(set(names)):
            source = data_dir / name
            if source.is_file():
                target = tmp / "files" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                files[name] = sha256(target)
            else:
                files[name] = None
        manifest = {
            "created": now.isoformat(timespec="seconds"),
            "command": command,
            "files": files,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
        for n in range(1, 10_000):
            final = folder / f"{stamp}-{n}"
            try:
                os.rename(tmp, final)  # fails when a version of the same second exists
                break
            except OSError:
                if not final.exists():
                    raise
        else:  # pragma: no cover
            raise HistoryError(f"{folder}: too many versions in one second")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return _read(final)


def _read(folder: Path) -> Version:
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        return Version(
            id=folder.name,
            created=manifest["created"],
            command=manifest["command"],
            files=dict(manifest["files"]),
            folder=folder,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HistoryError(f"{folder / MANIFEST}: cannot read ({exc})") from exc


def _order(name: str) -> tuple[str, int]:
    stamp, _, n = name.rpartition("-")
    return stamp, int(n) if n.isdigit() else 0


def versions(data_dir: Path) -> list[Version]:
    """Every kept version of a data folder, oldest first."""
    folder = history_dir(data_dir)
    if not folder.is_dir():
        return []
    names = [p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return [_read(folder / name) for name in sorted(names, key=_order)]


def find(data_dir: Path, wanted: str) -> Version:
    """The version with this id (or a unique prefix of it)."""
    found = versions(data_dir)
    exact = [v for v in found if v.id == wanted]
    matches = exact or [v for v in found if v.id.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(v.id for v in found[-5:]) or "none (nothing was replaced yet)"
    if matches:
        raise HistoryError(f"version {wanted!r} is ambiguous: {', '.join(v.id for v in matches)}")
    raise HistoryError(f"no version {wanted!r} in {history_dir(data_dir)} (latest: {known})")


def state_before(data_dir: Path, version: Version) -> dict[str, Path | None]:
    """Each file some command at or after `version` replaced → its kept copy (None: remove it)."""
    later = [v for v in versions(data_dir) if _order(v.id) >= _order(version.id)]
    state: dict[str, Path | None] = {}
    for v in later:  # oldest first: the first version that kept a file knows its content
        for name, digest in v.files.items():
            if name not in state:
                state[name] = v.saved(name) if digest is not None else None
    return state


def swap_in(data_dir: Path, staged: dict[str, Path | None], command: str) -> list[str]:
    """Keep the current files, then rename each staged file into place (None removes it).

    `staged` maps relative names to files on data_dir's file system. Files whose bytes do not change
    are left alone. Returns the names that changed; nothing is kept when none does.
    """
    data_dir = Path(data_dir)
    changed = [
        name
        for name, path in sorted(staged.items())
        if (sha256(path) if path is not None else None) != sha256(data_dir / name)
    ]
    if not changed:
        return []
    keep(data_dir, changed, command)
    for name in changed:
        target, source = data_dir / name, staged[name]
        if source is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    return changed


def restore(data_dir: Path, wanted: str) -> tuple[Version, list[str]]:
    """Bring data/ back to how it was before version `wanted`; returns it and the changed names."""
    from jeugdmonitor.data import store

    data_dir = Path(data_dir)
    with locked(data_dir):
        version = find(data_dir, wanted)
        state = state_before(data_dir, version)
        tmp = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}-restore-", dir=data_dir.parent))
        try:
            shutil.copytree(data_dir, tmp, dirs_exist_ok=True, ignore=ignore_history(data_dir))
            staged: dict[str, Path | None] = {}
            for name, saved in state.items():
                target = tmp / name
                if saved is None:
                    target.unlink(missing_ok=True)
                    staged[name] = None
                else:
                    if not saved.is_file():
                        raise HistoryError(f"{saved}: the kept file is missing")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(saved, target)
                    staged[name] = target
            problems = store.validate(tmp)
            if problems:
                raise store.DataValidationError(
                    [replace(p, table=p.table.replace(str(tmp), str(data_dir))) for p in problems]
                )
            changed = swap_in(data_dir, staged, f"restore {version.id}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    store.clear_cache()
    return version, changed


def build_keeping(sources: Path | str | None, out: Path | str) -> tuple[list[Path], float]:
    """`jeugdmonitor build` that keeps what it replaces: into a staged sibling, then `swap_in`.

    A rebuild regenerates every table (imported rows included), so an existing data folder's
    changed files are kept as a version first. A first build into an empty folder writes directly.
    """
    from jeugdmonitor.data import build, store

    out = Path(out)
    if not any(out.glob("*.parquet")):
        return build.build(sources, out)
    with locked(out):
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
        try:
            written, share = build.build(sources, tmp)
            staged = {str(path.relative_to(tmp)): path for path in written}
            changed = swap_in(out, staged, "build")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    store.clear_cache()
    return [out / name for name in changed], share


def format_versions(found: list[Version]) -> str:
    """The `jeugdmonitor history` table."""
    if not found:
        return "No versions kept yet: import, fetch, build and restore keep one before they write."
    lines = [f"  {'version':<20}{'made (UTC)':<22}{'by':<34}files kept"]
    for v in found:
        when = v.created.replace("T", " ")[:19]
        files = ", ".join(
            f"{name}{'' if digest else ' (new)'}" for name, digest in sorted(v.files.items())
        )
        lines.append(f"  {v.id:<20}{when:<22}{v.command[:33]:<34}{files}")
    lines.append(
        "`jeugdmonitor restore VERSION` brings data/ back to how it was before that command."
    )
    return "\n".join(lines)


# -------------------------------------------------------------------------------------- CLI


def _data(args: argparse.Namespace) -> Path:
    from jeugdmonitor.data.store import default_data_dir

    return Path(args.data) if args.data else default_data_dir()


def _cmd_history(args: argparse.Namespace) -> int:
    print(format_versions(versions(_data(args))))
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    data = _data(args)
    version, changed = restore(data, args.version)
    if changed:
        print(
            f"Restored {data} to how it was before {version.command!r} ({version.created}): "
            f"{', '.join(changed)}. The replaced files were kept as a new version."
        )
    else:
        print(f"{data} already is as it was before {version.command!r}: nothing changed.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `history` and `restore` subcommands to the CLI."""
    h = sub.add_parser("history", help="list the kept versions of data/ (before each change)")
    h.add_argument("--data", type=Path, help="data folder (default: the bundled data/)")
    h.set_defaults(func=_cmd_history)
    r = sub.add_parser(
        "restore", help="bring data/ back to how it was before a version (see `history`)"
    )
    r.add_argument("version", help="version id from `jeugdmonitor history` (or a unique prefix)")
    r.add_argument("--data", type=Path, help="data folder (default: the bundled data/)")
    r.set_defaults(func=_cmd_restore)
