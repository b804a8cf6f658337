"""CBS open data (OData v3) importer: indicator → table/column mapping → counts per 2024 gemeente.

`reference/cbs_sources.csv` says, per indicator and breakdown, which StatLine table and column hold
the numerator and the denominator (or, for `population`, the count per age group), with dimension
filters such as `Geslacht=T001038;Leeftijd=10010|10100` (values joined by `|` are summed). Users
correct it without touching code. A percentage column becomes a count with the denominator of the
same gemeente and year, and `source` says so. Rows come from the OData feed (paging through
`odata.nextLink`) or from a mirror folder laid out as `cbs/<table>/<endpoint>.json`.

Region codes must be 2024 gemeenten. A code of a gemeente that has since merged is an error, unless
`use_crosswalk` is set: then its counts are added to its 2024 successor (full mergers only; a split
cannot be divided honestly and stays an error).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urljoin

import polars as pl

from jeugdmonitor.files import atomic_write, reference_path
from jeugdmonitor.sources.crosswalk import load_crosswalk
from jeugdmonitor.sources.download import TIMEOUT_S, DownloadError, http_get, parse_json

DEFAULT_BASE_URL = "https://opendata.cbs.nl/ODataFeed/odata"
POPULATION = "population"  # indicator name of population rows and table name of their use
AGE_GROUPS = ("0-4", "4-12", "12-18")
PARTS = ("count", "numerator", "denominator")
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
MAX_PAGES = 100_000
Progress = Callable[[str], None]


class CbsError(DownloadError):
    """A CBS response or the mapping file cannot be used; the message says where and why."""


# ----------------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class Spec:
    """One active row of the mapping file: where one series (numerator, denominator, count) lives."""

    row: int  # row number in the mapping file, header = row 1
    indicator: str
    breakdown: str
    part: str
    table: str
    column: str
    unit: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    file: str = "cbs_sources.csv"

    @property
    def where(self) -> str:
        return f"{self.file} row {self.row} ({self.indicator}, {self.breakdown}, {self.part})"


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
    if not r["table"]:
        return "table", "empty: name a CBS table (e.g. 85098NED) or 'population'"
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
        return "column", f"empty: name a column (Topic key) of table {r['table']}"
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
    frame = frame.with_columns(pl.col(c).str.strip_chars() for c in MAPPING_COLUMNS)
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
            )
        )
    problems += _check_pairs(specs)
    if problems:
        raise CbsError("\n".join(f"{path}: {p}" for p in problems))
    if not specs:
        raise CbsError(f"{path}: no active rows (set active=yes on the rows to fetch)")
    return specs


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


# ----------------------------------------------------------------------------------- sources


class ODataSource(Protocol):
    """Where rows come from: the live OData feed or a mirror folder."""

    def rows(self, table: str, endpoint: str, query: dict[str, str]) -> list[dict[str, Any]]: ...


def _values(doc: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise CbsError(f"{where}: no 'value' list, so not a CBS OData v3 response")
    return doc["value"]


@dataclass
class HttpOData:
    """The live OData v3 feed; follows `odata.nextLink`; optionally saves what it got as a mirror."""

    base_url: str = DEFAULT_BASE_URL
    save_to: Path | None = None
    progress: Progress = print
    timeout: float = TIMEOUT_S

    def rows(self, table: str, endpoint: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """All rows of one endpoint, over every page."""
        params = urlencode({**query, "$format": "json"}, quote_via=quote, safe="$,'()")
        url: str | None = f"{self.base_url.rstrip('/')}/{table}/{endpoint}?{params}"
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise CbsError(f"GET {url}: odata.nextLink repeats a page; stopping")
            seen.add(url)
            doc = parse_json(http_get(url, self.timeout), f"GET {url}")
            page = _values(doc, f"GET {url}")
            out.extend(page)
            if endpoint == "TypedDataSet":
                self.progress(f"    {table}/{endpoint}: page {len(seen)}, {len(out)} rows so far")
            nxt = doc.get("odata.nextLink")
            url = urljoin(url, nxt) if nxt else None
        if self.save_to is not None:
            atomic_write(
                Path(self.save_to) / "cbs" / table / f"{endpoint}.json",
                json.dumps({"value": out}, ensure_ascii=False).encode("utf-8"),
            )
        return out


@dataclass
class MirrorOData:
    """A folder laid out like the downloads: `cbs/<table>/<endpoint>.json` with a `value` list."""

    root: Path
    progress: Progress = print

    def rows(self, table: str, endpoint: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """The stored rows (the query is applied locally by the caller)."""
        path = Path(self.root) / "cbs" / table / f"{endpoint}.json"
        if not path.is_file():
            raise CbsError(f"mirror {self.root}: no file cbs/{table}/{endpoint}.json")
        rows = _values(parse_json(path.read_bytes(), str(path)), str(path))
        if endpoint == "TypedDataSet":
            self.progress(f"    {table}/{endpoint}: {len(rows)} rows from {path}")
        return rows


# ------------------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TableInfo:
    """The keys of a table's geo and time dimensions, other dimensions and topics (columns)."""

    table: str
    geo: str
    time: str
    dimensions: frozenset[str]
    topics: frozenset[str]


