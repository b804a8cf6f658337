"""Section "Wijken" (seed 004, tip 4 "Kijk ook op wijkniveau"; B8): jeugdzorg per wijk of a gemeente.

For a gemeente: a map of its wijken (the highest outlined), every wijk ranked with its interval
and a mark where it differs significantly from the gemeente, the change 2021 → 2022, and a CSV of
all its wijken. Other region types get a pointer to the gemeenten (wijken exist per gemeente).
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor import charts, wijk_map
from jeugdmonitor import wijken as values
from jeugdmonitor.regions import Region
from jeugdmonitor.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.sections.common import (
    ESTIMATE_NOTE,
    csv_flag_columns,
    csv_rate_columns,
    interactive,
    md_escape,
)
from jeugdmonitor.stats import count_text, percent_text, rounded
from jeugdmonitor.store import Store

KEY = "wijken"
TITLE = "Wijken"
INTRO = """\
Kijk ook op wijkniveau. Mogelijk zijn er wijken in uw gemeente met specifieke problematiek of
risico's; breng ook de beschermende factoren in de wijken in kaart. Hieronder ziet u per wijk welk
deel van de jongeren (0 tot 23 jaar) jeugdzorg in natura krijgt (CBS, 2021 en 2022), met het
95%-betrouwbaarheidsinterval. Kleine wijken hebben brede intervallen: lees die niet te stellig.
"""
OTHER_TYPES = (
    "Cijfers per wijk zijn er per gemeente. Kies een gemeente om de wijken te zien; de tabel "
    "hieronder in *Gemeenten in deze regio* verwijst naar de pagina van elke gemeente."
)
NO_REGION = "Cijfers per wijk zijn er per gemeente: kies hierboven een gemeente."
SOURCE = (
    "Bron en jaar data: CBS 85075NED (2021) en 85335NED (2022), jeugdzorg in natura per wijk; "
    "CBS Kerncijfers wijken en buurten; wijkgrenzen CBS Wijk- en Buurtkaart 2022."
)
WHAT = "van de jongeren (0-23 jaar) heeft jeugdzorg"


def _source() -> str:
    return f"{SOURCE} {ESTIMATE_NOTE}"


def _table(rows: pl.DataFrame) -> pl.DataFrame:
    """The wijken as a readable table: suppressed counts blank, counts rounded to 5."""
    return rows.select(
        pl.col("gebied").alias("Wijk"),
        pl.col("wijk_code").alias("Code"),
        pl.col("year").alias("Jaar"),
        rounded("numerator").alias("Aantal"),
        rounded("denominator").alias("Jongeren (geschat)"),
        (pl.col("rate") * 100).round(1).alias("Percentage"),
        (pl.col("ci_low") * 100).round(1).alias("95%-BI ondergrens"),
        (pl.col("ci_high") * 100).round(1).alias("95%-BI bovengrens"),
        pl.when(pl.col("suppressed"))
        .then(pl.lit("onderdrukt (< 10)"))
        .otherwise(pl.col("significant").fill_null("niet significant"))
        .alias("Verschil met gemeente"),
    )


def _download(rows: pl.DataFrame, region: Region) -> pl.DataFrame:
    """All wijken of the gemeente, both years, in the columns of every other download."""
    return rows.sort("year", "wijk_code").select(
        pl.col("wijk_code").alias("wijkcode"),
        pl.col("gebied").alias("wijk"),
        pl.col("gemeente_own").alias("gemeentecode_toen"),
        pl.lit(region.code).alias("gemeentecode"),
        pl.lit(region.name).alias("gemeente"),
        pl.col("year").alias("jaar"),
        rounded("numerator").alias("aantal"),
        rounded("denominator").alias("totaal"),
        *csv_rate_columns(),
        (pl.col("ref_rate") * 100).round(1).alias("percentage_gemeente"),
        pl.col("significant").alias("verschil_met_gemeente"),
        *csv_flag_columns(),
    )


TALL = 30  # wijken: more rows than this and a printed chart may take a whole page
WIDE_MAP = 15  # wijken: more than this and the map takes the page's width (names fit better)
MAP_HELP = (
    "Kies onder de kaart een wijk, klik op een wijk in de kaart of op een wijknaam in de tabel: "
    "die wijk wordt omlijnd en benoemd."
)


def _links(rows: pl.DataFrame) -> tuple[str, ...]:
    """Per table row: a link that shows the wijk on the map (`static/links.js`)."""
    return tuple(f"{wijk_map.LINK_PREFIX}{code}" for code in rows["wijk_code"])


def _figure(region: Region, rows: pl.DataFrame, **fields) -> Figure:
    download = _download(rows.with_columns(
        is_simulated=pl.lit(False), is_estimate=pl.lit(True), coverage_note=pl.lit(None, pl.String),
        source=pl.lit("CBS 85075NED/85335NED; KWB"),
    ), region)  # fmt: skip
    return Figure(
        source=_source(),
        download=download,
        download_name=f"wijken_{region.code}_2021-2022.csv",
        download_label=f"alle wijken van {region.name}",
        simulated=False,
        badge="CBS, 2021–2022" if fields.get("key") == "wijken_trend" else "CBS, 2022",
        **fields,
    )


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """The Wijken section (figures for a gemeente only)."""
    if region is None or region.type != "gemeente":
        text = NO_REGION if region is None or region.type == "nederland" else OTHER_TYPES
        return Section(KEY, TITLE, f"{INTRO}\n{text}", [])
    rows = values.wijk_values(store, region.code)
    if not rows.height:
        return Section(KEY, TITLE, f"{INTRO}\nVoor {md_escape(region.name)} zijn geen wijkcijfers.")
    latest = rows.filter(pl.col("year") == values.LATEST)
    tall = latest.height > TALL
    name = md_escape(region.name)
    ref = latest["ref_rate"].drop_nulls()
    reference = float(ref[0]) if ref.len() else None
    shown = latest.filter(pl.col("rate").is_not_null())
    hidden = latest.height - shown.height
    top = shown.row(0, named=True) if shown.height else None
    spread = (
        f"**{name}: {percent_text(reference)}** {WHAT} (wijken met cijfers samen, 2022). "
        f"{latest.height} wijken, waarvan {hidden} met minder dan 10 jongeren in jeugdzorg "
        "(niet getoond). "
        + (
            f"Hoogste: {md_escape(top['gebied'])} ({percent_text(top['rate'])}, "
            f"{count_text(top['numerator'])} jongeren); laagste: "
            f"{md_escape(shown.row(-1, named=True)['gebied'])} "
            f"({percent_text(shown.row(-1, named=True)['rate'])}). "
            if top
            else ""
        )
        + f"Significant hoger dan de gemeente: {latest.filter(pl.col('significant') == 'hoger').height}"
        f", lager: {latest.filter(pl.col('significant') == 'lager').height}."
    )
    figures: list[Figure] = []
    if values.has_map(store, region.code):
        assets = assets or charts.Assets()
        table = latest.select(
            pl.col("wijk_code").alias("code"),
            "gebied",
            "rate",
            "ci_low",
            "ci_high",
            rounded("numerator").alias("numerator"),
            rounded("denominator").alias("denominator"),
        )
        chart = wijk_map.wijk_map(
            store,
            region.code,
            table,
            geo=assets.geo(
                f"wijk_{region.code}", lambda: values.map_text(store, region.code), "wijk"
            ),
            chosen=top["wijk_code"] if top else None,
            description=(
                f"Kaart van de wijken van {region.name}: aandeel jongeren met jeugdzorg, 2022. "
                "Donkerder blauw is een hoger aandeel, lichtgrijs is onderdrukt (minder dan 10). "
                "Wijknamen staan op de kaart waar ze passen."
                + (
                    f" De wijk met het hoogste aandeel ({top['gebied']}) is oranje omlijnd en "
                    "altijd benoemd."
                    if top
                    else ""
                )
            ),
            many=latest.height > WIDE_MAP,  # many wijken: the map takes the page's width
        )
        figures.append(
            _figure(
                region,
                rows,
                key="wijken_kaart",
                title=f"Jeugdzorg per wijk in {region.name}",
                explanation=(
                    "Per wijk het aandeel jongeren met jeugdzorg (donkerder is hoger; lichtgrijs: "
                    "minder dan 10 jongeren in jeugdzorg), met de namen waar ze passen. De wijk "
                    "met het hoogste aandeel is oranje omlijnd en altijd benoemd. "
                    + interactive(MAP_HELP)
                ),
                chart=chart,
                table=_table(latest),
                summary=spread,
                layout="full" if latest.height > WIDE_MAP else "half",
                links=_links(latest),
            )
        )
    else:
        spread += (
            f" Van {name} is geen wijkkaart beschikbaar (de wijkgrenzen 2022 ontbreken in de "
            "bundel); de tabel en de staafjes tonen alle wijken."
        )
    figures.append(
        _figure(
            region,
            rows,
            key="wijken_rangorde",
            title=f"Wijken van {region.name} op volgorde",
            explanation=(
                "Elke wijk met het aandeel jongeren met jeugdzorg en het 95%-interval; de "
                f"gestippelde lijn is {name} als geheel. ▲ / ▼: de wijk ligt significant hoger / "
                "lager dan de gemeente. Wijken met minder dan 10 jongeren in jeugdzorg staan "
                "onderaan, zonder percentage."
            ),
            chart=charts.wijk_ranking(
                latest,
                reference,
                region.name,
                description=(
                    f"Puntdiagram van alle {latest.height} wijken van {region.name} op volgorde "
                    "van het aandeel jongeren met jeugdzorg in 2022, met 95%-intervallen en de "
                    "gemeente als gestippelde lijn."
                ),
                width=260 if figures and not tall else 460,
            ),
            table=_table(latest),
            links=_links(latest) if figures else (),
            summary=spread if not figures else "",
            layout="half" if figures and not tall else "full",
            tall=tall,
        )
    )
    both = rows.filter(pl.col("in_both"))
    order = both.filter(pl.col("year") == values.LATEST)["wijk_code"].to_list()
    trend_rows = both.with_columns(
        pl.col("wijk_code").replace_strict({c: i for i, c in enumerate(order)}, return_dtype=pl.Int32)
        .alias("pos")
    ).sort("pos", "year")  # fmt: skip
    changed = latest.height - both.filter(pl.col("year") == values.LATEST).height
    figures.append(
        _figure(
            region,
            rows,
            key="wijken_trend",
            title=f"Wijken van {region.name}: 2021 en 2022",
            explanation=(
                "Per wijk het aandeel jongeren met jeugdzorg in 2021 (licht) en 2022 (donker), "
                "voor de wijken die in beide jaren bestaan."
                + (
                    f" {changed} wijk(en) van 2022 bestonden in 2021 nog niet met deze code "
                    "(nieuwe wijkindeling) en staan er niet in."
                    if changed
                    else ""
                )
            ),
            chart=charts.wijk_trend(
                trend_rows,
                description=(
                    f"Puntdiagram per wijk van {region.name}: aandeel jongeren met jeugdzorg in "
                    "2021 en 2022, verbonden door een lijn."
                ),
            ),
            table=_table(trend_rows),
            summary="",
            tall=tall,
        )
    )
    return Section(KEY, TITLE, INTRO, figures)
