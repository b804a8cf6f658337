"""marimo layout helpers: region choice, the simulated-data banner, and Section → marimo elements.

`monitor.py` stays thin: each cell calls one function here. Nothing in this module computes a
number; it lays out what `jeugdmonitor.sections` produced.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import marimo as mo
import polars as pl

from jeugdmonitor import charts, markup, themes
from jeugdmonitor.regions import NL_CODE, TYPE_LABELS, Region, get_region, normalize_code
from jeugdmonitor.sections.base import Figure, Section
from jeugdmonitor.sections.common import csv_bytes, md_escape
from jeugdmonitor.store import Store

PLACEHOLDER = "— kies een regio (landelijk overzicht) —"


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


# ------------------------------------------------------------------------------ region choice


def _context_value(getter: str) -> str | None:
    """`mo.query_params()` / `mo.cli_args()` 'region', or None outside a running app."""
    from marimo._runtime.context import ContextNotInitializedError

    try:
        value = getattr(mo, getter)().get("region")
    except ContextNotInitializedError:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def requested_region() -> str | None:
    """The region asked for: `?region=` in `marimo run`, else `-- --region` on the command line."""
    return _context_value("query_params") or _context_value("cli_args")


def dropdown_options(store: Store) -> dict[str, str | None]:
    """Label → code, grouped by type through the label prefix and the order.

    The first option is the "kies een regio" state (no region: the NL overview), then Nederland.
    """
    from jeugdmonitor.regions import dropdown_options as by_type

    def compute() -> dict[str, str | None]:
        options: dict[str, str | None] = {PLACEHOLDER: None, "Nederland": NL_CODE}
        options.update({k: v for k, v in by_type(store).items() if v != NL_CODE})
        return options

    return store.cached("ui_dropdown_options", compute)


def _label_of(store: Store, code: str | None) -> str | None:
    if not code:
        return None
    labels = store.cached(
        "ui_dropdown_labels", lambda: {v: k for k, v in dropdown_options(store).items()}
    )
    return labels.get(code)


def _write_url(code: str | None) -> None:
    """Put the chosen region into the URL (`?region=CODE`) so the link can be shared."""
    from marimo._runtime.context import ContextNotInitializedError

    try:
        params = mo.query_params()
        if code:
            params["region"] = code
        elif "region" in params:
            del params["region"]
    except ContextNotInitializedError:
        return


def region_picker(store: Store, requested: str | None) -> mo.ui.dropdown:
    """Searchable dropdown of every region; starts at the requested one when it exists."""
    return mo.ui.dropdown(
        options=dropdown_options(store),
        value=_label_of(store, normalize_code(requested)) or PLACEHOLDER,
        allow_select_none=False,
        searchable=True,
        label=(
            "Selecteer een gemeente, samenwerkingsverband, jeugdregio of provincie (typ een naam "
            "of code, bijvoorbeeld Den Haag of GM0518):"
        ),
        on_change=_write_url,
        full_width=True,
    )


def chosen_region(
    store: Store, picked: str | None, requested: str | None
) -> tuple[Region | None, str]:
    """The region to show (None = NL overview) and a Dutch notice for an unknown requested code."""
    region = get_region(store, picked) if picked else None
    if region is not None or not requested or get_region(store, requested) is not None:
        return region, ""
    shown = md_escape(str(requested)[:40])
    return None, (
        f"De regiocode **{shown}** bestaat niet. U ziet het landelijk overzicht; kies hierboven "
        "een gemeente, samenwerkingsverband, jeugdregio of provincie."
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


def banner(sections: Iterable[Section]) -> mo.Html:
    """The simulated-data warning: a callout at the top and a ribbon fixed to the window bottom.

    Empty when no figure shown is simulated.
    """
    if not any(s.simulated for s in sections):
        return mo.md("")
    ribbon = mo.Html(
        '<div class="jm-ribbon" role="status">Gesimuleerde cijfers (demo) — niet voor beleid '
        "gebruiken</div>"
    )
    return mo.vstack([mo.callout(md(markup.SIMULATED_TEXT), kind="warn"), ribbon])


# ---------------------------------------------------------------------------------- assets


class SessionAssets(charts.Assets):
    """Serve the TopoJSON and the map tables by URL, once per session.

    Each is a marimo virtual file (`./@file/...`), registered for the whole session rather than
    for one cell run, so its URL stays valid across region changes; the browser caches it
    (`max-age`), and every map refers to it by URL instead of carrying it in the spec. Where
    marimo has no virtual files (`marimo export html`, `python monitor.py`) data is inlined.
    """

    def __init__(self) -> None:
        self._urls: dict[Any, str | None] = {}
        self._lock = threading.Lock()

    def _url(self, key: Any, text: Callable[[], str]) -> str | None:
        with self._lock:
            if key not in self._urls:
                from marimo._runtime.virtual_file import VirtualFile

                url = VirtualFile.create_and_register(text().encode("utf-8"), "json").url
                self._urls[key] = None if url.startswith("data:") else url
            return self._urls[key]

    def geo(
        self, level: str, text: Callable[[], str], feature: str | None = None
    ) -> dict[str, Any]:
        """The level's TopoJSON by URL (inline when virtual files are unavailable)."""
        url = self._url(("geo", level), text)
        if url:
            return charts.topojson_url(url, feature or level)
        return super().geo(level, text, feature)

    def table(self, key: Any, text: Callable[[], str]) -> dict[str, Any] | str:
        """A region-independent table by URL (inline JSON when virtual files are unavailable)."""
        url = self._url(("table", key), text)
        return {"url": url, "format": {"type": "json"}} if url else super().table(key, text)


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
    return mo.download(
        data=lambda: csv_bytes(frame),
        filename=figure.download_name,
        mimetype="text/csv",
        label=f"Download .csv ({md_escape(figure.download_label)})",  # marimo renders labels as markdown
    )


