"""Section "Wijken" (NJi tip "Kijk ook op wijkniveau"): jeugdzorg per wijk of a gemeente.

For a gemeente: a map of its wijken (the highest outlined), every wijk ranked with its interval
and a mark where it differs significantly from the gemeente, the change 2021 → 2022, and a CSV of
all its wijken. Other region types get a pointer to the gemeenten (wijken exist per gemeente).
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import wijken as values
from jeugdmonitor.analysis.indicators import level_values
from jeugdmonitor.analysis.stats import count_text, percent_text, rounded, suppress
from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.sources.jeugdzorg import JZ_TABLES
from jeugdmonitor.data.sources.jeugdzorg import PARTLY_ESTIMATED as PARTLY
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts, wijk_map
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.present.sections.common import (
    ESTIMATE_NOTE,
    NO_COMPARISON,
    csv_flag_columns,
    csv_rate_columns,
    interactive,
    md_escape,
    visible,
)

KEY = "wijken"
TITLE = "Wijken"
INTRO = """\
Kijk ook op wijkniveau. Mogelijk zijn er wijken in uw gemeente met specifieke problematiek of
risico's; breng ook de beschermende factoren in de wijken in kaart. Hieronder ziet u per wijk welk
deel van de jongeren (0 tot 18 jaar) jeugdzorg in natura krijgt (CBS, 2021 en 2022), met het
95%-betrouwbaarheidsinterval: dezelfde maat als het jeugdzorggebruik van de gemeente. Kleine
wijken hebben brede intervallen: lees die niet te stellig.
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
WHAT = "van de jongeren (0-18 jaar) heeft jeugdzorg"
PARTLY_ESTIMATED = (
    "Waar CBS een leeftijdsgroep van een wijk onderdrukte (minder dan 10) is het aantal 0-18 jaar "
    "deels geschat uit het totaal 0-23 jaar (aantal deels geschat)."
)


def _source(rows: pl.DataFrame) -> str:
    partly = f" {PARTLY_ESTIMATED}" if rows["is_estimated_count"].any() else ""
    return f"{SOURCE} {ESTIMATE_NOTE}{partly}"


def _verdict(reference: str) -> pl.Expr:
    """'hoger'/'lager' (significant), 'niet significant', 'geen vergelijking' (no reference) or
    'onderdrukt (< 10)'."""
    return (
        pl.when(pl.col("suppressed"))
        .then(pl.lit("onderdrukt (< 10)"))
        .when(pl.col(reference).is_null())
        .then(pl.lit(NO_COMPARISON))
        .otherwise(pl.col("significant").fill_null("niet significant"))
    )


def wijk_table(rows: pl.DataFrame, denominator: str = "Jongeren (geschat)") -> pl.DataFrame:
    """The wijken as a readable table: suppressed counts blank, counts rounded to 5."""
    return rows.select(
        pl.col("gebied").alias("Wijk"),
        pl.col("wijk_code").alias("Code"),
        pl.col("year").alias("Jaar"),
        rounded("numerator").alias("Aantal"),
        rounded("denominator").alias(denominator),
        (pl.col("rate") * 100).round(1).alias("Percentage"),
        (pl.col("ci_low") * 100).round(1).alias("95%-BI ondergrens"),
        (pl.col("ci_high") * 100).round(1).alias("95%-BI bovengrens"),
        _verdict("ref_rate").alias("Verschil met gemeente"),
    )


def wijk_download(rows: pl.DataFrame, region: Region) -> pl.DataFrame:
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
        pl.when(pl.col("rate").is_not_null())
        .then(_verdict("ref_rate"))
        .alias("verschil_met_gemeente"),
        *csv_flag_columns(),
    )


def _coverage_sentence(latest: pl.DataFrame, whole: dict) -> str:
    """How the wijken relate to the gemeente's own figure (section Jeugdzorggebruik): CBS places
    not every youth with jeugdzorg in a wijk, and small wijk counts are suppressed."""
    counted = latest["numerator"].drop_nulls().sum()
    share = counted / whole["numerator"] if whole["numerator"] else None
    return (
        f"De gemeente als geheel: {percent_text(whole['rate'])} (zie *Jeugdzorggebruik*); de "
        f"wijken met cijfers tellen samen {percent_text(share, 0)} van haar jongeren met "
        "jeugdzorg: CBS kan niet elke jongere aan een wijk toewijzen en onderdrukt kleine aantallen. "
        if share is not None
        else ""
    )


