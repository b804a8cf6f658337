"""Chart builders: valid Vega-Lite, descriptions, data in = data shown, Dutch formats."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from altair.vegalite.v6.schema.core import TopLevelSpec
from vega_datasets import data as vega_data

from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import build_sections


def bars_frame(region: str = "Regio X") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "categorie": ["Totaal", "0-4 jaar"] * 2,
            "volgorde": [0, 1, 0, 1],
            "gebied": [region, region, "Nederland", "Nederland"],
            "rol": ["regio", "regio", "nl", "nl"],
            "rate": [0.20, None, 0.10, 0.05],
            "ci_low": [0.18, None, 0.099, 0.049],
            "ci_high": [0.22, None, 0.101, 0.051],
            "numerator": [200, None, 10000, 500],
            "denominator": [1000, 40, 100000, 10000],
            "significant": ["hoger", None, None, None],
        }
    )


def test_bars_spec_is_valid_and_carries_the_data():
    spec = charts.bars_vs_nl(bars_frame(), description="Staafdiagram test").to_dict()
    TopLevelSpec.validate(spec)
    assert spec["description"] == "Staafdiagram test"
    rows = spec["datasets"]["rows"]
    assert [r["rate"] for r in rows] == [0.2, None, 0.1, 0.05]
    assert [r["sig"] for r in rows] == ["▲", "", "", ""]
    assert rows[1]["note"] == "te weinig waarnemingen"
    # room on the right for the ▲ mark: the invisible point sits beyond the largest interval
    assert rows[0]["xpad"] == pytest.approx(0.22 * 1.12)
    # Dutch number format for vega-embed (decimal comma), without a network
    assert spec["usermeta"]["embedOptions"]["formatLocale"]["decimal"] == ","


def test_templates_are_shared_between_regions():
    a = charts.bars_vs_nl(bars_frame("A"), description="a")
    b = charts.bars_vs_nl(bars_frame("B"), description="b")
    assert a.template is b.template  # compiled once per shape, not per region
    assert a.to_dict()["datasets"] != b.to_dict()["datasets"]


def test_trend_legend_selection_filters_every_visible_layer():
    frame = pl.DataFrame(
        {
            "year": [2022, 2023] * 2,
            "serie": ["Jeugdhulp"] * 4,
            "gebied": ["Regio X", "Regio X", "Nederland", "Nederland"],
            "rol": ["regio", "regio", "nl", "nl"],
            "rate": [0.1, 0.11, 0.12, 0.12],
            "ci_low": [0.09, 0.1, 0.119, 0.119],
            "ci_high": [0.11, 0.12, 0.121, 0.121],
            "numerator": [100, 110, 1200, 1200],
            "denominator": [1000] * 2 + [10000] * 2,
            "significant": ["lager", None, None, None],
        }
    )
    spec = charts.trend(frame, series=["Jeugdhulp"], description="Lijndiagram").to_dict()
    TopLevelSpec.validate(spec)
    params = spec["params"]
    assert len(params) == 1 and params[0]["bind"] == "legend"
    assert params[0]["select"]["fields"] == ["reeks"]
    # the trend-break band and its label come before the lines (behind them): never filtered
    legend_layer, band, band_label, *visible = spec["layer"]
    assert band["data"]["name"] == band_label["data"]["name"] == "breaks"
    assert spec["datasets"]["breaks"] == []  # no break asked for
    for layer in visible:
        assert {"param": params[0]["name"]} in [t.get("filter") for t in layer["transform"]]
    assert {r["reeks"] for r in spec["datasets"]["rows"]} == {
        "Jeugdhulp · Regio X",
        "Jeugdhulp · Nederland",
    }


def test_trend_builder_on_data_shaped_unlike_ours():
    """vega-datasets' stocks: five series, long names, values far from youth-care shares."""
    stocks = pl.from_pandas(vega_data.stocks())
    frame = (
        stocks.with_columns(year=pl.col("date").dt.year())
        .group_by("symbol", "year")
        .agg(pl.col("price").mean())
        .with_columns(
            serie=pl.col("symbol"),
            gebied=pl.lit("Nederland"),
            rol=pl.lit("nl"),
            rate=pl.col("price") / 1000,
            ci_low=pl.lit(None, pl.Float64),
            ci_high=pl.lit(None, pl.Float64),
            numerator=pl.lit(None, pl.Int64),
            denominator=pl.lit(None, pl.Int64),
            significant=pl.lit(None, pl.String),
        )
    )
    series = sorted(frame["serie"].unique().to_list())
    spec = charts.trend(frame, series=series, description="Koersen").to_dict()
    TopLevelSpec.validate(spec)
    color = spec["layer"][0]["encoding"]["color"]
    assert len(color["scale"]["range"]) == len(series)  # one colour per series, NL only
    assert len(spec["datasets"]["rows"]) == frame.height


