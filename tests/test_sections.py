"""Sections: the numbers in figures equal an independent computation from the parquet files.

The reference values here are computed straight from `data/*.parquet` with polars and statsmodels
(weighted sums over members, Wilson interval), not through `jeugdmonitor.analysis.indicators`.
"""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from jeugdmonitor.analysis.stats import percent_text
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present.sections import SECTIONS, Choices, build_sections
from jeugdmonitor.present.sections import common as c

EXPECTED_KEYS = [
    "wat_valt_op",
    "inleiding",
    "samenstelling",
    "problematiek",
    "jeugdzorg",
    "onderwijssoort",
    "speciaal_onderwijs",
    "eerder_signaleren",
    "verwacht",
    "wijken",
    "wijken_context",
    "verantwoording",
]
SIM = Choices(include_simulated=True)  # simulated example figures shown too (off by default)


# section → (indicator, breakdown, the figure the strip follows): benchmark strips of a gemeente
STRIPS = {
    ("jeugdzorg", "jeugdzorg", "all", "jeugdzorg_trend"),
    ("speciaal_onderwijs", "speciaal_onderwijs", "all", "speciaal_onderwijs_kaart"),
    (
        "eerder_signaleren",
        "jeugdzorg_huishouden",
        "huishouden=eenouder",
        "jeugdzorg_huishouden_kaart",
    ),
    ("eerder_signaleren", "laag_inkomen", "inkomen=laag", "laag_inkomen_kaart"),
    ("eerder_signaleren", "opleidingsniveau", "opleiding=laag", "opleidingsniveau_kaart"),
}
# ... and with the simulated figures shown, also after their trends
SIM_STRIPS = STRIPS | {
    ("eerder_signaleren", "eenoudergezin", "all", "eenoudergezin_trend"),
    ("eerder_signaleren", "armoede", "all", "armoede_trend"),
    ("eerder_signaleren", "achterstandsleerlingen", "age=4-12", "achterstandsleerlingen_trend"),
}


@pytest.fixture(scope="module")
def store():
    return load()


@pytest.fixture(scope="module")
def raw(store):
    """The raw tables, read again from disk (independent of the store's frames)."""
    data = store.data_dir
    return {
        "indicators": pl.read_parquet(data / "indicators.parquet"),
        "membership": pl.read_parquet(data / "membership.parquet"),
        "regions": pl.read_parquet(data / "regions.parquet"),
        "national": pl.read_parquet(data / "national.parquet"),
        "regional": pl.read_parquet(data / "regional.parquet"),
    }


def reference(raw, code: str, indicator: str, year: int, breakdown: str) -> dict:
    """Weighted numerator/denominator of a region, its rate, Wilson CI and the NL rate."""

    def sums(region_code: str) -> tuple[float, float, float, float]:
        """numerator, denominator and the numerator's bounds (equal to it when exact)."""
        key = (
            (pl.col("indicator") == indicator)
            & (pl.col("year") == year)
            & (pl.col("breakdown") == breakdown)
        )
        # NL is CBS's own national figure where the source publishes one
        national = raw["national"].filter(key)
        if region_code == "NL01" and national.height:
            num, den = float(national["numerator"][0]), float(national["denominator"][0])
            return num, den, num, num
        # a figure the build computed for the region itself replaces the sum of its members
        own = raw["regional"].filter(key & (pl.col("region_code") == region_code))
        if own.height:
            r = own.row(0, named=True)
            return r["numerator"], r["denominator"], r["numerator_low"], r["numerator_high"]
        members = raw["membership"].filter(pl.col("region_code") == region_code)
        joined = raw["indicators"].filter(key).join(members, on="gemeente_code")
        w = joined["weight"]
        num = (joined["numerator"] * w).sum()
        low = (joined["numerator_low"].fill_null(joined["numerator"]) * w).sum()
        high = (joined["numerator_high"].fill_null(joined["numerator"]) * w).sum()
        return float(num), float((joined["denominator"] * w).sum()), float(low), float(high)

    num, den, num_low, num_high = sums(code)
    nl_num, nl_den, _, _ = sums("NL01")
    if not den:  # no member has a value (e.g. a count CBS suppressed)
        return {"num": 0.0, "den": 0.0, "rate": None, "ci_low": None, "ci_high": None,
                "nl_rate": nl_num / nl_den}  # fmt: skip
    # statsmodels wants integer-ish counts; weighted SWV counts are fractional, so use the rate;
    # an estimate's interval runs from its low count's lower to its high count's upper bound
    low = proportion_confint(num_low, den, alpha=0.05, method="wilson")[0]
    high = proportion_confint(num_high, den, alpha=0.05, method="wilson")[1]
    return {
        "num": num,
        "den": den,
        "rate": num / den,
        "ci_low": low,
        "ci_high": high,
        "nl_rate": nl_num / nl_den,
    }


