"""Every real figure is what CBS published, and a page shows one consistent number per figure.

One test (or more) per defect found by an independent check of the real figures: the 0-17
denominator, wijken on the gemeente's basis, merged gemeenten with a suppressed part, Nederland
from CBS's own rows, published percentages, partly estimated counts, SWV weights and member
tables, badges, verwijzers, the verantwoording, wijken matched by code, the ventile map's
colours and the import dry run. The CSV checks read the figures' downloads as users get them
(`csv_bytes`: semicolons, decimal commas), whichever CSV files a report writes.
"""

from __future__ import annotations

import dataclasses
import io
import re

import polars as pl
import pytest

from jeugdmonitor import cli
from jeugdmonitor.analysis import indicators
from jeugdmonitor.analysis.stats import wilson_interval
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import open_store
from jeugdmonitor.present import charts, markup
from jeugdmonitor.present.sections import build_sections, common, samenstelling

# (modules and names new with these fixes are imported inside the tests that use them, so on the
# code before the fixes each test fails on its own defect rather than the module on an import)

NL_YOUTH_2022 = 3_310_000  # CBS: youths 0-17 on 1 January 2022 (the check)
PARTLY_ESTIMATED = {  # gemeenten whose 2022 jeugdzorg 0-17 count includes filled-in cells
    "GM0088", "GM0096", "GM0060", "GM0093", "GM1992", "GM0373", "GM0944", "GM1695", "GM0277",
    "GM1723", "GM0744",
}  # fmt: skip


def figure(built: dict, key: str):
    return next(f for s in built.values() for f in s.figures if f.key == key)


def csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A download as the user opens it: the exact CSV bytes, read back."""
    text = common.csv_bytes(frame).decode("utf-8-sig")
    return pl.read_csv(io.StringIO(text), separator=";", decimal_comma=True,
                       infer_schema_length=None)  # fmt: skip


def value(store, code: str, indicator: str, year: int = 2022, breakdown: str = "all") -> dict:
    return indicators.region_values(store, code, indicator, year, breakdown).row(0, named=True)


@pytest.fixture(scope="module")
def utrecht(store):
    return build_sections(store, get_region(store, "GM0344"))


@pytest.fixture(scope="module")
def trend_csv(utrecht) -> pl.DataFrame:
    """The jeugdzorg trend download (jeugdzorg, jeugdhulp, jb, jr of every gemeente), as read."""
    return csv_frame(figure(utrecht, "jeugdzorg_trend").download)


# ------------------------------------------------------ 1. the 0-17 denominator (students)


def test_no_gemeente_has_jeugdzorg_below_jeugdhulp(store):
    """Jeugdhulp is part of jeugdzorg: in no gemeente may jeugdzorg % lie below jeugdhulp %
    (Maastricht was 15.7% against 17.1%, Groningen 14.3% against 15.3%, 29 gemeenten in all)."""
    jz = indicators.level_values(store, "jeugdzorg", "gemeente").filter(
        (pl.col("year") == 2022) & (pl.col("breakdown") == "all")
    )
    jh = indicators.level_values(store, "jeugdhulp", "gemeente").filter(
        (pl.col("year") == 2022) & (pl.col("breakdown") == "all")
    )
    both = jz.select("region_code", jz="rate").join(jh.select("region_code", jh="rate"),
                                                    on="region_code").drop_nulls()  # fmt: skip
    assert both.height > 300
    below = both.filter(pl.col("jz") < pl.col("jh") - 1e-12)
    assert below.height == 0, below
    for code in ("GM0935", "GM0014", "GM0503", "GM0289"):  # Maastricht, Groningen, Delft, Wag.
        assert value(store, code, "jeugdzorg")["rate"] >= value(store, code, "jeugdhulp")["rate"]


def test_students_do_not_inflate_the_15_to_17_year_olds(store):
    """Per year of age, 12-17 year olds are never far more than 4-11 year olds (Maastricht was
    1.40×: its 15-19 band holds the students); the national total stays CBS's 3.31 million."""
    pop = store.population.filter(pl.col("year") == 2022)
    wide = pop.pivot(on="age_group", index="gemeente_code", values="population").with_columns(
        per_year=(pl.col("12-18") / 6) / (pl.col("4-12") / 8)
    )
    assert wide["per_year"].max() < 1.3, wide.sort("per_year").tail(3)
    maastricht = wide.filter(pl.col("gemeente_code") == "GM0935")["per_year"][0]
    assert maastricht < 1.1
    total = wide.select(pl.sum_horizontal("0-4", "4-12", "12-18")).to_series().sum()
    assert abs(total / NL_YOUTH_2022 - 1) < 0.01, total
    assert "younger cohort" in (store.data_dir / "README.md").read_text(encoding="utf-8")


