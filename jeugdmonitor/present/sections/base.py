"""The shape every section and figure has, so the app and the static report render the same thing.

A section function takes the store and a region (None = "geen regio gekozen", shown as the NL
overview) and returns a `Section`. It never reads files and never touches marimo or HTML: the app
(`monitor.py` via `jeugdmonitor.app.ui`) and the report (`jeugdmonitor.present.report`) only lay it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Figure:
    """One figure: a chart plus everything shown around it (all texts in Dutch)."""

    key: str  # stable id, e.g. "jeugdzorg_leeftijd"; also used for file names and test ids
    title: str  # plain text (names as they are): the front ends escape it
    explanation: str  # markdown, one to three sentences (names escaped with `md_escape`)
    source: str  # the "Bron en jaar" line shown under the figure (plain text)
    # a Vega-Lite chart built by `jeugdmonitor.present.charts` (a `charts.Spec`: to_dict / to_json /
    # to_altair; displays itself in marimo), or None when the figure is text/table only
    chart: Any | None
    table: pl.DataFrame  # text alternative: counts and percentages, CI, significance; suppressed
    download: pl.DataFrame | None = None  # the indicator for all regions of the level; suppressed
    download_name: str = ""  # file name for the CSV download, e.g. "jeugdzorg_gemeenten_2024.csv"
    download_label: str = "alle regio's"  # what the CSV holds, shown on the download button
    simulated: bool = False  # True when any value shown is simulated
    badge: str = ""  # what the values are, after the title: 'gesimuleerd' or e.g. 'CBS, 2022'
    summary: str = ""  # markdown: the region's count, percentage, interval and verdict vs NL
    layout: str = "full"  # "full" or "half": two consecutive halves may be shown side by side
    # region codes, one per table row: the first column links to that region's page
    links: tuple[str, ...] = ()
    # a chart with a row per item and many items (Amsterdam's 107 wijken): print may give it a
    # whole page so its labels stay readable (other charts take at most a third)
    tall: bool = False
    # False: print leaves the table out (an import template): the figure's text says where it is
    print_table: bool = True


@dataclass(frozen=True)
class Section:
    """A titled group of figures with its introduction and closing text."""

    key: str
    title: str
    intro: str  # markdown
    figures: list[Figure] = field(default_factory=list)
    outro: str = ""  # markdown, e.g. "Wat kan ik met de cijfers uit mijn regio?"

    @property
    def simulated(self) -> bool:
        """True when any figure in the section shows simulated values."""
        return any(f.simulated for f in self.figures)


@dataclass(frozen=True)
class Choices:
    """What the user chose besides the region; every section builder receives it.

    `include_simulated`: show simulated example figures too (off by default: only real
    figures). `compare`: gemeente codes the user picked to compare with (at most 10); empty
    means the computed comparable gemeenten. The same choices give the same page, so `key` is
    part of every cache and view-store key.
    """

    include_simulated: bool = False
    compare: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """A short stable text for cache keys and file names ('' for the defaults)."""
        if self == DEFAULT_CHOICES:
            return ""
        parts = ["sim" if self.include_simulated else "real", *self.compare]
        return "-".join(parts)


DEFAULT_CHOICES = Choices()

SectionBuilder = Callable[..., Section]
"""`builder(store, region, *, assets=None, choices=DEFAULT_CHOICES) -> Section`; region None
means "geen regio gekozen".

`assets` (`charts.Assets`) decides where big region-independent chart data lives: None inlines
the TopoJSON and map tables, which suits static files; the app serves them by URL instead.
"""
