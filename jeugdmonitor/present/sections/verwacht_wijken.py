"""Verwacht section (`verwacht`): a gemeente's wijken, actual − expected per wijk on the map
and ranked among all wijken of NL."""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import model, wijk_model
from jeugdmonitor.analysis import wijken as wijk_maps
from jeugdmonitor.analysis.stats import MIN_COUNT, N_VENTILES, count_labels, decimal_text, rounded
from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections.base import Figure
from jeugdmonitor.present.sections.common import md_escape
from jeugdmonitor.present.sections.verwacht_common import MODEL_NOTE, WIJK_TEXT, model_badge
from jeugdmonitor.present.sections.verwacht_model import _first_upper

WIJK_SOURCE = (
    "Bron en jaar data: CBS 85335NED (jeugdzorg per wijk), 2022; achtergrondkenmerken: CBS "
    "Kerncijfers wijken en buurten 2022 (inkomen en bijstand: 2021); {note}. Het aantal jeugdigen "
    "per wijk is een schatting uit de KWB-leeftijdsgroepen; zie de verantwoording."
)


def _wijk_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Per wijk: count (rounded, suppressed), shares, difference, ratio, ventile and verdict."""
    return rows.select(
        pl.col("name").alias("Wijk"),
        rounded("numerator").alias("Jeugdigen met jeugdzorg"),
        rounded(pl.when(pl.col("denominator") >= MIN_COUNT).then(pl.col("denominator"))).alias(
            "Jeugdigen 0-22 (geschat)"
        ),
        (100 * pl.when(~pl.col("suppressed")).then(pl.col("rate"))).round(1).alias("Werkelijk %"),
        (100 * pl.col("expected_rate")).round(1).alias("Verwacht %"),
        pl.col("difference_pp").round(1).alias("Verschil (procentpunt)"),
        pl.col("ratio").round(2).alias("Werkelijk / verwacht"),
        pl.col("ratio_ci_low").round(2).alias("95%-interval van"),
        pl.col("ratio_ci_high").round(2).alias("95%-interval tot"),
        pl.col("group").alias(f"Groep (1-{N_VENTILES})"),
        pl.when(pl.col("suppressed") & pl.col("numerator").is_null())
        .then(pl.lit(f"aantal < {MIN_COUNT}"))
        .when(pl.col("group").is_null())
        .then(pl.col("reason"))
        .otherwise(pl.col("signal").fill_null(model.NO_SIGNAL))
        .alias("Oordeel"),
    )


def _wijk_download(rows: pl.DataFrame, year: int) -> pl.DataFrame:
    return rows.select(
        pl.col("wijk_code").alias("wijkcode"),
        pl.col("name").alias("wijk"),
        pl.col("gemeente_code").alias("gemeentecode"),
        pl.lit(year).alias("jaar"),
        rounded("numerator").alias("werkelijk_aantal"),
        rounded(pl.when(pl.col("denominator") >= MIN_COUNT).then(pl.col("denominator"))).alias(
            "jeugdigen_0_22_geschat"
        ),
        (100 * pl.when(~pl.col("suppressed")).then(pl.col("rate")))
        .round(2)
        .alias("werkelijk_percentage"),
        (100 * pl.col("expected_rate")).round(2).alias("verwacht_percentage"),
        pl.col("difference_pp").round(2).alias("verschil_procentpunt"),
        pl.col("ratio").round(3).alias("werkelijk_gedeeld_door_verwacht"),
        pl.col("ratio_ci_low").round(3).alias("bi95_ondergrens"),
        pl.col("ratio_ci_high").round(3).alias("bi95_bovengrens"),
        pl.col("group").alias("groep"),
        pl.col("signal").alias("oordeel"),
        pl.col("reason").alias("toelichting"),
        pl.col("suppressed").alias("onderdrukt"),
        pl.lit(False).alias("gesimuleerd"),
    )


def _wijk_summary(rows: pl.DataFrame, name: str) -> str:
    """Which wijken lie clearly above / below their expectation, and the wijken together."""
    ranked = rows.filter(pl.col("group").is_not_null())
    if not ranked.height:
        return f"Geen enkele wijk van {name} heeft een getoond aantal én een verwachting."
    parts = []
    for signal, word in (("hoger dan verwacht", "boven"), ("lager dan verwacht", "onder")):
        hit = ranked.filter(pl.col("signal") == signal).sort(
            "difference_pp", descending=word == "boven"
        )
        if hit.height:
            names = ", ".join(md_escape(n) for n in hit["name"].head(5))
            more = f" en {hit.height - 5} andere" if hit.height > 5 else ""
            parts.append(f"duidelijk {word} de verwachting: {names}{more}")
    actual, expected = ranked["numerator"].sum(), ranked["expected"].sum()
    which = (
        "De enige wijk met een getoond aantal heeft"
        if ranked.height == 1
        else f"De {ranked.height} wijken met een getoond aantal hebben samen"
    )
    together = f"{which} {decimal_text(actual / expected)} keer het verwachte gebruik" + (
        "; liggen bijna alle wijken aan dezelfde kant, dan gaat het vooral om de gemeente als "
        "geheel (toegang, aanbod, registratie), niet om de wijken."
        if ranked.height >= 4
        and max(
            ranked.filter(pl.col("difference_pp") > 0).height,
            ranked.filter(pl.col("difference_pp") < 0).height,
        )
        >= 0.8 * ranked.height
        else "."
    )
    found = _first_upper("; ".join(parts)) + ". " if parts else ""
    return f"**{name}:** {found}{together}"


def _wijk_figure(store: Store, region: Region, year: int, assets: charts.Assets | None) -> Figure:
    rows = wijk_model.gemeente_wijken(store, region.code).sort("name", "wijk_code")
    name = md_escape(region.display_name)
    chart = _wijk_chart(store, region, rows, assets)
    explanation = WIJK_TEXT.format(name=name, groups=N_VENTILES, min_count=MIN_COUNT)
    if chart is None:
        explanation += f" Van {name} zijn geen wijkgrenzen beschikbaar; de tabel toont alle wijken."
    return Figure(
        key="verwacht_wijken",
        title=f"Jeugdzorg per wijk: werkelijk min verwacht, {region.display_name}",
        explanation=explanation,
        source=WIJK_SOURCE.format(note=MODEL_NOTE),
        chart=chart,
        table=_wijk_table(rows),
        download=_wijk_download(rows, wijk_model.WIJK_YEAR),
        download_name=f"verwacht_wijken_{region.code}_{wijk_model.WIJK_YEAR}.csv",
        download_label="alle wijken van de gemeente",
        simulated=False,
        badge=model_badge(wijk_model.WIJK_YEAR),
        summary=_wijk_summary(rows, name),
    )


def _wijk_chart(
    store: Store, region: Region, rows: pl.DataFrame, assets: charts.Assets | None
) -> charts.Spec | None:
    """The gemeente's wijk map (the Wijken section's map and TopoJSON, `charts.choropleth`)
    coloured by each wijk's ventile; None when the gemeente has no polygons."""
    if not wijk_maps.has_map(store, region.code):
        return None
    assets = assets or charts.Assets()
    table = rows.select(
        pl.col("wijk_code").alias("code"),
        pl.col("name").alias("gebied"),
        "group",
        pl.when(~pl.col("suppressed")).then(pl.col("rate")).alias("rate"),
        "expected_rate",
        "difference_pp",
        count_labels("numerator").alias("count_label"),
        pl.when(pl.col("group").is_null())
        .then(pl.col("reason"))
        .otherwise(pl.col("signal").fill_null(model.NO_SIGNAL))
        .alias("oordeel"),
    )
    above = rows.filter(pl.col("group") > N_VENTILES // 2).height
    below = rows.filter(pl.col("group") <= N_VENTILES // 2).height
    return charts.choropleth(
        table,
        geo=assets.geo(
            f"wijk_{region.code}", lambda: wijk_maps.map_text(store, region.code), "wijk"
        ),
        selected=None,
        description=(
            f"Kaart van werkelijk min verwacht jeugdzorggebruik in de wijken van "
            f"{region.display_name}: per wijk de groep (1 tot "
            f"{N_VENTILES}) van het verschil tussen werkelijk en verwacht jeugdzorggebruik onder "
            f"alle wijken van Nederland; blauw onder, oranje boven de verwachting, grijs zonder "
            f"getoond aantal of verwachting. {above} wijken liggen in de bovenste helft, {below} "
            "in de onderste."
        ),
        legend_title="Groep: werkelijk − verwacht",
        width=400,
        height=380,
        kind="ventile",
    )
