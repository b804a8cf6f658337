"""Reading and finding: tables, themes and navigation, region search, key sentences (issue 14)."""

from __future__ import annotations

import re

import polars as pl
import pytest

from jeugdmonitor.app import ui
from jeugdmonitor.data.region_search import SEARCH_ONLY, fold, matches, picker_label, shown_label
from jeugdmonitor.data.regions import dropdown_options, get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present import charts, markup, themes
from jeugdmonitor.present.sections import Choices, build_sections

SIM = Choices(include_simulated=True)  # simulated example figures shown too


@pytest.fixture(scope="module")
def store():
    return load()


# ------------------------------------------------------------------------------------- tables


def test_table_numbers_are_right_aligned_and_intervals_one_column():
    table = pl.DataFrame(
        {
            "Regio": ["Utrecht", "Nederland"],
            "Jaar": [2024, 2024],
            "Aantal": [20248, 3339175],
            "Percentage": [8.9, 13.5],
            "95%-BI ondergrens": [8.7, 13.5],
            "95%-BI bovengrens": [9.1, 13.6],
            "Verschil met NL": ["lager", "referentie"],
        }
    )
    html = markup.table_html(table)
    head = re.findall(r"<th scope='col'( class='num')?>([^<]*)</th>", html)
    assert [name for _, name in head] == [
        "Regio",
        "Aantal",
        "Percentage",
        "95%-BI",
        "Verschil met NL",
    ]
    assert [bool(num) for num, _ in head] == [False, True, True, True, False]
    # the year is the same in every row: it moved to the caption; numbers in their own cells
    assert "<caption>Jaar: 2024</caption>" in html
    cells = re.findall(r"<td( class='num')?>([^<]*)</td>", html)
    assert cells[:5] == [("", "Utrecht"), (" class='num'", "20.248"), (" class='num'", "8,9"),
                         (" class='num'", "8,7–9,1"), ("", "lager")]  # fmt: skip
    # the CSS pads every cell and right-aligns numbers (issue: '20248.970' ran together)
    assert re.search(r"\.jm-table th, \.jm-table td \{[^}]*padding: 3px 6px", markup.FIGURE_CSS)
    assert re.search(r"\.jm-table \.num \{[^}]*text-align: right", markup.FIGURE_CSS)


def test_table_keeps_the_sections_decimals_and_drops_negative_zero():
    table = pl.DataFrame({"Groep": [1, 2], "Verschil": [-0.004, 0.25], "Index": [1.5, 2.0]})
    html = markup.table_html(table)
    cells = re.findall(r"<td class='num'>([^<]*)</td>", html)
    assert cells == ["1", "-0,004", "1,5", "2", "0,250", "2,0"]
    zero = markup.table_html(
        pl.DataFrame({"Verschil": [-0.01, 0.5]}).with_columns(pl.col("Verschil").round(1))
    )
    assert "-0,0" not in zero and ">0,0<" in zero


def test_table_scrolls_in_a_focusable_labelled_box_instead_of_being_cut_off():
    html = markup.table_html(pl.DataFrame({"a": [1]}), "Tabel bij figuur X")
    assert html.startswith(
        "<div class='jm-table-wrap' role='region' aria-label='Tabel bij figuur X'"
    )
    assert "tabindex='0'" in html
    assert re.search(r"\.jm-table-wrap \{[^}]*overflow-x: auto", markup.FIGURE_CSS)
    # a pair of half-width figures stacks while one of its tables is open
    assert ".jm-row:has(details[open])" in markup.FIGURE_CSS


def test_table_toggle_is_a_native_disclosure_and_links_lead_to_regions():
    table = pl.DataFrame({"Regio": ["Utrecht", "Nederland"], "Aantal": [1, 2]})
    closed = markup.table_details(table)
    assert closed.startswith("<details class='jm-details'><summary>Tabel met aantallen")
    linked = markup.table_html(table, links=("GM0344", ""), href=lambda c: f"?region={c}")
    assert "<td><a href='?region=GM0344'>Utrecht</a></td><td class='num'>1</td>" in linked
    assert "<td>Nederland</td>" in linked


# --------------------------------------------------------------------------- themes, navigation


