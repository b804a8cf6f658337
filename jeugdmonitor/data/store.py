"""Load and validate the parquet tables in `data/` once per process.

`marimo run` serves every session from one process, so `load()` is cached at module level and all
sessions share the same frames. Validation checks schema and invariants and raises one
`DataValidationError` that names the file, the column and the offending rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from jeugdmonitor.data import geocheck
from jeugdmonitor.data.region_types import REGION_TYPES

DATA_ENV = "JEUGDMONITOR_DATA"
GEO_LEVELS = ("gemeente", "swv_po", "swv_vo", "jeugdregio", "provincie", "wijk")
WEIGHT_TOLERANCE = 1e-6
# A value of a region, or of a 2024 gemeente formed from several gemeenten, needs members (parts)
# holding at least 90% of its youths: missing members are mostly small (suppressed counts), so 90%
# keeps values with a few small gaps and refuses anything built on a minority; a single imported
# gemeente can never stand for a whole region.
COVERAGE_MIN = 0.9

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "regions": {
        "code": pl.String,
        "type": pl.String,
        "name": pl.String,
        "display_name": pl.String,
        "area_km2": pl.Float64,  # land area: Σ weight × member gemeente area (build)
    },
    "membership": {"gemeente_code": pl.String, "region_code": pl.String, "weight": pl.Float64},
    "indicators": {
        "indicator": pl.String,
        "gemeente_code": pl.String,
        "year": pl.Int32,
        "breakdown": pl.String,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
        "source": pl.String,
        "is_simulated": pl.Boolean,
        "is_estimate": pl.Boolean,  # numerator or denominator estimated/derived (see source)
        # the rate as the source published it (a fraction), when it publishes a rounded
        # percentage rather than counts (85098NED): the numerator is then derived from it
        "published_rate": pl.Float64,
        # a 2024 gemeente formed from several gemeenten, counted over only some of them: the share
        # of its youths those hold (null = all); below COVERAGE_MIN the app shows no value
        "coverage": pl.Float64,
        "note": pl.String,  # what the row leaves out ('zonder Weesp: < 10'); null = nothing
    },
    "catalogue": {
        "indicator": pl.String,
        "section": pl.String,
        "title_nl": pl.String,
        "description_nl": pl.String,
        "unit": pl.String,
        "denominator_nl": pl.String,
        "source": pl.String,
        "years": pl.String,
        "higher_is": pl.String,
    },
    "breakdowns": {
        "breakdown": pl.String,
        "dimension": pl.String,
        "label_nl": pl.String,
        "sort": pl.Int32,
    },
    "population": {
        "gemeente_code": pl.String,
        "year": pl.Int32,
        "age_group": pl.String,  # 0-4, 4-12, 12-18 (the 0-18 year olds) and 18-23
        "population": pl.Int64,
        "is_estimate": pl.Boolean,
        "source": pl.String,
    },
    "wijken": {  # CBS jeugdzorg and KWB per wijk, 2021-2022 (own boundaries); nulls allowed
        "wijk_code": pl.String,
        "year": pl.Int32,
        "name": pl.String,
        "gemeente_own": pl.String,  # the gemeente of that year
        "gemeente_code": pl.String,  # its 2024 gemeente
        "jz_totaal": pl.Int64,
        "jz_0_4": pl.Int64,
        "jz_4_12": pl.Int64,
        "jz_12_18": pl.Int64,
        "jz_18_23": pl.Int64,
        "hh_eenouder": pl.Int64,
        "hh_paar": pl.Int64,
        "hh_ander": pl.Int64,
        "traj_totaal": pl.Int64,
        "vw_gemeentelijke_toegang": pl.Int64,
        "vw_huisarts": pl.Int64,
        "vw_jeugdarts": pl.Int64,
        "vw_gecertificeerde_instelling": pl.Int64,
        "vw_medisch_specialist": pl.Int64,
        "vw_rechter_om": pl.Int64,
        "vw_geen": pl.Int64,
        "vw_onbekend": pl.Int64,
        "jz_0_18": pl.Int64,  # clients 0-17: the age cells, suppressed ones filled in
        "jz_0_18_estimated": pl.Boolean,  # jz_0_18 holds a filled-in (suppressed) age cell
        "youth_0_18": pl.Int64,  # estimate (see data/README.md)
        "youth_0_23": pl.Int64,  # estimate
        "a_inw": pl.Float64,
        "a_00_14": pl.Float64,
        "a_15_24": pl.Float64,
        "a_hh": pl.Float64,
        "a_hh_m_k": pl.Float64,
        "p_hh_li": pl.Float64,
        "p_hh_lkk": pl.Float64,
        "p_hh_osm": pl.Float64,
        "a_soz_wb": pl.Float64,
        "ste_mvs": pl.Float64,
        "ste_oad": pl.Float64,
        "a_lan_ha": pl.Float64,
        "a_opl_lg": pl.Float64,  # inhabitants 15-75 by education level (KWB 2021)
        "a_opl_md": pl.Float64,
        "a_opl_hg": pl.Float64,
    },
    "context": {  # real characteristics per gemeente (KWB, income), long
        "gemeente_code": pl.String,
        "year": pl.Int32,
        "variable": pl.String,
        "value": pl.Float64,
        "is_estimate": pl.Boolean,
        "source": pl.String,
    },
}
# the national figure as the source publishes it, where it does (NL01): an indicator row without
# a gemeente
SCHEMAS["national"] = {k: v for k, v in SCHEMAS["indicators"].items() if k != "gemeente_code"}
# An estimated count lies between these (e.g. pupils from cells of 1-4): the interval of its rate
# widens to them. Null for an exact count; a file without the columns reads them as null.
BOUNDS = {"numerator_low": pl.Int64, "numerator_high": pl.Int64}
SCHEMAS["indicators"].update(BOUNDS)
# a figure the build computed for a region itself rather than as the sum of its gemeenten (pupils
# by postcode of residence for an SWV); it replaces the sum for that region, year and breakdown
SCHEMAS["regional"] = {
    "region_code": pl.String,
    **{k: v for k, v in SCHEMAS["indicators"].items() if k != "gemeente_code"},
}
KEYS = {
    "regions": ["code"],
    "membership": ["gemeente_code", "region_code"],
    "indicators": ["indicator", "gemeente_code", "year", "breakdown"],
    "catalogue": ["indicator"],
    "breakdowns": ["breakdown"],
    "population": ["gemeente_code", "year", "age_group"],
    "context": ["gemeente_code", "year", "variable"],
    "national": ["indicator", "year", "breakdown"],
    "wijken": ["wijk_code", "year"],
    "regional": ["indicator", "region_code", "year", "breakdown"],
}
# Columns that may be empty: CBS suppresses small counts and published no 2022 income figures.
# OPTIONAL columns may also be absent (a data folder of an earlier version): they read as empty.
OPTIONAL = {name: {"published_rate", "coverage", "note"} for name in ("indicators", "national")}
NULLABLE = {"wijken": set(SCHEMAS["wijken"]) - {"wijk_code", "year", "name", "gemeente_own",
                                                "gemeente_code"}}  # fmt: skip
OPTIONAL["indicators"] |= set(BOUNDS)
OPTIONAL["regional"] = {"published_rate", "coverage", "note", *BOUNDS}
NULLABLE |= OPTIONAL
OPTIONAL_TABLES = ("regional",)  # an older data folder without it has no regional figures


YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*(?:([-–])\s*(\d{4})?)?\s*$")


def parse_year_range(text: str | None) -> tuple[int, int | None] | None:
    """The catalogue's `years`: '2020-2024' → (2020, 2024), '2015-' → (2015, None) (open end),
    '2022' → (2022, 2022); None when the text is not such a range."""
    match = YEAR_RANGE.match(text or "")
    if match is None:
        return None
    first, dash, last = match.groups()
    end = int(last) if last else (None if dash else int(first))
    if end is not None and end < int(first):
        return None
    return int(first), end


def with_optional(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the table's OPTIONAL columns it lacks added as empty (null) columns."""
    absent = [c for c in OPTIONAL.get(name, ()) if c not in frame.columns]
    return frame.with_columns(pl.lit(None, SCHEMAS[name][c]).alias(c) for c in sorted(absent))


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The table's columns, in schema order and cast to the schema's types (before writing);
    OPTIONAL columns a frame lacks (e.g. imported rows) are empty."""
    return with_optional(name, frame).select([pl.col(c).cast(t) for c, t in SCHEMAS[name].items()])


def default_data_dir() -> Path:
    """`$JEUGDMONITOR_DATA`, else the repository's `data/` next to the package."""
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class Problem:
    """One failed check: where (file, column, rows) and what.

    `rows` are 0-based row indices of the table; the text counts as `import` does for a CSV
    (the header is row 1, so index 0 is row 2)."""

    table: str
    column: str
    rows: list[int]
    detail: str

    def __str__(self) -> str:
        if self.column == "*" or self.table.endswith(".topojson"):  # a whole file, or a map
            inside = "" if self.column == "*" else f"{self.column}: "
            return f"{self.table}: {inside}{self.detail}"
        # counted as `import` counts a CSV's lines: the header is row 1, the first data row 2
        where = f"row {self.rows[0] + 2}" if self.rows else "all rows"
        more = f" (and {len(self.rows) - 1} more rows)" if len(self.rows) > 1 else ""
        return f"{self.table}: column '{self.column}', {where}{more}: {self.detail}"