def test_csv_has_no_gemeente_with_jeugdzorg_below_jeugdhulp(trend_csv):
    rows = trend_csv.filter((pl.col("jaar") == 2022) & (pl.col("uitsplitsing") == "all"))
    jz = rows.filter(pl.col("indicator") == "jeugdzorg").select("regiocode", jz="percentage")
    jh = rows.filter(pl.col("indicator") == "jeugdhulp").select("regiocode", jh="percentage")
    both = jz.join(jh, on="regiocode").drop_nulls()
    assert both.height > 300 and both.filter(pl.col("jz") < pl.col("jh")).height == 0


# ------------------------------------------------------ 2. wijken on the gemeente's 0-18 basis


def test_wijken_use_the_gemeentes_0_18_basis(store, utrecht):
    """Utrecht's wijken add up to within a point of Utrecht's own jeugdzorg 0-18 (the wijken
    showed 11.4% of the 0-23 year olds against 15.1% for the gemeente)."""
    wijken = csv_frame(figure(utrecht, "wijken_rangorde").download).filter(pl.col("jaar") == 2022)
    own = value(store, "GM0344", "jeugdzorg")["rate"] * 100
    together = 100 * wijken["aantal"].sum() / wijken["totaal"].sum()
    assert abs(together - own) < 1, (together, own)
    raw = store.wijken.filter((pl.col("gemeente_code") == "GM0344") & (pl.col("year") == 2022))
    shown = figure(utrecht, "wijken_rangorde").table.filter(pl.col("Jaar") == 2022)
    overvecht = raw.filter(pl.col("name").str.contains("Overvecht")).row(0, named=True)
    row = shown.filter(pl.col("Wijk").str.contains("Overvecht")).row(0, named=True)
    assert row["Percentage"] == round(100 * overvecht["jz_0_18"] / overvecht["youth_0_18"], 1)
    assert "0 tot 18 jaar" in build_sections(store, get_region(store, "GM0344"))["wijken"].intro


# ------------------------------------------- 3. merged gemeenten: the coverage rule, not "< 10"


def test_a_suppressed_former_gemeente_does_not_hide_the_figure(store):
    """Amsterdam's jeugdreclassering 2022 (CBS 0.5%; only Weesp is suppressed) is shown and says
    what is missing; Voorne aan Zee's 0-4 (at least 60 youths) is not labelled '< 10'."""
    ams = value(store, "GM0363", "jeugdreclassering")
    assert ams["rate"] == pytest.approx(0.005) and ams["coverage_note"] == "zonder Weesp: < 10"
    rechter = value(store, "GM0363", "jeugdzorg_verwijzer", breakdown="verwijzer=rechter_om")
    assert rechter["rate"] is not None and "Weesp" in rechter["coverage_note"]
    vaz = common.region_vs_nl(store, "jeugdzorg", get_region(store, "GM1992"), year=2022,
                              breakdowns=["age=0-4"])  # fmt: skip
    table = common.figure_table(vaz.filter(pl.col("rol") == "regio"))
    assert table["Verschil met NL"][0] != "onderdrukt (< 10)"
    assert "Westvoorne" in vaz.filter(pl.col("rol") == "regio")["coverage_note"][0]
    built = build_sections(store, get_region(store, "GM0363"))
    trend = figure(built, "jeugdzorg_trend")
    assert "zonder Weesp: < 10" in trend.table["Dekking"].to_list()


