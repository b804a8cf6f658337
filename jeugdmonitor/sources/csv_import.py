"""A user's own figures from CSV: the long format, or a CBS StatLine CSV export.

Long format (comma-separated, UTF-8, header row):
`indicator,gemeente_code,year,breakdown,numerator,denominator,source` — one row per indicator ×
2024 gemeente × year × breakdown; counts are whole numbers; an empty `source` becomes the file name.

StatLine export (semicolon-separated, decimal commas, columns "Regio's" and "Perioden" plus one column
per topic): the caller says which indicator and breakdown it is and which two columns hold the
numerator and the denominator. Regions are 2024 gemeente names or GM codes; rows for Nederland and
other region kinds (`Utrecht (PV)`) are skipped; CBS symbols "." and "x" (unknown, secret) skip a
row, "-" (nil) is 0. Periods are years (`2023`, `2023*` provisional).

Every problem is reported with the file, the column and the row (the header is row 1).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from jeugdmonitor.store import KEYS

LONG_COLUMNS = (
    "indicator",
    "gemeente_code",
    "year",
    "breakdown",
    "numerator",
    "denominator",
    "source",
)
REGION_COLUMNS = ("Regio's", "Regio’s", "Regios")
PERIOD_COLUMN = "Perioden"
MISSING_SYMBOLS = (".", "x", "")
AGGREGATE_REGION = (
    r"^Nederland$|\([A-Z]{2,4}\)$"  # "Utrecht (PV)", "Noord (LD)"; not "Bergen (NH.)"
)
MAX_REPORTED = 25


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: where (file, column, row) and what."""

    file: str
    column: str
    row: int
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: column '{self.column}', row {self.row}: {self.detail}"


