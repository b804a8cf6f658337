"""Altair builders for every figure: bars vs NL, trend, radar, choropleth, and (at the end) the
expected-use and benchmark charts: ventiles, ratios, coefficients, benchmark strip, residual map.

Each builder takes tidy polars frames that the sections already suppressed and rounded (charts
never read files or compute statistics) and returns a `Spec`: a Vega-Lite chart with Dutch labels,
a `description` for screen readers, colour-blind-safe colours and the Dutch number format.

Speed: Altair's object model costs 40-100 ms per chart (deep copies on every method call), about
1.3 s for the 19 figures of one region. So every chart *shape* is built once per process with
Altair, with all region-specific values taken from named datasets (`rows`, ...), and compiled to
a JSON template; a render only adds the region's data and description. `Spec.to_altair()` gives
an Altair object back when a chart must be composed further.

Column contract of the frames passed in (one row per bar / point / region):
- `rate`, `ci_low`, `ci_high`: fractions (0-1), null when suppressed;
- `numerator`, `denominator`: displayed (rounded) counts, null when suppressed;
- `significant`: 'hoger' / 'lager' than NL, or null;
- `gebied`: the region's name or 'Nederland'; `rol`: 'regio', 'nl' or 'lid' (member).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import polars as pl
import polars.selectors as cs

from jeugdmonitor.analysis.stats import N_VENTILES

NL_LABEL = "Nederland"
# One palette for every chart. Okabe & Ito (2008): colours that stay distinguishable with every
# colour-vision deficiency (their yellow is left out: too little contrast on white).
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
VERMILLION = "#D55E00"
BLACK = "#000000"
CATEGORY_COLORS = (BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, BLACK)
# Roles, the same in every chart:
REGION_COLOR = BLUE  # the chosen region's own values (bars, radar line, earlier years)
OTHER_COLOR = SKY_BLUE  # other regions beside it: member gemeenten, comparable gemeenten
# NL and other context: grey, which differs from the blues in lightness, not only in hue
CONTEXT_COLOR = "#999999"
HIGHLIGHT_COLOR = VERMILLION  # the chosen region among all others: map outline, ventile bar
HIGHLIGHT_TEXT_COLOR = "#B34700"  # vermillion darkened for text: 4.5:1 or more on white
REFERENCE_COLOR = BLACK  # reference lines: 0, 1 = as expected, NL in the benchmark strip
SUPPRESSED_COLOR = "#e5e5e5"
TEXT_COLOR = "#262626"
MUTED_TEXT_COLOR = "#525252"  # notes inside a chart (4.5:1 or more on white)
GRID_COLOR = "#d4d4d4"  # the radar's rings and spokes
FADED_COLOR = "#bbbbbb"  # many background lines (the other schools)
MAP_SCHEME = "blues"  # sequential light → dark blue (ColorBrewer), colour-blind safe
SIG_SYMBOL = {"hoger": "▲", "lager": "▼"}
SIG_NOTE = "▲ / ▼: significant hoger / lager dan Nederland (95%-betrouwbaarheidsinterval)."
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
ROLE_ORDER = {"regio": 0, "nl": 1, "lid": 2}
SLOT = "jeugdmonitor:"  # URL prefix of a data slot in a template, filled in per render


def topojson_inline(text: str, feature: str) -> dict[str, Any]:
    """TopoJSON text as inline chart data (offline files; the app passes a URL instead)."""
    return {"values": text, "format": {"type": "topojson", "feature": feature}}


def topojson_url(url: str, feature: str) -> dict[str, Any]:
    """TopoJSON at a URL, which the browser fetches once and then serves from its cache."""
    return {"url": url, "format": {"type": "topojson", "feature": feature}}


class Assets:
    """Where big, region-independent chart data lives. This default inlines it in every spec.

    The app subclasses it (`jeugdmonitor.app.transport.AppAssets`) to serve the TopoJSON and the map
    tables by URL (published once per process), so a region change does not resend them.
    """

    def geo(
        self, level: str, text: Callable[[], str], feature: str | None = None
    ) -> dict[str, Any]:
        """Vega-Lite data for the TopoJSON of a map level (`text` gives its content).

        `feature` is the TopoJSON object to draw when it is not named like the level (the wijken of
        one gemeente: level `wijk_GM0344`, object `wijk`).
        """
        return topojson_inline(text(), feature or level)

    def table(self, key: Any, text: Callable[[], str]) -> dict[str, Any] | str:
        """A region-independent table: inline JSON text, or Vega-Lite URL data."""
        return text()


Data = pl.DataFrame | str | dict[str, Any]
"""A dataset: a polars frame, a JSON array as text, or a Vega-Lite data dict (e.g. a URL)."""

_FLOAT_DIGITS = 5  # fractions to 5 decimals: more than any label or tooltip shows


def _slot(name: str) -> str:
    return json.dumps({"url": SLOT + name}, separators=(",", ":"))


def _short(*columns: str) -> pl.Expr:
    """Fraction columns rounded as `_json_rows` would, inside a builder's own select (one polars
    operation instead of two; the builder then passes the JSON text)."""
    return pl.col(*columns).round(_FLOAT_DIGITS)


def _json_rows(value: pl.DataFrame | str) -> str:
    if isinstance(value, str):
        return value
    return value.with_columns(cs.float().round(_FLOAT_DIGITS)).write_json()


# ---------------------------------------------------------------------------------------- spec


@dataclass(frozen=True, eq=False)
class Spec:
    """A Vega-Lite chart: a compiled template plus this render's data and description.

    `slots` fill the template's placeholder data sources (`alt.UrlData(SLOT + name)`): a frame
    or JSON text becomes a named inline dataset, a dict (e.g. a URL) is used as it is. Other
    `datasets` are referred to by name (`alt.NamedData`). A Spec displays itself in marimo
    (`_mime_`) and Jupyter, and serialises with `to_json` / `to_dict`.
    """

    template: str
    datasets: Mapping[str, pl.DataFrame | str]
    description: str
    slots: Mapping[str, Data] = field(default_factory=dict)
    _json: list[str] = field(default_factory=list, repr=False)

    def _fill(self) -> tuple[str, dict[str, str]]:
        """This render's inline datasets (JSON object text) and slot name → replacement JSON."""
        inline = dict(self.datasets)
        fills: dict[str, str] = {}
        for name, value in self.slots.items():
            if isinstance(value, dict):
                fills[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            else:
                inline[name] = value
                fills[name] = json.dumps({"name": name})
        data = ",".join(f"{json.dumps(k)}:{_json_rows(v)}" for k, v in inline.items())
        return f"{{{data}}}", fills

    def to_json(self) -> str:
        """The complete Vega-Lite JSON (computed once)."""
        if self._json:
            return self._json[0]
        data, fills = self._fill()
        body = self.template
        for name, replacement in fills.items():
            body = body.replace(_slot(name), replacement)
        text = (
            f'{{"description":{json.dumps(self.description, ensure_ascii=False)},'
            f'"datasets":{data},{body[1:]}'
        )
        self._json.append(text)
        return text

    def payload_json(self) -> str:
        """This render without its template: description, datasets and slot fillers as JSON.

        The app sends this (packed) plus the template's URL; its browser runtime
        (`jeugdmonitor/static/app.js`) replaces each slot `{"url":"jeugdmonitor:NAME"}` of the
        template by `slots[NAME]` and adds the datasets, giving exactly `to_json()`.
        """
        data, fills = self._fill()
        slots = ",".join(f"{json.dumps(k)}:{v}" for k, v in fills.items())
        return (
            f'{{"description":{json.dumps(self.description, ensure_ascii=False)},'
            f'"datasets":{data},"slots":{{{slots}}}}}'
        )

    def to_dict(self) -> dict[str, Any]:
        """The Vega-Lite spec as a dict (e.g. for tests or for embedding in a report)."""
        return json.loads(self.to_json())

    def to_altair(self) -> alt.TopLevelMixin:
        """The chart as an Altair object (slow: only to compose it with other charts)."""
        spec = self.to_dict()
        kind = alt.LayerChart if "layer" in spec else alt.Chart
        return kind.from_dict(spec, validate=False)

    def _mime_(self) -> tuple[str, str]:
        return "application/vnd.vegalite.v6+json", self.to_json()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"application/vnd.vegalite.v6+json": self.to_dict()}


