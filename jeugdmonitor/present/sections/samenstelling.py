"""Section "Gemeenten in deze regio": the make-up of an SWV, jeugdregio or provincie.

One row per member gemeente: its weight (for an SWV the share of its youths in the SWV; 1 for a
jeugdregio or provincie), its youths and jeugdzorg count *with that weight* (so the rows add up to
the region's figure, shown in a last row), and its own percentages, each gemeente linking to its
own page. A gemeente sees the regions it belongs to; NL its provincies. Memberships are derived
(SWV: the 2015 regeling and postcodes; jeugdregio and provincie: a map overlay), so the badge says
'afgeleid'.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis.indicators import YOUTH_AGES, level_values, years
from jeugdmonitor.analysis.stats import rounded, suppress
from jeugdmonitor.data.regions import NL_CODE, TYPE_LABELS, Region, members, regions_of_type
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.present.sections.common import ESTIMATE_NOTE, interactive, md_escape, visible

KEY = "samenstelling"
TITLE = "Gemeenten in deze regio"
# (indicator, Dutch column) of the key figures, latest real year of each
KEY_FIGURES = (
    ("jeugdzorg", "Jeugdzorg"),
    ("jeugdhulp", "Jeugdhulp"),
    ("jeugdbescherming", "Jeugdbescherming"),
)
INTRO = {
    "swv": (
        "Een samenwerkingsverband bestaat uit (delen van) gemeenten. Het gewicht is het deel van "
        "de jeugdigen van de gemeente dat in dit samenwerkingsverband woont: geschat uit de "
        "postcodes van de Regeling regio-indeling passend onderwijs (2015), en voor een "
        "samengevoegde gemeente uit de jeugdigen van haar vroegere gemeenten. Jeugdigen en "
        "aantallen staan er met dat gewicht, zodat de rijen optellen tot het samenwerkingsverband "
        "(de laatste rij); de percentages zijn die van de gemeente zelf."
    ),
    "other": (
        "De cijfers van de regio zijn de opgetelde aantallen van deze gemeenten (nooit een "
        "gemiddelde van percentages); de laatste rij is de regio zelf."
    ),
}
DERIVED_BADGE = "afgeleid"  # a membership from the 2015 regeling or a map overlay, not a CBS table
TOTAL_ROW = "Samen"
SOURCE = (
    "Bron en jaar data: CBS 85335NED (2022) en 85098NED (2022); indeling afgeleid uit de "
    "Regeling regio-indeling passend onderwijs (2015) en de kaarten van CBS/PDOK (2024)."
)


def _figures_of(
    store: Store, codes: list[str], region_type: str, weights: dict[str, float] | None = None
) -> pl.DataFrame:
    """Per region code: the latest real percentage of each key figure, and for jeugdzorg the
    count × the member's weight (`weights`, 1 when not given): the part the region counts."""
    out = pl.DataFrame({"region_code": codes})
    weight = pl.col("region_code").replace_strict(
        weights or {}, default=1.0, return_dtype=pl.Float64
    )
    for indicator, column in KEY_FIGURES:
        year = years(store, indicator)[-1]
        values = suppress(
            level_values(store, indicator, region_type).filter(
                (pl.col("year") == year) & (pl.col("breakdown") == "all")
            )
        ).select(
            "region_code",
            *([rounded(pl.col("numerator") * weight).alias(f"{column} {year} (aantal)")]
              if indicator == "jeugdzorg" else []),
            (pl.col("rate") * 100).round(1).alias(f"{column} {year} (%)"),
        )  # fmt: skip
        out = out.join(values, on="region_code", how="left")
    return out


WEIGHT_COLUMN = "Gewicht (% jeugdigen)"


def _region_youth(store: Store, code: str, year: int = 2022) -> int | None:
    """The region's youths 0-18: Σ weight × member youths (the denominator of its figures)."""
    found = (
        store.membership.filter(pl.col("region_code") == code)
        .join(_youths(store, year), on="gemeente_code")
        .select((pl.col("weight") * pl.col("youths")).sum())
        .item()
    )
    return None if found is None else int(5 * round(found / 5))


def _youths(store: Store, year: int = 2022) -> pl.DataFrame:
    return (
        store.population.filter((pl.col("year") == year) & pl.col("age_group").is_in(YOUTH_AGES))
        .group_by("gemeente_code")
        .agg(pl.col("population").sum().alias("youths"))
    )


