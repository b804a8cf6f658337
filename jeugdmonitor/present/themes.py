"""The NJi themes the sections are grouped under, and each theme's further reading.

The app's navigation and the report's table of contents both come from here, so they match.
`THEMES` lists the section keys of each theme in page order; a registered section that no theme
names joins the theme of the section before it, so a new section slots in without a change here.
The "Relevant onderzoek" and "Relevante links" of a theme (from the NJi pages) are read from
`reference/links.csv` (title and address per link; the note says where the address comes from).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Link:
    """One item of further reading: Dutch title and its web address."""

    title: str
    url: str


@dataclass(frozen=True)
class Theme:
    """A group of sections with its own heading, anchor and further reading."""

    key: str
    title: str
    sections: tuple[str, ...]
    research: tuple[Link, ...] = field(default=())  # "Relevant onderzoek"
    links: tuple[Link, ...] = field(default=())  # "Relevante links"

    @property
    def anchor(self) -> str:
        """The HTML id of the theme heading (section ids are the section keys)."""
        return f"thema-{self.key}"


# (key, title, section keys in page order): the NJi themes of the Monitor aansluiting onderwijs
# en jeugdhulp. "wijken" is filled by the Wijken section once it is registered.
_THEMES = (
    ("kort", "Wat valt op", ("wat_valt_op",)),  # one section: the theme's heading serves
    (
        "jeugd",
        "Hoe zorgt u voor de jeugd?",
        (
            "inleiding",
            "samenstelling",
            "problematiek",
            "jeugdzorg",
            "onderwijssoort",
            "speciaal_onderwijs",
        ),
    ),
    ("signaleren", "Eerder signaleren", ("eerder_signaleren",)),
    ("verwacht", "Verwacht en werkelijk", ("verwacht",)),
    ("wijken", "Wijken", ("wijken",)),
    ("verantwoording", "Bronnen en verantwoording", ("verantwoording",)),
)


@functools.cache
def _links() -> dict[tuple[str, str], tuple[Link, ...]]:
    """(theme, kind) → links, from the reviewed reference file."""
    text = resources.files("jeugdmonitor").joinpath("reference/links.csv").read_text("utf-8")
    out: dict[tuple[str, str], list[Link]] = {}
    for row in csv.DictReader(text.splitlines()):
        out.setdefault((row["theme"], row["kind"]), []).append(Link(row["title"], row["url"]))
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def themes() -> tuple[Theme, ...]:
    """Every theme in page order, with its further reading."""
    links = _links()
    return tuple(
        Theme(key, title, keys, links.get((key, "onderzoek"), ()), links.get((key, "link"), ()))
        for key, title, keys in _THEMES
    )


def grouped(sections: Mapping[str, T]) -> list[tuple[Theme, list[tuple[str, T]]]]:
    """The sections (key → item, in page order) under their themes; empty themes left out.

    A key that no theme lists joins the theme of the key before it (the first theme when it
    comes first), so the order of `sections` is kept.
    """
    home = {key: theme for theme in themes() for key in theme.sections}
    groups: dict[str, tuple[Theme, list[tuple[str, T]]]] = {}
    current = themes()[0]
    for key, item in sections.items():
        current = home.get(key, current)
        groups.setdefault(current.key, (current, []))[1].append((key, item))
    return list(groups.values())