def table_info(table: str, props: list[dict[str, Any]]) -> TableInfo:
    """Read DataProperties: which key is the region, which the period, which are columns."""
    by_type: dict[str, list[str]] = {}
    for p in props:
        if isinstance(p, dict) and "Key" in p:
            by_type.setdefault(str(p.get("Type", "")), []).append(str(p["Key"]))
    geo, time = by_type.get("GeoDimension", []), by_type.get("TimeDimension", [])
    if len(geo) != 1 or len(time) != 1:
        raise CbsError(
            f"CBS {table} DataProperties: expected one GeoDimension and one TimeDimension "
            f"(like RegioS and Perioden), found {geo or 'none'} and {time or 'none'}"
        )
    return TableInfo(
        table,
        geo[0],
        time[0],
        frozenset(by_type.get("Dimension", [])),
        frozenset(by_type.get("Topic", [])),
    )


def check_specs(info: TableInfo, specs: list[Spec]) -> None:
    """Every mapped column exists, and every dimension of the table is pinned by a filter."""
    for s in specs:
        if s.column not in info.topics:
            raise CbsError(
                f"CBS {info.table}: column '{s.column}' is not in its DataProperties "
                f"({s.where}); its columns are: {', '.join(sorted(info.topics)) or 'none'}"
            )
        named = {d for d, _ in s.filters}
        unknown = named - info.dimensions
        if unknown:
            raise CbsError(
                f"CBS {info.table}: no dimension {', '.join(sorted(unknown))} ({s.where}); "
                f"its dimensions are: {', '.join(sorted(info.dimensions)) or 'none'}"
            )
        free = info.dimensions - named
        if free:
            raise CbsError(
                f"CBS {info.table}: dimension {', '.join(sorted(free))} has no filter ({s.where}); "
                "choose its values (e.g. the total) or the counts would be summed over all of them"
            )


def odata_query(info: TableInfo, specs: list[Spec], years: Iterable[int]) -> dict[str, str]:
    """$filter (gemeenten, years, union of filter values) and $select for one table."""
    values: dict[str, set[str]] = {}
    for s in specs:
        for dim, vals in s.filters:
            values.setdefault(dim, set()).update(vals)
    clauses = [f"substringof('GM',{info.geo})"]
    clauses.append("(" + " or ".join(f"{info.time} eq '{y}JJ00'" for y in sorted(years)) + ")")
    for dim in sorted(values):
        clauses.append("(" + " or ".join(f"{dim} eq '{v}'" for v in sorted(values[dim])) + ")")
    columns = sorted({s.column for s in specs})
    select = ["ID", info.geo, info.time, *sorted(values), *columns]
    return {"$filter": " and ".join(clauses), "$select": ",".join(select)}


def table_frame(
    info: TableInfo, rows: list[dict[str, Any]], specs: list[Spec], years: Collection[int]
) -> pl.DataFrame:
    """Rows → ID, code, year, dimension columns, numeric topic columns (gemeenten, chosen years)."""
    where = f"CBS {info.table} TypedDataSet"
    if not rows:
        raise CbsError(f"{where}: no rows at all")
    dims = sorted({d for s in specs for d, _ in s.filters})
    columns = sorted({s.column for s in specs})
    ids = [r.get("ID", i) if isinstance(r, dict) else i for i, r in enumerate(rows)]
    data: dict[str, pl.Series] = {"ID": pl.Series("ID", ids, dtype=pl.Int64, strict=False)}
    for key in [info.geo, info.time, *dims, *columns]:
        lacking = next(
            (i for i, r in enumerate(rows) if not isinstance(r, dict) or key not in r), None
        )
        if lacking is not None:
            raise CbsError(
                f"{where}: column '{key}' is missing from the response (row ID {ids[lacking]})"
            )
        raw = [r[key] for r in rows]
        if key in columns:
            series = pl.Series(key, raw, dtype=pl.Float64, strict=False)
            bad = next(
                (
                    i
                    for i, (v, s) in enumerate(zip(raw, series, strict=True))
                    if v is not None and s is None
                ),
                None,
            )
            if bad is not None:
                raise CbsError(
                    f"{where}: column '{key}', row ID {ids[bad]}: {raw[bad]!r} is not a number"
                )
            data[key] = series
        else:
            data[key] = pl.Series(
                key, [None if v is None else str(v).strip() for v in raw], dtype=pl.String
            )
    frame = pl.DataFrame(data).rename({info.geo: "code"})
    period = pl.col(info.time).str.extract(r"^(\d{4})JJ00$", 1).cast(pl.Int32)
    return (
        frame.with_columns(year=period)
        .filter(pl.col("code").str.starts_with("GM") & pl.col("year").is_in(list(years)))
        .drop(info.time)
    )