def _members_figure(store: Store, region: Region) -> Figure:
    part = members(store, region.code)
    weights = dict(part.select("gemeente_code", "weight").iter_rows())
    youths = _youths(store)
    table = (
        part.join(youths, on="gemeente_code", how="left")
        .join(
            _figures_of(store, part["gemeente_code"].to_list(), "gemeente", weights),
            left_on="gemeente_code",
            right_on="region_code",
            how="left",
        )  # fmt: skip
        .sort("name")
    )
    swv = region.type.startswith("swv")
    youth_column = "Jeugdigen 0-18 (2022, geschat)"
    columns = [
        pl.col("name").alias("Gemeente"),
        pl.col("gemeente_code").alias("Code"),
        *([(pl.col("weight") * 100).round(1).alias(WEIGHT_COLUMN)] if swv else []),
        rounded(pl.col("youths") * pl.col("weight")).alias(youth_column),
        pl.exclude("name", "gemeente_code", "weight", "youths"),
    ]
    rows = table.select(columns)
    whole = _figures_of(store, [region.code], region.type)
    region_youth = _region_youth(store, region.code)
    total_row = whole.select(
        pl.lit(TOTAL_ROW).alias("Gemeente"),
        pl.col("region_code").alias("Code"),
        *([pl.lit(None, pl.Float64).alias(WEIGHT_COLUMN)] if swv else []),
        pl.lit(region_youth, pl.Int64).alias(youth_column),
        pl.exclude("region_code"),
    )
    shown = pl.concat([rows, total_row.select(rows.columns)], how="vertical_relaxed")
    total = whole.row(0, named=True)
    key_line = ", ".join(
        f"{column.lower()} {str(total[c]).replace('.', ',')}%"
        for c in total
        if c.endswith("(%)") and total[c] is not None
        for column in [c.removesuffix(" (%)")]
    )
    name = md_escape(region.display_name)
    return Figure(
        key="samenstelling_leden",
        title=f"Gemeenten in {region.display_name}",
        explanation=(INTRO["swv"] if swv else INTRO["other"])
        + " "
        + interactive("Klik op een gemeente om haar eigen pagina te openen."),
        source=f"{SOURCE} {ESTIMATE_NOTE}",
        chart=None,
        table=shown,
        download=shown,
        download_name=f"gemeenten_in_{region.code}.csv",
        download_label="deze tabel",
        simulated=False,
        badge=DERIVED_BADGE,
        summary=f"**{name}** bestaat uit {table.height} gemeenten. {name} als geheel: {key_line}.",
        links=(*table["gemeente_code"].to_list(), ""),  # the last row is the region itself
    )


def _parents_figure(store: Store, region: Region) -> Figure:
    rows = (
        store.membership.filter(pl.col("gemeente_code") == region.code)
        .join(
            store.regions.select(pl.col("code").alias("region_code"), "type", "display_name"),
            on="region_code",
        )  # fmt: skip
        .filter(~pl.col("type").is_in(["gemeente", "nederland"]))
        .sort("type", "region_code")
    )
    table = rows.select(
        pl.col("display_name").alias("Regio"),
        pl.col("type").replace_strict(TYPE_LABELS).alias("Soort"),
        (pl.col("weight") * 100).round(1).alias("Deel van de gemeente (% jeugdigen)"),
    )
    name = md_escape(region.display_name)
    return Figure(
        key="samenstelling_regios",
        title=f"{region.display_name} hoort bij",
        explanation=(
            f"De regio's waar {name} deel van uitmaakt. Ligt een gemeente in meer dan één "
            "samenwerkingsverband, dan telt ze mee met het deel van haar jeugdigen dat er woont "
            "(geschat uit de postcodes). De indeling is afgeleid: samenwerkingsverbanden uit de "
            "regeling van 2015, jeugdregio's en provincies uit de kaarten van CBS/PDOK. "
            + interactive("Klik op een regio om die te openen.")
        ),
        source="Bron en jaar data: indeling jeugdregio's en provincies CBS/PDOK, 2024; "
        "samenwerkingsverbanden: Regeling regio-indeling passend onderwijs, 2015.",
        chart=None,
        table=table,
        download=table,
        download_name=f"regios_van_{region.code}.csv",
        download_label="deze tabel",
        badge=DERIVED_BADGE,  # the regeling of 2015 (SWV), a map overlay (jeugdregio, provincie)
        summary="",
        links=tuple(rows["region_code"].to_list()),
    )


def _provinces_figure(store: Store) -> Figure:
    provincies = regions_of_type(store, "provincie")
    figures = _figures_of(store, provincies["code"].to_list(), "provincie")
    table = provincies.select("code", "display_name").join(
        figures, left_on="code", right_on="region_code", how="left"
    )
    shown = table.select(
        pl.col("display_name").alias("Provincie"), pl.exclude("code", "display_name")
    )
    return Figure(
        key="samenstelling_provincies",
        title="Provincies",
        explanation="De twaalf provincies met hun kerncijfers. "
        + interactive("Klik op een provincie om die te openen."),
        source=f"{SOURCE} {ESTIMATE_NOTE}",
        chart=None,
        table=shown,
        download=shown,
        download_name="provincies.csv",
        download_label="deze tabel",
        simulated=False,
        badge=DERIVED_BADGE,
        summary="",
        links=tuple(table["code"].to_list()),
    )


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Members of a region, the regions of a gemeente, or the provincies for NL."""
    store = visible(store, choices)
    if region is None or region.code == NL_CODE:
        return Section(KEY, "Provincies", "", [_provinces_figure(store)])
    if region.type == "gemeente":
        return Section(KEY, "Regio's van deze gemeente", "", [_parents_figure(store, region)])
    return Section(KEY, TITLE, "", [_members_figure(store, region)])
