"""marimo layout helpers: region choice, the simulated-data banner, and Section → marimo elements.

`monitor.py` stays thin: each cell calls one function here. Nothing in this module computes a
number; it lays out what `jeugdmonitor.present.sections` produced.
"""

from __future__ import annotations

import functools
import html
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import marimo as mo
import polars as pl

from jeugdmonitor.app import transport, viewstore

# monitor.py calls the region choice as ui.requested_region(), ui.region_picker(…), …
from jeugdmonitor.app.region_choice import choices as choices
from jeugdmonitor.app.region_choice import chosen_region as chosen_region
from jeugdmonitor.app.region_choice import dropdown_options
from jeugdmonitor.app.region_choice import region_picker as region_picker
from jeugdmonitor.app.region_choice import requested_region as requested_region
from jeugdmonitor.app.region_choice import requested_simulated as requested_simulated
from jeugdmonitor.app.region_choice import simulated_toggle as simulated_toggle
from jeugdmonitor.data.regions import TYPE_LABELS, Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts, markup, themes
from jeugdmonitor.present.sections import build_sections as _build_sections
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.present.sections.common import csv_bytes, md_escape


def _memoise_ui_labels() -> None:
    """marimo renders the label of every UI element it builds as Markdown (some 25 extensions,
    about 0.3 ms), and a region change makes a download button per figure (37 for a gemeente)
    with only a few distinct labels: a third of a cached region change went there. The label
    renderer of marimo's UI plugins is memoised per text for this process (same output; a test
    compares). If marimo renames it, nothing is patched and only the speed-up is lost."""
    from marimo._plugins.core import web_component

    render = getattr(web_component, "_md", None)
    if render is None or getattr(render, "jeugdmonitor_memo", False):
        return
    memo = functools.lru_cache(maxsize=256)(render)
    memo.jeugdmonitor_memo = True  # type: ignore[attr-defined]
    web_component._md = memo


_memoise_ui_labels()


def md(text: str) -> mo.Html:
    """`mo.md` with the rendering cached per text."""
    return mo.Html(markup.markdown_html(text))


CSS = (
    "<style>"
    + markup.FIGURE_CSS
    + """
.jm-ribbon { position: fixed; left: 0; right: 0; bottom: 0; z-index: 50; background: #fdb863;
  color: #3b2000; text-align: center; font-size: 0.85rem; padding: 3px 8px; }
</style>
"""
)


def header(region: Region | None, notice: str = "") -> mo.Html:
    """'regio: …' line (as on the NJi pages), plus the notice for an unknown code."""
    if region is None:
        line = "**regio:** geen regio gekozen — u ziet het landelijk overzicht"
    else:
        kind = TYPE_LABELS[region.type].lower()
        line = f"**regio:** {md_escape(region.display_name)} ({kind}, code {region.code})"
    parts: list[Any] = [mo.Html(CSS), mo.md(line)]
    if notice:
        parts.append(mo.callout(mo.md(notice), kind="warn"))
    return mo.vstack(parts)


# ------------------------------------------------------------------------------------ banner


def banner(sections: Iterable[Section] | RegionView) -> mo.Html:
    """The simulated-data warning: a callout at the top and a ribbon fixed to the window bottom.

    Empty when no figure shown is simulated.
    """
    if isinstance(sections, RegionView):
        simulated = sections.simulated
    else:
        simulated = any(s.simulated for s in sections)
    if not simulated:
        return mo.md("")
    ribbon = mo.Html(
        '<div class="jm-ribbon" role="status">Bevat gesimuleerde cijfers (gemarkeerd) — die '
        "niet voor beleid gebruiken</div>"
    )
    return mo.vstack([mo.callout(md(markup.SIMULATED_TEXT), kind="warn"), ribbon])


# ------------------------------------------------------------------------- chart transport


def chart_runtime(store: Store) -> mo.Html:
    """Once per page: the browser runtime that draws the charts and makes regions clickable.

    Empty where marimo serves no files (`marimo export html`): charts are then inlined. In a
    plain `marimo run` it also starts this machine's view store (`viewstore.start_for_app`) and
    lets one session at a time compile (`worker.serialise_compile`), as `serve`'s workers do.
    """
    if transport.available() and mo.app_meta().mode == "run":
        from jeugdmonitor.app import worker

        worker.serialise_compile()  # many colleagues may open the app at once (CPython 3.11)
        viewstore.start_for_app()
    regions = {code: label for label, code in dropdown_options(store).items() if code}
    return mo.Html(transport.runtime_html(regions, prefetch_urls(store)))


