"""A user's own figures from CSV: the long format, or a CBS StatLine CSV export.

Long format (comma-separated, or semicolon-separated as Dutch Excel saves 'CSV'; UTF-8, header row):
`indicator,gemeente_code,year,breakdown,numerator,denominator,source` — one row per indicator ×
2024 gemeente × year × breakdown; counts are plain whole numbers (`9000`); an empty `source`
becomes the file name. With `number_format="nl"` counts are read in the Dutch notation instead
(`9.000` is 9000, `12,5` is 12.5 and therefore refused as a count). Nothing ambiguous passes: in
the plain format `9.000` is an error that names the row, never 9.

StatLine export (semicolon-separated, Dutch number notation, columns "Regio's" and "Perioden" plus
one column per topic): the caller says which indicator and breakdown it is and which two columns
hold the numerator and the denominator. Regions are 2024 gemeente names or GM codes; rows for
Nederland and other region kinds (`Utrecht (PV)`) are skipped; CBS symbols "." and "x" (unknown,
secret) and empty cells skip a row, "-" (nil) is 0. Periods are years (`2023`, `2023*`).

Years must lie within the catalogue's `years` of the indicator: not before its first year, and not
after this year (years after the catalogue's last one are new publications and welcome). Every
problem is reported with the file, the column and the row (the header is row 1; rows are the
file's physical lines). The text is parsed with Python's `csv` module in strict mode, so bad
quoting, a wrong number of fields, NUL bytes or non-UTF-8 bytes are errors naming the line.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from jeugdmonitor.data.store import KEYS, parse_year_range

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
NUMBER_FORMATS = ("plain", "nl")
PLAIN_COUNT = r"^[+-]?\d+$"
# Dutch notation: '.' or a (narrow) space groups thousands, ',' is the decimal mark.
NL_NUMBER = r"^[+-]?(?:\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+)(?:,\d+)?$"
CONTROL = r"[\x00-\x1f\x7f]"
TEXT_COLUMNS = ("indicator", "gemeente_code", "breakdown", "source")


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
    # indicator → (first year, last year or None = open): the catalogue's `years`
    years: Mapping[str, tuple[int, int | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class StatlineColumns:
    """How to read a StatLine export: which indicator, breakdown and value columns."""

    indicator: str | None = None
    breakdown: str = "all"
    numerator: str | None = None
    denominator: str | None = None
    source: str | None = None


def catalogue_years(catalogue: pl.DataFrame) -> dict[str, tuple[int, int | None]]:
    """Indicator → its year range from the catalogue's `years` column (unparseable ones left out)."""
    ranges = {}
    for indicator, text in catalogue.select("indicator", "years").iter_rows():
        parsed = parse_year_range(text)
        if parsed is not None:
            ranges[indicator] = parsed
    return ranges


# ------------------------------------------------------------------------------ raw text


def _fail(path: Path, column: str, row: int, detail: str) -> CsvImportError:
    return CsvImportError([Problem(str(path), column, row, detail)])


def _text(path: Path) -> str:
    """The file as text: UTF-8 (a BOM is allowed); any other bytes are an error naming the line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, "*", 1, f"cannot read the file ({exc.strerror or exc})") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(path, "*", 1, "the file is UTF-16: save it as 'CSV UTF-8'")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _where(data, exc.start)
        raise _fail(
            path,
            column,
            line,
            f"byte 0x{data[exc.start]:02x} is not UTF-8 text: save the file as 'CSV UTF-8' "
            "(in Excel: Bestand > Opslaan als > 'CSV UTF-8 (door komma's gescheiden) (*.csv)')",
        ) from exc
    if "\x00" in text:
        line, column = _where(data, data.index(b"\x00"))
        raise _fail(path, column, line, "a NUL byte: this is not a text CSV file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _where(data: bytes, offset: int) -> tuple[int, str]:
    """(1-based line, column name or number) of a byte offset, for errors before parsing."""
    before = data[:offset].decode("utf-8", errors="replace")
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    prefix = before.rpartition("\n")[2]
    head = re.split(rb"\r\n|\r|\n", data, maxsplit=1)[0]
    header = head.decode("utf-8", errors="replace").lstrip("\ufeff").replace("\x00", "")
    sep = ";" if header.count(";") > header.count(",") else ","
    index = _field_index(prefix, sep)
    try:
        names = next(csv.reader([header], delimiter=sep), [])
    except csv.Error:
        names = []
    return line, _column_name(names if line > 1 else [], index)


def _column_list(frame: pl.DataFrame) -> str:
    """The file's columns, for a message."""
    names = [c for c in frame.columns if c != "__row"]
    return ", ".join(_column_name(names, i) for i in range(len(names)))