@functools.cache
def format_locale() -> dict[str, Any]:
    """d3 number format for nl-NL (decimal comma), from vl-convert: no network needed."""
    import vl_convert as vlc

    return dict(vlc.get_format_locale("nl-NL"))


@functools.cache
def _embed_options() -> dict[str, Any]:
    """vega-embed options: the Dutch number format and the export menu only."""
    return {
        "formatLocale": format_locale(),
        "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    }


def _compile(chart: alt.TopLevelMixin) -> str:
    """Apply the shared look and the Dutch locale, and compile to compact template JSON."""
    chart = (
        chart.properties(usermeta={"embedOptions": _embed_options()})
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12, titleFontWeight="normal")
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=360, symbolSize=120)
        .configure_view(stroke=None)
    )
    spec = chart.to_dict(validate=False)
    spec.pop("datasets", None)
    return json.dumps(spec, separators=(",", ":"), ensure_ascii=False)


def _dutch(chart: alt.TopLevelMixin, description: str) -> alt.TopLevelMixin:
    """A plain Altair chart with a description, the shared font and the Dutch number format."""
    return chart.properties(
        description=description, usermeta={"embedOptions": _embed_options()}
    ).configure(font=FONT)


def _two_lines(longer_than: int, within: int) -> str:
    """Vega expression: a label longer than `longer_than` characters breaks at its last space in
    the first `within` characters (two lines)."""
    cut = f"lastindexof(substring(datum.label, 0, {within}), ' ')"
    return (
        f"length(datum.label) > {longer_than} && {cut} > 0 ? "
        f"[substring(datum.label, 0, {cut}), substring(datum.label, {cut} + 1)] : datum.label"
    )


def _ordered_y(field: str, label_limit: int) -> alt.Y:
    """A y axis of rows in the data's `order` (not alphabetical), labels up to `label_limit` px."""
    return alt.Y(
        f"{field}:N",
        sort=alt.EncodingSortField(field="order", op="min"),
        title=None,
        axis=alt.Axis(labelLimit=label_limit),
    )


def _rows(name: str = "rows") -> alt.NamedData:
    return alt.NamedData(name=name)


RANGE_MARK = "alleen bereik"  # after the interval of an estimate shown as a range only


def _marks() -> dict[str, pl.Expr]:
    """`sig` (▲/▼ or ''), `note` (for suppressed rows) and `rolorder` (region, NL, members)."""
    return {
        "sig": pl.col("significant")
        .cast(pl.String)
        .replace_strict(SIG_SYMBOL, default="", return_dtype=pl.String)
        .alias("sig"),
        "note": pl.when(pl.col("rate").is_null())
        .then(pl.lit("te weinig waarnemingen"))
        .otherwise(pl.lit(""))
        .alias("note"),
        "rolorder": _rolorder(),
    }


def _rolorder() -> pl.Expr:
    return (
        pl.col("rol").replace_strict(ROLE_ORDER, default=3, return_dtype=pl.Int8).alias("rolorder")
    )


def _tooltip(label: str = "Percentage") -> list[alt.Tooltip]:
    return [
        alt.Tooltip("gebied:N", title="Regio"),
        alt.Tooltip("rate:Q", title=label, format=".1%"),
        alt.Tooltip("ci_low:Q", title="95%-BI ondergrens", format=".1%"),
        alt.Tooltip("ci_high:Q", title="95%-BI bovengrens", format=".1%"),
        alt.Tooltip("numerator:Q", title="Aantal", format=",.0f"),
        alt.Tooltip("denominator:Q", title="Totaal", format=",.0f"),
    ]


