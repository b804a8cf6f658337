"""Static reports: same numbers as the sections, self-contained, print-ready, safe to write."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load, open_store
from jeugdmonitor.present import markup, report, themes
from jeugdmonitor.present.sections import build_sections

DAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def store():
    return load()


@pytest.fixture(scope="module")
def single(tmp_path_factory, store) -> Path:
    """One self-contained report, written through the public function."""
    out = tmp_path_factory.mktemp("single")
    return report.write_report(store, "GM0363", out)


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """A small --all run in shared-asset mode (5 regions of 4 types + index)."""
    out = tmp_path_factory.mktemp("shared")
    report.write_all(
        out, codes=["GM0363", "GM0088", "PO2707", "JZ12", "NL01"], jobs=2, progress=None
    )
    return out


class _Tags(HTMLParser):
    """Collects script/link/img/iframe tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html_text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html_text)
    return parser.tags


def test_report_shows_the_numbers_the_sections_produce(store):
    """Every figure's table, key-figure line and chart data in the report equal the sections'."""
    region = get_region(store, "PO2707")
    doc, items, _ = report.render(store, region, shared_assets=True, generated=DAY)
    built = build_sections(store, region, assets=report.ReportAssets())
    specs = json.loads(re.search(r'id="jm-specs">(.*?)</script>', doc, re.S).group(1))
    figures = [f for s in built.values() for f in s.figures]
    charted = [f for f in figures if f.chart is not None]
    assert len(specs) == len(charted) > 20
    for fig in figures:
        if fig.chart is None:  # a table figure: regions link to their reports
            table = markup.table_html(fig.table, links=fig.links, href=lambda c: f"{c}.html")
            # member tables link their regions; a note (no open source) and the verantwoording's
            # tables (sources, not regions) have no regions to link
            assert table in doc, fig.key
            linkless = fig.key.endswith("_bron") or fig.key.startswith("verantwoording")
            assert bool(fig.links) != linkless, fig.key
        else:
            assert markup.table_html(fig.table) in doc, fig.key
        if fig.summary:
            assert markup.markdown_html(fig.summary) in doc, fig.key
    for (_, spec), fig in zip(
        sorted(specs.items(), key=lambda kv: int(kv[0][1:])), charted, strict=True
    ):
        assert spec["datasets"] == json.loads(report._spec_json(fig.chart))["datasets"], fig.key
        assert spec["t"] in items
    # and one number checked against the parquet files directly (not through the sections)
    ind = pl.read_parquet(store.data_dir / "indicators.parquet").filter(
        (pl.col("indicator") == "jeugdzorg")
        & (pl.col("year") == 2022)
        & (pl.col("breakdown") == "all")
    )
    members = pl.read_parquet(store.data_dir / "membership.parquet").filter(
        pl.col("region_code") == "PO2707"
    )
    j = ind.join(members, on="gemeente_code")
    rate = (j["numerator"] * j["weight"]).sum() / (j["denominator"] * j["weight"]).sum()
    assert f"{100 * rate:.1f}%".replace(".", ",") in doc


def test_report_has_every_section_toc_banner_date_and_sources(single, store):
    doc = single.read_text(encoding="utf-8")
    built = build_sections(store, get_region(store, "GM0363"))
    assert "<title>Jeugdmonitor – Amsterdam (gemeente)</title>" in doc
    nav = doc.split("<nav class='jm-toc'")[1].split("</nav>")[0]
    links = re.findall(r"<a href='#([^']+)'>([^<]+)</a>", nav)
    grouped = themes.grouped(built)
    assert [t.key for t, _ in grouped] == [
        "kort", "jeugd", "signaleren", "verwacht", "wijken", "verantwoording"
    ]  # fmt: skip
    for theme, members in grouped:  # the contents list every theme, then its sections
        assert (theme.anchor, html.escape(theme.title, quote=False)) in links
        assert f"id='{theme.anchor}'" in doc
        for key, section in members:
            assert f'<section class="report-section" id="{key}">' in doc
            if not markup.merged(theme, members):
                assert (key, html.escape(section.title, quote=False)) in links
    assert links[-1] == ("bronnen", "Bronnen per figuur")
    assert ("thema-verantwoording", "Bronnen en verantwoording") in links
    assert len(re.findall(r'\bid="([^"]+)"', doc) + re.findall(r"\bid='([^']+)'", doc)) == len(
        set(re.findall(r'\bid="([^"]+)"', doc) + re.findall(r"\bid='([^']+)'", doc))
    )  # every anchor is unique
    # only real figures by default: no simulated-data warning, on screen or in the page margin
    assert "gesimuleerd." not in doc and "niet voor beleid gebruiken" not in doc
    today = dt.date.today()  # a Dutch date ('7 december 2026'), not ISO
    assert f"Rapport gemaakt op {today.day} {markup.MONTHS[today.month - 1]} {today.year}" in doc
    assert today.isoformat() not in doc
    assert "Bronnen en verantwoording" in doc and "CBS / PDOK" in doc
    assert "@page { size: A4" in doc and ".chart, figcaption" in doc  # charts never split
    assert 'counter(page) " van " counter(pages)' in doc  # page numbers


