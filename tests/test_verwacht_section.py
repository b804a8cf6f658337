"""The "Verwacht en werkelijk" section and its ventile chart, rendered with vl-convert."""

from __future__ import annotations

import re

import polars as pl
import pytest
import vl_convert as vlc

from jeugdmonitor import charts, model
from jeugdmonitor.sections.base import Section
from jeugdmonitor.sections.verwacht import section
from jeugdmonitor.stats import ventile_groups
from jeugdmonitor.store import load

REGIONS = {
    "gemeente": "GM0363",
    "swv_po": "PO2707",
    "swv_vo": "VO2708",
    "jeugdregio": "JZ01",
    "provincie": "PV27",
}
BAR = re.compile(r'<path aria-label="([^"]*)"[^>]*aria-roledescription="bar"[^>]*fill="(#\w+)"')


@pytest.fixture(scope="module")
def store():
    return load()


def rendered_bars(chart) -> list[tuple[int, str]]:
    """(group, fill colour) of every bar in the SVG vl-convert renders from the chart."""
    svg = vlc.vegalite_to_svg(chart.to_dict())
    return [(int(re.search(r"Groep: (\d+)", label)[1]), fill) for label, fill in BAR.findall(svg)]


@pytest.mark.parametrize(("code", "form"), [("GM0363", "jeugdhulp"), ("GM0034", "lvb")])
def test_ventile_chart_has_20_bars_and_highlights_the_regions_bar(store, code, form):
    fig = next(f for f in section(store, code).figures if f.key == f"verwacht_{form}")
    bars = rendered_bars(fig.chart)
    assert len(bars) == 20
    assert sorted(g for g, _ in bars) == list(range(1, 21))
    highlighted = [g for g, fill in bars if fill == charts.HIGHLIGHT_COLOR]
    assert len(highlighted) == 1
    # independently: rank the region among all gemeenten and find its group
    values = model.expected_values(store, form, "gemeente").filter(pl.col("numerator") >= 10)
    mine = ventile_groups(values, "difference_pp").filter(pl.col("region_code") == code)
    assert highlighted[0] == mine["group"][0]
    table_row = fig.table.filter(pl.col("Bevat") != "")
    assert table_row["Groep"].to_list() == highlighted
    diff = mine["difference_pp"][0]
    assert table_row["Van"][0] - 1e-3 <= diff <= table_row["Tot"][0] + 1e-3


def test_suppressed_region_is_not_highlighted(store):
    v = model.ventiles(store, "jeugdzorgplus", "GM0060")  # Ameland: fewer than 10
    assert v.region_group is None and not v.bars["highlight"].any()
    assert v.n_suppressed > 0 and v.n_regions + v.n_suppressed == 342
    fig = next(f for f in section(store, "GM0060").figures if f.key == "verwacht_jeugdzorgplus")
    assert all(fill != charts.HIGHLIGHT_COLOR for _, fill in rendered_bars(fig.chart))
    assert "niet gemarkeerd" in fig.explanation


def test_provincie_level_has_one_bar_per_provincie(store):
    fig = next(f for f in section(store, "PV27").figures if f.key == "verwacht_jeugdhulp")
    assert len(rendered_bars(fig.chart)) == 12
    assert "elke staaf is één regio" in fig.explanation


@pytest.mark.parametrize("region_type", list(REGIONS))
def test_section_renders_for_every_region_type(store, region_type):
    code = REGIONS[region_type]
    sec = section(store, code)
    assert isinstance(sec, Section) and sec.title == "Verwacht en werkelijk jeugdzorggebruik"
    keys = [f.key for f in sec.figures]
    assert keys[0] == "verwacht_overzicht"
    assert {f"verwacht_{form.key}" for form in model.CARE_FORMS} <= set(keys)
    assert ("benchmark_jeugdhulp_all" in keys) == (region_type == "gemeente")
    assert "Herkennen we dit beeld?" in sec.outro and "verbetering" in sec.outro
    assert "gesimuleerd" in sec.intro and sec.simulated
    for fig in sec.figures:
        spec = fig.chart.to_dict()
        assert spec.get("description"), fig.key
        assert fig.table.height > 0 and fig.source
    svg = vlc.vegalite_to_svg(sec.figures[0].chart.to_dict())
    assert svg.count('aria-roledescription="point"') >= 1


@pytest.mark.parametrize("region", ["NL01", None])
def test_nl_explains_it_is_the_reference(store, region):
    sec = section(store, region)
    assert "Nederland is de referentie" in sec.intro
    keys = [f.key for f in sec.figures]
    assert keys == ["verwacht_nederland", "verwacht_model"]
    nl = sec.figures[0].table
    assert (nl["Aantal jeugdigen"] == nl["Verwacht aantal"]).all()


def test_tables_never_show_counts_below_ten(store):
    sec = section(store, "GM0060")  # Ameland, a small gemeente
    overview = sec.figures[0].table
    small = overview.filter(pl.col("Oordeel") == "aantal < 10")
    assert small.height > 0
    assert small["Werkelijk aantal"].is_null().all() and small["Werkelijk %"].is_null().all()
    assert small["Werkelijk / verwacht"].is_null().all()
    shown = overview["Werkelijk aantal"].drop_nulls()
    assert (shown >= 10).all() and (shown % 5 == 0).all()
    for fig in sec.figures:
        if fig.download is not None and "werkelijk_aantal" in fig.download.columns:
            counts = fig.download["werkelijk_aantal"].drop_nulls()
            assert (counts >= 10).all()


def test_unknown_region_is_a_clear_error(store):
    with pytest.raises(KeyError, match="unknown region code 'GM9999'"):
        section(store, "GM9999")


ENGLISH = {"region_code", "name", "year", "care_form", "signal", "is_simulated", "ratio", "code"}


@pytest.mark.parametrize("code", ["GM0363", "PV27", None])
def test_downloads_use_the_dutch_column_names_of_every_other_download(store, code):
    for fig in section(store, code).figures:
        columns = set(fig.download.columns)
        assert not columns & ENGLISH, (fig.key, columns & ENGLISH)
        if fig.key != "verwacht_model":
            assert {"regiocode", "regio", "jaar", "onderdrukt", "gesimuleerd"} <= columns
    model_csv = next(f for f in section(store, code).figures if f.key == "verwacht_model").download
    assert {"zorgvorm", "kenmerk", "odds_ratio_per_sd", "dispersie"} <= set(model_csv.columns)
    assert model_csv.filter(pl.col("kenmerk") == model.INTERCEPT).height == len(model.CARE_FORMS)


def test_expectation_on_simulated_predictors_is_flagged_simulated(data_copy):
    """Real care figures with simulated background figures still give a simulated expectation."""
    from jeugdmonitor.store import open_store

    path = data_copy / "indicators.parquet"
    frame = pl.read_parquet(path)
    care = pl.col("indicator").is_in(["jeugdhulp", "jeugdhulp_zorgvorm", "jeugdbescherming",
                                      "jeugdreclassering"])  # fmt: skip
    frame.with_columns(
        is_simulated=pl.when(care).then(False).otherwise("is_simulated")
    ).write_parquet(path)
    partly = open_store(data_copy)
    figures = {f.key: f for f in section(partly, "GM0014").figures}
    assert figures["verwacht_jeugdhulp"].simulated
    assert "gesimuleerd" in figures["verwacht_jeugdhulp"].source

    frame.with_columns(is_simulated=pl.lit(False)).write_parquet(path)
    real = open_store(data_copy)
    assert not section(real, "GM0014").simulated