def code_map(gemeenten: Collection[str], crosswalk: pl.DataFrame) -> pl.DataFrame:
    """code → gm_code, share, old_name, since: 2024 codes map to themselves, old codes by crosswalk."""
    current = pl.DataFrame({"code": sorted(gemeenten)}).with_columns(
        gm_code=pl.col("code"),
        share=pl.lit(1.0),
        old_name=pl.lit(None, pl.String),
        since=pl.lit(None, pl.Int64),
    )
    old = crosswalk.filter(
        pl.col("old_code").is_not_null() & ~pl.col("old_code").is_in(list(gemeenten))
    ).select(pl.col("old_code").alias("code"), "gm_code", "share", "old_name", "since")
    return pl.concat([current, old])


def check_codes(
    frame: pl.DataFrame,
    info: TableInfo,
    codes: pl.DataFrame,
    names: dict[str, str],
    use_crosswalk: bool,
) -> None:
    """Unknown codes and codes of merged gemeenten are errors (the latter unless use_crosswalk)."""
    where = f"CBS {info.table}: column '{info.geo}'"
    found = frame.select("ID", "code", "year").join(codes, on="code", how="left")
    unknown = found.filter(pl.col("gm_code").is_null())
    if unknown.height:
        r = unknown.row(0, named=True)
        raise CbsError(
            f"{where}, row ID {r['ID']} ({r['year']}): unknown gemeente code {r['code']!r}: "
            f"neither a 2024 gemeente nor in reference/gemeente_crosswalk.csv "
            f"({unknown['code'].n_unique()} unknown code(s) in all)"
        )
    old = found.filter(pl.col("old_name").is_not_null()).sort("ID")
    if not old.height:
        return
    split = old.filter(pl.col("share") < 1.0)
    r = (split if split.height else old).row(0, named=True)
    fate = (
        f"split over several 2024 gemeenten in {r['since']}"
        if split.height
        else f"merged into {r['gm_code']} {names.get(r['gm_code'], '')} in {r['since']}"
    )
    text = (
        f"{where}, row ID {r['ID']} ({r['year']}): {r['code']!r} is a gemeente code from before "
        f"{r['since']} ({r['old_name']}, {fate}); data/ uses the 2024 gemeenten"
    )
    if split.height:
        raise CbsError(text + ". Counts of a split gemeente cannot be divided; limit --years.")
    if not use_crosswalk:
        raise CbsError(
            text + ". Re-run with --crosswalk to add merged gemeenten to their 2024 successor, "
            "or limit --years to years with the 2024 indeling."
        )


def spec_series(frame: pl.DataFrame, info: TableInfo, spec: Spec) -> pl.DataFrame:
    """code, year, value of one mapped series: filter values summed; null if CBS left one empty."""
    rows, expected = frame, 1
    for dim, vals in spec.filters:
        present = set(frame[dim].unique().drop_nulls().to_list())
        missing = [v for v in vals if v not in present]
        if missing:
            sample = ", ".join(sorted(present)[:12])
            raise CbsError(
                f"CBS {info.table}: no rows with {dim}={missing[0]} ({spec.where}); "
                f"values present: {sample or 'none'}"
            )
        rows = rows.filter(pl.col(dim).is_in(list(vals)))
        expected *= len(vals)
    grouped = rows.group_by("code", "year").agg(
        pl.col(spec.column).sum().alias("value"),
        pl.col(spec.column).null_count().alias("nulls"),
        pl.len().alias("n"),
        pl.col("ID").min().alias("first_id"),
    )
    wrong = grouped.filter(pl.col("n") != expected)
    if wrong.height:
        r = wrong.sort("first_id").row(0, named=True)
        raise CbsError(
            f"CBS {info.table}: column '{info.geo}', row ID {r['first_id']}: gemeente {r['code']} "
            f"year {r['year']} has {r['n']} rows for {spec.where}, expected {expected} "
            "(duplicate or missing rows)"
        )
    return grouped.select(
        "code",
        "year",
        pl.when(pl.col("nulls") == 0).then(pl.col("value")).alias("value"),
    )


