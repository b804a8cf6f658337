"""Static HTML reports per region: the app's sections, offline, print-friendly, fast.

A report renders the same `Section` objects as the app (`jeugdmonitor.present.sections.build_sections`),
so the two cannot disagree. The Vega, Vega-Lite and vega-embed JavaScript comes from the
vl-convert package (no download). Big region-independent data (TopoJSON, map tables) is referred
to by `jm:` URLs that a small custom Vega loader resolves from `window.JM`:

- one report (`--region`): the bundle and the data are inlined, so the single file opens offline;
- all reports (`--all`): the bundle and every data item are written once under `assets/` and each
  report links them with relative `<script src>` tags (which, unlike fetch, work over file://).

Every file is written to a temporary sibling and renamed into place, so nothing is half-written.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import gzip
import hashlib
import html
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from jeugdmonitor.data.files import atomic_write
from jeugdmonitor.data.region_search import search_text
from jeugdmonitor.data.regions import REGION_TYPES, TYPE_LABELS, Region, get_region
from jeugdmonitor.data.store import Store, load
from jeugdmonitor.present import charts, markup, report_csv, themes, wijk_map
from jeugdmonitor.present.sections import DEFAULT_CHOICES, Choices, build_sections
from jeugdmonitor.present.sections.base import Figure, Section

ASSET_DIR = "assets"
BUNDLE_NAME = "vega-bundle.js"


class ReportError(RuntimeError):
    """A report cannot be made: unknown region, or an output folder that cannot be written."""


# --------------------------------------------------------------------------------- assets


class ReportAssets(charts.Assets):
    """Collect big chart data once per page; charts refer to it by a `jm:` URL."""

    def __init__(self) -> None:
        self.items: dict[str, Callable[[], str]] = {}

    def _register(self, name: str, text: Callable[[], str]) -> str:
        self.items.setdefault(name, text)
        return f"jm:{name}"

    def geo(
        self, level: str, text: Callable[[], str], feature: str | None = None
    ) -> dict[str, Any]:
        """TopoJSON of a map level, by reference."""
        return charts.topojson_url(self._register(f"geo-{level}", text), feature or level)

    def table(self, key: Any, text: Callable[[], str]) -> dict[str, Any] | str:
        """A region-independent map table, by reference (name derived from its key)."""
        digest = hashlib.sha1(repr(key).encode("utf-8")).hexdigest()[:16]
        return {"url": self._register(f"table-{digest}", text), "format": {"type": "json"}}


def asset_script(name: str, text: str) -> str:
    """JavaScript that puts one data item (JSON text) into `window.JM` under its name."""
    return f"(window.JM=window.JM||{{}})[{json.dumps(name)}]={_script_safe(text)};\n"


def _script_safe(text: str) -> str:
    """JSON text that can sit inside a <script> element (no `</script>` can end it early)."""
    return text.replace("</", "<\\/")


def _bundle_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    import vl_convert as vlc

    version = (
        f"{vlc.get_vega_version()}-{vlc.get_vegalite_versions()[-1]}-{vlc.get_vega_embed_version()}"
    )
    return Path(base) / "jeugdmonitor" / f"vega-bundle-{version}.js"


@functools.cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script, from vl-convert (no network).

    vl-convert bundles it in about 1.4 s, so the result is kept in the user's cache folder,
    keyed by the library versions; a cache that cannot be written is simply skipped.
    """
    path = _bundle_cache()
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    import vl_convert as vlc

    text = vlc.javascript_bundle()
    with contextlib.suppress(OSError):
        atomic_write(path, text.encode("utf-8"))
    return text


# ------------------------------------------------------------------------------- rendering