class DataValidationError(ValueError):
    """The data folder breaks a schema rule or an invariant; `problems` lists every failure."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} data problem(s) found (the header is row 1):\n{lines}")


@dataclass(frozen=True, eq=False)
class Store:
    """The validated tables, plus small per-process caches of derived frames."""

    data_dir: Path
    regions: pl.DataFrame
    membership: pl.DataFrame
    indicators: pl.DataFrame
    catalogue: pl.DataFrame
    breakdowns: pl.DataFrame
    population: pl.DataFrame
    context: pl.DataFrame
    national: pl.DataFrame
    wijken: pl.DataFrame
    regional: pl.DataFrame
    region_index: dict[str, dict[str, Any]] = field(repr=False)
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Memoise a derived value for the lifetime of the process (shared by all sessions)."""
        try:
            return self._cache[key]
        except KeyError:
            value = compute()
            with self._lock:
                return self._cache.setdefault(key, value)

    def geo_path(self, level: str) -> Path:
        """Path of the TopoJSON for a map level (gemeente, swv_po, swv_vo, jeugdregio, provincie)."""
        if level not in GEO_LEVELS:
            raise KeyError(f"no map for region type {level!r}")
        return self.data_dir / "geo" / f"{level}.topojson"

    def geo_text(self, level: str) -> str:
        """The TopoJSON text of a map level, read once."""
        return self.cached(("geo", level), lambda: self.geo_path(level).read_text(encoding="utf-8"))

    @property
    def is_simulated(self) -> bool:
        """True while any indicator row is simulated."""
        return self.cached("any_simulated", lambda: bool(self.indicators["is_simulated"].any()))


