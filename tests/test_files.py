"""The one atomic-write helper every writer uses: all files or none, no temporary files left."""

from __future__ import annotations

from pathlib import Path

import pytest

from jeugdmonitor.data import files


def test_atomic_writes_replace_all_files_and_make_them_readable(tmp_path: Path):
    a, b = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    a.write_text("old")
    written = files.atomic_writes({a: lambda p: p.write_text("A"), b: lambda p: p.write_text("B")})
    assert written == [a, b]
    assert (a.read_text(), b.read_text()) == ("A", "B")
    assert b.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.txt", "b.txt"]


def test_a_failed_write_changes_nothing(tmp_path: Path):
    a = tmp_path / "a.txt"
    a.write_text("old")

    def broken(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        files.atomic_writes({a: lambda p: p.write_text("new"), tmp_path / "b.txt": broken})
    assert a.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_failed_rename_leaves_no_temporary_files(tmp_path: Path, monkeypatch):
    """A rename that fails halfway used to leave the remaining temporary files behind."""
    real = files.os.replace
    calls = []

    def replace_once(src, dst):
        calls.append(dst)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace_once)
    targets = {tmp_path / f"{n}.txt": (lambda p, n=n: p.write_text(n)) for n in "abc"}
    with pytest.raises(OSError):
        files.atomic_writes(targets)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_atomic_write_bytes(tmp_path: Path):
    path = files.atomic_write(tmp_path / "x" / "y.bin", b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
