"""Bars of a region beside Nederland (and member gemeenten)."""

from __future__ import annotations

import functools

import altair as alt
import polars as pl

from jeugdmonitor.present.charts.base import (
    _BY_ROLE,
    _FLOAT_DIGITS,
    CONTEXT_COLOR,
    MUTED_TEXT_COLOR,
    RANGE_MARK,
    REGION_COLOR,
    TEXT_COLOR,
    Spec,
    _compile,
    _marks,
    _percent_axis,
    _rolorder,
    _rows,
    _short,
    _tooltip,
    _two_lines,
)

# --------------------------------------------------------------------------------------- bars


@functools.lru_cache(maxsize=32)
def _bars_template(x_title: str, width: int, step: int) -> str:
    y = alt.Y(
        "categorie:N",
        sort=alt.EncodingSortField(field="volgorde", op="min"),
        title=None,
        axis=alt.Axis(
            labelLimit=240,
            labelFontSize=12,
            labelPadding=6,
            labelExpr=_two_lines(28, 26),
        ),
    )
    base = alt.Chart(_rows()).encode(y=y, yOffset=alt.YOffset("gebied:N", sort=_BY_ROLE))
    x = alt.X("rate:Q", title=x_title, axis=_percent_axis(tickCount=5))
    # only drawn bars make the colour scale, so the legend never lists a region whose bars are
    # all suppressed; each row brings its own colour (`kleur`: the region blue, NL grey)
    bars = (
        base.transform_filter("isValid(datum.rate)")
        .mark_bar(height={"band": 0.9})
        .encode(
            x=x,
            # `reeks` = 'rolorder|gebied': Vega orders a field range by the colour field's own
            # values, so these sort by role; the legend shows the name after the '|'
            color=alt.Color(
                "reeks:N",
                scale=alt.Scale(range=alt.FieldRange(field="kleur")),
                legend=alt.Legend(
                    title=None,
                    orient="bottom",
                    direction="vertical",
                    labelLimit=400,
                    labelExpr="slice(datum.label, indexof(datum.label, '|') + 1)",
                ),
            ),
            tooltip=_tooltip(),
        )
    )
    # An invisible point at 1.15 × the largest value keeps room for the ▲/▼ marks on the right.
    room = base.mark_point(opacity=0).encode(x=alt.X("xpad:Q"))
    # every row with an interval gets its bar (NL's is too narrow to see); never an empty layer
    errors = (
        base.transform_filter("isValid(datum.ci_low)")
        .mark_rule(color=TEXT_COLOR, strokeWidth=1.5)
        .encode(x="ci_low:Q", x2="ci_high:Q")
    )
    sig = base.mark_text(align="left", dx=5, fontSize=13, color=TEXT_COLOR).encode(
        x="ci_high:Q", text="sig:N"
    )
    note = base.mark_text(align="left", dx=3, fontSize=12, color=MUTED_TEXT_COLOR).encode(
        x=alt.datum(0), text="note:N"
    )
    chart = alt.layer(room, bars, errors, sig, note).properties(
        width=width, height=alt.Step(step, **{"for": "offset"})
    )
    return _compile(chart)


def bars_vs_nl(
    frame: pl.DataFrame,
    *,
    description: str,
    x_title: str = "Aandeel",
    width: int = 400,
) -> Spec:
    """Horizontal bars per category, the region beside NL, with Wilson error bars and ▲/▼ marks.

    `frame` has `categorie`, `volgorde` (bar order), `gebied`, `rol`, `rate`, `ci_low`, `ci_high`,
    `numerator`, `denominator`, `significant`.
    """
    marks = _marks()
    top = pl.max_horizontal("rate", "ci_high").max()
    # an estimate too uncertain for one number: no bar, its range as the interval, said after it
    ranged = pl.col("range_only") if "range_only" in frame.columns else pl.lit(False)
    rows = frame.select(
        "categorie",
        "volgorde",
        "gebied",
        "rol",
        marks["rolorder"],
        _short("rate", "ci_low", "ci_high"),
        "numerator",
        "denominator",
        pl.when(ranged).then(pl.lit(RANGE_MARK)).otherwise(marks["sig"]).alias("sig"),
        pl.when(ranged).then(pl.lit("")).otherwise(marks["note"]).alias("note"),
        xpad=(pl.when(top > 0).then(top).otherwise(0.01) * 1.12).round(_FLOAT_DIGITS),
        kleur=pl.when(pl.col("rol") == "regio")
        .then(pl.lit(REGION_COLOR))
        .otherwise(pl.lit(CONTEXT_COLOR)),
        reeks=_rolorder().cast(pl.String) + pl.lit("|") + pl.col("gebied"),
    ).write_json()
    # one bar per category (NL alone) gets a taller band, so two-line labels never collide
    step = 20 if frame["gebied"].n_unique() > 1 else 36
    return Spec(_bars_template(x_title, width, step), {"rows": rows}, description)