def test_single_report_refers_to_no_external_url(single):
    """Nothing the page needs comes from the network; the only web addresses are the further
    reading ('Relevant onderzoek', 'Relevante links'), which the reader may follow."""
    doc = single.read_text(encoding="utf-8")
    reading = {link.url for t in themes.themes() for link in (*t.research, *t.links)}
    followed = set()
    for tag, attrs in _tags(doc):
        for attr in ("src", "href"):
            value = attrs.get(attr) or ""
            if tag == "a" and attr == "href" and value in reading:
                followed.add(value)
                assert attrs.get("rel") == "noopener"
            elif tag in ("script", "link", "img", "iframe") or (tag == "a" and attr == "href"):
                assert not re.match(r"(https?:)?//", value), (tag, value)
    assert followed == {link.url for t in themes.themes()[:3] for link in (*t.research, *t.links)}
    scripts = [a for t, a in _tags(doc) if t == "script"]
    assert scripts and all(not a.get("src") for a in scripts)  # everything inline
    assert len(doc.encode("utf-8")) < 1.5e6
    csv_links = re.findall(r'class="download" href="([^"]+)"', doc)
    assert csv_links and all((single.parent / href).exists() for href in csv_links)


def test_shared_mode_links_local_assets_only(shared):
    page = (shared / "PO2707.html").read_text(encoding="utf-8")
    srcs = [a["src"] for t, a in _tags(page) if t == "script" and a.get("src")]
    assert srcs[0] == "assets/vega-bundle.js"
    for src in srcs:
        assert not re.match(r"(https?:)?//", src)
        assert (shared / src).is_file(), src
    for href in re.findall(r'class="download" href="([^"]+)"', page):
        assert (shared / href).is_file(), href
    assert len(page.encode("utf-8")) < 400_000
    # the same level's CSV is written once and shared: identical bytes for every gemeente
    names = {p.name for p in (shared / "assets" / "csv").iterdir()}
    assert "jeugdzorg_gemeenten_2021-2022.csv" in names