def figure(sections, key):
    return next(f for s in sections.values() for f in s.figures if f.key == key)


def rows(fig, name="rows"):
    return fig.chart.to_dict()["datasets"][name]


# ------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize("code", ["GM0363", "PO2707", "VO2708", "JZ01", "PV27"])
def test_bar_numbers_equal_independent_computation(store, raw, code):
    region = get_region(store, code)
    built = build_sections(store, region)
    fig = figure(built, "jeugdzorg_leeftijd")
    ref = reference(raw, code, "jeugdzorg", 2022, "all")
    chart_row = next(r for r in rows(fig) if r["rol"] == "regio" and r["categorie"] == "Totaal")
    assert chart_row["rate"] == pytest.approx(ref["rate"], abs=1e-5)
    assert chart_row["ci_low"] == pytest.approx(ref["ci_low"], abs=1e-5)
    assert chart_row["ci_high"] == pytest.approx(ref["ci_high"], abs=1e-5)
    assert chart_row["numerator"] == 5 * round(ref["num"] / 5)
    assert chart_row["denominator"] == 5 * round(ref["den"] / 5)
    expected_sig = (
        "▲" if ref["nl_rate"] < ref["ci_low"] else "▼" if ref["nl_rate"] > ref["ci_high"] else ""
    )
    assert chart_row["sig"] == expected_sig

    table = fig.table.filter(
        (pl.col("Regio") == region.display_name) & (pl.col("Uitsplitsing") == "Totaal")
    )
    assert table["Percentage"].item() == pytest.approx(round(ref["rate"] * 100, 1))
    assert table["Aantal"].item() == 5 * round(ref["num"] / 5)
    assert percent_text(ref["rate"]) in fig.summary  # '12,3%' in the key-figures line
    word = {"▲": "hoger", "▼": "lager", "": "niet significant"}[expected_sig]
    assert word in fig.summary


def test_nl_rows_are_the_national_totals(store, raw):
    built = build_sections(store, get_region(store, "GM0014"), choices=SIM)
    fig = figure(built, "armoede_leeftijd")
    ref = reference(raw, "NL01", "armoede", 2024, "age=0-4")
    nl = next(r for r in rows(fig) if r["rol"] == "nl" and r["categorie"] == "0-4 jaar")
    assert nl["rate"] == pytest.approx(ref["rate"], abs=1e-5)
    assert nl["sig"] == ""  # NL is the reference, never marked


def test_trend_has_only_the_real_years_for_region_and_nl(store, raw):
    """The jeugdzorg trend reads 2021-2022 (real, CBS): no simulated years tacked on."""
    built = build_sections(store, get_region(store, "JZ01"))
    fig = figure(built, "jeugdzorg_trend")
    data = pl.DataFrame(rows(fig))
    # 2022 holds 85098NED's provisional figures (StatLine '2022*'): the axis says so
    assert sorted(data["year"].unique().to_list()) == ["2021", "2022*"]
    assert "Jaren met * bevatten voorlopige cijfers van CBS (2022)" in fig.explanation
    assert data["year"].str.contains("2020").sum() == 0 and "trendbreuk" not in fig.explanation
    assert set(data["serie"]) == {
        "Jeugdzorg (totaal)",
        "Jeugdhulp",
        "Jeugdbescherming",
        "Jeugdreclassering (12-23 jaar)",
    }
    # jeugdzorg 2021-2022; the CBS percentages 2022. A line without any value (here NL's
    # jeugdreclassering) stays in the table but leaves the chart and its legend.
    assert fig.table.height == (2 + 1 + 1 + 1) * 2
    empty = fig.table.group_by("Regio", "Uitsplitsing").agg(pl.col("Percentage").count() == 0)
    assert data.height == fig.table.height - empty["Percentage"].sum()
    assert not fig.simulated and fig.badge == "CBS, 2021–2022"
    row = data.filter(
        (pl.col("serie") == "Jeugdbescherming")
        & (pl.col("year") == "2022*")
        & (pl.col("rol") == "regio")
    ).row(0, named=True)
    ref = reference(raw, "JZ01", "jeugdbescherming", 2022, "all")
    assert row["rate"] == pytest.approx(ref["rate"], abs=1e-5)
    nl = data.filter(
        (pl.col("serie") == "Jeugdzorg (totaal)")
        & (pl.col("year") == "2022*")
        & (pl.col("rol") == "nl")
    ).row(0, named=True)
    assert nl["rate"] == pytest.approx(
        reference(raw, "NL01", "jeugdzorg", 2022, "all")["rate"], abs=1e-5
    )


