"""The app and the report as an analyst uses them, in headless Chromium (issue 14).

Accessibility (axe-core, WCAG 2.1 A/AA: nothing serious or critical), the keyboard alone, region
search, deep links, and the printed report (at most 20 A4 pages, numbered, none half empty
except where a theme ends). Skipped without /usr/bin/chromium or axe-core, unless CI is set.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
from browser_support import marimo_app, run_axe

from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present import report, themes
from jeugdmonitor.present.sections import Choices, build_sections

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ".vega-embed canvas, .vega-embed svg.marks"
DROPDOWN = '[data-testid="marimo-plugin-searchable-dropdown"] button'
MARGIN = re.compile(
    r"Bevat gesimuleerde cijfers \(gemarkeerd\): die niet voor beleid gebruiken|Jeugdmonitor – .*? Pagina \d+ van \d+"
)
# the element that has keyboard focus, looking into open shadow roots (marimo's widgets)
DEEP_FOCUS = """() => { let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el ? {tag: el.tagName, text: (el.textContent || '').trim().slice(0, 80),
               picker: !!el.closest('[data-testid="marimo-plugin-searchable-dropdown"]')} : null; }"""


@pytest.fixture(scope="module")
def app_url():
    with marimo_app(ROOT / "monitor.py") as url:
        yield url


@pytest.fixture(scope="module")
def utrecht_report(tmp_path_factory) -> Path:
    return report.write_report(load(), "GM0344", tmp_path_factory.mktemp("utrecht"))


def open_app(chromium, url: str, charts: int = 15):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    deadline = time.monotonic() + 120
    seen, steady = -1, 0
    while steady < 4:  # at least `charts` drawn, and no new one for 2 s: the page is complete
        count = page.locator(CHARTS).count()
        steady = steady + 1 if count == seen and count >= charts else 0
        seen = count
        if time.monotonic() > deadline:
            pytest.fail(f"only {count} of {charts} charts rendered, or still drawing")
        page.wait_for_timeout(500)
    # the page's own fixes (static/head.html) name the chart menus a moment after they appear
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('marimo-mime-renderer'))
             .every(r => !r.shadowRoot || Array.from(r.shadowRoot.querySelectorAll('summary'))
               .every(s => s.getAttribute('aria-label')))""",
        timeout=30_000,
    )
    return page


def serious(found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {k: v for k, v in found.items() if k in ("serious", "critical")}


def test_axe_finds_nothing_serious_on_a_gemeente_and_the_start_page(chromium, app_url):
    for path, charts in (("/?region=GM0344", 19), ("/", 15)):
        page = open_app(chromium, app_url + path, charts)
        found = run_axe(page)
        print(path, {k: len(v) for k, v in found.items()})  # noqa: T201 - figures for the note
        assert not serious(found), (path, serious(found))
        page.close()


def test_axe_finds_nothing_serious_in_a_report(chromium, utrecht_report):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(utrecht_report.as_uri())
    page.wait_for_selector("body[data-charts='done']", timeout=60_000)
    found = run_axe(page)
    print("report", {k: len(v) for k, v in found.items()})  # noqa: T201
    assert not serious(found), serious(found)
    page.close()


def test_axe_finds_nothing_serious_with_own_comparisons_and_a_wijk_map(chromium, app_url, tmp_path):
    """ "Wat valt op" with the table of chosen gemeenten, the comparison selector and the wijk
    map's choice of wijk, in the app and in the report."""
    page = open_app(chromium, app_url + "/?region=GM0363&compare=GM0014,GM0034", 19)
    page.wait_for_selector('select[name="wijk"]', state="attached", timeout=60_000)
    found = run_axe(page)
    print("app GM0363 compare", {k: len(v) for k, v in found.items()})  # noqa: T201
    assert not serious(found), serious(found)
    page.close()
    choices = Choices(compare=("GM0014", "GM0034"))
    path = report.write_report(load(), "GM0363", tmp_path, choices=choices)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-charts='done']", timeout=60_000)
    # one choice of wijk per wijk map (jeugdzorg, low income, low education): axe checks each
    assert page.locator('select[name="wijk"]').count() >= 3
    found = run_axe(page)
    print("report GM0363 compare", {k: len(v) for k, v in found.items()})  # noqa: T201
    assert not serious(found), serious(found)
    page.close()


