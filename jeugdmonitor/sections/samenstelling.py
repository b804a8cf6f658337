"""Section "Gemeenten in deze regio": the make-up of an SWV, jeugdregio or provincie.

One row per member gemeente: its weight (for an SWV the share of its postcodes in the SWV; 1 for
a jeugdregio or provincie), its youths, and the region's key figures for that gemeente, each
linking to the gemeente's own page. A gemeente sees the regions it belongs to; NL its provincies.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor import charts
from jeugdmonitor.indicators import YOUTH_AGES, level_values, years
from jeugdmonitor.regions import NL_CODE, TYPE_LABELS, Region, members, regions_of_type
from jeugdmonitor.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.sections.common import ESTIMATE_NOTE, interactive, md_escape, visible
from jeugdmonitor.stats import rounded, suppress
from jeugdmonitor.store import Store

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
        "Een samenwerkingsverband bestaat uit (delen van) gemeenten. Het gewicht is het aandeel "
        "van de postcodes van de gemeente dat in dit samenwerkingsverband ligt; de cijfers van "
        "het samenwerkingsverband tellen de aantallen van de gemeenten met dat gewicht op."
    ),
    "other": (
        "De cijfers van de regio zijn de opgetelde aantallen van deze gemeenten (nooit een "
        "gemiddelde van percentages)."
    ),
}
SOURCE = (
    "Bron en jaar data: CBS 85335NED (2022) en 85098NED (2022); indeling: zie de verantwoording."
)


def _figures_of(store: Store, codes: list[str], region_type: str) -> pl.DataFrame:
    """Per region code: the latest real percentage (and count for jeugdzorg) of each key figure."""
    out = pl.DataFrame({"region_code": codes})
    for indicator, column in KEY_FIGURES:
        year = years(store, indicator)[-1]
        values = suppress(
            level_values(store, indicator, region_type).filter(
                (pl.col("year") == year) & (pl.col("breakdown") == "all")
            )
        ).select(
            "region_code",
            (pl.col("rate") * 100).round(1).alias(f"{column} {year} (%)"),
            *([rounded("numerator").alias(f"{column} {year} (aantal)")]
              if indicator == "jeugdzorg" else []),
        )  # fmt: skip
        out = out.join(values, on="region_code", how="left")
    return out


def _youths(store: Store, year: int = 2022) -> pl.DataFrame:
    return (
        store.population.filter((pl.col("year") == year) & pl.col("age_group").is_in(YOUTH_AGES))
        .group_by("gemeente_code")
        .agg(pl.col("population").sum().alias("youths"))
    )


def _members_figure(store: Store, region: Region) -> Figure:
    part = members(store, region.code)
    youths = _youths(store)
    table = (
        part.join(youths, on="gemeente_code", how="left")
        .join(
            _figures_of(store, part["gemeente_code"].to_list(), "gemeente"),
            left_on="gemeente_code",
            right_on="region_code",
            how="left",
        )  # fmt: skip
        .sort("name")
    )
    swv = region.type.startswith("swv")
    shown = table.select(
        pl.col("name").alias("Gemeente"),
        pl.col("gemeente_code").alias("Code"),
        *([(pl.col("weight") * 100).round(1).alias("Gewicht (% postcodes)")] if swv else []),
        rounded(pl.col("youths") * pl.col("weight")).alias("Jeugdigen 0-18 (2022, geschat)"),
        pl.exclude("name", "gemeente_code", "weight", "youths"),
    )
    total = _figures_of(store, [region.code], region.type).row(0, named=True)
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
        badge="CBS, 2022",
        summary=f"**{name}** bestaat uit {table.height} gemeenten. {name} als geheel: {key_line}.",
        links=tuple(table["gemeente_code"].to_list()),
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
        (pl.col("weight") * 100).round(1).alias("Deel van de gemeente (% postcodes)"),
    )
    name = md_escape(region.display_name)
    return Figure(
        key="samenstelling_regios",
        title=f"{region.display_name} hoort bij",
        explanation=(
            f"De regio's waar {name} deel van uitmaakt. Ligt een gemeente in meer dan één "
            "samenwerkingsverband, dan telt ze mee met het aandeel van haar postcodes. "
            + interactive("Klik op een regio om die te openen.")
        ),
        source="Bron en jaar data: indeling jeugdregio's en provincies CBS/PDOK, 2024; "
        "samenwerkingsverbanden: Regeling regio-indeling passend onderwijs, 2015.",
        chart=None,
        table=table,
        download=table,
        download_name=f"regios_van_{region.code}.csv",
        download_label="deze tabel",
        badge="CBS, 2024",  # CBS gebiedsindelingen (jeugdregio, provincie)
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
        badge="CBS, 2022",
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