_PREFETCH: dict[int, list[str]] = {}
PREFETCH_GEMEENTEN = ("GM0344", "GM0363")  # two gemeenten: what both use is what all use


def prefetch_urls(store: Store) -> list[str]:
    """Published files that every gemeente's page uses (chart templates, the gemeente map and
    its tables), for the browser to fetch while idle. Only with a view store, once it holds
    both gemeenten (reading them is cheap; they are never rendered for this); else none."""
    shared = viewstore.shared()
    if shared is None or not transport.available():
        return []
    key = id(store)  # a reload of the data makes a new store (and new files)
    if key not in _PREFETCH:
        fingerprint = viewstore.fingerprint(store.data_dir)
        records = [shared.load(fingerprint, code) for code in PREFETCH_GEMEENTEN]
        if any(r is None for r in records):
            return []  # not precomputed yet: ask again on the next page
        common = sorted(set.intersection(*(set(r.get("urls", ())) for r in records if r)))
        names = transport.published_names(" ".join(common))
        if not transport.ensure_published(names, shared.read_file):  # served from here too
            return []
        while len(_PREFETCH) >= 4:  # bounded: the stores of the last few data versions
            del _PREFETCH[next(iter(_PREFETCH))]
        _PREFETCH[key] = common
    return _PREFETCH[key]


class RegionView(Mapping[str, Section]):
    """A region's sections and their layout, rendered once and shared by every session.

    In an app (`transport.available()`) each section's layout is kept as a published gzipped
    file (`transport.publish_html`, shown by `transport.html_element`) named in `record`, with
    a marker where each figure's download button goes: a button is a marimo UI element of one
    session, so `view(key)` makes fresh buttons, packs their HTML, and the browser runtime puts
    them in at the markers. A record can also
    come from the machine's `viewstore`; the `Section` objects are then only built when asked
    for (a download, `built["key"]`). Elsewhere (`marimo export html`, plain Python) the layout
    is plain HTML with the buttons in.
    """

    def __init__(
        self,
        store: Store,
        region: Region | None,
        *,
        record: dict[str, Any] | None = None,
        assets: charts.Assets | None = None,
        choices: Choices = DEFAULT_CHOICES,
    ) -> None:
        self.store = store
        self.region = region
        self.choices = choices
        self._assets = assets
        self._sections: dict[str, Section] | None = None
        self._lock = threading.Lock()
        if record is None and transport.available():
            record = _pack(self.sections)
        self.record = record

    @property
    def sections(self) -> dict[str, Section]:
        """The region's sections (built on first use when the view came from a record)."""
        with self._lock:
            if self._sections is None:
                self._sections = _build_sections(
                    self.store, self.region, assets=self._assets, choices=self.choices
                )
            return self._sections

    @property
    def simulated(self) -> bool:
        """True when any figure of the region shows simulated values."""
        if self.record is not None:
            return any(s["simulated"] for s in self.record["sections"].values())
        return any(s.simulated for s in self.sections.values())

    def __getitem__(self, key: str) -> Section:
        return self.sections[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.record["sections"] if self.record is not None else self.sections)

    def __len__(self) -> int:
        return len(self.record["sections"] if self.record is not None else self.sections)

    def titles(self) -> dict[str, str]:
        """Each section's title, in page order (for the contents; no sections built for it)."""
        if self.record is not None:
            return {k: s["title"] for k, s in self.record["sections"].items()}
        return {k: s.title for k, s in self.sections.items()}

    def view(self, key: str) -> mo.Html:
        """The section's layout with this session's download buttons."""
        if self.record is None:
            return themed_section_view(self.sections, key)
        entry = self.record["sections"][key]
        buttons = [self._button(key, *download) for download in entry["downloads"]]
        return _WithElements(
            transport.html_element(entry["url"], parts=[b.text for b in buttons]), buttons
        )

    def _button(self, section: str, figure: str, filename: str, label: str) -> mo.Html:
        def frame() -> pl.DataFrame:  # the figure's CSV data, built only when clicked
            found = next(f for f in self.sections[section].figures if f.key == figure)
            return found.download

        return _csv_button(frame, filename, label)