def test_sections_are_grouped_under_the_nji_themes(store):
    built = build_sections(store, get_region(store, "GM0363"))
    grouped = themes.grouped(built)
    assert [(t.title, [k for k, _ in m]) for t, m in grouped] == [
        ("Wat valt op", ["wat_valt_op"]),
        (
            "Hoe zorgt u voor de jeugd?",
            [
                "inleiding",
                "samenstelling",
                "problematiek",
                "jeugdzorg",
                "onderwijssoort",
                "speciaal_onderwijs",
            ],
        ),
        ("Eerder signaleren", ["eerder_signaleren"]),
        ("Verwacht en werkelijk", ["verwacht"]),
        ("Wijken", ["wijken", "wijken_context"]),
        ("Bronnen en verantwoording", ["verantwoording"]),
    ]
    assert [t.title for t in themes.themes()][-2] == "Wijken"  # slot for the Wijken section


def test_a_new_section_slots_into_a_theme_without_code_changes():
    keys = dict.fromkeys(["inleiding", "jeugdzorg", "nieuw", "verwacht", "wijken", "na_wijken"])
    grouped = {t.key: [k for k, _ in m] for t, m in themes.grouped(keys)}
    assert grouped == {
        "jeugd": ["inleiding", "jeugdzorg", "nieuw"],  # after jeugdzorg: its theme
        "verwacht": ["verwacht"],
        "wijken": ["wijken", "na_wijken"],
    }


def test_contents_link_every_theme_and_section_and_headings_carry_the_anchors(store):
    built = build_sections(store, get_region(store, "GM0344"))
    toc = markup.toc_html(built)
    links = re.findall(r"<a href='#([^']+)'>", toc)
    assert links[0] == "thema-kort" and "wat_valt_op" not in links  # one section, one link
    assert links[1:5] == ["thema-jeugd", "inleiding", "samenstelling", "problematiek"]
    assert "thema-signaleren" in links and "eerder_signaleren" not in links  # one section, one link
    page = "".join(ui.sections_by_key(built, key).text for key in built)
    for anchor in links:
        assert f"id='{anchor}'" in page or f'id="{anchor}"' in page, anchor
    assert "id='eerder_signaleren'" in page  # a deep link to the section itself works too
    # the theme heading comes once, before its first section; sections are h3 with a link
    assert page.count("class='jm-theme'") == len(themes.themes())
    assert (
        "<h3 class='jm-section' id='jeugdzorg'>Jeugdzorggebruik<a class='jm-anchor' href='#jeugdzorg'"
        in page
    )


def test_further_reading_is_real_links_and_print_shows_the_address(store):
    jeugd, signaleren = themes.themes()[1:3]
    assert [x.title for x in jeugd.research] == [
        "Publicatie NJi: Preventiematrix jeugdbeleid",
        "Publicatie NJi: Het groeiend jeugdzorggebruik",
        "Publicatie NJi: Populatie-analyse in het onderwijs",
        "Publicatie NJi: Schoolmaatschappelijk werk: sterk in preventie",
    ]
    assert len(jeugd.links) == 3 and len(signaleren.research) == 2
    for link in (*jeugd.research, *jeugd.links, *signaleren.research):
        assert link.url.startswith("https://"), link
    html = markup.further_reading(jeugd)
    assert "<h3>Relevant onderzoek</h3>" in html and "<h3>Relevante links</h3>" in html
    assert f"<a href='{jeugd.links[1].url}' target='_blank' rel='noopener'>" in html
    assert 'a::after { content: " (" attr(href) ")"' in markup.FIGURE_CSS
    built = build_sections(store, get_region(store, "GM0344"))
    last = ui.sections_by_key(built, "speciaal_onderwijs").text
    assert (
        "Relevant onderzoek" in last
        and "Relevant onderzoek" not in ui.sections_by_key(built, "jeugdzorg").text
    )


def test_click_instructions_are_marked_for_the_screen_only(store):
    built = build_sections(store, get_region(store, "GM0344"))
    trend = next(f for f in built["jeugdzorg"].figures if f.key == "jeugdzorg_trend")
    assert '<span class="jm-interactive">Klik in de legenda' in trend.explanation
    assert re.search(r"@media print \{[^}]*\.jm-interactive", markup.FIGURE_CSS)


