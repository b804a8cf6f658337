"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright.

A missing browser skips the test on a developer machine and fails it when CI is set.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_browser() -> None:
    """Skip (or, under CI, fail) when Debian's chromium is not installed."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("CI is set but /usr/bin/chromium is missing: browser tests cannot run")
    pytest.skip("no /usr/bin/chromium (set CI to make this a failure)")


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server under test."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # WCAG 2.1 level A and AA rules


def axe_script() -> Path:
    """axe-core's axe.min.js as the PyPI package axe-playwright-python ships it (a dev
    dependency: no npm); $AXE_CORE_JS may point at another copy. Missing: skipped on a developer
    machine, a failure under CI (like the browser)."""
    path = Path(os.environ["AXE_CORE_JS"]) if os.environ.get("AXE_CORE_JS") else None
    if path is None:
        try:
            import axe_playwright_python
        except ImportError:
            axe_playwright_python = None
        if axe_playwright_python is not None:
            path = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    if path is not None and path.is_file():
        return path
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but axe-core is missing ({path}): pip install -e '.[dev]'")
    pytest.skip(f"no axe-core ({path}): pip install -e '.[dev]' installs axe-playwright-python")
    raise AssertionError  # unreachable: skip raises


def run_axe(page) -> dict[str, list[dict]]:
    """axe-core's WCAG 2.1 A/AA violations on the page (open shadow roots included), by impact."""
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    by_impact: dict[str, list[dict]] = {}
    for violation in result["violations"]:
        by_impact.setdefault(violation["impact"] or "unknown", []).append(
            {
                "id": violation["id"],
                "help": violation["help"],
                "nodes": [str(n["target"]) for n in violation["nodes"][:5]],
            }
        )
    return by_impact


@contextlib.contextmanager
def marimo_app(
    notebook: Path, env: dict[str, str] | None = None, *, machine_view_store: bool = False
) -> Iterator[str]:
    """`marimo run <notebook>` read-only on a free port (with `env` as its environment);
    yields its URL, stops it afterwards. Without a view store unless `env` names one or
    `machine_view_store` (a plain `marimo run`, which starts this machine's background
    precompute: tested on its own)."""
    require_browser()
    env = {**(os.environ if env is None else env)}
    if machine_view_store:
        env.pop("JEUGDMONITOR_VIEW_STORE", None)
    else:
        env.setdefault("JEUGDMONITOR_VIEW_STORE", "off")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "marimo", "run", str(notebook), "--headless", "--host",
         "127.0.0.1", "--port", str(port), "--no-token"],
        cwd=notebook.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"marimo run exited: {proc.stderr.read().decode()[-2000:]}")
                if time.monotonic() > deadline:
                    pytest.fail("marimo run did not answer within 90 s")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