def _pack(sections: Mapping[str, Section]) -> dict[str, Any]:
    """The record of a region: per section its published layout (download buttons as markers),
    its downloads and whether it is simulated; and the published files it refers to."""
    record: dict[str, Any] = {"sections": {}}
    files: set[str] = set()
    urls: set[str] = set()
    for key, section in sections.items():
        figures = [f for f in section.figures if f.download is not None]
        markers = {id(f): mo.Html(_download_marker(i)) for i, f in enumerate(figures)}
        # a figure without a download (a note, the verantwoording's tables) gets no button
        text = themed_section_view(
            sections, key, download=lambda f, m=markers: m.get(id(f), _NO_BUTTON)
        ).text
        text = transport.lazy_tables(text)  # made in the browser when opened
        url = transport.publish_html(text)
        files.update(transport.published_names(text + (url or "")))
        urls.update(transport.published_urls(text))
        record["sections"][key] = {
            "url": url,
            "downloads": [[f.key, f.download_name, f.download_label] for f in figures],
            "simulated": section.simulated,
            "title": section.title,
        }
    record["files"] = sorted(files)
    record["urls"] = sorted(urls)  # what the sections refer to (not the sections themselves)
    return record


_NO_BUTTON = mo.Html("")


def _download_marker(index: int) -> str:
    return f"<!--jm-part-{index}-->"  # app.js: where part `index` goes


class _WithElements(mo.Html):
    """HTML that holds on to the UI elements in it (marimo keeps only weak references)."""

    def __init__(self, text: str, elements: list[Any]) -> None:
        super().__init__(text)
        self._elements = elements


class _RegionCache:
    """A bounded LRU of `RegionView`s, shared by all sessions of the process.

    One build per region even when several sessions ask for it at once; emptied when the store
    changes (new data). `maxsize` regions are kept; a gemeente's view is about 0.5 MB.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Any, RegionView | threading.Event] = OrderedDict()
        self._lock = threading.Lock()
        self._store: weakref.ref[Store] | None = None
        self._fingerprint: str | None = None
        self.assets = transport.AppAssets()
        self.hits = self.misses = 0

    def get(
        self, store: Store, region: Region | None, choices: Choices = DEFAULT_CHOICES
    ) -> RegionView:
        key = (region.code if region is not None else None, choices, transport.available())
        while True:
            with self._lock:
                if self._store is None or self._store() is not store:
                    self._entries.clear()
                    self._store = weakref.ref(store)
                    self._fingerprint = None
                    self.assets = transport.AppAssets()
                entry = self._entries.get(key)
                if isinstance(entry, RegionView):
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return entry
                if entry is None:  # nobody builds it yet: this thread does
                    self.misses += 1
                    building = self._entries[key] = threading.Event()
                    assets = self.assets
                    break
            entry.wait()  # another session builds it; then look again
        try:
            view = self._load_or_build(store, region, assets, choices)
        except BaseException:
            with self._lock:
                self._entries.pop(key, None)
            building.set()
            raise
        with self._lock:
            if self._entries.get(key) is building:
                self._entries[key] = view
                while sum(isinstance(v, RegionView) for v in self._entries.values()) > self.maxsize:
                    oldest = next(k for k, v in self._entries.items() if isinstance(v, RegionView))
                    del self._entries[oldest]
        building.set()
        return view

    def _load_or_build(
        self, store: Store, region: Region | None, assets: Any, choices: Choices
    ) -> RegionView:
        """From this machine's view store when another process rendered it, else render it
        (and leave it there for the others). Views with the user's own choices (not the
        defaults) are kept only in this process's cache."""
        shared = viewstore.shared() if transport.available() else None
        if shared is None or choices != DEFAULT_CHOICES:
            return RegionView(store, region, assets=assets, choices=choices)
        with self._lock:
            if self._fingerprint is None:
                self._fingerprint = viewstore.fingerprint(store.data_dir)
            key = self._fingerprint
        code = region.code if region is not None else None
        record = shared.load(key, code)
        if record is not None and transport.ensure_published(record["files"], shared.read_file):
            return RegionView(store, region, record=record, assets=assets)
        view = RegionView(store, region, assets=assets)
        if view.record is not None:
            shared.save(key, code, view.record)
        return view

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