# -------------------------------------------------------- 4. Nederland from CBS's own NL rows


def test_nederland_uses_cbs_national_rows_of_85098ned(store):
    for indicator, published in (("jeugdreclassering", 0.003), ("jeugdhulp", 0.132),
                                 ("jeugdbescherming", 0.012), ("jeugdhulp_verblijf", 0.088)):  # fmt: skip
        assert value(store, "NL01", indicator)["rate"] == pytest.approx(published), indicator


def test_no_reference_is_no_comparison_never_not_significant(store):
    """Without Nederland's figure a comparison says 'geen vergelijking' (it was filled in as
    'niet significant')."""
    without_nl = dataclasses.replace(
        store, national=store.national.filter(pl.col("indicator") != "jeugdreclassering"),
        _cache={},
    )  # fmt: skip
    assert value(without_nl, "NL01", "jeugdreclassering")["rate"] is None
    frame = common.region_vs_nl(without_nl, "jeugdreclassering", get_region(without_nl, "GM0344"),
                                year=2022, breakdowns=["all"])  # fmt: skip
    mine = frame.filter(pl.col("rol") == "regio")
    assert mine["rate"][0] is not None
    assert common.figure_table(mine)["Verschil met NL"][0] == "geen vergelijking"
    assert "geen vergelijking" in common.summary(frame, get_region(without_nl, "GM0344"), what="")
    csv = common.download(without_nl, "jeugdreclassering", "gemeente")[0]
    assert (
        csv.filter(pl.col("regiocode") == "GM0344", pl.col("jaar") == 2022)["verschil_met_nl"][0]
        == "geen vergelijking"
    )


# ------------------------------------------------------ 5. published percentages as published


def test_published_percentages_are_shown_as_published(store):
    """Schiermonnikoog's jeugdhulp is CBS's 11.4 (11.2 from a rounded count); a derived count
    below 10 hides the count, not the published percentage."""
    schier = value(store, "GM0088", "jeugdhulp")
    assert schier["rate"] == pytest.approx(0.114)
    harlingen = value(store, "GM0072", "jeugdhulp_verblijf")
    assert round(100 * harlingen["rate"], 1) == 15.9
    small = indicators.level_values(store, "jeugdbescherming", "gemeente").filter(
        (pl.col("year") == 2022) & (pl.col("numerator") < 10) & pl.col("published_rate").is_not_null()
    )  # fmt: skip
    assert small.height > 0
    shown = common.shown(small)
    assert shown["rate"].is_not_null().all() and shown["numerator"].is_null().all()
    assert not shown["suppressed"].any()


def test_interval_covers_the_rounding_of_a_published_percentage(store):
    from jeugdmonitor.analysis.stats import ROUNDING

    row = value(store, "GM0344", "jeugdhulp")
    low, _ = wilson_interval(row["rate"] * row["denominator"] - ROUNDING * row["denominator"],
                             row["denominator"])  # fmt: skip
    _, high = wilson_interval(row["rate"] * row["denominator"] + ROUNDING * row["denominator"],
                              row["denominator"])  # fmt: skip
    assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)
    plain_low, plain_high = wilson_interval(row["rate"] * row["denominator"], row["denominator"])
    assert row["ci_low"] < plain_low and row["ci_high"] > plain_high


def test_csv_shows_the_published_percentages(trend_csv):
    rows = trend_csv.filter((pl.col("jaar") == 2022) & (pl.col("uitsplitsing") == "all"))
    schier = rows.filter((pl.col("regiocode") == "GM0088") & (pl.col("indicator") == "jeugdhulp"))
    assert schier["percentage"][0] == 11.4 and schier["aantal_afgeleid"][0]
    ams = rows.filter(
        (pl.col("regiocode") == "GM0363") & (pl.col("indicator") == "jeugdreclassering")
    )
    assert 0.4 <= ams["percentage"][0] <= 0.6 and ams["percentage_nederland"][0] == 0.3