def chart_html(chart: Any) -> str:
    """A chart as marimo's Vega-Lite renderer element.

    The spec goes in as an object, not as JSON text: text would be escaped twice inside the
    element's attribute (every quote becomes 11 characters), which made a region change send
    ~0.6 MB instead of ~0.4 MB.
    """
    from marimo._plugins.stateless.mime import mime_renderer

    if isinstance(chart, charts.Spec):
        return mime_renderer("application/vnd.vegalite.v6+json", chart.to_dict()).text
    return mo.as_html(chart).text


def figure_view(figure: Figure, level: int = 4) -> mo.Html:
    """Title (heading `level`), explanation, key numbers, chart, source, download and the table."""
    parts: list[Any] = [mo.Html(markup.figure_heading(figure, level)), md(figure.explanation)]
    if figure.summary:
        parts.append(mo.md(figure.summary))
    if figure.chart is not None:
        # a chart never pushes its column wider than half the page: it scrolls instead
        parts.append(
            mo.Html(f"<div style='overflow-x:auto;max-width:100%'>{chart_html(figure.chart)}</div>")
        )
    parts.append(
        mo.hstack(
            [
                mo.Html(f"<span class='jm-source'>{html.escape(figure.source)}</span>"),
                download_button(figure),
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
    return mo.Html(markup.table_details(figure.table))


def section_view(section: Section, *, heading: bool = True) -> mo.Html:
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
        views = [figure_view(f, level) for f in row]
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
    theme, members = next(g for g in themes.grouped(sections) if key in dict(g[1]))
    keys = [k for k, _ in members]
    parts: list[Any] = []
    if keys[0] == key:
        parts.append(mo.Html(markup.theme_heading(theme)))
    parts.append(section_view(section, heading=not markup.merged(theme, members)))
    if keys[-1] == key and (further := markup.further_reading(theme)):
        parts.append(mo.Html(further))
    return mo.vstack(parts, gap=1.2)


def navigation(sections: Mapping[str, Section]) -> mo.Html:
    """A sidebar with the table of contents (themes and sections, each a link to its anchor).

    It stays in reach on the long page; the anchors are deep links: `?region=GM0363#jeugdzorg`.
    """
    return mo.sidebar(mo.Html(markup.toc_html(sections)), width="17rem")


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
    from jeugdmonitor import live

    every = interval if interval is not None else live.CHECK_EVERY
    get_version, set_version = mo.state(live.current().version)

    def poll() -> None:
        thread = mo.current_thread()
        while not thread.should_exit:
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


def _problem_list(problems: Iterable[str], data_dir: Path, limit: int = 8) -> str:
    problems = list(problems)
    lines = list(dict.fromkeys(_problem_line(p, data_dir) for p in problems))
    more = [f"- … en nog {len(lines) - limit} andere bestanden"] if len(lines) > limit else []
    details = "\n".join(f"    {p}".replace(str(data_dir), data_dir.name) for p in problems[:20])
    return "\n".join(
        [*(f"- {line}" for line in lines[:limit]), *more, "", "Technische details:", "", details]
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
    from jeugdmonitor import live
    from jeugdmonitor.store import default_data_dir

    del version
    data_dir = default_data_dir()
    try:
        state = live.current(data_dir)
    except Exception as exc:  # noqa: BLE001 - never a traceback in the page
        mo.stop(True, data_error_page([f"{data_dir}: {type(exc).__name__}: {exc}"], data_dir))
    if state.store is None:
        mo.stop(True, data_error_page(state.problems, data_dir))
    return state.store, data_notice(state, data_dir)