CSS = """
:root { --ink:#1f1f1f; --muted:#525252; --line:#e5e5e5; --accent:#08519c; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink);
  margin: 0; line-height: 1.45; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr); max-width: 1240px; margin: 0 auto;
  padding: 1.5rem 2rem 4rem; }
.side .jm-toc { background: #f5f7fa; border-radius: 6px; padding: .6rem 1rem; margin: 0 0 1rem; }
/* wide screens: the table of contents stays in reach beside the text */
@media screen and (min-width: 1100px) {
  .layout { grid-template-columns: 16rem minmax(0, 1fr); gap: 2rem; max-width: 1500px; }
  .side .jm-toc { position: sticky; top: 1rem; max-height: calc(100vh - 2rem); overflow-y: auto; }
}
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .4rem .8rem; }
.skip:focus { left: 1rem; z-index: 10; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.45rem; margin-top: 2.5rem; border-bottom: 2px solid var(--accent);
  padding-bottom: .2rem; }
h2.jm-theme { border-bottom: none; }
.meta { color: var(--muted); font-size: .9rem; }
.banner { background: #fdb863; color: #3b2000; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }
.row { display:grid; grid-template-columns: minmax(0,1fr); gap: 2rem; margin: 1.5rem 0; }
.row.two { grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); }
.row.two:has(details[open]) { grid-template-columns: minmax(0,1fr); }
figure { margin: 0; min-width: 0; }
.chart { overflow-x: auto; max-width: 100%; margin: .5rem 0; }
.chart svg { max-width: 100%; height: auto; }
.chart .vega-actions, .chart details { display: none; }
.text p:last-child { margin-bottom: .3rem; }
.download { font-size: .85rem; margin-left: .8rem; }
.text .paragraph { display: block; margin: 0 0 .5em; }
.print-only { display: none; }
a { color: var(--accent); }
footer { margin-top: 3rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .85rem; }
@media print {
  html { font-size: 8.5pt; }  /* compact but readable: every report fits its page budget */
  body { line-height: 1.35; }
  .layout { display: block; max-width: none; padding: 0; }
  .side, .skip, .download { display: none; }
  h1 { font-size: 18pt; }
  /* themes, sections and figures flow on (a new page per theme left half-empty pages);
     a theme heading stays with what follows, a chart never splits */
  h2.jm-theme { margin-top: 1.2rem; break-after: avoid; }
  footer { font-size: 7.5pt; margin-top: 1.5rem; }
  footer h2 { break-before: auto; margin-top: 0; }
  footer ul { columns: 2; column-gap: 1.5rem; padding-left: 1rem; }
  footer .figure-sources { display: none; }  /* printed under every figure already */
  .print-only { display: block; }
  .text .paragraph { margin-bottom: .35em; }
  footer li { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  .text p { orphans: 3; widows: 3; }
  .chart, figcaption, .summary, .jm-table-wrap, .jm-further { break-inside: avoid; }
  /* every chart prints as small as its smallest text allows: 7 pt (--jm-print-h, set when
     it is drawn; about 79% of its size on screen), keeping its proportions; a very tall one
     (a ranking of 100 wijken) takes at most a page */
  .chart svg { height: var(--jm-print-h, auto); width: auto; max-height: 240mm; }
  /* vega-embed keeps room for its menu (off in a report): on paper the chart has it */
  .chart.vega-embed { padding-right: 0 !important; }
  /* a heading stays with its figure: heading, texts and chart are never split */
  .jm-keep { break-inside: avoid; }
  h2, h3, h4 { break-inside: avoid; }
  figcaption { font-size: 7.5pt; line-height: 1.25; }  /* sources: complete, but small */
  .jm-further { padding: .4rem .8rem; margin: 1rem 0 0; }
  .jm-further ul { columns: 2; column-gap: 1.5rem; }
  .jm-further li { break-inside: avoid; }
  .row { margin: .6rem 0; gap: 1.2rem; }
  .chart { margin: .3rem 0; }
  .jm-section { margin: 1rem 0 .3rem; }
  .row.two, .row.two:has(details[open]), .row.print-two {
    grid-template-columns: minmax(0,1fr) minmax(0,1fr); }
  .row.print-one { grid-template-columns: minmax(0,1fr) !important; }  /* too wide for half */
  details { display: none; }
  details.print-open { display: block; }
  .jm-table-wrap { overflow: visible; }
  .banner { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  a { color: var(--ink); text-decoration: none; }
  /* the verantwoording: complete, but small and in two columns (an appendix) */
  .report-theme:has(#verantwoording) { break-before: page; }  /* the appendix starts a page */
  #verantwoording { font-size: 7.5pt; line-height: 1.25; }
  #verantwoording .jm-table { font-size: 7pt; line-height: 1.2; margin: .2rem 0; }
  #verantwoording .jm-table th, #verantwoording .jm-table td { padding: 1px 4px; }
  /* its tables may run on to the next page (their heading and first rows stay together) */
  #verantwoording .jm-keep, #verantwoording .jm-table-wrap { break-inside: auto; }
  #verantwoording tr { break-inside: avoid; }
  #verantwoording > .text:last-of-type { columns: 2; column-gap: 1.2rem; }
  #verantwoording > .text:last-of-type h3 { font-size: 8.5pt; margin: .4rem 0 .2rem; }
  #verantwoording ul { padding-left: 1rem; }
}
"""


