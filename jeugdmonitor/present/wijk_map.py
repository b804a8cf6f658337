"""A gemeente's wijk map that can be read: names where they fit, the chosen wijk always named.

Each wijk gets a label point inside its largest polygon, as far from its edges as the polygon
allows (its "pole of inaccessibility", found on a grid and refined once), and its name is drawn
there when the name fits inside the wijk at the map's scale. The map's size follows the
gemeente's shape: half the page for most gemeenten, the page's width for one with many wijken
(Amsterdam: 107). A select under the map (a Vega binding) chooses the wijk that is outlined and
always named, the highest by default; a click on a wijk in the map or on a wijk's name in the
table (`static/links.js`) chooses it too.
"""

from __future__ import annotations

import functools
import json
import math
import re
from importlib import resources
from typing import Any

import altair as alt
import numpy as np
import polars as pl

from jeugdmonitor.analysis import wijken as values
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts

FONT_SIZE = 12  # px, the names on the map (as every chart text: legible on screen and paper)
CHAR_WIDTH = 0.56 * FONT_SIZE  # px per character of system-ui at that size (a little generous)
HALF_WIDTH = 340  # a map beside the ranking, in half a card (with the legend beside it)
FULL_WIDTH = 760  # a gemeente with many wijken: the page's width (with the legend beside it)
PARAM = "wijk"  # the chosen wijk's Vega signal; also the bound <select>'s name
SELECT_LABEL = "Wijk op de kaart: "
LINK_PREFIX = "#wijk-"  # a table link that chooses a wijk on the map (static/links.js)
_NUMBERED = re.compile(r"^Wijk \d+\s+(?=\S)")
LINKS_JS = (  # the browser side (app and reports): in-page links, choosing a wijk
    resources.files("jeugdmonitor").joinpath("static/links.js").read_text(encoding="utf-8")
)


def short_name(name: str) -> str:
    """The name drawn on the map: 'Wijk 03 Overvecht' → 'Overvecht' ('Wijk 00' stays)."""
    return _NUMBERED.sub("", name)


def _rings(topo: dict[str, Any]) -> dict[str, list[list[np.ndarray]]]:
    """Wijk code → its polygons (outer ring first, then holes) in lon/lat."""
    scale = np.asarray(topo["transform"]["scale"], dtype=float)
    shift = np.asarray(topo["transform"]["translate"], dtype=float)
    arcs = [np.cumsum(np.asarray(a, dtype=float), axis=0) * scale + shift for a in topo["arcs"]]

    def ring(refs: list[int]) -> np.ndarray:
        parts = [arcs[r] if r >= 0 else arcs[~r][::-1] for r in refs]
        return np.concatenate([p if i == 0 else p[1:] for i, p in enumerate(parts)])

    out: dict[str, list[list[np.ndarray]]] = {}
    for geom in topo["objects"]["wijk"]["geometries"]:
        polygons = [geom["arcs"]] if geom["type"] == "Polygon" else geom.get("arcs", [])
        out[geom["id"]] = [[ring(r) for r in polygon] for polygon in polygons]
    return out


def mercator(lonlat: np.ndarray) -> np.ndarray:
    """Web Mercator (unit sphere) as Vega draws it: x = λ, y = −ln tan(π/4 + φ/2)."""
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    return np.column_stack([lon, -np.log(np.tan(np.pi / 4 + lat / 2))])


