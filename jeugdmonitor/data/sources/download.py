"""HTTP GET with clear errors, shared by the CBS and map importers (stdlib only, no new dependency)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

USER_AGENT = "jeugdmonitor/0.1 (open data import)"
TIMEOUT_S = 120


class DownloadError(ValueError):
    """A download failed or returned something we cannot use; the message names the URL."""


def http_get(url: str, timeout: float = TIMEOUT_S) -> bytes:
    """The body of a GET request; raises DownloadError naming the URL and the HTTP status."""
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"GET {url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise DownloadError(f"GET {url}: cannot connect ({exc.reason})") from exc
    except (TimeoutError, OSError) as exc:
        raise DownloadError(f"GET {url}: {exc}") from exc


def parse_json(body: bytes, where: str) -> Any:
    """Parse a JSON body; a cut-off or garbled body becomes a DownloadError naming `where`."""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DownloadError(f"{where}: response is not UTF-8 text ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DownloadError(
            f"{where}: response is not valid JSON ({exc}); the download may have been cut off"
        ) from exc
