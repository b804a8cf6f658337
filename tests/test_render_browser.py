"""What is seen is drawn first, and nothing is left out (issue 19), in headless Chromium.

The app's browser runtime draws the charts near the window first and the others in idle time;
a table behind its toggle is made when it is opened. These tests block the idle time (as on a
busy machine) so that charts far from the window stay waiting, and check that printing
(`beforeprint`, print media, a PDF), a deep link, scrolling and the table toggles still get
every chart they need. The app runs as colleagues reach it: `jeugdmonitor serve` behind nginx.
"""

from __future__ import annotations

import pytest
from browser_support import require_browser
from serve_support import serving_precomputed

from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present import report
from jeugdmonitor.present.sections import build_sections

pytestmark = pytest.mark.browser

NO_IDLE = "window.requestIdleCallback = function () { return 0; };"  # before the runtime loads
UNDRAWN = "document.querySelectorAll('jm-chart:not([data-drawn])').length"
DRAWN = "document.querySelectorAll('jm-chart[data-drawn]').length"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    require_browser()
    with serving_precomputed(tmp_path_factory.mktemp("views"), ["GM0344"], workers=1) as url:
        yield url


@pytest.fixture(scope="module")
def charts():
    """Charts on Utrecht's page, from the same section functions."""
    built = build_sections(load(), get_region(load(), "GM0344"))
    return sum(f.chart is not None for s in built.values() for f in s.figures)