REGION_CACHE_SIZE = 64
_REGIONS = _RegionCache(REGION_CACHE_SIZE)


def build_sections(
    store: Store, region: Region | None, choices: Choices = DEFAULT_CHOICES
) -> RegionView:
    """Every section of a region, laid out (cached: a region seen before costs nothing)."""
    return _REGIONS.get(store, region, choices)


# ------------------------------------------------------------------------------ figure layout


def table_html(table: pl.DataFrame, caption: str = "", links: tuple[str, ...] = ()) -> mo.Html:
    """The figure's text alternative as an accessible HTML table (Dutch number format); with
    `links`, the first column opens that region in the app (`?region=CODE`)."""
    return mo.Html(markup.table_html(table, caption, links, region_href))


def region_href(code: str) -> str:
    """The app's URL of a region's page (relative: same server, same path)."""
    return f"?region={code}"


def download_button(figure: Figure) -> mo.Html:
    """CSV of the indicator for every region of the level; built only when clicked.

    Semicolon-separated with decimal commas and a BOM, so Dutch Excel opens it directly.
    """
    if figure.download is None:
        return mo.md("")
    frame = figure.download
    return _csv_button(lambda: frame, figure.download_name, figure.download_label)


def _csv_button(frame: Callable[[], pl.DataFrame], filename: str, label: str) -> mo.Html:
    """marimo's download button for a CSV made (from `frame()`) only when it is clicked."""
    return mo.download(
        data=lambda: csv_bytes(frame()),
        filename=filename,
        mimetype="text/csv",
        label=f"Download .csv ({md_escape(label)})",  # marimo renders labels as markdown
    )


def chart_html(chart: Any) -> str:
    """A chart as marimo's Vega-Lite renderer element.

    The spec goes in as an object, not as JSON text: text would be escaped twice inside the
    element's attribute (every quote becomes 11 characters), which made a region change send
    ~0.6 MB instead of ~0.4 MB.
    """
    from marimo._plugins.stateless.mime import mime_renderer

    if isinstance(chart, charts.Spec):
        element = transport.chart_element(chart)  # template by URL, data packed (marimo run)
        if element is not None:
            return element
        return mime_renderer("application/vnd.vegalite.v6+json", chart.to_dict()).text
    return mo.as_html(chart).text


Download = Callable[[Figure], mo.Html]


def figure_view(figure: Figure, level: int = 4, download: Download | None = None) -> mo.Html:
    """Title (heading `level`), explanation, key numbers, chart, source, download and the table.

    `download` makes the download button (default `download_button`)."""
    parts: list[Any] = [mo.Html(markup.figure_heading(figure, level)), md(figure.explanation)]
    if figure.summary:
        parts.append(md(figure.summary))
    if figure.chart is not None:
        # a chart never pushes its column wider than half the page: it scrolls instead
        parts.append(
            mo.Html(f"<div style='overflow-x:auto;max-width:100%'>{chart_html(figure.chart)}</div>")
        )
    parts.append(
        mo.hstack(
            [
                mo.Html(f"<span class='jm-source'>{markup.source_html(figure.source)}</span>"),
                (download or download_button)(figure),
            ],
            justify="space-between",
            align="center",
            wrap=True,
        )
    )
    parts.append(table_toggle(figure))
    return mo.vstack(parts, gap=0.6)


def table_toggle(figure: Figure) -> mo.Html:
    """The figure's table behind a native <details> (works with the keyboard as it is); a figure
    without a chart shows its table directly, its regions linked to their pages."""
    if figure.chart is None:
        return table_html(figure.table, links=figure.links)
    return mo.Html(markup.table_details(figure.table, figure.links, region_href))