_BY_ROLE = alt.EncodingSortField(field="rolorder", op="min")


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


def _percent_axis(**kwargs: Any) -> alt.Axis:
    """A percentage axis whose ticks never repeat ('1% 1%') or run together ('18%20%'): as many
    ticks as fit (one per ~45 px) and labels with as many decimals as the tick step needs."""
    return alt.Axis(format="~%", labelOverlap="greedy", labelSeparation=6, **kwargs)


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


# ============================================================================================
# Expected use (model) and benchmarks: ventiles, ratios, coefficients, the benchmark
# strip; templates like the charts above, in the same palette. The scatter and the residual
# map at the end are drawn only in notebooks/expected_use.py and stay plain Altair charts.
# ============================================================================================

SIGNAL_COLOURS = {
    "hoger dan verwacht": HIGHLIGHT_COLOR,
    "lager dan verwacht": REGION_COLOR,
    "niet duidelijk anders": CONTEXT_COLOR,
}
STRIP_KINDS = {  # benchmark strip: kind of row → colour
    "gemeente": HIGHLIGHT_COLOR,
    "previous": REGION_COLOR,
    "peer": OTHER_COLOR,
    "peers": OTHER_COLOR,
    "jeugdregio": CONTEXT_COLOR,
    "provincie": CONTEXT_COLOR,
    "nederland": REFERENCE_COLOR,
}
_ZERO = '[{"v":0}]'  # one-row dataset for reference rules (inline data would not survive _compile)
_ONE = '[{"v":1}]'


def _signal_colour() -> alt.Color:
    """Colour by 'hoger' / 'lager dan verwacht' / 'niet duidelijk anders', legend below."""
    return alt.Color(
        "signal_label:N",
        title="Verschil",
        scale=alt.Scale(domain=list(SIGNAL_COLOURS), range=list(SIGNAL_COLOURS.values())),
        legend=alt.Legend(orient="bottom"),
    )


@functools.lru_cache(maxsize=32)
def _ventile_template(level_label: str, label_side: str) -> str:
    """`label_side`: 'left' / 'right' of the highlighted bar for the region's name, or 'none'."""
    bar = (
        alt.Chart(_rows())
        .mark_bar()
        .encode(
            x=alt.X(
                "group:O",
                title=f"Groep ({level_label} van laagste naar hoogste verschil)",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y(
                "mean:Q", title="Werkelijk − verwacht (procentpunt)", axis=alt.Axis(format="+.2f")
            ),
            color=alt.Color("fill:N", scale=None),
            tooltip=[
                alt.Tooltip("group:O", title="Groep"),
                alt.Tooltip("mean:Q", title="Gemiddeld verschil (procentpunt)", format="+.2f"),
                alt.Tooltip("min:Q", title="Kleinste verschil", format="+.2f"),
                alt.Tooltip("max:Q", title="Grootste verschil", format="+.2f"),
                alt.Tooltip("n_regions:Q", title="Aantal regio's in de groep"),
            ],
        )
    )
    zero = alt.Chart(_rows("zero")).mark_rule(color=REFERENCE_COLOR, aria=False).encode(y="v:Q")
    layers = [bar, zero]
    if label_side != "none":
        # The region's bar is marked by a thin leader line up to its name (no ▲/▼: those mean
        # 'significantly higher/lower than NL' everywhere else). Long names must not run off the
        # chart: on the right half the text ends at the line, on the left half it starts there.
        right = label_side == "right"
        pointer = alt.Chart(_rows("label"))
        layers.append(
            pointer.mark_rule(color=HIGHLIGHT_COLOR, strokeWidth=1.5, aria=False).encode(
                x="group:O", y="top:Q", y2="label_y:Q"
            )
        )
        layers.append(
            pointer.mark_text(
                dy=-3,
                dx=3 if right else -3,
                fontSize=12,
                fontWeight="bold",
                color=HIGHLIGHT_TEXT_COLOR,
                align="right" if right else "left",
                baseline="bottom",
            ).encode(x="group:O", y="label_y:Q", text="label:N")
        )
    # narrow enough that two share a row on paper with their text at 7 pt or more
    return _compile(alt.layer(*layers).properties(width=320, height=170))


def ventile_chart(bars: pl.DataFrame, region_name: str | None, level_label: str) -> Spec:
    """The NJi ventile chart: one bar per group (mean of actual − expected, percentage points).

    `bars` has group, mean, min, max, n_regions and `highlight` (True for the bar that holds the
    chosen region). The highlighted bar is coloured and labelled with the region's name.
    """
    n = bars.height
    flags = bars["highlight"].to_list()
    marked = flags.index(True) if region_name and True in flags else None
    group = int(bars["group"][marked]) if marked is not None else None
    where = (
        f"De gemarkeerde staaf (groep {group} van {n}) bevat {region_name}."
        if group is not None
        else "Geen staaf is gemarkeerd."
    )
    description = (
        f"Staafdiagram met {n} staven: {level_label} geordend van laagste naar hoogste verschil "
        f"tussen werkelijk en verwacht jeugdzorggebruik (procentpunt); elke staaf is het "
        f"gemiddelde van een groep. {where}"
    )
    rows = bars.select(
        "group",
        _short("mean", "min", "max"),
        "n_regions",
        fill=pl.when(pl.col("highlight"))
        .then(pl.lit(HIGHLIGHT_COLOR))
        .otherwise(pl.lit(OTHER_COLOR)),
    ).write_json()
    datasets: dict[str, pl.DataFrame | str] = {"rows": rows, "zero": _ZERO}
    side = "none"
    if group is not None:
        side = "right" if group > n / 2 else "left"
        top = max(float(bars["mean"][marked] or 0.0), 0.0)
        low = min(float(bars["mean"].min() or 0.0), 0.0)
        high = max(float(bars["mean"].max() or 0.0), 0.0)
        label_y = top + 0.18 * ((high - low) or 1.0)  # the line's length: a share of the axis
        datasets["label"] = json.dumps(
            [{"group": group, "top": top, "label_y": label_y, "label": region_name}],
            ensure_ascii=False,
        )
    return Spec(_ventile_template(level_label, side), datasets, description)


@functools.lru_cache(maxsize=4)
def _ratio_template() -> str:
    scale = alt.Scale(type="log", nice=False)
    base = alt.Chart(_rows()).encode(
        y=alt.Y("short:N", sort=alt.EncodingSortField(field="volgorde", op="min"), title=None)
    )
    colour = _signal_colour()
    # invisible: spans the padded domain, so the interval ends stay clear of the chart's edge
    room = base.mark_rule(opacity=0, aria=False).encode(
        x=alt.X("pad_low:Q", scale=scale, title="Werkelijk / verwacht (log-schaal)"),
        x2="pad_high:Q",
    )
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ratio_ci_low:Q", scale=scale), x2="ratio_ci_high:Q", color=colour
    )
    tooltip = [
        alt.Tooltip("label:N", title="Zorgvorm"),
        alt.Tooltip("ratio:Q", title="Werkelijk / verwacht", format=".2f"),
        alt.Tooltip("ratio_ci_low:Q", title="95%-interval van", format=".2f"),
        alt.Tooltip("ratio_ci_high:Q", title="95%-interval tot", format=".2f"),
        alt.Tooltip("signal_label:N", title="Verschil"),
    ]
    point = base.mark_point(filled=True, size=70).encode(
        x=alt.X("ratio:Q", scale=scale), color=colour, tooltip=tooltip
    )
    one = (
        alt.Chart(_rows("one"))
        .mark_rule(color=REFERENCE_COLOR, strokeDash=[4, 3], aria=False)
        .encode(x=alt.X("v:Q", scale=scale))
    )
    return _compile(
        alt.layer(room, one, interval, point).properties(width=420, height=alt.Step(24))
    )