# ---------------------------------------------------------------------------------- validation


def _row_detail(frame: pl.DataFrame, row: int, columns: list[str]) -> str:
    values = frame.row(row, named=True)
    return ", ".join(f"{c}={values[c]!r}" for c in columns if c in values)


def _rows(mask_frame: pl.DataFrame) -> list[int]:
    return mask_frame["__row"].to_list()


def _check_schema(
    name: str, path: str, frame: pl.DataFrame
) -> tuple[pl.DataFrame | None, list[Problem]]:
    problems: list[Problem] = []
    schema = SCHEMAS[name]
    frame = with_optional(name, frame)
    for column in schema:
        if column not in frame.columns:
            problems.append(
                Problem(path, column, [], f"column is missing (expected {schema[column]})")
            )
    if problems:
        return None, problems
    casts = []
    for column, dtype in schema.items():
        actual = frame.schema[column]
        if actual == dtype:
            continue
        both_int = actual.is_integer() and dtype.is_integer()
        both_float = actual.is_float() and dtype.is_float()
        if both_int or both_float:
            casts.append(pl.col(column).cast(dtype))
            continue
        converted = frame.select(
            pl.int_range(pl.len()).alias("__row"),
            pl.col(column),
            pl.col(column).cast(dtype, strict=False).alias("__cast"),
        )
        bad = converted.filter(pl.col("__cast").is_null() & pl.col(column).is_not_null())
        row = bad["__row"][0] if bad.height else 0
        value = frame[column][row]
        problems.append(
            Problem(
                path,
                column,
                [row],
                f"wrong dtype {actual}, expected {dtype} (value {value!r})",
            )
        )
    if problems:
        return None, problems
    frame = frame.with_columns(casts) if casts else frame
    return frame.select(list(schema)), []


