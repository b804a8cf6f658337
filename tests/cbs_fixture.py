"""CBS OData v3 responses for tests, shaped like the real feed, and a mirror writer.

The jeugdzorg tables are the real rows in `raw/` with CBS's own keys: 85075NED (2021, from the
KWB file, which carries its counts under CBS's keys) and 85335NED (2022, the OData rows). Each
yearly table has a catalogue entry (Identifier, Title, ShortTitle, Period, Modified, OutputStatus)
and its time dimension (`Perioden`, with each year's Status). `yearly_copy` makes a further year
from one of them (a renamed or missing column, another status). The multi-year tables (03759ned,
85098NED) are synthetic: RegioS padded like CBS ("GM0014  "), Perioden "2023JJ00", every filter value
of every dimension, a Nederland and a provincie row that must be skipped, one cell left empty (as
CBS does for small gemeenten). `serve()` puts them on a pytest-httpserver with `odata.nextLink`
paging and the catalogue at /ODataCatalog/Tables; `write_mirror()` lays them out as `jeugdmonitor
fetch --mirror` expects (`catalog/Tables.json`, `cbs/<table>/<endpoint>.json`). Run as a script to
make a mirror folder:

    python tests/cbs_fixture.py OUT_DIR [--years 2023-2024]
    python tests/cbs_fixture.py OUT_DIR --yearly    # 85335NED (2022) and 86000NED (2023)
"""

from __future__ import annotations

import copy
import itertools
import json
import shutil
import sys
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import polars as pl

from jeugdmonitor.data.sources import cbs

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
EMPTY_CELL = ("GM0088", 2024)  # Schiermonnikoog: CBS publishes no percentage ("." in StatLine)
CATALOG = "_catalog"  # key of a table's catalogue entry in the tables dict (not an endpoint)
JZ_TITLE = "Jongeren met jeugdzorg en jeugdzorgtrajecten in natura; wijken, {year}"
# the real yearly jeugdzorg tables; 2021 has the older title, without "in natura"
JZ_TABLES = {
    2021: ("85075NED", "Jongeren met jeugdzorg en jeugdzorgtrajecten; wijken, 2021"),
    2022: ("85335NED", JZ_TITLE.format(year=2022)),
}
REAL_TABLES = {table for table, _ in JZ_TABLES.values()}
TITLES = {  # DataProperties titles of the jeugdzorg topics (the words of CBS's keys)
    "TotaalJongerenMetJeugdzorgInNatura": "Totaal jongeren met jeugdzorg in natura",
    "k_0Tot4Jaar": "0 tot 4 jaar",
    "k_4Tot12Jaar": "4 tot 12 jaar",
    "k_12Tot18Jaar": "12 tot 18 jaar",
    "k_18Tot23Jaar": "18 tot 23 jaar",
    "ThuiswonendKindInEenouderhuishouden": "Thuiswonend kind in eenouderhuishouden",
    "ThuiswonendKindBijEenPaar": "Thuiswonend kind bij een paar",
    "AnderHuishouden": "Ander huishouden",
    "TotaalTrajectenInNatura": "Totaal trajecten in natura",
    "GemeentelijkeToegang": "Gemeentelijke toegang",
    "Huisarts": "Huisarts",
    "Jeugdarts": "Jeugdarts",
    "GecertificeerdeInstelling": "Gecertificeerde instelling",
    "MedischSpecialist": "Medisch specialist",
    "RechterOfficierVanJustitie": "Rechter, officier van justitie",
    "GeenVerwijzer": "Geen verwijzer",
    "VerwijzerOnbekend": "Verwijzer onbekend",
}
COUNT_KEYS = [
    "TotaalJongerenMetJeugdzorgInNatura_1", "k_0Tot4Jaar_2", "k_4Tot12Jaar_3", "k_12Tot18Jaar_4",
    "k_18Tot23Jaar_5", "ThuiswonendKindInEenouderhuishouden_6", "ThuiswonendKindBijEenPaar_7",
    "AnderHuishouden_8", "TotaalTrajectenInNatura_9", "GemeentelijkeToegang_10", "Huisarts_11",
    "Jeugdarts_12", "GecertificeerdeInstelling_13", "MedischSpecialist_14",
    "RechterOfficierVanJustitie_15", "GeenVerwijzer_16", "VerwijzerOnbekend_17",
]  # fmt: skip