def test_map_holds_every_region_of_the_level(store, raw):
    built = build_sections(store, get_region(store, "VO2708"))
    fig = figure(built, "speciaal_onderwijs_kaart")
    spec = fig.chart.to_dict()
    table = json.loads(c.level_map_json(store, "speciaal_onderwijs", "swv_vo", 2024, "all"))
    codes = {r["code"] for r in table}
    expected = set(raw["regions"].filter(pl.col("type") == "swv_vo")["code"])
    assert codes == expected
    assert spec["datasets"]["selected"][0]["code"] == "VO2708"
    ref = reference(raw, "VO2708", "speciaal_onderwijs", 2024, "all")
    own = next(r for r in table if r["code"] == "VO2708")
    assert own["rate"] == pytest.approx(ref["rate"], abs=1e-5)
    # the inline TopoJSON of the swv_vo level is looked up by code
    lookups = [t for layer in spec["layer"] for t in layer.get("transform", []) if "lookup" in t]
    assert lookups and all(t["from"]["data"]["format"]["feature"] == "swv_vo" for t in lookups)


def test_radar_draws_one_line_per_member_gemeente(store, raw):
    code = "JZ01"
    built = build_sections(store, get_region(store, code), choices=SIM)
    fig = figure(built, "problematiek_radar")
    data = pl.DataFrame(rows(fig))
    members = raw["membership"].filter(pl.col("region_code") == code)["gemeente_code"]
    problem = raw["indicators"].filter(
        (pl.col("indicator") == "problematiek")
        & (pl.col("year") == 2024)
        & pl.col("gemeente_code").is_in(members.implode())
    )
    # a member is drawn when none of its six areas is suppressed (numerator and denominator >= 10)
    complete = (
        problem.group_by("gemeente_code")
        .agg(((pl.col("numerator") >= 10) & (pl.col("denominator") >= 10)).all().alias("ok"))
        .filter("ok")
        .height
    )
    assert data.filter(pl.col("rol") == "lid")["gebied"].n_unique() == complete
    assert data.filter(pl.col("rol") == "regio").height == 6
    # ratio to NL for one area, independently
    ref = reference(raw, code, "problematiek", 2024, "probleem=gedrag")
    row = data.filter((pl.col("rol") == "regio") & (pl.col("categorie") == "Gedragsproblemen"))
    assert row["index"].item() == round(ref["rate"] / ref["nl_rate"] * 100)


def test_radar_for_nl_shows_the_provincies(store):
    built = build_sections(store, None, choices=SIM)
    data = pl.DataFrame(rows(figure(built, "problematiek_radar")))
    assert data["gebied"].n_unique() == 12
    assert set(data["rol"]) == {"lid"}


