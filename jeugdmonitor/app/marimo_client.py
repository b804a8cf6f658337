"""A browser tab without a browser: drives a `marimo run` app through marimo's own protocol.

Used to warm up workers (`jeugdmonitor serve`), by the load benchmark (`bench/bench_load.py`) and
by the tests. The protocol, as the marimo frontend speaks it:

- `GET /` returns the page with the server token (`<marimo-server-token data-token=...>`);
- the websocket `/ws?session_id=…` starts (or resumes) the session and streams JSON messages
  (`kernel-ready`, `cell-op`, …) until `completed-run`;
- `POST /api/kernel/set_ui_element_value` with the headers `Marimo-Session-Id` and
  `Marimo-Server-Token` sets a UI element; the cells that depend on it run again and stream their
  outputs over the same websocket, again ending with `completed-run`.

Like a browser, a tab fetches the `./@file/…` URLs an output refers to (the chart templates, maps,
map tables and the chart runtime) once, accepting gzip, and counts the bytes received with the
render that needed them. Websocket messages are counted as text, before any permessage-deflate.
"""

from __future__ import annotations

import asyncio
import gzip
import html
import http.client
import http.cookiejar
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import websockets

_TOKEN = re.compile(r'<marimo-server-token data-token="([^"]*)"')
_PICKER = re.compile(r"<marimo-ui-element object-id='([^']+)'[^>]*><marimo-dropdown[^>]*>")
_OPTIONS = re.compile(r"data-options='([^']*)'")
_FILE = re.compile(r"@file/(\d+-[A-Za-z0-9._-]+)")
_OP = re.compile(r'"op":\s*"([a-z-]+)"')
_GZIP = {"Accept-Encoding": "gzip"}
_TAG = re.compile(r"<jm-app [^>]*data-tag='([A-Za-z0-9]*)'")


class ProtocolError(RuntimeError):
    """The server answered outside the protocol (HTTP error, closed socket, timeout)."""


@dataclass
class Render:
    """One run of cells as the tab saw it: a page load or one UI change."""

    seconds: float  # until the tab has what a browser needs: `completed-run` and the files
    ws_bytes: int  # UTF-8 bytes of the websocket messages (before any permessage-deflate)
    file_bytes: int = (
        0  # bytes received for `./@file/` URLs this render needed first (gzip if served so)
    )
    messages: int = 0
    errors: list[str] = field(default_factory=list)  # cells that ended in a marimo error
    texts: list[str] = field(default_factory=list)  # the cell-op messages, with `Tab(keep=True)`
    run_seconds: float = 0.0  # until `completed-run` only (the kernel is done, files not yet)


def _gunzip_text(body: bytes) -> str:
    """A published section file as text (gzipped; once more if the server gzipped it again)."""
    data = gzip.decompress(body)
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8")