def catalog_entry(
    table: str, title: str, period: str, *, modified: str = "2024-06-01T02:00:00",
    status: str = "Regulier", short_title: str = "",
) -> dict[str, str]:  # fmt: skip
    """One row of the CBS catalogue (ODataCatalog/Tables), the fields `fetch` reads."""
    return {
        "Identifier": table,
        "Title": title,
        "ShortTitle": short_title or title.split(";")[0][:60],
        "Period": period,
        "Modified": modified,
        "OutputStatus": status,
    }


def periods(statuses: dict[int, str]) -> list[dict[str, Any]]:
    """A time dimension's rows: Key '2022JJ00', Title '2022*' when provisional, Status."""
    marks = {"Voorlopig": "*", "Nader voorlopig": "**"}
    return [
        {"Key": f"{y}JJ00", "Title": f"{y}{marks.get(st, '')}", "Description": "", "Status": st}
        for y, st in sorted(statuses.items())
    ]


def real_jeugdzorg(year: int, raw: Path = RAW) -> dict[str, Any]:
    """The real jeugdzorg-in-natura gemeente rows of 2021 (85075NED) or 2022 (85335NED) as OData v3.

    Keys as CBS serves them: `Wijken` padded ('GM1680    '), `Perioden` '2022JJ00', counts as
    numbers, '.' (suppressed) as null; DataProperties with its dimensions and topics; `Perioden`
    with the year's status; the catalogue entry.
    """
    table, title = JZ_TABLES[year]
    if year == 2022:
        frame = pl.read_csv(
            raw / "cbs" / "85335NED_2022_gemeenten_odata.csv", infer_schema_length=0
        )
    else:  # the KWB file joins the 2021 gemeente rows of 85075NED under CBS's keys
        frame = pl.read_csv(
            raw / "cbs" / "kwb_jeugdzorg_wijken_2021_2022.csv", infer_schema_length=0
        ).filter((pl.col("year") == "2021") & pl.col("Wijken").str.starts_with("GM"))
    rows = []
    for r in frame.iter_rows(named=True):
        row: dict[str, Any] = {
            "ID": int(float(r["ID"])),
            "VormenVanJeugdzorg": r["VormenVanJeugdzorg"].strip(),
            "Wijken": r["Wijken"].strip().ljust(10),
            "Perioden": r["Perioden"].strip(),
        }
        for c in COUNT_KEYS:
            value = (r[c] or ".").strip()
            row[c] = None if value in (".", "") else round(float(value))
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
        {"ID": 3 + i, "Type": "Topic", "Key": c, "Title": TITLES[c.rsplit("_", 1)[0]],
         "Unit": "aantal", "Decimals": 0}
        for i, c in enumerate(COUNT_KEYS)
    ]  # fmt: skip
    return {
        "DataProperties": props,
        "TypedDataSet": rows,
        "Perioden": periods({year: "Definitief"}),
        CATALOG: catalog_entry(table, title, str(year)),
    }


def real_85335ned(raw: Path = RAW) -> dict[str, Any]:
    """The real 85335NED 2022 rows (raw/cbs/85335NED_2022_gemeenten_odata.csv) as OData v3."""
    return real_jeugdzorg(2022, raw)


def yearly_copy(
    tables: dict[str, Any], source: str, table: str, year: int, *,
    title: str = "", status: str = "Voorlopig", rename: dict[str, str] | None = None,
    drop: tuple[str, ...] = (), scale: float = 1.0,
) -> dict[str, Any]:  # fmt: skip
    """Another year's yearly table made from `source`'s rows: period `year`, status, title; topics
    renamed (`rename` key → new key, same title) or dropped; counts × `scale`, rounded to 5."""
    rename = rename or {}
    src = copy.deepcopy(tables[source])
    props = [
        dict(p, Key=rename.get(p["Key"], p["Key"]))
        for p in src["DataProperties"]
        if p["Key"] not in drop
    ]
    rows = []
    for r in src["TypedDataSet"]:
        row = {rename.get(k, k): v for k, v in r.items() if k not in drop}
        row["Perioden"] = f"{year}JJ00"
        if scale != 1.0:
            for k, v in row.items():
                if k not in ("ID", "VormenVanJeugdzorg", "Wijken", "Perioden") and v is not None:
                    row[k] = int(5 * round(v * scale / 5))
        rows.append(row)
    return {
        "DataProperties": props,
        "TypedDataSet": rows,
        "Perioden": periods({year: status}),
        CATALOG: catalog_entry(table, title or JZ_TITLE.format(year=year), str(year)),
    }


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
) -> dict[str, dict[str, Any]]:
    """{table: {"DataProperties": [...], "TypedDataSet": [...], "Perioden": [...], CATALOG: {...}}}
    for every mapped fixed table (synthetic, `years`) and the real yearly jeugdzorg tables of
    `years` (2021, 2022).

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
    tables: dict[str, dict[str, Any]] = {}
    by_table: dict[str, list[cbs.Spec]] = {}
    for s in specs:
        if s.table != cbs.POPULATION and not s.series:
            by_table.setdefault(s.table, []).append(s)
    if any(s.series for s in specs):
        for year in sorted(set(years) & set(JZ_TABLES)):
            tables[JZ_TABLES[year][0]] = real_jeugdzorg(year)
    for table, tspecs in by_table.items():
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
        tables[table] = {
            "DataProperties": _props(names, columns),
            "TypedDataSet": rows,
            "Perioden": periods(dict.fromkeys(years, "Definitief")),
            CATALOG: catalog_entry(table, FIXED_TITLES.get(table, table), _span(years)),
        }
    return tables


FIXED_TITLES = {
    "03759ned": "Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio",
    "85098NED": "Jeugdzorg; indicatoren, gemeenten",
}


def _span(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{min(years)} - {max(years)}"


def expected_counts(
    tables: dict[str, dict[str, list[dict[str, Any]]]], specs: list[cbs.Spec]
) -> pl.DataFrame:
    """Independent recomputation: indicator, breakdown, gemeente_code, year, numerator, denominator."""
    pop_specs = {s.breakdown.removeprefix("age="): s for s in specs if s.part == "count"}
    out = []
    for s in specs:
        if s.part != "numerator" or s.series:
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


def catalog(tables: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """The catalogue's table list for these tables."""
    return [t[CATALOG] for _, t in sorted(tables.items()) if CATALOG in t]