def ratio_chart(rows: pl.DataFrame, region_name: str) -> Spec:
    """Forest plot of actual/expected per care form with its 95% interval (log scale, 1 = as expected).

    `rows` has short, label, ratio, ratio_ci_low, ratio_ci_high and signal_label, in display
    order; suppressed rows have null ratios and are left out by Vega-Lite.
    """
    description = (
        f"Puntdiagram: per zorgvorm het werkelijke gebruik in {region_name} gedeeld door het "
        "verwachte gebruik, met 95%-interval. Een waarde van 1 betekent precies zoals verwacht."
    )
    low = rows["ratio_ci_low"].min()
    high = rows["ratio_ci_high"].max()
    data = rows.select(
        "short",
        "label",
        "ratio",
        "ratio_ci_low",
        "ratio_ci_high",
        "signal_label",
        volgorde=pl.int_range(pl.len()),
        pad_low=pl.lit(0.92 * min(0.5, low if low is not None else 0.5)),
        pad_high=pl.lit(1.08 * max(2.0, high if high is not None else 2.0)),
    )
    return Spec(_ratio_template(), {"rows": data, "one": _ONE}, description)


COEFFICIENT_PANEL = 185  # px per predictor: its Dutch label and axis title fit in browser fonts
COEFFICIENT_COLUMNS = 3  # panels per row: seven predictors on three rows, ~750 px (a card is ~830)


@functools.lru_cache(maxsize=8)
def _coefficient_template(low: float, high: float, panels: tuple[str, ...]) -> str:
    ticks = [t for t in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0) if low <= t <= high]
    scale = alt.Scale(type="log", domain=[low, high], nice=False)
    base = alt.Chart().encode(
        y=alt.Y("short:N", sort=alt.EncodingSortField(field="volgorde", op="min"), title=None)
    )
    interval = base.mark_rule(color=REGION_COLOR, strokeWidth=2).encode(
        x=alt.X(
            "or_ci_low:Q",
            scale=scale,
            title="Odds ratio per SD (log-schaal)",
            # 7 ticks and a title in one narrow panel: smaller type than the shared look
            axis=alt.Axis(values=ticks, format=".2~f", labelFontSize=12, titleFontSize=12),
        ),
        x2="or_ci_high:Q",
    )
    point = base.mark_point(filled=True, size=50, color=REGION_COLOR).encode(
        x=alt.X("odds_ratio:Q", scale=scale),
        tooltip=[
            alt.Tooltip("short:N", title="Zorgvorm"),
            alt.Tooltip("label:N", title="Kenmerk"),
            alt.Tooltip("odds_ratio:Q", title="Odds ratio per SD", format=".2f"),
            alt.Tooltip("or_ci_low:Q", title="95%-interval van", format=".2f"),
            alt.Tooltip("or_ci_high:Q", title="95%-interval tot", format=".2f"),
            alt.Tooltip("sd:Q", title="1 SD van het kenmerk", format=".2f"),
        ],
    )
    # a reference line, not data: screen readers skip it (the description names it)
    one = (
        alt.Chart()
        .mark_rule(color=REFERENCE_COLOR, strokeDash=[4, 3], aria=False)
        .encode(x=alt.datum(1.0))
    )
    chart = (
        alt.layer(one, interval, point, data=_rows())
        .properties(width=COEFFICIENT_PANEL, height=alt.Step(20))
        .facet(
            facet=alt.Facet(
                "label:N",
                title=None,
                sort=list(panels),
                header=alt.Header(
                    labelFontSize=12, labelLimit=COEFFICIENT_PANEL, labelExpr=_two_lines(26, 24)
                ),
            ),
            columns=COEFFICIENT_COLUMNS,
        )
        # every panel its own x axis: in a wrapped grid the shared one sits under the last row
        # only, and under an empty cell when the panels do not fill it
        .resolve_axis(x="independent")
    )
    return _compile(chart)