def _check_table(name: str, path: str, frame: pl.DataFrame) -> list[Problem]:
    """Nulls and duplicate keys: rules that need only the table itself."""
    problems = []
    indexed = frame.with_row_index("__row")
    for column in frame.columns:
        if column in NULLABLE.get(name, ()):
            continue
        nulls = indexed.filter(pl.col(column).is_null())
        if nulls.height:
            problems.append(Problem(path, column, _rows(nulls), "missing value (null)"))
    keys = KEYS[name]
    dup = indexed.filter(pl.struct(keys).is_duplicated())
    if dup.height:
        problems.append(
            Problem(
                path,
                ", ".join(keys),
                _rows(dup),
                f"duplicate key ({_row_detail(frame, dup['__row'][0], keys)})",
            )
        )
    return problems


def _check_known(
    path: str,
    frame: pl.DataFrame,
    column: str,
    known: pl.Series,
    what: str,
    detail_columns: list[str],
) -> list[Problem]:
    bad = frame.with_row_index("__row").filter(~pl.col(column).is_in(known.implode()))
    if not bad.height:
        return []
    row = bad["__row"][0]
    return [
        Problem(
            path,
            column,
            _rows(bad),
            f"unknown {what} {frame[column][row]!r} ({_row_detail(frame, row, detail_columns)})",
        )
    ]


def _check_counts(path: str, frame: pl.DataFrame, keys: list[str]) -> list[Problem]:
    """Counts are non-negative and a numerator never exceeds its denominator."""
    problems = []
    indexed = frame.with_row_index("__row")
    for column in ("numerator", "denominator"):
        neg = indexed.filter(pl.col(column) < 0)
        if neg.height:
            problems.append(
                Problem(
                    path,
                    column,
                    _rows(neg),
                    f"negative count {neg[column][0]} ({_row_detail(frame, neg['__row'][0], keys)})",
                )
            )
    if "numerator_low" in frame.columns:
        outside = indexed.filter(
            (pl.col("numerator_low") < 0)
            | (pl.col("numerator_low") > pl.col("numerator"))
            | (pl.col("numerator_high") < pl.col("numerator"))
            | (pl.col("numerator_low").is_null() != pl.col("numerator_high").is_null())
        )
        if outside.height:
            r = outside.row(0, named=True)
            problems.append(
                Problem(
                    path,
                    "numerator_low, numerator_high",
                    _rows(outside),
                    f"numerator {r['numerator']} not within its bounds {r['numerator_low']}-"
                    f"{r['numerator_high']} ({_row_detail(frame, r['__row'], keys)})",
                )
            )
    for column in ("published_rate", "coverage"):
        if column not in frame.columns:
            continue
        outside = indexed.filter((pl.col(column) < 0) | (pl.col(column) > 1))
        if outside.height:
            problems.append(
                Problem(
                    path,
                    column,
                    _rows(outside),
                    f"not a fraction between 0 and 1: {outside[column][0]} "
                    f"({_row_detail(frame, outside['__row'][0], keys)})",
                )
            )
    over = indexed.filter(pl.col("numerator") > pl.col("denominator"))
    if over.height:
        r = over.row(0, named=True)
        problems.append(
            Problem(
                path,
                "numerator",
                _rows(over),
                f"numerator {r['numerator']} > denominator {r['denominator']} "
                f"({_row_detail(frame, r['__row'], keys)})",
            )
        )
    return problems