_CSS_PLAIN = re.compile(r"[\w ,.()'–-]", re.UNICODE)


def css_string(text: str) -> str:
    """A quoted CSS string whose characters beyond letters, digits and plain punctuation are CSS
    escapes (`\\3c `): a name from the data can neither end the string nor the <style> element."""
    return (
        '"'
        + "".join(
            c if _CSS_PLAIN.fullmatch(c) else f"\\{ord(c):x} " for c in " ".join(text.splitlines())
        )
        + '"'
    )


def _page_css(title: str, simulated: bool) -> str:
    """The printed page: A4, the page number and the report's title in the bottom margin, and
    the simulated-data warning on every page (in the margin, where it covers nothing)."""
    label = css_string(f"Jeugdmonitor – {title}")
    warning = (
        '@top-center { content: "Bevat gesimuleerde cijfers (gemarkeerd): die niet voor beleid gebruiken"; '
        "font: 600 8pt system-ui, sans-serif; color: #3b2000; }"
        if simulated
        else ""
    )
    return (
        "@page { size: A4; margin: 14mm 10mm 16mm; "
        f"@bottom-left {{ content: {label}; font: 8pt system-ui, sans-serif; color: #525252; }} "
        '@bottom-right { content: "Pagina " counter(page) " van " counter(pages); '
        "font: 8pt system-ui, sans-serif; color: #525252; } "
        f"{warning} }}"
    )


# Draws every chart once Vega and the data items are present. `jm:` URLs resolve from window.JM.
EMBED_JS = """
// On paper a chart prints as small as its smallest text allows (7 pt): its height is set here
// from that text (see the print CSS), and a chart then too wide for half a page gets the whole
// width (its row prints as one column).
var PRINT_MIN_PX = 7.1 * 96 / 72;  // 7.1 pt in CSS px
var PRINT_HALF_PX = 350;  // half the A4 text width (190 mm = 718 px) less the gap (14 px)
function printSize(holder) {
  var svg = holder && holder.querySelector('svg');
  if (!svg) return;
  var smallest = Infinity;
  svg.querySelectorAll('text').forEach(function (t) {
    if (!t.textContent.trim() || t.getAttribute('opacity') === '0') return;
    var size = parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize);
    if (size < smallest) smallest = size;
  });
  if (!isFinite(smallest)) return;
  var scale = Math.min(1, PRINT_MIN_PX / smallest);
  var width = +svg.getAttribute('width'), height = +svg.getAttribute('height');
  holder.style.setProperty('--jm-print-h', Math.ceil(height * scale) + 'px');
  if (width * scale > PRINT_HALF_PX) {
    var row = holder.closest('.row');
    if (row) row.classList.add('print-one');
  }
}
window.jmDraw = function () {
  // A minimal Vega loader: only `jm:` data items exist in a report (no network, no files).
  function item(uri) {
    var value = uri.indexOf('jm:') === 0 ? (window.JM || {})[uri.slice(3)] : undefined;
    return value === undefined ? Promise.reject(new Error('ontbrekende gegevens ' + uri))
                               : Promise.resolve(JSON.stringify(value));
  }
  var loader = {
    load: item,
    sanitize: function (uri) { return Promise.resolve({href: uri}); },
    http: item,
    file: item
  };
  var JM = window.JM || {};
  var specs = JM.__specs || JSON.parse(document.getElementById('jm-specs').textContent);
  var locale = JSON.parse(document.getElementById('jm-locale').textContent);
  function draw(id) {
    // a spec is either complete, or {t: shared template, datasets, description}
    var spec = specs[id].t ? Object.assign({}, JM[specs[id].t],
      {datasets: specs[id].datasets, description: specs[id].description}) : specs[id];
    return vegaEmbed('#' + id, spec, {renderer: 'svg', actions: false, loader: loader,
                                           formatLocale: locale})
      .then(function (result) {
        // Vega gives an empty mark layer (e.g. no suppressed points) the role of an image
        // without a name; it shows nothing, so screen readers should skip it (WCAG 1.1.1)
        document.querySelectorAll('#' + id + ' g[role="graphics-symbol"]:empty')
          .forEach(function (g) { g.removeAttribute('role'); g.setAttribute('aria-hidden', 'true'); });
        // a wijk map's choice of wijk (a <select>) goes beside the chart, not inside its image
        var chart = document.getElementById(id);
        printSize(chart);
        var form = chart.querySelector('.vega-bindings');
        if (form) chart.parentNode.insertBefore(form, chart.nextSibling);
        // a click on a wijk in its map chooses it there (static/links.js)
        result.view.addEventListener('click', function (event, item) {
          var code = item && item.datum && item.datum.code;
          if (code && window.jmWijk) window.jmWijk(code);
        });
      })
      .catch(function (err) {
        var el = document.getElementById(id);
        el.textContent = 'Grafiek kon niet worden getekend: ' + err.message;
        el.className += ' chart-error';
      });
  }
  // In page order, a few at a time (turns of at most ~30 ms, then the page may answer and
  // paint), so the first screen is there at once and no task is long; printing draws the
  // rest straight away. data-charts='done' when every chart is drawn.
  var ids = Object.keys(specs), next = 0, drawing = [];
  function take() { var p = draw(ids[next++]); drawing.push(p); return p; }
  function rest() { while (next < ids.length) take(); }
  window.addEventListener('beforeprint', rest);
  if (window.matchMedia) {
    var print = window.matchMedia('print');
    if (print.addEventListener) print.addEventListener('change', function (e) { if (e.matches) rest(); });
  }
  return new Promise(function (resolve) {
    function turn() {
      var start = performance.now();
      (function more() {
        if (next >= ids.length) return resolve();
        if (performance.now() - start > 30) return setTimeout(turn, 0);
        take().then(more);
      })();
    }
    turn();
  }).then(function () { return Promise.all(drawing); })
    .then(function () { document.body.setAttribute('data-charts', 'done'); });
};
"""

