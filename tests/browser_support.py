"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright.

A missing browser skips the test on a developer machine and fails it when CI is set.
"""

from __future__ import annotations

import os
import socket
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