# ------------------------------------------------------------------------------------ assembly


@dataclass
class CbsResult:
    """Fetched indicator rows and population, with what was left out and why."""

    indicators: pl.DataFrame
    population: pl.DataFrame
    population_year: int | None
    empty_cells: dict[tuple[str, str], int] = field(default_factory=dict)
    merged_codes: list[str] = field(default_factory=list)


def _to_2024(frame: pl.DataFrame, codes: pl.DataFrame, keys: list[str], values: list[str]):
    return (
        frame.join(codes.select("code", "gm_code"), on="code")
        .group_by("gm_code", *keys)
        .agg(pl.col(v).sum() for v in values)
        .rename({"gm_code": "gemeente_code"})
    )


def _span(years: Collection[int]) -> str:
    ordered = sorted(years)
    return str(ordered[0]) if len(ordered) == 1 else f"{ordered[0]}-{ordered[-1]}"


def _source_text(num: Spec, den: Spec, pop_tables: set[str]) -> str:
    text = f"CBS StatLine {num.table} ({num.column})"
    if num.unit == "percent":
        base = (
            f"bevolking CBS {', '.join(sorted(pop_tables))}"
            if den.table == POPULATION
            else f"CBS {den.table} {den.column}"
        )
        text += f"; aantal = percentage × {base}"
    return text