def validate_frames(frames: dict[str, pl.DataFrame], paths: dict[str, str]) -> list[Problem]:
    """Run every check over already-typed frames; returns all problems (empty when valid)."""
    problems: list[Problem] = []
    for name, frame in frames.items():
        problems += _check_table(name, paths[name], frame)
    regions, membership = frames["regions"], frames["membership"]
    gemeente_codes = regions.filter(pl.col("type") == "gemeente")["code"]

    known = {
        "gemeente code": gemeente_codes,
        "region code": regions["code"],
        "region type": pl.Series(REGION_TYPES),
        "indicator (not in catalogue)": frames["catalogue"]["indicator"],
        "breakdown": frames["breakdowns"]["breakdown"],
    }
    # (table, column, what it must be): every code a table refers to must exist
    references = [
        ("regions", "type", "region type"),
        ("membership", "gemeente_code", "gemeente code"),
        ("membership", "region_code", "region code"),
        ("indicators", "gemeente_code", "gemeente code"),
        ("indicators", "indicator", "indicator (not in catalogue)"),
        ("indicators", "breakdown", "breakdown"),
        ("population", "gemeente_code", "gemeente code"),
        ("context", "gemeente_code", "gemeente code"),
        ("national", "indicator", "indicator (not in catalogue)"),
        ("national", "breakdown", "breakdown"),
        ("wijken", "gemeente_code", "gemeente code"),
        ("regional", "region_code", "region code"),
        ("regional", "indicator", "indicator (not in catalogue)"),
        ("regional", "breakdown", "breakdown"),
    ]
    for table, column, what in references:
        problems += _check_known(
            paths[table], frames[table], column, known[what], what, KEYS[table]
        )

    for table in ("indicators", "national", "regional"):
        problems += _check_counts(paths[table], frames[table], KEYS[table])

    problems += _check_years(frames, paths)
    problems += _check_code_format(frames, paths)

    weights = membership.with_row_index("__row")
    bad_w = weights.filter((pl.col("weight") <= 0) | (pl.col("weight") > 1 + WEIGHT_TOLERANCE))
    if bad_w.height:
        problems.append(
            Problem(
                paths["membership"],
                "weight",
                _rows(bad_w),
                f"weight {bad_w['weight'][0]} outside (0, 1]",
            )
        )
    sums = (
        gemeente_codes.to_frame("gemeente_code")
        .join(pl.DataFrame({"type": REGION_TYPES}), how="cross")
        .join(
            weights.join(
                regions.select(pl.col("code").alias("region_code"), "type"), on="region_code"
            )
            .group_by("gemeente_code", "type")
            .agg(pl.col("weight").sum(), pl.col("__row").min()),
            on=["gemeente_code", "type"],
            how="left",
        )
        .filter((pl.col("weight").fill_null(0.0) - 1.0).abs() > WEIGHT_TOLERANCE)
    )
    if sums.height:
        r = sums.row(0, named=True)
        problems.append(
            Problem(
                paths["membership"],
                "weight",
                [x for x in sums["__row"].to_list() if x is not None],
                f"weights of gemeente {r['gemeente_code']} in type {r['type']} sum to "
                f"{r['weight'] or 0.0:.6f}, not 1 ({sums.height} gemeente/type pairs)",
            )
        )
    return problems


CODE_FORMAT = r"^[A-Z]{2}[0-9]{2,8}$"  # GM0363, PO2707, JZ01, PV27, NL01, WK036300
CODE_COLUMNS = (("regions", "code"), ("wijken", "wijk_code"))


def _check_code_format(frames: dict[str, pl.DataFrame], paths: dict[str, str]) -> list[Problem]:
    """Region and wijk codes are two capitals and digits: they become file names (`report`) and
    URLs (`?region=`, links in reports), so anything else could escape a folder or a link."""
    problems = []
    for table, column in CODE_COLUMNS:
        if table not in frames:
            continue
        bad = (
            frames[table].with_row_index("__row").filter(~pl.col(column).str.contains(CODE_FORMAT))
        )
        if bad.height:
            problems.append(
                Problem(
                    paths[table],
                    column,
                    _rows(bad),
                    f"code {bad[column][0][:40]!r} is not two capital letters and digits "
                    "(e.g. GM0363, PO2707, JZ01)",
                )
            )
    return problems


def _check_years(frames: dict[str, pl.DataFrame], paths: dict[str, str]) -> list[Problem]:
    """Years: no indicator year before its first catalogue year, no year in any table after this one.

    The catalogue's `years` say from when the monitor accepts figures (2015-: the Jeugdwet and
    passend onderwijs era); later years, up to this one, are publications `fetch` and `import` may
    add. Which years the bundled data holds is in data/README.md.
    """
    problems = []
    this_year = dt.date.today().year
    catalogue = frames["catalogue"].with_row_index("__row")
    ranges = []
    for row, indicator, text in catalogue.select("__row", "indicator", "years").iter_rows():
        parsed = parse_year_range(text)
        if parsed is None:
            problems.append(
                Problem(
                    paths["catalogue"],
                    "years",
                    [row],
                    f"cannot read {text!r} for {indicator}: use FIRST-LAST (2020-2024) or "
                    "FIRST- for a series that is still published",
                )
            )
        else:
            ranges.append((indicator, parsed[0], parsed[1]))
    bounds = pl.DataFrame(
        ranges, schema={"indicator": pl.String, "lo": pl.Int64, "hi": pl.Int64}, orient="row"
    )
    early = (
        frames["indicators"]
        .with_row_index("__row")
        .join(bounds, on="indicator", how="inner")
        .filter(pl.col("year") < pl.col("lo"))
        .sort("__row")
    )
    if early.height:
        r = early.row(0, named=True)
        problems.append(
            Problem(
                paths["indicators"],
                "year",
                _rows(early),
                f"year {r['year']} of {r['indicator']} is before its first catalogue year "
                f"({r['lo']}; the `years` column of jeugdmonitor/reference/catalogue.csv)",
            )
        )
    for name, frame in frames.items():
        if "year" not in frame.columns:
            continue
        future = frame.with_row_index("__row").filter(pl.col("year") > this_year)
        if future.height:
            problems.append(
                Problem(
                    paths[name],
                    "year",
                    _rows(future),
                    f"year {future['year'][0]} is after {this_year}",
                )
            )
    return problems


