"""The mapping file `reference/cbs_sources.csv`: which CBS table or yearly series, column and
filters hold each indicator's numerator and denominator (or the population per age group).

Each row names a fixed `table` (e.g. the multi-year 85098NED), or a `series` with a `title_pattern`
that the catalogue's yearly tables match; a `column` by a key glob (`k_0Tot4Jaar_*`) or
`title=<Title>`, alternatives joined by `|`, terms to add up joined by `+`; and `filters` pinning
every other dimension. `load_mapping` checks every active row and names file, column and row.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from jeugdmonitor.data.files import reference_path
from jeugdmonitor.data.sources.download import DownloadError

POPULATION = "population"  # indicator name of population rows and table name of their use
AGE_GROUPS = ("0-4", "4-12", "12-18")
PARTS = ("count", "numerator", "denominator", "cell")  # cell: a further column a rule needs
UNITS = ("count", "percent")
MAPPING_COLUMNS = (
    "indicator",
    "breakdown",
    "part",
    "table",
    "column",
    "unit",
    "filters",
    "active",
    "note",
)
OPTIONAL_COLUMNS = ("series", "title_pattern")  # absent in older mapping files: fixed tables only


class CbsError(DownloadError):
    """A CBS response or the mapping file cannot be used; the message says where and why."""


# ----------------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class Spec:
    """One active row of the mapping file: where one series (numerator, denominator, count) lives.

    Before a fetch `table` is the fixed table id ('' for a series); the fetch binds a copy to each
    catalogue table, with `table` that table's id and `keys` the columns `column` resolves to.
    """

    row: int  # row number in the mapping file, header = row 1
    indicator: str
    breakdown: str
    part: str
    table: str
    column: str
    unit: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    file: str = "cbs_sources.csv"
    series: str = ""
    title_pattern: str = ""
    keys: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.file} row {self.row} ({self.indicator}, {self.breakdown}, {self.part})"

    @property
    def source_name(self) -> str:
        """The fixed table or the series this row reads (what the catalogue is asked for)."""
        return self.series or self.table


def default_mapping() -> Path:
    """Path of the bundled `reference/cbs_sources.csv`."""
    return reference_path("cbs_sources.csv")


def parse_filters(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """'A=x|y;B=z' → (('A', ('x', 'y')), ('B', ('z',))); raises ValueError on bad syntax."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, sep, values = part.partition("=")
        vals = tuple(v.strip() for v in values.split("|"))
        if not sep or not name.strip() or not all(vals):
            raise ValueError(f"filter {part!r} is not Dimension=value or Dimension=value|value")
        out.append((name.strip(), vals))
    return tuple(out)


def column_terms(text: str) -> tuple[tuple[str, ...], ...]:
    """'a_* | title=A + b_*' → (('a_*', 'title=A'), ('b_*',)): terms to add up, each a set of
    alternatives naming one column; raises ValueError on an empty term or alternative."""
    terms = []
    for term in text.split("+"):
        alternatives = tuple(a.strip() for a in term.split("|"))
        if not all(alternatives) or any(a.lower() == "title=" for a in alternatives):
            raise ValueError(f"column {text!r}: an empty term or alternative")
        terms.append(alternatives)
    return tuple(terms)


def _check_row(r: dict[str, str], indicators: Collection[str], breakdowns: Collection[str]):
    """(column, detail) of the first problem in one active mapping row, or None."""
    if r["part"] not in PARTS:
        return "part", f"{r['part']!r} is not one of {', '.join(PARTS)}"
    if r["unit"] not in UNITS:
        return "unit", f"{r['unit']!r} is not one of {', '.join(UNITS)}"
    if (r["indicator"] == POPULATION) != (r["part"] == "count"):
        return "part", "part 'count' is for indicator 'population' only, and vice versa"
    if r["indicator"] != POPULATION and r["indicator"] not in indicators:
        return "indicator", f"unknown indicator {r['indicator']!r} (not in the catalogue)"
    if r["breakdown"] not in breakdowns:
        return "breakdown", f"unknown breakdown {r['breakdown']!r}"
    if r["part"] == "count" and r["breakdown"].removeprefix("age=") not in AGE_GROUPS:
        return "breakdown", f"population rows need one of age={', age='.join(AGE_GROUPS)}"
    if r["table"] and r["series"]:
        return "series", f"give a table ({r['table']}) or a series, not both"
    if not r["table"] and not r["series"]:
        return "table", "empty: name a CBS table (e.g. 85098NED), 'population', or a series"
    if r["title_pattern"]:
        if not r["series"]:
            return "title_pattern", "only a series has a title pattern"
        try:
            re.compile(r["title_pattern"])
        except re.error as exc:
            return "title_pattern", f"not a regular expression ({exc})"
    try:
        filters = parse_filters(r["filters"])
    except ValueError as exc:
        return "filters", str(exc)
    if r["table"] == POPULATION:
        if r["part"] != "denominator" or r["unit"] != "count":
            return "table", "'population' can only be a denominator with unit 'count'"
        if len(filters) != 1 or filters[0][0] != "age_group":
            return "filters", "a population denominator needs age_group=0-4|4-12|12-18 (or a part)"
        bad = [g for g in filters[0][1] if g not in AGE_GROUPS]
        if bad:
            return "filters", f"unknown age group(s) {', '.join(bad)}"
    elif not r["column"]:
        return "column", f"empty: name a column (Topic key) of {r['table'] or r['series']}"
    else:
        try:
            column_terms(r["column"])
        except ValueError as exc:
            return "column", str(exc)
    if r["unit"] == "percent" and r["part"] != "numerator":
        return "unit", "only a numerator can be a percentage (of its denominator)"
    return None


