"""The running app in headless Chromium, as colleagues reach it: `jeugdmonitor serve` with two
`marimo run` workers behind nginx, on a free port.

Skipped when /usr/bin/chromium is missing and CI is not set; with CI set a missing browser fails.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from browser_support import require_browser
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from serve_support import serving_precomputed

from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import build_sections

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ".vega-embed canvas, .vega-embed svg.marks"
DROPDOWN = '[data-testid="marimo-plugin-searchable-dropdown"] button'
SIM_BADGE = ".jm-badge.jm-sim"  # the orange 'gesimuleerd' label of a figure


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app as colleagues reach it: `jeugdmonitor serve`, two workers behind nginx.

    Amsterdam comes precomputed from the workers' view store (as after `serve`'s background
    precompute), so switching to it and downloading its CSV exercise that path too.
    """
    require_browser()
    with serving_precomputed(tmp_path_factory.mktemp("views"), ["GM0363"]) as url:
        yield url


@pytest.fixture(scope="module")
def expected():
    """Chart count and the jeugdzorg key figure per region, from the same section functions."""
    store = load()

    def key_figure(code: str | None) -> str:
        region = get_region(store, code) if code else None
        summary = build_sections(store, region)["jeugdzorg"].figures[0].summary
        return summary.split("**")[1]  # e.g. 'Amsterdam: 22,8%'

    def figures(code: str | None) -> int:
        region = get_region(store, code) if code else None
        return sum(
            f.chart is not None for s in build_sections(store, region).values() for f in s.figures
        )

    return {"figures": figures, "key": key_figure}


def wait_for_charts(page, count: int, timeout_s: float = 90) -> None:
    """Until `count` charts have drawn (a canvas or svg inside vega-embed) and no error shows."""
    deadline = time.monotonic() + timeout_s
    while page.locator(CHARTS).count() < count:
        if time.monotonic() > deadline:
            pytest.fail(f"only {page.locator(CHARTS).count()} of {count} charts rendered")
        page.wait_for_timeout(250)
    body = page.inner_text("body")
    for marker in ("Traceback", "An internal error", "Error:"):
        assert marker not in body


def test_app_renders_every_chart_and_switches_region(chromium, app_url, expected):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived", lambda p: frames.append(p if isinstance(p, str) else p.decode())
        ),
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    files: list[tuple[str, bool]] = []  # (url, served from the browser cache)
    cdp.on(
        "Network.responseReceived",
        lambda e: (
            files.append(
                (
                    e["response"]["url"],
                    bool(
                        e["response"].get("fromDiskCache") or e["response"].get("fromMemoryCache")
                    ),
                )
            )
            if "/@file/" in e["response"]["url"]
            else None
        ),
    )

    page.goto(app_url)
    wait_for_charts(page, expected["figures"](None))
    page.get_by_text("geen regio gekozen", exact=False).first.wait_for()
    # only real figures by default: no simulated badge, no warning ribbon
    assert page.locator(".jm-ribbon").count() == 0 and page.locator(SIM_BADGE).count() == 0
    amsterdam = expected["key"]("GM0363")
    assert amsterdam not in page.inner_text("body")
    assert files, "chart templates, maps and map tables come by URL"

    frames.clear()
    page.locator(DROPDOWN).first.click()
    page.keyboard.type("Amsterdam")
    page.get_by_role("option", name="Gemeente · Amsterdam").click()
    page.get_by_text(amsterdam, exact=False).first.wait_for(timeout=60_000)
    page.wait_for_url("**region=GM0363**", timeout=10_000)
    wait_for_charts(page, expected["figures"]("GM0363"))
    assert expected["key"](None) not in page.inner_text("body")  # the NL figure is gone
    page.wait_for_timeout(1500)

    # the region change sent at most 150 KB over the websocket, and no file (template, map,
    # map table) came over the network twice: the browser kept what it had
    assert frames and sum(len(f.encode("utf-8")) for f in frames) <= 150_000
    network = [url for url, cached in files if not cached]
    assert len(network) == len(set(network)), network

    # the CSV download of the first figure: every region of the level, for Dutch Excel
    with page.expect_download(timeout=30_000) as download:
        page.get_by_text("Download .csv (alle regio's)").first.click()
    csv = Path(download.value.path()).read_bytes().decode("utf-8")
    assert download.value.suggested_filename.endswith(".csv")
    header, *lines = csv.lstrip("\ufeff").splitlines()
    assert header.startswith("regiocode;regio;regiotype")
    assert any(line.startswith("GM0363;Amsterdam;") for line in lines)
    assert not errors, errors
    page.close()