def map_codes(frames: dict[str, pl.DataFrame], level: str) -> list[str]:
    """The codes a map level may draw: the regions of that type, or the wijken in `wijken`.

    A region map must draw every region of its type; the wijk map (one year's boundaries) only
    draws known wijken, since `wijken` spans years with other boundaries.
    """
    if level == "wijk":
        return frames["wijken"]["wijk_code"].unique().to_list() if "wijken" in frames else []
    return frames["regions"].filter(pl.col("type") == level)["code"].to_list()


def validate_maps(data_dir: Path, frames: dict[str, pl.DataFrame]) -> list[Problem]:
    """Every map level: present, TopoJSON, the level's codes exactly once, closed rings (geocheck)."""
    problems = []
    for level in GEO_LEVELS:
        path = Path(data_dir) / "geo" / f"{level}.topojson"
        codes = map_codes(frames, level)
        try:
            found = geocheck.check_file(path, level, codes, complete=level != "wijk")
        except OSError as exc:
            what = "map file is missing" if not path.exists() else f"cannot read ({exc})"
            problems.append(Problem(str(path), "*", [], what))
            continue
        problems += [Problem(str(path), where, [], detail) for where, detail in found]
    return problems


def read_tables(
    data_dir: Path, names: Collection[str] | None = None
) -> tuple[dict[str, pl.DataFrame], dict[str, str]]:
    """Read every table's parquet file (or only `names`) and check its schema; raise on any
    problem."""
    frames: dict[str, pl.DataFrame] = {}
    paths: dict[str, str] = {}
    problems: list[Problem] = []
    for name in SCHEMAS if names is None else [n for n in SCHEMAS if n in names]:
        path = Path(data_dir) / f"{name}.parquet"
        paths[name] = str(path)
        if not path.is_file() and name in OPTIONAL_TABLES:
            frames[name] = pl.DataFrame(schema=SCHEMAS[name])
            continue
        if not path.is_file():
            problems.append(Problem(str(path), "*", [], "file is missing"))
            continue
        try:
            raw = pl.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - any read failure is reported with the file name
            problems.append(Problem(str(path), "*", [], f"cannot read parquet file ({exc})"))
            continue
        typed, found = _check_schema(name, str(path), raw)
        problems += found
        if typed is not None:
            frames[name] = typed
    if problems:
        raise DataValidationError(problems)
    return frames, paths


def validate(data_dir: Path | str | None = None) -> list[Problem]:
    """All problems in a data folder (empty list when it is valid). Used by `jeugdmonitor validate`."""
    data = Path(data_dir) if data_dir else default_data_dir()
    try:
        frames, paths = read_tables(data)
    except DataValidationError as exc:
        return exc.problems
    return validate_frames(frames, paths) + validate_maps(data, frames)


def open_store(data_dir: Path | str | None = None) -> Store:
    """Read, validate and index a data folder (uncached; use `load()` in apps)."""
    data = Path(data_dir) if data_dir else default_data_dir()
    frames, paths = read_tables(data)
    problems = validate_frames(frames, paths) + validate_maps(data, frames)
    if problems:
        raise DataValidationError(problems)
    return from_frames(data, frames)


def from_frames(data_dir: Path | str, frames: dict[str, pl.DataFrame]) -> Store:
    """A Store over already read (and validated) frames, e.g. the state an import would write."""
    index = {row["code"]: row for row in frames["regions"].iter_rows(named=True)}
    return Store(data_dir=Path(data_dir), region_index=index, **frames)


@functools.cache
def _load(resolved: str) -> Store:
    return open_store(Path(resolved))


def load(data_dir: Path | str | None = None) -> Store:
    """The process-wide store for a data folder: read and validated on first use, then shared."""
    data = Path(data_dir) if data_dir else default_data_dir()
    return _load(str(data.resolve()))


def clear_cache() -> None:
    """Forget loaded stores (after `build`, `fetch` or `import` replaced the files)."""
    _load.cache_clear()