def section_view(
    section: Section, *, heading: bool = True, download: Download | None = None
) -> mo.Html:
    """A whole section: heading, introduction, figures (halves side by side) and closing text.

    Without `heading` (a theme of this one section, whose heading serves) figures are h3.
    """
    head = (
        markup.section_heading(section.key, section.title)
        if heading
        else f"<span id='{html.escape(section.key, quote=True)}'></span>"
    )
    level = 4 if heading else 3
    parts: list[Any] = [mo.Html(head + markup.section_markdown(section.intro, level))]
    for row in markup.figure_rows(section.figures):
        views = [figure_view(f, level, download) for f in row]
        if len(views) == 1:
            parts.append(views[0])
        else:
            # two equal columns when there is room (they stack on a narrow page, and while a
            # table is open): `.jm-row` in markup.FIGURE_CSS
            cols = "".join(f"<div>{v.text}</div>" for v in views)
            parts.append(mo.Html(f"<div class='jm-row'>{cols}</div>"))
    if section.outro:
        parts.append(mo.Html(markup.section_markdown(section.outro, level)))
    return mo.vstack(parts, gap=1.2)


def sections_by_key(sections: Mapping[str, Section], key: str) -> mo.Html:
    """The view of one registered section (empty when it is not registered).

    The first section of a theme brings the theme's heading, the last one its further reading
    ("Relevant onderzoek", "Relevante links"), so the page is grouped by theme (`themes`).
    """
    section = sections.get(key)
    if section is None:
        return mo.md("")
    if isinstance(sections, RegionView):  # rendered once for every session
        return sections.view(key)
    return themed_section_view(sections, key)


def themed_section_view(
    sections: Mapping[str, Section], key: str, download: Download | None = None
) -> mo.Html:
    """A section with its theme's heading (first of a theme) and further reading (last one)."""
    section = sections[key]
    theme, members = next(g for g in themes.grouped(sections) if key in dict(g[1]))
    keys = [k for k, _ in members]
    parts: list[Any] = []
    if keys[0] == key:
        parts.append(mo.Html(markup.theme_heading(theme)))
    parts.append(
        section_view(section, heading=not markup.merged(theme, members), download=download)
    )
    if keys[-1] == key and (further := markup.further_reading(theme)):
        parts.append(mo.Html(further))
    return mo.vstack(parts, gap=1.2)


def navigation(sections: Mapping[str, Section]) -> mo.Html:
    """A sidebar with the table of contents (themes and sections, each a link to its anchor).

    It stays in reach on the long page; the anchors are deep links: `?region=GM0363#jeugdzorg`.
    """
    titles = sections.titles() if isinstance(sections, RegionView) else sections
    toc = markup.toc_html(titles, extra=[(GUIDE_ANCHOR, "Handleiding")])
    return mo.sidebar(mo.Html(toc), width="17rem")


# ------------------------------------------------------------------------------- handleiding

GUIDE_ANCHOR = "handleiding"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "handleiding.md"
_HEADING_LEVEL = re.compile(r"^(#+) ", re.MULTILINE)


@functools.cache
def guide_html(path: Path = GUIDE) -> str:
    """The Dutch user guide (`docs/handleiding.md`) as HTML, its headings one level below the
    page's (its own title left out): shown in the app itself, so it works offline."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    return markup.markdown_html(_HEADING_LEVEL.sub(lambda m: "#" * (len(m[1]) + 1) + " ", body))


def handleiding() -> mo.Html:
    """The guide at the end of the page, folded; the sidebar's "Handleiding" opens it."""
    body = guide_html()
    if not body:
        return mo.md("")
    return mo.Html(
        f'<details id="{GUIDE_ANCHOR}" class="jm-guide"><summary>'
        '<h2 class="jm-theme" style="display:inline">Handleiding: zo werkt de Jeugdmonitor</h2>'
        f"</summary>{body}</details>"  # static/head.html opens it for a link to #handleiding
    )


# ------------------------------------------------------------------- data: reload and errors

DATA_REPAIR = (
    "Herstellen: voer in de projectmap `jeugdmonitor validate` uit om alle problemen te zien, "
    "en `jeugdmonitor build` om de gegevensmap opnieuw te maken — of zet met "
    "`jeugdmonitor history` en `jeugdmonitor restore VERSIE` een eerdere versie terug."
)


