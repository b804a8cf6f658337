"""raw/ → data/*.parquet + data/geo/*.topojson, reproducibly (same input → same bytes on any machine).

Steps (a small DAG, each a pure function of its inputs):
- map features → regions; crosswalk + PC4 table → SWV weights;
- 70072NED 2025 bands + KWB 2019/2021/2022 → youth population per age group and year (estimate);
- 85075NED/85335NED → real jeugdzorg (by age, household type, verwijzer), 2021-2022;
- 85098NED 2022 percentages × estimated denominators → jeugdhulp, met verblijf, jeugdbescherming,
  jeugdreclassering (real, derived counts);
- KWB + income 2024 → context per gemeente; KWB + jeugdzorg per wijk + wijk polygons → wijken;
- real context + real jeugdzorg → simulated indicators where no real source exists (flagged);
- reference CSVs → catalogue and breakdowns.
All outputs are computed first and written to temporary files that are renamed into place only
when every step has succeeded, so a failed build changes nothing. Floats are summed in a fixed
order (`sort().sum()`, `math.fsum`) or in integers, and geometry signs use the integer grid, so no
output depends on thread count, hash order or the CPU.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from jeugdmonitor.data import demo, regions
from jeugdmonitor.data.files import atomic_writes, reference_csv
from jeugdmonitor.data.sources import (
    context,
    duo,
    geo,
    jeugdzorg,
    kwb,
    kwb_indicators,
    population,
    pupils,
    swv,
    wijken,
)
from jeugdmonitor.data.sources.crosswalk import load_crosswalk
from jeugdmonitor.data.store import SCHEMAS, conform

DEFAULT_SOURCES = Path(__file__).resolve().parents[2] / "raw"
RAW_FILES = {
    "gemeente": "cartomap/gemeente_2024.topojson",
    "jeugdregio": "cartomap/jeugdregio_2024.topojson",
    "provincie": "cartomap/provincie_2024.topojson",
    "parents": "reference/gemeente_provincie_jeugdregio_2024_derived.csv",
    "swv": "swv/swv_regio_indeling_pc4_2015.csv",
    "kwb": "cbs/kwb_jeugdzorg_wijken_2021_2022.csv",
    "kwb2019": "cbs/kwb_2019_gemeenten.csv",
    "bands": "cbs/70072NED_2025_gemeenten.csv",
    "jz2022": "cbs/85335NED_2022_gemeenten_odata.csv",
    "pct2022": "cbs/85098NED_2022_gemeenten.csv",
    "income": "cbs/inkomen_huishoudens_gemeenten_2024.csv",
    "wijk": "wijken/wijk_2022.topojson",
    "duo_pupils": "duo/duo_po_leerlingen_postcode_leeftijd_2024.tar.gz",
    "duo_locations": "duo/edugis_scholen20241122.geo.zip",
}
CHECK_YEAR = 2022  # the build prints the national 0-18 jeugdzorg share of this year


def real_indicators(
    sources: Path,
    own: pl.DataFrame,
    pct: pl.DataFrame,
    split: pl.DataFrame,
    youth: pl.DataFrame,
    gemeenten: pl.DataFrame,
    crosswalk: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every real indicator row on 2024 gemeenten (CBS youth-care tables 2021-2022), and CBS's
    national figures where the source publishes them (the `national` table).

    Counts are built per gemeente of their own year and then summed to 2024 gemeenten with the
    coverage rule (`jeugdzorg.combine_parts`)."""
    names = jeugdzorg.part_names(gemeenten, crosswalk)
    part_youth = jeugdzorg.own_youth(split)
    parts = jeugdzorg.jeugdzorg_parts(own, part_youth)
    unplaced = parts.filter(pl.col("gemeente_code").is_null())
    if unplaced.height:
        r = unplaced.row(0, named=True)
        raise ValueError(
            f"gemeente {r['code']} ({r['year']}) has youth-care figures but no KWB row"
        )
    real = pl.concat(
        [
            jeugdzorg.jeugdzorg_rows(parts, names),
            jeugdzorg.percentage_rows(jeugdzorg.percentage_parts(pct, part_youth), names),
        ]
    )
    odata = jeugdzorg.read_odata_csv(sources / RAW_FILES["jz2022"])
    nl = odata.filter(pl.col("level") == "land")
    if nl.height != 1:
        raise ValueError(f"{sources / RAW_FILES['jz2022']}: expected one national row (NL00)")
    year = int(nl["year"][0])
    national_pct = jeugdzorg.read_national_percentages(sources / RAW_FILES["pct2022"])
    return real, jeugdzorg.national_rows(nl.row(0, named=True), youth, year, national_pct)


