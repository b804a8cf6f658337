"""The `serve` worker's guard against CPython 3.11's syntax-tree race between threads.

When two threads convert syntax trees at once (`ast.parse`, `compile` of a tree) and the garbage
collector runs Python code in between, CPython 3.11 can raise "SystemError: AST constructor
recursion depth mismatch". marimo compiles each new session's cells in that session's thread,
so tabs opened in the same instant lost their setup cell (1 in about 6 bursts of 20 tabs).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

RACE = textwrap.dedent(
    """
    import ast, builtins, sys, threading, time
    import jeugdmonitor
    if sys.argv[1] == "worker":
        from jeugdmonitor.app import worker
        worker.serialise_compile()
        worker.serialise_compile()  # a plain `marimo run` calls it on every page: idempotent
    source = open(jeugdmonitor.__file__.replace("__init__.py", "present/charts/model.py")).read()

    class Cyclic:  # garbage only the collector frees, maybe in the middle of a conversion
        def __init__(self):
            self.me = self
        def __del__(self):
            sum(range(200))

    errors = []
    stop = time.time() + float(sys.argv[2])
    def work():
        while time.time() < stop:
            junk = [Cyclic() for _ in range(200)]
            try:
                compile(ast.parse(source), "charts.py", "exec")
            except SystemError as exc:
                errors.append(str(exc))
            del junk
    threads = [threading.Thread(target=work) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print(len(errors))
    """
)


def _errors(mode: str, seconds: float) -> int:
    done = subprocess.run(
        [sys.executable, "-c", RACE, mode, str(seconds)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_worker_compiles_one_thread_at_a_time():
    plain = _errors("plain", 4)  # 3.11: usually several errors; a fixed CPython: 0
    assert _errors("worker", 4) == 0, f"plain Python had {plain} errors in the same time"


def test_worker_runs_marimo():
    done = subprocess.run(
        [sys.executable, "-m", "jeugdmonitor.app.worker", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.strip()[0].isdigit(), done.stdout + done.stderr