# ------------------------------------------------------------ 6. estimated counts are disclosed


def test_partly_estimated_counts_say_so(store, utrecht, trend_csv):
    rows = store.indicators.filter(
        (pl.col("indicator") == "jeugdzorg") & (pl.col("breakdown") == "all")
        & (pl.col("year") == 2022)
    )  # fmt: skip
    partly = rows.filter(pl.col("source").str.contains("aantal deels geschat"))
    assert set(partly["gemeente_code"]) == PARTLY_ESTIMATED
    csv = trend_csv.filter(
        (pl.col("regiocode") == "GM0088") & (pl.col("jaar") == 2022)
        & (pl.col("indicator") == "jeugdzorg") & (pl.col("uitsplitsing") == "all")
    )  # fmt: skip
    assert "aantal deels geschat" in csv["bron"][0]
    built = build_sections(store, get_region(store, "GM0088"))
    assert (
        "aantal deels geschat voor schiermonnikoog"
        in figure(built, "jeugdzorg_leeftijd").source.lower()
    )


def test_a_shown_count_agrees_with_its_percentage(store):
    """Schiermonnikoog showed '15 van 105' beside 12.3%: the count is now what the rate uses."""
    built = build_sections(store, get_region(store, "GM0088"))
    table = figure(built, "jeugdzorg_leeftijd").table
    row = table.filter((pl.col("Regio") != "Nederland") & (pl.col("Uitsplitsing") == "Totaal"))
    r = row.row(0, named=True)
    assert abs(100 * r["Aantal"] / r["Totaal"] - r["Percentage"]) < 0.3, r


# -------------------------------------------------------- 7. SWV weights and member tables


def test_swv_weighs_a_merged_gemeente_by_its_youths(store):
    """Weesp lies in another SWV than the rest of Amsterdam: PO2707 counts Amsterdam without
    Weesp's youths (the exact 2022 count is 20,990; postcode weights gave 20,640)."""
    got = value(store, "PO2707", "jeugdzorg")["numerator"]
    assert abs(got / 20_990 - 1) < 0.01, got
    weights = dict(
        store.membership.filter(pl.col("gemeente_code") == "GM0363")
        .select("region_code", "weight").iter_rows()
    )  # fmt: skip
    assert weights["PO2707"] > 0.97 and weights["PO2709"] < 0.03


def test_member_rows_add_up_to_the_swv(store):
    fig = samenstelling.build(store, get_region(store, "PO2707")).figures[0]
    members, total = fig.table.head(fig.table.height - 1), fig.table.row(-1, named=True)
    youth = "Jeugdigen 0-18 (2022, geschat)"
    count = "Jeugdzorg 2022 (aantal)"
    assert total["Code"] == "PO2707"
    whole = value(store, "PO2707", "jeugdzorg")
    assert total[count] == 5 * round(whole["numerator"] / 5)
    assert abs(members[count].sum() - total[count]) <= 5 * members.height
    assert abs(members[youth].sum() - total[youth]) <= 5 * members.height
    ams = members.filter(pl.col("Code") == "GM0363").row(0, named=True)
    # count and youths carry the same weight: their ratio is Amsterdam's own percentage
    assert 100 * ams[count] / ams[youth] == pytest.approx(ams["Jeugdzorg 2022 (%)"], abs=0.1)


# --------------------------------------------------------------- 8. badges say what a figure is


def test_badges_distinguish_published_derived_and_model(store):
    gm = samenstelling.build(store, get_region(store, "GM0344")).figures[0]
    assert gm.badge == "afgeleid"
    swv = samenstelling.build(store, get_region(store, "PO2707")).figures[0]
    assert swv.badge == "afgeleid"
    built = build_sections(store, get_region(store, "GM0344"))
    assert figure(built, "verwacht_jeugdzorg").badge == "model op CBS 2022"
    assert figure(built, "jeugdzorg_leeftijd").badge == "CBS, 2022"
    assert "jm-derived" in markup.badge_html(gm)
    assert "jm-real" in markup.badge_html(figure(built, "jeugdzorg_leeftijd"))


