"""The app's "Rapport downloaden" button: the same file as `jeugdmonitor report`, on demand.

A click builds the single-file report of the region and choices on the page (the HTML that
`jeugdmonitor report --region CODE [--compare …]` writes, with the region's CSVs packed in it),
so it opens offline, prints on A4 and can be mailed. Reports are built only when asked for and
the last REPORTS_KEPT are kept (per store, region, choices and day: the report is dated).
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from typing import Any

import marimo as mo

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices

LABEL = "Rapport downloaden (HTML, printbaar)"
REPORTS_KEPT = 8  # a gemeente's report is about 1 MB


class _Reports:
    """A bounded LRU of report bytes, shared by the sessions of the process."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Any, tuple[weakref.ref[Store], bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0

    def get(self, store: Store, region: Region | None, choices: Choices) -> bytes:
        from jeugdmonitor.data.regions import NL_CODE, get_region
        from jeugdmonitor.present import report

        region = region or get_region(store, NL_CODE)  # the overview is Nederland's report
        today = dt.date.today()
        key = (id(store), region.code if region else None, choices, today)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0]() is store:
                self._entries.move_to_end(key)
                return found[1]
        doc, _, _ = report.render(store, region, choices=choices, generated=today)
        data = doc.encode("utf-8")
        with self._lock:
            self.builds += 1
            self._entries[key] = (weakref.ref(store), data)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return data


_REPORTS = _Reports(REPORTS_KEPT)


def report_bytes(store: Store, region: Region | None, choices: Choices = DEFAULT_CHOICES) -> bytes:
    """The report of a region as `jeugdmonitor report` writes it (cached, see the module)."""
    return _REPORTS.get(store, region, choices)


def file_name(region: Region | None) -> str:
    """The downloaded file's name: the region code, like `jeugdmonitor report` writes it."""
    return f"{region.code if region else 'NL01'}.html"


def download_button(
    store: Store, region: Region | None, choices: Choices = DEFAULT_CHOICES
) -> mo.Html:
    """The button; the report is built when it is clicked, not before."""
    return mo.download(
        data=lambda: report_bytes(store, region, choices),
        filename=file_name(region),
        mimetype="text/html",
        label=LABEL,
    )