def _column_name(names: list[str], index: int) -> str:
    """The header's name of field `index` as shown in a message, or '#<n>' (the field's number)
    when it has none, or none that can be printed."""
    name = names[index].strip() if index < len(names) else ""
    if not name or not name.isprintable():
        return f"#{index + 1}"
    return name if len(name) <= 40 else name[:40] + "…"


def _field_index(prefix: str, sep: str) -> int:
    """How many separators (outside quotes) precede the end of `prefix`: the field's index."""
    quoted, index = False, 0
    for ch in prefix:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            index += 1
    return index


def _quote_error(text: str, sep: str) -> tuple[int, int]:
    """(line offset, field index) where a record's quoting goes wrong (csv's strict errors)."""
    line = field_no = 0
    i, n = 0, len(text)
    at_start, quoted = True, False
    opened = (0, 0)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                quoted = False
                i += 1
                if i < n and text[i] not in (sep, "\n"):
                    return line, field_no
                continue
            line += ch == "\n"
            i += 1
            continue
        if ch == '"' and at_start:
            quoted, at_start, opened = True, False, (line, field_no)
        elif ch == sep:
            field_no, at_start = field_no + 1, True
        elif ch == "\n":
            break
        else:
            at_start = False
        i += 1
    return opened if quoted else (0, field_no)


def _header_row(lines: list[str]) -> int:
    """Index of the header line: the first non-empty line, or the StatLine line naming Perioden."""
    for i, line in enumerate(lines):
        if PERIOD_COLUMN in line and any(r in line for r in REGION_COLUMNS):
            return i
    return next((i for i, line in enumerate(lines) if line.strip()), 0)


def _records(path: Path, lines: list[str], start: int, sep: str) -> tuple[list[str], pl.DataFrame]:
    """Header names and a frame of stripped text cells with `__row` = the record's first line."""
    body = "\n".join(lines[start:])
    reader = csv.reader(io.StringIO(body), delimiter=sep, strict=True)
    records: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for fields in reader:
            first = start + consumed + 1
            consumed = reader.line_num
            if any(f.strip() for f in fields):
                records.append((first, fields))
    except csv.Error as exc:
        first = start + consumed + 1
        offset, index = _quote_error("\n".join(lines[first - 1 :]), sep)
        column = _column_name(records[0][1] if records else [], index)
        raise _fail(path, column, first + offset, f"bad CSV quoting ({exc})") from exc
    if not records:
        raise _fail(path, "*", 1, "the file is empty")
    (header_line, raw_header), rows = records[0], records[1:]
    header = [h.strip().lstrip("\ufeff") for h in raw_header]
    problems = [
        Problem(
            str(path),
            _column_name(header, i),
            header_line,
            "this column name appears more than once",
        )
        for i, name in enumerate(header)
        if name and name in header[:i]
    ]
    for line, fields in rows:
        if len(fields) != len(header):
            column = _column_name(header, min(len(fields), len(header)))
            problems.append(
                Problem(
                    str(path),
                    column,
                    line,
                    f"{len(fields)} fields, but the header has {len(header)} "
                    f"(is a separator '{sep}' missing, extra or inside an unquoted value?)",
                )
            )
    if problems:
        raise CsvImportError(problems[:MAX_REPORTED] + problems[MAX_REPORTED:])
    columns = {
        name or f"#{i + 1}": [fields[i].strip() for _, fields in rows]
        for i, name in enumerate(header)
    }
    frame = pl.DataFrame(
        {"__row": [line for line, _ in rows], **columns},
        schema={"__row": pl.Int64, **dict.fromkeys(columns, pl.String)},
    )
    return header, frame


# -------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Parsed:
    """A CSV file split into cells: which format, the header's line index, the cells."""

    path: Path
    is_statline: bool
    start: int
    frame: pl.DataFrame


