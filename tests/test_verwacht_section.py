"""The "Verwacht en werkelijk" section and its ventile chart, rendered with vl-convert."""

from __future__ import annotations

import dataclasses
import re

import polars as pl
import pytest
import vl_convert as vlc

from jeugdmonitor.analysis import model, wijk_model
from jeugdmonitor.analysis.stats import percent_text, ventile_groups
from jeugdmonitor.data.store import load
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections.base import Section
from jeugdmonitor.present.sections.common import md_escape
from jeugdmonitor.present.sections.verwacht import section

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
    assert v.n_suppressed > 0 and v.n_regions + v.n_suppressed + v.n_no_value == 342
    assert v.n_no_value == 3  # Schiermonnikoog, Vlieland, Rozendaal: CBS publishes no income
    fig = next(f for f in section(store, "GM0060").figures if f.key == "verwacht_jeugdzorgplus")
    assert all(fill != charts.HIGHLIGHT_COLOR for _, fill in rendered_bars(fig.chart))
    assert "de oranje staaf bevat de gekozen regio, als die een getoond aantal" in fig.explanation
    zorgvormen = next(f for f in section(store, "GM0060").figures if f.key == "verwacht_zorgvormen")
    row = zorgvormen.table.filter(pl.col("Zorgvorm") == "Jeugdzorgplus")
    assert row["Oordeel"].to_list() == ["aantal < 10"] and row["Werkelijk aantal"][0] is None
    real = next(f for f in section(store, "GM0060").figures if f.key == "verwacht_jeugdbescherming")
    assert "niet gemarkeerd" in real.explanation and "geen vergelijking" in real.explanation
    assert f"Niet meegeteld: {v.n_suppressed} met een aantal kleiner dan 10 en 3 zonder" in (
        fig.explanation
    )


def test_provincie_level_has_one_bar_per_provincie(store):
    fig = next(f for f in section(store, "PV27").figures if f.key == "verwacht_jeugdhulp")
    assert len(rendered_bars(fig.chart)) == 12
    assert "elke staaf is één regio" in fig.explanation


REAL_KEYS = [f"verwacht_{k}" for k in ("jeugdzorg", "jeugdhulp", "jeugdhulp_verblijf",
                                       "jeugdbescherming", "jeugdreclassering")]  # fmt: skip


@pytest.mark.parametrize("region_type", list(REGIONS))
def test_section_renders_for_every_region_type(store, region_type):
    code = REGIONS[region_type]
    sec = section(store, code)
    assert isinstance(sec, Section) and sec.title == "Verwacht en werkelijk jeugdzorggebruik"
    keys = [f.key for f in sec.figures]
    assert keys[: 1 + len(REAL_KEYS)] == ["verwacht_overzicht", *REAL_KEYS]
    assert {f"verwacht_{form.key}" for form in model.CARE_FORMS} <= set(keys)
    assert keys[-2:] == ["verwacht_kwaliteit", "verwacht_model"]
    assert ("benchmark_jeugdhulp_all" in keys) == (region_type == "gemeente")
    assert ("verwacht_wijken" in keys) == (region_type == "gemeente")
    assert "Herkennen we dit beeld?" in sec.outro and "verbetering" in sec.outro
    assert "gesimuleerd" in sec.intro and sec.simulated
    for fig in sec.figures:
        assert fig.table.height > 0 and fig.source, fig.key
        if fig.chart is not None:
            assert fig.chart.to_dict().get("description"), fig.key
    svg = vlc.vegalite_to_svg(sec.figures[0].chart.to_dict())
    assert svg.count('aria-roledescription="point"') >= 1


@pytest.mark.parametrize("code", ["GM0344", "PO2707"])
def test_real_forms_are_badged_model_on_cbs_and_the_zorgvormen_simulated(store, code):
    """A figure on real outcomes and real predictors is real; one on simulated outcomes is not."""
    figures = {f.key: f for f in section(store, code).figures}
    for key in ["verwacht_overzicht", *REAL_KEYS, "verwacht_kwaliteit", "verwacht_model"]:
        assert not figures[key].simulated and figures[key].badge == "model op CBS 2022", key
        assert "gesimuleerd" not in figures[key].source, key
    for key in ["verwacht_zorgvormen", "verwacht_lokaal_team", "verwacht_lvb"]:
        assert figures[key].simulated and "gesimuleerd" in figures[key].source, key
    overview = figures["verwacht_overzicht"].table["Zorgvorm"].to_list()
    assert overview == ["Jeugdzorg (totaal)", "Jeugdhulp", "Jeugdhulp met verblijf",
                        "Jeugdbescherming", "Jeugdreclassering (12-23)"]  # fmt: skip


