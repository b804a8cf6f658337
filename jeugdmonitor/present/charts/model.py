"""Expected use and benchmarks: ventiles, ratios, coefficients, quality, the
benchmark strip, observed vs expected and the residual map."""

from __future__ import annotations

import functools
import json

import altair as alt
import polars as pl

from jeugdmonitor.present.charts.base import (
    _FLOAT_DIGITS,
    CONTEXT_COLOR,
    HIGHLIGHT_COLOR,
    HIGHLIGHT_TEXT_COLOR,
    MUTED_TEXT_COLOR,
    OTHER_COLOR,
    REFERENCE_COLOR,
    REGION_COLOR,
    SUPPRESSED_COLOR,
    Spec,
    _compile,
    _dutch,
    _ordered_y,
    _percent_axis,
    _rows,
    _short,
    _two_lines,
)

# ============================================================================================
# Expected use (model) and benchmarks: ventiles, ratios, coefficients, the benchmark
# strip; templates like the other chart modules, in the same palette. The scatter and the residual
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