def fetch(
    source: ODataSource,
    specs: list[Spec],
    gemeenten: Collection[str],
    names: dict[str, str],
    years: Collection[int],
    use_crosswalk: bool = False,
    progress: Progress = print,
) -> CbsResult:
    """Download every mapped table and turn it into indicator rows and population for 2024 gemeenten."""
    codes = code_map(gemeenten, load_crosswalk())
    tables: dict[str, list[Spec]] = {}
    for s in specs:
        if s.table != POPULATION:
            tables.setdefault(s.table, []).append(s)
    series: dict[tuple[str, str, str], pl.DataFrame] = {}
    merged: set[str] = set()
    for i, (table, tspecs) in enumerate(sorted(tables.items()), start=1):
        progress(f"[{i}/{len(tables)}] CBS {table}: {len(tspecs)} series")
        info = table_info(table, source.rows(table, "DataProperties", {}))
        check_specs(info, tspecs)
        rows = source.rows(table, "TypedDataSet", odata_query(info, tspecs, years))
        frame = table_frame(info, rows, tspecs, years)
        if not frame.height:  # the table has no gemeente figures for these years (yet)
            progress(f"    CBS {table}: no gemeente figures for {_span(years)}; skipped")
            continue
        check_codes(frame, info, codes, names, use_crosswalk)
        merged |= set(frame["code"].unique()) - set(gemeenten)
        for s in tspecs:
            series[(s.indicator, s.breakdown, s.part)] = spec_series(frame, info, s)

    pop_specs = [
        s for s in specs if s.part == "count" and (POPULATION, s.breakdown, "count") in series
    ]
    pop_raw = (
        pl.concat(
            series[(POPULATION, s.breakdown, "count")].with_columns(
                age_group=pl.lit(s.breakdown.removeprefix("age="))
            )
            for s in pop_specs
        )
        if pop_specs
        else pl.DataFrame(
            schema={
                "code": pl.String,
                "year": pl.Int32,
                "value": pl.Float64,
                "age_group": pl.String,
            }
        )
    )
    pop_tables = {s.table for s in pop_specs}

    by_key = {(s.indicator, s.breakdown, s.part): s for s in specs}
    parts, empty = [], {}
    for (ind, brk, part), num in sorted(by_key.items()):
        if part != "numerator" or (ind, brk, part) not in series:
            continue
        den = by_key[(ind, brk, "denominator")]
        if den.table != POPULATION and (ind, brk, "denominator") not in series:
            continue
        if den.table == POPULATION:
            groups = list(den.filters[0][1])
            den_series = (
                pop_raw.filter(pl.col("age_group").is_in(groups))
                .group_by("code", "year")
                .agg(
                    pl.when(pl.col("value").null_count() == 0).then(pl.col("value").sum()),
                    pl.len().alias("n"),
                )
                .filter(pl.col("n") == len(groups))
                .drop("n")
            )
        else:
            den_series = series[(ind, brk, "denominator")]
        joined = series[(ind, brk, "numerator")].join(
            den_series.rename({"value": "denominator"}),
            on=["code", "year"],
            how="full",
            coalesce=True,
        )
        if num.unit == "percent":
            bad = joined.filter((pl.col("value") < 0) | (pl.col("value") > 100))
            if bad.height:
                r = bad.row(0, named=True)
                raise CbsError(
                    f"CBS {num.table}: column '{num.column}': {r['value']} for {r['code']} "
                    f"{r['year']} is not a percentage ({num.where})"
                )
            joined = joined.with_columns(numerator=(pl.col("value") / 100 * pl.col("denominator")))
        else:
            joined = joined.rename({"value": "numerator"})
        # A 2024 gemeente-year is kept only when every code it is summed from (itself, or its
        # predecessors with --crosswalk) has both counts: a partial sum would be a wrong count.
        whole = (
            (pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null())
            .all()
            .over("gm_code", "year")
        )
        joined = joined.join(codes.select("code", "gm_code"), on="code", how="left")
        complete = joined.filter(whole).drop("gm_code")
        empty[(ind, brk)] = joined.filter(~whole).select("gm_code", "year").n_unique()
        counts = complete.with_columns(pl.col("numerator", "denominator").round(0))
        negative = counts.filter((pl.col("numerator") < 0) | (pl.col("denominator") <= 0))
        over = counts.filter(pl.col("numerator") > pl.col("denominator"))
        for frame_bad, what in (
            (negative, "a negative or zero count"),
            (over, "numerator > denominator"),
        ):
            if frame_bad.height:
                r = frame_bad.row(0, named=True)
                raise CbsError(
                    f"CBS {num.table}: column '{num.column}': {what} for {r['code']} {r['year']} "
                    f"({r['numerator']:.0f} / {r['denominator']:.0f}, {num.where})"
                )
        parts.append(
            _to_2024(counts, codes, ["year"], ["numerator", "denominator"]).with_columns(
                indicator=pl.lit(ind),
                breakdown=pl.lit(brk),
                source=pl.lit(_source_text(num, den, pop_tables)),
                is_simulated=pl.lit(False),
                # a count derived from a percentage is an estimate (rounding, CBS's denominator)
                is_estimate=pl.lit(num.unit == "percent"),
            )
        )
    indicators = (
        pl.concat(parts, how="diagonal")
        .select(
            "indicator",
            "gemeente_code",
            pl.col("year").cast(pl.Int32),
            "breakdown",
            pl.col("numerator").cast(pl.Int64),
            pl.col("denominator").cast(pl.Int64),
            "source",
            "is_simulated",
            "is_estimate",
        )
        .sort("indicator", "gemeente_code", "year", "breakdown")
        if parts
        else pl.DataFrame()
    )
    population, pop_year = _population(pop_raw, codes, pop_tables)
    return CbsResult(indicators, population, pop_year, empty, sorted(merged))


def _population(
    pop_raw: pl.DataFrame, codes: pl.DataFrame, tables: set[str]
) -> tuple[pl.DataFrame, int | None]:
    """Population per 2024 gemeente, year and age group, as CBS counted it (not an estimate);
    and the latest year with figures."""
    known = pop_raw.drop_nulls("value")
    if not known.height:
        return pl.DataFrame(), None
    rows = pop_raw.join(codes.select("code", "gm_code"), on="code")
    # as for indicators: a 2024 gemeente is only summed when none of its parts is missing
    whole = rows.filter(pl.col("value").is_not_null().all().over("gm_code", "year", "age_group"))
    counts = _to_2024(whole.drop("gm_code"), codes, ["year", "age_group"], ["value"])
    source = f"CBS {', '.join(sorted(tables))}, 1 januari"
    return (
        counts.select(
            "gemeente_code",
            pl.col("year").cast(pl.Int32),
            "age_group",
            pl.col("value").round(0).cast(pl.Int64).alias("population"),
            pl.lit(False).alias("is_estimate"),
            pl.format("{} {}", pl.lit(source), pl.col("year")).alias("source"),
        ).sort("gemeente_code", "year", "age_group"),
        int(known["year"].max()),
    )
