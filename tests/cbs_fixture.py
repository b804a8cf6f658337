"""Synthetic CBS OData v3 responses for tests, shaped like the real feed, and a mirror writer.

`odata_tables()` makes DataProperties and TypedDataSet rows for every table in the mapping file:
RegioS padded like CBS ("GM0014  "), Perioden "2023JJ00", every filter value of every dimension,
a Nederland and a provincie row that must be skipped, one cell left empty (as CBS does for small
gemeenten). `serve()` puts them on a pytest-httpserver with `odata.nextLink` paging; `write_mirror()`
lays them out as `jeugdmonitor fetch --mirror` expects. Run as a script to make a mirror folder:

    python tests/cbs_fixture.py OUT_DIR [--years 2023-2024]
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import polars as pl

from jeugdmonitor.sources import cbs

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
EMPTY_CELL = ("GM0088", 2024)  # Schiermonnikoog: CBS publishes no percentage ("." in StatLine)
REAL_TABLES = {"85335NED"}  # served from the real rows in raw/ (CBS's own keys and padding)


def real_85335ned(raw: Path = RAW) -> dict[str, list[dict[str, Any]]]:
    """The real 85335NED 2022 rows (raw/cbs/85335NED_2022_gemeenten_odata.csv) as OData v3.

    Keys as CBS serves them: `Wijken` padded ('GM1680    '), `Perioden` '2022JJ00', counts as
    numbers, '.' (suppressed) as null; DataProperties with its dimensions and topics.
    """
    frame = pl.read_csv(raw / "cbs" / "85335NED_2022_gemeenten_odata.csv", infer_schema_length=0)
    topics = [c for c in frame.columns if c[-2:].strip("_").isdigit() and "_" in c]
    counts = [c for c in topics if not c.startswith(("Gemeentenaam", "SoortRegio", "Codering",
                                                     "Indeling"))]  # fmt: skip
    rows = []
    for r in frame.iter_rows(named=True):
        row: dict[str, Any] = {
            "ID": int(r["ID"]),
            "VormenVanJeugdzorg": r["VormenVanJeugdzorg"],
            "Wijken": r["Wijken"],
            "Perioden": r["Perioden"],
        }
        for c in counts:
            value = r[c].strip()
            row[c] = None if value == "." else int(value)
        rows.append(row)
    props: list[dict[str, Any]] = [
        {
            "ID": 0,
            "Type": "Dimension",
            "Key": "VormenVanJeugdzorg",
            "Title": "Vormen van jeugdzorg",
        },
        {"ID": 1, "Type": "GeoDimension", "Key": "Wijken", "Title": "Wijken en buurten"},
        {"ID": 2, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
    ]
    props += [
        {"ID": 3 + i, "Type": "Topic", "Key": c, "Title": c, "Unit": "aantal", "Decimals": 0}
        for i, c in enumerate(counts)
    ]
    return {"DataProperties": props, "TypedDataSet": rows}


def _noise(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _props(dims: list[str], columns: dict[str, str]) -> list[dict[str, Any]]:
    props: list[dict[str, Any]] = [
        {"ID": i, "Position": i, "Type": "Dimension", "Key": d, "Title": d}
        for i, d in enumerate(dims)
    ]
    props.append({"ID": len(props), "Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"})
    props.append(
        {"ID": len(props), "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"}
    )
    props.append({"ID": len(props), "Type": "TopicGroup", "Key": "", "Title": "Onderwerpen"})
    for key, unit in columns.items():
        props.append(
            {
                "ID": len(props),
                "Type": "Topic",
                "Key": key,
                "Title": key,
                "Unit": "%" if unit == "percent" else "aantal",
                "Decimals": 1 if unit == "percent" else 0,
            }
        )
    return props


def odata_tables(
    specs: list[cbs.Spec],
    population: pl.DataFrame,
    years: list[int],
    extra_codes: tuple[str, ...] = (),
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{table: {"DataProperties": [...], "TypedDataSet": [...]}} for every mapped CBS table.

    `extra_codes` are gemeente codes of earlier years to publish too (e.g. Weesp in 2022).
    """
    codes = sorted({*population["gemeente_code"].unique().to_list(), *extra_codes})
    latest = population.filter(pl.col("year") == population["year"].max())
    per_age = {
        (r["gemeente_code"], r["age_group"]): r["population"] for r in latest.iter_rows(named=True)
    }
    age_of = {
        v: s.breakdown.removeprefix("age=")
        for s in specs
        if s.part == "count"
        for d, vals in s.filters
        if d == "Leeftijd"
        for v in vals
    }
    n_ages = {g: sum(1 for a in age_of.values() if a == g) for g in set(age_of.values())}
    tables: dict[str, dict[str, list[dict[str, Any]]]] = {}
    by_table: dict[str, list[cbs.Spec]] = {}
    for s in specs:
        if s.table != cbs.POPULATION:
            by_table.setdefault(s.table, []).append(s)
    for table in REAL_TABLES & set(by_table):
        tables[table] = real_85335ned()
    for table, tspecs in by_table.items():
        if table in REAL_TABLES:
            continue
        dims: dict[str, set[str]] = {}
        for s in tspecs:
            for d, vals in s.filters:
                dims.setdefault(d, set()).update(vals)
        names = sorted(dims)
        columns = {s.column: s.unit for s in tspecs}
        rows = []
        regions = [*codes, "NL01", "PV20"]
        for year, code in itertools.product(years, regions):
            for combo in itertools.product(*(sorted(dims[d]) for d in names)):
                row: dict[str, Any] = {"ID": len(rows), **dict(zip(names, combo, strict=True))}
                row["RegioS"] = code.ljust(8)  # CBS pads region keys with spaces
                row["Perioden"] = f"{year}JJ00"
                for col, unit in columns.items():
                    h = _noise(table, col, code, year, *combo)
                    if unit == "percent":
                        row[col] = round(5 + (h % 150) / 10, 1)
                        if (code, year) == EMPTY_CELL:
                            row[col] = None
                    elif "Leeftijd" in row and row["Leeftijd"] in age_of:
                        group = age_of[row["Leeftijd"]]
                        base = per_age.get((code, group), 200_000) // n_ages[group]
                        row[col] = base + h % 7 + (year - 2020)
                    else:
                        row[col] = h % 500
                rows.append(row)
        tables[table] = {"DataProperties": _props(names, columns), "TypedDataSet": rows}
    return tables


