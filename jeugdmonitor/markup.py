"""Plain HTML pieces shared by the app (`ui`) and the static report: tables, markdown, texts.

Nothing here knows about marimo's runtime or about files; both front ends wrap these strings.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from inspect import cleandoc
from typing import Any

import polars as pl

from jeugdmonitor.sections.base import Figure
from jeugdmonitor.sections.common import csv_bytes

SIMULATED_TEXT = (
    "**Let op: een deel van de cijfers is gesimuleerd.** Figuren met het label *gesimuleerd* "
    "tonen gesimuleerde cijfers (demo), gekalibreerd op landelijke niveaus: ze zijn niet echt en "
    "niet geschikt voor beleid. Figuren met een CBS-label (bijvoorbeeld *CBS, 2022*) tonen echte "
    "cijfers. Deze melding verdwijnt zodra alleen echte cijfers worden getoond."
)
SUPPRESSION_TEXT = (
    "Aantallen kleiner dan 10 en de percentages die erop berusten worden niet getoond; "
    "getoonde aantallen zijn afgerond op 5. Intervallen zijn 95%-Wilson-intervallen; ▲/▼ betekent "
    "significant hoger/lager dan Nederland."
)

SIMULATED_BADGE = "gesimuleerd"
# The look both front ends give a figure's source line, badge and table.
FIGURE_CSS = """
.jm-source { color: #525252; font-size: 0.85rem; }
.jm-badge { display: inline-block; background: #fdb863; color: #3b2000; border-radius: 4px;
  padding: 0 6px; font-size: 0.75rem; font-weight: 600; vertical-align: middle; margin-left: 6px; }
.jm-badge.jm-real { background: #d9f0d3; color: #00441b; }
.jm-table { border-collapse: collapse; font-size: 0.85rem; margin-top: 0.4rem; }
.jm-table th, .jm-table td { border-bottom: 1px solid #e5e5e5; padding: 2px 8px; text-align: right; }
.jm-table a { color: #0b5394; text-decoration: underline; }
.jm-table th:first-child, .jm-table td:first-child,
.jm-table th:nth-child(2), .jm-table td:nth-child(2) { text-align: left; }
"""

__all__ = [
    "badge_html",
    "FIGURE_CSS",
    "SIMULATED_TEXT",
    "SUPPRESSION_TEXT",
    "csv_bytes",
    "figure_rows",
    "markdown_html",
    "table_html",
]


def badge_html(figure: Figure) -> str:
    """The label after a figure's title: orange 'gesimuleerd', or green with the real source."""
    text = SIMULATED_BADGE if figure.simulated else figure.badge
    if not text:
        return ""
    kind = "" if figure.simulated else " jm-real"
    return f" <span class='jm-badge{kind}'>{html.escape(text)}</span>"


def figure_rows(figures: list[Figure]) -> list[list[Figure]]:
    """Figures in rows: two consecutive 'half' figures share a row, like the app and report."""
    rows: list[list[Figure]] = []
    for fig in figures:
        if fig.layout == "half" and rows and len(rows[-1]) == 1 and rows[-1][0].layout == "half":
            rows[-1].append(fig)
        else:
            rows.append([fig])
    return rows


@functools.lru_cache(maxsize=2048)
def markdown_html(text: str) -> str:
    """Markdown → HTML with marimo's renderer (same look as the app), memoised per text.

    Most texts of a region (the key-number sentences, explanations with its name) are plain
    paragraphs with at most `**bold**`: those take `plain_markdown_html`, which gives marimo's
    exact output about 50× faster (marimo's Markdown runs some 25 extensions over every text).
    """
    import marimo as mo

    if not text:
        return ""
    return plain_markdown_html(text) or mo.md(text).text


# Anything that could mean more than plain text to marimo's Markdown (HTML, entities, code, math,
# links, emoji, critic/keys/caret/tilde marks, headings, lists, quotes, rules, indentation, hard
# breaks): such a text goes to marimo's renderer instead.
_NOT_PLAIN = re.compile(
    r"[\\`_~^$\[\]<>&#|{}@]|\+\+|://|www\.|:[\w+-]+:"
    r"|(?:^|\n)[ \t]|[ \t](?:\n|$)"
    r"|(?:^|\n)(?:\d+[.)][ \t]|[-*+>][ \t]|[-=*_]{3,}[ \t]*(?:\n|$))"
)
_BOLD = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")


def plain_markdown_html(text: str) -> str | None:
    """marimo's HTML for a text of plain paragraphs and `**bold**`; None for any other text.

    `tests/test_fast_markdown.py` checks it against `mo.md` on every text of many regions.
    """
    text = cleandoc(text)
    if not text or _NOT_PLAIN.search(text):
        return None
    body = _BOLD.sub(lambda m: "\0" + m.group(1) + "\1", text)
    if "*" in body:
        return None
    paragraphs = "\n".join(
        '<span class="paragraph">' + p + "</span>" for p in re.split(r"\n{2,}", body)
    )
    paragraphs = paragraphs.replace("\0", "<strong>").replace("\1", "</strong>")
    return f'<span class="markdown prose dark:prose-invert contents">{paragraphs}</span>'


def _cell(value: Any, column: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        digits = 2 if column.startswith("Verhouding") else 1
        return f"{value:.{digits}f}".replace(".", ",")
    if isinstance(value, int) and column != "Jaar":
        return f"{value:,}".replace(",", ".")
    return html.escape(str(value))


def table_html(
    table: pl.DataFrame,
    caption: str = "",
    links: Sequence[str] = (),
    href: Callable[[str], str] | None = None,
) -> str:
    """A figure's text alternative as an accessible HTML table (Dutch number format).

    With `links` (a region code per row) and `href` (code → URL) the first column links to that
    region's page: `?region=CODE` in the app, `CODE.html` beside a report.
    """
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in table.columns)

    def first(value: Any, column: str, i: int) -> str:
        text = _cell(value, column)
        if href is None or i >= len(links) or not links[i]:
            return text
        return f"<a href='{html.escape(href(links[i]), quote=True)}'>{text}</a>"

    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{first(v, c, i) if k == 0 else _cell(v, c)}</td>"
            for k, (c, v) in enumerate(zip(table.columns, row, strict=True))
        )
        + "</tr>"
        for i, row in enumerate(table.iter_rows())
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f"<table class='jm-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