def test_opens_an_swv_from_the_url(chromium, app_url, expected):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{app_url}/?region=PO2707")
    wait_for_charts(page, expected["figures"]("PO2707"))
    page.get_by_text("code PO2707", exact=False).first.wait_for()
    page.get_by_text(expected["key"]("PO2707"), exact=False).first.wait_for()
    page.close()


def test_wijk_map_renders_and_its_tooltip_names_a_wijk(chromium, app_url, expected):
    """Utrecht's Wijken section: the wijk map draws, and hovering a wijk shows its name."""
    store = load()
    names = set(
        store.wijken.filter(
            (store.wijken["gemeente_code"] == "GM0344") & (store.wijken["year"] == 2022)
        )["name"]
    )
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{app_url}/?region=GM0344")
    wait_for_charts(page, expected["figures"]("GM0344"))
    chart = page.locator('.vega-embed [aria-label^="Kaart van de wijken van Utrecht"]').first
    chart.scroll_into_view_if_needed()
    page.get_by_text("Wijk 03 Overvecht", exact=False).first.wait_for()  # the summary and table
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200
    shown = ""
    # move over the map until the tooltip names a wijk (the centre may be a gap between wijken)
    for fx, fy in ((0.5, 0.5), (0.4, 0.45), (0.6, 0.4), (0.45, 0.6), (0.55, 0.3), (0.3, 0.5)):
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        page.wait_for_timeout(400)
        tip = page.locator("#vg-tooltip-element")
        if tip.count() and tip.first.is_visible():
            shown = tip.first.inner_text()
            if any(name in shown for name in names):
                break
    assert any(name in shown for name in names), shown
    assert "%" in shown and "95%-BI" in shown
    page.close()


def test_unknown_code_gives_a_message_and_the_nl_overview(chromium, app_url, expected):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{app_url}/?region=XX0000")
    wait_for_charts(page, expected["figures"](None))
    page.get_by_text("bestaat niet", exact=False).first.wait_for()
    page.get_by_text(expected["key"](None), exact=False).first.wait_for()
    page.close()


def test_trend_legend_click_shows_only_that_line(chromium, tmp_path):
    """The legend selection in a real Vega runtime: the y axis rescales to the chosen line."""
    import polars as pl
    import vl_convert as vlc

    frame = pl.DataFrame(
        {
            "year": [2023, 2024] * 4,
            "serie": ["Jeugdhulp"] * 4 + ["Jeugdreclassering"] * 4,
            "gebied": ["Regio X", "Regio X", "Nederland", "Nederland"] * 2,
            "rol": ["regio", "regio", "nl", "nl"] * 2,
            "rate": [0.12, 0.13, 0.12, 0.125, 0.004, 0.005, 0.004, 0.004],
            "ci_low": [0.11, 0.12, 0.119, 0.124, 0.003, 0.004, 0.0039, 0.0039],
            "ci_high": [0.13, 0.14, 0.121, 0.126, 0.005, 0.006, 0.0041, 0.0041],
            "numerator": [120, 130, 1200, 1250, 40, 50, 400, 400],
            "denominator": [1000, 1000, 10000, 10000, 10000, 10000, 100000, 100000],
            "significant": [None] * 8,
        }
    )
    spec = charts.trend(
        frame, series=["Jeugdhulp", "Jeugdreclassering"], description="test"
    ).to_json()
    page_file = tmp_path / "trend.html"
    page_file.write_text(
        f"<html><head><meta charset='utf-8'><script>{vlc.javascript_bundle()}</script></head>"
        f"<body><div id='c'></div><script>vegaEmbed('#c', {spec}, {{renderer: 'svg'}})"
        ".then(r => window.view = r.view);</script></body></html>",
        encoding="utf-8",
    )
    page = chromium.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_function("window.view !== undefined")

    def y_labels() -> list[str]:
        texts = page.locator("g.role-axis-label text").evaluate_all(
            "els => els.map(e => e.textContent)"
        )
        return [t for t in texts if t.endswith("%")]

    assert "12%" in y_labels() or "10%" in y_labels()
    page.locator("g.role-legend-label text", has_text="Jeugdreclassering · Regio X").click()
    page.wait_for_timeout(300)
    shown = json.loads(page.evaluate("JSON.stringify(window.view.data('toon_reeks_store'))"))
    assert [t["values"] for t in shown] == [["Jeugdreclassering · Regio X"]]
    assert max(float(t.rstrip("%").replace(",", ".")) for t in y_labels()) < 1.0
    page.locator("g.role-legend-label text", has_text="Jeugdhulp · Nederland").click(
        modifiers=["Shift"]
    )
    page.wait_for_timeout(300)
    assert max(float(t.rstrip("%").replace(",", ".")) for t in y_labels()) >= 10
    page.close()


