"""Published tables (rates and shares computed from suppressed counts only) and their export.

Derived values are computed after suppression, so a rate is empty whenever a count it is built on
is hidden. Export writes CSV and parquet for both tables atomically (all files or none).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jeugdmonitor.analysis.linkage.codes import labels
from jeugdmonitor.data.files import atomic_writes, formula_safe

KEY_COLUMNS = ["gesimuleerd", "schooljaar", "onderwijssoort", "niveau", "school_id", "schoolnaam"]
KERN_COLUMNS = [
    *KEY_COLUMNS,
    "leerlingen",
    "clienten",
    "clienten_per_100",
    "trajecten",
    "nieuwe_trajecten",
    "gem_leeftijd_verwijzing",
    "kosten",
    "kosten_per_client",
]
MIX_COLUMNS = [
    *KEY_COLUMNS,
    "dimensie",
    "categorie",
    "label",
    "volgorde",
    "aantal",
    "basis",
    "aandeel",
]


def _type_names() -> pl.Expr:
    """'Alle scholen: <onderwijssoort>' as the name of a type row."""
    names = labels("onderwijssoort")
    return pl.concat_str(
        pl.lit("Alle scholen: "), pl.col("onderwijssoort").replace_strict(names, default=None)
    )


def kern_table(kern: pl.DataFrame, simulated: bool) -> pl.DataFrame:
    """Headline table: counts (null = suppressed) with rates, cost per client and mean age."""
    return kern.with_columns(
        pl.lit(simulated).alias("gesimuleerd"),
        pl.coalesce("schoolnaam", _type_names()).alias("schoolnaam"),
        (100 * pl.col("clienten") / pl.col("leerlingen")).alias("clienten_per_100"),
        (pl.col("kosten") / pl.col("clienten")).alias("kosten_per_client"),
        (pl.col("leeftijd_som") / pl.col("nieuwe_trajecten")).alias("gem_leeftijd_verwijzing"),
    ).select(KERN_COLUMNS)


def mix_table(mix: pl.DataFrame, kern: pl.DataFrame, simulated: bool) -> pl.DataFrame:
    """Category table: counts (null = suppressed) with the base and the share in percent."""
    base = kern.select(
        "schooljaar", "onderwijssoort", "school_id", "schoolnaam", "trajecten", "nieuwe_trajecten"
    )
    label_map = {d: labels(d) for d in ("zorgvorm", "verwijzer", "leeftijd")}
    label = pl.col("categorie")
    for dimension, mapping in label_map.items():
        label = (
            pl.when(pl.col("dimensie") == dimension)
            .then(pl.col("categorie").replace(mapping))
            .otherwise(label)
        )
    out = mix.join(
        base, on=["schooljaar", "onderwijssoort", "school_id"], how="left", nulls_equal=True
    ).with_columns(
        pl.lit(simulated).alias("gesimuleerd"),
        label.alias("label"),
        pl.when(pl.col("dimensie") == "leeftijd")
        .then(pl.col("nieuwe_trajecten"))
        .otherwise(pl.col("trajecten"))
        .alias("basis"),
    )
    return out.with_columns((100 * pl.col("aantal") / pl.col("basis")).alias("aandeel")).select(
        MIX_COLUMNS
    )


def published(kern: pl.DataFrame, mix: pl.DataFrame, simulated: bool) -> dict[str, pl.DataFrame]:
    """The two tables that may leave the tool: `kerncijfers` and `verdelingen`."""
    kern_out = kern_table(kern, simulated)
    return {"kerncijfers": kern_out, "verdelingen": mix_table(mix, kern_out, simulated)}


def export(tables: dict[str, pl.DataFrame], out: Path | str) -> list[Path]:
    """Write every table as CSV and parquet into `out`, atomically; returns the written paths."""
    folder = Path(out)
    writers = {}
    for name, frame in tables.items():
        writers[folder / f"{name}.csv"] = lambda p, f=frame: formula_safe(f).write_csv(p)
        writers[folder / f"{name}.parquet"] = lambda p, f=frame: f.write_parquet(p)
    atomic_writes(writers)
    return sorted(writers)