def coefficient_chart(coefficients: pl.DataFrame) -> Spec:
    """Odds ratio per standard deviation of each predictor, per care form, with 95% intervals.

    `coefficients` has short (care form), label (predictor), odds_ratio, or_ci_low, or_ci_high
    and sd; the intercept must already be removed. Rows are shown in the order given.
    """
    description = (
        "Puntdiagram per achtergrondkenmerk: de odds ratio per standaarddeviatie van dat kenmerk, "
        "voor elke zorgvorm, met 95%-interval. Boven 1 betekent meer verwacht gebruik bij een "
        "hogere waarde van het kenmerk, gegeven de andere kenmerken."
    )
    order = {s: i for i, s in enumerate(dict.fromkeys(coefficients["short"].to_list()))}
    panels = tuple(dict.fromkeys(coefficients["label"].to_list()))
    low = min(0.5, float(coefficients["or_ci_low"].min()))
    high = max(2.0, float(coefficients["or_ci_high"].max()))
    data = coefficients.select(
        "short",
        "label",
        "odds_ratio",
        "or_ci_low",
        "or_ci_high",
        "sd",
        volgorde=pl.col("short").replace_strict(order, return_dtype=pl.Int32),
    )
    return Spec(_coefficient_template(low, high, panels), {"rows": data}, description)


QUALITY_MEASURES = {  # quality chart: measure → colour
    "model met kenmerken": REGION_COLOR,
    "zonder kenmerken": CONTEXT_COLOR,
}


@functools.lru_cache(maxsize=4)
def _quality_template(low: float, high: float) -> str:
    y = alt.Y("model:N", sort=alt.EncodingSortField(field="volgorde", op="min"), title=None,
              axis=alt.Axis(labelLimit=240))  # fmt: skip
    x = alt.X(
        "value:Q",
        title="R² buiten de steekproef, gewogen naar jeugdigen",
        scale=alt.Scale(domain=[low, high], nice=False),
        axis=_percent_axis(),
    )
    bars = (
        alt.Chart(_rows())
        .mark_bar(height=alt.RelativeBandSize(0.9))
        .encode(
            y=y,
            yOffset=alt.YOffset("measure:N", sort=list(QUALITY_MEASURES)),
            x=x,
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(
                    domain=list(QUALITY_MEASURES), range=list(QUALITY_MEASURES.values())
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("model:N", title="Model"),
                alt.Tooltip("measure:N", title="Variant"),
                alt.Tooltip("value:Q", title="R² (gewogen)", format=".1%"),
            ],
        )
    )
    zero = alt.Chart(_rows("zero")).mark_rule(color=REFERENCE_COLOR).encode(x="v:Q")
    published = alt.Chart(_rows("published"))
    rule = published.mark_rule(color=HIGHLIGHT_COLOR, strokeDash=[4, 3]).encode(x="v:Q")
    label = published.mark_text(
        align="right", baseline="top", dx=-4, dy=2, fontSize=12, color=HIGHLIGHT_COLOR
    ).encode(x="v:Q", y=alt.value(0), text="label:N")
    return _compile(alt.layer(bars, zero, rule, label).properties(width=420, height=alt.Step(16)))


def quality_chart(quality: pl.DataFrame, published: float) -> Spec:
    """Out-of-sample R² (weighted) per model next to the model without predictors, and the
    published wijk model's share as a dashed line.

    `quality` has model, r2_weighted and r2_weighted_baseline, in display order.
    """
    description = (
        "Staafdiagram: per model het deel van de verschillen (R², gewogen naar jeugdigen) dat het "
        "buiten de steekproef voorspelt, naast een model zonder kenmerken; de stippellijn is het "
        f"gepubliceerde wijkmodel met microdata ({f'{100 * published:.1f}'.replace('.', ',')}%)."
    )
    rows = pl.concat(
        quality.select(
            "model",
            volgorde=pl.int_range(pl.len()),
            measure=pl.lit(measure),
            value=pl.col(column).round(_FLOAT_DIGITS),
        )
        for measure, column in zip(
            QUALITY_MEASURES, ("r2_weighted", "r2_weighted_baseline"), strict=True
        )
    )
    low = min(-0.1, float(rows["value"].min()) - 0.02)
    high = max(0.7, float(rows["value"].max()) + 0.05)
    label = json.dumps(
        [
            {
                "v": published,
                "label": "gepubliceerd wijkmodel met microdata: "
                + f"{100 * published:.1f}%".replace(".", ","),
            }
        ],
        ensure_ascii=False,
    )
    datasets = {"rows": rows.write_json(), "zero": _ZERO, "published": label}
    return Spec(_quality_template(round(low, 2), round(high, 2)), datasets, description)


@functools.lru_cache(maxsize=64)
def _strip_template(title_value: str, with_own_line: bool, with_notes: bool) -> str:
    colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=list(STRIP_KINDS), range=list(STRIP_KINDS.values())),
        legend=None,
    )
    y = _ordered_y("row", 260)
    x = alt.X("rate:Q", title=title_value, axis=_percent_axis(), scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("name:N", title="Regio"),
        alt.Tooltip("year:O", title="Jaar"),
        alt.Tooltip("rate:Q", title="Percentage", format=".1%"),
        alt.Tooltip("ci_low:Q", title="95%-interval van", format=".1%"),
        alt.Tooltip("ci_high:Q", title="95%-interval tot", format=".1%"),
        alt.Tooltip("count_label:N", title="Aantal"),
    ]
    base = alt.Chart(_rows()).encode(y=y)
    layers = []
    if with_own_line:  # the gemeente's own value as a dashed line through every row
        layers.append(
            alt.Chart(_rows())
            .transform_filter("datum.kind === 'gemeente' && isValid(datum.rate)")
            .mark_rule(color=HIGHLIGHT_COLOR, strokeDash=[4, 3], opacity=0.7, aria=False)
            .encode(x=alt.X("rate:Q"))
        )
    layers += [
        base.mark_rule(strokeWidth=2).encode(x=alt.X("ci_low:Q"), x2="ci_high:Q", color=colour),
        base.mark_point(filled=True, size=80, opacity=0.9).encode(
            x=x, color=colour, tooltip=tooltip
        ),
    ]
    if with_notes:
        layers.append(
            alt.Chart(_rows("notes"))
            .mark_text(align="right", fontSize=12, color=MUTED_TEXT_COLOR, fontStyle="italic")
            .encode(y=y, x=alt.value(416), text="note:N")
        )
    return _compile(alt.layer(*layers).properties(width=420, height=alt.Step(22)))