def _inside(points: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Even-odd test of many points against a polygon's rings (holes count as outside)."""
    inside = np.zeros(len(points), dtype=bool)
    x, y = points[:, 0:1], points[:, 1:2]
    for ring in rings:
        x1, y1 = ring[:-1, 0], ring[:-1, 1]
        x2, y2 = ring[1:, 0], ring[1:, 1]
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= (np.count_nonzero(crosses & (x < at), axis=1) % 2).astype(bool)
    return inside


def _edge_distance(points: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Distance of each point to the nearest edge of the rings."""
    a = np.concatenate([r[:-1] for r in rings])
    ab = np.concatenate([r[1:] for r in rings]) - a
    length = np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-30)
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip(np.einsum("pij,ij->pi", ap, ab) / length, 0, 1)
    gap = ap - t[..., None] * ab[None]
    return np.sqrt(np.einsum("pij,pij->pi", gap, gap).min(axis=1))


def _pole(rings: list[np.ndarray], steps: int = 8, rounds: int = 3) -> tuple[np.ndarray, float]:
    """The point of a polygon farthest from its edges (a grid search over the polygon, then
    finer grids around the best point so far), and that distance: where a name has most room."""
    outer = rings[0]
    low, high = outer.min(axis=0), outer.max(axis=0)
    best, radius = outer.mean(axis=0), 0.0
    for n in [steps] + [5] * (rounds - 1):
        gx = np.linspace(low[0], high[0], n)
        gy = np.linspace(low[1], high[1], n)
        grid = np.array(np.meshgrid(gx, gy)).reshape(2, -1).T
        grid = grid[_inside(grid, rings)]
        if len(grid):
            distance = _edge_distance(grid, rings)
            i = int(np.argmax(distance))
            if distance[i] > radius:
                best, radius = grid[i], float(distance[i])
        cell = (high - low) / (n - 1)
        low, high = best - cell, best + cell
    return best, radius


Shape = tuple[str, float, float, float, float, list[np.ndarray]]


@functools.lru_cache(maxsize=values.CACHED_GEMEENTEN)
def label_points(store: Store, gemeente_code: str) -> tuple[Shape, ...]:
    """Per wijk on the map: code, x and y (Mercator) and lon and lat of its label point, and its
    largest polygon (Mercator rings) for the fit test."""
    shapes = _rings(json.loads(values.map_text(store, gemeente_code)))
    rows = []
    for code, polygons in shapes.items():
        projected = [[mercator(r) for r in polygon] for polygon in polygons if len(polygon[0]) > 2]
        if not projected:
            continue
        largest = max(projected, key=lambda p: float(np.ptp(p[0], axis=0).prod()))
        point, _ = _pole(largest)
        lon = math.degrees(point[0])
        lat = math.degrees(2 * math.atan(math.exp(-point[1])) - math.pi / 2)
        rows.append((code, float(point[0]), float(point[1]), lon, lat, largest))
    return tuple(rows)


def map_size(store: Store, gemeente_code: str, many: bool) -> tuple[int, int, float]:
    """Width and height of the map in px (the gemeente's shape decides the height) and its
    scale in px per Mercator unit, as Vega's fit computes it."""
    points = np.concatenate([shape[5][0] for shape in label_points(store, gemeente_code)])
    span = np.ptp(points, axis=0)
    width = FULL_WIDTH if many else HALF_WIDTH
    height = int(round(min(max(width * span[1] / max(span[0], 1e-12), 0.5 * width), 1.2 * width)))
    scale = min(width / max(span[0], 1e-12), height / max(span[1], 1e-12))
    return width, height, scale


def two_lines(label: str) -> str:
    """A long name broken at the space or hyphen nearest its middle ('Oud-\nWest'); unchanged
    when it has none."""
    cuts = [i for i, ch in enumerate(label) if ch in " -/" and 0 < i < len(label) - 1]
    if not cuts:
        return label
    i = min(cuts, key=lambda c: abs(c - len(label) / 2))
    keep = label[i] if label[i] in "-/" else ""
    return f"{label[:i].rstrip()}{keep}\n{label[i + 1 :].lstrip()}"


def _fits(label: str, x: float, y: float, rings: list[np.ndarray], scale: float) -> bool:
    """True when a box the label's estimated size, centred on (x, y), lies inside the polygon."""
    lines = label.split("\n")
    half_w = max(len(line) for line in lines) * CHAR_WIDTH / 2 / scale
    half_h = len(lines) * 0.6 * FONT_SIZE / scale
    box = np.array(
        [(x + dx * half_w, y + dy * half_h) for dx in (-1, -0.5, 0, 0.5, 1) for dy in (-1, 0, 1)]
    )
    return bool(_inside(box, rings).all())


def labels(store: Store, gemeente_code: str, names: dict[str, str], scale: float) -> pl.DataFrame:
    """The map's labels: code, label (on one line, or two when that fits better), lon, lat and
    `fits`: the name fits inside its wijk at this scale, so it is drawn (the chosen wijk's name
    is drawn anyway)."""
    rows = []
    for code, x, y, lon, lat, rings in label_points(store, gemeente_code):
        if code not in names:
            continue
        one = short_name(names[code])
        label = next(
            (t for t in (one, two_lines(one)) if _fits(t, x, y, rings, scale)), two_lines(one)
        )
        rows.append((code, label, lon, lat, _fits(label, x, y, rings, scale)))
    return pl.DataFrame(
        rows,
        schema={"code": pl.String, "label": pl.String, "lon": pl.Float64, "lat": pl.Float64,
                "fits": pl.Boolean},
        orient="row",
    )  # fmt: skip


def _colour(legend_title: str, beside: bool) -> alt.ColorValue | dict:
    """Light → dark blue by `rate` (grey where suppressed); the legend beside a half-width map,
    under a full-width one (so the map itself gets the width)."""
    return alt.condition(
        "isValid(datum.rate)",
        alt.Color(
            "rate:Q",
            scale=alt.Scale(scheme=charts.MAP_SCHEME, zero=False, nice=False),
            legend=alt.Legend(
                title=legend_title,
                format=".0%",
                orient="right" if beside else "bottom",
                direction="vertical" if beside else "horizontal",
                gradientLength=110 if beside else 260,
                tickCount=4,
            ),
        ),
        alt.value(charts.SUPPRESSED_COLOR),
    )


_SIZE = (7919, 7907)  # placeholder width and height of the compiled template (never a real size)


@functools.lru_cache(maxsize=64)
def _template(legend_title: str, width: int, height: int, beside: bool) -> str:
    """`_compiled` at this size (each gemeente's shape gives its own height): the size is set in
    the compiled JSON, so Altair compiles the map once per legend and layout."""
    text = _compiled(legend_title, beside)
    return text.replace(f'"width":{_SIZE[0]}', f'"width":{width}').replace(
        f'"height":{_SIZE[1]}', f'"height":{height}'
    )


@functools.lru_cache(maxsize=4)
def _compiled(legend_title: str, beside: bool) -> str:
    """The wijk map: shapes coloured by share, the chosen wijk outlined, names on top."""
    lookup = alt.LookupData(data=alt.UrlData(url=charts.SLOT + "geo"), key="id")
    tooltip = charts.MAP_TOOLTIPS["rate"]
    chosen = alt.param(name=PARAM, value="")  # replaced per render by the `wijkparam` slot
    rows = alt.Chart(alt.UrlData(url=charts.SLOT + "rows")).transform_lookup(
        lookup="code", from_=lookup, as_="geo"
    )
    background = rows.mark_geoshape(
        stroke="white", strokeWidth=0.5, color=charts.SUPPRESSED_COLOR
    ).encode(shape="geo:G", tooltip=tooltip)
    shapes = rows.mark_geoshape(stroke="white", strokeWidth=0.5).encode(
        shape="geo:G", color=_colour(legend_title, beside), tooltip=tooltip
    )
    outline = (
        rows.transform_filter(f"datum.code === {PARAM}")
        .mark_geoshape(fill=None, stroke=charts.HIGHLIGHT_COLOR, strokeWidth=3, aria=False)
        .encode(shape="geo:G")
    )
    layers = [background, shapes, outline]
    # other wijken where the name fits; the chosen one in bold, above its shape when the name is
    # bigger than the wijk (so the outline stays in sight)
    for which, weight, dy in (
        (f"datum.fits && datum.code !== {PARAM}", "normal", 0),
        (f"datum.fits && datum.code === {PARAM}", "bold", 0),
        (f"!datum.fits && datum.code === {PARAM}", "bold", -2.2 * FONT_SIZE),
    ):
        named = (
            alt.Chart(alt.NamedData("labels"))
            .transform_filter(which)
            .encode(longitude="lon:Q", latitude="lat:Q", text="label:N")
        )
        style = {"fontSize": FONT_SIZE, "fontWeight": weight, "lineBreak": "\n", "aria": False,
                 "dy": dy}  # fmt: skip
        layers.append(named.mark_text(stroke="white", strokeWidth=3, strokeJoin="round", **style))
        layers.append(named.mark_text(color=charts.TEXT_COLOR, **style))
    chart = (
        alt.layer(*layers)
        .add_params(chosen)
        .project(type="mercator")
        .properties(width=_SIZE[0], height=_SIZE[1])
    )
    spec = json.loads(charts._compile(chart))
    spec["params"] = [
        {"url": charts.SLOT + "wijkparam"} if p.get("name") == PARAM else p
        for p in spec.get("params", [])
    ]
    return json.dumps(spec, separators=(",", ":"), ensure_ascii=False)


def wijk_map(
    store: Store,
    gemeente_code: str,
    table: pl.DataFrame,
    *,
    geo: dict[str, Any],
    chosen: str | None,
    description: str,
    many: bool,
    legend_title: str = "Aandeel",
) -> charts.Spec:
    """The wijk map of a gemeente as a `charts.Spec`.

    `table` has the choropleth's columns (code, gebied, rate, ci_low, ci_high, numerator,
    denominator; suppressed already), one row per wijk; `chosen` is the wijk outlined and always
    named at first (the highest); `many` gives the map the page's width.
    """
    width, height, scale = map_size(store, gemeente_code, many)
    names = dict(zip(table["code"], table["gebied"], strict=True))
    ordered = table.sort("gebied")
    param = {
        "name": PARAM,
        "value": chosen or "",
        "bind": {
            "input": "select",
            "options": ["", *ordered["code"].to_list()],
            "labels": ["(geen)", *ordered["gebied"].to_list()],
            "name": SELECT_LABEL,
        },
    }
    return charts.Spec(
        _template(legend_title, width, height, not many),
        {"labels": labels(store, gemeente_code, names, scale)},
        description,
        slots={"rows": table.select(charts.MAP_COLUMNS), "geo": geo, "wijkparam": param},
    )