# --------------------------------------------------------------- 9. verwijzers add up to 100 %


def test_verwijzer_shares_add_up_to_100(store, utrecht):
    fig = figure(utrecht, "jeugdzorg_verwijzer")
    assert "Verwijzer onbekend" in fig.table["Uitsplitsing"].to_list()
    nl = indicators.level_values(store, "jeugdzorg_verwijzer", "nederland").filter(
        pl.col("year") == 2022
    )
    assert nl.height == 8 and nl["rate"].sum() == pytest.approx(1.0)
    csv = csv_frame(fig.download).filter(
        (pl.col("regiocode") == "GM0344") & (pl.col("jaar") == 2022)
    )
    assert abs(csv["percentage_nederland"].sum() - 100) <= 0.5


# ----------------------------------------------------------- 10. one verantwoording, reachable


def test_verantwoording_names_every_table_and_estimate(store):
    from jeugdmonitor.present import verantwoording

    parts = verantwoording.parts(store)
    text = " ".join(
        [p.text for p in parts]
        + [" ".join(map(str, row)) for p in parts if p.table is not None for row in p.table.rows()]
    )
    text = " ".join(text.split())  # markdown line breaks are spaces
    for table in ("85075NED", "85335NED", "85098NED", "70072NED", "BWBR0032324"):
        assert table in text, table
    for title in ("Jeugdzorg; jongeren, wijken", "Jeugdzorg; indicatoren, gemeenten",
                  "Regionale kerncijfers Nederland", "Kerncijfers wijken en buurten",
                  "Inkomen van huishoudens; regio", "Wijk- en Buurtkaart"):  # fmt: skip
        assert title in text, title
    for method in ("15-17-jarigen", "aantal deels geschat", "percentage", "gewicht", "model"):
        assert method in text, method
    assert not re.search(r"github|mzelst|cartomap|capybara", text, re.IGNORECASE)
    # current: it reports the national check of this data
    youth = store.population.filter(
        (pl.col("year") == 2022) & pl.col("age_group").is_in(["0-4", "4-12", "12-18"])
    )["population"].sum()
    assert f"{youth:,}".replace(",", ".") in text


def test_verantwoording_is_a_section_every_source_line_links_to(store, utrecht):
    from jeugdmonitor.present.sections import verantwoording as verantwoording_section

    section = utrecht["verantwoording"]
    assert section.key == markup.VERANTWOORDING and section.figures
    for fig in (f for s in utrecht.values() for f in s.figures if f.source):
        assert f"href='#{markup.VERANTWOORDING}'" in markup.source_html(fig.source), fig.key
    assert verantwoording_section.build(store, None).outro == section.outro  # region-independent


def test_a_part_can_be_added_after_another(store, monkeypatch):
    from jeugdmonitor.present import verantwoording

    monkeypatch.setattr(verantwoording, "PARTS", list(verantwoording.PARTS))
    extra = verantwoording.Part(
        "echt", "Welke cijfers zijn echt?", "tekst", pl.DataFrame({"a": [1]})
    )
    verantwoording.register("echt", lambda s: extra, after="bronnen")
    keys = [k for k, _ in verantwoording.PARTS]
    assert keys[:2] == ["bronnen", "echt"]
    fresh = dataclasses.replace(store, _cache={})
    assert verantwoording.parts(fresh)[1] is extra


def test_report_has_the_verantwoording_and_no_code_repositories(store):
    from jeugdmonitor.present import report

    doc, _, _ = report.render(store, get_region(store, "GM0344"))
    assert not re.search(r"mzelst|github", doc, re.IGNORECASE)
    assert 'id="verantwoording"' in doc and "85098NED" in doc
    assert doc.count("href='#verantwoording'") > 20


# ---------------------------------------------------------------- 11. wijken matched by code


