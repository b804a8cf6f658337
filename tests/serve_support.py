"""`jeugdmonitor serve` under test: nginx + marimo workers on free ports, stopped afterwards.

A missing nginx skips the test on a developer machine and fails it when CI is set.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from browser_support import free_port

ROOT = Path(__file__).resolve().parent.parent


def require_nginx() -> None:
    """Skip (or, under CI, fail) when Debian's nginx is not installed."""
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        return
    if os.environ.get("CI"):
        pytest.fail("CI is set but nginx is missing: apt-get install nginx")
    pytest.skip("no nginx (set CI to make this a failure)")


@dataclass
class Served:
    url: str
    proc: subprocess.Popen
    workers: list[str] = field(default_factory=list)  # http://host:port of each local worker


def read_until_ready(proc: subprocess.Popen) -> tuple[list[str], threading.Event]:
    """Collect `serve`'s output lines in a thread; the event is set at 'ready' (or its end)."""
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "ready" in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    return lines, ready


@contextlib.contextmanager
def serving(*args: str, timeout: float = 400) -> Iterator[Served]:
    """`jeugdmonitor serve --port <free> ARGS…` until it prints 'ready'; stopped afterwards."""
    require_nginx()
    port = free_port()
    cmd = [sys.executable, "-m", "jeugdmonitor.cli", "serve", "--port", str(port), *args]
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True, bufsize=1
        )
        lines, ready = read_until_ready(proc)
        try:
            if not ready.wait(timeout) or proc.poll() is not None:
                errors.seek(0)
                pytest.fail(f"jeugdmonitor serve did not start: {''.join(lines)}{errors.read()}")
            workers = [line.split()[-1] for line in lines if line.strip().startswith("worker http")]
            yield Served(f"http://127.0.0.1:{port}", proc, workers)
        finally:
            try:
                children = psutil.Process(proc.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                children = []
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            # serve stops what it started: nginx and every worker
            _, alive = psutil.wait_procs(children, timeout=10)
            for leftover in alive:
                leftover.kill()
            assert not alive, f"serve left {[p.pid for p in alive]} running"


def wait_until(predicate, timeout: float, step: float = 0.5) -> bool:
    """Poll `predicate()` until it is true or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


@contextlib.contextmanager
def serving_precomputed(views: Path, codes: list[str], workers: int = 2) -> Iterator[str]:
    """`jeugdmonitor serve` without warm-up or background precompute, its view store at
    `views` holding `codes` precomputed (as after serve's own precompute); yields the URL."""
    from jeugdmonitor.app import precompute

    precompute.precompute(views, codes)
    args = ["--workers", str(workers), "--no-warm-up", "--no-precompute", "--view-store"]
    with serving(*args, str(views)) as served:
        yield served.url
