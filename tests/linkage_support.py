"""Helpers shared by the linkage tests: keys, valid BSNs, hand-made extracts, raw blocks."""

from __future__ import annotations

import numpy as np
import polars as pl

from jeugdmonitor.analysis.linkage import aggregate
from jeugdmonitor.analysis.linkage.extracts import ENROLMENT_COLUMNS, JEUGDHULP_COLUMNS
from jeugdmonitor.analysis.linkage.synthetic import valid_bsns

KEY = b"test-key-" + b"k" * 40
OTHER_KEY = b"other-key-" + b"q" * 40


def bsns(n: int, offset: int = 0) -> list[str]:
    """`n` distinct 9-digit BSN strings that pass the 11-proef."""
    return [f"{b:09d}" for b in valid_bsns(n, offset=offset)]


def enrolment_rows(rows: list[tuple]) -> pl.DataFrame:
    """An enrolment extract from (bsn, birth, sex, brin, vestiging, name, soort, schooljaar)."""
    columns = list(ENROLMENT_COLUMNS[:7])
    frame = pl.DataFrame(
        [r[:7] for r in rows], schema=dict.fromkeys(columns, pl.String), orient="row"
    )
    return frame.with_columns(
        pl.lit("GM0150").alias("gemeente"),
        pl.Series("schooljaar", [r[7] for r in rows], dtype=pl.String),
    )


def jeugdhulp_rows(rows: list[tuple]) -> pl.DataFrame:
    """A jeugdhulp extract from (bsn, begin, end, product, verwijzer, aanbieder, kosten)."""
    return pl.DataFrame(rows, schema=dict.fromkeys(JEUGDHULP_COLUMNS, pl.String), orient="row")


def raw_block(
    year: int,
    soort: str,
    pupils: list[int],
    clients: list[int],
    dims: dict[str, np.ndarray],
    new: np.ndarray | None = None,
    cost: list[float] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Raw kern and mix tables for one school year × type from per-school numbers.

    `dims` maps zorgvorm/verwijzer/aanbieder to (schools × categories) counts whose rows must
    add up to the same trajectory totals; `new` gives the age-band counts of new trajectories.
    """
    n = len(pupils)
    ids = [f"{10 + i:02d}AA00" for i in range(n)]
    care = {d: np.asarray(m) for d, m in dims.items()}
    totals = next(iter(care.values())).sum(1)
    assert all((m.sum(1) == totals).all() for m in care.values())
    new = np.zeros((n, 2), dtype=int) if new is None else np.asarray(new)
    cost = cost or [1000.0 * c for c in clients]
    kern = pl.DataFrame(
        {
            "niveau": "school",
            "schooljaar": year,
            "onderwijssoort": soort,
            "school_id": ids,
            "schoolnaam": [f"School {i}" for i in range(n)],
            "leerlingen": pupils,
            "clienten": clients,
            "trajecten": totals.tolist(),
            "nieuwe_trajecten": new.sum(1).tolist(),
            "kosten": cost,
            "leeftijd_som": (new.sum(1) * 9.0).tolist(),
        },
        schema_overrides={"schooljaar": pl.Int32},
    )
    parts = []
    for dim, matrix in [*care.items(), ("leeftijd", new)]:
        for i, sid in enumerate(ids):
            for j, value in enumerate(matrix[i]):
                parts.append((year, soort, sid, dim, f"{dim}{j}", j, int(value)))
    mix = pl.DataFrame(
        parts,
        schema={
            "schooljaar": pl.Int32,
            "onderwijssoort": pl.String,
            "school_id": pl.String,
            "dimensie": pl.String,
            "categorie": pl.String,
            "volgorde": pl.Int32,
            "aantal": pl.Int64,
        },
        orient="row",
    )
    kern = aggregate._with_type_rows(
        kern, aggregate.BLOCK, aggregate.KERN_COUNTS + aggregate.KERN_SUMS
    )
    mix = aggregate._with_type_rows(
        mix, [*aggregate.BLOCK, "dimensie", "categorie", "volgorde"], ["aantal"]
    )
    kern = kern.select(
        "niveau", *aggregate.UNIT, "schoolnaam", *aggregate.KERN_COUNTS, *aggregate.KERN_SUMS
    )
    return kern, mix.select(
        "niveau", *aggregate.UNIT, "dimensie", "categorie", "volgorde", "aantal"
    )