@pytest.mark.parametrize("region", ["NL01", None])
def test_nl_explains_it_is_the_reference(store, region):
    sec = section(store, region)
    assert "Nederland is de referentie" in sec.intro
    keys = [f.key for f in sec.figures]
    assert keys == ["verwacht_nederland", "verwacht_nederland_zorgvormen", "verwacht_kwaliteit",
                    "verwacht_model"]  # fmt: skip
    for nl in (sec.figures[0].table, sec.figures[1].table):
        shown = nl.filter(pl.col("Werkelijk aantal").is_not_null())
        assert (shown["Werkelijk aantal"] == shown["Verwacht aantal"]).all()
    jr = sec.figures[0].table.filter(pl.col("Vorm") == "Jeugdreclassering (12-23)").row(0)
    # Amsterdam counts too: Weesp's suppressed count leaves 97% of its youths (coverage rule)
    assert jr[1] is None and "185 van 342 gemeenten" in jr[-1]


def test_gemeente_without_income_says_why_it_has_no_expectation(store):
    sec = section(store, "GM0088")  # Schiermonnikoog: CBS publishes no income
    figures = {f.key: f for f in sec.figures}
    assert (
        "Voor Schiermonnikoog is er geen verwachting: CBS publiceert geen inkomen"
        in figures["verwacht_overzicht"].explanation
    )
    assert "geen vergelijking" in figures["verwacht_jeugdzorg"].explanation
    assert (figures["verwacht_overzicht"].table["Oordeel"].str.contains("inkomen")).all()
    assert "Waarom verwachten" not in figures["verwacht_model"].explanation


def test_quality_figure_reports_out_of_sample_r2_next_to_the_baseline(store):
    fig = next(f for f in section(store, "GM0344").figures if f.key == "verwacht_kwaliteit")
    table = fig.table
    assert table["Model"].to_list()[-1] == "Jeugdzorg per wijk (0-22)"
    assert table.height == 6
    for key, row in zip(REAL_KEYS, table.head(5).iter_rows(named=True), strict=True):
        q = model.quality(store, key.removeprefix("verwacht_"))
        assert row["R² buiten steekproef, gewogen %"] == pytest.approx(
            100 * q.r2_weighted, abs=0.06
        )
        assert row["Zonder kenmerken, gewogen %"] == pytest.approx(
            100 * q.r2_weighted_baseline, abs=0.06
        )
    wq = wijk_model.wijk_quality(store)
    # percentages with one decimal, as everywhere
    assert percent_text(wq.r2_weighted) in fig.explanation and "57,0%" in fig.explanation
    svg = vlc.vegalite_to_svg(fig.chart.to_dict())
    assert svg.count('aria-roledescription="bar"') == 12


def test_wijk_figure_lists_every_wijk_and_suppresses_small_counts(store):
    fig = next(f for f in section(store, "GM0363").figures if f.key == "verwacht_wijken")
    wijken = store.wijken.filter(pl.col("year") == 2022, pl.col("gemeente_code") == "GM0363")
    assert fig.table.height == wijken.height and fig.download.height == wijken.height
    assert fig.badge == "model op CBS 2022" and not fig.simulated
    counts = fig.table["Jeugdigen met jeugdzorg"].drop_nulls()
    assert (counts >= 10).all() and (counts % 5 == 0).all()
    small = fig.table.filter(pl.col("Oordeel") == "aantal < 10")
    assert small.height == wijken.filter(pl.col("jz_totaal").is_null()).height > 0
    assert small["Werkelijk %"].is_null().all() and small["Groep (1-20)"].is_null().all()
    utrecht = next(f for f in section(store, "GM0344").figures if f.key == "verwacht_wijken")
    assert utrecht.table["Wijk"].to_list() == sorted(
        store.wijken.filter(pl.col("year") == 2022, pl.col("gemeente_code") == "GM0344")["name"]
    )
    assert "Overvecht" in utrecht.summary


