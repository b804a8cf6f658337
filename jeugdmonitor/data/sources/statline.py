"""CBS StatLine CSV exports as bundled in `raw/cbs/`: text → typed frames keyed by gemeente code.

StatLine exports are `;`-separated UTF-8 with a BOM, decimal commas, region *names* instead of
codes (`Regio's`) and CBS symbols: `.` unknown, `x` secret, empty = not published (all → null);
`-` means nil (0). One bundled export (household income 2024) was quoted a second time when it was
copied (`"Populatie"";""Kenmerken…`): every quote is doubled and a lone `"` closes the file; the
reader undoes that before parsing. Names are matched to codes through the reviewed table
`reference/gemeente_names.csv`; every name it does not list is an error, and a listed former
gemeente may only appear without figures unless its code is known (then the crosswalk maps it).
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from jeugdmonitor.data.files import reference_csv

REGION = "Regio's"
PERIOD = "Perioden"
NATIONAL = "Nederland"
MISSING = (".", "x", "")
NUMBER = r"^-?[0-9]+(,[0-9]+)?$"  # StatLine writes no thousands separator: '1.234' is refused
NAMES_SCHEMA = {"name": pl.String, "code": pl.String, "status": pl.String, "note": pl.String}


class StatlineError(ValueError):
    """A bundled StatLine export does not have the expected shape; names file, column and row."""


def read_export(path: Path) -> pl.DataFrame:
    """All cells as stripped text, with `__row` = the row number in the file (header = 1)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise StatlineError(f"{path}: cannot read as UTF-8 ({exc})") from exc
    lines = text.splitlines()
    if lines and '"";""' in lines[0]:  # the export was quoted twice: undo the doubling
        lines = [line.replace('""', '"') for line in lines if line.strip() != '"']
    if not lines or REGION not in lines[0]:
        raise StatlineError(f"{path}: column '{REGION}', row 1: not a StatLine export header")
    frame = pl.read_csv(
        io.StringIO("\n".join(lines)), separator=";", infer_schema_length=0, quote_char='"'
    )
    return frame.select(pl.all().str.strip_chars()).with_columns(
        __row=pl.int_range(2, pl.len() + 2, dtype=pl.Int64)
    )


def numbers(frame: pl.DataFrame, columns: dict[str, str], path: Path) -> pl.DataFrame:
    """Parse Dutch-formatted numbers (`{column title: new name}`); symbols become null, `-` 0.

    Raises StatlineError naming the file, column and row of the first cell that is not a number.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StatlineError(f"{path}: column '{missing[0]}', row 1: column is missing")
    parsed = frame.with_columns(
        pl.when(pl.col(c).is_in(MISSING) | pl.col(c).is_null())
        .then(None)
        .when(pl.col(c) == "-")
        .then(pl.lit("0"))
        .when(pl.col(c).str.contains(NUMBER))
        .then(pl.col(c).str.replace(",", "."))
        .cast(pl.Float64)
        .alias(new)
        for c, new in columns.items()
    )
    for c, new in columns.items():
        bad = parsed.filter(
            pl.col(new).is_null() & ~pl.col(c).is_in(MISSING) & pl.col(c).is_not_null()
        )
        if bad.height:
            row = bad.row(0, named=True)
            raise StatlineError(
                f"{path}: column '{c}', row {row['__row']}: not a number {row[c]!r}"
            )
    return parsed


def load_names() -> pl.DataFrame:
    """The reviewed table of gemeente names as StatLine writes them → code and status."""
    return reference_csv("gemeente_names", schema=NAMES_SCHEMA)


def gemeente_rows(frame: pl.DataFrame, value_columns: list[str], path: Path) -> pl.DataFrame:
    """Rows of gemeenten with their own CBS code in `own_code` (Nederland and empty rows dropped).

    A name missing from `reference/gemeente_names.csv` is an error, and so is a row with figures
    for a former gemeente whose code the table does not know (it could not be mapped to 2024).
    """
    names = load_names()
    rows = frame.filter(pl.col(REGION) != NATIONAL)
    unknown = rows.join(names, left_on=REGION, right_on="name", how="anti")
    if unknown.height:
        row = unknown.row(0, named=True)
        raise StatlineError(
            f"{path}: column '{REGION}', row {row['__row']}: gemeente name {row[REGION]!r} is not "
            "in jeugdmonitor/reference/gemeente_names.csv (add it, with its code or as former)"
        )
    matched = rows.join(names, left_on=REGION, right_on="name", how="left", maintain_order="left")
    has_values = pl.any_horizontal(pl.col(value_columns).is_not_null())
    orphan = matched.filter(has_values & pl.col("code").is_null())
    if orphan.height:
        row = orphan.row(0, named=True)
        raise StatlineError(
            f"{path}: column '{REGION}', row {row['__row']}: former gemeente {row[REGION]!r} has "
            "figures but no code in jeugdmonitor/reference/gemeente_names.csv"
        )
    kept = matched.filter(has_values)
    dup = kept.filter(pl.col("code").is_duplicated())
    if dup.height:
        row = dup.row(0, named=True)
        raise StatlineError(
            f"{path}: column '{REGION}', row {row['__row']}: gemeente {row['code']} appears twice"
        )
    return kept.rename({"code": "own_code"}).drop("status", "note")


def national_row(frame: pl.DataFrame, path: Path) -> dict:
    """The `Nederland` row as a dict (StatlineError when the export has none)."""
    rows = frame.filter(pl.col(REGION) == NATIONAL)
    if rows.height != 1:
        raise StatlineError(f"{path}: column '{REGION}': expected one row 'Nederland'")
    return rows.row(0, named=True)