# ------------------------------------------------------------- chart transport and click (B7)


def _chart_keys(code: str | None) -> list[str]:
    store = load()
    region = get_region(store, code) if code else None
    return [
        f.key
        for s in build_sections(store, region).values()
        for f in s.figures
        if f.chart is not None
    ]


def _tooltip_region(page, x: float, y: float) -> str | None:
    """Hover at (x, y); the 'Regio' line of the Vega tooltip there, if any."""
    page.mouse.move(x, y)
    page.wait_for_timeout(250)
    tip = page.locator("#vg-tooltip-element")
    if not tip.count() or not tip.is_visible():
        return None
    cells = [c.strip() for c in tip.inner_text().split("\n") if c.strip()]
    return cells[cells.index("Regio") + 1] if "Regio" in cells else None


def _code_of(name: str) -> set[str]:
    regions = load().regions
    return set(regions.filter(regions["display_name"] == name)["code"].to_list())


def _expect_chosen(page, name: str, expected) -> str:
    codes = _code_of(name)
    page.wait_for_function(
        "codes => codes.includes(new URLSearchParams(location.search).get('region'))",
        arg=sorted(codes),
        timeout=30_000,
    )
    code = page.evaluate("new URLSearchParams(location.search).get('region')")
    page.get_by_text(f"code {code})", exact=False).first.wait_for(timeout=60_000)
    expect(page.locator(DROPDOWN).first).to_contain_text(name, timeout=15_000)  # dropdown follows
    return code


def test_click_on_a_map_region_or_a_strip_point_chooses_that_region(chromium, app_url, expected):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{app_url}/?region=GM0363")
    wait_for_charts(page, expected["figures"]("GM0363"))
    charts_ = page.locator("jm-chart")

    # a map: hover until the tooltip names another gemeente, then click it
    index = _chart_keys("GM0363").index("jeugdzorg_kaart")
    shape = charts_.nth(index).locator("svg.marks")
    shape.scroll_into_view_if_needed()
    box = shape.bounding_box()
    target = None
    for fx, fy in [(0.55, 0.5), (0.7, 0.35), (0.6, 0.7), (0.45, 0.6), (0.75, 0.5)]:
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        name = _tooltip_region(page, x, y)
        if name and name != "Amsterdam":
            target = (name, x, y)
            break
    assert target, "no other gemeente found under the mouse on the map"
    page.mouse.click(target[1], target[2])
    code = _expect_chosen(page, target[0], expected)
    assert code.startswith("GM") and code != "GM0363"
    wait_for_charts(page, expected["figures"](code))

    # the benchmark strip: click a comparable gemeente's point
    index = _chart_keys(code).index(
        next(k for k in _chart_keys(code) if k.startswith("benchmark_"))
    )
    current = target[0]

    def other_point() -> tuple[str, float, float] | None:
        """A point of another region in the strip (its name and place), if any."""
        strip = charts_.nth(index)
        strip.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        points = strip.locator("g.mark-symbol path")
        for i in range(points.count()):
            b = points.nth(i).bounding_box()
            if not b:
                continue
            x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
            name = _tooltip_region(page, x, y)
            if name and name != current and _code_of(name):
                return name, x, y
        return None

    # the page may still replace a section's output while charts near the view are drawn (a chart
    # element then leaves the DOM under the locator): look again, as a person would
    found = None
    for _ in range(3):
        try:
            found = other_point()
            break
        except PlaywrightError as exc:
            if "not attached" not in str(exc):
                raise
            page.wait_for_timeout(1000)
    assert found, "no other region's point in the benchmark strip"
    chosen = found[0]
    page.mouse.click(found[1], found[2])
    _expect_chosen(page, chosen, expected)
    assert not errors, errors
    page.close()