# Single-file mode: the bundle and the data items are gzip + base64 inside the page
# (a third of their size) and unpacked with the browser's DecompressionStream; no network.
UNPACK_JS = """
(function () {
  function unpack(id) {
    var b64 = document.getElementById(id).textContent.trim();
    var bytes = Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text();
  }
  window.jmUnpack = unpack;
  if (typeof DecompressionStream === 'undefined') {
    document.body.setAttribute('data-charts', 'unsupported');
    return;
  }
  unpack('jm-bundle').then(function (code) {
    var s = document.createElement('script');
    s.textContent = code;
    document.head.appendChild(s);
    return unpack('jm-data');
  }).then(function (text) {
    window.JM = JSON.parse(text);
    return window.jmDraw();
  });
})();
"""


@functools.cache
def _packed_bundle() -> str:
    """The packed bundle is the same for every report: compress it once per process."""
    return packed(vega_bundle().encode("utf-8"))


def packed(data: bytes) -> str:
    """gzip (deterministic: no timestamp) then base64, for a <script type="text/plain"> block."""
    return base64.b64encode(gzip.compress(data, compresslevel=6, mtime=0)).decode("ascii")


def _csv_name(figure: Figure) -> str:
    return figure.download_name or f"{figure.key}.csv"


def _report_href(code: str) -> str:
    """A region's report beside this one (`report --all` writes every region's page)."""
    return f"{code}.html"


KEEP_TABLE_ROWS = 20  # a table figure this short prints on one page with its heading


def _figure_html(figure: Figure, chart_id: str | None, csv_link: str, level: int = 4) -> str:
    # on paper the heading, texts and chart (or a short table) stay together (`jm-keep`)
    parts = [
        f'<figure id="figure-{html.escape(figure.key)}" data-key="{html.escape(figure.key)}">',
        '<div class="jm-keep">',
        markup.figure_heading(figure, level),
        f'<div class="text">{markup.markdown_html(figure.explanation)}</div>',
    ]
    if figure.summary:
        parts.append(f'<div class="text summary">{markup.markdown_html(figure.summary)}</div>')
    if chart_id is not None:
        label = html.escape(f"Grafiek: {figure.title}", quote=True)
        kind = "chart tall" if figure.tall else "chart"
        parts.append(f'<div class="{kind}" id="{chart_id}" role="img" aria-label="{label}"></div>')
    caption = (
        f'<figcaption><span class="jm-source">{markup.source_html(figure.source)}</span>{csv_link}'
        "</figcaption>"
    )
    if figure.chart is None:  # a table figure: the table is its content; regions link to reports
        table = markup.table_html(figure.table, links=figure.links, href=_report_href)
        if not figure.print_table:
            table = f'<div class="jm-screen-only">{table}</div>'
        short = figure.table.height <= KEEP_TABLE_ROWS
        parts += [table, "</div>", caption] if short else [caption, "</div>", table]
    else:
        parts += [caption, "</div>", markup.table_details(figure.table, figure.links, _report_href)]
    parts.append("</figure>")
    return "".join(parts)