def _headline(store: Store, code: str) -> dict | None:
    """The gemeente's own jeugdzorg 0-18 of the latest wijk year (section Jeugdzorggebruik):
    numerator and rate, or None."""
    rows = suppress(
        level_values(store, "jeugdzorg", "gemeente").filter(
            (pl.col("region_code") == code)
            & (pl.col("year") == values.LATEST)
            & (pl.col("breakdown") == "all")
        )
    )
    return rows.row(0, named=True) if rows.height and rows["rate"][0] is not None else None


TALL = 30  # wijken: more rows than this and a printed chart may take a whole page
WIDE_MAP = 15  # wijken: more than this and the map takes the page's width (names fit better)
MAP_HELP = (
    "Kies onder de kaart een wijk, klik op een wijk in de kaart of op een wijknaam in de tabel: "
    "die wijk wordt omlijnd en benoemd."
)


def _links(rows: pl.DataFrame) -> tuple[str, ...]:
    """Per table row: a link that shows the wijk on the map (`static/links.js`)."""
    return tuple(f"{wijk_map.LINK_PREFIX}{code}" for code in rows["wijk_code"])


def wijk_choropleth(
    store: Store,
    region: Region,
    rows: pl.DataFrame,
    top: dict | None,
    what: str,
    assets: charts.Assets,
) -> charts.Spec:
    """The map of a gemeente's wijken coloured by `rows`' rate, with wijk names where they fit and
    the `top` wijk outlined and named (`jeugdmonitor.present.wijk_map`); `what` names the measure and year
    in the description ('aandeel jongeren met jeugdzorg, 2022'). Many wijken: the page's width."""
    table = rows.select(
        pl.col("wijk_code").alias("code"),
        "gebied",
        "rate",
        "ci_low",
        "ci_high",
        rounded("numerator").alias("numerator"),
        rounded("denominator").alias("denominator"),
    )
    return wijk_map.wijk_map(
        store,
        region.code,
        table,
        geo=assets.geo(f"wijk_{region.code}", lambda: values.map_text(store, region.code), "wijk"),
        chosen=top["wijk_code"] if top else None,
        description=(
            f"Kaart van de wijken van {region.name}: {what}. Donkerder blauw is een hoger aandeel, "
            "lichtgrijs is onderdrukt (minder dan 10). Wijknamen staan op de kaart waar ze passen."
            + (
                f" De wijk met het hoogste aandeel ({top['gebied']}) is oranje omlijnd en altijd "
                "benoemd."
                if top
                else ""
            )
        ),
        many=rows.height > WIDE_MAP,  # many wijken: the map takes the page's width
    )


def _figure(region: Region, rows: pl.DataFrame, **fields) -> Figure:
    table = pl.format("CBS {}, {}", pl.col("year").replace_strict(JZ_TABLES), pl.col("year"))
    download = wijk_download(rows.with_columns(
        is_simulated=pl.lit(False), is_estimate=pl.lit(True), coverage_note=pl.lit(None, pl.String),
        source=pl.when(pl.col("is_estimated_count")).then(table + pl.lit(PARTLY))
        .otherwise(table) + pl.lit("; KWB (jongeren geschat)"),
    ), region)  # fmt: skip
    return Figure(
        source=_source(rows),
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
    store = visible(store, choices)
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
    whole = _headline(store, region.code)
    low = shown.row(-1, named=True) if shown.height else None
    spread = (
        f"**{name}: {percent_text(reference)}** {WHAT} (wijken met cijfers samen, 2022). "
        + (_coverage_sentence(latest, whole) if whole is not None else "")
        + f"{latest.height} wijken, waarvan {hidden} met minder dan 10 jongeren in jeugdzorg "
        "(niet getoond). "
        + (
            f"Hoogste: {md_escape(top['gebied'])} met {percent_text(top['rate'])} "
            f"({count_text(top['numerator'])} jongeren); laagste: {md_escape(low['gebied'])} met "
            f"{percent_text(low['rate'])}. "
            if top and low
            else ""
        )
        + f"Significant hoger dan de gemeente: {latest.filter(pl.col('significant') == 'hoger').height}"
        f", lager: {latest.filter(pl.col('significant') == 'lager').height}."
    )
    figures: list[Figure] = []
    if values.has_map(store, region.code):
        assets = assets or charts.Assets()
        chart = wijk_choropleth(
            store, region, latest, top, "aandeel jongeren met jeugdzorg, 2022", assets
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
                table=wijk_table(latest),
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
            table=wijk_table(latest),
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
            table=wijk_table(trend_rows),
            summary="",
            tall=tall,
        )
    )
    return Section(KEY, TITLE, INTRO, figures)
