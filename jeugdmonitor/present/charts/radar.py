"""Radar of a region's values per category, with member gemeenten or peers."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence

import altair as alt
import polars as pl

from jeugdmonitor.present.charts.base import (
    BLACK,
    GREEN,
    GRID_COLOR,
    MUTED_TEXT_COLOR,
    ORANGE,
    PURPLE,
    REGION_COLOR,
    SKY_BLUE,
    TEXT_COLOR,
    VERMILLION,
    Spec,
    _compile,
    _rolorder,
    _rows,
)

# -------------------------------------------------------------------------------------- radar

# Radar lines: the region in its own blue, solid; members cycle through six colours, then dashes.
_MEMBER_COLOURS = (ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, BLACK)
_DASHES = ([1, 0], [6, 3], [2, 2])
RADAR_COLOURS = [REGION_COLOR] + [c for _ in _DASHES for c in _MEMBER_COLOURS]
RADAR_DASHES = [[1, 0]] + [d for d in _DASHES for _ in _MEMBER_COLOURS]
RADAR_LABEL_R = 1.13  # category labels just outside the outer ring (radius 1 = outer ring)
RADAR_X = 2.0  # half-width of the x domain: room for two-line labels left and right
RADAR_Y = 1.3


def _break_label(label: str, width: int = 16) -> str:
    """Wrap a label into lines of at most ~width characters (Vega breaks on '\\n').

    Long Dutch compounds ending in '-problemen' are hyphenated before that suffix.
    """
    words = []
    for word in label.split():
        if len(word) > width and word.endswith("problemen") and len(word) > len("problemen"):
            words += [word[: -len("problemen")] + "-", "problemen"]
        else:
            words.append(word)
    lines: list[str] = []
    for word in words:
        if lines and lines[-1].endswith("-") and word == "problemen":
            lines.append(word)
        elif lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


@functools.lru_cache(maxsize=8)
def _radar_template(size: int) -> str:
    x = alt.X("x:Q", scale=alt.Scale(domain=[-RADAR_X, RADAR_X], nice=False), axis=None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=[-RADAR_Y, RADAR_Y], nice=False), axis=None)
    grid = (
        alt.Chart(_rows("rings"))
        .mark_line(interpolate="linear-closed", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            order="k:Q",
            detail="ring:Q",
            color=alt.condition("datum.nl", alt.value(TEXT_COLOR), alt.value(GRID_COLOR)),
            strokeDash=alt.condition("datum.nl", alt.value([5, 3]), alt.value([1, 0])),
            size=alt.condition("datum.nl", alt.value(1.5), alt.value(1)),
        )
    )
    spokes = (
        alt.Chart(_rows("spokes"))
        .mark_line(color=GRID_COLOR, strokeWidth=1)
        .encode(x=x, y=y, order="k:Q", detail="categorie:N")
    )
    # ring values ('NL', '0,5') on top of every line, on a white halo, so no line crosses them
    ring_text = [
        alt.Chart(_rows("ringlabels"))
        .mark_text(align="center", baseline="middle", fontSize=12, fontWeight=weight, **look)
        .encode(x=x, y=y, text="text:N")
        for weight, look in (
            ("bold", {"color": "white", "stroke": "white", "strokeWidth": 4, "opacity": 0.9}),
            ("normal", {"color": MUTED_TEXT_COLOR}),
        )
    ]
    labels = [
        alt.Chart(_rows("labels"))
        .transform_filter(alt.datum.side == side)
        .mark_text(align=side, baseline="middle", fontSize=12, lineBreak="\n", color=TEXT_COLOR)
        .encode(x=x, y=y, text="label:N")
        for side in ("left", "right", "center")
    ]
    tooltip = [
        alt.Tooltip("gebied:N", title="Regio"),
        alt.Tooltip("categorie:N", title="Probleem"),
        alt.Tooltip("rate:Q", title="Percentage", format=".1%"),
        alt.Tooltip("index:Q", title="Index (NL = 100)", format=".0f"),
    ]
    line = alt.Chart(_rows()).mark_line(
        interpolate="linear-closed", point=alt.OverlayMarkDef(size=28, filled=True)
    )
    # one legend entry per line, the region first: members differ in colour and dash pattern
    # (18 combinations, so colour is never the only cue); a click on a name lifts that line out
    by_legend = alt.EncodingSortField(field="legendorder", op="min")
    legend = alt.Legend(
        title=None,
        orient="bottom",
        direction="horizontal",
        columns=2,
        labelLimit=280,
        symbolType="stroke",
        symbolStrokeWidth=2.5,
        symbolSize=300,
        symbolOpacity=1,
        # the dash scale has no legend of its own (two legends would not merge): draw its
        # pattern here, by position, exactly as the scale assigns it
        symbolDash={"expr": f"{json.dumps(RADAR_DASHES)}[datum.index % {len(RADAR_DASHES)}]"},
    )
    pick = alt.selection_point(fields=["gebied"], bind="legend", name="toon_lijn")
    encoding = {
        "x": x,
        "y": y,
        "order": alt.Order("order:Q"),
        "detail": "gebied:N",
        "color": alt.Color(
            "gebied:N", sort=by_legend, scale=alt.Scale(range=RADAR_COLOURS), legend=legend
        ),
        "strokeDash": alt.StrokeDash(
            "gebied:N", sort=by_legend, scale=alt.Scale(range=RADAR_DASHES), legend=None
        ),
        "opacity": alt.condition(pick, alt.value(1.0), alt.value(0.15)),
        "tooltip": tooltip,
    }
    members = (
        line.transform_filter(alt.datum.rol != "regio")
        .encode(**encoding, strokeWidth=alt.value(2))
        .add_params(pick)
    )
    # the region's line is drawn first and wide, its members on top: a member that makes up
    # most of the region (Amsterdam in its SWV) runs inside the region's line, not under it
    region = line.transform_filter("datum.rol === 'regio' && datum.complete").encode(
        **encoding, strokeWidth=alt.value(5)
    )
    # a region with suppressed areas gets points only: a partial polygon would mislead
    region_points = (
        alt.Chart(_rows())
        .transform_filter("datum.rol === 'regio' && !datum.complete")
        .mark_point(filled=True, size=70)
        .encode(
            **{k: v for k, v in encoding.items() if k not in ("order", "strokeDash", "opacity")}
        )
    )
    chart = alt.layer(grid, spokes, *labels, region, members, region_points, *ring_text).properties(
        width=int(size * RADAR_X / RADAR_Y), height=size
    )
    return _compile(chart)


def _radar_lines(frame: pl.DataFrame, categories: Sequence[str]) -> pl.DataFrame:
    """The points a radar draws: the region's values, and members with every area present."""
    return (
        frame.filter(pl.col("categorie").is_in(list(categories)))
        .filter((pl.col("rol") == "regio") | pl.col("ratio").is_not_null().all().over("gebied"))
        .filter(pl.col("ratio").is_not_null())
    )


