"""Data problems as a user meets them, in headless Chromium against `marimo run monitor.py`.

Each test serves the app on a private copy of data/ (`JEUGDMONITOR_DATA`), never the repository's:
- a missing data file gives a Dutch error page naming the file and the repair commands;
- a running server notices an import, shows the new figure without a restart, keeps serving the
  old data with a Dutch notice while the folder is invalid, and recovers after a restore;
- region names and sources that carry HTML/JavaScript (`<img src=x onerror=…>`, `</script>`) are
  shown as text in the app and in the static report, and no dialog ever fires.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from browser_support import marimo_app

from jeugdmonitor.analysis.indicators import latest_year
from jeugdmonitor.analysis.update import run_import
from jeugdmonitor.data import history, store
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.present import report

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ".vega-embed canvas, .vega-embed svg.marks"
HEADER = "indicator,gemeente_code,year,breakdown,numerator,denominator,source\n"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
SVG = '"><svg onload=alert(3)>'
LINK = "[klik](javascript:alert(4))"


@contextlib.contextmanager
def serve(data_dir: Path) -> Iterator[str]:
    """`marimo run monitor.py` on a free port with JEUGDMONITOR_DATA=data_dir; yields the URL."""
    with marimo_app(ROOT / "monitor.py", dict(os.environ, JEUGDMONITOR_DATA=str(data_dir))) as url:
        yield url


def open_page(chromium, url: str):
    """A page that records dialogs (alert/confirm/prompt) and uncaught errors."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(url)
    return page


def wait_for_text(page, text: str, timeout_s: float = 60) -> None:
    # visible text only: the folded handleiding at the page's end names the same commands
    page.get_by_text(text, exact=False).locator("visible=true").first.wait_for(
        timeout=timeout_s * 1000
    )