def open_page(chromium, url: str, charts: int, idle: bool = False):
    """The page with every chart element in place (drawn or waiting); idle time blocked."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    if not idle:
        page.add_init_script(NO_IDLE)
    page.goto(url)
    page.wait_for_function(
        f"document.querySelectorAll('jm-chart').length >= {charts} && "
        "[...document.querySelectorAll('jm-html')].every(h => h.hasAttribute('data-shown'))",
        timeout=120_000,
    )
    page.wait_for_timeout(1500)  # whatever would be drawn without idle time is drawn now
    return page


def pdf_paths(page) -> int:
    """Vector paths in the page printed as PDF (charts are most of them)."""
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(page.pdf(prefer_css_page_size=True))
    return sum(
        1 for p in pdf for obj in p.get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH
    )


def test_far_charts_wait_and_a_printed_page_has_every_chart(chromium, app_url, charts):
    page = open_page(chromium, f"{app_url}/?region=GM0344", charts)
    assert page.evaluate(UNDRAWN) > 0  # charts far from the window wait for idle time
    printed = pdf_paths(page)  # printing fires `beforeprint`: every chart is drawn for it
    assert page.evaluate(UNDRAWN) == 0
    page.evaluate("window.jmDrawAll()")
    assert printed >= 0.98 * pdf_paths(page)  # the print already had them all
    assert not page.errors, page.errors
    page.close()


@pytest.mark.parametrize(
    "trigger",
    [
        "page.emulate_media(media='print')",
        "page.evaluate(\"window.dispatchEvent(new Event('beforeprint'))\")",
    ],
)
def test_print_media_and_beforeprint_draw_every_chart(chromium, app_url, charts, trigger):
    page = open_page(chromium, f"{app_url}/?region=GM0344", charts)
    assert page.evaluate(UNDRAWN) > 0
    eval(trigger, {"page": page})  # noqa: S307 - one of the two fixed lines above
    page.wait_for_function(f"{UNDRAWN} === 0", timeout=30_000)
    assert page.evaluate(DRAWN) >= charts
    page.close()


def section_state(page, key: str) -> dict[str, int]:
    """Drawn and waiting charts in the section with anchor `key`, and in the first section."""
    return page.evaluate(
        """key => {
          const host = document.getElementById(key).closest('jm-html');
          const first = document.querySelector('jm-html jm-chart').closest('jm-html');
          const count = (el, q) => el.querySelectorAll(q).length;
          return {drawn: count(host, 'jm-chart[data-drawn]'),
                  waiting: count(host, 'jm-chart:not([data-drawn])'),
                  first_waiting: count(first, 'jm-chart:not([data-drawn])')};
        }""",
        key,
    )


def test_a_deep_link_draws_its_section_and_lands_there(chromium, app_url, charts):
    page = open_page(chromium, f"{app_url}/?region=GM0344#wijken", charts)
    page.wait_for_function(
        "document.getElementById('wijken').closest('jm-html')"
        ".querySelector('jm-chart[data-drawn]')",
        timeout=30_000,
    )
    state = section_state(page, "wijken")
    assert state["drawn"] > 0
    assert state["first_waiting"] > 0  # the top of the page waits: it is not in view
    top = page.evaluate("document.getElementById('wijken').getBoundingClientRect().top")
    assert -5 <= top <= 150, top
    page.close()


def test_scrolling_draws_what_comes_into_view(chromium, app_url, charts):
    page = open_page(chromium, f"{app_url}/?region=GM0344", charts)
    last = "(() => { const all = document.querySelectorAll('jm-chart'); return all[all.length - 1]; })()"
    assert not page.evaluate(f"{last}.hasAttribute('data-drawn')")
    page.evaluate(f"{last}.scrollIntoView()")
    page.wait_for_function(f"{last}.hasAttribute('data-drawn')", timeout=30_000)
    page.close()


def test_with_idle_time_every_chart_is_drawn_without_scrolling(chromium, app_url, charts):
    page = open_page(chromium, f"{app_url}/?region=GM0344", charts, idle=True)
    page.wait_for_function(f"{UNDRAWN} === 0", timeout=60_000)
    assert page.evaluate(DRAWN) >= charts
    assert not page.evaluate("document.querySelector('.jm-chart-error')")
    page.close()


def test_a_table_is_made_when_its_toggle_is_opened(chromium, app_url, charts):
    page = open_page(chromium, f"{app_url}/?region=GM0344", charts)
    details = page.locator("jm-html details.jm-details").first
    assert details.locator("table").count() == 0  # not built before it is opened
    details.locator("summary").click()
    rows = details.locator("table tbody tr")
    rows.first.wait_for(timeout=10_000)
    assert rows.count() > 1
    # the figure above it is drawn, and the table stays when the toggle closes and opens
    figure = details.locator("xpath=ancestor::div[.//jm-chart][1]").locator("jm-chart").first
    figure.scroll_into_view_if_needed()
    page.wait_for_function(
        "el => el.hasAttribute('data-drawn')", arg=figure.element_handle(), timeout=30_000
    )
    details.locator("summary").click()
    details.locator("summary").click()
    assert details.locator("table").count() == 1
    page.close()


def test_a_region_change_draws_the_first_screen_and_leaves_far_charts_waiting(
    chromium, app_url, charts
):
    page = open_page(chromium, f"{app_url}/?region=GM0344", charts)
    page.evaluate("window.jmDrawAll()")
    page.evaluate("window.jmChooseRegion('GM0363')")
    page.get_by_text("code GM0363", exact=False).first.wait_for(timeout=60_000)
    page.wait_for_function(
        "[...document.querySelectorAll('jm-html')].every(h => h.hasAttribute('data-shown'))"
        f" && {UNDRAWN} > 0",
        timeout=60_000,
    )
    page.wait_for_timeout(1500)
    assert page.evaluate(UNDRAWN) > 0  # far charts wait for idle time or scrolling
    page.evaluate("window.jmDrawAll()")
    page.wait_for_function(f"{UNDRAWN} === 0", timeout=30_000)
    page.close()


def test_a_report_printed_at_once_has_every_chart(chromium, tmp_path):
    """The report draws its charts a few at a time; printing draws the rest at once."""
    path = report.write_report(load(), "GM0344", tmp_path)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_selector(".vega-embed", timeout=60_000)  # drawing has started
    early = pdf_paths(page)  # printing right away: `beforeprint` draws what was left
    page.wait_for_selector("body[data-charts='done']", timeout=60_000)
    assert page.evaluate("document.querySelectorAll('.chart-error').length") == 0
    assert early >= 0.98 * pdf_paths(page)
    page.close()
