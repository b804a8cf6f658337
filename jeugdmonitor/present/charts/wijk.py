"""Wijk charts: the ranking of a region's wijken and their trend as dumbbells."""

from __future__ import annotations

import functools
import json

import altair as alt
import polars as pl

from jeugdmonitor.present.charts.base import (
    CONTEXT_COLOR,
    MUTED_TEXT_COLOR,
    OTHER_COLOR,
    REFERENCE_COLOR,
    REGION_COLOR,
    TEXT_COLOR,
    Spec,
    _compile,
    _ordered_y,
    _percent_axis,
    _rows,
    _short,
)

# ------------------------------------------------------------------------------------ wijken

WIJK_MARKS = {"hoger": "▲", "lager": "▼"}  # same meaning as everywhere: significant vs reference


@functools.lru_cache(maxsize=8)
def _ranking_template(x_title: str, width: int) -> str:
    y = _ordered_y("gebied", 240)
    x = alt.X("rate:Q", title=x_title, axis=_percent_axis(), scale=alt.Scale(zero=True))
    tooltip = [
        alt.Tooltip("gebied:N", title="Wijk"),
        alt.Tooltip("rate:Q", title="Percentage", format=".1%"),
        alt.Tooltip("ci_low:Q", title="95%-BI ondergrens", format=".1%"),
        alt.Tooltip("ci_high:Q", title="95%-BI bovengrens", format=".1%"),
        alt.Tooltip("count_label:N", title="Aantal"),
        alt.Tooltip("verschil:N", title="Verschil met de gemeente"),
    ]
    base = alt.Chart(_rows()).encode(y=y)
    reference = (
        alt.Chart(_rows("reference"))
        .mark_rule(color=REFERENCE_COLOR, strokeDash=[4, 3])
        .encode(x="v:Q", tooltip=[alt.Tooltip("label:N", title="Referentie")])
    )
    layers = [
        reference,
        base.mark_rule(strokeWidth=2, color=REGION_COLOR).encode(x="ci_low:Q", x2="ci_high:Q"),
        base.mark_point(filled=True, size=60, color=REGION_COLOR, opacity=1).encode(
            x=x, tooltip=tooltip
        ),
        base.mark_text(align="left", dx=5, fontSize=12, color=TEXT_COLOR).encode(
            x="ci_high:Q", text="sig:N"
        ),
        base.mark_text(
            align="left", dx=2, fontSize=12, color=MUTED_TEXT_COLOR, fontStyle="italic"
        ).encode(x=alt.value(2), text="note:N"),
    ]
    return _compile(alt.layer(*layers).properties(width=width, height=alt.Step(17)))


def wijk_ranking(rows: pl.DataFrame, reference: float | None, reference_label: str,
                 description: str, x_title: str = "Aandeel jongeren met jeugdzorg",
                 width: int = 260) -> Spec:  # fmt: skip
    """Every wijk ranked by its share, with its 95% interval, the gemeente as a dashed line, ▲/▼
    where a wijk differs significantly from it, and 'aantal < 10' for suppressed wijken.

    `rows` has gebied, rate, ci_low, ci_high, numerator, significant (suppressed already).
    """
    data = rows.with_row_index("order").select(
        "order",
        "gebied",
        _short("rate", "ci_low", "ci_high"),
        count_label=pl.col("numerator").map_elements(_count_label, return_dtype=pl.String,
                                                     skip_nulls=False),  # fmt: skip
        sig=pl.col("significant").replace_strict(WIJK_MARKS, default="", return_dtype=pl.String),
        note=pl.when(pl.col("rate").is_null()).then(pl.lit("aantal < 10, niet getoond"))
        .otherwise(pl.lit("")),
        verschil=pl.when(pl.lit(reference is None)).then(pl.lit("geen vergelijking"))
        .otherwise(pl.col("significant").fill_null("niet significant")),
    )  # fmt: skip
    ref = (
        [{"v": reference, "label": f"{reference_label}: {reference:.1%}".replace(".", ",")}]
        if reference is not None
        else []
    )
    return Spec(
        _ranking_template(x_title, width),
        {"rows": data.write_json(), "reference": json.dumps(ref, ensure_ascii=False)},
        description,
    )


def _count_label(value: float | None) -> str:
    from jeugdmonitor.analysis.stats import count_text

    return count_text(value)


@functools.lru_cache(maxsize=4)
def _dumbbell_template(x_title: str) -> str:
    y = _ordered_y("gebied", 240)
    year = alt.Color(
        "jaar:N",
        scale=alt.Scale(domain=["2021", "2022"], range=[OTHER_COLOR, REGION_COLOR]),
        legend=alt.Legend(title="Jaar", orient="top"),
    )
    tooltip = [
        alt.Tooltip("gebied:N", title="Wijk"),
        alt.Tooltip("jaar:N", title="Jaar"),
        alt.Tooltip("rate:Q", title="Percentage", format=".1%"),
        alt.Tooltip("count_label:N", title="Aantal"),
    ]
    lines = (
        alt.Chart(_rows("pairs"))
        .mark_rule(color=CONTEXT_COLOR, strokeWidth=2)
        .encode(y=y, x=alt.X("r2021:Q"), x2="r2022:Q")
    )
    points = (
        alt.Chart(_rows())
        .mark_point(filled=True, size=60, opacity=1)
        .encode(
            y=y,
            x=alt.X("rate:Q", title=x_title, axis=_percent_axis(), scale=alt.Scale(zero=True)),
            color=year,
            tooltip=tooltip,
        )
    )
    return _compile(alt.layer(lines, points).properties(width=420, height=alt.Step(17)))


def wijk_trend(rows: pl.DataFrame, description: str,
               x_title: str = "Aandeel jongeren met jeugdzorg") -> Spec:  # fmt: skip
    """2021 → 2022 per wijk (wijken whose code exists in both years), a line between the years.

    `rows` has gebied, year, rate, numerator (suppressed already), sorted in display order, and
    `wijk_code`: a wijk is matched by its code (CBS renamed some between the years), shown with
    the name in `gebied`.
    """
    key = "wijk_code" if "wijk_code" in rows.columns else "gebied"  # one row per wijk code
    order = {k: i for i, k in enumerate(dict.fromkeys(rows[key].to_list()))}
    points = rows.select(
        pl.col(key).replace_strict(order, return_dtype=pl.Int32).alias("order"),
        "gebied",
        pl.col("year").cast(pl.String).alias("jaar"),
        _short("rate"),
        count_label=pl.col("numerator").map_elements(
            _count_label, return_dtype=pl.String, skip_nulls=False
        ),  # fmt: skip
    )
    pairs = (
        points.pivot(on="jaar", index=["order", "gebied"], values="rate")
        .rename({"2021": "r2021", "2022": "r2022"}, strict=False)
        .drop_nulls()
    )
    return Spec(
        _dumbbell_template(x_title),
        {"rows": points.filter(pl.col("rate").is_not_null()).write_json(),
         "pairs": pairs.write_json() if pairs.height else "[]"},
        description,
    )  # fmt: skip
