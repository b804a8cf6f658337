"""The analyst's next questions in headless Chromium: "Wat valt op" on a gemeente, an SWV and a
jeugdregio; own comparison gemeenten through the URL; the report from the app's button, opened
offline; Amsterdam's wijk map naming the chosen wijk. Skipped without /usr/bin/chromium unless CI.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from browser_support import marimo_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PICKER = "marimo-multiselect button[aria-haspopup]"


@pytest.fixture(scope="module")
def app_url():
    with marimo_app(ROOT / "monitor.py") as url:
        yield url


def open_region(chromium, url: str):
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url)
    page.wait_for_selector("#wat_valt_op", state="attached", timeout=180_000)
    return page


def section_text(page, anchor: str) -> str:
    """The text of the published section that holds the anchor."""
    return page.evaluate(
        "a => (document.getElementById(a).closest('jm-html') || document.body).textContent", anchor
    )


@pytest.mark.parametrize(
    "code,name",
    [
        ("GM0344", "Utrecht"),
        ("PO2707", "SWV po 27-07"),
        ("JZ13", "Jeugdregio Amsterdam-Amstelland"),
    ],
)
def test_wat_valt_op_on_a_gemeente_an_swv_and_a_jeugdregio(chromium, app_url, code, name):
    page = open_region(chromium, f"{app_url}/?region={code}")
    text = section_text(page, "wat_valt_op")
    items = page.evaluate(
        """() => Array.from(document.getElementById('wat_valt_op').closest('jm-html')
                 .querySelectorAll('li')).map(li => li.textContent)"""
    )
    assert len(items) >= 3, items
    for item in items:
        assert name in item and "95%-BI" in item and re.search(r"\d+,\d%", item), item
    assert "Holm" in text
    assert any("(grootste verandering" in item for item in items)
    # an item's link brings its section into view
    page.wait_for_selector("#jeugdzorg", state="attached", timeout=60_000)
    page.locator("#wat_valt_op").locator("xpath=ancestor::jm-html").locator(
        "a[href='#jeugdzorg']"
    ).first.click()
    deadline = time.monotonic() + 10
    top = None
    while time.monotonic() < deadline:
        top = page.evaluate("document.getElementById('jeugdzorg').getBoundingClientRect().top")
        if -5 <= top <= 200:
            break
        page.wait_for_timeout(250)
    assert -5 <= top <= 200, top
    page.close()


def compare_in_url(page) -> str:
    return (
        re.search(r"compare=([^&#]*)", page.url)[1].replace("%2C", ",")
        if "compare=" in page.url
        else ""
    )


def wait_for(page, predicate, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}")
        page.wait_for_timeout(300)


def table_header(page) -> list[str]:
    return page.evaluate(
        """() => { const h = Array.from(document.querySelectorAll('h4, h3'))
                     .find(x => x.textContent.includes('en de gekozen gemeenten'));
                   if (!h) return [];
                   const t = h.closest('jm-html').querySelector('table');
                   return Array.from(t.querySelectorAll('thead th')).map(th => th.textContent); }"""
    )


def test_own_comparison_gemeenten_round_trip_through_the_url(chromium, app_url):
    page = open_region(chromium, f"{app_url}/?region=GM0344&compare=GM0014,GM0034")
    wait_for(page, lambda: "Almere" in table_header(page), "the comparison table")
    assert table_header(page)[3:] == ["Utrecht", "Groningen", "Almere"]
    body = page.evaluate("document.body.textContent")
    assert "2 gekozen gemeenten samen" in body  # the strips follow the choice
    assert "10 vergelijkbare gemeenten samen" not in body
    # choose one more in the selector: the address, the table and the strips follow
    page.locator(PICKER).click()
    page.keyboard.type("Zwolle")
    page.get_by_role("option", name=re.compile("Zwolle")).first.click()
    page.keyboard.press("Escape")
    wait_for(page, lambda: compare_in_url(page) == "GM0014,GM0034,GM0193", "the address")
    wait_for(page, lambda: "Zwolle" in table_header(page), "the table to follow")
    wait_for(
        page,
        lambda: "3 gekozen gemeenten samen" in page.evaluate("document.body.textContent"),
        "the strips",
    )
    # the address opens the same choice again
    page.goto(page.url)
    page.wait_for_selector("#wat_valt_op", state="attached", timeout=180_000)
    wait_for(page, lambda: table_header(page)[3:] == ["Utrecht", "Groningen", "Almere", "Zwolle"],
             "the table after a reload")  # fmt: skip
    chips = page.evaluate("document.querySelector('marimo-multiselect').shadowRoot.textContent")
    assert all(n in chips for n in ("Groningen", "Almere", "Zwolle"))
    page.close()


def test_the_download_button_gives_a_report_that_opens_offline(chromium, app_url, tmp_path):
    page = open_region(chromium, f"{app_url}/?region=GM0088&compare=GM0093")
    # the button, not the handleiding's mention of it (folded at the page's end)
    button = page.get_by_text("Rapport downloaden (HTML, printbaar)").filter(visible=True).first
    button.wait_for(timeout=60_000)
    with page.expect_download(timeout=180_000) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    page.close()
    assert path.name == "GM0088.html" and path.stat().st_size < 2 * 2**20
    context = chromium.new_context()
    requests: list[str] = []

    def offline(route):  # nothing but the file itself may load
        requests.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", offline)
    report = context.new_page()
    report.goto(path.as_uri())
    report.wait_for_selector("body[data-charts='done']", timeout=90_000)
    assert report.locator(".chart-error").count() == 0
    assert report.locator(".chart svg").count() >= 10  # the charts are drawn
    assert "Wat valt op" in report.inner_text("h2#thema-kort")
    assert "Schiermonnikoog en de gekozen gemeenten" in report.inner_text("body")
    assert all(u.startswith("file:") for u in requests), requests
    context.close()


def test_amsterdams_wijk_map_names_the_chosen_wijk(chromium, app_url):
    page = open_region(chromium, f"{app_url}/?region=GM0363")
    page.wait_for_selector('select[name="wijk"]', state="attached", timeout=120_000)

    def map_texts() -> str:
        """Every text drawn in the map (a name on two lines reads as one)."""
        return page.evaluate(
            """() => Array.from(document.querySelector('select[name="wijk"]')
                     .closest('.vega-embed').querySelectorAll('svg text'))
                     .map(t => t.textContent).join(' | ')"""
        )

    wait_for(page, lambda: "Lutkemeer/" in map_texts(), "the highest wijk's name")
    # a wijk chosen in the table is outlined and named on the map
    page.evaluate(
        """() => document.querySelectorAll('details').forEach(d => {
             const lazy = d.querySelector(':scope > template.jm-lazy');  // made when opened
             const inside = lazy ? lazy.content : d;
             if (inside.querySelector('a[href^="#wijk-"]')) d.open = true; })"""
    )
    page.locator("a[href='#wijk-WK036303']").first.click()
    wait_for(page, lambda: "Grachtengordel-" in map_texts(), "the chosen wijk's name")
    assert page.evaluate("document.querySelector('select[name=\"wijk\"]').value") == "WK036303"
    assert "Lutkemeer/" not in map_texts()  # too small for its name: only named when chosen
    page.close()
