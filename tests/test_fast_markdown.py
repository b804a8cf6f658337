"""`markup.plain_markdown_html`: marimo's exact HTML for plain texts, or None (marimo renders)."""

from __future__ import annotations

import random

import marimo as mo
import pytest

from jeugdmonitor.data.regions import get_region
from jeugdmonitor.present import markup
from jeugdmonitor.present.sections import build_sections
from jeugdmonitor.present.sections.common import md_escape


@pytest.fixture(scope="module")
def texts(store) -> list[str]:
    codes = [None, "NL01"]
    for prefix in ("GM", "PO", "VO", "JZ", "PV"):
        codes += [c for c in store.regions["code"].to_list() if c.startswith(prefix)][:5]
    found: set[str] = set()
    for code in codes:
        region = get_region(store, code) if code else None
        for section in build_sections(store, region).values():
            found.update([section.intro, section.outro, f"## {section.title}"])
            for f in section.figures:
                found.update([f.explanation, f.summary, f"### {md_escape(f.title)}"])
    found.discard("")
    return sorted(found)


def test_plain_texts_render_exactly_as_marimo(texts):
    fast = [(t, markup.plain_markdown_html(t)) for t in texts]
    taken = [(t, html) for t, html in fast if html is not None]
    for text, html in taken:
        assert html == mo.md(text).text, text
    summaries = [t for t in texts if t.startswith("**") or "**" in t[:80]]
    assert len(taken) >= 0.6 * len(texts) and summaries  # most region texts take the fast path


@pytest.mark.parametrize(
    "text",
    [
        "a <b>x</b>",
        "Tom &amp; Jerry",
        "snake_case_name",
        "1. first\n2. second",
        "- item",
        "> quote",
        "# heading",
        "a  \nb",
        "see https://cbs.nl",
        "a :smile: b",
        "x^2^ and ~~gone~~",
        "$x$",
        "**unclosed",
        "a * b",
        "[link](x)",
        "a\n b\n    c",
        "---",
        "++ctrl++",
    ],
)
def test_anything_beyond_plain_goes_to_marimo(text):
    assert markup.plain_markdown_html(text) is None
    assert markup.markdown_html(text) == mo.md(text).text


def test_random_texts_are_either_declined_or_exact():
    rng = random.Random(20240101)
    alphabet = list("abc XYZ 0123,.;:()%–▲é'\"-*\n") + ["**", "\n\n", "  ", "1. ", "- ", "=", "+"]
    checked = 0
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        html = markup.plain_markdown_html(text)
        if html is not None:
            checked += 1
            assert html == mo.md(text).text, repr(text)
    assert checked > 100