def wait_for_charts(page, minimum: int = 5, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while page.locator(CHARTS).count() < minimum:
        if time.monotonic() > deadline:
            pytest.fail(f"only {page.locator(CHARTS).count()} charts rendered")
        page.wait_for_timeout(250)


def no_markup_ran(page) -> None:
    """No payload became an element or an event handler anywhere (locators pierce shadow DOM)."""
    for selector in ("img[src='x']", "[onerror]", "[onload]", "a[href^='javascript']"):
        assert page.locator(selector).count() == 0, selector
    assert page.dialogs == []


def hover_until_tooltip(page, text: str):
    """Move the mouse over the maps until a tooltip shows `text`; returns the tooltip."""
    for chart in page.locator(".vega-embed").all()[:12]:
        box = chart.bounding_box()
        if not box or box["height"] < 250 or box["width"] < 250:  # maps are tall and wide
            continue
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box = chart.bounding_box()
        for fx in [x / 20 for x in range(4, 19)]:
            for fy in [y / 20 for y in range(1, 12)]:
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                page.wait_for_timeout(30)
                tip = page.locator("#vg-tooltip-element")
                if tip.count() and tip.first.is_visible() and text in tip.first.inner_text():
                    return tip.first
    pytest.fail(f"no tooltip with {text!r} on the map")


def key_figure(data_dir: Path, code: str) -> str:
    """The jeugdzorg summary's bold start ('Groningen: 12,3%'), from the section functions."""
    from jeugdmonitor.present.sections import build_sections

    s = store.open_store(data_dir)
    summary = build_sections(s, get_region(s, code))["jeugdzorg"].figures[0].summary
    return summary.split("**")[1]


# ------------------------------------------------------------------------ missing data file


def test_missing_data_file_shows_a_dutch_error_page(chromium, data_copy):
    (data_copy / "regions.parquet").unlink()
    with serve(data_copy) as url:
        page = open_page(chromium, url)
        wait_for_text(page, "De gegevens kunnen niet worden geladen")
        wait_for_text(page, "regions.parquet ontbreekt")
        wait_for_text(page, "jeugdmonitor build")
        wait_for_text(page, "jeugdmonitor validate")
        body = page.locator("body").inner_text()
        page.screenshot(path=str(data_copy.parent / "missing.png"))
        for marker in ("Traceback", "An internal error", "FileNotFoundError"):
            assert page.get_by_text(marker, exact=False).count() == 0, marker
        assert body
        page.close()


# ---------------------------------------------------------------------------- live reload


def test_running_app_reloads_changed_data_and_keeps_old_data_while_invalid(
    chromium, data_copy, tmp_path
):
    year = latest_year(store.open_store(data_copy), "jeugdzorg")
    before = key_figure(data_copy, "GM0014")
    with serve(data_copy) as url:
        page = open_page(chromium, f"{url}/?region=GM0014")
        wait_for_charts(page)
        wait_for_text(page, before)

        # an import while the page is open: the new figure appears without a reload
        csv = tmp_path / "groningen.csv"
        csv.write_text(
            HEADER + f"jeugdzorg,GM0014,{year},all,2600,40000,Eigen registratie\n", "utf-8"
        )
        run_import(csv, data_copy)
        after = key_figure(data_copy, "GM0014")
        assert after != before and after.endswith("6,5%")
        wait_for_text(page, after, timeout_s=60)
        wait_for_text(page, "Eigen registratie")

        # invalid new data: the page keeps the imported figure and says why, in Dutch
        (data_copy / "geo" / "gemeente.topojson").write_text('{"type": "Topology"', "utf-8")
        wait_for_text(page, "de nieuwe versie bevat fouten", timeout_s=60)
        wait_for_text(page, "gemeente.topojson bevat een fout")
        assert page.get_by_text(after, exact=False).count() > 0
        page.screenshot(path=str(tmp_path / "invalid.png"))

        # a new visitor gets the same: the last good data and the notice
        other = open_page(chromium, f"{url}/?region=GM0014")
        wait_for_charts(other)
        wait_for_text(other, after)
        wait_for_text(other, "de nieuwe versie bevat fouten")
        other.close()

        # repaired (the map restored from history): the notice goes, the figure stays
        restore_map(data_copy)
        page.get_by_text("de nieuwe versie bevat fouten", exact=False).first.wait_for(
            state="detached", timeout=60_000
        )
        wait_for_text(page, after)

        # restore the version before the import: the old figure comes back
        first = history.versions(data_copy)[0]
        history.restore(data_copy, first.id)
        wait_for_text(page, before, timeout_s=60)
        assert not page.errors, page.errors
        page.close()


def restore_map(data_copy: Path) -> None:
    """Put the bundled gemeente map back, written the way `restore` writes (rename into place)."""
    tmp = data_copy / "geo" / ".gemeente.tmp"
    tmp.write_bytes((ROOT / "data" / "geo" / "gemeente.topojson").read_bytes())
    os.replace(tmp, data_copy / "geo" / "gemeente.topojson")


# ----------------------------------------------------------------------- text from data


def poison(data_dir: Path, tmp_path: Path) -> None:
    """Region and wijk names and an imported source that carry markup, in a private data folder."""
    regions = pl.read_parquet(data_dir / "regions.parquet")
    names = {
        "GM0014": f"Groningen {IMG}",
        "GM0034": f"Almere {SCRIPT}",
        "JZ01": f"Jeugdregio {SVG} {LINK}",
    }
    poisoned = pl.col("code").replace_strict(names, default=None)
    regions.with_columns(
        name=pl.coalesce(poisoned, pl.col("name")),
        display_name=pl.coalesce(poisoned, pl.col("display_name")),
    ).write_parquet(data_dir / "regions.parquet")
    wijken = pl.read_parquet(data_dir / "wijken.parquet")
    wijken.with_columns(
        name=pl.when(pl.col("wijk_code") == "WK001400")
        .then(pl.lit(f"Centrum {IMG}"))
        .otherwise("name")
    ).write_parquet(data_dir / "wijken.parquet")
    year = latest_year(store.open_store(data_dir), "jeugdzorg")
    csv = tmp_path / "bron.csv"
    csv.write_text(
        HEADER + f'jeugdzorg,GM0014,{year},all,2500,40000,"Bron {IMG} {SCRIPT} {LINK}"\n',
        "utf-8",
    )
    run_import(csv, data_dir)


def test_markup_in_names_and_sources_is_text_in_the_app(chromium, data_copy, tmp_path):
    poison(data_copy, tmp_path)
    with serve(data_copy) as url:
        page = open_page(chromium, f"{url}/?region=GM0014")
        wait_for_charts(page)
        wait_for_text(page, f"Groningen {IMG}")  # the header and the summaries, as text
        wait_for_text(page, f"Bron {IMG} {SCRIPT}")  # the source line under a figure
        assert page.get_by_text(f"Centrum {IMG}", exact=False).count() > 0  # a wijk name
        # the map's tooltip names Groningen: as text (vega-tooltip escapes it)
        tooltip = hover_until_tooltip(page, "Groningen")
        assert f"Groningen {IMG}" in tooltip.inner_text()
        assert "&lt;img src=x" in tooltip.inner_html()
        # the dropdown lists the poisoned names as options
        page.locator('[data-testid="marimo-plugin-searchable-dropdown"] button').first.click()
        page.keyboard.type("Almere")
        wait_for_text(page, f"Almere {SCRIPT}")
        page.keyboard.press("Escape")
        no_markup_ran(page)
        page.screenshot(path=str(tmp_path / "xss-gemeente.png"))

        region = open_page(chromium, f"{url}/?region=JZ01")
        wait_for_charts(region)
        wait_for_text(region, f"Jeugdregio {SVG} {LINK}")
        no_markup_ran(region)
        assert not page.errors and not region.errors, (page.errors, region.errors)
        region.close()
        page.close()


def test_markup_in_names_and_sources_is_text_in_the_report(chromium, data_copy, tmp_path):
    poison(data_copy, tmp_path)
    s = store.open_store(data_copy)
    path = report.write_report(s, "GM0014", tmp_path / "rapport")
    text = path.read_text("utf-8")
    assert IMG not in text and "<script>alert" not in text
    assert "Groningen &lt;img src=x onerror=alert(1)&gt;" in text
    page = open_page(chromium, path.as_uri())
    page.wait_for_function("document.body.getAttribute('data-charts') === 'done'", timeout=60_000)
    wait_for_text(page, f"Groningen {IMG}")
    wait_for_text(page, f"Bron {IMG} {SCRIPT}")
    no_markup_ran(page)
    assert page.locator(".chart-error").count() == 0
    page.close()
    # the CSV next to the report: names are text cells, not formulas
    csv = next((tmp_path / "rapport" / "GM0014_csv").glob("jeugdzorg_*.csv")).read_text("utf-8")
    assert f"Groningen {IMG}" in csv
