"""Trend over the years: lines with intervals, provisional years and the break band."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Sequence

import altair as alt
import polars as pl

from jeugdmonitor.present.charts.base import (
    CATEGORY_COLORS,
    CONTEXT_COLOR,
    MUTED_TEXT_COLOR,
    NL_LABEL,
    SIG_SYMBOL,
    Spec,
    _compile,
    _marks,
    _percent_axis,
    _rolorder,
    _rows,
    _short,
    _tooltip,
)

# -------------------------------------------------------------------------------------- trend


LEGEND_WRAP = 46  # a legend label longer than this breaks after its ' · ' (series / region)


def _legend_lines() -> str:
    """Vega expression: 'Series · Region' on two lines when it is long, so nothing is cut off."""
    cut = "indexof(datum.label, ' · ')"
    return (
        f"length(datum.label) > {LEGEND_WRAP} && {cut} > 0 ? "
        f"[substring(datum.label, 0, {cut} + 2), substring(datum.label, {cut} + 3)] : datum.label"
    )


@functools.lru_cache(maxsize=32)
def _trend_template(
    colours: tuple[int, ...],
    series_title: str,
    y_title: str,
    width: int,
    height: int,
) -> str:
    """`colours`: per line shown (in legend order), the index of its series' colour."""
    # One legend entry per line ('Jeugdhulp · Amsterdam'), colour by series and dashed for NL,
    # bound to a selection: click = show only that line, shift-click = add or remove a line,
    # double-click = show all. (Two legends, one per field, cross-talk in Vega-Lite: a click on
    # one re-fires the other's last value; with toggle="true" even a click on a mark toggles it.)
    pick = alt.selection_point(fields=["reeks"], bind="legend", name="toon_reeks")
    by_order = alt.EncodingSortField(field="reeksorder", op="min")
    legend = alt.Legend(
        title=series_title,
        orient="bottom",
        direction="vertical",
        columns=2,
        columnPadding=24,
        symbolType="stroke",
        symbolStrokeWidth=2.5,
        symbolSize=400,
        symbolOpacity=1,
        # the one legend draws NL dashed too (a separate strokeDash legend would not merge)
        symbolDash={"expr": f"indexof(datum.label, ' · {NL_LABEL}') >= 0 ? [6, 3] : [1, 0]"},
        titleLimit=560,
        labelLimit=330,
        labelExpr=_legend_lines(),
    )
    color = alt.Color(
        "reeks:N",
        sort=by_order,
        scale=alt.Scale(range=[CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i in colours]),
        legend=legend,
    )
    # NL dashed by a condition, not a scale: a second scale on `reeks` would ask for a second
    # legend (the one legend draws the dashes through `symbolDash` above)
    dash = alt.condition("datum.rol === 'nl'", alt.value([6, 3]), alt.value([1, 0]))
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    # The legend and its selection live on an invisible layer that is never filtered; the visible
    # layers keep only what is selected, so the y axis rescales to it (a selection cannot filter
    # the view it is defined in).
    legend_layer = (
        alt.Chart(_rows())
        .mark_line(opacity=0)
        .encode(color=color, detail="reeks:N")
        .add_params(pick)
    )
    visible = alt.Chart(_rows()).transform_filter(pick)
    y = alt.Y("rate:Q", title=y_title, axis=_percent_axis(), scale=alt.Scale(zero=True))
    # The first series (the total) is drawn first and wider, the others on top of it: where a
    # part equals the total (eenoudergezinnen: 4-12 jaar ≈ totaal) both stay visible.
    first, rest = "datum.reeksorder < 2", "datum.reeksorder >= 2"
    line = {"x": x, "y": y, "color": color, "strokeDash": dash, "detail": "reeks:N"}
    total_line = visible.transform_filter(first).mark_line(strokeWidth=5.5).encode(**line)
    lines = visible.transform_filter(rest).mark_line(strokeWidth=2.5).encode(**line)
    # ▲ / ▼ are the points themselves (significantly higher / lower than NL), in the line's
    # colour: a separate mark above each point stacked on other marks and on nearby dots
    tooltip = [
        alt.Tooltip("serie:N", title=series_title),
        *_tooltip(),
        alt.Tooltip("year:N", title="Jaar"),
    ]
    point = {"x": x, "y": y, "color": color, "shape": _sig_shape(), "tooltip": tooltip}
    total_points = visible.transform_filter(first).mark_point(filled=True, size=110, opacity=1)
    points = visible.transform_filter(rest).mark_point(filled=True, size=60, opacity=1)
    errors = (
        visible.transform_filter("isValid(datum.ci_low)")
        .mark_rule(strokeWidth=1.2)
        .encode(x=x, y="ci_low:Q", y2="ci_high:Q", color=color)
    )
    # a trend break (CBS changed its method): a grey band between the last year before it and
    # the first year after it, labelled; `breaks` is empty when the chart shows no break
    band = (
        alt.Chart(_rows("breaks"))
        .mark_rect(color=CONTEXT_COLOR, opacity=0.2)
        # a point scale, as the lines have: the band runs from one year's point to the next
        .encode(
            x=alt.X(
                "van:O", scale=alt.Scale(type="point"), title=None, axis=alt.Axis(labelAngle=0)
            ),
            x2="tot:O",
        )
    )
    band_label = (
        alt.Chart(_rows("breaks"))
        .mark_text(align="right", baseline="top", dx=-3, y=2, fontSize=12, color=MUTED_TEXT_COLOR)
        .encode(
            x=alt.X("tot:O", title=None, axis=alt.Axis(labelAngle=0)), text=alt.value("trendbreuk")
        )
    )
    chart = alt.layer(
        legend_layer,
        band,
        band_label,
        errors,
        total_line,
        total_points.encode(**point),
        lines,
        points.encode(**point),
    ).properties(width=width, height=height)
    return _compile(chart)


