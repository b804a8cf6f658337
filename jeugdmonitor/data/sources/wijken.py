"""Wijken (districts) 2021 and 2022: CBS jeugdzorg per wijk, KWB context, estimated youths, map.

Per wijk the table holds CBS's youth-care counts (85075NED for 2021, 85335NED for 2022; multiples
of 5, empty when below 10), the clients 0-17 (`jz_0_18`: the age cells, suppressed ones filled in
as for gemeenten, `jeugdzorg.with_youth_total`), the KWB context of that year, and the estimated
number of youths: KWB counts inhabitants aged 0-14 and 15-24 per wijk; the 15-24 band is split
with the shares of the wijk's 2024 gemeente (`population.band_shares`, the same as the gemeente's
own youths, so the wijken of a gemeente add up to it):
youths 0-18 = a_00_14 + a_15_24 × s1517 (ages 15-17),
youths 0-23 = a_00_14 + a_15_24 × s1522 (ages 15-22).
Wijken keep their own code and gemeente of that year; `gemeente_code` is the 2024 gemeente (through
the crosswalk), so a merged gemeente shows the wijken of all its parts, each named with its former
gemeente ('Zuid (Weesp)').
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from jeugdmonitor.data.sources import geo, jeugdzorg, kwb
from jeugdmonitor.data.sources.crosswalk import resolve_codes

LAYER = "wijk_2022"
OUT_LAYER = "wijk"
CONTEXT_COLUMNS = ["a_inw", "a_00_14", "a_15_24", "a_hh", "a_hh_m_k", "p_hh_li", "p_hh_lkk",
                   "p_hh_osm", "a_soz_wb", "ste_mvs", "ste_oad", "a_lan_ha",
                   "a_opl_lg", "a_opl_md", "a_opl_hg"]  # fmt: skip
COUNT_COLUMNS = list(kwb.JZ_COLUMNS.values())


def wijk_table(
    kwb_rows: pl.DataFrame,
    shares: pl.DataFrame,
    gemeenten: pl.DataFrame,
    crosswalk: pl.DataFrame,
) -> pl.DataFrame:
    """One row per wijk and year: codes, name, youth-care counts, context and estimated youths.

    `shares` is `population.band_shares` (bounded) per 2024 gemeente.
    """
    rows = jeugdzorg.with_youth_total(kwb.level(kwb_rows, "wijk"))
    resolved = resolve_codes(rows["gemeente_own"], gemeenten, crosswalk)
    split = resolved.filter(pl.col("share") != 1.0)
    if split.height:  # a wijk of a gemeente split later cannot be placed
        raise ValueError(f"wijken of gemeente {split['old_code'][0]} cannot be mapped to 2024")
    own_names = kwb.level(kwb_rows, "gemeente").select(
        pl.col("code").alias("gemeente_own"), "year", pl.col("name").alias("own_name")
    )
    merged = pl.col("gm_code") != pl.col("gemeente_own")
    return (
        rows.join(resolved, left_on="gemeente_own", right_on="old_code")
        .join(shares.select("gemeente_code", "s1517", "s1522"), left_on="gm_code",
              right_on="gemeente_code")
        .join(own_names, on=["gemeente_own", "year"], how="left")
        .select(
            pl.col("code").alias("wijk_code"),
            "year",
            pl.when(merged).then(pl.format("{} ({})", "name", "own_name")).otherwise("name")
            .alias("name"),
            "gemeente_own",
            pl.col("gm_code").alias("gemeente_code"),
            *COUNT_COLUMNS,
            "jz_0_18",
            "jz_0_18_estimated",
            (pl.col("a_00_14") + pl.col("a_15_24") * pl.col("s1517"))
            .round(0).cast(pl.Int64).alias("youth_0_18"),
            (pl.col("a_00_14") + pl.col("a_15_24") * pl.col("s1522"))
            .round(0).cast(pl.Int64).alias("youth_0_23"),
            *CONTEXT_COLUMNS,
        )
        .sort("gemeente_code", "wijk_code", "year")
    )  # fmt: skip


def wijk_topology(topo: dict[str, Any], table: pl.DataFrame) -> dict[str, Any]:
    """The wijk map with id = wijk code and properties name and 2024 gemeente (for per-gemeente maps).

    Names come from the 2022 table; a polygon without a 2022 row keeps its code as name.
    """
    latest = table.filter(pl.col("year") == 2022)
    names = dict(latest.select("wijk_code", "name").iter_rows())
    gemeente = dict(latest.select("wijk_code", "gemeente_code").iter_rows())
    geoms = []
    for g in sorted(
        topo["objects"][LAYER]["geometries"], key=lambda g: g["properties"]["wijkcode"]
    ):
        code = g["properties"]["wijkcode"]
        geoms.append(
            {
                "type": g["type"],
                "arcs": g["arcs"],
                "id": code,
                "properties": {"name": names.get(code, code), "gemeente": gemeente.get(code, "")},
            }
        )
    return {
        "type": "Topology",
        "transform": topo["transform"],
        "objects": {OUT_LAYER: {"type": "GeometryCollection", "geometries": geoms}},
        "arcs": topo["arcs"],
    }


def gemeente_subset(topo: dict[str, Any], gemeente_code: str) -> str:
    """The wijk map of one 2024 gemeente (its wijken only, unused arcs dropped), as JSON text.

    `topo` is the parsed `geo/wijk.topojson` (parse it once: it holds every wijk of NL).
    """
    obj = topo["objects"][OUT_LAYER]
    kept = [g for g in obj["geometries"] if g["properties"].get("gemeente") == gemeente_code]
    subset = {**topo, "objects": {OUT_LAYER: {**obj, "geometries": kept}}}
    return geo.dumps(geo.prune_arcs(subset))


def read_topology(path: Path) -> dict[str, Any]:
    """The raw wijk TopoJSON (checked like the other map layers)."""
    topo = geo.read_topology(path)
    if LAYER not in topo["objects"]:
        raise geo.GeoSourceError(f"{path}: no object '{LAYER}'")
    return topo
