"""Altair charts of the school linkage notebook (Grafiek 1, Grafiek 2, benchmark, category mix).

Builders take the frames from `jeugdmonitor.linkage.views` (already suppressed) and return charts
with Dutch titles and tooltips. Colours are the Okabe-Ito palette (colour-blind safe).
"""

from __future__ import annotations

import altair as alt
import polars as pl

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
STATUS = ["stijgend en boven drempel", "stijgend", "boven drempel", "overige scholen"]
STATUS_COLOURS = ["#D55E00", "#CC79A7", "#0072B2", "#BBBBBB"]
RATE_TITLE = "Jeugdhulpcliënten per 100 leerlingen"
WIDTH = 560


def trend_per_type(data: pl.DataFrame) -> alt.Chart:
    """Grafiek 1: trend of clients per 100 pupils per school type (click the legend to filter)."""
    order = data.unique("onderwijssoort", maintain_order=True).get_column("schooltype").to_list()
    pick = alt.selection_point(fields=["schooltype"], bind="legend")
    return (
        alt.Chart(data, title="Grafiek 1: jeugdhulpcliënten per 100 leerlingen naar schooltype")
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("jaar:O", title="Schooljaar", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("clienten_per_100:Q", title=RATE_TITLE),
            color=alt.Color(
                "schooltype:N",
                sort=order,
                scale=alt.Scale(domain=order, range=OKABE_ITO),
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
        .properties(width=WIDTH, height=320)
    )


def trend_per_school(data: pl.DataFrame, threshold: float, type_name: str) -> alt.LayerChart:
    """Grafiek 2: trend per school of one type; schools above the threshold or rising stand out."""
    tooltip = [
        alt.Tooltip("schoolnaam:N", title="School"),
        alt.Tooltip("jaar:O", title="Schooljaar"),
        alt.Tooltip("clienten_per_100:Q", title="Per 100 leerlingen", format=".1f"),
        alt.Tooltip("clienten:Q", title="Cliënten (afgerond op 5)"),
        alt.Tooltip("helling:Q", title="Trend per jaar", format="+.1f"),
        alt.Tooltip("status:N", title="Markering"),
    ]
    base = alt.Chart(data).encode(
        x=alt.X("jaar:O", title="Schooljaar", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("clienten_per_100:Q", title=RATE_TITLE),
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=STATUS, range=STATUS_COLOURS),
            legend=alt.Legend(title="Markering", orient="bottom", direction="horizontal"),
        ),
        detail="school_id:N",
        tooltip=tooltip,
    )
    lines = base.mark_line(point=True).encode(
        strokeWidth=alt.condition(alt.datum.status == STATUS[-1], alt.value(1.2), alt.value(2.5)),
        order=alt.Order("schooljaar:O"),
    )
    last_year = (
        data.drop_nulls("clienten_per_100")
        .group_by("school_id")
        .agg(pl.col("schooljaar").max().alias("laatste"))
    )
    flagged = data.join(last_year, on="school_id").filter(
        pl.col("schooljaar") == pl.col("laatste"), pl.col("status") != STATUS[-1]
    )
    top = float(data.get_column("clienten_per_100").max() or 1.0)
    names = (
        alt.Chart(_spread_labels(flagged, "clienten_per_100", gap=top * 0.05))
        .mark_text(align="left", dx=7, fontSize=11)
        .encode(
            x="jaar:O",
            y=alt.Y("label_y:Q", title=RATE_TITLE),
            text="schoolnaam:N",
            color=alt.Color("status:N", scale=alt.Scale(domain=STATUS, range=STATUS_COLOURS)),
        )
    )
    rule = (
        alt.Chart(pl.DataFrame({"drempel": [threshold]}))
        .mark_rule(strokeDash=[5, 4], color="#555555")
        .encode(y="drempel:Q", tooltip=[alt.Tooltip("drempel:Q", title="Drempel per 100")])
    )
    title = f"Grafiek 2: jeugdhulpcliënten per 100 leerlingen per school ({type_name})"
    return (
        alt.layer(lines, names, rule, title=title)
        .properties(width=WIDTH, height=340)
        .configure_view(strokeWidth=0)
        .configure_axis(labelFontSize=11)
        .properties(padding={"right": 190})
    )


def _spread_labels(frame: pl.DataFrame, column: str, gap: float) -> pl.DataFrame:
    """Add `label_y`: the values pushed apart by at least `gap`, so end labels do not overlap."""
    ordered = frame.sort(column)
    placed: list[float] = []
    for value in ordered.get_column(column).to_list():
        placed.append(value if not placed else max(value, placed[-1] + gap))
    return ordered.with_columns(pl.Series("label_y", placed, dtype=pl.Float64))


def benchmark(data: pl.DataFrame, type_name: str, year_text: str) -> alt.LayerChart:
    """Benchmark: the chosen school against the other schools of its type (and the type rate)."""
    schools = data.filter(pl.col("niveau") == "school", pl.col("clienten_per_100").is_not_null())
    type_rate = data.filter(pl.col("niveau") == "schooltype").select("clienten_per_100")
    height = max(120, 16 * schools.height)
    bars = (
        alt.Chart(schools)
        .mark_bar()
        .encode(
            y=alt.Y("schoolnaam:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("clienten_per_100:Q", title=RATE_TITLE),
            color=alt.condition(alt.datum.gekozen, alt.value("#D55E00"), alt.value("#9DB9D3")),
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
        .mark_rule(color="#000000", strokeDash=[5, 4], strokeWidth=1.5)
        .encode(
            x="clienten_per_100:Q",
            tooltip=[
                alt.Tooltip("clienten_per_100:Q", title="Alle scholen van dit type", format=".1f")
            ],
        )
    )
    title = alt.Title(
        f"Benchmark {type_name}, {year_text}",
        subtitle="Oranje: gekozen school. Stippellijn: alle scholen van dit type samen.",
    )
    return alt.layer(bars, rule, title=title).properties(width=WIDTH - 160, height=height)


def mix(data: pl.DataFrame, title: str) -> alt.Chart:
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
            scale=alt.Scale(range=["#D55E00", "#0072B2"]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
    )
    marks = (
        base.transform_filter(alt.datum.onderdrukt)
        .mark_text(align="left", baseline="middle", dx=3, fontSize=9, color="#666666")
        .encode(x=alt.value(0), text=alt.value("• onderdrukt"))
    )
    return alt.layer(bars, marks, title=title).properties(width=300, height=alt.Step(11))