def _spec_json(chart: Any) -> str:
    if isinstance(chart, charts.Spec):
        return chart.to_json()
    return json.dumps(chart.to_dict(validate=False), ensure_ascii=False, separators=(",", ":"))


@dataclass
class Page:
    """One report being rendered: its chart specs and the CSVs it offers."""

    shared: bool
    asset_prefix: str
    csv_dir: str
    specs: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    csv: dict[str, pl.DataFrame] = field(default_factory=dict)
    regional: bool = False  # CSVs with the region's rows only, packed in the page (`report_csv`)

    def chart(self, figure: Figure) -> str | None:
        """Record the figure's spec; in shared mode its region-independent template is an asset."""
        if figure.chart is None:
            return None
        chart_id = f"c{len(self.specs)}"
        if not self.shared:
            self.specs[chart_id] = _spec_json(figure.chart)
            return chart_id
        spec = json.loads(_spec_json(figure.chart))
        datasets, description = spec.pop("datasets", {}), spec.pop("description", "")
        template = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        name = "tpl-" + hashlib.sha1(template.encode("utf-8")).hexdigest()[:16]
        self.templates[name] = template
        self.specs[chart_id] = json.dumps(
            {"t": name, "datasets": datasets, "description": description},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return chart_id

    def csv_link(self, figure: Figure) -> str:
        """A link to the CSV of the indicator for all regions of the level, in `csv_dir`."""
        if figure.download is None:
            return ""
        name = _csv_name(figure)
        self.csv[name] = figure.download
        href = f"{self.csv_dir}/{name}"
        label = figure.download_label
        if self.regional and label == "alle regio's":
            label = report_csv.REGIONAL_LABEL
        packed = f' data-csv="{html.escape(name)}"' if self.regional else ""
        return (
            f'<a class="download" href="{html.escape(href)}" download="{html.escape(name)}"'
            f"{packed}>Download .csv ({html.escape(label)})</a>"
        )

    def section(self, section: Section, *, heading: bool = True) -> str:
        """A section: heading (h3, unless its theme's heading serves), texts and figure rows."""
        head = markup.section_heading(section.key, section.title, anchor=False) if heading else ""
        parts = [
            f'<section class="report-section" id="{html.escape(section.key)}">',
            head,
            f'<div class="text">{markup.section_markdown(section.intro, 4 if heading else 3)}</div>',
        ]
        level = 4 if heading else 3
        for kind, row in _print_pairs(markup.figure_rows(section.figures)):
            cells = "".join(_figure_html(f, self.chart(f), self.csv_link(f), level) for f in row)
            parts.append(f'<div class="{kind}">{cells}</div>')
        if section.outro:
            parts.append(f'<div class="text">{markup.section_markdown(section.outro, level)}</div>')
        parts.append("</section>")
        return "".join(parts)

    def body(self, sections: dict[str, Section]) -> str:
        """Every section under its theme: theme heading, sections, then its further reading."""
        parts = []
        for theme, members in themes.grouped(sections):
            alone = markup.merged(theme, members)
            parts.append(f'<div class="report-theme">{markup.theme_heading(theme)}')
            parts.extend(self.section(s, heading=not alone) for _, s in members)
            parts.append(f"{markup.further_reading(theme)}</div>")
        return "".join(parts)


# px: a chart this narrow (and without a legend beside it) prints half-width: the ventiles (520),
# benchmark strips and the expected-use overview (420); not the trends (560, legend below)
PRINT_NARROW = 540


def _narrow(figure: Figure) -> bool:
    """A chart that fits half an A4 page: narrow, and no legend to its right."""
    if figure.chart is None or figure.tall:
        return False
    spec = json.loads(_spec_json(figure.chart))
    width = spec.get("width")
    return (
        isinstance(width, int | float)
        and width <= PRINT_NARROW
        and not re.search(r'"orient"\s*:\s*"right"', json.dumps(spec.get("layer", spec)))
    )


def _print_pairs(rows: list[list[Figure]]) -> list[tuple[str, list[Figure]]]:
    """Figure rows with their CSS class: two consecutive full-width figures whose charts are
    narrow share a row on paper (`print-two`: stacked on screen), which saves pages."""
    out: list[tuple[str, list[Figure]]] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if len(row) == 2:
            out.append(("row two", row))
        elif (
            i + 1 < len(rows)
            and len(rows[i + 1]) == 1
            and _narrow(row[0])
            and _narrow(rows[i + 1][0])
        ):
            out.append(("row print-two", [row[0], rows[i + 1][0]]))
            i += 1
        else:
            out.append(("row", row))
        i += 1
    return out


def region_title(region: Region | None) -> str:
    """'Amsterdam (gemeente)' or 'Nederland'."""
    if region is None or region.type == "nederland":
        return "Nederland"
    return f"{region.display_name} ({TYPE_LABELS[region.type].lower()})"


def _json_object(pairs: dict[str, str]) -> str:
    """A JSON object from names and already serialised JSON values."""
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs.items()) + "}"


