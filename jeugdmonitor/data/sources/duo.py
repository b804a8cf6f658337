"""Importers of the two DUO files in `raw/duo/` (read as they are, never unpacked on disk).

1. `duo_po_leerlingen_postcode_leeftijd_2024.tar.gz`: DUO *Leerlingen po per gemeente, postcode
   leerling en leeftijd*, 1 October 2024: one CSV per gemeente where the school is; one row per
   school location × pupil postcode (PC4) × soort po (Bo, Sbo, So, Vso) with 23 age columns.
   Cells of 1-4 pupils are `<5`. `read_pupils` returns the non-zero cells, long.
2. `edugis_scholen20241122.geo.zip`: school locations (GeoJSON) with their pupil total of 2023/24
   (`leerlingen`). `read_locations` returns one row per location (identical copies dropped).

Every problem is an error naming the file (and tar member), the column and the row (the file's
line; the header is row 1).
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from jeugdmonitor.data.files import reference_csv

AGE_COLUMNS = {
    "LEEFTIJD_JONGER": 3,  # younger than 4
    **{f"LEEFTIJD_{age}": age for age in range(4, 25)},
    "LEEFTIJD_OUDER": 25,  # older than 24
}
KEY_COLUMNS = [
    "PEILDATUM",
    "GEMEENTENUMMER",
    "GEMEENTENAAM",
    "POSTCODE_LEERLING",
    "GEMEENTENAAM_LEERLING",
    "INSTELLINGSCODE",
    "VESTIGINGSCODE",
    "SOORT_PO",
]
SOORTEN = {"Bo": "bo", "Sbo": "sbo", "So": "so", "Vso": "vso"}
SUPPRESSED = "<5"  # DUO's mark for a cell of 1 to 4 pupils
# POSTCODE_LEERLING codes that are no Dutch postcode (the pupil's gemeente names them too)
ABROAD_OR_UNKNOWN = {"10": "Belgie", "20": "Duitsland", "30": "ander land", "40": "Onbekend"}
PEILDATUM = "20241001"
LOCATION_FILE = "scholen.geo.json"


class DuoSourceError(ValueError):
    """A DUO file does not have the expected shape (names file, column and row)."""


def _members(path: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file in the tar, by name."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = sorted((m for m in archive.getmembers() if m.isfile()), key=lambda m: m.name)
            return [(m.name, archive.extractfile(m).read()) for m in members]  # type: ignore[union-attr]
    except (OSError, tarfile.TarError) as exc:
        raise DuoSourceError(f"{path}: cannot open tar.gz ({exc})") from exc


def _member_frame(path: Path, name: str, data: bytes) -> pl.DataFrame:
    """One CSV of the tar as text columns, with its file line as `__row` (header = row 1)."""
    where = f"{path} ({name})"
    try:
        frame = pl.read_csv(io.BytesIO(data), separator=";", infer_schema_length=0)
    except pl.exceptions.PolarsError as exc:
        raise DuoSourceError(f"{where}: cannot read CSV ({exc})") from exc
    missing = [c for c in (*KEY_COLUMNS, *AGE_COLUMNS) if c not in frame.columns]
    if missing:
        raise DuoSourceError(f"{where}: column '{missing[0]}', row 1: column is missing")
    frame = frame.with_row_index("__row", offset=2)
    checks = [
        ("PEILDATUM", pl.col("PEILDATUM") != PEILDATUM, f"expected {PEILDATUM}"),
        ("SOORT_PO", ~pl.col("SOORT_PO").is_in(list(SOORTEN)), "unknown soort po"),
        ("GEMEENTENUMMER", ~pl.col("GEMEENTENUMMER").str.contains(r"^\d{4}$"), "not 4 digits"),
        ("POSTCODE_LEERLING", ~pl.col("POSTCODE_LEERLING").str.contains(r"^\d{2,4}$"), "no PC4"),
        *((c, ~pl.col(c).str.contains(r"^(\d+|<5)$"), "not a count or <5") for c in AGE_COLUMNS),
    ]
    for column, bad, what in checks:
        rows = frame.filter(bad.fill_null(True))
        if rows.height:
            r = rows.row(0, named=True)
            raise DuoSourceError(
                f"{where}: column '{column}', row {r['__row']}: {what} ({r[column]!r})"
            )
    return frame


@dataclass(frozen=True)
class PupilFile:
    """File 1, read: its non-zero cells, its empty members and DUO's gemeente names."""

    cells: pl.DataFrame
    empty: list[str]  # tar members without pupils (their schools are missing)
    school_names: dict[str, str]  # DUO's gemeente name → GM code, from the school side