def parse(path: Path | str) -> Parsed:
    """Read and split a CSV file (encoding, separator, quoting, fields per row); no table needed.

    Most broken files stop here, before `read` checks the cells against data/.
    """
    path = Path(path)
    lines = _text(path).split("\n")
    if not any(line.strip() for line in lines):
        raise _fail(path, "*", 1, "the file is empty")
    start = _header_row(lines)
    header = lines[start]
    is_statline = PERIOD_COLUMN in header and any(r in header for r in REGION_COLUMNS)
    if is_statline and ";" not in header:
        raise _fail(
            path, "Regio's", start + 1, "wrong separator: StatLine CSV exports are separated by ';'"
        )
    sep = ";" if is_statline else _long_separator(path, header, start)
    _, frame = _records(path, lines, start, sep)
    return Parsed(path, is_statline, start, frame)


SAVE_AS_CSV = (
    "in Excel choose Bestand > Opslaan als > 'CSV UTF-8 (door komma's gescheiden) (*.csv)'; "
    "'CSV (gescheiden door lijstscheidingsteken)' with ';' is read as well"
)


def _long_separator(path: Path, header: str, start: int) -> str:
    """The long format's separator: ',' or ';' (Dutch Excel's default for 'CSV'); a header with
    neither (a tab, one column) is an error saying how to save the file."""
    if "," in header:
        return ","
    if ";" in header:
        return ";"
    if "\t" in header:
        raise _fail(
            path,
            header[:30] + "…",
            start + 1,
            f"wrong separator: the long format uses ',' or ';' and this header uses a tab: "
            f"{SAVE_AS_CSV}",
        )
    return ","


def read(
    path: Path | str,
    context: Context,
    statline: StatlineColumns | None = None,
    number_format: str = "plain",
    parsed: Parsed | None = None,
) -> pl.DataFrame:
    """Parse and check one CSV file; returns rows in the indicators schema (is_simulated false).

    `number_format` is how counts in the long format are written: "plain" (9000) or "nl"
    (9.000 or 9000; a decimal comma is allowed only with zeros, 2345,0). StatLine exports are
    always read in the Dutch notation. `parsed` is the file already split by `parse`.
    """
    if number_format not in NUMBER_FORMATS:
        raise ValueError(f"number format {number_format!r}: use one of {', '.join(NUMBER_FORMATS)}")
    parsed = parsed or parse(path)
    path, start, frame = parsed.path, parsed.start, parsed.frame
    if parsed.is_statline:
        rows = _statline_rows(path, frame, statline or StatlineColumns(), context, start)
        number_format = "nl"
    else:
        rows = _long_rows(path, frame, start)
    return _check(path, rows, context, number_format)


def _missing_columns(path: Path, frame: pl.DataFrame, needed, header_row: int) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        found = _column_list(frame)
        raise CsvImportError(
            [
                Problem(str(path), c, header_row, f"column is missing (found: {found})")
                for c in missing
            ]
        )


def _long_rows(path: Path, frame: pl.DataFrame, start: int) -> pl.DataFrame:
    _missing_columns(path, frame, LONG_COLUMNS, start + 1)
    return frame.select(
        pl.col("__row").alias("row"),
        *LONG_COLUMNS,
        pl.col("gemeente_code").alias("region"),
    ).with_columns(
        source=pl.when(pl.col("source") == "")
        .then(pl.lit(f"Eigen gegevens ({path.name})"))
        .otherwise("source")
    )