def write_mirror(root: Path, tables: dict[str, dict[str, Any]], maps_from: Path = RAW) -> Path:
    """Lay the tables out as `catalog/Tables.json` and `cbs/<table>/<endpoint>.json`, plus the
    cartomap files."""
    for table, endpoints in tables.items():
        for endpoint, value in endpoints.items():
            if endpoint == CATALOG:
                continue
            path = root / "cbs" / table / f"{endpoint}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"odata.metadata": "fixture", "value": value}))
    (root / "catalog").mkdir(parents=True, exist_ok=True)
    (root / "catalog" / "Tables.json").write_text(
        json.dumps({"odata.metadata": "fixture", "value": catalog(tables)})
    )
    shutil.copytree(maps_from / "cartomap", root / "cartomap", dirs_exist_ok=True)
    return root


def serve(httpserver, tables: dict[str, dict[str, Any]], page_size: int = 5000) -> list[str]:
    """Register OData v3 endpoints with `odata.nextLink` paging, and the catalogue at
    /ODataCatalog/Tables; returns the requested URLs (unquoted)."""
    from werkzeug import Response

    requested: list[str] = []

    def endpoint(rows: list[Any]):
        def handle(request):
            requested.append(unquote(request.url))
            skip = int(request.args.get("$skip", 0))
            doc: dict[str, Any] = {"odata.metadata": f"{request.base_url}/$metadata"}
            doc["value"] = rows[skip : skip + page_size]
            if skip + page_size < len(rows):
                doc["odata.nextLink"] = f"{request.base_url}?$format=json&$skip={skip + page_size}"
            return Response(json.dumps(doc), content_type="application/json")

        return handle

    for table, endpoints in tables.items():
        for name, rows in endpoints.items():
            if name != CATALOG:
                httpserver.expect_request(f"/{table}/{name}").respond_with_handler(endpoint(rows))
    httpserver.expect_request("/ODataCatalog/Tables").respond_with_handler(
        endpoint(catalog(tables))
    )
    return requested


def yearly_mirror(root: Path, status: str = "Voorlopig") -> Path:
    """A mirror whose catalogue lists 85335NED (2022) and 86000NED, "Jongeren met jeugdzorg en
    jeugdzorgtrajecten in natura; wijken, 2023", holding 85335NED's rows with the period 2023."""
    tables = {"85335NED": real_jeugdzorg(2022)}
    tables["86000NED"] = yearly_copy(tables, "85335NED", "86000NED", 2023, status=status)
    return write_mirror(root, tables)


def main(argv: list[str]) -> int:
    """Write a mirror for the bundled mapping and data/ population: OUT_DIR [--years A-B], or
    with --yearly the two yearly jeugdzorg tables of `yearly_mirror`."""
    from jeugdmonitor.analysis.update import parse_years

    out = Path(argv[0])
    if "--yearly" in argv:
        yearly_mirror(out)
        print(f"mirror with 85335NED (2022) and 86000NED (2023) written to {out}")
        return 0
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
