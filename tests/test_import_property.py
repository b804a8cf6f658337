"""Property: any CSV file given to `jeugdmonitor import` ends in a clean import or a clear error.

Hypothesis generates long-format and StatLine CSVs that are mostly malformed: random bytes,
encodings (UTF-8 with and without BOM, UTF-16, Latin-1), separators, quoting, line endings (CRLF,
CR), huge and negative numbers, NaN and infinity, Dutch and English number notation, empty cells,
duplicate keys, missing/extra/duplicated columns, markup and control characters. For each file the
command must exit 0 (and data/ then validates and holds the rows) or exit 2 with every problem
naming the file, the column and the row, and data/ byte-for-byte as it was: no traceback, no
partial write, no temporary folder left behind.

Examples per test come from the Hypothesis profile (tests/conftest.py): `jeugdmonitor-ci` under
CI runs 500 + 500 examples (the same ones each run), `jeugdmonitor-dev` 60 + 60; `HYPOTHESIS_PROFILE` overrides.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jeugdmonitor import cli
from jeugdmonitor.data import history, store
from jeugdmonitor.data.sources.csv_import import LONG_COLUMNS

PROBLEM = re.compile(
    r"^  - (?P<file>.+?): column '(?P<column>.*)', row (?P<row>\d+): (?P<what>.+)$"
)
NASTY = [
    "", " ", "NaN", "nan", "inf", "-inf", "-1", "-0", "+5", "0", "9.000", "68.000", "1,5",
    "12,0", "1.234,5", "1e3", "0x10", "99999999999999999999", "-99999999999999999999",
    "１２", "٣", "12 000", "\u00a012", "=1+1", '"', "a,b", "a;b", "x\ny", "\t", "\x00", "\ufeff",
    "GM0003", "GM9999", "gm0014", "1899", "3000", "20233", "2023.0", "2023*", "<img src=x onerror=alert(1)>",
    "</script>", "Nederland", "Utrecht (PV)", "jeugdhulp ", "ALL", "age=4-12",
]  # fmt: skip
INDICATORS = ["armoede", "eenoudergezin", "jeugdzorg"]
CODES = ["GM0014", "GM0363", "GM0034", "GM0106"]
NAMES = ["Groningen (gemeente)", "Almere", "GM0363", "Bergen (NH.)", "Ameland", "Weesp"]
YEARS = ["2021", "2022", "2023"]
BREAKDOWNS = ["all", "age=4-12", "age=0-4"]
NUMERATOR, DENOMINATOR = "Met jeugdhulp (aantal)", "Jongeren (aantal)"
KEY = ("indicator", "gemeente_code", "year", "breakdown")


def nasty() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=10),
        st.integers(-(10**20), 10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


def good_or(values: list[str], clean: bool = False) -> st.SearchStrategy[str]:
    """A valid value when `clean`, else mostly valid and sometimes a nasty one."""
    if clean:
        return st.sampled_from(values)
    return st.one_of(st.sampled_from(values), st.sampled_from(values), nasty())


@st.composite
def counts(draw, dutch: bool = False) -> tuple[str, str]:
    den = draw(st.integers(1, 200_000))
    num = draw(st.integers(0, den))
    if dutch and draw(st.booleans()):
        return f"{num:,}".replace(",", "."), f"{den:,}".replace(",", ".")
    return str(num), str(den)


@st.composite
def encoded(draw, text: str, clean: bool = False) -> bytes:
    """The text with a line ending, an encoding and sometimes random damage to its bytes."""
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = text.replace("\n", ending) if ending != "\n" else text
    encodings = ["utf-8", "utf-8-sig"] if clean else ["utf-8", "utf-8-sig", "utf-16", "latin-1"]
    data = text.encode(draw(st.sampled_from(encodings)), errors="replace")
    damages = ["none"] if clean else ["none", "none", "insert", "truncate", "bytes"]
    damage = draw(st.sampled_from(damages))
    if damage == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
    elif damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "bytes":
        data = draw(st.binary(max_size=200))
    return data


def render(rows: list[list[str]], sep: str, quoting: str) -> str:
    if quoting == "none":  # cells written as they are: separators inside make ragged rows
        return "".join(sep.join(r) + "\n" for r in rows)
    out = io.StringIO()
    mode = csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL
    csv.writer(out, delimiter=sep, quoting=mode, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def long_csv(draw) -> bytes:
    clean = draw(st.integers(0, 9)) == 0  # one in ten is meant to import cleanly
    header = list(LONG_COLUMNS)
    changes = ["none", "extra", "shuffle"] if clean else ["none"] * 3 + ["drop", "twice", "rename"]
    change = draw(st.sampled_from(changes))
    if change == "drop":
        header.remove(draw(st.sampled_from(header)))
    elif change == "extra":
        header.append(draw(st.sampled_from(["opmerking", "", "source"])))
    elif change == "twice":
        header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(header)))
    elif change == "shuffle":
        header = draw(st.permutations(header))
    elif change == "rename":
        header[draw(st.integers(0, len(header) - 1))] = draw(nasty())
    rows = []
    for _ in range(draw(st.integers(1 if clean else 0, 6))):
        num, den = draw(counts(dutch=False))
        values = {
            "indicator": draw(good_or(INDICATORS, clean)),
            "gemeente_code": draw(good_or(CODES, clean)),
            "year": draw(good_or(YEARS, clean)),
            "breakdown": draw(good_or(BREAKDOWNS, clean)),
            "numerator": num if clean else draw(st.one_of(st.just(num), st.just(num), nasty())),
            "denominator": den if clean else draw(st.one_of(st.just(den), nasty())),
            "source": draw(st.one_of(st.just(""), st.just("Eigen registratie, 2023"), nasty())),
        }
        rows.append([values.get(c, draw(st.text(max_size=8))) for c in header])
    if clean:  # one row per key
        rows = list({tuple(r[header.index(c)] for c in KEY): r for r in rows}.values())
    elif rows and draw(st.integers(0, 9)) == 0:
        rows.append(list(draw(st.sampled_from(rows))))  # a duplicate key
    sep = "," if clean else draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    quoting = draw(st.sampled_from(["minimal", "all"] if clean else ["minimal", "all", "none"]))
    return draw(encoded(render([header, *rows], sep, quoting), clean))


@st.composite
def statline_csv(draw) -> bytes:
    clean = draw(st.integers(0, 9)) == 0
    header = ["Regio's", "Perioden", NUMERATOR, DENOMINATOR]
    change = draw(
        st.sampled_from(["none", "extra"] if clean else ["none"] * 3 + ["drop", "rename"])
    )
    if change == "drop":
        header.remove(draw(st.sampled_from(header[2:])))
    elif change == "rename":
        header[draw(st.integers(2, 3))] = draw(nasty())
    elif change == "extra":
        header.append("Totaal (aantal)")
    lines = []
    if draw(st.booleans()):
        lines.append(["Jeugdhulp; regio; 2023"])  # StatLine title lines before the table
        lines.append([])
    rows = []
    symbols = st.sampled_from(["-", ".", "x", ""])
    for _ in range(draw(st.integers(1 if clean else 0, 6))):
        num, den = draw(counts(dutch=True))
        values = {
            "Regio's": draw(good_or([*NAMES[:5], "Nederland", "Utrecht (PV)"], clean)),
            "Perioden": draw(good_or(["2022", "2023*"], clean)),
            NUMERATOR: draw(st.one_of(st.just(num), symbols, *([] if clean else [nasty()]))),
            DENOMINATOR: den if clean else draw(st.one_of(st.just(den), nasty())),
        }
        rows.append([values.get(c, draw(st.text(max_size=8))) for c in header])
    if clean:  # one row per region and period
        rows = list(
            {(r[0].removesuffix(" (gemeente)"), r[1].rstrip("*")): r for r in rows}.values()
        )
    sep = ";" if clean else draw(st.sampled_from([";", ";", ";", ","]))
    quoting = draw(st.sampled_from(["all", "minimal"] if clean else ["all", "minimal", "none"]))
    body = render([header, *rows], sep, quoting)
    prefix = render(lines, sep, "none") if lines else ""
    return draw(encoded(prefix + body, clean))


# ------------------------------------------------------------------------------- the property


def fingerprint(folder: Path) -> list[tuple]:
    """Every path with its size, modification time and inode: any write or rename changes it."""
    marks = []
    for p in sorted(folder.rglob("*")):
        st = p.stat()
        marks.append((str(p.relative_to(folder)), st.st_size, st.st_mtime_ns, st.st_ino))
    return marks


class Workspace:
    """A private data folder, re-copied from a pristine one only after a successful import."""

    def __init__(self, root: Path, source: Path) -> None:
        self.root = root
        self.pristine = root / "pristine"
        shutil.copytree(source, self.pristine)
        self.data = root / "data"
        self.reset()
        self.outcomes = {"imported": 0, "refused": 0}

    def reset(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)
        shutil.copytree(self.pristine, self.data)
        self.clean = fingerprint(self.data)

    def check(self, content: bytes, extra: list[str]) -> None:
        path = self.root / "in.csv"
        path.write_bytes(content)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["import", str(path), "--data", str(self.data), *extra])
        leftovers = [p.name for p in self.root.iterdir() if p.name.startswith(".data-")]
        assert leftovers == [], leftovers
        if code == 2:
            self.refused(path, err.getvalue())
        else:
            assert code == 0, (code, err.getvalue())
            self.imported()

    def refused(self, path: Path, err: str) -> None:
        self.outcomes["refused"] += 1
        lines = err.splitlines()
        assert lines[0].startswith("jeugdmonitor import: error: "), err
        problems = [PROBLEM.match(line) for line in lines[1:] if line.startswith("  - ")]
        assert problems and all(problems), err  # every problem names file, column and row
        assert all(m["file"] == str(path) for m in problems), err
        assert all(m["column"] for m in problems), err
        assert "Traceback" not in err
        assert fingerprint(self.data) == self.clean  # data/ exactly as it was

    def imported(self) -> None:
        self.outcomes["imported"] += 1
        assert store.validate(self.data) == []
        indicators = pl.read_parquet(self.data / "indicators.parquet")
        assert (~indicators["is_simulated"]).any()
        assert len(history.versions(self.data)) <= 1
        self.reset()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, data_dir) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("property"), data_dir)
    yield ws
    print(f"\nimport property outcomes: {ws.outcomes}")


SETTINGS = {"suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


@settings(**SETTINGS)
@given(content=long_csv(), dutch=st.booleans())
def test_any_long_format_csv_imports_cleanly_or_fails_clearly(workspace, content, dutch):
    workspace.check(content, ["--number-format", "nl"] if dutch else [])


@settings(**SETTINGS)
@given(content=statline_csv())
def test_any_statline_csv_imports_cleanly_or_fails_clearly(workspace, content):
    args = ["--indicator", "jeugdhulp", "--numerator", NUMERATOR, "--denominator", DENOMINATOR]
    workspace.check(content, args)