def radar_drawable(frame: pl.DataFrame, categories: Sequence[str]) -> bool:
    """Whether `radar` has anything to draw (else leave the chart out and show the table)."""
    return _radar_lines(frame, categories).height > 0


def radar(
    frame: pl.DataFrame,
    *,
    categories: Sequence[str],
    description: str,
    size: int = 300,
) -> Spec:
    """A radar of the ratio to NL (1 = NL, farther out = higher) per category.

    `frame` has `categorie`, `gebied`, `rol` ('regio' or 'lid'), `ratio`, `rate`; one closed line
    per `gebied`, each named in the legend (the region first). At least one value must be drawn:
    with none, Vega sizes the empty legend without bound. Vega-Lite has no polar line, so x/y are computed here: x = r·sin θ, y = r·cos θ,
    scaled so the outer ring has radius 1. A member with a suppressed category is left out (a
    partial polygon would mislead); the region itself keeps the categories it has.
    """
    n = len(categories)
    angle = {c: 2 * math.pi * i / n for i, c in enumerate(categories)}
    lines = _radar_lines(frame, categories)
    if not lines.height:
        raise ValueError("radar: no line to draw (every value suppressed)")
    top = float(lines["ratio"].max() or 1.0)
    step = 0.25 if top <= 1.24 else 0.5 if top <= 2.9 else 1.0
    rings = [step * k for k in range(1, math.ceil(max(top, 1.0) / step - 1e-9) + 1)]
    outer = rings[-1]
    theta = pl.col("categorie").replace_strict(angle, return_dtype=pl.Float64)
    rows = lines.with_columns(
        x=pl.col("ratio") / outer * theta.sin(),
        y=pl.col("ratio") / outer * theta.cos(),
        order=pl.col("categorie").replace_strict(
            {c: i for i, c in enumerate(categories)}, return_dtype=pl.Int32
        ),
        index=(pl.col("ratio") * 100).round(0),
        legendorder=pl.when(pl.col("rol") == "regio")
        .then(pl.lit(0))
        .otherwise(pl.col("gebied").rank("dense").over("rol").cast(pl.Int32)),
        rolorder=_rolorder(),
        complete=pl.len().over("gebied") == n,
    ).select(
        "gebied",
        "rol",
        "rolorder",
        "legendorder",
        "categorie",
        "rate",
        "index",
        "x",
        "y",
        "order",
        "complete",
    )
    k = range(73)
    ring_rows = pl.DataFrame(
        {
            "ring": [r for r in rings for _ in k],
            "k": [i for _ in rings for i in k],
            "x": [r / outer * math.sin(2 * math.pi * i / 72) for r in rings for i in k],
            "y": [r / outer * math.cos(2 * math.pi * i / 72) for r in rings for i in k],
            "nl": [abs(r - 1.0) < 1e-9 for r in rings for _ in k],
        }
    )
    spokes = pl.DataFrame(
        {
            "categorie": [c for c in categories for _ in (0, 1)],
            "k": [0, 1] * n,
            "x": [e * math.sin(angle[c]) for c in categories for e in (0.0, 1.0)],
            "y": [e * math.cos(angle[c]) for c in categories for e in (0.0, 1.0)],
        }
    )
    sin = [math.sin(angle[c]) for c in categories]
    labels = pl.DataFrame(
        {
            "label": [_break_label(c) for c in categories],
            "x": [RADAR_LABEL_R * s for s in sin],
            "y": [RADAR_LABEL_R * math.cos(angle[c]) for c in categories],
            "side": ["left" if s > 0.2 else "right" if s < -0.2 else "center" for s in sin],
        }
    )
    between = math.pi / n  # ring values sit between the first two spokes, clear of the labels
    ring_labels = pl.DataFrame(
        {
            "x": [r / outer * math.sin(between) for r in rings],
            "y": [r / outer * math.cos(between) for r in rings],
            "text": [
                "NL" if abs(r - 1) < 1e-9 else f"{r:g}".replace(".", ",") if r % 0.5 < 1e-9 else ""
                for r in rings
            ],
        }
    )
    datasets = {
        "rows": rows,
        "rings": ring_rows,
        "spokes": spokes,
        "labels": labels,
        "ringlabels": ring_labels,
    }
    return Spec(_radar_template(size), datasets, description)