# ---------------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("den haag", "GM0518"),
        ("Den Bosch", "GM0796"),
        ("sudwest", "GM1900"),
        ("fryslan", "GM1970"),  # Noardeast-Fryslân sorts first; Súdwest-Fryslân follows
        ("sudwest fryslan", "GM1900"),
        ("GM0344", "GM0344"),
        ("gm0344", "GM0344"),
        ("PO2707", "PO2707"),
        ("friesland", "JZ02"),
    ],
)
def test_picker_search_ignores_accents_and_case_and_knows_codes_and_common_names(
    store, query, code
):
    """marimo's dropdown keeps options where every query word occurs in the label (case-blind);
    our labels carry the accent-free spelling, the everyday name and the code."""
    options = ui.dropdown_options(store)
    hits = [
        c
        for label, c in options.items()
        if c and all(w in label.lower() for w in query.lower().split())
    ]
    assert hits and hits[0] == code, (query, hits[:5])


def test_picker_labels_keep_the_official_name_and_type_first(store):
    options = dropdown_options(store)
    assert options["Gemeente · 's-Gravenhage (Den Haag) · GM0518"] == "GM0518"
    # the accent-free spelling follows an invisible separator: searched, never shown
    label = "Gemeente · Súdwest-Fryslân · GM1900" + SEARCH_ONLY + " sudwest-fryslan"
    assert (
        options[label] == "GM1900" and shown_label(label) == "Gemeente · Súdwest-Fryslân · GM1900"
    )
    assert (
        options["Provincie · Provincie Fryslân (Friesland) · PV21" + SEARCH_ONLY + " fryslan"]
        == "PV21"
    )
    shown = [shown_label(o) for o in options]
    assert not [o for o in shown if "Fryslan" in o or "Sudwest" in o]  # a name is shown once
    assert picker_label("nederland", "Nederland", "NL01") == "Nederland · NL01"
    assert fold("Súdwest-Fryslân") == "Sudwest-Fryslan"
    assert matches("Gemeente · Súdwest-Fryslân", "súdwest") and matches("X · Súdwest", "SUDWEST")
    assert not matches("Gemeente · Utrecht · GM0344", "den haag")


# ----------------------------------------------------------------------------- key sentences


def test_largest_difference_is_the_largest_deviation_in_either_direction(store):
    radar = build_sections(store, get_region(store, "GM0344"), choices=SIM)["problematiek"].figures[
        0
    ]
    own = radar.table.filter(pl.col("Regio") == "Utrecht")
    ratios = dict(zip(own["Uitsplitsing"], own["Verhouding met NL"], strict=True))
    assert max(ratios.values()) > 1 > min(ratios.values())  # a case where the sides compete
    furthest = max(ratios, key=lambda k: abs(ratios[k] - 1))
    assert f"het grootste verschil met Nederland is bij {furthest.lower()}" in radar.summary
    assert ("lager dan landelijk" in radar.summary) == (ratios[furthest] < 1)


def test_start_page_says_nl_is_the_reference_once_and_names_the_provincie_lines(store):
    built = build_sections(store, None, choices=SIM)
    verwacht = built["verwacht"]
    texts = [verwacht.intro, *(f.explanation for f in verwacht.figures)]
    assert sum("Nederland is de referentie" in t for t in texts) == 1
    radar = built["problematiek"].figures[0]
    provincies = [r for r in radar.table["Regio"].unique().to_list() if r.startswith("Provincie")]
    assert len(provincies) == 12  # each line drawn has its numbers in the table
    names = {r["gebied"] for r in radar.chart.to_dict()["datasets"]["rows"]}
    assert len(names) == 12  # and its own legend entry (colour and dash)


def test_a_radar_with_nothing_to_draw_is_left_out_and_its_table_shown(store):
    """Vlieland: every problem area < 10. An empty radar made Vega size its legend without
    bound (a canvas of 33 million pixels); now the figure is the table, open."""
    radar = build_sections(store, get_region(store, "GM0096"), choices=SIM)["problematiek"].figures[
        0
    ]
    assert radar.chart is None and "te weinig waarnemingen" in radar.summary
    toggle = ui.table_toggle(radar).text  # the table is shown as it is, not behind a toggle
    assert "<details" not in toggle and "<table class='jm-table'>" in toggle
    with pytest.raises(ValueError, match="no line to draw"):
        charts.radar(
            pl.DataFrame(
                {
                    "categorie": ["A"],
                    "gebied": ["X"],
                    "rol": ["regio"],
                    "rate": [None],
                    "ratio": [None],
                },
                schema_overrides={"rate": pl.Float64, "ratio": pl.Float64},
            ),
            categories=["A"],
            description="leeg",
        )
