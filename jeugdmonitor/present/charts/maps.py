"""Choropleths: a map of regions coloured by rate or by ventile, with its tooltips."""

from __future__ import annotations

import functools
from typing import Any

import altair as alt
import polars as pl

from jeugdmonitor.analysis.stats import N_VENTILES
from jeugdmonitor.present.charts.base import (
    CONTEXT_COLOR,
    HIGHLIGHT_COLOR,
    MAP_SCHEME,
    SLOT,
    SUPPRESSED_COLOR,
    Data,
    Spec,
    _compile,
    _json_rows,
    _rows,
)

# --------------------------------------------------------------------------------- choropleth


# Ventile map: blue below, orange above the expectation (colour-blind safe), dark at the ends. The
# middle groups stay clearly blue (10) or orange (11): a diverging scheme's grey-white middle would
# look like the grey that means "no value".
VENTILE_DOMAIN = [1, N_VENTILES // 2, N_VENTILES // 2 + 1, N_VENTILES]
VENTILE_RANGE = ["#08306b", "#9ecae1", "#fdae6b", "#7f2704"]  # ColorBrewer Blues and Oranges
NO_VALUE_COLOR = CONTEXT_COLOR  # grey: no count or no expectation (and nothing else)


def _map_colour(kind: str, legend_title: str, orient: str = "top-left") -> alt.ColorValue | dict:
    """The map's fill: light → dark blue by `rate`, or (kind 'ventile') blue → orange by the
    ventile `group` of actual − expected, 1 (most below) to N_VENTILES (most above)."""
    if kind == "ventile":
        return alt.condition(
            "isValid(datum.group)",
            alt.Color(
                "group:Q",
                scale=alt.Scale(domain=VENTILE_DOMAIN, range=VENTILE_RANGE, interpolate="rgb"),
                legend=alt.Legend(
                    title=legend_title,
                    format="d",
                    values=[1, 5, 10, 15, N_VENTILES],
                    labelExpr=(
                        "datum.value == 1 ? '1: meest onder verwachting' : "
                        f"datum.value == {N_VENTILES} ? '{N_VENTILES}: meest boven verwachting' : datum.label"
                    ),
                    # beside the map: a gemeente's wijken fill their whole frame
                    orient="right",
                    titleLimit=300,
                    direction="vertical",
                    gradientLength=140,
                ),
            ),
            alt.value(NO_VALUE_COLOR),
        )
    return alt.condition(
        "isValid(datum.rate)",
        alt.Color(
            "rate:Q",
            scale=alt.Scale(scheme=MAP_SCHEME, zero=False, nice=False),
            legend=alt.Legend(
                title=legend_title,
                format="~%",  # 0,5% 1% 1,5%: never the same label twice
                orient=orient,
                direction="vertical",
                gradientLength=110,
                tickCount=4,
            ),
        ),
        alt.value(SUPPRESSED_COLOR),
    )


MAP_TOOLTIPS = {
    "rate": [
        alt.Tooltip("gebied:N", title="Regio"),
        alt.Tooltip("rate:Q", title="Percentage", format=".1%"),
        alt.Tooltip("numerator:Q", title="Aantal", format=",.0f"),
        alt.Tooltip("denominator:Q", title="Totaal", format=",.0f"),
        alt.Tooltip("ci_low:Q", title="95%-BI ondergrens", format=".1%"),
        alt.Tooltip("ci_high:Q", title="95%-BI bovengrens", format=".1%"),
    ],
    "ventile": [
        alt.Tooltip("gebied:N", title="Wijk"),
        alt.Tooltip("group:Q", title=f"Groep (1-{N_VENTILES})"),
        alt.Tooltip("rate:Q", title="Werkelijk", format=".1%"),
        alt.Tooltip("expected_rate:Q", title="Verwacht", format=".1%"),
        alt.Tooltip("difference_pp:Q", title="Verschil (procentpunt)", format="+.1f"),
        alt.Tooltip("count_label:N", title="Aantal"),
        alt.Tooltip("oordeel:N", title="Oordeel"),
    ],
}


@functools.lru_cache(maxsize=16)
def _map_template(
    legend_title: str, width: int, height: int, kind: str = "rate", orient: str = "top-left"
) -> str:
    lookup = alt.LookupData(data=alt.UrlData(url=SLOT + "geo"), key="id")
    tooltip = MAP_TOOLTIPS[kind]
    rows = alt.Chart(alt.UrlData(url=SLOT + "rows")).transform_lookup(
        lookup="code", from_=lookup, as_="geo"
    )
    # Every region grey first: Vega-Lite leaves out a shape whose colour value is null (a
    # suppressed region), which would leave a hole in the map instead of a grey region.
    grey = NO_VALUE_COLOR if kind == "ventile" else SUPPRESSED_COLOR
    background = rows.mark_geoshape(stroke="white", strokeWidth=0.4, color=grey).encode(
        shape="geo:G", tooltip=tooltip
    )
    shapes = rows.mark_geoshape(stroke="white", strokeWidth=0.4).encode(
        shape="geo:G", color=_map_colour(kind, legend_title, orient), tooltip=tooltip
    )
    outline = (
        alt.Chart(_rows("selected"))
        .transform_lookup(lookup="code", from_=lookup, as_="geo")
        # decorative (the region's own shape below carries its name and figures): hidden from
        # screen readers, so an outline without a label is no unnamed image (axe svg-img-alt)
        .mark_geoshape(fill=None, stroke=HIGHLIGHT_COLOR, strokeWidth=3, aria=False)
        .encode(shape="geo:G", tooltip=tooltip)
    )
    chart = (
        alt.layer(background, shapes, outline)
        .project(type="mercator")
        .properties(width=width, height=height)
    )
    return _compile(chart)


MAP_COLUMNS = ["code", "gebied", "rate", "ci_low", "ci_high", "numerator", "denominator"]
VENTILE_MAP_COLUMNS = ["code", "gebied", "group", "rate", "expected_rate", "difference_pp",
                       "count_label", "oordeel"]  # fmt: skip


def map_rows(frame: pl.DataFrame) -> str:
    """The map table as the JSON array a `choropleth` takes (cache it per indicator and level)."""
    return _json_rows(frame.select(MAP_COLUMNS))


def choropleth(
    rows: Data,
    *,
    geo: dict[str, Any],
    selected: pl.DataFrame | None,
    description: str,
    legend_title: str = "Aandeel",
    width: int = 340,
    height: int = 400,
    kind: str = "rate",
    legend_orient: str = "top-left",
) -> Spec:
    """A map with one shape per region, light → dark blue by `rate`, the chosen one outlined.

    `rows` (a frame, `map_rows` JSON, or URL data of that JSON) has `code`, `gebied`, `rate`,
    `ci_low`, `ci_high`, `numerator`, `denominator`; `selected` holds the chosen region's row (or
    None). The table is the chart's data and each shape is looked up by code in `geo` (TopoJSON
    features with `id` = code), so Altair never walks the topology (FIELD-NOTES).
    With `kind="ventile"` the fill is the ventile `group` (1..N_VENTILES) of actual − expected on
    a blue → orange scale, and `rows` has VENTILE_MAP_COLUMNS (the wijken of the verwacht section).
    `legend_orient` "right" puts the legend beside a map that fills its frame (a gemeente's wijken).
    """
    if kind not in MAP_TOOLTIPS:
        raise ValueError(f"unknown map kind {kind!r}")
    columns = VENTILE_MAP_COLUMNS if kind == "ventile" else MAP_COLUMNS
    chosen = selected if selected is not None else pl.DataFrame(schema={"code": pl.String})
    table = rows.select(columns) if isinstance(rows, pl.DataFrame) else rows
    return Spec(
        _map_template(legend_title, width, height, kind, legend_orient),
        {"selected": chosen.select([c for c in columns if c in chosen.columns])},
        description,
        slots={"rows": table, "geo": geo},
    )
