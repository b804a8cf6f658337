"""Files: the reference tables shipped with the package, all-or-nothing writes, safe CSV cells.

Every writer in the package (build, update, report, linkage export, synthetic extracts, download
mirrors) goes through `atomic_writes`, so readers never see a half-written file and a failed run
leaves no temporary files behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

# OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula
FORMULA_START = r"^[=+\-@\t\r]"
# ... but a text cell that is just a number ('-12', '+3,5') is harmless and stays as it is
NUMBER_TEXT = r"^[+-]?\d+(?:[.,]\d+)?$"


def reference_path(name: str) -> Path:
    """Path of a file in the package's `reference/` folder (e.g. 'catalogue.csv')."""
    return Path(str(resources.files("jeugdmonitor") / "reference" / name))


def reference_csv(name: str, **read_options: Any) -> pl.DataFrame:
    """A reviewed reference table shipped with the package: `reference/<name>.csv`."""
    return pl.read_csv(reference_path(f"{name}.csv"), **read_options)


def atomic_writes(writers: Mapping[Path, Callable[[Path], None]]) -> list[Path]:
    """Write every file to a temporary sibling, then rename all into place; returns the targets.

    When any write fails nothing is renamed; when a rename fails the remaining temporary files are
    removed. Files are made readable (0644; `mkstemp` creates 0600).
    """
    temps: dict[Path, Path] = {}
    try:
        for target, write in writers.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
            temps[target] = Path(tmp)
            write(Path(tmp))
        for target, tmp in temps.items():
            tmp.chmod(0o644)
            os.replace(tmp, target)
    except BaseException:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise
    return list(writers)


def atomic_write(path: Path, data: bytes) -> Path:
    """`atomic_writes` for one file's bytes."""
    atomic_writes({path: lambda p: p.write_bytes(data)})
    return path


def formula_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
    return) get a leading apostrophe, so Excel shows them as text (OWASP CSV injection).

    Only text columns change: numbers, including negative ones, stay numbers.
    """
    text = [c for c, t in frame.schema.items() if t in (pl.String, pl.Categorical, pl.Enum)]
    return frame.with_columns(
        pl.when(
            pl.col(c).cast(pl.String).str.contains(FORMULA_START)
            & ~pl.col(c).cast(pl.String).str.contains(NUMBER_TEXT)
        )
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text
    )