def test_region_picker_and_table_toggles_work_with_the_keyboard_alone(chromium, app_url):
    page = open_app(chromium, app_url, 15)
    page.locator("body").focus()
    for _ in range(60):  # Tab from the top of the page to the region picker
        page.keyboard.press("Tab")
        if page.evaluate(DEEP_FOCUS)["picker"]:
            break
    else:
        pytest.fail("the region picker cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.get_by_role("option").filter(visible=True).first.wait_for(timeout=10_000)
    page.keyboard.type("sudwest")
    page.get_by_role("option", name="Gemeente · Súdwest-Fryslân", exact=False).wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url("**region=GM1900**", timeout=30_000)
    page.get_by_text("code GM1900", exact=False).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    for _ in range(120):  # on to the first table toggle
        page.keyboard.press("Tab")
        focus = page.evaluate(DEEP_FOCUS)
        if focus["tag"] == "SUMMARY" and focus["text"].startswith("Tabel met aantallen"):
            break
    else:
        pytest.fail("no table toggle can be reached with Tab")
    is_open = "() => document.activeElement.closest('details').open"
    assert not page.evaluate(is_open)
    page.keyboard.press("Enter")
    assert page.evaluate(is_open)
    page.keyboard.press("Space")
    assert not page.evaluate(is_open)
    page.close()


SEARCHES = {
    "den haag": "Gemeente · 's-Gravenhage (Den Haag) · GM0518",
    "sudwest": "Gemeente · Súdwest-Fryslân · GM1900",  # the name once; search folds accents
    "fryslan": "Gemeente · Noardeast-Fryslân · GM1970",
    "GM0344": "Gemeente · Utrecht · GM0344",
    "PO2707": "Samenwerkingsverband po · SWV po 27-07 Amsterdam, Diemen · PO2707",
}


def test_searching_the_picker_finds_the_region(chromium, app_url):
    page = open_app(chromium, app_url, 15)
    found = {}
    for query, first in SEARCHES.items():
        for _ in range(3):  # open the list (a click during a redraw can be lost)
            page.locator(DROPDOWN).first.click()
            try:
                page.get_by_role("option").filter(visible=True).first.wait_for(timeout=10_000)
                break
            except Exception:  # noqa: BLE001 - retried, then reported below
                page.keyboard.press("Escape")
        page.keyboard.press("Control+A")  # the search box keeps the previous query
        page.keyboard.press("Backspace")
        page.keyboard.type(query)
        deadline = time.monotonic() + 10
        while True:  # the list filters as you type
            options = [
                o.strip() for o in page.get_by_role("option").filter(visible=True).all_inner_texts()
            ]
            if (options and options[0] == first) or time.monotonic() > deadline:
                break
            page.wait_for_timeout(200)
        found[query] = options[:3]
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
    assert {q: o[:1] for q, o in found.items()} == {q: [f] for q, f in SEARCHES.items()}, found
    assert any("Súdwest-Fryslân" in o for o in found["fryslan"])
    page.close()


def test_a_deep_link_opens_the_region_at_its_section(chromium, app_url):
    page = open_app(chromium, f"{app_url}/?region=GM0363#jeugdzorg", 19)
    top = page.evaluate("document.getElementById('jeugdzorg').getBoundingClientRect().top")
    assert -5 <= top <= 150, top
    # the contents in the sidebar link every theme
    for theme in themes.themes()[:3]:
        assert page.locator(f"a[href='#{theme.anchor}']").count() >= 1
    page.close()


@pytest.fixture(scope="module")
def utrecht_print(tmp_path_factory) -> tuple[Path, dict]:
    """The default printed report of Utrecht (real figures only) and its sections."""
    path = report.write_report(load(), "GM0344", tmp_path_factory.mktemp("utrecht_print"))
    return path, build_sections(load(), get_region(load(), "GM0344"))


def _font_sizes(page) -> list[tuple[float, str]]:
    """(size in pt, character) of every printed character: pdfium's font size times the scale
    of the character's matrix (charts are scaled SVG)."""
    import pypdfium2.raw as raw

    text = page.get_textpage()
    sizes = []
    for i in range(raw.FPDFText_CountChars(text)):
        char = chr(raw.FPDFText_GetUnicode(text, i))
        if not char.strip():
            continue
        matrix = raw.FS_MATRIX()
        raw.FPDFText_GetMatrix(text, i, matrix)
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        sizes.append((raw.FPDFText_GetFontSize(text, i) * scale, char))
    return sizes


def test_printed_utrecht_report_fits_twenty_numbered_pages(chromium, utrecht_print):
    """At most 20 A4 pages with page numbers, the verantwoording included (it starts a page and
    takes at most three, small and in two columns); no printed text under 7 pt; no heading last on a
    page (a figure's heading is on the page of its chart or table); a page under half full only
    where a theme ends (the next page starts a theme or the sources, or it is the last page);
    no click or hover help."""
    utrecht_report, real = utrecht_print
    pdfium = pytest.importorskip("pypdfium2")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(utrecht_report.as_uri())
    page.wait_for_selector("body[data-charts='done']", timeout=60_000)
    pdf = pdfium.PdfDocument(page.pdf(prefer_css_page_size=True, print_background=True))
    page.close()
    pages = len(pdf)
    assert pages <= 20, pages
    starts = [t.title for t, _ in themes.grouped(real)] + ["Bronnen per figuur"]
    texts = [pdf[i].get_textpage().get_text_range() for i in range(pages)]
    appendix = next(i for i, t in enumerate(texts) if "Waar komen de cijfers vandaan" in t)
    assert pages - appendix <= 3, (appendix + 1, pages)
    flat = re.sub(r"\s+", "", "".join(texts))
    for theme in themes.themes():  # the further reading prints its web addresses
        for link in (*theme.research, *theme.links):
            assert link.url in flat, link.url
    for i, text in enumerate(texts):
        assert f"Pagina {i + 1} van {pages}" in text, i + 1
        for help_text in ("shift-klik", "Klik in de legenda", "Klik op een", "Beweeg over"):
            assert help_text not in text, (i + 1, help_text)
    small = {i + 1: "".join(c for size, c in _font_sizes(pdf[i]) if size < 6.95)
             for i in range(pages)}  # fmt: skip
    assert not any(small.values()), {p: t[:80] for p, t in small.items() if t}
    # no heading ends a page: each figure's title is on the page of its source line, which
    # follows its chart (or short table), and no page's last line is a heading
    flat = [re.sub(r"\s+", "", MARGIN.sub("", t)) for t in texts]
    titles = {t.title for t, _ in themes.grouped(real)} | {s.title for s in real.values()}
    for section in real.values():
        for figure in section.figures:
            title, source = (re.sub(r"\s+", "", x) for x in (figure.title, figure.source[:60]))
            on = [i for i, t in enumerate(flat) if title in t]
            assert on, figure.title
            assert any(source in flat[i] for i in on), (figure.title, on)
            titles.add(figure.title)
    for i, text in enumerate(texts[:-1]):
        lines = [ln.strip() for ln in MARGIN.sub("", text).splitlines() if ln.strip()]
        assert lines and not any(lines[-1].startswith(t) for t in titles), (i + 1, lines[-1])
    for i in range(pages - 1):
        pixels = pdf[i].render(scale=0.5, grayscale=True).to_numpy()
        pixels = pixels.reshape(pixels.shape[0], -1)
        top, bottom = int(len(pixels) * 0.06), int(len(pixels) * 0.93)  # inside the margins
        inked = np.flatnonzero(pixels[top:bottom].min(axis=1) < 200)
        fill = (inked.max() + 1) / (bottom - top) if inked.size else 0.0
        if fill < 0.5:
            # what the next page starts with, without the margin lines
            head = MARGIN.sub("", texts[i + 1]).lstrip()[:80]
            assert any(head.startswith(t) for t in starts), (i + 1, round(fill, 2), head)
