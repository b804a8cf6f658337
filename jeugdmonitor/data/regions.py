"""Region model: codes, types, Dutch names, and gemeente → region membership with weights.

Every region is a weighted set of 2024 gemeenten. A gemeente belongs to itself, one jeugdregio,
one provincie and Nederland with weight 1, and to one or more SWV po / SWV vo with weights that
sum to 1 per type. Region values are weighted sums of member counts (see `indicators`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from jeugdmonitor.data.region_search import picker_label

# in `region_types` so `store` has them without `regions`; importable from here too
from jeugdmonitor.data.region_types import NL_CODE, REGION_TYPES, TYPE_LABELS

if TYPE_CHECKING:
    from jeugdmonitor.data.store import Store


# --------------------------------------------------------------------------------------- build


def type_order(column: str = "type") -> pl.Expr:
    """Position of a region type in REGION_TYPES (gemeente first, nederland last), for sorting."""
    return pl.col(column).replace_strict(
        {t: i for i, t in enumerate(REGION_TYPES)}, return_dtype=pl.Int8
    )


def swv_label(code: pl.Expr) -> pl.Expr:
    """'PO2707' → 'SWV po 27-07' (the official notation of the regeling)."""
    return pl.format(
        "SWV {} {}-{}",
        code.str.slice(0, 2).str.to_lowercase(),
        code.str.slice(2, 2),
        code.str.slice(4),
    )


def swv_display_names(
    swv: pl.DataFrame, population: pl.DataFrame, names: pl.DataFrame
) -> pl.DataFrame:
    """Name each SWV after its two largest member gemeenten (by weighted population), 'e.o.' if more.

    No official SWV names exist offline; the code plus the largest members is what people recognise.
    """
    ranked = (
        swv.join(population, on="gemeente_code")
        .join(names.select(pl.col("code").alias("gemeente_code"), "name"), on="gemeente_code")
        .with_columns(size=pl.col("weight") * pl.col("population"))
        .sort(["region_code", "size", "name"], descending=[False, True, False])
        .group_by("region_code", maintain_order=True)
        .agg(pl.col("name").head(2).alias("top"), pl.len().alias("n"))
    )
    label = swv_label(pl.col("region_code"))
    return ranked.select(
        pl.col("region_code").alias("code"),
        (
            label
            + pl.lit(" ")
            + pl.col("top").list.join(", ")
            + pl.when(pl.col("n") > 2).then(pl.lit(" e.o.")).otherwise(pl.lit(""))
        ).alias("display_name"),
        label.alias("name"),
    )


def build_tables(
    gemeenten: pl.DataFrame,
    jeugdregios: pl.DataFrame,
    provincies: pl.DataFrame,
    parents: pl.DataFrame,
    swv: pl.DataFrame,
    population: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (regions, membership) from the map features, derived parents and SWV weights.

    `gemeenten` has code, name, area_km2; `parents` has gm_code, pv_code, jz_code (one row per
    gemeente); `swv` has gemeente_code, region_code, weight, type. Every region gets its land
    area (`region_areas`).
    """

    def named(frame: pl.DataFrame, kind: str, prefix: str) -> pl.DataFrame:
        return frame.select(
            "code",
            pl.lit(kind).alias("type"),
            "name",
            (pl.lit(prefix) + pl.col("name")).alias("display_name"),
        )

    swv_names = swv_display_names(swv, population, gemeenten)
    swv_regions = (
        swv.select("region_code", "type")
        .unique()
        .join(swv_names, left_on="region_code", right_on="code")
        .select(pl.col("region_code").alias("code"), "type", "name", "display_name")
    )
    regions = pl.concat(
        [
            named(gemeenten, "gemeente", ""),
            swv_regions,
            named(jeugdregios, "jeugdregio", "Jeugdregio "),
            named(provincies, "provincie", "Provincie "),
            pl.DataFrame(
                {
                    "code": [NL_CODE],
                    "type": ["nederland"],
                    "name": ["Nederland"],
                    "display_name": ["Nederland"],
                }
            ),
        ]
    ).sort(type_order(), "code")

    codes = gemeenten.select(pl.col("code").alias("gemeente_code"))
    one = pl.lit(1.0)
    membership = pl.concat(
        [
            codes.with_columns(region_code=pl.col("gemeente_code"), weight=one),
            swv.select("gemeente_code", "region_code", "weight"),
            parents.select(
                pl.col("gm_code").alias("gemeente_code"),
                pl.col("jz_code").alias("region_code"),
                weight=one,
            ),
            parents.select(
                pl.col("gm_code").alias("gemeente_code"),
                pl.col("pv_code").alias("region_code"),
                weight=one,
            ),
            codes.with_columns(region_code=pl.lit(NL_CODE), weight=one),
        ]
    ).sort("region_code", "gemeente_code")
    areas = region_areas(membership, gemeenten.select("code", "area_km2"))
    return regions.join(areas, on="code", how="left", maintain_order="left"), membership


