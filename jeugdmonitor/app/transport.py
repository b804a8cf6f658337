"""How the app's charts and sections reach the browser: templates once, the rest packed small.

A region change used to send every chart as a complete Vega-Lite spec inside the cell HTML
(about 610 KB per change). In `marimo run` the app now sends:

- each chart as `<jm-chart data-t="TEMPLATE_URL" data-p="DATA">`: the template (compiled once per
  process by `charts`) by URL, and only this render's data, `Spec.payload_json()` (datasets,
  slot fillers, description);
- each section as one `<jm-html data-u="URL">`: its whole HTML (markdown, charts, tables; a
  table behind its toggle as an inert `<template>`, built when opened: `lazy_tables`),
  gzipped once per region (`ui.RegionView`) into a published binary file that the browser
  fetches and unpacks (no base64 in the websocket: a quarter less to send), plus this session's
  download buttons, packed (gzip + base64) in the element, which the browser puts in place;
- chart templates, TopoJSON maps and region-independent map tables as *published* files: marimo
  virtual files named by a hash of their content (`./@file/<bytes>-jm-<sha1>.<ext>`), stored
  once per process and never tied to a session, so closing one tab never removes a file
  another tab uses. The browser fetches each once and keeps it (`max-age`). Behind
  `jeugdmonitor serve` the runtime adds the tag of the page's worker to the name, and nginx
  sends the GET (which carries no session id) to that worker;
- once per page, the browser runtime: the Vega, Vega-Lite and vega-embed bundle from vl-convert
  plus `static/app.js`, which defines those elements and turns a click on a region (map,
  benchmark strip) into a choice in the region dropdown.

Where marimo has no virtual files (`marimo export html`, `python monitor.py`, plain Python)
`available()` is False and the app inlines everything as before. `viewstore` precomputes the
packed sections of every region in a separate process, for all workers of a machine.
"""

from __future__ import annotations

import base64
import collections
import functools
import gzip
import hashlib
import html
import json
import os
import re
import threading
from importlib import resources
from typing import Any

from jeugdmonitor.app import viewstore
from jeugdmonitor.present import charts

PUBLISHED_LIMIT = 64 * 2**20  # bytes of published files kept per process (least recent go first)
WORKER_TAG_ENV = "JEUGDMONITOR_WORKER_TAG"
_FILE_NAME = re.compile(r"@file/\d+-(jm-[0-9a-f]{20}\.[a-z]+)")
_FILE_URL = re.compile(r"\./@file/\d+-jm-[0-9a-f]{20}\.[a-z]+")


def _worker_tag() -> str:
    """This worker's tag (set by `jeugdmonitor serve`), else empty."""
    tag = os.environ.get(WORKER_TAG_ENV, "")
    return tag if tag.isalnum() and len(tag) <= 16 else ""


