"""The app's region picker and chart menus in headless Chromium: the search box speaks Dutch,
every label shows a name once while the search still ignores accents, and a chart's "⋯" menu
sits above the chart, not inside its plot."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import marimo_app
from test_access_browser import DROPDOWN, open_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app_url():
    with marimo_app(ROOT / "monitor.py") as url:
        yield url


def _picker_options(page):
    """The open region picker's options (not the hidden ones of a wijk map's own select)."""
    return page.get_by_role("option").filter(visible=True)


def _options(page) -> list[str]:
    return [o.strip() for o in _picker_options(page).all_inner_texts()]


def test_picker_is_dutch_shows_names_once_and_still_folds_accents(chromium, app_url):
    page = open_app(chromium, f"{app_url}/?region=GM1900", 15)
    trigger = page.locator(DROPDOWN).first
    assert trigger.inner_text().strip() == "Gemeente · Súdwest-Fryslân · GM1900"
    trigger.click()
    _picker_options(page).first.wait_for(timeout=10_000)
    placeholder = page.evaluate(
        """() => { const all = [document, ...Array.from(document.querySelectorAll('*'))
                     .map(e => e.shadowRoot).filter(Boolean)];
                   for (const r of all) { const i = r.querySelector('input[placeholder]');
                     if (i) return i.getAttribute('placeholder'); } return null; }"""
    )
    assert placeholder and placeholder.startswith("Zoek een regio"), placeholder
    page.keyboard.type("fryslan")
    page.wait_for_timeout(800)
    shown = _options(page)
    assert "Gemeente · Súdwest-Fryslân · GM1900" in shown, shown
    assert "Provincie · Provincie Fryslân (Friesland) · PV21" in shown, shown
    assert not [o for o in shown if "Fryslan" in o or "\u2063" in o], shown  # no ASCII repeat
    page.keyboard.press("Escape")
    page.close()


def test_chart_menu_sits_above_the_chart(chromium, app_url):
    page = open_app(chromium, f"{app_url}/?region=GM0344", 19)
    overlaps = page.evaluate(
        """() => Array.from(document.querySelectorAll('jm-chart .vega-embed')).map(e => {
             const s = e.querySelector('details > summary'), svg = e.querySelector('svg.marks');
             if (!s || !svg) return null;
             const a = s.getBoundingClientRect(), b = svg.getBoundingClientRect();
             return a.bottom <= b.top + 0.5 ? null : [a.top, a.bottom, b.top];
           }).filter(Boolean)"""
    )
    assert overlaps == [], overlaps
    page.close()


def test_the_handleiding_opens_from_the_sidebar(chromium, app_url):
    page = open_app(chromium, f"{app_url}/?region=GM0344", 19)
    page.get_by_role("link", name="Handleiding").first.click()
    page.wait_for_function("document.getElementById('handleiding').open", timeout=10_000)
    text = page.locator("#handleiding").inner_text()
    assert "Een regio kiezen" in text and "Eigen cijfers inlezen" in text
    page.close()