def _scripts(page: Page, items: dict[str, str]) -> str:
    """The page's data and JavaScript: linked shared assets, or packed blocks plus the unpacker."""
    embed = f"<script>{EMBED_JS}{wijk_map.LINKS_JS}</script>"
    if page.shared:
        links = f'<script src="{page.asset_prefix}/{BUNDLE_NAME}"></script>' + "".join(
            f'<script src="{page.asset_prefix}/data/{name}.js"></script>' for name in items
        )
        specs = f'<script type="application/json" id="jm-specs">{_script_safe(_json_object(page.specs))}</script>'
        return specs + links + embed + "<script>window.jmDraw();</script>"
    data = _json_object({**items, "__specs": _json_object(page.specs)})
    blocks = {"jm-bundle": _packed_bundle(), "jm-data": packed(data.encode("utf-8"))}
    if page.regional:  # the region's CSVs, saved from the page by a click (report_csv.CSV_JS)
        blocks["jm-csv"] = packed(report_csv.packed_csvs(page.csv))
        embed += f"<script>{report_csv.CSV_JS}</script>"
    packed_blocks = "".join(
        f'<script type="text/plain" id="{bid}">{text}</script>' for bid, text in blocks.items()
    )
    return packed_blocks + embed + f"<script>{UNPACK_JS}</script>"


def render(
    store: Store,
    region: Region | None,
    *,
    shared_assets: bool = False,
    asset_prefix: str = ASSET_DIR,
    generated: dt.date | None = None,
    choices: Choices = DEFAULT_CHOICES,
    csv_all: bool = False,
) -> tuple[str, dict[str, str], dict[str, pl.DataFrame]]:
    """HTML of one report, plus the data items and CSVs it refers to (for the shared mode).

    Single-file mode (default): bundle, data items and the CSVs with the region's rows
    (`report_csv`) are packed in the page; with `csv_all` the CSVs hold every region and stay
    outside the page. Shared mode: the page links `<asset_prefix>/…` files that `write_all`
    writes once.
    """
    assets = ReportAssets()
    built = build_sections(store, region, assets=assets, choices=choices)
    csv_dir = f"{asset_prefix}/csv" if shared_assets else f"{region.code if region else 'NL01'}_csv"
    regional = not shared_assets and not csv_all
    page = Page(shared=shared_assets, asset_prefix=asset_prefix, csv_dir=csv_dir, regional=regional)
    body = page.body(built)
    if regional:
        own, up = report_csv.related_codes(store, region, choices)
        page.csv = report_csv.for_region(store, page.csv, own, up)
    items = {name: text() for name, text in assets.items.items()} | page.templates
    simulated = any(s.simulated for s in built.values())
    title = region_title(region)
    when = markup.dutch_date(generated or dt.date.today())
    toc = markup.toc_html(built, extra=[("bronnen", "Bronnen per figuur")])
    banner = (
        f'<div class="banner" role="status">{markup.markdown_html(markup.SIMULATED_TEXT)}</div>'
        if simulated
        else ""
    )
    sources = sorted({f.source for s in built.values() for f in s.figures if f.source})
    code = f" · regiocode {html.escape(region.code)}" if region else ""
    figure_sources = "".join(f"<li>{html.escape(x)}</li>" for x in sources)
    doc = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jeugdmonitor – {html.escape(title)}</title>