def test_radar_geometry_and_rings():
    frame = pl.DataFrame(
        {
            "categorie": ["A", "B", "C", "D"] * 2,
            "gebied": ["R"] * 4 + ["M"] * 4,
            "rol": ["regio"] * 4 + ["lid"] * 4,
            "rate": [0.1] * 8,
            "ratio": [1.0, 2.0, 1.0, 0.5, 1.2, None, 1.0, 1.0],
        }
    )
    spec = charts.radar(frame, categories=["A", "B", "C", "D"], description="Radar").to_dict()
    TopLevelSpec.validate(spec)
    rows = spec["datasets"]["rows"]
    assert {r["gebied"] for r in rows} == {"R"}  # member M has a suppressed area: left out
    b = next(r for r in rows if r["categorie"] == "B")
    # outer ring = 2.0 → radius 1; B sits at 90° (x = 1, y = 0)
    assert b["x"] == pytest.approx(1.0) and b["y"] == pytest.approx(0.0, abs=1e-9)
    rings = {r["ring"] for r in spec["datasets"]["rings"]}
    assert 1.0 in rings and max(rings) == 2.0
    assert any(r["nl"] for r in spec["datasets"]["rings"])


def test_choropleth_looks_up_shapes_and_outlines_the_choice():
    frame = pl.DataFrame(
        {
            "code": ["GM1", "GM2"],
            "gebied": ["Een", "Twee"],
            "rate": [0.1, None],
            "ci_low": [0.09, None],
            "ci_high": [0.11, None],
            "numerator": [100, None],
            "denominator": [1000, 5],
        }
    )
    geo = charts.topojson_url("./@file/1-x.json", "gemeente")
    spec = charts.choropleth(frame, geo=geo, selected=frame.head(1), description="Kaart").to_dict()
    TopLevelSpec.validate(spec)
    background, shapes, outline = spec["layer"]
    # every shape first drawn grey: a suppressed region (null rate) is grey, not a hole
    assert background["mark"]["color"] == charts.SUPPRESSED_COLOR
    assert "color" not in background["encoding"]
    assert shapes["data"] == {"name": "rows"}
    lookup = shapes["transform"][0]
    assert lookup["lookup"] == "code" and lookup["from"]["data"] == geo
    assert lookup["from"]["key"] == "id"
    assert outline["mark"]["stroke"] == charts.HIGHLIGHT_COLOR
    assert spec["datasets"]["selected"] == [spec["datasets"]["rows"][0]]
    scheme = shapes["encoding"]["color"]["condition"]["scale"]["scheme"]
    assert scheme == charts.MAP_SCHEME == "blues"
    # the table can also come by URL: then it is not inlined at all
    by_url = charts.choropleth(
        {"url": "./@file/2-y.json", "format": {"type": "json"}},
        geo=geo,
        selected=None,
        description="Kaart",
    ).to_dict()
    assert by_url["layer"][0]["data"]["url"] == "./@file/2-y.json"
    assert "rows" not in by_url["datasets"]


def test_every_figure_chart_is_valid_and_described():
    store = load()
    for code in ("GM0363", "PO2707"):
        for section in build_sections(store, get_region(store, code)).values():
            for fig in section.figures:
                if fig.chart is None:  # a table figure (the members of a region)
                    assert fig.table.height > 0, fig.key
                    continue
                spec = fig.chart.to_dict()
                TopLevelSpec.validate(spec)
                assert len(spec["description"]) > 40, fig.key
                assert json.loads(fig.chart.to_json()) == spec


def test_to_altair_round_trips():
    spec = charts.bars_vs_nl(bars_frame(), description="x")
    chart = spec.to_altair()
    assert chart.to_dict(validate=True)["description"] == "x"