def expected_counts(
    tables: dict[str, dict[str, list[dict[str, Any]]]], specs: list[cbs.Spec]
) -> pl.DataFrame:
    """Independent recomputation: indicator, breakdown, gemeente_code, year, numerator, denominator."""
    pop_specs = {s.breakdown.removeprefix("age="): s for s in specs if s.part == "count"}
    out = []
    for s in specs:
        if s.part != "numerator" or s.table in REAL_TABLES:
            continue
        den = next(d for d in specs if d.part == "denominator" and d.indicator == s.indicator)
        num_rows = pl.DataFrame(tables[s.table]["TypedDataSet"]).with_columns(
            pl.col("RegioS").str.strip_chars()
        )
        groups = den.filters[0][1]
        pop_parts = []
        for g in groups:
            p = pop_specs[g]
            frame = pl.DataFrame(tables[p.table]["TypedDataSet"]).with_columns(
                pl.col("RegioS").str.strip_chars()
            )
            for dim, vals in p.filters:
                frame = frame.filter(pl.col(dim).is_in(list(vals)))
            pop_parts.append(frame.select("RegioS", "Perioden", pl.col(p.column).alias("v")))
        pop = pl.concat(pop_parts).group_by("RegioS", "Perioden").agg(pl.col("v").sum())
        joined = num_rows.join(pop, on=["RegioS", "Perioden"]).filter(
            pl.col("RegioS").str.starts_with("GM") & pl.col(s.column).is_not_null()
        )
        out.append(
            joined.select(
                pl.lit(s.indicator).alias("indicator"),
                pl.lit(s.breakdown).alias("breakdown"),
                pl.col("RegioS").alias("gemeente_code"),
                pl.col("Perioden").str.slice(0, 4).cast(pl.Int32).alias("year"),
                (pl.col(s.column) / 100 * pl.col("v")).round(0).cast(pl.Int64).alias("numerator"),
                pl.col("v").cast(pl.Int64).alias("denominator"),
            )
        )
    return pl.concat(out)


def write_mirror(root: Path, tables: dict[str, dict[str, list]], maps_from: Path = RAW) -> Path:
    """Lay the tables out as `cbs/<table>/<endpoint>.json`, plus the cartomap files."""
    for table, endpoints in tables.items():
        for endpoint, value in endpoints.items():
            path = root / "cbs" / table / f"{endpoint}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"odata.metadata": "fixture", "value": value}))
    shutil.copytree(maps_from / "cartomap", root / "cartomap", dirs_exist_ok=True)
    return root


def serve(httpserver, tables: dict[str, dict[str, list]], page_size: int = 5000) -> list[str]:
    """Register OData v3 endpoints with `odata.nextLink` paging; returns the requested URLs (unquoted)."""
    from werkzeug import Response

    requested: list[str] = []

    def endpoint(table: str, name: str):
        def handle(request):
            requested.append(unquote(request.url))
            rows = tables[table][name]
            skip = int(request.args.get("$skip", 0))
            doc: dict[str, Any] = {"odata.metadata": f"{request.base_url}/$metadata"}
            doc["value"] = rows[skip : skip + page_size]
            if skip + page_size < len(rows):
                doc["odata.nextLink"] = f"{request.base_url}?$format=json&$skip={skip + page_size}"
            return Response(json.dumps(doc), content_type="application/json")

        return handle

    for table, endpoints in tables.items():
        for name in endpoints:
            httpserver.expect_request(f"/{table}/{name}").respond_with_handler(
                endpoint(table, name)
            )
    return requested


def main(argv: list[str]) -> int:
    """Write a mirror for the bundled mapping and data/ population: OUT_DIR [--years A-B]."""
    from jeugdmonitor.update import parse_years

    out = Path(argv[0])
    years = parse_years(argv[argv.index("--years") + 1]) if "--years" in argv else [2023, 2024]
    data = ROOT / "data"
    specs = cbs.load_mapping(
        None,
        set(pl.read_parquet(data / "catalogue.parquet")["indicator"]),
        set(pl.read_parquet(data / "breakdowns.parquet")["breakdown"]),
    )
    write_mirror(out, odata_tables(specs, pl.read_parquet(data / "population.parquet"), years))
    print(f"mirror written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
