"""Browser benchmark: what a colleague waits for after choosing a gemeente, in real Chromium.

One command measures the baseline (`--baseline-ref`, default `BASELINE_REF`: the version before
charts were drawn in turns, in a temporary git worktree) and this code, each behind `jeugdmonitor
serve --workers 2` (warmed up, and after its background precompute of every region, so the view
store is filled), in Debian's headless chromium at 1280×900 through Playwright:

    python bench/bench_browser.py                       # idle, then under 20 protocol users
    python bench/bench_browser.py --configs new --phases idle   # only this code, idle

Per configuration and phase (`idle`; `load`: `--users` protocol users of `bench_load` changing
regions with an exponential think time of mean `--think` s, running throughout):

- **first load**: a new browser (empty cache) opens `--first-url` (default `/`): time from the
  navigation to the first screen drawn, and the long tasks until then;
- **region changes**: `--changes` gemeenten chosen through the dropdown as a person does (click,
  type the code, click the option). From the click on the option: time to the header naming the
  new region; time to the first screen drawn (the header, every section in the window showing
  the new region's HTML, every chart in the window drawn with the new data); then the page is
  scrolled to the end and the time to every chart of the page drawn; and the main thread's long
  tasks (`PerformanceObserver('longtask')`, tasks over 50 ms) from the click until all is drawn:
  their sum and the longest.

Times are measured inside the page (`performance.now()`, checked every animation frame: a frame
the browser could not paint is not counted as drawn). The machine's load average is printed with
the figures: on a shared machine compare the ratios of the same run, not the absolute times.
`--url-baseline URL` / `--url-new URL` measure servers that already run instead of starting them.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the browser set-up

import psutil  # noqa: E402
from bench_load import Server, background_users, baseline_tree, jeugdmonitor_serve  # noqa: E402
from browser_support import CHROMIUM, LAUNCH_ARGS  # noqa: E402

from jeugdmonitor.app.marimo_client import Tab  # noqa: E402

VIEWPORT = {"width": 1280, "height": 900}
DROPDOWN = '[data-testid="marimo-plugin-searchable-dropdown"] button'
# six gemeenten of different size and make-up: large city, mid-size, rural, island
GEMEENTEN = ("GM0363", "GM0344", "GM1900", "GM0088", "GM0193", "GM0772")

# In the page before anything else: long tasks, the click that chose, when each section showed
# its HTML and each chart drew, and per animation frame whether the first screen / the whole
# page is drawn. Works with any version of the app's runtime that uses <jm-html data-u> and
# <jm-chart data-t data-p> and marks a drawn chart with `data-drawn`.
PROBE = r"""
(() => {
  const jm = window.__jm = {lt: [], click: null, armed: false, frames: null};
  new PerformanceObserver(list => list.getEntries().forEach(
    e => jm.lt.push([e.startTime, e.duration]))).observe({type: 'longtask', buffered: true});
  addEventListener('click', () => { if (jm.armed) { jm.click = performance.now(); jm.armed = false; } }, true);
  const key = el => (el.dataset.t || '') + '|' + (el.dataset.p || '');
  new MutationObserver(records => {
    for (const r of records) {
      const el = r.target;
      if (r.type === 'childList' && el.tagName === 'JM-HTML') el.__shown = el.dataset.u + '|' + el.dataset.parts;
      if (r.type === 'attributes' && el.tagName === 'JM-CHART' && el.hasAttribute('data-drawn')) el.__drawn = key(el);
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-drawn']});
  const inView = el => {
    const r = (el.firstElementChild || el).getBoundingClientRect();
    return (r.bottom > 0 && r.top < innerHeight) && (r.width > 0 || r.height > 0 || el.offsetParent);
  };
  // a section shows the region's HTML: the file the server sends for that region (`expect`)
  const htmlOk = el => el.__shown === el.dataset.u + '|' + el.dataset.parts &&
                       (!jm.expect || jm.expect.includes(el.dataset.u));
  const chartOk = el => el.hasAttribute('data-drawn') && el.__drawn === key(el);
  // the header line ("regio: …"), read without taking the text of the whole page each frame
  const headerText = () => {
    for (const s of document.getElementsByTagName('strong')) {
      if (s.textContent === 'regio:') return s.parentElement.textContent;
    }
    return '';
  };
  // what is drawn now; `need` limits the work to what is still unknown (this runs every frame)
  jm.state = (need = 'all') => {
    const header = jm.code ? headerText().includes(', code ' + jm.code + ')')
                           : headerText().includes('regio:');
    const htmls = [...document.querySelectorAll('jm-html')], charts = [...document.querySelectorAll('jm-chart')];
    const s = {header, n: htmls.length, c: charts.length, first: false, all: false};
    if (!header) return s;
    if (need !== 'all-only') {
      const vh = htmls.filter(inView), vc = charts.filter(inView);
      s.first = vh.length > 0 && vh.every(htmlOk) && vc.every(chartOk);
    }
    s.all = htmls.length > 0 && htmls.every(htmlOk) && charts.every(chartOk);
    return s;
  };
  // start watching: every animation frame records when the header / first screen / all appear
  jm.watch = (code, fromNavigation, expect) => {
    jm.code = code;
    jm.expect = expect;
    jm.t = {header: null, first: null, all: null};
    jm.n = 0;
    jm.armed = !fromNavigation;
    jm.click = fromNavigation ? 0 : null;
    const tick = () => {
      const s = jm.state(jm.t.first === null ? 'all' : 'all-only'), now = performance.now();
      if (jm.click !== null) {
        if (s.header && jm.t.header === null) jm.t.header = now;
        if (s.first && jm.t.first === null) jm.t.first = now;
        if (s.all && jm.t.all === null && jm.t.first !== null) { jm.t.all = now; jm.n = s.c; return; }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  jm.scrollToEnd = () => {
    const box = document.getElementById('App') || document.scrollingElement;
    box.scrollTop = box.scrollHeight;
    return performance.now();
  };
  jm.scrollToTop = () => { (document.getElementById('App') || document.scrollingElement).scrollTop = 0; };
  jm.tasks = (from, to) => {
    const own = jm.lt.filter(([s, d]) => s + d > from && s < to).map(([s, d]) => d);
    return {sum: own.reduce((a, b) => a + b, 0), max: Math.max(0, ...own), count: own.length};
  };
})();
"""


BASELINE_REF = "7df356b"  # the last version that drew every chart at once


def renderer_cpu() -> float:
    """CPU seconds used so far by this benchmark's Chromium page processes (renderers): the
    work a change costs the browser, which a busy machine slows down but does not inflate."""
    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "--type=renderer" in " ".join(proc.cmdline()):
                times = proc.cpu_times()
                total += times.user + times.system
    return total


@dataclass
class Change:
    code: str
    header: float  # s from the click on the option
    first: float  # first screen drawn
    all: float  # every chart drawn (the page was scrolled to the end once the first screen was)
    after_scroll: float  # all drawn, s after the scroll to the end
    lt_sum_ms: float
    lt_max_ms: float
    lt_count: int
    charts: int
    cpu_ms: float  # CPU time of the page processes from the click until all drawn (+0.3 s)


@dataclass
class Phase:
    config: str
    phase: str
    load_before: float
    load_after: float = float("nan")
    first_load: float = float("nan")  # s from navigation to the first screen drawn
    first_load_all: float = float("nan")
    first_load_lt_ms: float = float("nan")
    first_load_lt_max_ms: float = float("nan")
    changes: list[Change] = field(default_factory=list)
    protocol_p95: float = float("nan")  # the background users' p95 while this phase ran
    protocol_changes: int = 0

    def stat(self, name: str, how: str) -> float:
        values = [getattr(c, name) for c in self.changes]
        if not values:
            return float("nan")
        return statistics.median(values) if how == "median" else max(values)


def _wait(page, expression: str, timeout: float) -> None:
    try:
        page.wait_for_function(expression, timeout=timeout * 1000, polling=100)
    except Exception:
        print("  page state:", page.evaluate(DEBUG), file=sys.stderr)
        raise


DEBUG = """(() => { const jm = window.__jm, s = jm.state();
  const vis = el => { const r = (el.firstElementChild || el).getBoundingClientRect();
                      return r.bottom > 0 && r.top < innerHeight; };
  return {state: s, t: jm.t, click: jm.click, code: jm.code,
    htmls: [...document.querySelectorAll('jm-html')].map(el => [vis(el), el.dataset.u.slice(-12),
      (el.__shown || '').slice(0, 40), !jm.expect || jm.expect.includes(el.dataset.u)]),
    undrawn: [...document.querySelectorAll('jm-chart')].filter(el => !el.hasAttribute('data-drawn')).length}; })()"""


_SECTION = re.compile(r"<jm-html data-u='([^']+)'")


def expected_sections(url: str, code: str | None) -> list[str]:
    """The section files (`<jm-html data-u>`) the server sends for region `code`: asked once
    through marimo's protocol before the timing, so the page knows when it shows that region."""

    async def ask() -> list[str]:
        tab = Tab(url, query={"region": code} if code else {}, fetch_files=False, keep=True)
        try:
            render = await tab.open()
        finally:
            await tab.close()
        return sorted({u for text in render.texts for u in _SECTION.findall(text)})

    # Playwright's sync API runs an event loop in this thread: ask from another one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        found = pool.submit(asyncio.run, ask()).result()
    if not found:
        raise RuntimeError(f"{url}: no sections for {code}")
    return found


def first_load(
    browser, url: str, expect: list[str], timeout: float
) -> tuple[float, float, float, float]:
    """A new context (empty cache) opens `url`: s to the first screen, s to all charts drawn
    (scrolled to the end once the first screen was), and the long tasks until all (sum, max)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(PROBE + f"\nwindow.__jm.watch(null, true, {json.dumps(expect)});")
        page = context.new_page()
        page.goto(url, wait_until="commit")
        _wait(page, "window.__jm && window.__jm.t && window.__jm.t.first !== null", timeout)
        page.evaluate("window.__jm.scrollToEnd()")
        _wait(page, "window.__jm.t.all !== null", timeout)
        t = page.evaluate("window.__jm.t")
        tasks = page.evaluate("window.__jm.tasks(0, window.__jm.t.all)")
        return t["first"] / 1000, t["all"] / 1000, tasks["sum"], tasks["max"]
    finally:
        context.close()


def choose(page, code: str, expect: list[str], timeout: float) -> Change:
    """Choose gemeente `code` through the dropdown (as a person does) and time what follows."""
    page.evaluate("window.__jm.scrollToTop()")
    page.locator(DROPDOWN).first.click()
    # the picker's visible options (a wijk map's own select has hidden ones too)
    page.get_by_role("option").filter(visible=True).first.wait_for(timeout=timeout * 1000)
    page.keyboard.press("Control+A")  # the search box keeps the previous query
    page.keyboard.press("Backspace")
    page.keyboard.type(code)
    option = page.get_by_role("option", name=code).filter(visible=True)
    option.first.wait_for(timeout=timeout * 1000)
    page.evaluate(f"window.__jm.watch({json.dumps(code)}, false, {json.dumps(expect)})")
    cpu = renderer_cpu()
    option.first.click()
    _wait(page, "window.__jm.t.first !== null", timeout)
    scrolled = page.evaluate("window.__jm.scrollToEnd()")
    _wait(page, "window.__jm.t.all !== null", timeout)
    page.wait_for_timeout(300)  # long tasks are reported when they end
    cpu = renderer_cpu() - cpu
    jm = page.evaluate("({t: window.__jm.t, click: window.__jm.click, n: window.__jm.n})")
    click, t = jm["click"], jm["t"]
    tasks = page.evaluate(f"window.__jm.tasks({click}, {t['all']})")
    return Change(
        code=code,
        header=(t["header"] - click) / 1000,
        first=(t["first"] - click) / 1000,
        all=(t["all"] - click) / 1000,
        after_scroll=(t["all"] - scrolled) / 1000,
        lt_sum_ms=tasks["sum"],
        lt_max_ms=tasks["max"],
        lt_count=tasks["count"],
        charts=jm["n"],
        cpu_ms=cpu * 1000,
    )


def measure(browser, server_url: str, config: str, phase: str, args) -> Phase:
    result = Phase(config=config, phase=phase, load_before=os.getloadavg()[0])
    url = server_url.rstrip("/") + args.first_url
    region = urllib.parse.parse_qs(urllib.parse.urlparse(url).query).get("region", [None])[0]
    expect = expected_sections(server_url, region)
    expected = {code: expected_sections(server_url, code) for code in GEMEENTEN[: args.changes]}
    loads = [first_load(browser, url, expect, args.timeout) for _ in range(args.first_loads)]
    result.first_load = statistics.median(x[0] for x in loads)
    result.first_load_all = statistics.median(x[1] for x in loads)
    result.first_load_lt_ms = statistics.median(x[2] for x in loads)
    result.first_load_lt_max_ms = max(x[3] for x in loads)
    print(
        f"  {config}/{phase} first load {url}: first screen "
        + ", ".join(f"{x[0]:.2f}" for x in loads)
        + " s; all charts "
        + ", ".join(f"{x[1]:.2f}" for x in loads)
        + " s",
        flush=True,
    )
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(server_url.rstrip("/") + "/")
    page.wait_for_function(
        "document.querySelectorAll('jm-chart').length > 0 && "
        "[...document.querySelectorAll('jm-chart')].every(c => c.hasAttribute('data-drawn'))",
        timeout=args.timeout * 1000,
    )
    for code in GEMEENTEN[: args.changes]:
        page.wait_for_timeout(args.pause * 1000)
        change = choose(page, code, expected[code], args.timeout)
        result.changes.append(change)
        print(
            f"  {config}/{phase} {code}: header {change.header:.2f} s, first screen "
            f"{change.first:.2f} s, all {change.all:.2f} s ({change.after_scroll:.2f} s after "
            f"scrolling), long tasks {change.lt_sum_ms:.0f} ms (max {change.lt_max_ms:.0f}), "
            f"{change.charts} charts, page CPU {change.cpu_ms:.0f} ms",
            flush=True,
        )
    context.close()
    result.load_after = os.getloadavg()[0]
    return result


@contextlib.contextmanager
def users_running(url: str, users: int, think: float) -> Iterator[list[float]]:
    """`users` protocol users changing regions on `url` until the block ends; their latencies."""
    stop = threading.Event()
    latencies: list[float] = []
    thread = threading.Thread(
        target=lambda: asyncio.run(background_users(url, users, think, stop, latencies)),
        daemon=True,
    )
    thread.start()
    time.sleep(min(15.0, 2 + users * 0.3))  # everyone has opened the app and started
    try:
        yield latencies
    finally:
        stop.set()
        thread.join(120)


def run_config(browser, server: Server, config: str, args) -> list[Phase]:
    phases = []
    for phase in args.phases.split(","):
        if phase == "idle":
            phases.append(measure(browser, server.url, config, phase, args))
        elif phase == "load":
            with users_running(server.url, args.users, args.think) as latencies:
                measured = measure(browser, server.url, config, phase, args)
            if latencies:
                measured.protocol_p95 = sorted(latencies)[int(0.95 * (len(latencies) - 1))]
                measured.protocol_changes = len(latencies)
            phases.append(measured)
        else:
            raise SystemExit(f"unknown phase {phase!r}")
    return phases


@contextlib.contextmanager
def server_for(config: str, args) -> Iterator[Server]:
    given = args.url_baseline if config == "baseline" else args.url_new
    if given:
        yield Server(given, None)
        return
    extra = ["--view-store", args.view_store] if args.view_store else []
    if config == "baseline":
        with (
            baseline_tree(args.baseline_ref) as tree,
            jeugdmonitor_serve(2, 120, extra, root=tree) as server,
        ):
            yield server
    else:
        with jeugdmonitor_serve(2, 120, extra) as server:
            yield server


def _wait_precompute(server: Server) -> None:
    if server.precomputed is not None:
        t0 = time.perf_counter()
        server.precomputed.wait(900)
        print(f"  precompute done (waited {time.perf_counter() - t0:.0f} s)", flush=True)


ROWS = [
    ("first load: first screen s", lambda p: p.first_load, "{:.2f}"),
    ("first load: all charts s", lambda p: p.first_load_all, "{:.2f}"),
    ("first load: long tasks ms", lambda p: p.first_load_lt_ms, "{:.0f}"),
    ("first load: longest task ms", lambda p: p.first_load_lt_max_ms, "{:.0f}"),
    ("change: header s (median)", lambda p: p.stat("header", "median"), "{:.2f}"),
    ("change: header s (max)", lambda p: p.stat("header", "max"), "{:.2f}"),
    ("change: first screen s (median)", lambda p: p.stat("first", "median"), "{:.2f}"),
    ("change: first screen s (max)", lambda p: p.stat("first", "max"), "{:.2f}"),
    ("change: all charts s (median)", lambda p: p.stat("all", "median"), "{:.2f}"),
    ("change: all charts s (max)", lambda p: p.stat("all", "max"), "{:.2f}"),
    ("change: all after scroll s (max)", lambda p: p.stat("after_scroll", "max"), "{:.2f}"),
    ("change: long tasks ms (median)", lambda p: p.stat("lt_sum_ms", "median"), "{:.0f}"),
    ("change: long tasks ms (max)", lambda p: p.stat("lt_sum_ms", "max"), "{:.0f}"),
    ("change: longest task ms", lambda p: p.stat("lt_max_ms", "max"), "{:.0f}"),
    ("change: page CPU ms (median)", lambda p: p.stat("cpu_ms", "median"), "{:.0f}"),
    ("protocol users: p95 s", lambda p: p.protocol_p95, "{:.2f}"),
    ("load average (1 min) before", lambda p: p.load_before, "{:.1f}"),
    ("load average (1 min) after", lambda p: p.load_after, "{:.1f}"),
]


def print_table(phases: list[Phase]) -> None:
    names = [f"{p.config}/{p.phase}" for p in phases]
    width = 34
    print(f"\n{'measure':<{width}}" + "".join(f"{n:>16}" for n in names))
    for title, get, fmt in ROWS:
        print(f"{title:<{width}}" + "".join(f"{fmt.format(get(p)):>16}" for p in phases))
    by = {(p.config, p.phase): p for p in phases}
    ratios = []
    for phase in {p.phase for p in phases}:
        base, new = by.get(("baseline", phase)), by.get(("new", phase))
        if base and new:
            ratios.append((phase, base, new))
    if ratios:
        print("\nratios new / baseline (same run):")
    for phase, base, new in ratios:
        parts = []
        for title, get, _ in ROWS[:15]:
            b, n = get(base), get(new)
            if b and b == b and n == n:
                parts.append(f"{title} ×{n / b:.2f}")
        print(f"  {phase}: " + "; ".join(parts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--configs", default="baseline,new")
    ap.add_argument("--phases", default="idle,load")
    ap.add_argument(
        "--baseline-ref",
        default=BASELINE_REF,
        help=f"git ref of the baseline (default {BASELINE_REF}: before charts were drawn in turns)",
    )
    ap.add_argument("--changes", type=int, default=6, help="gemeenten chosen (at most 6)")
    ap.add_argument("--first-loads", type=int, default=3, help="first page loads (median)")
    ap.add_argument("--first-url", default="/", help="page opened for the first load")
    ap.add_argument("--users", type=int, default=20, help="protocol users in the load phase")
    ap.add_argument("--think", type=float, default=2.0, help="their mean think time, s")
    ap.add_argument("--pause", type=float, default=1.5, help="s between two changes")
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--view-store", help="serve --view-store DIR (kept between runs)")
    ap.add_argument("--url-baseline", help="measure this running server as the baseline")
    ap.add_argument("--url-new", help="measure this running server as the new code")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    print(f"load: {os.getloadavg()[0]:.2f} (1 min average) on {os.cpu_count()} cores", flush=True)
    phases: list[Phase] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            for config in [c.strip() for c in args.configs.split(",")]:
                if config not in ("baseline", "new"):
                    raise SystemExit(f"unknown config {config!r}")
                t0 = time.perf_counter()
                print(f"{config}: jeugdmonitor serve --workers 2", flush=True)
                with server_for(config, args) as server:
                    _wait_precompute(server)
                    phases += run_config(browser, server, config, args)
                print(f"  … {time.perf_counter() - t0:.0f} s", flush=True)
        finally:
            browser.close()
    print_table(phases)
    print(
        f"load: {os.getloadavg()[0]:.2f} (1 min average) at the end; the machine has "
        f"{os.cpu_count()} cores — on a shared machine read the ratios"
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(p) for p in phases], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
