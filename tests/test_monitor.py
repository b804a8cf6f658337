"""monitor.py as a file: lint-clean, runs as a script, exports a region to static HTML."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pytest

from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present.sections import build_sections

ROOT = Path(__file__).resolve().parent.parent
MONITOR = ROOT / "monitor.py"


def run(*args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_marimo_check_is_clean():
    result = run("-m", "marimo", "check", "--strict", str(MONITOR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower() and "warning" not in result.stdout.lower()


def test_python_monitor_runs_as_a_script():
    result = run(str(MONITOR))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_export_html_for_a_region_contains_its_name_and_every_section(
    tmp_path, marimo_writes_outside_the_repository
):
    session = ROOT / "__marimo__" / "session" / "monitor.py.json"
    before = session.stat().st_mtime_ns if session.exists() else None
    out = tmp_path / "out.html"
    result = run(
        "-m", "marimo", "export", "html", str(MONITOR), "-o", str(out), "--", "--region", "GM0363"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # the export's session snapshot went under the test's prefix, not into the repository
    assert (session.stat().st_mtime_ns if session.exists() else None) == before
    assert list(marimo_writes_outside_the_repository.rglob("session/monitor.py.json"))
    text = html.unescape(out.read_text(encoding="utf-8"))
    assert "Amsterdam (gemeente, code GM0363)" in text
    store = load()
    sections = build_sections(store, get_region(store, "GM0363"))
    for section in sections.values():
        assert section.title in text, section.title
        for figure in section.figures:
            assert figure.title in text, figure.title
    # the region's own key figure, e.g. '22,8%' for jeugdzorg, made it into the export
    summary = sections["jeugdzorg"].figures[0].summary
    assert summary.split("**")[1].split(": ")[1] in text


def test_marimo_session_files_are_ignored_by_git():
    """`marimo edit` writes __marimo__/session/*.json beside monitor.py: never committed."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ("__marimo__/session/monitor.py.json", "notebooks/__marimo__/session/x.json"):
        done = subprocess.run(
            ["git", "check-ignore", "-q", path], cwd=ROOT, capture_output=True, check=False
        )
        assert done.returncode == 0, f"{path} is not ignored by git"
