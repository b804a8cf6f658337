"""Altair chart builders for the expected-use model and benchmarks (issue 5).

Every builder takes a prepared polars frame (no store, no files) and returns an Altair chart with
Dutch labels and a `description` (read by screen readers). Colours are from the Okabe-Ito palette,
which stays distinguishable with the common forms of colour blindness.
"""

from __future__ import annotations

import altair as alt
import polars as pl

# Okabe-Ito
HIGHLIGHT = "#D55E00"  # vermillion: the chosen region
PRIMARY = "#0072B2"  # blue: the region's own values
SECONDARY = "#56B4E9"  # sky blue: other regions / peers
NEUTRAL = "#999999"  # grey: context
REFERENCE = "#000000"  # black: Nederland / expected
SIGNAL_COLOURS = {
    "hoger dan verwacht": HIGHLIGHT,
    "lager dan verwacht": PRIMARY,
    "niet duidelijk anders": NEUTRAL,
}


def _signal_colour() -> alt.Color:
    """Colour by 'hoger' / 'lager dan verwacht' / 'niet duidelijk anders', legend below."""
    return alt.Color(
        "signal_label:N",
        title="Verschil",
        scale=alt.Scale(domain=list(SIGNAL_COLOURS), range=list(SIGNAL_COLOURS.values())),
        legend=alt.Legend(orient="bottom"),
    )


def ventile_chart(bars: pl.DataFrame, region_name: str | None, level_label: str) -> alt.Chart:
    """Seed 002's ventile chart: one bar per group (mean of actual − expected, percentage points).

    `bars` has group, mean, min, max, n_regions and `highlight` (True for the bar that holds the
    chosen region). The highlighted bar is coloured and labelled with the region's name.
    """
    n = bars.height
    marked = bars.filter(pl.col("highlight"))
    where = (
        f"De gemarkeerde staaf (groep {marked['group'][0]} van {n}) bevat {region_name}."
        if marked.height and region_name
        else "Geen staaf is gemarkeerd."
    )
    description = (
        f"Staafdiagram met {n} staven: {level_label} geordend van laagste naar hoogste verschil "
        f"tussen werkelijk en verwacht jeugdzorggebruik (procentpunt); elke staaf is het "
        f"gemiddelde van een groep. {where}"
    )
    base = alt.Chart(
        bars.with_columns(
            fill=pl.when(pl.col("highlight")).then(pl.lit(HIGHLIGHT)).otherwise(pl.lit(SECONDARY))
        )
    )
    y_title = "Werkelijk − verwacht (procentpunt)"
    bar = base.mark_bar().encode(
        x=alt.X(
            "group:O",
            title=f"Groep ({level_label} van laagste naar hoogste verschil)",
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("mean:Q", title=y_title, axis=alt.Axis(format="+.2f")),
        color=alt.Color("fill:N", scale=None),
        tooltip=[
            alt.Tooltip("group:O", title="Groep"),
            alt.Tooltip("mean:Q", title="Gemiddeld verschil (procentpunt)", format="+.2f"),
            alt.Tooltip("min:Q", title="Kleinste verschil", format="+.2f"),
            alt.Tooltip("max:Q", title="Grootste verschil", format="+.2f"),
            alt.Tooltip("n_regions:Q", title="Aantal regio's in de groep"),
        ],
    )
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color=REFERENCE).encode(y="y:Q")
    layers = [bar, zero]
    if marked.height and region_name:
        # Long names must not run off the chart: on the right half the text ends at the bar.
        right_half = int(marked["group"][0]) > n / 2
        text = f"{region_name} ▼" if right_half else f"▼ {region_name}"
        label = (
            alt.Chart(marked.with_columns(label=pl.lit(text)))
            .mark_text(
                dy=-8,
                dx=8 if right_half else -8,
                fontSize=12,
                fontWeight="bold",
                color=HIGHLIGHT,
                align="right" if right_half else "left",
                baseline="bottom",
            )
            .encode(
                x="group:O",
                y=alt.Y("top:Q"),
                text="label:N",
            )
            .transform_calculate(top="max(datum.mean, 0)")
        )
        layers.append(label)
    return alt.layer(*layers).properties(width=520, height=240, description=description)


def ratio_chart(rows: pl.DataFrame, region_name: str) -> alt.Chart:
    """Forest plot of actual/expected per care form with its 95% interval (log scale, 1 = as expected).

    `rows` has short, ratio, ratio_ci_low, ratio_ci_high and signal_label; suppressed rows have
    null ratios and are left out by Vega-Lite.
    """
    description = (
        f"Puntdiagram: per zorgvorm het werkelijke gebruik in {region_name} gedeeld door het "
        "verwachte gebruik, met 95%-interval. Een waarde van 1 betekent precies zoals verwacht."
    )
    order = rows["short"].to_list()
    lo = 0.92 * min([0.5, *(v for v in rows["ratio_ci_low"].to_list() if v is not None)])
    hi = 1.08 * max([2.0, *(v for v in rows["ratio_ci_high"].to_list() if v is not None)])
    scale = alt.Scale(type="log", domain=[lo, hi], nice=False)
    base = alt.Chart(rows).encode(y=alt.Y("short:N", sort=order, title=None))
    colour = _signal_colour()
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ratio_ci_low:Q", scale=scale, title="Werkelijk / verwacht (log-schaal)"),
        x2="ratio_ci_high:Q",
        color=colour,
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
        alt.Chart(pl.DataFrame({"x": [1.0]}))
        .mark_rule(color=REFERENCE, strokeDash=[4, 3])
        .encode(x=alt.X("x:Q", scale=scale))
    )
    return alt.layer(one, interval, point).properties(
        width=420, height=alt.Step(24), description=description
    )