def benchmark_strip_chart(rows: pl.DataFrame, title_value: str) -> Spec:
    """Benchmark strip: the gemeente against peers, its jeugdregio, provincie, NL and earlier years.

    `rows` has row (y label), order, kind, name, year, rate, ci_low, ci_high, suppressed and
    count_label; kind is one of STRIP_KINDS. A row whose values are all suppressed says so.
    """
    kinds, names, rates = rows["kind"].to_list(), rows["name"].to_list(), rows["rate"].to_list()
    me = kinds.index("gemeente") if "gemeente" in kinds else None
    description = (
        f"Puntdiagram van {title_value[:1].lower()}{title_value[1:]}: de gemeente ({names[me] if me is not None else ''}) "
        "naast vergelijkbare gemeenten, de eigen jeugdregio, de provincie, Nederland en eerdere "
        "jaren, elk met een 95%-interval."
    )
    # per y row (in order): how many of its values are suppressed
    hidden: dict[str, list[int]] = {}
    for label, order, suppressed in rows.select("row", "order", "suppressed").iter_rows():
        counts = hidden.setdefault(label, [order, 0, 0])
        counts[1] += bool(suppressed)
        counts[2] += 1
    notes = [
        {
            "row": label,
            "order": order,
            # a pooled row is also hidden when it would reveal a hidden peer's count
            "note": "niet getoond (aantal < 10 of daaruit af te leiden)"
            if n_hidden == n
            else f"{n_hidden} van {n} niet getoond (aantal < 10 of daaruit af te leiden)",
        }
        for label, (order, n_hidden, n) in hidden.items()
        if n_hidden
    ]
    # `code` lets a click on a region's row choose that region in the app
    code = [pl.col("region_code").alias("code")] if "region_code" in rows.columns else []
    data = rows.select(
        "row",
        "order",
        "kind",
        "name",
        *code,
        "year",
        _short("rate", "ci_low", "ci_high"),
        "count_label",
    ).write_json()
    datasets: dict[str, pl.DataFrame | str] = {"rows": data}
    if notes:
        datasets["notes"] = json.dumps(notes, ensure_ascii=False)
    with_own_line = me is not None and rates[me] is not None
    return Spec(_strip_template(title_value, with_own_line, bool(notes)), datasets, description)


def observed_expected_scatter(points: pl.DataFrame, title_value: str) -> alt.LayerChart:
    """Actual against expected share per gemeente, with the line actual = expected.

    `points` has name, expected_rate, rate, signal_label (suppressed rows have a null rate).
    """
    description = (
        f"Spreidingsdiagram van {title_value}: per gemeente het verwachte percentage (horizontaal) "
        "tegen het werkelijke percentage (verticaal). Punten boven de diagonaal gebruiken meer "
        "dan verwacht."
    )
    shown = points.filter(pl.col("rate").is_not_null())
    top = max(float(shown["rate"].max() or 0), float(shown["expected_rate"].max() or 0)) * 1.05
    scale = alt.Scale(domain=[0, top], nice=False)
    colour = _signal_colour()
    dots = (
        alt.Chart(shown)
        .mark_circle(size=30, opacity=0.7)
        .encode(
            x=alt.X("expected_rate:Q", title="Verwacht", axis=alt.Axis(format=".1%"), scale=scale),
            y=alt.Y("rate:Q", title="Werkelijk", axis=alt.Axis(format=".1%"), scale=scale),
            color=colour,
            tooltip=[
                alt.Tooltip("name:N", title="Gemeente"),
                alt.Tooltip("rate:Q", title="Werkelijk", format=".2%"),
                alt.Tooltip("expected_rate:Q", title="Verwacht", format=".2%"),
                alt.Tooltip("signal_label:N", title="Verschil"),
            ],
        )
    )
    diagonal = (
        alt.Chart(pl.DataFrame({"v": [0.0, top]}))
        .mark_line(color=REFERENCE_COLOR, strokeDash=[4, 3])
        .encode(x=alt.X("v:Q", scale=scale), y=alt.Y("v:Q", scale=scale))
    )
    return _dutch(alt.layer(diagonal, dots).properties(width=380, height=380), description)


