"""The seven school-level indicators as raw (unsuppressed) counts per school and per school type.

Two tidy tables, both with a row per school (`niveau` "school") and per school type ("schooltype",
the sum over its schools, so school rows always add up to the type row):
- `kern`: leerlingen, clienten, trajecten, nieuwe_trajecten, kosten, leeftijd_som per school year;
- `mix`: counts per category of zorgvorm, verwijzer, aanbieder (active trajectories) and leeftijd
  (age at referral, trajectories started in the year), on a complete grid including zeros.
These tables hold small counts: they never leave the tool before `suppress.protect`.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis.linkage.codes import OTHER_PROVIDERS, TOP_PROVIDERS, codes

UNIT = ["schooljaar", "onderwijssoort", "school_id"]
BLOCK = ["schooljaar", "onderwijssoort"]
KERN_COUNTS = ["leerlingen", "clienten", "trajecten", "nieuwe_trajecten"]
KERN_SUMS = ["kosten", "leeftijd_som"]
TYPE_LEVEL = "schooltype"
SCHOOL_LEVEL = "school"


def _strings(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Aggregates carry plain strings (the microdata use categoricals to save memory)."""
    return frame.with_columns(pl.selectors.categorical().cast(pl.String))


def schools(enrolment: pl.LazyFrame) -> pl.LazyFrame:
    """Pupils per school and year, with the school's most recent name."""
    names = (
        enrolment.sort("schooljaar", descending=True)
        .group_by("school_id")
        .agg(pl.col("schoolnaam").first())
    )
    return _strings(
        enrolment.group_by(UNIT)
        .agg(pl.len().cast(pl.Int64).alias("leerlingen"))
        .join(names, on="school_id", how="left")
    )


def _with_type_rows(frame: pl.DataFrame, keys: list[str], values: list[str]) -> pl.DataFrame:
    """Append the per-type sums (school_id null, niveau 'schooltype') to school rows."""
    school = frame.with_columns(pl.lit(SCHOOL_LEVEL).alias("niveau"))
    typed = (
        frame.group_by(keys)
        .agg(pl.col(values).sum())
        .with_columns(
            pl.lit(None, pl.String).alias("school_id"), pl.lit(TYPE_LEVEL).alias("niveau")
        )
    )
    return pl.concat([school, typed], how="diagonal_relaxed")


def kern(pupils: pl.LazyFrame, linked: pl.LazyFrame) -> pl.DataFrame:
    """Headline counts and sums per school and school type."""
    care = _strings(
        linked.group_by(UNIT).agg(
            pl.col("pid").n_unique().cast(pl.Int64).alias("clienten"),
            pl.len().cast(pl.Int64).alias("trajecten"),
            pl.col("nieuw").sum().cast(pl.Int64).alias("nieuwe_trajecten"),
            pl.col("kosten_deel").sum().alias("kosten"),
            pl.col("leeftijd").filter(pl.col("nieuw")).sum().cast(pl.Float64).alias("leeftijd_som"),
        )
    )
    frame = (
        pupils.join(care, on=UNIT, how="left")
        .with_columns(pl.col(KERN_COUNTS[1:]).fill_null(0), pl.col(KERN_SUMS).fill_null(0.0))
        .collect()
    )
    out = _with_type_rows(frame, BLOCK, KERN_COUNTS + KERN_SUMS)
    return out.select("niveau", *UNIT, "schoolnaam", *KERN_COUNTS, *KERN_SUMS).sort(
        *BLOCK, "niveau", "school_id", nulls_last=True
    )


def _grid(units: pl.DataFrame, categories: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """Every unit × every category of its block, with the count (0 when absent)."""
    return (
        units.join(categories, on=BLOCK, how="inner")
        .join(counts, on=[*UNIT, "categorie"], how="left")
        .with_columns(pl.col("aantal").fill_null(0))
    )


def _providers(linked: pl.LazyFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Counts per largest provider (top per type and year) plus 'Overige aanbieders'."""
    per_school = linked.group_by([*UNIT, "aanbieder"]).agg(pl.len().cast(pl.Int64).alias("aantal"))
    per_school = _strings(per_school).collect()
    top = (
        per_school.group_by([*BLOCK, "aanbieder"])
        .agg(pl.col("aantal").sum())
        .sort([*BLOCK, "aantal", "aanbieder"], descending=[False, False, True, False])
        .group_by(BLOCK, maintain_order=True)
        .head(TOP_PROVIDERS)
        .select(*BLOCK, "aanbieder", pl.int_range(pl.len()).over(BLOCK).alias("volgorde"))
    )
    named = per_school.join(top, on=[*BLOCK, "aanbieder"], how="left")
    counts = (
        named.with_columns(
            pl.when(pl.col("volgorde").is_null())
            .then(pl.lit(OTHER_PROVIDERS))
            .otherwise(pl.col("aanbieder"))
            .alias("categorie")
        )
        .group_by([*UNIT, "categorie"])
        .agg(pl.col("aantal").sum())
    )
    other = (
        top.select(BLOCK)
        .unique()
        .with_columns(
            pl.lit(OTHER_PROVIDERS).alias("aanbieder"), pl.lit(TOP_PROVIDERS).alias("volgorde")
        )
    )
    categories = pl.concat([top, other.cast(top.schema)]).rename({"aanbieder": "categorie"})
    return counts, categories


def mix(pupils: pl.LazyFrame, linked: pl.LazyFrame) -> pl.DataFrame:
    """Category counts per school and school type for zorgvorm, verwijzer, leeftijd, aanbieder."""
    units = pupils.select(UNIT).collect()
    blocks = units.select(BLOCK).unique()
    parts = []
    for dimension, column, rows in (
        ("zorgvorm", "zorgvorm", linked),
        ("verwijzer", "verwijzer", linked),
        ("leeftijd", "leeftijdsgroep", linked.filter(pl.col("nieuw"))),
    ):
        counts = _strings(
            rows.group_by([*UNIT, column])
            .agg(pl.len().cast(pl.Int64).alias("aantal"))
            .rename({column: "categorie"})
            .collect()
        )
        known = pl.DataFrame({"categorie": codes(dimension)}).with_row_index("volgorde")
        parts.append((dimension, _grid(units, blocks.join(known, how="cross"), counts)))
    counts, categories = _providers(linked)
    parts.append(("aanbieder", _grid(units, categories, counts)))
    frames = [
        frame.with_columns(pl.lit(dim).alias("dimensie"), pl.col("volgorde").cast(pl.Int32))
        for dim, frame in parts
    ]
    out = _with_type_rows(
        pl.concat(frames, how="diagonal_relaxed"),
        [*BLOCK, "dimensie", "categorie", "volgorde"],
        ["aantal"],
    )
    return out.select("niveau", *UNIT, "dimensie", "categorie", "volgorde", "aantal").sort(
        *BLOCK, "dimensie", "niveau", "school_id", "volgorde", nulls_last=True
    )
