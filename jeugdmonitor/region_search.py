"""Region names as people search for them: without accents, by code, by their everyday name.

marimo's searchable dropdown matches the words of a query against the option's label (every word
must occur in it, case-insensitively), so the label itself carries what people type: the ASCII
form of a name with accents ('Súdwest-Fryslân (Sudwest-Fryslan)'), its everyday name from
`reference/region_aliases.csv` ("'s-Gravenhage (Den Haag)") and the region code. The report index
searches the same text (`search_text`), folding the query the same way in the browser.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from importlib import resources

from jeugdmonitor.regions import TYPE_LABELS


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


def extra_names(name: str) -> list[str]:
    """Everyday names and accent-free spellings a region's name should also be found by."""
    words = name.replace("(", " ").replace(")", " ").replace(",", " ").split()
    extras = [alias for part, alias in aliases() if part in words and alias not in name]
    for word in words:
        plain = fold(word)
        if plain != word and plain not in extras:
            extras.append(plain)
    return extras


def picker_label(region_type: str, name: str, code: str) -> str:
    """The dropdown label: 'Gemeente · 's-Gravenhage (Den Haag) · GM0518'.

    The type comes first (the list is grouped by it), the code last (analysts know codes).
    """
    extras = extra_names(name)
    shown = f"{name} ({', '.join(extras)})" if extras else name
    if region_type == "nederland":
        return f"{shown} · {code}"
    return f"{TYPE_LABELS[region_type]} · {shown} · {code}"


def search_text(region_type: str, name: str, code: str) -> str:
    """Lower-case, accent-free text a search matches against (name, everyday names, code, type)."""
    return fold(picker_label(region_type, name, code)).lower()


def matches(text: str, query: str) -> bool:
    """marimo's dropdown rule, accent-free: every word of the query occurs in the text."""
    haystack = fold(text).lower()
    return all(word in haystack for word in fold(query).lower().split())