def residual_map(values: pl.DataFrame, topojson: str, layer: str, title_value: str) -> alt.Chart:
    """Choropleth of actual/expected per region (diverging around 1, log scale, clamped 0.5-2).

    `values` has code, name, ratio (null = suppressed, drawn grey) and count_label; `topojson` is
    the compact TopoJSON text of the level whose object `layer` has feature ids equal to the codes.
    """
    description = (
        f"Kaart van {title_value}: per regio het werkelijke gebruik gedeeld door het verwachte. "
        "Oranje is meer dan verwacht, blauw minder; grijs betekent te kleine aantallen."
    )
    shapes = alt.InlineData(values=topojson, format=alt.DataFormat(type="topojson", feature=layer))
    lookup = alt.LookupData(data=values, key="code", fields=["name", "ratio", "count_label"])
    colour = alt.condition(
        "isValid(datum.ratio)",
        alt.Color(
            "ratio:Q",
            title="Werkelijk / verwacht",
            scale=alt.Scale(
                type="log", domain=[0.5, 2], domainMid=1, scheme="blueorange", clamp=True
            ),
            legend=alt.Legend(format=".2~f", values=[0.5, 0.67, 1, 1.5, 2]),
        ),
        alt.value(SUPPRESSED_COLOR),
    )
    chart = (
        alt.Chart(shapes)
        .mark_geoshape(stroke="white", strokeWidth=0.3)
        .transform_calculate(code="datum.id")
        .transform_lookup(lookup="code", from_=lookup)
        .encode(
            color=colour,
            tooltip=[
                alt.Tooltip("name:N", title="Regio"),
                alt.Tooltip("ratio:Q", title="Werkelijk / verwacht", format=".2f"),
                alt.Tooltip("count_label:N", title="Aantal"),
            ],
        )
        .project("mercator")
        .properties(width=420, height=480)
    )
    return _dutch(chart, description)


# ============================================================================================
# School linkage (notebooks/school_linkage.py): Grafiek 1 and 2, the school benchmark
# and the category mix. Builders take the frames of `jeugdmonitor.analysis.linkage.views` (suppressed and
# rounded) and return plain Altair charts: the notebook draws each once per choice.
# ============================================================================================

SCHOOL_STATUS = {  # Grafiek 2: a school's mark → colour (the last one recedes)
    "stijgend en boven drempel": HIGHLIGHT_COLOR,
    "stijgend": PURPLE,
    "boven drempel": REGION_COLOR,
    "overige scholen": FADED_COLOR,
}
SCHOOL_RATE_TITLE = "Jeugdhulpcliënten per 100 leerlingen"
SCHOOL_WIDTH = 560
_OTHER_SCHOOLS = "overige scholen"


def _number_text(value: float) -> str:
    """'20' or '2,5': a number for a chart description."""
    return f"{value:g}".replace(".", ",")


