"""sources → data/*.parquet + data/geo/*.topojson, reproducibly (same input → same bytes).

Steps (a small DAG): map features → regions; crosswalk + PC4 table → SWV weights; crosswalk +
population → population 2024 → youth by age; regions + population → simulated indicators;
reference CSVs → catalogue and breakdowns. All outputs are written to temporary files first and
renamed into place only when every step has succeeded, so a failed build changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from jeugdmonitor import demo, regions
from jeugdmonitor.files import atomic_writes, reference_csv
from jeugdmonitor.sources import geo, population, swv
from jeugdmonitor.sources.crosswalk import load_crosswalk
from jeugdmonitor.store import SCHEMAS, conform

RAW_FILES = {
    "gemeente": "cartomap/gemeente_2024.topojson",
    "jeugdregio": "cartomap/jeugdregio_2024.topojson",
    "provincie": "cartomap/provincie_2024.topojson",
    "parents": "reference/gemeente_provincie_jeugdregio_2024_derived.csv",
    "population": "population/mzelst_municipalities-population.csv",
    "swv": "swv/swv_regio_indeling_pc4_2015.csv",
}


def assemble(sources: Path) -> tuple[dict[str, pl.DataFrame], dict[str, str]]:
    """Compute every output table and map text from the raw sources (nothing is written)."""
    missing = [str(sources / rel) for rel in RAW_FILES.values() if not (sources / rel).exists()]
    if missing:
        raise FileNotFoundError("missing raw source file(s): " + ", ".join(missing))
    crosswalk = load_crosswalk()
    topo = {level: geo.read_topology(sources / RAW_FILES[level]) for level in geo.LAYERS}
    feats = {level: geo.features(topo[level], geo.LAYERS[level]) for level in geo.LAYERS}
    gemeenten = feats["gemeente"]
    parents = pl.read_csv(sources / RAW_FILES["parents"]).select("gm_code", "pv_code", "jz_code")
    unknown = parents.join(gemeenten, left_on="gm_code", right_on="code", how="anti")
    if unknown.height or parents.height != gemeenten.height:
        raise ValueError(
            f"{sources / RAW_FILES['parents']}: gemeente codes do not match the 2024 map"
        )

    pop_total = population.population_2024(
        population.read_population(sources / RAW_FILES["population"]), gemeenten, crosswalk
    )
    weights = swv.swv_weights(swv.read_pc4_table(sources / RAW_FILES["swv"]), gemeenten, crosswalk)
    region_table, membership = regions.build_tables(
        gemeenten, feats["jeugdregio"], feats["provincie"], parents, weights, pop_total
    )
    youth = population.youth_by_age(pop_total)
    indicators = demo.simulate(
        gemeenten.join(pop_total, left_on="code", right_on="gemeente_code"),
        youth,
        demo.load_targets(),
    )

    tables = {
        "regions": region_table,
        "membership": membership,
        "indicators": indicators,
        "catalogue": reference_csv("catalogue", schema=SCHEMAS["catalogue"]),
        "breakdowns": reference_csv("breakdowns", schema=SCHEMAS["breakdowns"]),
        "population": youth,
    }
    tables = {name: conform(name, frame) for name, frame in tables.items()}
    return tables, render_maps(topo, geo.LAYERS, membership, region_table)


def render_maps(
    topo: dict[str, dict],
    layers: dict[str, str],
    membership: pl.DataFrame,
    region_table: pl.DataFrame,
) -> dict[str, str]:
    """Map text per level: slimmed gemeente/jeugdregio/provincie layers plus dissolved SWV maps."""
    names = dict(region_table.select("code", "display_name").iter_rows())
    maps = {
        level: geo.dumps(geo.prune_arcs(geo.slim_topology(topo[level], layers[level], level)))
        for level in layers
    }
    for kind in ("swv_po", "swv_vo"):
        groups = regions.dominant_swv(membership, kind)
        maps[kind] = geo.dumps(
            geo.prune_arcs(
                geo.dissolved_topology(topo["gemeente"], layers["gemeente"], groups, names, kind)
            )
        )
    return maps


def write_outputs(tables: dict[str, pl.DataFrame], maps: dict[str, str], out: Path) -> list[Path]:
    """Write parquet tables and TopoJSON maps into `out` atomically; returns the written paths."""
    writers: dict[Path, Callable[[Path], None]] = {}
    for name, frame in tables.items():
        writers[out / f"{name}.parquet"] = lambda p, f=frame: f.write_parquet(
            p, compression="zstd", statistics=False
        )
    for level, text in maps.items():
        writers[out / "geo" / f"{level}.topojson"] = lambda p, t=text: p.write_text(
            t, encoding="utf-8"
        )
    atomic_writes(writers)
    return sorted(writers)


def build(sources: Path | str, out: Path | str) -> list[Path]:
    """Build the data folder from raw sources; returns the paths written."""
    tables, maps = assemble(Path(sources))
    return write_outputs(tables, maps, Path(out))