class Tab:
    """One session of the app, as one browser tab opens it.

    `files` is the tab's browser cache of `@file` URLs; pass the same set to several tabs to model
    one browser (a user who reloads keeps the files). `headers` go with every request (e.g. basic
    auth); `query` is added to the page and websocket URLs (e.g. `{"access_token": ...}` for
    marimo's token, or `{"region": "GM0363"}`).
    """

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        files: set[str] | None = None,
        fetch_files: bool = True,
        timeout: float = 120.0,
        session_id: str | None = None,
        keep: bool = False,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.query = dict(query or {})
        self.files = files if files is not None else set()
        self.fetch_files = fetch_files
        self.timeout = timeout
        self.session_id = session_id or "s_" + secrets.token_hex(3)
        self.keep = keep
        self.server_token = ""
        self.picker_id = ""
        self.options: list[str] = []
        self.kernel_ready: dict[str, Any] = {}
        self.worker_tag = ""  # the app's published files are stored as jm<tag>-… (see transport)
        self._ws: Any = None
        # marimo's login (`?access_token=`) answers with a session cookie, as in a browser
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    # ------------------------------------------------------------------------------- http

    def _url(self, path: str, extra: Mapping[str, str] | None = None) -> str:
        params = {**self.query, **(extra or {})}
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return f"{self.base}{path}{query}"

    def _http(
        self, method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] = {}
    ) -> bytes:
        request = urllib.request.Request(
            url, data=body, method=method, headers={**self.headers, **headers}
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise ProtocolError(f"{method} {url}: HTTP {exc.code} {detail}") from exc
        except (OSError, http.client.HTTPException) as exc:  # e.g. a response cut short
            raise ProtocolError(f"{method} {url}: {exc!r}") from exc

    def _ws_headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        return {**self.headers, **({"Cookie": cookie} if cookie else {})}

    async def _fetch_new_files(self, texts: list[str]) -> int:
        """Fetch the `@file` URLs not yet in this tab's cache; their total size in bytes.

        A section's HTML is itself a published gzip file (`.bin`): its own files (chart
        templates, maps) are fetched next, as the browser does once it has unpacked it. With
        `keep`, the unpacked sections are added to `texts`.
        """
        if not self.fetch_files:
            return 0
        wanted: set[str] = set()
        for text in texts:
            wanted.update(_FILE.findall(text))

        async def get(name: str) -> tuple[str, bytes]:
            tagged = re.sub(r"^(\d+-jm)-", rf"\g<1>{self.worker_tag}-", name)
            # as a browser asks: compressed if the server can (nginx gzips JSON and JavaScript)
            url = f"{self.base}/@file/{tagged}"
            return name, await asyncio.to_thread(self._http, "GET", url, None, _GZIP)

        # like a browser, a few at a time
        limit = asyncio.Semaphore(6)

        async def limited(name: str) -> tuple[str, bytes]:
            async with limit:
                return await get(name)

        total = 0
        while new := sorted(wanted - self.files):
            self.files.update(new)
            wanted = set()
            for name, body in await asyncio.gather(*(limited(n) for n in new)):
                total += len(body)
                if name.endswith(".bin"):  # a section: its HTML refers to further files
                    inner = _gunzip_text(body)
                    wanted.update(_FILE.findall(inner))
                    if self.keep:
                        texts.append(inner)
        return total

    # ---------------------------------------------------------------------------- protocol

    async def open(self) -> Render:
        """Load the page, open the websocket and wait for the first run to complete."""
        t0 = time.perf_counter()
        page = (await asyncio.to_thread(self._http, "GET", self._url("/"))).decode("utf-8")
        match = _TOKEN.search(page)
        if not match:
            raise ProtocolError(f"GET {self.base}/: no server token in the page")
        self.server_token = match.group(1)
        ws_url = self._url("/ws", {"session_id": self.session_id}).replace("http", "ws", 1)
        try:
            self._ws = await websockets.connect(
                ws_url,
                additional_headers=self._ws_headers(),
                max_size=None,
                open_timeout=self.timeout,
                ping_interval=None,
            )
        except (OSError, websockets.exceptions.WebSocketException) as exc:
            raise ProtocolError(f"websocket {ws_url}: {exc}") from exc
        render, texts = await self._until_completed(t0)
        for text in texts:
            tag = _TAG.search(text)
            if tag:
                self.worker_tag = tag.group(1)
            picker = _PICKER.search(text)
            if picker:
                self.picker_id = picker.group(1)
                options = _OPTIONS.search(text[picker.start() :])
                if options:
                    self.options = json.loads(html.unescape(options.group(1)))
        render.file_bytes = await self._fetch_new_files(texts)
        render.seconds = time.perf_counter() - t0
        return render

    async def set_value(self, object_id: str, value: Any) -> Render:
        """Set a UI element (as a user would) and wait until the cells have run again."""
        t0 = time.perf_counter()
        body = json.dumps({"objectIds": [object_id], "values": [value]}).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Marimo-Session-Id": self.session_id,
            "Marimo-Server-Token": self.server_token,
        }
        url = self._url("/api/kernel/set_ui_element_value")
        await asyncio.to_thread(self._http, "POST", url, body, headers)
        render, texts = await self._until_completed(t0)
        render.run_seconds = time.perf_counter() - t0
        render.file_bytes = await self._fetch_new_files(texts)
        render.seconds = time.perf_counter() - t0
        return render

    async def choose(self, label: str) -> Render:
        """Pick a region in the dropdown by its label, or by the label's start up to its code
        ('Gemeente · Amsterdam' for 'Gemeente · Amsterdam · GM0363')."""
        if not self.picker_id:
            raise ProtocolError("no region dropdown found in the page")
        return await self.set_value(self.picker_id, [self.option(label)])

    def option(self, label: str) -> str:
        """The dropdown option `label` names: itself, or the one option that starts with it."""
        if label in self.options or not self.options:
            return label
        found = [o for o in self.options if o.startswith(label + " ")]
        if len(found) != 1:
            raise ProtocolError(f"{label!r} matches {len(found)} options of the dropdown")
        return found[0]

    async def _until_completed(self, t0: float) -> tuple[Render, list[str]]:
        render = Render(seconds=0.0, ws_bytes=0)
        texts: list[str] = []
        deadline = t0 + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ProtocolError(f"no completed-run within {self.timeout:.0f} s")
            try:
                message = await asyncio.wait_for(self._ws.recv(), remaining)
            except TimeoutError as exc:
                raise ProtocolError(f"no completed-run within {self.timeout:.0f} s") from exc
            except websockets.exceptions.ConnectionClosed as exc:
                raise ProtocolError(f"websocket closed: {exc}") from exc
            text = message if isinstance(message, str) else message.decode("utf-8")
            render.ws_bytes += len(text.encode("utf-8"))
            render.messages += 1
            op = _OP.search(text[:80])
            kind = op.group(1) if op else ""
            if kind == "kernel-ready":
                self.kernel_ready = json.loads(text).get("data", {})
            elif kind == "cell-op":
                texts.append(text)
                if '"marimo-error"' in text:
                    render.errors.append(text[:300])
            elif kind == "completed-run":
                if self.keep:
                    render.texts = texts
                return render, texts

    async def is_alive(self) -> bool:
        """Reconnect to this tab's session id: True when the server still held the session
        (marimo answers `reconnected`), False when it had freed it (a new session starts with
        `kernel-ready`). Closes the websocket again."""
        ws_url = self._url("/ws", {"session_id": self.session_id}).replace("http", "ws", 1)
        async with websockets.connect(
            ws_url, additional_headers=self._ws_headers(), max_size=None, ping_interval=None
        ) as ws:
            deadline = time.perf_counter() + self.timeout
            while time.perf_counter() < deadline:
                text = await asyncio.wait_for(ws.recv(), self.timeout)
                text = text if isinstance(text, str) else text.decode("utf-8")
                op = _OP.search(text[:80])
                if op and op.group(1) == "reconnected":  # the session still existed
                    return True
                if op and op.group(1) == "kernel-ready":  # a new session (resumed from disk?)
                    return bool(json.loads(text).get("data", {}).get("resumed"))
        raise ProtocolError("neither reconnected nor kernel-ready on reconnect")

    async def close(self) -> None:
        """Close the websocket, as closing the tab does (the session lives on for the TTL)."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None


async def warm_up(base_url: str, labels: Iterable[str], **tab_options: Any) -> list[Render]:
    """Open one session, choose each region label in turn, close: fills the server's caches."""
    tab = Tab(base_url, **tab_options)
    renders = [await tab.open()]
    try:
        for label in labels:
            renders.append(await tab.choose(label))
    finally:
        await tab.close()
    return renders