AREA_DIGITS = 3  # km² to 1,000 m²: far below the map's generalisation, and keeps builds byte-stable


def region_areas(membership: pl.DataFrame, gemeente_areas: pl.DataFrame) -> pl.DataFrame:
    """Land area (km²) of every region: Σ weight × area of its member gemeenten (NL = all).

    `gemeente_areas` has code, area_km2. Summed with `math.fsum` (exactly rounded, so the result
    does not depend on summation order) and rounded to AREA_DIGITS, so builds stay byte-identical.
    """
    area = dict(gemeente_areas.select("code", "area_km2").iter_rows())
    parts: dict[str, list[float]] = {}
    for gemeente, region, weight in membership.select(
        "gemeente_code", "region_code", "weight"
    ).iter_rows():
        parts.setdefault(region, []).append(weight * area[gemeente])
    return pl.DataFrame(
        {
            "code": list(parts),
            "area_km2": [round(math.fsum(v), AREA_DIGITS) for v in parts.values()],
        },
        schema={"code": pl.String, "area_km2": pl.Float64},
    )


def dominant_swv(membership: pl.DataFrame, kind: str) -> dict[str, str]:
    """Gemeente → the SWV (po or vo) holding its largest weight; used to draw SWV maps."""
    prefix = kind[-2:].upper()
    return dict(
        membership.filter(pl.col("region_code").str.starts_with(prefix))
        .sort(["gemeente_code", "weight", "region_code"], descending=[False, True, False])
        .group_by("gemeente_code", maintain_order=True)
        .first()
        .select("gemeente_code", "region_code")
        .iter_rows()
    )


# ------------------------------------------------------------------------------------- runtime


@dataclass(frozen=True)
class Region:
    """One region as the app and reports see it."""

    code: str
    type: str
    name: str
    display_name: str
    area_km2: float | None = None  # on the bundled map (regions.area_km2)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]


def normalize_code(code: object) -> str:
    """Upper-case and strip a user-supplied code ('gm0363 ' → 'GM0363'); '' for None."""
    return str(code or "").strip().upper()


def get_region(store: Store, code: object) -> Region | None:
    """The region with this code, or None when the code is unknown (never raises)."""
    wanted = normalize_code(code)
    row = store.region_index.get(wanted)
    return Region(**row) if row else None


def regions_of_type(store: Store, region_type: str) -> pl.DataFrame:
    """All regions of one type, sorted by display name."""
    return store.regions.filter(pl.col("type") == region_type).sort("display_name")


def members(store: Store, code: str) -> pl.DataFrame:
    """Member gemeenten of a region with their weights and names (largest weight first)."""
    return (
        store.membership.filter(pl.col("region_code") == code)
        .join(
            store.regions.select(pl.col("code").alias("gemeente_code"), "name"), on="gemeente_code"
        )
        .sort(["weight", "name"], descending=[True, False])
        .select("gemeente_code", "name", "weight")
    )


def parents(store: Store, gemeente_code: str) -> dict[str, str]:
    """Region type → code of every region a gemeente belongs to (its largest SWV for swv types)."""
    rows = (
        store.membership.filter(pl.col("gemeente_code") == gemeente_code)
        .join(store.regions.select(pl.col("code").alias("region_code"), "type"), on="region_code")
        .sort("weight", descending=True)
        .group_by("type", maintain_order=True)
        .first()
    )
    return dict(zip(rows["type"].to_list(), rows["region_code"].to_list(), strict=True))


def dropdown_options(store: Store) -> dict[str, str]:
    """Label → code for the region dropdown, grouped by type ('Gemeente · Amsterdam · GM0363').

    Labels carry accent-free spellings and everyday names, so search finds them (`region_search`).
    """
    ordered = store.regions.sort(type_order(), "display_name")
    return {
        picker_label(t, name, code): code
        for t, name, code in ordered.select("type", "display_name", "code").iter_rows()
    }
