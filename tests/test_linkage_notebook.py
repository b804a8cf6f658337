"""The linkage notebook is lint-clean, runs on the default synthetic data and refuses without a key."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import free_port
from linkage_support import KEY

from jeugdmonitor.analysis.linkage.pseudonym import KEY_ENV, KEY_FILE_ENV

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "school_linkage.py"


def environment(with_key: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (KEY_ENV, KEY_FILE_ENV)}
    if with_key:
        env[KEY_ENV] = KEY.decode()
    return env


def marimo(
    *args: str, with_key: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "marimo", *args],
        env=environment(with_key),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_marimo_check_is_clean():
    done = marimo("check", str(NOTEBOOK))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == ""


def test_the_notebook_runs_as_a_script_on_the_default_synthetic_data():
    done = subprocess.run(
        [sys.executable, str(NOTEBOOK)],
        env=environment(True),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_every_cell_renders_in_an_html_export(tmp_path: Path):
    copy = tmp_path / NOTEBOOK.name  # export writes a session file next to the notebook
    shutil.copy(NOTEBOOK, copy)
    out = tmp_path / "linkage.html"
    done = marimo("export", "html", str(copy), "-o", str(out), "--no-include-code")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    html = out.read_text(encoding="utf-8")
    for text in ("Grafiek 1", "Grafiek 2", "Benchmark", "Gesimuleerde gegevens", "Bewaartermijn"):
        assert text in html
    assert "Geen pseudonimiseringssleutel" not in html


def test_without_a_key_the_notebook_stops_with_a_message(tmp_path: Path):
    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    out = tmp_path / "refused.html"
    done = marimo("export", "html", str(copy), "-o", str(out), "--no-include-code", with_key=False)
    assert done.returncode == 0, done.stderr[-3000:]
    html = out.read_text(encoding="utf-8")
    assert "Geen pseudonimiseringssleutel" in html
    assert "Grafiek 2: jeugdhulpcli" not in html


@pytest.mark.browser
def test_the_served_notebook_draws_its_charts_in_chromium(tmp_path: Path, chromium):
    port = free_port()
    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "marimo",
            "run",
            str(copy),
            "--headless",
            "--port",
            str(port),
            "--no-token",
        ],
        env=environment(True),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        page = chromium.new_page(viewport={"width": 1400, "height": 7000})
        page.goto(f"http://127.0.0.1:{port}/")
        page.locator(".vega-embed svg.marks, .vega-embed canvas").first.wait_for(timeout=90_000)
        deadline = time.time() + 60
        while page.locator(".vega-embed").count() < 7 and time.time() < deadline:
            page.wait_for_timeout(500)
        assert page.locator(".vega-embed").count() >= 7  # Grafiek 1, 2, benchmark, 4 mixes
        assert page.get_by_text("Grafiek 2: trend per school").count() >= 1
        assert page.get_by_text("raised an exception").count() == 0
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