def read_pupils(path: Path) -> PupilFile:
    """The non-zero pupil cells of the tar, its empty members and DUO's own gemeente names.

    Cell columns: school_gemeente (GM code of the school), location (BRIN + vestiging), pc4,
    pupil_gemeente (name as DUO writes it), soort (bo/sbo/so/vso), age (3 = younger than 4,
    25 = older than 24), count (null when `<5`) and suppressed.
    """
    frames, empty = [], []
    for name, data in _members(path):
        if not data.strip():
            empty.append(name)
            continue
        frames.append(_member_frame(path, name, data).with_columns(member=pl.lit(name)))
    if not frames:
        raise DuoSourceError(f"{path}: no CSV with pupils")
    wide = pl.concat(frames, how="vertical")
    school_names: dict[str, str] = {}
    for number, name, member in (
        wide.select("GEMEENTENUMMER", "GEMEENTENAAM", "member")
        .unique(maintain_order=True)
        .iter_rows()
    ):
        code = f"GM{number}"
        if school_names.setdefault(name, code) != code:
            raise DuoSourceError(
                f"{path} ({member}): column 'GEMEENTENAAM': {name!r} is both "
                f"{school_names[name]} and {code}"
            )
    cells = (
        wide.select(
            ("GM" + pl.col("GEMEENTENUMMER")).alias("school_gemeente"),
            (pl.col("INSTELLINGSCODE") + pl.col("VESTIGINGSCODE")).alias("location"),
            pl.col("POSTCODE_LEERLING").alias("pc4"),
            pl.col("GEMEENTENAAM_LEERLING").alias("pupil_gemeente"),
            pl.col("SOORT_PO").replace_strict(SOORTEN).alias("soort"),
            *AGE_COLUMNS,
        )
        .unpivot(
            index=["school_gemeente", "location", "pc4", "pupil_gemeente", "soort"],
            variable_name="age_column",
            value_name="value",
        )
        .filter(pl.col("value") != "0")
        .select(
            "school_gemeente",
            "location",
            "pc4",
            "pupil_gemeente",
            "soort",
            pl.col("age_column").replace_strict(AGE_COLUMNS, return_dtype=pl.Int8).alias("age"),
            pl.when(pl.col("value") != SUPPRESSED)
            .then(pl.col("value").cast(pl.Int64))
            .alias("count"),
            (pl.col("value") == SUPPRESSED).alias("suppressed"),
        )
        .sort("location", "soort", "pc4", "age")
    )
    duplicated = cells.select("location", "soort", "pc4", "age").is_duplicated()
    if duplicated.any():
        row = cells.filter(duplicated).row(0, named=True)
        raise DuoSourceError(
            f"{path}: location {row['location']}, soort {row['soort']}, postcode {row['pc4']}: "
            "listed more than once"
        )
    return PupilFile(cells, empty, school_names)


def missing_gemeenten(file: PupilFile, path: Path) -> list[str]:
    """GM codes of the gemeenten whose tar member is empty (`<Gemeente> afgeschermd.csv`)."""
    return [
        pupil_gemeente_codes(
            pl.Series([Path(m).name.removesuffix(" afgeschermd.csv")]), file.school_names, path
        )["gemeente_code"][0]
        for m in file.empty
    ]


def pupil_gemeente_codes(names: pl.Series, school_side: dict[str, str], path: Path) -> pl.DataFrame:
    """Pupil gemeente names → GM code (null for abroad and unknown).

    DUO names the pupil's gemeente only by name. A name is matched first with DUO's own
    name → code pairs of the school side (`PupilFile.school_names`: 'Hengelo' is GM0164), then
    with the reviewed table `reference/gemeente_names.csv` ('Nuenen, Gerwen en Nederwetten').
    Any other name stops the build.
    """
    reviewed = dict(
        reference_csv("gemeente_names")
        .filter(pl.col("status") == "gemeente")
        .select("name", "code")
        .iter_rows()
    )
    rows = []
    for name in sorted(names.unique().to_list()):
        if name in ABROAD_OR_UNKNOWN.values():
            rows.append((name, None))
            continue
        code = school_side.get(name) or reviewed.get(name)
        if code is None:
            raise DuoSourceError(
                f"{path}: column 'GEMEENTENAAM_LEERLING': unknown gemeente {name!r} (add it to "
                "jeugdmonitor/reference/gemeente_names.csv)"
            )
        rows.append((name, code))
    return pl.DataFrame(
        rows, schema={"pupil_gemeente": pl.String, "gemeente_code": pl.String}, orient="row"
    )


def read_locations(path: Path) -> pl.DataFrame:
    """School locations of file 2: location (BRIN + vestiging), type, gemeente, total (2023/24).

    The file lists some locations more than once, always as identical copies; those are kept
    once, and two different totals for one location are an error.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            data = json.loads(archive.read(LOCATION_FILE))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise DuoSourceError(f"{path}: cannot read {LOCATION_FILE} ({exc})") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise DuoSourceError(f"{path} ({LOCATION_FILE}): no GeoJSON FeatureCollection")
    rows = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code, total = props.get("vestigingscode"), props.get("leerlingen")
        if not isinstance(code, str) or not re.fullmatch(r"[0-9A-Z]{4}\d{2}", code):
            raise DuoSourceError(
                f"{path} ({LOCATION_FILE}): column 'vestigingscode', feature {number}: {code!r}"
            )
        if total is not None and (not isinstance(total, int) or total < 0):
            raise DuoSourceError(
                f"{path} ({LOCATION_FILE}): column 'leerlingen', feature {number}: {total!r}"
            )
        rows.append((code, props.get("type"), props.get("gemeente"), total))
    frame = pl.DataFrame(
        rows,
        schema={"location": pl.String, "type": pl.String, "gemeente": pl.String, "total": pl.Int64},
        orient="row",
    ).unique(maintain_order=True)
    clash = frame.filter(pl.col("location").is_duplicated())
    if clash.height:
        raise DuoSourceError(
            f"{path} ({LOCATION_FILE}): column 'leerlingen': location {clash['location'][0]} has "
            "two different entries"
        )
    return frame.sort("location")