def test_index_lists_every_report_with_search_and_filter(shared):
    index = (shared / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([A-Z]{2}\d+)\.html">', index)
    assert len(links) == load().regions.height  # the index lists every region
    for code in ("GM0363", "GM0088", "PO2707", "JZ12", "NL01"):
        assert (shared / f"{code}.html").is_file()
    assert 'id="q" type="search"' in index and 'id="t"' in index
    assert "Samenwerkingsverband po" in index


def test_reports_without_simulated_rows_show_no_banner(data_copy):
    data = data_copy
    path = data / "indicators.parquet"
    pl.read_parquet(path).with_columns(
        is_simulated=pl.lit(False), source=pl.lit("Eigen registratie (test)")
    ).write_parquet(path)
    real = open_store(data)
    doc, _, _ = report.render(real, get_region(real, "GM0014"), generated=DAY)
    assert "Let op: gesimuleerde cijfers." not in doc
    assert "niet voor beleid gebruiken" not in doc  # neither the banner nor the page margin
    assert "Eigen registratie (test)" in doc


def test_unknown_region_exits_non_zero_with_message(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "jeugdmonitor.cli",
            "report",
            "--region",
            "XX123",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "unknown region code 'XX123'" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_folder_gives_a_clear_error(tmp_path, store):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(report.ReportError, match="cannot write reports to .*not-a-folder"):
        report.write_report(store, "GM0363", blocker / "out")
    proc = subprocess.run(
        [sys.executable, "-m", "jeugdmonitor.cli", "report", "--all", "--out", str(blocker / "x")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "cannot write reports to" in proc.stderr


def test_failed_write_leaves_the_previous_report_whole(tmp_path, store, monkeypatch):
    first = report.write_report(store, "GM0088", tmp_path)
    before = first.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report.os, "replace", broken_replace)
    with pytest.raises(OSError):
        report.write_report(store, "GM0088", tmp_path)
    assert first.read_bytes() == before
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_packed_blocks_are_deterministic_gzip():
    import base64
    import gzip

    text = b'{"a": 1}' * 100
    assert report.packed(text) == report.packed(text)
    assert gzip.decompress(base64.b64decode(report.packed(text))) == text


def _open_offline(browser, url: str):
    """Open a file:// page with every non-file request blocked; return page and what it asked."""
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    asked: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            asked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("document.body.getAttribute('data-charts') !== null", timeout=60_000)
    return page, asked, errors


@pytest.mark.browser
def test_single_report_renders_every_chart_offline(chromium, single):
    page, asked, errors = _open_offline(chromium, single.as_uri())
    assert page.get_attribute("body", "data-charts") == "done"
    charts = page.locator(".chart").count()
    assert charts > 20
    assert page.locator(".chart.vega-embed svg.marks").count() == charts
    assert page.locator(".chart-error").count() == 0
    assert asked == [] and errors == []
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 100_000


@pytest.mark.browser
def test_shared_report_renders_every_chart_offline(chromium, shared):
    page, asked, errors = _open_offline(chromium, (shared / "JZ12.html").as_uri())
    charts = page.locator(".chart").count()
    assert charts > 20 and page.locator(".chart.vega-embed svg.marks").count() == charts
    assert asked == [] and errors == []
    index = chromium.new_context(offline=True).new_page()
    index.goto((shared / "index.html").as_uri())
    index.fill("#q", "schiermonnikoog")
    assert index.locator("#rows tr:visible").count() == 1
    index.select_option("#t", "provincie")
    index.fill("#q", "")
    assert index.locator("#rows tr:visible").count() == 12


def test_names_with_markup_characters_read_the_same_in_report_and_app(data_copy):
    """A name from the data is escaped once: no '&amp;' or backslashes in titles (DESIGN §6)."""
    path = data_copy / "regions.parquet"
    odd = "Noord & Zuid_*[x]"
    pl.read_parquet(path).with_columns(
        display_name=pl.when(pl.col("code") == "GM0363")
        .then(pl.lit(odd))
        .otherwise(pl.col("display_name"))
    ).write_parquet(path)
    store = open_store(data_copy)
    region = get_region(store, "GM0363")
    doc, _, _ = report.render(store, region, generated=DAY)
    titles = re.findall(r"<h4 class='jm-figure-title'[^>]*>(.*?)<", doc)
    named = [t for t in titles if "Noord" in t]
    assert named, titles  # the verwacht overview and the benchmark strips carry the name
    for title in named:
        assert "Noord &amp; Zuid_*[x]" in title, title  # escaped once, no markdown escapes
    from jeugdmonitor.app import ui

    built = build_sections(store, region)
    strip = next(f for s in built.values() for f in s.figures if f.key.startswith("benchmark_"))
    shown = ui.figure_view(strip).text
    assert "Noord &amp; Zuid_*[x]" in shown and "\\_" not in shown and "&amp;amp;" not in shown


def test_printed_import_templates_say_where_the_steps_and_rows_are(single):
    """On paper a 'geen open bron' note keeps who holds the figure and its cost, and leaves out
    the import steps and the template's rows (two thirds of a page each time), saying instead
    that they are in the app and the handleiding (issue 20, print budget)."""
    doc = single.read_text(encoding="utf-8")
    notes = re.findall(
        r'<figure id="figure-[^"]*" data-key="([^"]*_bron)">(.*?)</figure>', doc, re.S
    )
    assert len(notes) >= 3, [k for k, _ in notes]
    for key, body in notes:
        assert "Kosten:" in body, key
        screen = re.search(r'<span class="jm-screen-only">(.*?)</span>', body, re.S)
        paper = re.search(r'<span class="jm-print-only">(.*?)</span>', body, re.S)
        assert screen and "numerator" in screen.group(1), key  # the steps, on screen
        assert paper and "in de app" in paper.group(1) and "templates/" in paper.group(1), key
        assert re.search(r"<div class=\"jm-screen-only\"><div class='jm-table-wrap'", body), key
    printed = markup.FIGURE_CSS[markup.FIGURE_CSS.index("@media print") :]
    assert re.search(r"[ ,]\.jm-screen-only[^{]*\{\s*display:\s*none", printed)
    assert re.search(r"^\.jm-print-only\s*\{\s*display:\s*none", markup.FIGURE_CSS, re.M)