class _Published:
    """Content-addressed files in marimo's virtual file storage, bounded by total size.

    A file `jm-<sha1>.<ext>` is stored as `jm<tag>-<sha1>.<ext>`: the page refers to it without
    the tag, and the browser runtime adds the tag of the worker that holds the page's session
    (`<jm-app data-tag>`), so nginx can send the GET (which carries no session id) there. Under
    `marimo edit` (shared memory, one kernel process per session) the tag is the process id.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sizes: collections.OrderedDict[str, int] = collections.OrderedDict()
        self.lock = threading.Lock()
        self.offline: Any | None = None  # a `viewstore.ViewStore` when precomputing views

    def tag(self) -> str:
        ctx = _context()
        if ctx is not None and not _in_memory(ctx):
            return str(os.getpid())
        return _worker_tag()

    def url(self, data: bytes, ext: str) -> str | None:
        """The page's (untagged) URL of `data`, stored in this process; None outside an app."""
        name = f"jm-{hashlib.sha1(data).hexdigest()[:20]}.{ext}"
        if self.offline is not None:  # precomputing: into the shared folder only
            self.offline.write_file(name, data)
            return f"./@file/{len(data)}-{name}"
        ctx = _context()
        if ctx is None:
            return None
        self._store(ctx, name, data)
        if viewstore.shared() is not None:  # other workers may show views that use it
            viewstore.shared().write_file(name, data)
        return f"./@file/{len(data)}-{name}"

    def _store(self, ctx: Any, name: str, data: bytes) -> None:
        stored = name.replace("jm-", f"jm{self.tag()}-", 1)
        if not _in_memory(ctx):
            # `marimo edit`: the kernel is its own process and stores files in shared memory;
            # register them with the session, which removes them when it ends
            from marimo._runtime.virtual_file import VirtualFile

            ctx.virtual_file_registry.add(VirtualFile(filename=stored, buffer=data), ctx)
            return
        storage = ctx.virtual_file_registry.storage
        with self.lock:
            if stored in self.sizes:
                self.sizes.move_to_end(stored)
                return
            # in the process-wide storage, outside every session's registry: closing a session
            # never removes a file another session (or a browser cache) refers to
            storage.store(stored, data)
            self.sizes[stored] = len(data)
            while sum(self.sizes.values()) > self.limit and len(self.sizes) > 1:
                old, _ = self.sizes.popitem(last=False)
                storage.remove(old)

    def ensure(self, names: list[str], read: Any) -> bool:
        """Store the files `names` (untagged) from `read(name) -> bytes | None` if missing;
        False when one cannot be read."""
        ctx = _context()
        if ctx is None:
            return False
        for name in names:
            stored = name.replace("jm-", f"jm{self.tag()}-", 1)
            with self.lock:
                have = stored in self.sizes
            if not have or not _in_memory(ctx):
                data = read(name)
                if data is None:
                    return False
                self._store(ctx, name, data)
        return True


def _in_memory(ctx: Any) -> bool:
    from marimo._runtime.virtual_file.storage import InMemoryStorage

    return isinstance(ctx.virtual_file_registry.storage, InMemoryStorage)


_PUBLISHED = _Published(PUBLISHED_LIMIT)


def _context() -> Any | None:
    """marimo's runtime context when it can serve virtual files, else None."""
    try:
        from marimo._runtime.context import ContextNotInitializedError, get_context
    except ImportError:  # pragma: no cover - marimo is a dependency
        return None
    try:
        ctx = get_context()
    except ContextNotInitializedError:
        return None
    return ctx if ctx.virtual_files_supported else None


def available() -> bool:
    """True where charts can be published: a marimo app with virtual files (`marimo run`,
    `marimo edit`), or a process that precomputes views for one (`viewstore`)."""
    return _PUBLISHED.offline is not None or _context() is not None


def publish(data: bytes, ext: str) -> str | None:
    """The page's URL for `data` (a published, content-addressed file); None outside an app."""
    return _PUBLISHED.url(data, ext)


def published_urls(text: str) -> list[str]:
    """The (untagged) URLs of the published files a piece of HTML refers to."""
    return sorted(set(_FILE_URL.findall(text)))


def published_names(text: str) -> list[str]:
    """The published files a piece of HTML refers to (untagged names)."""
    return sorted(set(_FILE_NAME.findall(text)))


def ensure_published(names: list[str], read: Any) -> bool:
    """Make sure this process serves these files (read from a `viewstore`); False if one is
    missing there."""
    return _PUBLISHED.ensure(names, read)


def packed(text: str) -> str:
    """gzip + base64 of a text (the browser unpacks it with `DecompressionStream`): a session's
    download buttons, made per change, so level 1 (3× faster than 6)."""
    data = gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)
    return base64.b64encode(data).decode("ascii")


# --------------------------------------------------------------------------------- elements


def chart_element(spec: charts.Spec) -> str | None:
    """`<jm-chart>`: the chart's template by URL plus this render's data (`Spec.payload_json`);
    None outside an app. Sections carrying these are packed as a whole (`html_element`)."""
    url = publish(spec.template.encode("utf-8"), "json")
    if url is None:
        return None
    payload = html.escape(spec.payload_json(), quote=True)
    return f"<jm-chart data-t='{url}' data-p='{payload}'></jm-chart>"