def test_wijk_names_are_escaped(store):
    """A wijk name with markdown/HTML in it never becomes markup in the summary."""
    evil = store.wijken.with_columns(
        name=pl.when(pl.col("wijk_code") == "WK034403")
        .then(pl.lit("<b>*Overvecht*</b>"))
        .otherwise("name")
    )
    broken = dataclasses.replace(store, wijken=evil, _cache={})
    fig = next(f for f in section(broken, "GM0344").figures if f.key == "verwacht_wijken")
    assert "<b>" not in fig.summary and md_escape("<b>*Overvecht*</b>") in fig.summary
    assert "&lt;b&gt;" in md_escape("<b>*Overvecht*</b>")


def test_tables_never_show_counts_below_ten(store):
    sec = section(store, "GM0060")  # Ameland, a small gemeente
    real = sec.figures[0].table  # CBS left out the counts below 10: no row, so no comparison
    missing = real.filter(
        pl.col("Zorgvorm").is_in(["Jeugdbescherming", "Jeugdreclassering (12-23)"])
    )
    assert missing["Oordeel"].str.starts_with("geen CBS-aantal").all()
    assert (
        missing["Werkelijk aantal"].is_null().all() and missing["Verwacht aantal"].is_null().all()
    )
    overview = next(f for f in sec.figures if f.key == "verwacht_zorgvormen").table
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
        if fig.key == "verwacht_wijken":
            assert {"wijkcode", "wijk", "jaar", "onderdrukt", "gesimuleerd"} <= columns
        elif fig.key.startswith("benchmark"):
            assert {"regiocode", "regio", "jaar", "gesimuleerd"} <= columns
        elif fig.key not in ("verwacht_model", "verwacht_kwaliteit"):
            assert {"regiocode", "regio", "jaar", "onderdrukt", "gesimuleerd"} <= columns
    model_csv = next(f for f in section(store, code).figures if f.key == "verwacht_model").download
    assert {"zorgvorm", "kenmerk", "odds_ratio_per_sd", "dispersie", "gesimuleerd"} <= set(
        model_csv.columns
    )
    assert model_csv.filter(pl.col("kenmerk") == model.INTERCEPT).height == len(model.CARE_FORMS)
    sim = model_csv.filter(pl.col("gesimuleerd"))["zorgvorm"].unique().sort().to_list()
    assert sim == sorted(["lokaal_team", "ambulant", "pleegzorg", "jeugdzorgplus", "instelling",
                          "jeugd_ggz", "lvb"])  # fmt: skip


def test_zorgvormen_with_real_outcomes_become_real(data_copy):
    """Whether a care form's figures are simulated follows its outcome rows: imported real
    zorgvorm figures make those figures real (the predictors are always real CBS figures)."""
    from jeugdmonitor.data.store import open_store

    path = data_copy / "indicators.parquet"
    frame = pl.read_parquet(path)
    sim = open_store(data_copy)
    assert {f.key: f for f in section(sim, "GM0014").figures}["verwacht_pleegzorg"].simulated
    frame.with_columns(
        is_simulated=pl.when(pl.col("indicator") == "jeugdhulp_zorgvorm")
        .then(False)
        .otherwise("is_simulated"),
        source=pl.when(pl.col("indicator") == "jeugdhulp_zorgvorm")
        .then(pl.lit("CBS test"))
        .otherwise("source"),
    ).write_parquet(path)
    real = open_store(data_copy)
    figures = {f.key: f for f in section(real, "GM0014").figures}
    assert "verwacht_zorgvormen" not in figures  # every form is real now: one overview
    assert not figures["verwacht_pleegzorg"].simulated
    assert figures["verwacht_pleegzorg"].badge == "model op CBS 2022"
    assert not any(f.simulated for k, f in figures.items() if k.startswith("verwacht"))


GEOSHAPE = re.compile(
    r'aria-label="([^"]*)"[^>]*aria-roledescription="geoshape"[^>]*fill="([^"]+)"'
)