def load_mapping(
    path: Path | None, indicators: Collection[str], breakdowns: Collection[str]
) -> list[Spec]:
    """The active rows of the mapping file, checked; raises CbsError naming file, column and row."""
    path = Path(path) if path else default_mapping()
    try:
        frame = pl.read_csv(path, infer_schema=False, empty_string_is_null=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise CbsError(f"{path}: cannot read the mapping ({exc})") from exc
    missing = [c for c in MAPPING_COLUMNS if c not in frame.columns]
    if missing:
        raise CbsError(f"{path}: column '{missing[0]}', row 1: missing from the header")
    frame = frame.with_columns(
        pl.lit("").alias(c) for c in OPTIONAL_COLUMNS if c not in frame.columns
    ).with_columns(
        pl.col(c).fill_null("").str.strip_chars() for c in (*MAPPING_COLUMNS, *OPTIONAL_COLUMNS)
    )
    problems, specs = [], []
    for row, r in enumerate(frame.iter_rows(named=True), start=2):
        if r["active"].lower() not in ("yes", "no"):
            problems.append(f"column 'active', row {row}: {r['active']!r} is not yes or no")
            continue
        if r["active"].lower() == "no":
            continue
        found = _check_row(r, indicators, breakdowns)
        if found:
            problems.append(f"column '{found[0]}', row {row}: {found[1]}")
            continue
        specs.append(
            Spec(
                row,
                r["indicator"],
                r["breakdown"],
                r["part"],
                r["table"],
                r["column"],
                r["unit"],
                parse_filters(r["filters"]),
                path.name,
                r["series"],
                r["title_pattern"],
            )
        )
    problems += _check_pairs(specs)
    specs, more = _with_series_patterns(specs)
    problems += more
    if problems:
        raise CbsError("\n".join(f"{path}: {p}" for p in problems))
    if not specs:
        raise CbsError(f"{path}: no active rows (set active=yes on the rows to fetch)")
    return specs


def _with_series_patterns(specs: list[Spec]) -> tuple[list[Spec], list[str]]:
    """Each series has one title pattern, given on at least one of its rows; every row gets it."""
    patterns: dict[str, set[str]] = {}
    first: dict[str, int] = {}
    for s in specs:
        if s.series:
            first.setdefault(s.series, s.row)
            if s.title_pattern:
                patterns.setdefault(s.series, set()).add(s.title_pattern)
    problems = []
    for name, row in first.items():
        found = patterns.get(name, set())
        if len(found) != 1:
            detail = (
                "no row gives its title_pattern"
                if not found
                else f"its rows give {len(found)} different title patterns"
            )
            problems.append(f"column 'title_pattern', row {row}: series {name}: {detail}")
    return [
        replace(s, title_pattern=next(iter(patterns[s.series]))) if s.series in patterns else s
        for s in specs
    ], problems


def _check_pairs(specs: list[Spec]) -> list[str]:
    """Each series once; every numerator has one denominator; population groups exist."""
    problems, seen = [], {}
    for s in specs:
        key = (s.indicator, s.breakdown, s.part)
        if key in seen:
            problems.append(f"column 'part', row {s.row}: duplicate of row {seen[key]}")
        seen[key] = s.row
    for (ind, brk, part), row in seen.items():
        other = {"numerator": "denominator", "denominator": "numerator"}.get(part)
        if other and (ind, brk, other) not in seen:
            problems.append(f"column 'part', row {row}: {ind} {brk} has no active {other} row")
    counts = {s.breakdown.removeprefix("age=") for s in specs if s.part == "count"}
    for s in specs:
        if s.table == POPULATION:
            lacking = [g for g in s.filters[0][1] if g not in counts]
            if lacking:
                problems.append(
                    f"column 'filters', row {s.row}: no active population row for age "
                    + ", ".join(lacking)
                )
    return problems