def _statline_rows(
    path: Path, frame: pl.DataFrame, cols: StatlineColumns, context: Context, start: int
) -> pl.DataFrame:
    region = next((c for c in REGION_COLUMNS if c in frame.columns), None)
    if region is None:
        raise _fail(path, REGION_COLUMNS[0], start + 1, "column is missing")
    problems = []
    if not cols.indicator:
        problems.append(
            Problem(
                str(path),
                "*",
                start + 1,
                "a StatLine export needs --indicator (which indicator these figures are)",
            )
        )
    for role, name in (("numerator", cols.numerator), ("denominator", cols.denominator)):
        if not name:
            problems.append(
                Problem(
                    str(path),
                    "*",
                    start + 1,
                    f"a StatLine export needs --{role} naming the column with the {role} count",
                )
            )
        elif name not in frame.columns:
            found = _column_list(frame)
            problems.append(
                Problem(
                    str(path), name, start + 1, f"no such column (the {role}); columns: {found}"
                )
            )
    if PERIOD_COLUMN not in frame.columns:
        problems.append(Problem(str(path), PERIOD_COLUMN, start + 1, "column is missing"))
    if problems:
        raise CsvImportError(problems)
    names = pl.DataFrame(
        {"__name": list(context.gemeenten.values()), "__code": list(context.gemeenten)},
        schema={"__name": pl.String, "__code": pl.String},
    )
    rows = (
        frame.filter(~pl.col(region).str.contains(AGGREGATE_REGION) & (pl.col(region) != ""))
        .with_columns(__name=pl.col(region).str.replace(r"\s*\(gemeente\)$", ""))
        .join(names, on="__name", how="left")
        .with_columns(
            gemeente_code=pl.when(pl.col(region).str.contains(r"^GM\d{4}$"))
            .then(pl.col(region))
            .otherwise(pl.col("__code"))
        )
    )
    present = pl.all_horizontal(
        ~pl.col(c).is_in(MISSING_SYMBOLS) for c in (cols.numerator, cols.denominator)
    )
    nil = {
        c: pl.when(pl.col(c) == "-").then(pl.lit("0")).otherwise(pl.col(c))
        for c in (cols.numerator, cols.denominator)
    }
    return (
        rows.filter(present)
        .select(
            pl.col("__row").alias("row"),
            pl.lit(cols.indicator).alias("indicator"),
            pl.col("gemeente_code").fill_null(""),
            pl.col(PERIOD_COLUMN).alias("year"),
            pl.lit(cols.breakdown).alias("breakdown"),
            nil[cols.numerator].alias("numerator"),
            nil[cols.denominator].alias("denominator"),
            pl.col(PERIOD_COLUMN).str.extract(r"^(\d{4})\*{0,2}$", 1).alias("year_text"),
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


# ------------------------------------------------------------------------------- checking


def _count(text: pl.Expr, number_format: str) -> pl.Expr:
    """A whole count parsed from text in the given notation; null when it is not one."""
    if number_format == "plain":
        digits = pl.when(text.str.contains(PLAIN_COUNT)).then(text)
    else:
        whole = text.str.contains(NL_NUMBER) & ~text.str.contains(r",\d*[1-9]\d*$")
        digits = pl.when(whole).then(
            text.str.replace(r",\d+$", "").str.replace_all(r"[. \u00a0\u202f]", "")
        )
    return digits.str.strip_prefix("+").cast(pl.Int64, strict=False)


def _clip(text: pl.Expr, width: int = 40) -> pl.Expr:
    """A cell as quoted in a message: at most `width` characters."""
    return (
        pl.when(text.str.len_chars() > width).then(text.str.slice(0, width) + "…").otherwise(text)
    )


def _count_problem(cell: pl.Expr, number_format: str) -> pl.Expr:
    """Why a cell is not a count (used only where `_count` gave null)."""
    text = _clip(cell)
    if number_format == "plain":
        fits = cell.str.contains(PLAIN_COUNT)
        # digits with '.', ',' or spaces: 9.000 may mean 9 or 9000, so it is never guessed
        grouped = cell.str.contains(r"^[+-]?\d[\d., \u00a0\u202f]*\d$|^[+-]?\d+[.,]\d*$")
        unclear = pl.format(
            "'{}' is not a plain whole number: write counts without thousands separators or "
            "decimals (e.g. 9000), or read the file in the Dutch notation (9.000 = 9000) with "
            "--number-format nl",
            text,
        )
    else:
        fits = cell.str.contains(NL_NUMBER) & ~cell.str.contains(r",\d*[1-9]\d*$")
        grouped = cell.str.contains(NL_NUMBER)
        unclear = pl.format("'{}' is not a whole number", text)
    return (
        pl.when(cell == "")
        .then(pl.lit("missing value"))
        .when(fits)
        .then(pl.format("'{}' is too large for a count", text))
        .when(grouped)
        .then(unclear)
        .otherwise(pl.format("'{}' is not a whole number", text))
    )


def _year_bounds(context: Context) -> pl.DataFrame:
    """Indicator → its first catalogue year (later years, up to this one, may be added)."""
    rows = [(ind, lo) for ind, (lo, _) in context.years.items()]
    return pl.DataFrame(rows, schema={"indicator": pl.String, "year_lo": pl.Int64}, orient="row")


def _check(path: Path, rows: pl.DataFrame, context: Context, number_format: str) -> pl.DataFrame:
    """Every cell of every row checked at once; raises CsvImportError listing each problem."""
    labels = {"region": "gemeente_code"}
    if "__labels" in rows.columns and rows.height:
        labels = rows["__labels"][0]

    def label(col: str) -> str:
        return labels.get(col, col)

    if "year_text" not in rows.columns:
        rows = rows.with_columns(
            pl.when(pl.col("year").str.contains(r"^\d{4}$")).then(pl.col("year")).alias("year_text")
        )
    today = dt.date.today()
    typed = rows.with_columns(
        pl.col("year_text").cast(pl.Int64, strict=False).alias("year_n"),
        _count(pl.col("numerator"), number_format).alias("numerator_n"),
        _count(pl.col("denominator"), number_format).alias("denominator_n"),
    ).join(_year_bounds(context), on="indicator", how="left")
    checks: list[pl.Expr] = []

    def add(mask: pl.Expr, col: str, detail: pl.Expr) -> None:
        """One check: where `mask` holds, the row has `detail` in column `col`."""
        checks.append(
            pl.when(mask)
            .then(pl.struct(pl.lit(label(col)).alias("column"), detail.alias("detail")))
            .alias(f"check{len(checks)}")
        )

    add(
        pl.col("year_n").is_null(),
        "year",
        pl.when(pl.col("year") == "")
        .then(pl.lit("missing value"))
        .otherwise(pl.format("'{}' is not a year", _clip(pl.col("year")))),
    )
    add(
        pl.col("year_n") > today.year,
        "year",
        pl.format(f"year {{}} lies in the future (this is {today.year})", "year_n"),
    )
    add(
        pl.col("year_n") < pl.col("year_lo"),
        "year",
        pl.format(
            "year {} is before the first year of {} in the catalogue ({}; the `years` column of "
            "jeugdmonitor/reference/catalogue.csv)",
            "year_n",
            "indicator",
            "year_lo",
        ),
    )
    for col in ("numerator", "denominator"):
        add(pl.col(f"{col}_n").is_null(), col, _count_problem(pl.col(col), number_format))
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
    for col in TEXT_COLUMNS:
        add(
            pl.col(col).str.contains(CONTROL),
            "region" if col == "gemeente_code" else col,
            pl.lit("contains a control character (a tab, line break or similar): remove it"),
        )
    add(
        ~pl.col("indicator").is_in(list(context.indicators)),
        "indicator",
        pl.format(
            "unknown indicator '{}' (known: " + ", ".join(sorted(context.indicators)) + ")",
            _clip(pl.col("indicator")),
        ),
    )
    add(
        ~pl.col("breakdown").is_in(list(context.breakdowns)),
        "breakdown",
        pl.format(
            "unknown breakdown '{}' (e.g. all, age=4-12, onderwijssoort=vso)",
            _clip(pl.col("breakdown")),
        ),
    )
    # every check in one pass over the rows
    found = (
        typed.select("row", *checks)
        .unpivot(index="row")
        .drop_nulls("value")
        .unnest("value")
        .sort("row", "variable")
    )
    problems = [
        Problem(str(path), c, r, d)
        for r, c, d in found.select("row", "column", "detail").iter_rows()
    ]
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
        shown = value if len(value) <= 40 else value[:40] + "…"
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
        elif column == "gemeente_code":
            detail = _name_instead_of_code(value, shown, context)
        else:
            detail = f"unknown region {shown!r}: give a 2024 gemeente code (GM0363) or name"
        problems.append(Problem(str(path), column, r["row"], detail))
    return problems


def _name_instead_of_code(value: str, shown: str, context: Context) -> str:
    """The message for a long-format `gemeente_code` that is not a code: a gemeente's name gets
    its code ('Utrecht' → GM0344), anything else an example of the code wanted."""
    from jeugdmonitor.data.region_search import fold

    wanted = fold(value).casefold().strip()
    codes = [c for c, name in context.gemeenten.items() if fold(name).casefold() == wanted]
    if codes:
        named = " or ".join(f"{c} ({context.gemeenten[c]})" for c in codes)
        return (
            f"{shown!r} is a name: gemeente_code needs the gemeente's CBS code, here {named}; "
            "figures for a provincie or another region are not imported, only per gemeente"
        )
    return (
        f"{shown!r} is not a gemeente code: gemeente_code needs a 2024 CBS gemeente code such "
        "as GM0344 (Utrecht) or GM0363 (Amsterdam)"
    )