def test_the_browser_runtime_fills_a_template_exactly_as_python(chromium, app_url):
    """`jmFillSpec(template, payload)` in the page gives `Spec.to_json()` for every chart."""
    store = load()
    specs = [
        f.chart
        for code in ("GM0363", "PO2707", None)
        for s in build_sections(store, get_region(store, code) if code else None).values()
        for f in s.figures
        if f.chart is not None
    ]
    page = chromium.new_page()
    page.goto(app_url)
    page.wait_for_function("typeof window.jmFillSpec === 'function'", timeout=60_000)
    filled = page.evaluate(
        "pairs => pairs.map(([t, p]) => window.jmFillSpec(t, JSON.parse(p)))",
        [[spec.template, spec.payload_json()] for spec in specs],
    )
    assert len(filled) == len(specs) > 60
    for spec, browser in zip(specs, filled, strict=True):
        assert browser == spec.to_dict()
    page.close()


def test_the_simulated_figures_switch_round_trips_through_the_url(chromium, app_url, expected):
    """Off by default: real figures, the "Geen open bron" notes, no warning. Switched on: the
    URL gets sim=1 and the simulated figures appear, badged, with the ribbon; the URL opens the
    page switched on; switched off again, they go."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    switch = page.get_by_role("switch", name="Toon ook voorbeeldcijfers (gesimuleerd)")

    def badges(count_more_than: int, timeout_s: float = 150) -> int:
        deadline = time.monotonic() + timeout_s
        while (n := page.locator(SIM_BADGE).count()) <= count_more_than:
            if time.monotonic() > deadline:
                pytest.fail(f"{n} simulated badges after {timeout_s} s")
            page.wait_for_timeout(500)
        return n

    page.goto(f"{app_url}/?region=GM0344")
    wait_for_charts(page, expected["figures"]("GM0344"))
    assert switch.get_attribute("aria-checked") == "false" and "sim=" not in page.url
    assert page.locator(SIM_BADGE).count() == 0 and page.locator(".jm-ribbon").count() == 0
    page.get_by_text("Problematiek per gemeente: geen open bron", exact=False).first.wait_for()
    page.get_by_text("Speciaal onderwijs per onderwijssoort", exact=False).first.wait_for()

    switch.click()
    page.wait_for_url("**sim=1**", timeout=30_000)
    assert "region=GM0344" in page.url
    shown = badges(0)
    page.locator(".jm-ribbon").first.wait_for(timeout=30_000)
    assert page.get_by_text("Problematiek per gemeente: geen open bron").count() == 0

    page.goto(f"{app_url}/?region=GM0344&sim=1")  # the link opens the page as it was shared
    wait_for_charts(page, expected["figures"]("GM0344"))
    assert switch.get_attribute("aria-checked") == "true"
    assert badges(shown - 1) == shown

    switch.click()
    deadline = time.monotonic() + 120
    while "sim=" in page.url or page.locator(SIM_BADGE).count():
        if time.monotonic() > deadline:
            pytest.fail("switching off left the simulated figures or the URL parameter")
        page.wait_for_timeout(500)
    assert "region=GM0344" in page.url and page.locator(".jm-ribbon").count() == 0
    assert not errors, errors
    page.close()