def test_wijk_trend_matches_wijken_by_code_and_names_weesp(store):
    built = build_sections(store, get_region(store, "GM0363"))
    trend = figure(built, "wijken_trend")
    rows = trend.table.filter(pl.col("Code") == "WK036393")
    assert rows.height == 2 and rows["Wijk"].n_unique() == 1  # 'Bijlmer Centrum (D.F.H)'
    pairs = trend.chart.to_dict()["datasets"]["pairs"]
    assert sum("Bijlmer Centrum" in p["gebied"] for p in pairs) == 1
    weesp = store.wijken.filter(pl.col("gemeente_own") == "GM0457")["name"]
    assert weesp.str.ends_with("(Weesp)").all() and "Zuid (Weesp)" in weesp.to_list()
    names = figure(built, "wijken_rangorde").table["Wijk"].to_list()
    assert "Zuid" not in names and "Zuid (Weesp)" in names


# ------------------------------------------------- 12. the verwacht map: one colour, one meaning


def test_ventile_colours_are_never_the_no_value_grey():
    """Groups 10 and 11 were near-white grey, the colour the caption keeps for 'no value'."""
    spec = charts.choropleth(
        pl.DataFrame({c: [] for c in charts.VENTILE_MAP_COLUMNS}),
        geo={"type": "Topology", "objects": {}, "arcs": []},
        selected=None, description="", kind="ventile",
    ).to_dict()  # fmt: skip
    assert "blueorange" not in str(spec) and str(charts.VENTILE_RANGE[1]) in str(spec)

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))

    grey = rgb(charts.NO_VALUE_COLOR)
    for group in range(1, 21):
        colour = _ventile_colour(group)
        r, _, b = colour
        assert max(colour) - min(colour) > 60, (group, colour)  # saturated, never grey
        assert max(grey) - min(grey) == 0  # the no-value colour is a pure grey
        assert (b > r) if group <= 10 else (r > b), (group, colour)


def _ventile_colour(group: int) -> tuple[int, int, int]:
    """The colour the piecewise scale gives a group (linear in RGB between the stops)."""
    domain, colours = charts.VENTILE_DOMAIN, charts.VENTILE_RANGE
    for i in range(len(domain) - 1):
        if domain[i] <= group <= domain[i + 1]:
            t = (group - domain[i]) / (domain[i + 1] - domain[i])
            a = [int(colours[i][k : k + 2], 16) for k in (1, 3, 5)]
            b = [int(colours[i + 1][k : k + 2], 16) for k in (1, 3, 5)]
            return tuple(round(x + t * (y - x)) for x, y in zip(a, b, strict=True))
    raise ValueError(group)


# ------------------------------------------------------- 13. the dry run lists what changes


def test_dry_run_lists_exactly_the_regions_whose_value_changes(tmp_path, data_copy, capsys):
    """One jeugdhulp row for Utrecht in a new year: Utrecht and the regions it fills (≥ 90% of
    their youths), not all 547 regions as 'new value'."""
    path = tmp_path / "een.csv"
    path.write_text(
        "indicator,gemeente_code,year,breakdown,numerator,denominator,source\n"
        "jeugdhulp,GM0344,2023,all,10500,70000,Eigen registratie\n",
        encoding="utf-8",
    )
    assert cli.main(["import", str(path), "--data", str(data_copy), "--dry-run"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"Regions whose shown values change: (\d+)", out)
    store = open_store(data_copy)
    youth = indicators.youth(store).filter(pl.col("pop_year") == 2023)
    share = (
        store.membership.join(youth, on="gemeente_code")
        .with_columns(w=pl.col("weight") * pl.col("youth"))
        .group_by("region_code")
        .agg((pl.col("w").filter(pl.col("gemeente_code") == "GM0344").sum() / pl.col("w").sum())
             .alias("utrecht"))
        .filter(pl.col("utrecht") >= indicators.COVERAGE_MIN)
    )  # fmt: skip
    assert found and int(found[1]) == share.height < 10, out
    for code in share["region_code"]:
        assert f"{code} " in out