def drawn(chart) -> dict[str, str]:
    """Label → fill of the top shape of every wijk in the rendered map (every wijk is first drawn
    grey, then in its colour when it has a value: the later path in the SVG is on top)."""
    shapes = GEOSHAPE.findall(vlc.vegalite_to_svg(chart.to_dict()))
    by_wijk = {re.search(r"Wijk: ([^;]+);", label)[1]: (label, fill) for label, fill in shapes}
    return dict(by_wijk.values())


def test_wijk_map_colours_every_wijk_by_its_ventile(store):
    """The Utrecht map, rendered: one shape per wijk, its tooltip naming the wijk and its group,
    the colour ordered by group (blue → orange), the same group as the national ranking."""
    fig = next(f for f in section(store, "GM0344").figures if f.key == "verwacht_wijken")
    shapes = drawn(fig.chart)
    values = wijk_model.gemeente_wijken(store, "GM0344")
    assert len(shapes) == values.height == 10
    groups = dict(values.select("name", "group").iter_rows())
    seen = {}
    for label, fill in shapes.items():
        name = re.search(r"Wijk: ([^;]+);", label)[1]
        group = int(re.search(r"Groep \(1-20\): (\d+)", label)[1])
        assert groups[name] == group
        seen.setdefault(group, set()).add(fill)
    assert all(len(fills) == 1 for fills in seen.values())  # one colour per group
    rgb = {g: tuple(int(v) for v in next(iter(fs))[4:-1].split(", ")) for g, fs in seen.items()}
    upper = [rgb[g][2] for g in sorted(rgb) if g > 10]
    assert upper == sorted(upper, reverse=True) and len(set(upper)) == len(upper)  # deeper orange
    amsterdam = next(f for f in section(store, "GM0363").figures if f.key == "verwacht_wijken")
    shapes = drawn(amsterdam.chart)
    values = wijk_model.gemeente_wijken(store, "GM0363")
    assert len(shapes) == values.height  # suppressed wijken are drawn too (grey), no holes
    greys = 0
    for label, fill in shapes.items():
        found = re.search(r"Groep \(1-20\): (\d+)", label)
        if found is None:  # no count or no expectation: grey
            assert fill == charts.NO_VALUE_COLOR, label
            greys += 1
            continue
        r, _, b = (int(v) for v in fill[4:-1].split(", "))
        group = int(found[1])
        assert (b > r) if group <= 8 else (r > b) if group >= 13 else True, (label, fill)
    assert greys == values.filter(pl.col("group").is_null()).height == 5
    assert "Overvecht" in fig.summary


def test_gemeente_without_wijk_polygons_keeps_its_table(store):
    fig = next(f for f in section(store, "GM1924").figures if f.key == "verwacht_wijken")
    assert fig.chart is None and "geen wijkgrenzen" in fig.explanation
    assert (
        fig.table.height
        == store.wijken.filter(pl.col("year") == 2022, pl.col("gemeente_code") == "GM1924").height
    )


def test_what_raises_the_expectation_takes_the_financial_predictors_together(store):
    """The pulls of Utrecht recomputed by hand: β × its own standardised model term, the four
    financial predictors summed (one alone can have the 'wrong' sign through collinearity)."""
    from jeugdmonitor.present.sections.verwacht_model import FINANCIAL, FINANCIAL_LABEL, _pulls

    fit = model.fit_form(store, "jeugdzorg")
    bg = model.background(store).filter(pl.col("gemeente_code") == "GM0344")
    terms = bg.select(model.model_term(c) for c in fit.predictors).row(0, named=True)
    coef = fit.coefficients.filter(pl.col("term") != model.INTERCEPT)
    by_hand = {
        t: b * (terms[t] - m) / sd
        for t, b, m, sd in coef.select("term", "estimate", "mean", "sd").iter_rows()
    }
    pulls = dict(_pulls(store, "GM0344", fit.year))
    assert pulls[FINANCIAL_LABEL] == pytest.approx(sum(by_hand[t] for t in FINANCIAL))
    assert pulls["het lage aandeel huishoudens met kinderen"] == pytest.approx(
        by_hand["huishoudens_met_kinderen"]
    )
    assert len(pulls) == 4
    text = next(f for f in section(store, "GM0344").figures if f.key == "verwacht_model")
    top = max(pulls, key=pulls.get)
    assert f"Het meest omhoog trekt: {top}" in text.explanation
