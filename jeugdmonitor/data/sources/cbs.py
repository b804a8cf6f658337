"""CBS open data (OData v3) importer: catalogue → tables per year → counts per 2024 gemeente.

`reference/cbs_sources.csv` says, per indicator and breakdown, where the numerator and the
denominator (or, for `population`, the count per age group) live: a fixed StatLine `table`, or a
`series` of yearly tables found in the CBS catalogue by `title_pattern` (CBS publishes e.g. the
jeugdzorg figures per wijk as a new table every year). A `column` is named by meaning: a glob on
the DataProperties key (`k_0Tot4Jaar_*`, since the numeric suffix moves between years) or
`title=<Title>`, alternatives joined by `|`, terms to add up joined by `+`. A column that is missing
in a year's table, or matched twice, is an error naming the table, the year and the column.
Dimension filters such as `Geslacht=T001038;Leeftijd=10010|10100` pin every other dimension
(values joined by `|` are summed). A percentage column becomes a count with the denominator of the
same gemeente and year, and `source` says so. Every row's `source` names the table, its year and
its status (voorlopig, nader voorlopig, definitief; read from the table's time dimension) and the
table's title. Rows come from the OData feed (paging through `odata.nextLink`) or from a mirror
folder: `catalog/Tables.json` beside `cbs/<table>/<endpoint>.json`.

Region codes must be 2024 gemeenten. A code of a gemeente that has since merged is an error, unless
`use_crosswalk` is set: then its counts are added to its 2024 successor (full mergers only; a split
cannot be divided honestly, so with `use_crosswalk` its successors get no figure for that year).
Population denominators come from 03759ned for the years it is fetched; for other years the
estimate already in data/ is used, and `source` and `is_estimate` say so.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from jeugdmonitor.data.sources import cbs_catalog as cat
from jeugdmonitor.data.sources import cbs_jeugdzorg as jz
from jeugdmonitor.data.sources.cbs_feed import (
    CATALOG_FILE,
    DEFAULT_BASE_URL,
    HttpOData,
    MirrorOData,
    ODataSource,
    Progress,
    catalog_url,
)
from jeugdmonitor.data.sources.cbs_mapping import (
    AGE_GROUPS,
    POPULATION,
    CbsError,
    Spec,
    column_terms,
    default_mapping,
    load_mapping,
    parse_filters,
)
from jeugdmonitor.data.sources.crosswalk import load_crosswalk
from jeugdmonitor.data.sources.jeugdzorg import PARTLY_ESTIMATED

__all__ = [  # the importer's surface: update.py, the tests and bench use these
    "CATALOG_FILE",
    "DEFAULT_BASE_URL",
    "POPULATION",
    "CbsError",
    "CbsResult",
    "HttpOData",
    "MirrorOData",
    "Spec",
    "catalog_url",
    "default_mapping",
    "fetch",
    "load_mapping",
    "parse_filters",
    "read_plan",
]


# ------------------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TableInfo:
    """The keys of a table's geo and time dimensions, other dimensions and topics (columns)."""

    table: str
    geo: str
    time: str
    dimensions: frozenset[str]
    topics: frozenset[str]
    titles: tuple[tuple[str, str], ...] = ()  # (topic key, its Title)


def table_info(table: str, props: list[dict[str, Any]]) -> TableInfo:
    """Read DataProperties: which key is the region, which the period, which are columns."""
    by_type: dict[str, list[str]] = {}
    titles = []
    for p in props:
        if isinstance(p, dict) and "Key" in p:
            by_type.setdefault(str(p.get("Type", "")), []).append(str(p["Key"]))
            if p.get("Type") == "Topic":
                titles.append((str(p["Key"]), str(p.get("Title") or "")))
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
        tuple(titles),
    )


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _candidates(info: TableInfo, alternative: str) -> set[str]:
    """Topic keys one alternative names: `title=<Title>` (case and spaces ignored) or a key glob."""
    if alternative.lower().startswith("title="):
        wanted = _words(alternative.split("=", 1)[1])
        return {key for key, title in info.titles if _words(title) == wanted}
    return {key for key in info.topics if fnmatch.fnmatchcase(key, alternative)}