@pytest.mark.parametrize(
    ("code", "sim"),
    [(c, False) for c in ("GM0363", "GM0088", "PO2707", "VO2708", "JZ01", "PV27", None)]
    + [("GM0363", True)],
)
def test_a_gemeente_gets_a_benchmark_strip_after_each_main_indicator(store, raw, code, sim):
    region = get_region(store, code) if code else None
    built = build_sections(store, region, choices=SIM if sim else Choices())
    gemeente = code is not None and code.startswith("GM")
    all_keys = [f.key for s in built.values() for f in s.figures]
    assert any(k.startswith("benchmark_") for k in all_keys) == gemeente
    if not gemeente:
        return
    parents = raw["membership"].filter(pl.col("gemeente_code") == code)["region_code"]
    jeugdregio = next(p for p in parents if p.startswith("JZ"))
    for section, indicator, breakdown, after in SIM_STRIPS if sim else STRIPS:
        keys = [f.key for f in built[section].figures]
        key = f"benchmark_{indicator}_{breakdown.replace('=', '_')}"
        assert keys.index(key) == keys.index(after) + 1, (section, keys)
        fig = built[section].figures[keys.index(key)]
        assert fig.summary and fig.layout == "full" and fig.download.height == fig.table.height
        by_kind = {r["kind"]: r for r in rows(fig) if r["kind"] != "peer"}
        year = raw["indicators"].filter(pl.col("indicator") == indicator)["year"].max()
        for kind, region_code in (
            ("gemeente", code),
            ("jeugdregio", jeugdregio),
            ("nederland", "NL01"),
        ):
            ref = reference(raw, region_code, indicator, year, breakdown)
            if ref["num"] >= 10:
                assert by_kind[kind]["rate"] == pytest.approx(ref["rate"], abs=1e-5), (key, kind)
                assert by_kind[kind]["ci_low"] == pytest.approx(ref["ci_low"], abs=1e-5)
            else:  # suppressed: no value, and the chart says why
                assert by_kind[kind]["rate"] is None
                assert any(n["row"] == by_kind[kind]["row"] for n in rows(fig, "notes"))


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("GM0363", "gemeente"),
        ("PO2707", "samenwerkingsverband po"),
        ("VO2708", "samenwerkingsverband vo"),
        ("JZ01", "jeugdregio"),
        ("PV27", "provincie"),
        (None, "gemeente"),
    ],
)
def test_map_descriptions_name_the_level_in_the_singular(store, code, level):
    built = build_sections(store, get_region(store, code) if code else None)
    description = figure(built, "jeugdzorg_kaart").chart.to_dict()["description"]
    assert description.startswith(f"Kaart van Nederland per {level}: jeugdzorggebruik in Nederland")


# -------------------------------------------------------------------------------- suppression


def test_small_counts_are_suppressed_everywhere(store, raw):
    code = "GM0088"  # Schiermonnikoog: many counts below 10
    small = raw["indicators"].filter((pl.col("gemeente_code") == code) & (pl.col("numerator") < 10))
    assert small.height > 0, "test needs a region with small counts"
    built = build_sections(store, get_region(store, code))
    published = {
        round(100 * r, 1)
        for table in ("indicators", "national")
        for r in raw[table]["published_rate"].drop_nulls().to_list()
    }
    for section in built.values():
        for fig in section.figures:
            has_rows = fig.chart is not None and "rows" in fig.chart.to_dict()["datasets"]
            for row in rows(fig) if has_rows else []:
                if row.get("rol") == "regio" and row.get("numerator") is not None:
                    assert row["numerator"] >= 10 and row["numerator"] % 5 == 0
            for col in ("Aantal", "Totaal"):
                if col in fig.table.columns:
                    shown = fig.table[col].drop_nulls()
                    assert (shown >= 10).all() and (shown % 5 == 0).all()
            if "Aantal" in fig.table.columns:
                # a hidden count beside a shown percentage only where CBS published that
                # percentage itself (85098NED): the count is derived from it
                bare = fig.table.filter(
                    pl.col("Aantal").is_null() & pl.col("Percentage").is_not_null()
                )
                assert set(bare["Percentage"].to_list()) <= published, fig.key
    # one known small cell: jeugdzorg 0-4 jaar in 2022, which CBS suppressed (no row at all)
    assert reference(raw, code, "jeugdzorg", 2022, "age=0-4")["num"] == 0
    bar = next(
        r
        for r in rows(figure(built, "jeugdzorg_leeftijd"))
        if r["rol"] == "regio" and r["categorie"] == "0-4 jaar"
    )
    assert bar["rate"] is None and bar["numerator"] is None and bar["ci_low"] is None
    assert bar["note"] == "te weinig waarnemingen"


