"""`jeugdmonitor serve` stops cleanly: Ctrl-C in its terminal (SIGINT to the foreground process
group) and `kill -INT PID` both stop nginx, the workers and the background helper, exit 0, and
print neither a traceback nor "a child process exited"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from browser_support import free_port
from serve_support import read_until_ready, require_nginx

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _start() -> tuple[subprocess.Popen, list[str], tempfile.TemporaryFile]:
    """serve with one worker, as a terminal starts it: the leader of its own process group."""
    require_nginx()
    cmd = [sys.executable, "-m", "jeugdmonitor.cli", "serve", "--workers", "1"]
    cmd += ["--port", str(free_port()), "--no-warm-up"]
    errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed by the test (read after the stop)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True
    )
    lines, ready = read_until_ready(proc)
    if not ready.wait(400) or proc.poll() is not None:
        errors.seek(0)
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"serve did not start: {''.join(lines)}{errors.read()}")
    return proc, lines, errors


def _stop_and_check(proc, lines, errors, send) -> None:
    children = psutil.Process(proc.pid).children(recursive=True)
    assert len(children) >= 3, children  # worker, nginx (master + its workers), precompute
    try:
        send(proc)
        code = proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for c in children:
            if c.is_running():
                c.kill()
    time.sleep(0.5)
    errors.seek(0)
    err = errors.read()
    out = "".join(lines)
    assert code == 0, (code, out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "exited with code" not in err + out and "error" not in err, err
    assert "Jeugdmonitor stopped" in out, out
    alive = [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], alive


def test_ctrl_c_in_the_terminal_stops_everything_quietly():
    proc, lines, errors = _start()
    # the terminal sends SIGINT to its foreground process group: the children must not be in
    # it (each would stop on its own, some with a traceback, before serve stops them in order)
    group = os.getpgid(proc.pid)
    children = psutil.Process(proc.pid).children(recursive=False)
    assert all(os.getpgid(c.pid) != group for c in children), [
        (c.name(), os.getpgid(c.pid)) for c in children
    ]
    _stop_and_check(proc, lines, errors, lambda p: os.killpg(group, signal.SIGINT))


def test_kill_int_on_the_pid_stops_everything_quietly():
    proc, lines, errors = _start()
    _stop_and_check(proc, lines, errors, lambda p: os.kill(p.pid, signal.SIGINT))