class CsvImportError(ValueError):
    """The file cannot be imported; `problems` lists every failure found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_REPORTED])
        more = (
            f"\n  … and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        )
        super().__init__(
            f"{len(problems)} problem(s) in the CSV file (the header is row 1):\n{shown}{more}"
        )


@dataclass(frozen=True)
class Context:
    """What the imported rows are checked against: the current data/ tables."""

    gemeenten: dict[str, str]  # 2024 code → name
    indicators: frozenset[str]
    breakdowns: frozenset[str]
    crosswalk: pl.DataFrame


@dataclass(frozen=True)
class StatlineColumns:
    """How to read a StatLine export: which indicator, breakdown and value columns."""

    indicator: str | None = None
    breakdown: str = "all"
    numerator: str | None = None
    denominator: str | None = None
    source: str | None = None


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CsvImportError(
            [Problem(str(path), "*", 1, f"cannot read the file as UTF-8 ({exc})")]
        ) from exc


def _header_row(lines: list[str]) -> int:
    """Index of the header line: the first non-empty line, or the StatLine line naming Perioden."""
    for i, line in enumerate(lines):
        if PERIOD_COLUMN in line and any(r in line for r in REGION_COLUMNS):
            return i
    return next((i for i, line in enumerate(lines) if line.strip()), 0)


def read(
    path: Path | str, context: Context, statline: StatlineColumns | None = None
) -> pl.DataFrame:
    """Parse and check one CSV file; returns rows in the indicators schema (is_simulated false)."""
    path = Path(path)
    lines = _lines(path)
    if not any(line.strip() for line in lines):
        raise CsvImportError([Problem(str(path), "*", 1, "the file is empty")])
    start = _header_row(lines)
    header = lines[start]
    is_statline = PERIOD_COLUMN in header and any(r in header for r in REGION_COLUMNS)
    if is_statline:
        if ";" not in header:
            raise CsvImportError(
                [
                    Problem(
                        str(path),
                        "Regio's",
                        start + 1,
                        "wrong separator: StatLine CSV exports are separated by ';'",
                    )
                ]
            )
        frame = _frame(path, lines[start:], ";")
        rows = _statline_rows(path, frame, statline or StatlineColumns(), context, offset=start)
    else:
        if "," not in header and (";" in header or "\t" in header):
            sep = "';'" if ";" in header else "a tab"
            raise CsvImportError(
                [
                    Problem(
                        str(path),
                        header[:30] + "…",
                        start + 1,
                        f"wrong separator: the long format uses ',' and this header uses {sep}",
                    )
                ]
            )
        frame = _frame(path, lines[start:], ",")
        rows = _long_rows(path, frame, offset=start)
    return _check(path, rows, context)


def _frame(path: Path, lines: list[str], separator: str) -> pl.DataFrame:
    try:
        frame = pl.read_csv(
            io.StringIO("\n".join(lines)),
            separator=separator,
            infer_schema=False,
            empty_string_is_null=False,
        )
    except pl.exceptions.PolarsError as exc:
        raise CsvImportError(
            [Problem(str(path), "*", 1, f"not a readable CSV file ({exc})")]
        ) from exc
    return frame.with_columns(pl.all().str.strip_chars()).with_row_index("__row")


def _missing_columns(path: Path, frame: pl.DataFrame, needed, offset: int) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise CsvImportError(
            [
                Problem(
                    str(path),
                    c,
                    offset + 1,
                    f"column is missing (found: {', '.join(frame.columns[1:])})",
                )
                for c in missing
            ]
        )


def _long_rows(path: Path, frame: pl.DataFrame, offset: int) -> pl.DataFrame:
    _missing_columns(path, frame, LONG_COLUMNS, offset)
    return frame.select(
        (pl.col("__row") + offset + 2).alias("row"),
        *LONG_COLUMNS,
        pl.col("gemeente_code").alias("region"),
    ).with_columns(
        source=pl.when(pl.col("source") == "")
        .then(pl.lit(f"Eigen gegevens ({path.name})"))
        .otherwise("source")
    )


def _statline_rows(
    path: Path, frame: pl.DataFrame, cols: StatlineColumns, context: Context, offset: int
) -> pl.DataFrame:
    region = next(c for c in REGION_COLUMNS if c in frame.columns)
    problems = []
    if not cols.indicator:
        problems.append(
            Problem(
                str(path),
                "*",
                offset + 1,
                "a StatLine export needs --indicator (which indicator these figures are)",
            )
        )
    for role, name in (("numerator", cols.numerator), ("denominator", cols.denominator)):
        if not name:
            problems.append(
                Problem(
                    str(path),
                    "*",
                    offset + 1,
                    f"a StatLine export needs --{role} naming the column with the {role} count",
                )
            )
        elif name not in frame.columns:
            problems.append(
                Problem(
                    str(path),
                    name,
                    offset + 1,
                    f"no such column (the {role}); columns: {', '.join(frame.columns[1:])}",
                )
            )
    if problems:
        raise CsvImportError(problems)
    names = pl.DataFrame(
        {"__name": list(context.gemeenten.values()), "__code": list(context.gemeenten)}
    )
    rows = (
        frame.filter(~pl.col(region).str.contains(AGGREGATE_REGION) & (pl.col(region) != ""))
        .with_columns(
            __name=pl.col(region).str.replace(r"\s*\(gemeente\)$", ""),
        )
        .join(names, on="__name", how="left")
        .with_columns(
            gemeente_code=pl.when(pl.col(region).str.contains(r"^GM\d{4}$"))
            .then(pl.col(region))
            .otherwise(pl.col("__code"))
        )
    )
    numbers = {}
    for role, name in (("numerator", cols.numerator), ("denominator", cols.denominator)):
        value = pl.col(name)
        numbers[role] = (
            pl.when(value == "-")
            .then(pl.lit("0"))
            .otherwise(value.str.replace_all(" ", "").str.replace(",", "."))
        )
    present = pl.all_horizontal(
        ~pl.col(c).is_in(MISSING_SYMBOLS) for c in (cols.numerator, cols.denominator)
    )
    year = pl.col(PERIOD_COLUMN).str.extract(r"^(\d{4})\*{0,2}$", 1)
    return (
        rows.filter(present)
        .select(
            (pl.col("__row") + offset + 2).alias("row"),
            pl.lit(cols.indicator).alias("indicator"),
            pl.col("gemeente_code").fill_null(""),
            pl.col(PERIOD_COLUMN).alias("year"),
            pl.lit(cols.breakdown).alias("breakdown"),
            pl.col(cols.numerator).alias("numerator"),
            pl.col(cols.denominator).alias("denominator"),
            year.alias("year_text"),
            numbers["numerator"].alias("numerator_text"),
            numbers["denominator"].alias("denominator_text"),
            pl.lit(cols.source or f"CBS StatLine ({path.name})").alias("source"),
            pl.col(region).alias("region"),
        )
        .with_columns(
            __labels=pl.struct(
                pl.lit(region).alias("region"),
                pl.lit(PERIOD_COLUMN).alias("year"),
                pl.lit(cols.numerator).alias("numerator"),
                pl.lit(cols.denominator).alias("denominator"),
            )
        )
    )


def _whole(column: str) -> pl.Expr:
    """A whole number parsed from text ('12', '12.0'); null when it is not one."""
    as_float = pl.col(column).cast(pl.Float64, strict=False)
    return pl.when(as_float == as_float.round(0)).then(as_float).cast(pl.Int64, strict=False)


def _check(path: Path, rows: pl.DataFrame, context: Context) -> pl.DataFrame:
    """Every cell of every row checked at once; raises CsvImportError listing each problem."""
    labels = {"region": "gemeente_code"}
    if "__labels" in rows.columns and rows.height:
        labels = rows["__labels"][0]

    def label(col: str) -> str:
        return labels.get(col, col)

    texts = [pl.col(c).alias(f"{c}_text") for c in ("year", "numerator", "denominator")]
    if "year_text" not in rows.columns:
        rows = rows.with_columns(texts)
    typed = rows.with_columns(
        _whole("year_text").alias("year_n"),
        _whole("numerator_text").alias("numerator_n"),
        _whole("denominator_text").alias("denominator_n"),
    )
    problems: list[Problem] = []

    def add(mask: pl.Expr, col: str, detail: pl.Expr) -> None:
        bad = typed.filter(mask).select("row", detail.alias("detail"))
        problems.extend(Problem(str(path), label(col), r, d) for r, d in bad.iter_rows())

    for col, what in (
        ("year", "a year"),
        ("numerator", "a whole number"),
        ("denominator", "a whole number"),
    ):
        add(
            pl.col(f"{col}_n").is_null(),
            col,
            pl.when(pl.col(col) == "")
            .then(pl.lit("missing value"))
            .otherwise(pl.format("'{}' is not " + what, pl.col(col))),
        )
    for col in ("numerator", "denominator"):
        add(pl.col(f"{col}_n") < 0, col, pl.format("negative count {}", pl.col(f"{col}_n")))
    add(
        pl.col("denominator_n") == 0,
        "denominator",
        pl.lit("denominator is 0: no rate can be computed"),
    )
    add(
        pl.col("numerator_n") > pl.col("denominator_n"),
        "numerator",
        pl.format("numerator {} is larger than denominator {}", "numerator_n", "denominator_n"),
    )
    add(
        ~pl.col("indicator").is_in(list(context.indicators)),
        "indicator",
        pl.format(
            "unknown indicator '{}' (known: " + ", ".join(sorted(context.indicators)) + ")",
            "indicator",
        ),
    )
    add(
        ~pl.col("breakdown").is_in(list(context.breakdowns)),
        "breakdown",
        pl.format("unknown breakdown '{}' (e.g. all, age=4-12, onderwijssoort=vso)", "breakdown"),
    )
    problems += _region_problems(path, typed, context, label("region"))
    dup_keys = ["indicator", "gemeente_code", "year_n", "breakdown"]
    dup = typed.filter(pl.struct(dup_keys).is_duplicated() & pl.col("year_n").is_not_null())
    if dup.height:
        first = dup.group_by(dup_keys).agg(pl.col("row").sort()).sort(pl.col("row").list.first())
        for r in first.iter_rows(named=True):
            problems.append(
                Problem(
                    str(path),
                    "indicator, gemeente_code, year, breakdown",
                    r["row"][1],
                    f"duplicate of row {r['row'][0]} ({r['indicator']}, {r['gemeente_code']}, "
                    f"{r['year_n']}, {r['breakdown']})",
                )
            )
    if problems:
        raise CsvImportError(sorted(problems, key=lambda p: (p.row, p.column)))
    if not typed.height:
        raise CsvImportError([Problem(str(path), "*", 2, "no data rows to import")])
    return typed.select(
        "indicator",
        "gemeente_code",
        pl.col("year_n").cast(pl.Int32).alias("year"),
        "breakdown",
        pl.col("numerator_n").alias("numerator"),
        pl.col("denominator_n").alias("denominator"),
        "source",
        pl.lit(False).alias("is_simulated"),
        pl.lit(False).alias("is_estimate"),
    ).sort(KEYS["indicators"])


def _region_problems(
    path: Path, typed: pl.DataFrame, context: Context, column: str
) -> list[Problem]:
    """Unknown regions, and codes or names of gemeenten that merged before 2024 (with their successor)."""
    bad = typed.filter(~pl.col("gemeente_code").is_in(list(context.gemeenten)))
    problems = []
    cw = context.crosswalk
    for r in bad.select("row", "region").iter_rows(named=True):
        value = r["region"]
        old = cw.filter((pl.col("old_code") == value) | (pl.col("old_name") == value))
        if old.height:
            o = old.row(0, named=True)
            successors = ", ".join(
                f"{c} {context.gemeenten.get(c, '')}".strip() for c in old["gm_code"]
            )
            detail = (
                f"{value!r} is a gemeente from before {o['since']} ({o['old_name']}), now part of "
                f"{successors}; use 2024 gemeenten (sum the counts of merged gemeenten yourself)"
            )
        elif re.fullmatch(r"GM\d{4}", value or ""):
            detail = f"unknown gemeente code {value!r} (not a 2024 gemeente)"
        else:
            detail = f"unknown region {value!r}: give a 2024 gemeente code (GM0363) or name"
        problems.append(Problem(str(path), column, r["row"], detail))
    return problems