def test_download_is_suppressed_rounded_and_complete(store, raw):
    built = build_sections(store, get_region(store, "GM0088"))
    fig = figure(built, "jeugdzorg_leeftijd")
    data = fig.download
    assert (
        data["regiocode"].n_unique() == raw["regions"].filter(pl.col("type") == "gemeente").height
    )
    assert set(data["jaar"].unique()) == {2021, 2022}
    counts = data["aantal"].drop_nulls()
    assert (counts >= 10).all() and (counts % 5 == 0).all()
    assert data.filter(pl.col("aantal").is_null() & pl.col("percentage").is_not_null()).is_empty()
    assert not data["gesimuleerd"].any()
    assert data.filter(pl.col("percentage").is_not_null())["geschat"].all()  # the population
    assert fig.download_name == "jeugdzorg_gemeenten_2021-2022.csv"
    csv = c.csv_bytes(data).decode("utf-8-sig")
    header = csv.splitlines()[0].split(";")
    assert header[:3] == ["regiocode", "regio", "regiotype"]


# -------------------------------------------------------------------------------------- shape


@pytest.mark.parametrize("sim", [False, True])
@pytest.mark.parametrize(
    "code", [None, "NL01", "GM0363", "GM0088", "PO2707", "VO2708", "JZ01", "PV27"]
)
def test_every_section_builds_for_every_region_type(store, code, sim):
    region = get_region(store, code) if code else None
    built = build_sections(store, region, choices=SIM if sim else Choices())
    assert list(built) == EXPECTED_KEYS == list(SECTIONS)
    # tested in their own modules
    own = ("verwacht", "wijken", "wijken_context", "samenstelling", "verantwoording", "wat_valt_op")
    figures = [f for k, s in built.items() if k not in own for f in s.figures]
    notes = [f for f in figures if f.key.endswith("_bron")]
    gemeente = region is not None and region.type == "gemeente"
    strips = len(SIM_STRIPS if sim else STRIPS) if gemeente else 0
    # by default the six indicators without an open source are a note each; with the simulated
    # figures shown they are their figures (a note only where no rows exist at all)
    assert len(notes) == (0 if sim else 5)
    assert len(figures) - len(notes) == (26 if sim else 13) + strips
    for fig in figures:
        assert fig.summary or fig in notes, fig.key
    # every figure, the model section's included, has the shared furniture, and says plainly
    # whether it shows real (CBS, DUO) or simulated values
    for fig in (f for k, s in built.items() if k != "verantwoording" for f in s.figures):
        if fig.chart is not None:
            assert fig.chart.to_dict()["description"].strip(), fig.key
        assert fig.title and fig.explanation and fig.source.startswith("Bron en jaar data:")
        assert fig.table.height > 0
        if fig.simulated:
            assert sim and "gesimuleerd" in fig.source and not fig.badge
            continue
        assert "gesimuleerd" not in fig.source
        if fig.key.endswith("_bron"):
            assert (
                "jeugdmonitor import" in fig.explanation
                and "jeugdmonitor/templates/" in fig.explanation
            )
        else:
            # published (CBS, DUO), or derived from it: a membership, a model
            assert fig.badge.startswith(
                ("CBS, 202", "DUO, 2024", "afgeleid", "model op CBS 202")
            ), fig.key
            assert "CBS" in fig.source or "DUO" in fig.source, fig.key
            assert fig.download is not None and fig.download.height > 0
    assert any(f.simulated for s in built.values() for f in s.figures) == sim
    real = {f.key for s in built.values() for f in s.figures if not f.simulated}
    assert {"jeugdzorg_leeftijd", "jeugdzorg_kaart", "jeugdzorg_trend"} <= real
    assert {
        "speciaal_onderwijs_aandeel",
        "laag_inkomen_aandeel",
        "opleidingsniveau_aandeel",
    } <= real
    if region is None:
        assert c.NO_REGION_NOTE in built["inleiding"].intro