<style>{CSS}{markup.FIGURE_CSS}{_page_css(title, simulated)}</style>
</head><body>
<a class="skip" href="#inhoud">Naar de inhoud</a>
<div class="layout">
<aside class="side">{toc}</aside>
<main id="inhoud">
<header><p class="meta">Jeugdmonitor · Monitor aansluiting onderwijs en jeugdhulp</p>
<h1>{html.escape(title)}</h1>
<p class="meta">Rapport gemaakt op {when}{code}</p></header>
{banner}
<noscript><p class="banner">Zet JavaScript aan om de grafieken te zien; de tabellen onder elke
figuur bevatten dezelfde cijfers.</p></noscript>
{body}
<footer><h2 id="bronnen">Bronnen per figuur</h2>
<ul class="figure-sources">{figure_sources}</ul>
<p class="print-only">De bron en het jaar van elke figuur staan onder de figuur; de
verantwoording hierboven beschrijft de bronnen en methoden.</p>
<p>{html.escape(markup.SUPPRESSION_TEXT)}</p>
<p>Gemaakt met Jeugdmonitor op {when}.</p></footer>
</main></div>
<script type="application/json" id="jm-locale">{json.dumps(charts.format_locale())}</script>
{_scripts(page, items)}
</body></html>
"""
    return doc, items, page.csv


# -------------------------------------------------------------------------------- writing


def check_writable(out: Path) -> None:
    """Fail early, with a clear message, when `out` cannot be created or written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".write-test.", dir=out)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise ReportError(f"cannot write reports to {out}: {exc.strerror or exc}") from exc


def resolve_region(store: Store, code: str) -> Region:
    """The region for a code, or a ReportError that says what codes look like."""
    region = get_region(store, code)
    if region is None:
        raise ReportError(
            f"unknown region code {code!r}: use a code from data/regions.parquet, e.g. GM0363 "
            "(gemeente), PO2707 / VO2708 (SWV po/vo), JZ01 (jeugdregio), PV27 (provincie), NL01"
        )
    return region


def write_csvs(folder: Path, csvs: dict[str, pl.DataFrame], *, once: bool = False) -> None:
    """The CSV downloads a report links to (semicolons, decimal commas, BOM for Dutch Excel)."""
    for name, frame in csvs.items():
        path = folder / name
        if not (once and path.exists()):
            atomic_write(path, markup.csv_bytes(frame))


def write_report(
    store: Store,
    code: str,
    out: Path,
    *,
    choices: Choices = DEFAULT_CHOICES,
    csv_all: bool = False,
) -> Path:
    """`<out>/<code>.html`, which opens offline on its own, and its CSVs in `<out>/<code>_csv/`
    (the region's rows, also packed in the page; every region with `csv_all`)."""
    region = resolve_region(store, code)
    check_writable(out)
    doc, _, csvs = render(store, region, choices=choices, csv_all=csv_all)
    write_csvs(out / f"{region.code}_csv", csvs)
    path = out / f"{region.code}.html"
    atomic_write(path, doc.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- all regions

_WORKER: dict[str, Any] = {}


def _init_worker(data_dir: str, out: str, date: str, choices: Choices) -> None:
    _WORKER.update(
        store=load(data_dir), out=Path(out), date=dt.date.fromisoformat(date), choices=choices
    )


def _write_once(path: Path, data: Callable[[], bytes]) -> None:
    """Write a shared asset unless it exists (same name → same content, so races are harmless)."""
    if not path.exists():
        atomic_write(path, data())


def write_shared(out: Path, items: dict[str, str], csvs: dict[str, pl.DataFrame]) -> None:
    """The data items and CSVs one shared-mode report refers to, each written once."""
    for name, text in items.items():
        _write_once(
            out / ASSET_DIR / "data" / f"{name}.js",
            lambda n=name, t=text: asset_script(n, t).encode("utf-8"),
        )
    write_csvs(out / ASSET_DIR / "csv", csvs, once=True)


def _render_one(code: str) -> str:
    """Worker: write one shared-asset report and the assets it needs that are not there yet."""
    store, out = _WORKER["store"], _WORKER["out"]
    doc, items, csvs = render(
        store,
        get_region(store, code),
        shared_assets=True,
        generated=_WORKER["date"],
        choices=_WORKER["choices"],
    )
    write_shared(out, items, csvs)
    atomic_write(out / f"{code}.html", doc.encode("utf-8"))
    return code


def _progress(done: int, total: int, started: float, stream: Any) -> None:
    width = 30
    filled = int(width * done / total)
    elapsed = time.perf_counter() - started
    stream.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rapporten  {elapsed:5.1f} s"
    )
    stream.flush()