def special_education(
    sources: Path, youth: pl.DataFrame, membership: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """DUO 2024 → estimated sbo/so/vso pupils by gemeente of residence (indicator rows) and by
    SWV, jeugdregio, provincie and NL (regional rows); see `sources.pupils`."""
    path = sources / RAW_FILES["duo_pupils"]
    file = duo.read_pupils(path)
    codes = duo.pupil_gemeente_codes(file.cells["pupil_gemeente"], file.school_names, path)
    alloc = pupils.estimate_cells(
        file.cells, duo.read_locations(sources / RAW_FILES["duo_locations"])
    ).join(codes, on="pupil_gemeente", how="left")
    pc4 = swv.read_pc4_table(sources / RAW_FILES["swv"])
    return pupils.speciaal_onderwijs(
        alloc, youth, membership, pc4, duo.missing_gemeenten(file, path)
    )


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

    bands = population.read_bands(sources / RAW_FILES["bands"], gemeenten, crosswalk)
    pop_total = bands.select(
        "gemeente_code", pl.col("total").round(0).cast(pl.Int64).alias("population")
    )
    kwb_rows = kwb.read(sources / RAW_FILES["kwb"])
    kwb_gemeenten = kwb.level(kwb_rows, "gemeente")
    totals = population.kwb_totals(
        kwb_gemeenten, population.read_kwb2019(sources / RAW_FILES["kwb2019"])
    )
    own = jeugdzorg.own_counts(kwb_rows, jeugdzorg.read_odata_csv(sources / RAW_FILES["jz2022"]))
    pct = jeugdzorg.read_percentages(sources / RAW_FILES["pct2022"])
    shares = population.bounded_shares(
        population.band_shares(bands),
        totals.filter(pl.col("year") == jeugdzorg.PCT_YEAR),
        own.filter(pl.col("year") == jeugdzorg.PCT_YEAR)
        .select(pl.col("code").alias("old_code"), pl.col("jz_0_18").alias("jeugdzorg"))
        .join(pct.select(pl.col("code").alias("old_code"), "pct_jeugdhulp"), on="old_code"),
        gemeenten,
        crosswalk,
    )
    split = population.split_ages(totals, shares, gemeenten, crosswalk)
    youth = population.youth_population(split, population.split_bands(bands, shares))
    own_youth = (
        split.filter(pl.col("age_group").is_in(population.YOUTH))
        .group_by("old_code", "year")
        .agg(pl.col("population").sort().sum().round(0).cast(pl.Int64).alias("youth"))
    )
    weights = swv.swv_weights(
        swv.read_pc4_table(sources / RAW_FILES["swv"]), gemeenten, crosswalk, own_youth
    )
    region_table, membership = regions.build_tables(
        gemeenten, feats["jeugdregio"], feats["provincie"], parents, weights, pop_total
    )
    real, national = real_indicators(sources, own, pct, split, youth, gemeenten, crosswalk)
    pupil_rows, regional = special_education(sources, youth, membership)
    kwb_real, kwb_national = kwb_indicators.indicator_rows(kwb_rows, gemeenten, crosswalk)
    real = pl.concat([real, kwb_real, pupil_rows], how="diagonal_relaxed")
    national = pl.concat([national, kwb_national], how="diagonal_relaxed")
    context_table = context.context_table(
        context.kwb_context(kwb_gemeenten, gemeenten, crosswalk),
        context.income_context(sources / RAW_FILES["income"], gemeenten, crosswalk),
    )
    real_keys = set(real.select("indicator", "breakdown").unique().iter_rows())
    simulated = demo.simulate(
        youth,
        demo.covariates(context_table, real, gemeenten["code"].to_list()),
        demo.load_targets(),
        real_keys,
    )
    indicators = pl.concat([real, simulated], how="diagonal_relaxed").sort(
        "indicator", "gemeente_code", "year", "breakdown"
    )

    wijk_table = wijken.wijk_table(kwb_rows, shares, gemeenten, crosswalk)
    tables = {
        "regions": region_table,
        "membership": membership,
        "indicators": indicators,
        "catalogue": reference_csv("catalogue", schema=SCHEMAS["catalogue"]),
        "breakdowns": reference_csv("breakdowns", schema=SCHEMAS["breakdowns"]),
        "population": youth,
        "context": context_table,
        "national": national,
        "wijken": wijk_table,
        "regional": regional,
    }
    tables = {name: conform(name, frame) for name, frame in tables.items()}
    maps = render_maps(topo, geo.LAYERS, membership, region_table)
    wijk_topo = wijken.wijk_topology(wijken.read_topology(sources / RAW_FILES["wijk"]), wijk_table)
    maps["wijk"] = geo.dumps(geo.prune_arcs(wijk_topo))
    return tables, maps


def national_share(tables: dict[str, pl.DataFrame], year: int = CHECK_YEAR) -> float:
    """NL jeugdzorg share 0-18 of a year from the built tables (counts summed, then divided)."""
    rows = tables["indicators"].filter(
        (pl.col("indicator") == "jeugdzorg")
        & (pl.col("breakdown") == "all")
        & (pl.col("year") == year)
    )
    return rows["numerator"].sum() / rows["denominator"].sum()


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


def build(sources: Path | str | None, out: Path | str) -> tuple[list[Path], float]:
    """Build the data folder from raw sources (default: the repository's `raw/`).

    Returns the paths written and the national jeugdzorg share 0-18 of CHECK_YEAR (a sanity check
    the CLI prints: CBS reports about 13 %).
    """
    tables, maps = assemble(Path(sources) if sources else DEFAULT_SOURCES)
    return write_outputs(tables, maps, Path(out)), national_share(tables)