def publish_html(text: str) -> str | None:
    """The URL of `text` gzipped as a published binary file (`html_element`); None outside an
    app. Made once per region and section, so the strongest compression pays."""
    return publish(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0), "bin")


_TABLE_DETAILS = re.compile(
    r"(<details class='jm-details'><summary>[^<]*</summary>)(.*?)(</details>)", re.S
)


def lazy_tables(text: str) -> str:
    """The tables behind their toggles (`markup.table_details`) as inert `<template>`s, which
    the browser runtime turns into the table when the toggle is first opened: half of a
    gemeente page's elements are in those tables, and each element costs the browser time on
    every region change, while few tables are ever opened. Only for the runtime's sections."""
    return _TABLE_DETAILS.sub(r"\1<template class='jm-lazy'>\2</template>\3", text)


def html_element(url: str, parts: list[str] | None = None) -> str:
    """`<jm-html>`: HTML published gzipped at `url` (`publish_html`); the browser runtime
    fetches and unpacks it, puts `parts[i]` where it has `<!--jm-part-i-->`, and shows it."""
    extra = f" data-parts='{packed(json.dumps(parts))}'" if parts else ""
    return f"<jm-html data-u='{url}'{extra}></jm-html>"


class AppAssets(charts.Assets):
    """TopoJSON and map tables as published files, so a region change never resends them.

    Outside an app (no virtual files) they are inlined, as `charts.Assets` does.
    """

    def __init__(self) -> None:
        self._urls: dict[Any, str] = {}
        self._lock = threading.Lock()

    def _url(self, key: Any, text: Any) -> str | None:
        with self._lock:
            url = self._urls.get(key)
            if url is None:
                url = publish(text().encode("utf-8"), "json")
                if url is not None:  # outside an app nothing is kept: inline every time
                    self._urls[key] = url
            return url

    def geo(self, level: str, text: Any, feature: str | None = None) -> dict[str, Any]:
        """The level's TopoJSON by URL (inline when virtual files are unavailable)."""
        url = self._url(("geo", level), text)
        if url:
            return charts.topojson_url(url, feature or level)
        return super().geo(level, text, feature)

    def table(self, key: Any, text: Any) -> dict[str, Any] | str:
        """A region-independent table by URL (inline JSON when virtual files are unavailable)."""
        url = self._url(("table", key), text)
        return {"url": url, "format": {"type": "json"}} if url else super().table(key, text)


# ---------------------------------------------------------------------------------- runtime


@functools.cache
def runtime_js() -> bytes:
    """The browser runtime: vl-convert's Vega/Vega-Lite/vega-embed bundle, then `app.js` and
    `links.js`."""
    from jeugdmonitor.present.report import vega_bundle

    static = resources.files("jeugdmonitor").joinpath("static")
    app = static.joinpath("app.js").read_text(encoding="utf-8")
    links = static.joinpath("links.js").read_text(encoding="utf-8")  # in-page links, wijk choice
    return (vega_bundle() + "\n;\n" + app + "\n;\n" + links).encode("utf-8")


def runtime_html(regions: dict[str, str], prefetch: list[str] = ()) -> str:
    """Once per page: the runtime's `<script>` and `<jm-app>` (this worker's tag for published
    file URLs; the code → dropdown label table for click-to-select; the `prefetch` URLs, which
    the browser fetches while idle). Empty outside an app."""
    url = publish(runtime_js(), "js")
    if url is None:
        return ""
    tag = _PUBLISHED.tag()
    script = url.replace("-jm-", f"-jm{tag}-", 1)  # the browser loads this one as it is
    labels = publish(json.dumps(regions, ensure_ascii=False).encode("utf-8"), "json")
    return (
        f"<script src='{script}'></script>"
        f"<jm-app data-regions='{labels}' data-tag='{tag}' "
        f"data-prefetch='{html.escape(' '.join(prefetch), quote=True)}' hidden></jm-app>"
    )