def index_html(store: Store, generated: dt.date, simulated: bool = False) -> str:
    """A page that lists every report, with a search box and a filter by region type; with
    `simulated` (the reports show simulated figures too) it carries the warning."""
    ordered = store.regions.with_columns(
        order=pl.col("type").replace_strict(
            {t: i for i, t in enumerate(REGION_TYPES)}, return_dtype=pl.Int8
        )
    ).sort("order", "display_name")
    rows = "".join(
        f'<tr data-type="{t}" data-search="{html.escape(search_text(t, n, c))}">'
        f'<td><a href="{html.escape(c)}.html">{html.escape(n)}</a></td>'
        f"<td>{html.escape(TYPE_LABELS[t])}</td><td>{html.escape(c)}</td></tr>"
        for c, t, n in ordered.select("code", "type", "display_name").iter_rows()
    )
    options = "".join(
        f'<option value="{t}">{html.escape(TYPE_LABELS[t])}</option>' for t in REGION_TYPES
    )
    banner = (
        f'<div class="banner" role="status">{markup.markdown_html(markup.SIMULATED_TEXT)}</div>'
        if simulated and store.is_simulated
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Jeugdmonitor – alle rapporten</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}
.filters {{ display:flex; gap:1rem; margin:1rem 0; }} input, select {{ font-size:1rem; padding:.3rem .5rem; }}
table.index {{ border-collapse: collapse; width: 100%; }}
table.index td, table.index th {{ border-bottom: 1px solid var(--line); padding: 4px 8px; text-align:left; }}
main.index-page {{ max-width: 1240px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }}
</style></head><body><main class="index-page">
<h1>Jeugdmonitor – rapporten per regio</h1>
<p class="meta">Gemaakt op {markup.dutch_date(generated)} · {store.regions.height} regio's</p>
{banner}
<div class="filters"><label>Zoeken <input id="q" type="search" placeholder="naam of code, bijv. Den Haag"></label>
<label>Soort regio <select id="t"><option value="">alle</option>{options}</select></label>
<span id="n" class="meta"></span></div>
<table class="index"><thead><tr><th>Regio</th><th>Soort</th><th>Code</th></tr></thead>
<tbody id="rows">{rows}</tbody></table></main>
<script>
(function () {{
  var q = document.getElementById('q'), t = document.getElementById('t');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#rows tr'));
  // like the app's region picker: accents and case do not matter, every word must occur in
  // the name, its everyday name ('Den Haag') or the code
  function fold(s) {{ return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }}
  function apply() {{
    var words = fold(q.value).split(/\\s+/).filter(Boolean), type = t.value, shown = 0;
    rows.forEach(function (r) {{
      var ok = (!type || r.dataset.type === type) && words.every(function (w) {{
        return r.dataset.search.indexOf(w) >= 0;
      }});
      r.style.display = ok ? '' : 'none'; shown += ok ? 1 : 0;
    }});
    document.getElementById('n').textContent = shown + ' van ' + rows.length;
  }}
  q.addEventListener('input', apply); t.addEventListener('change', apply); apply();
}})();
</script></body></html>
"""


def write_all(
    out: Path,
    *,
    data_dir: Path | None = None,
    jobs: int | None = None,
    codes: Iterable[str] | None = None,
    progress: Any = sys.stderr,
    choices: Choices = DEFAULT_CHOICES,
) -> list[Path]:
    """Every region's report, the shared assets once, and `index.html`; returns report paths.

    Reports are rendered by `jobs` worker processes (default: every core), each loading the
    store once. Shared data items and CSVs are written by the parent, each once.
    """
    store = load(data_dir)
    check_writable(out)
    wanted = list(codes) if codes is not None else store.regions["code"].to_list()
    for code in wanted:
        resolve_region(store, code)
    today = dt.date.today()
    atomic_write(out / ASSET_DIR / BUNDLE_NAME, vega_bundle().encode("utf-8"))
    started = time.perf_counter()
    paths = []
    # spawn, not fork: forking a process whose polars thread pool is running can deadlock
    with ProcessPoolExecutor(
        max_workers=jobs or os.cpu_count() or 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(str(store.data_dir), str(out), today.isoformat(), choices),
    ) as pool:
        for done, code in enumerate(pool.map(_render_one, wanted, chunksize=4), start=1):
            paths.append(out / f"{code}.html")
            if progress is not None:
                _progress(done, len(wanted), started, progress)
    if progress is not None:
        progress.write("\n")
    index = index_html(store, today, choices.include_simulated)
    atomic_write(out / "index.html", index.encode("utf-8"))
    return paths