def data_watch(interval: float | None = None) -> Callable[[], int]:
    """A reactive data version: cells that call it re-run when the files in data/ change.

    One marimo thread per session polls the process-wide `live` watcher (a cheap check of file
    sizes and times; the watcher itself reloads and validates changed files once per process).
    """
    from jeugdmonitor.app import live

    every = interval if interval is not None else live.CHECK_EVERY
    get_version, set_version = mo.state(live.current().version)

    # the session's kernel thread (`marimo run` runs every session's cells in a thread of its
    # own): marimo does not stop cell threads when a session closes, so the poller stops itself
    # once that thread has ended (else every closed tab leaves a thread behind)
    kernel = threading.current_thread()

    def poll() -> None:
        thread = mo.current_thread()
        while not thread.should_exit and kernel.is_alive():
            time.sleep(every)
            version = live.current().version
            if version != get_version():
                set_version(version)

    if mo.app_meta().mode in ("run", "edit"):
        mo.Thread(target=poll, daemon=True).start()
    return get_version


def _problem_line(problem: str, data_dir: Path) -> str:
    """One validation problem in Dutch, with the file named relative to the data folder."""
    path, _, detail = problem.partition(": ")
    try:
        name = f"{data_dir.name}/{Path(path).relative_to(data_dir)}"
    except ValueError:
        name = Path(path).name or path
    shown = f"<code>{md_escape(name)}</code>"
    if detail in ("file is missing", "map file is missing"):
        return f"{shown} ontbreekt."
    if detail.startswith("cannot read"):
        return f"{shown} kan niet worden gelezen."
    return f"{shown} bevat een fout."


TECH_STYLE = "white-space: pre-wrap; overflow-wrap: anywhere; max-width: 100%; font-size: 0.8rem"


def _problem_list(problems: Iterable[str], data_dir: Path, limit: int = 8) -> str:
    problems = list(problems)
    lines = list(dict.fromkeys(_problem_line(p, data_dir) for p in problems))
    more = [f"- … en nog {len(lines) - limit} andere bestanden"] if len(lines) > limit else []
    details = "\n".join(p.replace(str(data_dir), data_dir.name) for p in problems[:20])
    # the technical lines wrap inside the notice (a code block ran off its right edge)
    block = f'<pre class="jm-tech" style="{TECH_STYLE}">{html.escape(details)}</pre>'
    return "\n".join(
        [*(f"- {line}" for line in lines[:limit]), *more, "", "Technische details:", "", block]
    )


def data_error_page(problems: Iterable[str], data_dir: Path) -> mo.Html:
    """The page shown instead of the app when no valid data could ever be loaded (Dutch)."""
    return mo.callout(
        md(
            "## De gegevens kunnen niet worden geladen\n\n"
            f"De app kan de gegevensmap <code>{md_escape(data_dir.name)}</code> niet gebruiken:\n\n"
            f"{_problem_list(problems, data_dir)}\n\n{DATA_REPAIR} Deze pagina werkt zichzelf "
            "bij zodra de gegevens in orde zijn."
        ),
        kind="danger",
    )


def data_notice(state: Any, data_dir: Path) -> mo.Html:
    """A Dutch notice while changed data in data/ is invalid and the previous data is served."""
    if not state.problems:
        return mo.md("")
    loaded = time.strftime("%H:%M", time.localtime(state.loaded_at))
    return mo.callout(
        md(
            "**Let op: de gegevens zijn gewijzigd, maar de nieuwe versie bevat fouten.** "
            f"U ziet nog de vorige, gecontroleerde gegevens (geladen om {loaded}).\n\n"
            f"{_problem_list(state.problems, data_dir)}\n\n{DATA_REPAIR}"
        ),
        kind="warn",
    )


def app_data(version: int | None = None) -> tuple[Store, mo.Html]:
    """The store to serve and a notice (empty, or the Dutch notice about invalid new data).

    Without any valid data the cell stops with `data_error_page` (naming the files and how to
    repair them) instead of a traceback. `version` only ties the calling cell to `data_watch`.
    """
    from jeugdmonitor.app import live
    from jeugdmonitor.data.store import default_data_dir

    del version
    data_dir = default_data_dir()
    try:
        state = live.current(data_dir)
    except Exception as exc:  # noqa: BLE001 - never a traceback in the page
        mo.stop(True, data_error_page([f"{data_dir}: {type(exc).__name__}: {exc}"], data_dir))
    if state.store is None:
        mo.stop(True, data_error_page(state.problems, data_dir))
    return state.store, data_notice(state, data_dir)
