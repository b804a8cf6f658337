"""The school linkage notebook's charts: trends, benchmark and mix of schools."""

from __future__ import annotations

import altair as alt
import polars as pl

from jeugdmonitor.present.charts.base import (
    CATEGORY_COLORS,
    FADED_COLOR,
    HIGHLIGHT_COLOR,
    MUTED_TEXT_COLOR,
    OTHER_COLOR,
    PURPLE,
    REFERENCE_COLOR,
    REGION_COLOR,
    _dutch,
)

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
