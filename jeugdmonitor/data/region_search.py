"""Region names as people search for them: without accents, by code, by their everyday name.

marimo's searchable dropdown matches the words of a query against the option's label (every word
must occur in it, case-insensitively), so the label itself carries what people type: its
everyday name from `reference/region_aliases.csv` ("'s-Gravenhage (Den Haag)"), the region code
and, for a name with accents, its ASCII form ('sudwest-fryslan'). That ASCII form is for search
only: it follows an invisible separator (`SEARCH_ONLY`), and the page shows the label up to it
(`static/head.html`), so the reader sees 'Súdwest-Fryslân' once. The report index searches the
same text (`search_text`), folding the query the same way in the browser.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from importlib import resources

from jeugdmonitor.data.region_types import TYPE_LABELS


def fold(text: str) -> str:
    """Text without accents ('Súdwest-Fryslân' → 'Sudwest-Fryslan'), case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def aliases() -> tuple[tuple[str, str], ...]:
    """(a word of an official name, everyday name), from the reviewed reference file."""
    text = (
        resources.files("jeugdmonitor").joinpath("reference/region_aliases.csv").read_text("utf-8")
    )
    return tuple((row["name"], row["alias"]) for row in csv.DictReader(text.splitlines()))


SEARCH_ONLY = "\u2063"  # INVISIBLE SEPARATOR: what follows in a label is for search, not shown


def _words(name: str) -> list[str]:
    return name.replace("(", " ").replace(")", " ").replace(",", " ").split()


def extra_names(name: str) -> list[str]:
    """Everyday names a region's name should also be found by (shown in its label)."""
    words = _words(name)
    return [alias for part, alias in aliases() if part in words and alias not in name]


def plain_spellings(text: str) -> list[str]:
    """The accent-free spellings of the words of `text` that have accents (for search only)."""
    return list(dict.fromkeys(fold(w).lower() for w in _words(text) if fold(w) != w))


def picker_label(region_type: str, name: str, code: str) -> str:
    """The dropdown label: 'Gemeente · 's-Gravenhage (Den Haag) · GM0518'.

    The type comes first (the list is grouped by it), the code last (analysts know codes). A
    name with accents ends in its accent-free spelling behind `SEARCH_ONLY`, which the page
    does not show: 'Gemeente · Súdwest-Fryslân · GM1900' finds 'sudwest'.
    """
    extras = extra_names(name)
    shown = f"{name} ({', '.join(extras)})" if extras else name
    label = shown if region_type == "nederland" else f"{TYPE_LABELS[region_type]} · {shown}"
    plain = plain_spellings(shown)
    return f"{label} · {code}" + (f"{SEARCH_ONLY} {' '.join(plain)}" if plain else "")


def shown_label(label: str) -> str:
    """What the page shows of a picker label: the part before `SEARCH_ONLY`."""
    return label.partition(SEARCH_ONLY)[0]


def search_text(region_type: str, name: str, code: str) -> str:
    """Lower-case, accent-free text a search matches against (name, everyday names, code, type)."""
    return fold(picker_label(region_type, name, code)).lower()


def matches(text: str, query: str) -> bool:
    """marimo's dropdown rule, accent-free: every word of the query occurs in the text."""
    haystack = fold(text).lower()
    return all(word in haystack for word in fold(query).lower().split())