def resolve_columns(info: TableInfo, spec: Spec, label: str) -> tuple[str, ...]:
    """The topic key of each term of `spec.column` in this table: exactly one per term.

    `label` names the table and year in messages ('85335NED (2022)'). A term with no candidate or
    with two is an error: never a near miss taken silently.
    """
    keys = []
    for term in column_terms(spec.column):
        found = set().union(*(_candidates(info, a) for a in term))
        named = " | ".join(term)
        if not found:
            raise CbsError(
                f"CBS {label}: column '{named}' is not in its DataProperties ({spec.where}); "
                f"its columns are: {', '.join(sorted(info.topics)) or 'none'}"
            )
        if len(found) > 1:
            raise CbsError(
                f"CBS {label}: column '{named}' is ambiguous ({spec.where}): "
                f"{', '.join(sorted(found))} all match; make the mapping name one of them"
            )
        keys.append(found.pop())
    return tuple(keys)


def check_specs(info: TableInfo, specs: list[Spec]) -> None:
    """Every dimension of the table is pinned by a filter, and only existing ones are named."""
    for s in specs:
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
    columns = sorted({k for s in specs for k in s.keys})
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
    columns = sorted({k for s in specs for k in s.keys})
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
    """Unknown codes and codes of merged or split gemeenten are errors (unless use_crosswalk)."""
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
    if split.height and not use_crosswalk:
        raise CbsError(
            text + ". Counts of a split gemeente cannot be divided: limit --years, or re-run with "
            "--crosswalk to leave its successors without a figure for that year."
        )
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
    # the terms of the column are added up; an empty (suppressed) term leaves the sum empty
    cell = pl.when(pl.any_horizontal(pl.col(spec.keys).is_null())).then(None)
    rows = rows.with_columns(cell.otherwise(pl.sum_horizontal(spec.keys)).alias("__value"))
    grouped = rows.group_by("code", "year").agg(
        pl.col("__value").sum().alias("value"),
        pl.col("__value").null_count().alias("nulls"),
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


@dataclass(frozen=True)
class Fetched:
    """One catalogue table as fetched: id, title, the series or table name it serves, and the
    status of each year taken."""

    table: str
    title: str
    name: str
    status: tuple[tuple[int, str], ...]


@dataclass
class CbsResult:
    """Fetched indicator rows and population, with what was fetched, left out and why."""

    indicators: pl.DataFrame
    population: pl.DataFrame
    population_year: int | None
    empty_cells: dict[tuple[str, str], int] = field(default_factory=dict)
    merged_codes: list[str] = field(default_factory=list)
    tables: list[Fetched] = field(default_factory=list)


def wanted(specs: Iterable[Spec]) -> list[cat.Wanted]:
    """What the mapping asks of the catalogue: each fixed table and each series, with its rows."""
    rows: dict[tuple[str, str], list[Spec]] = {}
    for s in specs:
        if s.table != POPULATION:
            rows.setdefault((s.source_name, s.title_pattern), []).append(s)
    return [
        cat.Wanted(name, pattern, tuple(s.row for s in group), group[0].file)
        for (name, pattern), group in sorted(rows.items())
    ]


def read_plan(
    source: ODataSource, specs: list[Spec], years: Collection[int] | None, first_year: int
) -> cat.Plan:
    """Read the catalogue and choose the tables and years to fetch (nothing else is read)."""
    catalog = cat.read_catalog(source.catalog(), f"CBS catalogue {source.catalog_where}")
    return cat.make_plan(catalog, wanted(specs), years, first_year)


def _span(years: Collection[int]) -> str:
    ordered = sorted(years)
    return str(ordered[0]) if len(ordered) == 1 else f"{ordered[0]}-{ordered[-1]}"


def _clean_title(title: str) -> str:
    """A CBS title inside `source`, where '; ' separates sources (a region lists several)."""
    return title.replace(";", ",")


def _whole_2024(
    frame: pl.DataFrame, codes: pl.DataFrame, values: list[str], keys: list[str], meta: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Own-year rows (`code`) summed to 2024 gemeenten; a 2024 gemeente is built only when every
    code it is summed from (itself, or its predecessors with --crosswalk) has every value: a
    partial sum would be a wrong count. Returns the sums and the gemeente-years left out."""
    rows = frame.join(codes.select("code", "gm_code"), on="code")
    whole = pl.all_horizontal(pl.col(values).is_not_null()).all().over("gm_code", *keys)
    summed = (
        rows.filter(whole)
        .group_by("gm_code", *keys)
        .agg(*(pl.col(v).sum() for v in values), *(pl.col(m).first() for m in meta))
        .rename({"gm_code": "gemeente_code"})
    )
    left = rows.filter(~whole).select(pl.col("gm_code").alias("gemeente_code"), *keys).unique()
    return summed, left


def _population_rows(pop_raw: pl.DataFrame, codes: pl.DataFrame) -> tuple[pl.DataFrame, int | None]:
    """Population per 2024 gemeente, year and age group, as CBS counted it (not an estimate);
    and the latest year with figures."""
    if not pop_raw.drop_nulls("value").height:
        return pl.DataFrame(), None
    counts, _ = _whole_2024(pop_raw, codes, ["value"], ["year", "age_group"], ["table", "status"])
    return (
        counts.select(
            "gemeente_code",
            pl.col("year").cast(pl.Int32),
            "age_group",
            pl.col("value").round(0).cast(pl.Int64).alias("population"),
            pl.lit(False).alias("is_estimate"),
            pl.format("CBS {}, 1 januari {} ({})", "table", "year", "status").alias("source"),
        ).sort("gemeente_code", "year", "age_group"),
        int(pop_raw.drop_nulls("value")["year"].max()),
    )


def _den_label(groups: Collection[str]) -> str:
    return "0-18 jaar" if set(groups) == set(AGE_GROUPS) else f"{', '.join(groups)} jaar"


def _population_denominator(rows: pl.DataFrame, groups: list[str], key: str) -> pl.DataFrame:
    """key, year → the population of the age groups: only where every group has a count."""
    return (
        rows.filter(pl.col("age_group").is_in(groups))
        .group_by(key, "year")
        .agg(
            pl.col("population").sum().alias("denominator"),
            pl.col("is_estimate").any().alias("den_estimate"),
            pl.col("source").filter(~pl.col("is_estimate")).first().alias("den_source"),
            pl.col("population").is_not_null().sum().alias("n"),
        )
        .filter(pl.col("n") == len(groups))
        .drop("n")
    )


def _source(num: Spec, den: Spec) -> pl.Expr:
    """The `source` of a row: table, year and status of the numerator, its title and column, and
    what the denominator is (the real population's table is named as a second source)."""
    head = pl.format("CBS {}, {} ({}): {} [{}]", "table", "year", "status", "title", "column")
    if den.table == POPULATION:
        label = _den_label(den.filters[0][1])
        estimate = pl.col("den_source").is_null()
        if num.unit == "percent":
            base = pl.when(estimate).then(pl.lit(f"geschatte bevolking {label}"))
            base = base.otherwise(pl.format("bevolking {}", "den_source"))
            return pl.format("{}: aantal = percentage × {}", head, base)
        tail = pl.when(estimate).then(pl.lit(f" ÷ geschatte bevolking {label}"))
        return pl.format(
            "{}{}",
            head,
            tail.otherwise(pl.format(" ÷ bevolking {}; {}", pl.lit(label), "den_source")),
        )
    if num.unit == "percent":
        return pl.format("{}: aantal = percentage × CBS {} {}", head, "den_table", "den_column")
    return pl.format(
        "CBS {}, {} ({}): {} [{} ÷ {}]", "table", "year", "status", "title", "column", "den_column"
    )


def _jeugdzorg_rows(
    combined: pl.DataFrame, series: dict[tuple[str, str, str], pl.DataFrame], by_key: dict
) -> pl.DataFrame:
    """`cbs_jeugdzorg.combined` rows in the indicators schema, `source` naming table, year,
    status, title, column and denominator like every fetched row, plus 'aantal deels geschat'
    where suppressed age cells were estimated (as the build says)."""
    out = []
    for ind, brk, part in sorted(by_key):
        if ind not in jz.INDICATORS or part != "numerator" or (ind, brk, part) not in series:
            continue
        num, den = by_key[(ind, brk, "numerator")], by_key[(ind, brk, "denominator")]
        meta = (
            series[(ind, brk, "numerator")]
            .select("year", "table", "title", "status", "column")
            .unique("year")
        )
        if ind == "jeugdzorg_verwijzer":  # the build's rule, not the table's total
            den_column = pl.lit("de 8 verwijzers samen")
        elif den.table != POPULATION:
            den_column = pl.lit(series[(ind, brk, "denominator")]["column"][0])
        else:
            den_column = pl.lit(None, pl.String)
        rows = combined.filter((pl.col("indicator") == ind) & (pl.col("breakdown") == brk))
        head = _source(num, den)
        out.append(
            rows.join(meta, on="year", how="left").with_columns(den_column=den_column).select(
                "indicator", "gemeente_code", pl.col("year").cast(pl.Int32), "breakdown",
                "numerator", "denominator",
                pl.when(pl.col("estimated")).then(head + pl.lit(PARTLY_ESTIMATED)).otherwise(head)
                .alias("source"),
                pl.lit(False).alias("is_simulated"),
                # an estimated population, as every fetched row (a filled-in count says so in
                # `source`, as the build's)
                (pl.lit(den.table == POPULATION) & pl.col("den_estimate").fill_null(True))
                .alias("is_estimate"),
                "published_rate", "coverage", "note",
            )
        )  # fmt: skip
    return pl.concat(out)


def fetch(
    source: ODataSource,
    plan: cat.Plan,
    specs: list[Spec],
    gemeenten: Collection[str],
    names: dict[str, str],
    *,
    population: pl.DataFrame,
    years: Collection[int] | None = None,
    first_year: int = 0,
    use_crosswalk: bool = False,
    progress: Progress = print,
) -> CbsResult:
    """Fetch the planned tables and turn them into indicator rows and population for 2024 gemeenten.

    `population` is data/'s population table: the denominator of the years 03759ned is not
    fetched for (an estimate, flagged).
    """
    codes = code_map(gemeenten, load_crosswalk())
    split_codes = codes.filter(pl.col("share") < 1.0)["code"].unique().to_list()
    by_name: dict[str, list[Spec]] = {}
    for s in specs:
        if s.table != POPULATION:
            by_name.setdefault(s.source_name, []).append(s)
    parts: dict[tuple[str, str, str], list[pl.DataFrame]] = {}
    fetched: list[Fetched] = []
    merged: set[str] = set()
    for i, tp in enumerate(plan.tables, start=1):
        table, title = tp.table.identifier, tp.table.title
        progress(f"[{i}/{len(plan.tables)}] CBS {table} {title!r}")
        info = table_info(table, source.rows(table, "DataProperties", {}))
        status = cat.period_status(
            source.rows(table, info.time, {}), info.time, f"CBS {table} {info.time}"
        )
        asked = tp.years or tuple(
            y for y in sorted(status) if (y in years if years else y >= first_year)
        )
        take = [y for y in asked if y in status]
        if not take:
            progress(f"    CBS {table}: no period {_span(asked) if asked else ''} in it; skipped")
            continue
        label = f"{table} ({_span(take)})"
        bound = [
            replace(s, table=table, keys=resolve_columns(info, s, label))
            for s in by_name[tp.wanted.name]
        ]
        check_specs(info, bound)
        rows = source.rows(table, "TypedDataSet", odata_query(info, bound, take))
        frame = table_frame(info, rows, bound, take)
        if not frame.height:  # the table has no gemeente figures for these years (yet)
            progress(f"    CBS {table}: no gemeente figures for {_span(take)}; skipped")
            continue
        check_codes(frame, info, codes, names, use_crosswalk)
        merged |= set(frame["code"].unique()) - set(gemeenten)
        if use_crosswalk:  # a split gemeente's counts cannot be divided: its successors get none
            keys = sorted({k for s in bound for k in s.keys})
            frame = frame.with_columns(
                pl.when(pl.col("code").is_in(split_codes)).then(None).otherwise(pl.col(k)).alias(k)
                for k in keys
            )
        meta = pl.DataFrame(
            {"year": take, "status": [status[y] for y in take]}, schema_overrides={"year": pl.Int32}
        )
        for s in bound:
            parts.setdefault((s.indicator, s.breakdown, s.part), []).append(
                spec_series(frame, info, s)
                .join(meta, on="year", how="left")
                .with_columns(
                    table=pl.lit(table), title=pl.lit(_clean_title(title)),
                    column=pl.lit(" + ".join(s.keys)),
                )
            )  # fmt: skip
        fetched.append(Fetched(table, title, tp.wanted.name, tuple((y, status[y]) for y in take)))
    series = {k: pl.concat(v) for k, v in parts.items()}

    pop_raw = pl.concat(
        [
            frame.with_columns(age_group=pl.lit(brk.removeprefix("age=")))
            for (ind, brk, _), frame in sorted(series.items())
            if ind == POPULATION
        ]
        or [
            pl.DataFrame(
                schema={
                    "code": pl.String,
                    "year": pl.Int32,
                    "value": pl.Float64,
                    "age_group": pl.String,
                    "table": pl.String,
                    "status": pl.String,
                }
            )
        ],  # fmt: skip
        how="diagonal_relaxed",
    )
    fetched_pop, pop_year = _population_rows(pop_raw, codes)
    pop_years = set(fetched_pop["year"].to_list()) if fetched_pop.height else set()
    kept_pop = population.filter(~pl.col("year").is_in(list(pop_years))).select(
        "gemeente_code", pl.col("year").cast(pl.Int32), "age_group",
        pl.col("population").cast(pl.Float64), "is_estimate", "source",
    )  # fmt: skip
    pop_2024 = pl.concat(
        [
            kept_pop,
            *(
                [fetched_pop.with_columns(pl.col("population").cast(pl.Float64))]
                if fetched_pop.height
                else []
            ),
        ]  # fmt: skip
    )
    # own-year codes: CBS's own count where 03759ned was fetched, else the 2024 gemeente's estimate
    pop_own = pl.concat(
        [
            pop_raw.select(
                "code", "year", "age_group", pl.col("value").alias("population"),
                pl.lit(False).alias("is_estimate"),
                pl.format("CBS {}, 1 januari {} ({})", "table", "year", "status").alias("source"),
            ),
            kept_pop.rename({"gemeente_code": "code"}),
        ],
        how="vertical_relaxed",
    )  # fmt: skip

    by_key = {(s.indicator, s.breakdown, s.part): s for s in specs}
    rows_out, empty = [], {}
    own_jz = jz.own_rows(series, specs)
    if own_jz.height:  # jeugdzorg in natura: the build's rules (sources/cbs_jeugdzorg.py)
        combined = jz.combined(own_jz, codes, split_codes, pop_own, pop_2024, names)
        rows_out.append(_jeugdzorg_rows(combined, series, by_key))
        placed = own_jz.join(codes.select("code", "gm_code"), on="code")
        for ind, brk in {(i, b) for i, b, _ in by_key if i in jz.INDICATORS}:
            shown = combined.filter((pl.col("indicator") == ind) & (pl.col("breakdown") == brk))
            empty[(ind, brk)] = placed.select("gm_code", "year").unique().height - shown.height
    meta = ["table", "title", "status", "column"]
    for (ind, brk, part), num in sorted(by_key.items()):
        if part != "numerator" or (ind, brk, part) not in series:
            continue
        if own_jz.height and ind in jz.INDICATORS:
            continue
        den = by_key[(ind, brk, "denominator")]
        if den.table != POPULATION and (ind, brk, "denominator") not in series:
            continue
        groups = list(den.filters[0][1]) if den.table == POPULATION else []
        num_rows = series[(ind, brk, "numerator")]
        if den.table != POPULATION:
            den_rows = series[(ind, brk, "denominator")].select(
                "code", "year", pl.col("value").alias("denominator"),
                pl.lit(False).alias("den_estimate"), pl.lit(None, pl.String).alias("den_source"),
                pl.col("table").alias("den_table"), pl.col("column").alias("den_column"),
            )  # fmt: skip
        if num.unit == "count":  # add up counts to 2024 gemeenten first, then divide
            summed, left = _whole_2024(num_rows, codes, ["value"], ["year"], meta)
            if den.table == POPULATION:
                den_2024 = _population_denominator(pop_2024, groups, "gemeente_code")
            else:
                den_2024, den_left = _whole_2024(
                    den_rows, codes, ["denominator"], ["year"],
                    ["den_estimate", "den_source", "den_table", "den_column"],
                )  # fmt: skip
                left = pl.concat([left, den_left])
            joined = summed.rename({"value": "numerator"}).join(
                den_2024, on=["gemeente_code", "year"], how="left"
            )
            complete = pl.col("denominator").is_not_null()
            left = pl.concat([left, joined.filter(~complete).select("gemeente_code", "year")])
            counts = joined.filter(complete)
        else:  # a percentage: count = percentage × the denominator of the same own-year gemeente
            den_own = (
                _population_denominator(pop_own, groups, "code")
                if den.table == POPULATION
                else den_rows
            )
            bad = num_rows.filter((pl.col("value") < 0) | (pl.col("value") > 100))
            if bad.height:
                r = bad.row(0, named=True)
                raise CbsError(
                    f"CBS {r['table']}: column '{r['column']}': {r['value']} for {r['code']} "
                    f"{r['year']} is not a percentage ({num.where})"
                )
            own = num_rows.join(den_own, on=["code", "year"], how="left").with_columns(
                numerator=pl.col("value") / 100 * pl.col("denominator")
            )
            counts, left = _whole_2024(
                own, codes, ["numerator", "denominator"], ["year"],
                [*meta, "den_estimate", "den_source", *([] if groups else ["den_table", "den_column"])],
            )  # fmt: skip
        empty[(ind, brk)] = left.unique().height
        counts = counts.with_columns(pl.col("numerator", "denominator").round(0))
        negative = counts.filter((pl.col("numerator") < 0) | (pl.col("denominator") <= 0))
        over = counts.filter(pl.col("numerator") > pl.col("denominator"))
        for frame_bad, what in (
            (negative, "a negative or zero count"),
            (over, "numerator > denominator"),
        ):
            if frame_bad.height:
                r = frame_bad.row(0, named=True)
                raise CbsError(
                    f"CBS {r['table']}: column '{r['column']}': {what} for {r['gemeente_code']} "
                    f"{r['year']} ({r['numerator']:.0f} / {r['denominator']:.0f}, {num.where})"
                )
        rows_out.append(
            counts.select(
                pl.lit(ind).alias("indicator"),
                "gemeente_code",
                pl.col("year").cast(pl.Int32),
                pl.lit(brk).alias("breakdown"),
                pl.col("numerator").cast(pl.Int64),
                pl.col("denominator").cast(pl.Int64),
                _source(num, den).alias("source"),
                pl.lit(False).alias("is_simulated"),
                # a count derived from a percentage is an estimate (rounding, CBS's denominator),
                # and so is a rate on the estimated population
                (pl.lit(num.unit == "percent") | pl.col("den_estimate").fill_null(False)).alias(
                    "is_estimate"
                ),
            )
        )
    indicators = (
        pl.concat(rows_out, how="diagonal_relaxed").sort(
            "indicator", "gemeente_code", "year", "breakdown"
        )
        if rows_out
        else pl.DataFrame()
    )
    return CbsResult(indicators, fetched_pop, pop_year, empty, sorted(merged), fetched)
