"""Where CBS rows come from: the live OData v3 feed (with its catalogue) or a mirror folder.

The feed pages through `odata.nextLink` and can save what it got as a mirror; a mirror is laid out
as `catalog/Tables.json` (the catalogue's table list) beside `cbs/<table>/<endpoint>.json`, each the
OData JSON with a `value` list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urljoin, urlsplit

from jeugdmonitor.data.files import atomic_write
from jeugdmonitor.data.sources import cbs_catalog as cat
from jeugdmonitor.data.sources.cbs_mapping import CbsError
from jeugdmonitor.data.sources.download import TIMEOUT_S, http_get, parse_json

DEFAULT_BASE_URL = "https://opendata.cbs.nl/ODataFeed/odata"
CATALOG_PATH = "/ODataCatalog/Tables"  # on the feed's host
CATALOG_FILE = Path("catalog") / "Tables.json"  # in a mirror
MAX_PAGES = 100_000
Progress = Callable[[str], None]


# ----------------------------------------------------------------------------------- sources


class ODataSource(Protocol):
    """Where rows come from: the live OData feed or a mirror folder."""

    def rows(self, table: str, endpoint: str, query: dict[str, str]) -> list[dict[str, Any]]: ...

    def catalog(self) -> list[dict[str, Any]]: ...

    @property
    def catalog_where(self) -> str: ...


def _values(doc: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise CbsError(f"{where}: no 'value' list, so not a CBS OData v3 response")
    return doc["value"]


def catalog_url(base_url: str) -> str:
    """The catalogue beside a feed: https://opendata.cbs.nl/ODataFeed/odata → …/ODataCatalog/Tables."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}{CATALOG_PATH}"


@dataclass
class HttpOData:
    """The live OData v3 feed; follows `odata.nextLink`; optionally saves what it got as a mirror."""

    base_url: str = DEFAULT_BASE_URL
    save_to: Path | None = None
    progress: Progress = print
    timeout: float = TIMEOUT_S
    catalog_url: str = ""  # default: `catalog_url(base_url)`

    @property
    def catalog_where(self) -> str:
        return self.catalog_url or catalog_url(self.base_url)

    def _all_pages(self, url: str | None, label: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise CbsError(f"GET {url}: odata.nextLink repeats a page; stopping")
            seen.add(url)
            doc = parse_json(http_get(url, self.timeout), f"GET {url}")
            out.extend(_values(doc, f"GET {url}"))
            if label:
                self.progress(f"    {label}: page {len(seen)}, {len(out)} rows so far")
            nxt = doc.get("odata.nextLink")
            url = urljoin(url, nxt) if nxt else None
        return out

    def _save(self, relative: Path, rows: list[dict[str, Any]]) -> None:
        if self.save_to is not None:
            atomic_write(
                Path(self.save_to) / relative,
                json.dumps({"value": rows}, ensure_ascii=False).encode("utf-8"),
            )

    def rows(self, table: str, endpoint: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """All rows of one endpoint, over every page."""
        params = urlencode({**query, "$format": "json"}, quote_via=quote, safe="$,'()")
        url = f"{self.base_url.rstrip('/')}/{table}/{endpoint}?{params}"
        label = f"{table}/{endpoint}" if endpoint == "TypedDataSet" else ""
        out = self._all_pages(url, label)
        self._save(Path("cbs") / table / f"{endpoint}.json", out)
        return out

    def catalog(self) -> list[dict[str, Any]]:
        """The catalogue's table list (only the fields `fetch` reads)."""
        params = urlencode(
            {"$select": ",".join(cat.CATALOG_FIELDS), "$format": "json"}, quote_via=quote, safe="$,"
        )
        out = self._all_pages(f"{self.catalog_where}?{params}", "")
        self._save(CATALOG_FILE, out)
        return out


@dataclass
class MirrorOData:
    """A folder laid out like the downloads: `catalog/Tables.json` and `cbs/<table>/<endpoint>.json`,
    each the OData JSON with a `value` list."""

    root: Path
    progress: Progress = print

    @property
    def catalog_where(self) -> str:
        return str(Path(self.root) / CATALOG_FILE)

    def _read(self, relative: Path, what: str) -> list[dict[str, Any]]:
        path = Path(self.root) / relative
        if not path.is_file():
            raise CbsError(f"mirror {self.root}: no file {relative.as_posix()}{what}")
        return _values(parse_json(path.read_bytes(), str(path)), str(path))

    def rows(self, table: str, endpoint: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """The stored rows (the query is applied locally by the caller)."""
        rows = self._read(Path("cbs") / table / f"{endpoint}.json", "")
        if endpoint == "TypedDataSet":
            self.progress(f"    {table}/{endpoint}: {len(rows)} rows from {self.root}")
        return rows

    def catalog(self) -> list[dict[str, Any]]:
        """The stored catalogue."""
        return self._read(
            CATALOG_FILE,
            " (the CBS catalogue's table list; `fetch --save-mirror` writes it)",
        )
