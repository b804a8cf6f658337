"""marimo layout helpers, outside a running app (the browser tests cover the running app)."""

from __future__ import annotations

import marimo as mo
import polars as pl
import pytest

from jeugdmonitor.app import transport, ui
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present import markup
from jeugdmonitor.present.sections import Choices, build_sections
from jeugdmonitor.present.sections.base import Figure, Section


@pytest.fixture(scope="module")
def store():
    return load()


def test_region_choice(store):
    region, notice = ui.chosen_region(store, "GM0363", None)
    assert region.name == "Amsterdam" and notice == ""
    # nothing chosen, nothing asked: the NL overview without a warning
    assert ui.chosen_region(store, None, None) == (None, "")
    # an unknown code from the URL: NL overview plus a friendly Dutch message (escaped)
    region, notice = ui.chosen_region(store, None, "GM9999<b>")
    assert region is None
    assert "bestaat niet" in notice and "GM9999&lt;b&gt;" in notice
    # a valid requested code that the dropdown already shows: no message
    assert ui.chosen_region(store, "PO2707", "po2707")[1] == ""


def test_dropdown_lists_every_region_grouped_by_type(store):
    options = ui.dropdown_options(store)
    assert len(options) == store.regions.height + 1  # plus "kies een regio"
    labels = list(options)
    assert options[labels[0]] is None and "kies een regio" in labels[0]
    assert labels[1] == "Nederland"
    prefixes = [label.split(" · ")[0] for label in labels[2:]]
    # grouped: each type's labels form one contiguous block
    blocks = [p for i, p in enumerate(prefixes) if i == 0 or p != prefixes[i - 1]]
    assert blocks == [
        "Gemeente",
        "Samenwerkingsverband po",
        "Samenwerkingsverband vo",
        "Jeugdregio",
        "Provincie",
    ]
    picker = ui.region_picker(store, "gm0363")
    assert picker.value == "GM0363"
    assert ui.region_picker(store, "XX0000").value is None
    assert ui.region_picker(store, None).value is None


def test_requested_region_outside_an_app_is_none():
    assert ui.requested_region() is None


def test_section_view_contains_titles_numbers_and_badges(store):
    built = build_sections(store, get_region(store, "GM0363"))
    html = ui.section_view(built["jeugdzorg"]).text
    assert "Jeugdzorggebruik naar leeftijd" in html and "Trend jeugdzorggebruik" in html
    assert "jm-badge jm-real'>CBS, 2022<" in html  # real figures say so
    assert "CBS, 2021–2022" in html
    assert "Bron en jaar data:" in html
    assert "jm-badge jm-sim'>gesimuleerd<" not in ui.section_view(built["eerder_signaleren"]).text
    with_sim = build_sections(store, get_region(store, "GM0363"), choices=Choices(True))
    simulated = ui.section_view(with_sim["eerder_signaleren"]).text
    assert "jm-badge jm-sim'>gesimuleerd<" in simulated
    assert "application/vnd.vegalite.v6+json" in html  # the charts are embedded
    assert "gesimuleerd" not in ui.banner(built.values()).text  # nothing simulated shown
    assert ui.banner(with_sim.values()).text.count("gesimuleerd") >= 1


def test_banner_only_when_something_is_simulated():
    fig = Figure("k", "T", "x", "Bron", None, pl.DataFrame({"a": [1]}), simulated=False)
    assert "gesimuleerd" not in ui.banner([Section("s", "S", "", [fig])]).text
    sim = Figure("k", "T", "x", "Bron", None, pl.DataFrame({"a": [1]}), simulated=True)
    assert "gesimuleerd" in ui.banner([Section("s", "S", "", [fig, sim])]).text


def test_table_html_escapes_and_formats_dutch():
    table = pl.DataFrame(
        {"Regio": ["<script>x</script>"], "Jaar": [2024], "Aantal": [12345], "Percentage": [12.3]}
    )
    html = ui.table_html(table).text
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "12.345" in html and "12,3" in html and "2024" in html


def test_app_assets_inline_without_virtual_files(store):
    assets = transport.AppAssets()
    geo = assets.geo("provincie", lambda: store.geo_text("provincie"))
    assert geo["format"] == {"type": "topojson", "feature": "provincie"}
    assert geo["values"].startswith("{")  # inlined: no marimo runtime, so no virtual files
    assert assets.table("k", lambda: "[]") == "[]"


def test_figure_rows_pair_consecutive_halves_only():
    def fig(key: str, layout: str) -> Figure:
        return Figure(key, key, "", "", None, pl.DataFrame(), layout=layout)

    figures = [fig("a", "half"), fig("b", "half"), fig("c", "half"), fig("d", "full")]
    figures += [fig("e", "half"), fig("f", "half")]
    rows = markup.figure_rows(figures)
    assert [[f.key for f in row] for row in rows] == [["a", "b"], ["c"], ["d"], ["e", "f"]]


def test_ui_labels_are_memoised_with_marimos_own_output():
    from marimo._output.md import _md
    from marimo._plugins.core import web_component

    assert getattr(web_component._md, "jeugdmonitor_memo", False)  # ui installed the memo
    label = "Download .csv (alle regio's)"
    assert web_component._md(label).text == _md(label).text
    button = mo.download(data=lambda: b"x", filename="x.csv", label=label).text
    assert "Download .csv (alle regio&#x27;s)" in button or "alle regio" in button