def school_type_trend(data: pl.DataFrame) -> alt.Chart:
    """Grafiek 1: trend of clients per 100 pupils per school type (click the legend to filter)."""
    order = data.unique("onderwijssoort", maintain_order=True).get_column("schooltype").to_list()
    pick = alt.selection_point(fields=["schooltype"], bind="legend")
    description = (
        "Lijndiagram: jeugdhulpcliënten per 100 leerlingen per schooljaar, één lijn per "
        f"schooltype ({', '.join(order)}). Klik in de legenda op een schooltype om dat uit te "
        "lichten; ontbrekende punten zijn onderdrukt."
    )
    chart = (
        alt.Chart(data, title="Grafiek 1: jeugdhulpcliënten per 100 leerlingen naar schooltype")
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("jaar:O", title="Schooljaar", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("clienten_per_100:Q", title=SCHOOL_RATE_TITLE),
            color=alt.Color(
                "schooltype:N",
                sort=order,
                scale=alt.Scale(domain=order, range=list(CATEGORY_COLORS)),
                legend=alt.Legend(title="Schooltype (klik om te filteren)", labelLimit=260),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
            tooltip=[
                alt.Tooltip("schooltype:N", title="Schooltype"),
                alt.Tooltip("jaar:O", title="Schooljaar"),
                alt.Tooltip("clienten_per_100:Q", title="Per 100 leerlingen", format=".1f"),
                alt.Tooltip("clienten:Q", title="Cliënten (afgerond op 5)"),
                alt.Tooltip("leerlingen:Q", title="Leerlingen (afgerond op 5)"),
            ],
        )
        .add_params(pick)
        .properties(width=SCHOOL_WIDTH, height=320)
    )
    return _dutch(chart, description)


def school_trend(data: pl.DataFrame, threshold: float, type_name: str) -> alt.LayerChart:
    """Grafiek 2: trend per school of one type; schools above the threshold or rising stand out."""
    tooltip = [
        alt.Tooltip("schoolnaam:N", title="School"),
        alt.Tooltip("jaar:O", title="Schooljaar"),
        alt.Tooltip("clienten_per_100:Q", title="Per 100 leerlingen", format=".1f"),
        alt.Tooltip("clienten:Q", title="Cliënten (afgerond op 5)"),
        alt.Tooltip("helling:Q", title="Trend per jaar", format="+.1f"),
        alt.Tooltip("status:N", title="Markering"),
    ]
    status = alt.Scale(domain=list(SCHOOL_STATUS), range=list(SCHOOL_STATUS.values()))
    base = alt.Chart(data).encode(
        x=alt.X("jaar:O", title="Schooljaar", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("clienten_per_100:Q", title=SCHOOL_RATE_TITLE),
        color=alt.Color(
            "status:N",
            scale=status,
            legend=alt.Legend(title="Markering", orient="bottom", direction="horizontal"),
        ),
        detail="school_id:N",
        tooltip=tooltip,
    )
    lines = base.mark_line(point=True).encode(
        strokeWidth=alt.condition(
            alt.datum.status == _OTHER_SCHOOLS, alt.value(1.2), alt.value(2.5)
        ),
        order=alt.Order("schooljaar:O"),
    )
    last_year = (
        data.drop_nulls("clienten_per_100")
        .group_by("school_id")
        .agg(pl.col("schooljaar").max().alias("laatste"))
    )
    flagged = data.join(last_year, on="school_id").filter(
        pl.col("schooljaar") == pl.col("laatste"), pl.col("status") != _OTHER_SCHOOLS
    )
    top = float(data.get_column("clienten_per_100").max() or 1.0)
    names = (
        alt.Chart(_spread_labels(flagged, "clienten_per_100", gap=top * 0.05))
        .mark_text(align="left", dx=7, fontSize=11)
        .encode(
            x="jaar:O",
            y=alt.Y("label_y:Q", title=SCHOOL_RATE_TITLE),
            text="schoolnaam:N",
            color=alt.Color("status:N", scale=status),
        )
    )
    rule = (
        alt.Chart(pl.DataFrame({"drempel": [threshold]}))
        .mark_rule(strokeDash=[5, 4], color=MUTED_TEXT_COLOR)
        .encode(y="drempel:Q", tooltip=[alt.Tooltip("drempel:Q", title="Drempel per 100")])
    )
    title = f"Grafiek 2: jeugdhulpcliënten per 100 leerlingen per school ({type_name})"
    description = (
        f"Lijndiagram: jeugdhulpcliënten per 100 leerlingen per schooljaar, één lijn per school "
        f"({type_name}). Gekleurd en met naam: {flagged.height} scholen die stijgen of in hun "
        f"laatste jaar boven de drempel van {_number_text(threshold)} per 100 zitten (de "
        "stippellijn); grijs: de overige scholen."
    )
    chart = (
        alt.layer(lines, names, rule, title=title)
        .properties(width=SCHOOL_WIDTH, height=340, padding={"right": 190})
        .configure_view(strokeWidth=0)
        .configure_axis(labelFontSize=11)
    )
    return _dutch(chart, description)


def _spread_labels(frame: pl.DataFrame, column: str, gap: float) -> pl.DataFrame:
    """Add `label_y`: the values pushed apart by at least `gap`, so end labels do not overlap."""
    ordered = frame.sort(column)
    placed: list[float] = []
    for value in ordered.get_column(column).to_list():
        placed.append(value if not placed else max(value, placed[-1] + gap))
    return ordered.with_columns(pl.Series("label_y", placed, dtype=pl.Float64))


def school_benchmark(data: pl.DataFrame, type_name: str, year_text: str) -> alt.LayerChart:
    """Benchmark: the chosen school against the other schools of its type (and the type rate)."""
    schools = data.filter(pl.col("niveau") == "school", pl.col("clienten_per_100").is_not_null())
    type_rate = data.filter(pl.col("niveau") == "schooltype").select("clienten_per_100")
    height = max(120, 16 * schools.height)
    chosen = schools.filter(pl.col("gekozen")).get_column("schoolnaam").to_list()
    where = (
        f"De gekozen school ({chosen[0]}) is oranje."
        if chosen
        else "De gekozen school ontbreekt: haar aantallen zijn te klein om te tonen."
    )
    bars = (
        alt.Chart(schools)
        .mark_bar()
        .encode(
            y=alt.Y("schoolnaam:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("clienten_per_100:Q", title=SCHOOL_RATE_TITLE),
            color=alt.condition(
                alt.datum.gekozen, alt.value(HIGHLIGHT_COLOR), alt.value(OTHER_COLOR)
            ),
            tooltip=[
                alt.Tooltip("schoolnaam:N", title="School"),
                alt.Tooltip("clienten_per_100:Q", title="Per 100 leerlingen", format=".1f"),
                alt.Tooltip("clienten:Q", title="Cliënten (afgerond op 5)"),
                alt.Tooltip("leerlingen:Q", title="Leerlingen (afgerond op 5)"),
            ],
        )
    )
    rule = (
        alt.Chart(type_rate)
        .mark_rule(color=REFERENCE_COLOR, strokeDash=[5, 4], strokeWidth=1.5)
        .encode(
            x="clienten_per_100:Q",
            tooltip=[
                alt.Tooltip("clienten_per_100:Q", title="Alle scholen van dit type", format=".1f")
            ],
        )
    )
    title = alt.Title(
        f"Benchmark {type_name}, {year_text}",
        subtitle=(
            "Oranje: gekozen school. "
            if chosen
            else "Gekozen school onderdrukt (te kleine aantallen). "
        )
        + "Stippellijn: alle scholen van dit type samen.",
    )
    description = (
        f"Staafdiagram: jeugdhulpcliënten per 100 leerlingen voor {schools.height} scholen "
        f"({type_name}, {year_text}), van hoog naar laag. {where} De stippellijn is alle scholen "
        "van dit type samen."
    )
    chart = alt.layer(bars, rule, title=title).properties(width=SCHOOL_WIDTH - 160, height=height)
    return _dutch(chart, description)


def school_mix(data: pl.DataFrame, title: str) -> alt.Chart:
    """Category mix (share in %) of one school next to its school type; suppressed bars marked."""
    shown = data.with_columns(pl.col("aandeel").fill_null(0.0).alias("balk"))
    base = alt.Chart(shown).encode(
        y=alt.Y(
            "label:N",
            sort=alt.EncodingSortField("volgorde", op="min"),
            title=None,
            axis=alt.Axis(labelLimit=260),
        ),
        yOffset=alt.YOffset("reeks:N", sort=["deze school", "alle scholen van dit type"]),
        tooltip=[
            alt.Tooltip("reeks:N", title="Reeks"),
            alt.Tooltip("label:N", title="Categorie"),
            alt.Tooltip("aandeel:Q", title="Aandeel (%)", format=".1f"),
            alt.Tooltip("aantal:Q", title="Aantal (afgerond op 5)"),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("balk:Q", title="Aandeel (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color(
            "reeks:N",
            sort=["deze school", "alle scholen van dit type"],
            scale=alt.Scale(range=[HIGHLIGHT_COLOR, REGION_COLOR]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
    )
    marks = (
        base.transform_filter(alt.datum.onderdrukt)
        .mark_text(align="left", baseline="middle", dx=3, fontSize=9, color=MUTED_TEXT_COLOR)
        .encode(x=alt.value(0), text=alt.value("• onderdrukt"))
    )
    description = (
        f"Staafdiagram: {title[:1].lower()}{title[1:]}; het aandeel per categorie (%) van deze "
        "school naast alle scholen van dit type. Te kleine aantallen zijn onderdrukt en gemarkeerd."
    )
    chart = alt.layer(bars, marks, title=title).properties(width=300, height=alt.Step(11))
    return _dutch(chart, description)