def test_section_titles_and_texts_follow_the_seeds(store):
    built = build_sections(store, get_region(store, "GM0363"), choices=SIM)
    titles = [s.title for s in built.values()]
    assert titles == [
        "Wat valt op",  # its own theme, first
        "Inleiding",  # under the theme "Hoe zorgt u voor de jeugd?" (jeugdmonitor.present.themes)
        "Regio's van deze gemeente",
        "Problematiek",
        "Jeugdzorggebruik",
        "Jeugdzorggebruik naar onderwijssoort",
        "Speciaal onderwijs",
        "Eerder signaleren",
        "Verwacht en werkelijk jeugdzorggebruik",
        "Wijken",
        "Wijken: gezin, inkomen en opleiding",
        "Bronnen en verantwoording",
    ]
    figure_titles = {f.title for s in built.values() for f in s.figures}
    for title in (
        "Problematiek vergeleken met elkaar en heel Nederland",
        "Relatief aandeel per probleemgebied",
        "Jeugdzorggebruik naar leeftijd",
        "Jeugdzorggebruik in Nederland",
        "Trend jeugdzorggebruik",
        "Jeugdzorggebruik per onderwijssoort in uw gemeente of regio",
        "Trend jeugdzorggebruik per onderwijssoort",
        "Speciaal onderwijs per onderwijssoort",
        "Speciaal onderwijs in Nederland",
        "Onderverdeling kinderen in eenoudergezinnen",
        "Kinderen in eenoudergezinnen in Nederland",
        "Trend kinderen in eenoudergezinnen",
        "Onderverdeling kinderen in armoede",
        "Kinderen in armoede in Nederland",
        "Trend kinderen in armoede",
        "Onderverdeling achterstandsleerlingen",
        "Achterstandsleerlingen in Nederland",
        "Trend achterstandsleerlingen",
        # what CBS measures, named as CBS names it
        "Jeugdzorg in eenoudergezinnen",
        "Huishoudens met een laag inkomen",
        "Inwoners met een laag opleidingsniveau",
    ):
        assert title in figure_titles
    for key in ("speciaal_onderwijs", "eerder_signaleren"):
        assert "Wat kan ik met de cijfers uit mijn regio?" in built[key].outro


def test_names_are_escaped_before_markdown(store):
    assert c.md_escape("a*b_<c>|d") == "a&#42;b&#95;&lt;c&gt;&#124;d"
    built = build_sections(store, get_region(store, "GM0796"))  # 's-Hertogenbosch
    fig = figure(built, "jeugdzorg_leeftijd")
    assert "'s-Hertogenbosch" in fig.summary


def test_map_summary_when_every_region_is_suppressed():
    from jeugdmonitor.present.sections.figures import _spread

    frame = pl.DataFrame(
        {"gebied": ["A", "B"], "rate": [None, None]},
        schema={"gebied": pl.String, "rate": pl.Float64},
    )
    assert _spread(frame, "gemeenten") == "Alle 2 gemeenten onderdrukt (aantallen kleiner dan 10)."
    shown = frame.with_columns(rate=pl.Series([0.25, None]))
    assert _spread(shown, "gemeenten").startswith("Laagste: A (25,0%); hoogste: A (25,0%); 1 van 2")


@pytest.mark.parametrize("code", ["GM0363", "PO2707", None])
def test_summaries_and_texts_have_no_doubled_spaces_or_brackets(store, code):
    built = build_sections(store, get_region(store, code) if code else None)
    for fig in (f for s in built.values() for f in s.figures):
        for text in (fig.summary, fig.explanation):
            assert not re.search(r"\S {2,}\S", text), (fig.key, text)
            assert ") (" not in text, (fig.key, text)


def test_map_text_mentions_the_outline_only_when_a_region_is_chosen(store):
    # NL: jeugdzorg, speciaal onderwijs, the three CBS measures of eerder signaleren; a gemeente
    # also its wijken (jeugdzorg and the three measures)
    for code, maps, outlined in ((None, 5, 0), ("GM0363", 9, 9)):
        region = get_region(store, code) if code else None
        texts = [
            f.explanation
            for s in build_sections(store, region).values()
            for f in s.figures
            if f.key.endswith("_kaart")
        ]
        assert len(texts) == maps
        assert sum(bool(re.search(r"oranje\s+omlijnd", t)) for t in texts) == outlined


def test_every_catalogue_section_has_its_naar_link():
    """'Wat valt op' links an indicator to its section by the catalogue's `section`: each of
    those is a registered section with a title (wat_valt_op.LINKED lists them)."""
    from jeugdmonitor.data.files import reference_csv
    from jeugdmonitor.present.sections import SECTIONS, wat_valt_op

    keys = set(reference_csv("catalogue")["section"])
    links = wat_valt_op.section_links()
    assert keys <= set(links) and set(links) <= set(SECTIONS)
    assert links["verwacht"] == "Verwacht en werkelijk jeugdzorggebruik"
