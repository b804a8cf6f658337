"""How the app's charts and sections reach the browser: templates once, the rest packed small.

A region change used to send every chart as a complete Vega-Lite spec inside the cell HTML
(about 610 KB per change). In `marimo run` the app now sends:

- each chart as `<jm-chart data-t="TEMPLATE_URL" data-p="DATA">`: the template (compiled once per
  process by `charts`) by URL, and only this render's data, `Spec.payload_json()` (datasets,
  slot fillers, description);
- each section as one `<jm-html data-z="PACKED">`: gzip + base64 of its whole HTML (markdown,
  charts, tables), made once per region (`ui.RegionView`), plus this session's download
  buttons, packed too, which the browser puts in their places;
- chart templates, TopoJSON maps and region-independent map tables as *published* files: marimo
  virtual files named by a hash of their content (`./@file/<bytes>-jm<tag>-<sha1>.<ext>`),
  stored once per process and never tied to a session, so closing one tab never removes a file
  another tab uses. The browser fetches each once and keeps it (`max-age`). Behind
  `jeugdmonitor serve`, `<tag>` names the worker that stored the file, and nginx sends the GET
  (which carries no session id) to that worker;
- once per page, the browser runtime: the Vega, Vega-Lite and vega-embed bundle from vl-convert
  plus `static/app.js`, which defines those elements and turns a click on a region (map,
  benchmark strip) into a choice in the region dropdown.

Where marimo has no virtual files (`marimo export html`, `python monitor.py`, plain Python)
`available()` is False and the app inlines everything as before.
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
import threading
from importlib import resources
from typing import Any

from jeugdmonitor import charts

PUBLISHED_LIMIT = 64 * 2**20  # bytes of published files kept per process (least recent go first)


class _Published:
    """Content-addressed files in marimo's virtual file storage, bounded by total size."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sizes: collections.OrderedDict[str, int] = collections.OrderedDict()
        self.lock = threading.Lock()

    def url(self, data: bytes, ext: str) -> str | None:
        ctx = _context()
        if ctx is None:
            return None
        from marimo._runtime.virtual_file import VirtualFile
        from marimo._runtime.virtual_file.storage import InMemoryStorage

        digest = hashlib.sha1(data).hexdigest()[:20]
        registry = ctx.virtual_file_registry
        storage = registry.storage
        if not isinstance(storage, InMemoryStorage):
            # `marimo edit`: the kernel is its own process and stores files in shared memory;
            # register them with the session, which removes them when it ends
            vfile = VirtualFile(filename=f"jm{os.getpid()}-{digest}.{ext}", buffer=data)
            registry.add(vfile, ctx)
            return vfile.url
        name = f"jm{_worker_tag()}-{digest}.{ext}"
        with self.lock:
            if name in self.sizes:
                self.sizes.move_to_end(name)
            else:
                # in the process-wide storage, outside every session's registry: closing a
                # session never removes a file another session (or a browser cache) refers to
                storage.store(name, data)
                self.sizes[name] = len(data)
                while sum(self.sizes.values()) > self.limit and len(self.sizes) > 1:
                    old, _ = self.sizes.popitem(last=False)
                    storage.remove(old)
        return f"./@file/{len(data)}-{name}"


_PUBLISHED = _Published(PUBLISHED_LIMIT)
WORKER_TAG_ENV = "JEUGDMONITOR_WORKER_TAG"


def _worker_tag() -> str:
    """This worker's tag in published file names (set by `jeugdmonitor serve`; nginx routes
    `/@file/<bytes>-jm<tag>-…` to the worker that stored the file), else empty."""
    tag = os.environ.get(WORKER_TAG_ENV, "")
    return tag if tag.isalnum() and len(tag) <= 16 else ""


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
    """True inside a marimo app that can serve virtual files (`marimo run` / `marimo edit`)."""
    return _context() is not None


def publish(data: bytes, ext: str) -> str | None:
    """A URL for `data` (a published, content-addressed virtual file); None outside an app."""
    return _PUBLISHED.url(data, ext)


def packed(text: str, level: int = 6) -> str:
    """gzip + base64 of a text (the browser unpacks it with `DecompressionStream`).

    Level 6 for what is packed once and cached; per session and change, level 1 is 3× faster."""
    data = gzip.compress(text.encode("utf-8"), compresslevel=level, mtime=0)
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


def html_element(packed_html: str, parts: list[str] | None = None) -> str:
    """`<jm-html>`: HTML sent packed (`packed(text)`); the browser runtime unpacks it, puts
    `parts[i]` where the text has `<!--jm-part-i-->`, and shows it."""
    extra = f" data-parts='{packed(json.dumps(parts), level=1)}'" if parts else ""
    return f"<jm-html data-z='{packed_html}'{extra}></jm-html>"


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

    def geo(self, level: str, text: Any) -> dict[str, Any]:
        """The level's TopoJSON by URL (inline when virtual files are unavailable)."""
        url = self._url(("geo", level), text)
        return charts.topojson_url(url, level) if url else super().geo(level, text)

    def table(self, key: Any, text: Any) -> dict[str, Any] | str:
        """A region-independent table by URL (inline JSON when virtual files are unavailable)."""
        url = self._url(("table", key), text)
        return {"url": url, "format": {"type": "json"}} if url else super().table(key, text)


# ---------------------------------------------------------------------------------- runtime


@functools.cache
def runtime_js() -> bytes:
    """The browser runtime: vl-convert's Vega/Vega-Lite/vega-embed bundle, then `app.js`."""
    from jeugdmonitor.report import vega_bundle

    app = resources.files("jeugdmonitor").joinpath("static/app.js").read_text(encoding="utf-8")
    return (vega_bundle() + "\n;\n" + app).encode("utf-8")


def runtime_html(regions: dict[str, str]) -> str:
    """Once per page: the runtime's `<script>` and `<jm-app>` with the code → dropdown label
    table for click-to-select. Empty outside an app (charts are then inlined)."""
    url = publish(runtime_js(), "js")
    if url is None:
        return ""
    labels = publish(json.dumps(regions, ensure_ascii=False).encode("utf-8"), "json")
    return f"<script src='{url}'></script><jm-app data-regions='{labels}' hidden></jm-app>"