def _sig_shape() -> alt.Shape:
    """A point's shape: ▲ / ▼ where significantly higher / lower than NL, else a circle."""
    return alt.Shape(
        "sig:N",
        scale=alt.Scale(
            domain=["", *SIG_SYMBOL.values()], range=["circle", "triangle-up", "triangle-down"]
        ),
        legend=None,
    )


def trend(
    frame: pl.DataFrame,
    *,
    series: Sequence[str],
    description: str,
    y_title: str = "Aandeel",
    series_title: str = "Reeks",
    width: int = 560,
    height: int = 240,
    provisional: Collection[int] = (),
    break_before: int | None = None,
) -> Spec:
    """Lines per year: colour = series, solid = region / dashed = NL; the legend toggles lines.

    Provisional years are labelled as CBS does ('2023*'); with `break_before` (CBS's trend break
    before that year) a grey band marks the break when years on both sides are shown.

    `frame` has `year`, `serie`, `gebied`, `rol`, `rate`, `ci_low`, `ci_high`, `numerator`,
    `denominator`, `significant`. The legend (one entry per line) is bound to a selection:
    clicking an entry shows only that line (shift-click adds or removes one, double-click shows
    all) and the y axis rescales to what is shown, so small series become readable.
    """
    order = {name: i for i, name in enumerate(series)}
    # a line whose every value is suppressed draws nothing: it leaves the legend too
    frame = frame.filter(pl.col("rate").is_not_null().any().over("serie", "gebied"))
    star = pl.when(pl.col("year").is_in(list(provisional))).then(pl.lit("*")).otherwise(pl.lit(""))
    rows = frame.select(
        pl.col("year").cast(pl.String) + star,
        "serie",
        "gebied",
        reeks=pl.col("serie") + pl.lit(" · ") + pl.col("gebied"),
        reeksorder=pl.col("serie").replace_strict(order, return_dtype=pl.Int32) * 2
        + _rolorder().cast(pl.Int32),
        rol="rol",
        rate=_short("rate"),
        ci_low=_short("ci_low"),
        ci_high=_short("ci_high"),
        numerator="numerator",
        denominator="denominator",
        sig=_marks()["sig"],
    )
    lines = rows.select("reeks", "reeksorder", "serie").unique().sort("reeksorder")
    colours = tuple(order[s] for s in lines["serie"]) or (0,)
    template = _trend_template(colours, series_title, y_title, width, height)
    labels = dict(zip(frame["year"], rows["year"], strict=True))
    before = [y for y in labels if break_before is not None and y < break_before]
    after = [y for y in labels if break_before is not None and y >= break_before]
    breaks = [{"van": labels[max(before)], "tot": labels[min(after)]}] if before and after else []
    return Spec(template, {"rows": rows.write_json(), "breaks": json.dumps(breaks)}, description)
