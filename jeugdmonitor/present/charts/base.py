"""What every chart module shares: the `Spec` (a chart shape compiled once to a JSON template),
`Assets`, the colours, the Dutch number format and small Altair helpers."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import polars as pl
import polars.selectors as cs

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


def _percent_axis(**kwargs: Any) -> alt.Axis:
    """A percentage axis whose ticks never repeat ('1% 1%') or run together ('18%20%'): as many
    ticks as fit (one per ~45 px) and labels with as many decimals as the tick step needs."""
    return alt.Axis(format="~%", labelOverlap="greedy", labelSeparation=6, **kwargs)