def coefficient_chart(coefficients: pl.DataFrame) -> alt.Chart:
    """Odds ratio per standard deviation of each predictor, per care form, with 95% intervals.

    `coefficients` has short (care form), label (predictor), odds_ratio, or_ci_low, or_ci_high
    and sd; the intercept must already be removed.
    """
    description = (
        "Puntdiagram per achtergrondkenmerk: de odds ratio per standaarddeviatie van dat kenmerk, "
        "voor elke zorgvorm, met 95%-interval. Boven 1 betekent meer verwacht gebruik bij een "
        "hogere waarde van het kenmerk, gegeven de andere kenmerken."
    )
    order = list(dict.fromkeys(coefficients["short"].to_list()))
    panels = list(dict.fromkeys(coefficients["label"].to_list()))
    lo = min(0.5, float(coefficients["or_ci_low"].min()))
    hi = max(2.0, float(coefficients["or_ci_high"].max()))
    ticks = [t for t in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0) if lo <= t <= hi]
    scale = alt.Scale(type="log", domain=[lo, hi], nice=False)
    base = alt.Chart(coefficients).encode(y=alt.Y("short:N", sort=order, title=None))
    interval = base.mark_rule(color=PRIMARY, strokeWidth=2).encode(
        x=alt.X(
            "or_ci_low:Q",
            scale=scale,
            title="Odds ratio per SD (log-schaal)",
            axis=alt.Axis(values=ticks, format=".2~f"),
        ),
        x2="or_ci_high:Q",
    )
    point = base.mark_point(filled=True, size=50, color=PRIMARY).encode(
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
    one = alt.Chart().mark_rule(color=REFERENCE, strokeDash=[4, 3]).encode(x=alt.datum(1.0))
    return (
        alt.layer(one, interval, point, data=coefficients)
        .properties(width=150, height=alt.Step(20))
        .facet(
            column=alt.Column(
                "label:N", title=None, sort=panels, header=alt.Header(labelFontSize=11)
            )
        )
        .properties(description=description)
    )


def benchmark_strip_chart(rows: pl.DataFrame, title_value: str) -> alt.Chart:
    """Benchmark strip: the gemeente against peers, its jeugdregio, provincie, NL and earlier years.

    `rows` has row (y label), order, kind, name, year, rate, ci_low, ci_high and count_label;
    kind is one of gemeente, peer, peers, jeugdregio, provincie, nederland, previous.
    """
    me = rows.filter(pl.col("kind") == "gemeente")
    description = (
        f"Puntdiagram van {title_value}: de gemeente ({me['name'][0] if me.height else ''}) "
        "naast vergelijkbare gemeenten, de eigen jeugdregio, de provincie, Nederland en eerdere "
        "jaren, elk met een 95%-interval."
    )
    order = rows.sort("order").unique("row", maintain_order=True)["row"].to_list()
    kinds = ["gemeente", "previous", "peer", "peers", "jeugdregio", "provincie", "nederland"]
    colours = [HIGHLIGHT, PRIMARY, SECONDARY, SECONDARY, NEUTRAL, NEUTRAL, REFERENCE]
    colour = alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=colours), legend=None)
    x = alt.X("rate:Q", title=title_value, axis=alt.Axis(format=".1%"), scale=alt.Scale(zero=False))
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("name:N", title="Regio"),
        alt.Tooltip("year:O", title="Jaar"),
        alt.Tooltip("rate:Q", title="Percentage", format=".1%"),
        alt.Tooltip("ci_low:Q", title="95%-interval van", format=".1%"),
        alt.Tooltip("ci_high:Q", title="95%-interval tot", format=".1%"),
        alt.Tooltip("count_label:N", title="Aantal"),
    ]
    base = alt.Chart(rows).encode(y=y)
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q"), x2="ci_high:Q", color=colour
    )
    point = base.mark_point(filled=True, size=80, opacity=0.9).encode(
        x=x, color=colour, tooltip=tooltip
    )
    notes = (
        rows.group_by("row")
        .agg(pl.col("suppressed").sum().alias("n_hidden"), pl.len().alias("n"))
        .filter(pl.col("n_hidden") > 0)
        .with_columns(
            note=pl.when(pl.col("n_hidden") == pl.col("n"))
            .then(pl.lit("aantal < 10, niet getoond"))
            .otherwise(pl.format("{} van {} niet getoond (aantal < 10)", "n_hidden", "n"))
        )
    )
    hidden = (
        alt.Chart(notes)
        .mark_text(align="right", fontSize=11, color=NEUTRAL, fontStyle="italic")
        .encode(y=y, x=alt.value(416), text="note:N")
    )
    layers = [interval, point, hidden]
    if me.height and me["rate"][0] is not None:
        layers.insert(
            0,
            alt.Chart(me)
            .mark_rule(color=HIGHLIGHT, strokeDash=[4, 3], opacity=0.7)
            .encode(x=alt.X("rate:Q")),
        )
    return alt.layer(*layers).properties(width=420, height=alt.Step(22), description=description)


def observed_expected_scatter(points: pl.DataFrame, title_value: str) -> alt.Chart:
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
        .mark_line(color=REFERENCE, strokeDash=[4, 3])
        .encode(x=alt.X("v:Q", scale=scale), y=alt.Y("v:Q", scale=scale))
    )
    return alt.layer(diagonal, dots).properties(width=380, height=380, description=description)


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
        alt.value("#dddddd"),
    )
    return (
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
        .properties(width=420, height=480, description=description)
    )