PALETTE = {
    c.lower()
    for c in (
        *charts.CATEGORY_COLORS,
        charts.REGION_COLOR,
        charts.OTHER_COLOR,
        charts.CONTEXT_COLOR,
        charts.HIGHLIGHT_COLOR,
        charts.REFERENCE_COLOR,
        charts.SUPPRESSED_COLOR,
        charts.TEXT_COLOR,
        charts.MUTED_TEXT_COLOR,
        charts.HIGHLIGHT_TEXT_COLOR,
        charts.GRID_COLOR,
        charts.FADED_COLOR,
        *charts.VENTILE_RANGE,  # the ventile map: blue below, orange above the expectation
    )
}


def hex_colours(spec: dict) -> set[str]:
    """Every '#rrggbb' colour a spec names, outside its data."""
    spec = {k: v for k, v in spec.items() if k != "datasets"}
    return {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", json.dumps(spec))}


@pytest.fixture(scope="module")
def school_charts():
    """The four school-linkage charts on the default synthetic gemeente, as the notebook draws them."""
    from jeugdmonitor.analysis.linkage import session, views

    result = session.run(session.inputs({}), b"chart-test-key-" + b"x" * 40)
    kern, mixes = result.tables["kerncijfers"], result.tables["verdelingen"]
    name, soort = next(iter(views.types_present(kern).items()))
    flags = views.school_flags(kern, soort, 20, 2.0)
    school = views.largest_school(kern, soort)
    year = int(kern["schooljaar"].max())
    return {
        "type_trend": charts.school_type_trend(views.type_trend(kern)),
        "school_trend": charts.school_trend(views.school_trend(kern, flags), 20, name),
        "benchmark": charts.school_benchmark(
            views.benchmark(kern, school, year), name, views.year_label(year)
        ),
        "mix": charts.school_mix(
            views.mix(mixes, school, year, "zorgvorm"), "Verdeling naar zorgvorm"
        ),
        "benchmark_frame": views.benchmark(kern, school, year),
    }


def test_every_chart_uses_the_one_palette(school_charts):
    store = load()
    specs = [
        fig.chart.to_dict()
        for code in ("GM0363", "PO2707", None)
        for section in build_sections(store, get_region(store, code) if code else None).values()
        for fig in section.figures
        if fig.chart is not None
    ]
    specs += [c.to_dict() for k, c in school_charts.items() if k != "benchmark_frame"]
    used = set().union(*(hex_colours(s) for s in specs))
    assert used <= PALETTE, used - PALETTE
    assert charts.HIGHLIGHT_COLOR.lower() in used and charts.REGION_COLOR.lower() in used


def test_school_charts_are_described_and_dutch(school_charts):
    for key, chart in school_charts.items():
        if key == "benchmark_frame":
            continue
        spec = chart.to_dict()
        TopLevelSpec.validate(spec)
        assert len(spec["description"]) > 60, key
        locale = spec["usermeta"]["embedOptions"]["formatLocale"]
        assert locale["decimal"] == ",", key
    chosen = school_charts["benchmark_frame"].filter(pl.col("gekozen"))["schoolnaam"][0]
    assert (
        f"De gekozen school ({chosen}) is oranje"
        in school_charts["benchmark"].to_dict()["description"]
    )


def test_school_benchmark_says_when_the_chosen_school_is_suppressed(school_charts):
    frame = school_charts["benchmark_frame"].with_columns(
        clienten_per_100=pl.when(pl.col("gekozen")).then(None).otherwise(pl.col("clienten_per_100"))
    )
    spec = charts.school_benchmark(frame, "Basisonderwijs", "2023/24").to_dict()
    assert "gekozen school ontbreekt" in spec["description"]
    assert "onderdrukt" in spec["title"]["subtitle"]
    bars = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    shown = spec["datasets"][bars[0]["data"]["name"]]
    assert not any(row["gekozen"] for row in shown)


def test_radar_names_every_line_and_tells_members_apart():
    """12 provincie lines: each its own legend entry, no two with the same colour and dash."""
    names = [f"Provincie {i:02d}" for i in range(12)]
    frame = pl.DataFrame(
        {
            "categorie": ["A", "B", "C"] * 12,
            "gebied": [n for n in names for _ in range(3)],
            "rol": ["lid"] * 36,
            "rate": [0.1] * 36,
            "ratio": [1.0 + i / 100 for i in range(36)],
        }
    )
    spec = charts.radar(frame, categories=["A", "B", "C"], description="Radar").to_dict()
    layer = next(  # the members' lines
        lay
        for lay in spec["layer"]
        if lay.get("encoding", {}).get("strokeDash", {}).get("field") == "gebied"
    )
    enc = layer["encoding"]
    assert enc["color"]["field"] == enc["strokeDash"]["field"] == "gebied"
    assert enc["color"]["legend"]["symbolType"] == "stroke"
    colours, dashes = enc["color"]["scale"]["range"], enc["strokeDash"]["scale"]["range"]
    pairs = list(zip(colours, map(str, dashes), strict=True))
    # ordered by legendorder (name), the members take the first 12 (colour, dash) pairs: distinct
    assert len(set(pairs[:12])) == 12
    orders = {r["gebied"]: r["legendorder"] for r in spec["datasets"]["rows"]}
    assert sorted(orders.values()) == list(range(1, 13)) and orders["Provincie 00"] == 1
    params = spec.get("params", []) + [p for lay in spec["layer"] for p in lay.get("params", [])]
    assert any(p.get("bind") == "legend" for p in params)  # a click on a name lifts its line


def test_trend_legend_leaves_out_fully_suppressed_lines_and_keeps_colours():
    frame = pl.DataFrame(
        {
            "year": [2023, 2024] * 4,
            "serie": ["A"] * 4 + ["B"] * 4,
            "gebied": ["Klein", "Klein", "Nederland", "Nederland"] * 2,
            "rol": ["regio", "regio", "nl", "nl"] * 2,
            "rate": [None, None, 0.1, 0.1, 0.05, 0.06, 0.04, 0.04],
            "ci_low": [None, None, 0.09, 0.09, 0.04, 0.05, 0.039, 0.039],
            "ci_high": [None, None, 0.11, 0.11, 0.06, 0.07, 0.041, 0.041],
            "numerator": [None, None, 100, 100, 50, 60, 400, 400],
            "denominator": [None, None, 1000, 1000, 1000, 1000, 10000, 10000],
            "significant": [None] * 8,
        }
    )
    spec = charts.trend(frame, series=["A", "B"], description="t").to_dict()
    lines = {r["reeks"] for r in spec["datasets"]["rows"]}
    assert lines == {"A · Nederland", "B · Klein", "B · Nederland"}  # 'A · Klein' is all < 10
    colour = spec["layer"][0]["encoding"]["color"]
    # legend order A·NL, B·Klein, B·NL: series A keeps its colour, B keeps its own
    assert colour["scale"]["range"] == [charts.CATEGORY_COLORS[0], *[charts.CATEGORY_COLORS[1]] * 2]
    legend = colour["legend"]
    assert legend["orient"] == "bottom" and "labelExpr" in legend  # long labels break, not cut


def test_ventile_marks_the_region_with_a_line_not_a_significance_triangle():
    bars = pl.DataFrame(
        {
            "group": list(range(1, 21)),
            "mean": [i / 10 - 1 for i in range(20)],
            "min": [0.0] * 20,
            "max": [0.0] * 20,
            "n_regions": [17] * 20,
            "highlight": [i == 18 for i in range(20)],
        }
    )
    spec = charts.ventile_chart(bars, "Utrecht", "gemeenten").to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert "▼" not in text and "▲" not in text
    label = spec["datasets"]["label"][0]
    assert label["label"] == "Utrecht" and label["label_y"] > label["top"]
    assert any(
        lay.get("mark", {}).get("type") == "rule" and "y2" in lay.get("encoding", {})
        for lay in spec["layer"]
    )


def test_bars_with_only_nl_get_room_for_two_line_labels():
    frame = pl.DataFrame(
        {
            "categorie": ["Speciaal basisonderwijs (sbo)", "Speciaal onderwijs (so)"],
            "volgorde": [1, 2],
            "gebied": ["Nederland"] * 2,
            "rol": ["nl"] * 2,
            "rate": [0.2, 0.3],
            "ci_low": [0.19, 0.29],
            "ci_high": [0.21, 0.31],
            "numerator": [200, 300],
            "denominator": [1000, 1000],
            "significant": [None, None],
        }
    )
    alone = charts.bars_vs_nl(frame, description="x").to_dict()
    both = charts.bars_vs_nl(
        pl.concat([frame, frame.with_columns(gebied=pl.lit("Regio"), rol=pl.lit("regio"))]),
        description="x",
    ).to_dict()
    assert alone["height"]["step"] >= 2 * 14 + 6  # two 12-px lines and some air per category
    assert both["height"]["step"] * 2 >= alone["height"]["step"]
