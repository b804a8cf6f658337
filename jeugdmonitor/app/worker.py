"""A `jeugdmonitor serve` worker: `marimo run …` with Python's compiler used by one thread at a time.

marimo compiles the cells of a new session in that session's thread. On CPython 3.11, two
threads converting syntax trees at the same moment (`ast.parse`, or `compile` of a tree) can fail
with "SystemError: AST constructor recursion depth mismatch": the depth counter is shared by the
interpreter, not kept per thread. When several colleagues open the app in the same instant, a
session's setup cell then fails to compile and that tab shows only errors (seen in about one in
six bursts of 20 simultaneous tabs). `ast.parse` goes through `compile` too, so one lock around
the built-in `compile` serialises both; compiling a cell takes well under a millisecond.

Usage (what `serve` runs): python -m jeugdmonitor.app.worker run monitor.py --headless …
A plain `marimo run monitor.py` installs the same lock on its first page (`serialise_compile`).
"""

from __future__ import annotations

import builtins
import sys
import threading

_LOCK = threading.RLock()
_COMPILE = builtins.compile


def _compile_one_at_a_time(*args, **kwargs):  # type: ignore[no-untyped-def]
    with _LOCK:
        return _COMPILE(*args, **kwargs)


def serialise_compile() -> None:
    """Let one thread at a time use Python's compiler in this process (idempotent). `serve`'s
    workers do this before marimo starts; a plain `marimo run` does it on its first page
    (`ui.chart_runtime`), before colleagues open theirs."""
    builtins.compile = _compile_one_at_a_time


def main(argv: list[str] | None = None) -> None:
    """Run marimo's command line with the serialised `compile`."""
    serialise_compile()
    from marimo._cli.cli import main as marimo_main

    sys.argv = ["marimo", *(sys.argv[1:] if argv is None else argv)]
    marimo_main()


if __name__ == "__main__":
    main()
