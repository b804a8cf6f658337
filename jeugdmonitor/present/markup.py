"""Plain HTML pieces shared by the app (`ui`) and the static report: tables, markdown, texts.

Nothing here knows about marimo's runtime or about files; both front ends wrap these strings.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Mapping, Sequence
from inspect import cleandoc
from typing import Any

import polars as pl

from jeugdmonitor.present import themes
from jeugdmonitor.present.sections.base import Figure, Section
from jeugdmonitor.present.sections.common import csv_bytes
from jeugdmonitor.present.themes import Theme

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
REAL_BADGES = ("CBS", "eigen cijfers")  # a badge starting so names figures as published
TABLE_TOGGLE = "Tabel met aantallen, percentages en intervallen"
# The look both front ends give a figure's source line, badge, table, headings and further reading.
# Colours meet WCAG 2.1 AA contrast on white (and the badge's text on its orange: 9:1).
FIGURE_CSS = """
.jm-source { color: #525252; font-size: 0.85rem; }
.jm-source a { color: #08519c; }
.jm-badge { display: inline-block; background: #fdb863; color: #3b2000; border-radius: 4px;
  padding: 0 6px; font-size: 0.75rem; font-weight: 600; vertical-align: middle; margin-left: 6px; }
.jm-badge.jm-real { background: #d9f0d3; color: #00441b; }
.jm-badge.jm-derived { background: #deebf7; color: #08306b; }
.jm-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.jm-theme { font-size: 1.7rem; margin: 3rem 0 0.5rem; padding: 0.4rem 0 0.3rem;
  border-top: 4px solid #08519c; color: #08306b; scroll-margin-top: 1rem; }
.jm-section { font-size: 1.4rem; margin: 2rem 0 0.4rem; scroll-margin-top: 1rem; }
.jm-anchor { margin-left: 0.4rem; font-size: 0.8em; color: #08519c; text-decoration: none;
  opacity: 0.75; }
.jm-anchor:hover, .jm-anchor:focus { opacity: 1; text-decoration: underline; }
.jm-figure-title { font-size: 1.1rem; margin: 0 0 0.3rem; }
.jm-row { display: grid; gap: 2rem; align-items: start;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); }
.jm-row > * { min-width: 0; }
/* an open table needs the whole width: the pair stacks, the table stays under its figure */
.jm-row:has(details[open]) { grid-template-columns: minmax(0, 1fr); }
.jm-details { margin-top: 0.4rem; font-size: 0.85rem; }
.jm-details > summary { cursor: pointer; color: #08519c; padding: 2px 0; }
.jm-details > summary:focus-visible { outline: 2px solid #08519c; outline-offset: 2px; }
.jm-table-wrap { overflow-x: auto; max-width: 100%; }
.jm-table-wrap:focus-visible { outline: 2px solid #08519c; }
.jm-table { border-collapse: collapse; font-size: 0.8rem; line-height: 1.3; margin: 0.4rem 0;
  color: #1f1f1f; }
.jm-table caption { caption-side: top; text-align: left; color: #525252; padding-bottom: 0.2rem; }
.jm-table th, .jm-table td { border-bottom: 1px solid #e5e5e5; padding: 3px 6px; text-align: left;
  vertical-align: top; hyphens: auto; }
.jm-table thead th { background: #f2f2f2; font-weight: 600; vertical-align: bottom; }
.jm-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.jm-table td.num { white-space: nowrap; }
.jm-table a { color: #08519c; text-decoration: underline; }
.jm-further { margin: 2rem 0 1rem; padding: 0.8rem 1rem; background: #f5f7fa; border-radius: 6px; }
.jm-further h3 { font-size: 1.05rem; margin: 0.6rem 0 0.3rem; }
.jm-further ul { margin: 0; padding-left: 1.2rem; }
.jm-further a { color: #08519c; }
.jm-toc ol { list-style: none; margin: 0; padding: 0; }
.jm-toc ol ol { padding-left: 0.9rem; margin-bottom: 0.4rem; }
.jm-toc li { margin: 0.15rem 0; }
.jm-toc a { color: #08519c; text-decoration: none; }
.jm-toc a:hover, .jm-toc a:focus { text-decoration: underline; }
.jm-toc > ol > li > a { font-weight: 600; }
.jm-toc-title { font-weight: 700; margin: 0 0 0.3rem; }
/* the chart menu (⋯) gets a row of its own above the chart, at its right edge: vega-embed puts
   it over the chart's top right corner, inside the plot of a wide chart */
.vega-embed.has-actions { display: inline-flex; flex-direction: column; padding-right: 0; }
.vega-embed.has-actions > details { position: relative; order: -1; align-self: flex-end;
  top: auto; right: auto; margin-bottom: 2px; }
.vega-embed.has-actions > details > summary { position: static; }
.vega-bindings { font-size: 0.85rem; margin-top: 0.3rem; }  /* a wijk map's wijk choice */
.vega-bindings select { font-size: 0.85rem; max-width: 100%; border: 1px solid #8c8c8c;
  border-radius: 3px; padding: 1px 4px; background: #fff; }
.jm-print-only { display: none; }  /* `common.screen_or_paper` */
@media print {
  .jm-interactive, .jm-anchor, .jm-toc, .jm-screen-only { display: none !important; }
  .jm-print-only { display: inline; }
  .vega-bindings { display: none !important; }
  .jm-note { font-size: 7.5pt; line-height: 1.3; }  /* how a figure was made: complete, small */
  .jm-table { font-size: 7.5pt; }  /* in pt: no printed text under 7 pt, whatever the root size */
  section#wat_valt_op ul { margin: 0.2rem 0; padding-left: 1.1rem; }  /* the first page's list */
  section#wat_valt_op li { margin: 0 0 0.15rem; line-height: 1.3; }
  .jm-further a::after { content: " (" attr(href) ")"; word-break: break-all; color: #1f1f1f; }
  .jm-badge { print-color-adjust: exact; -webkit-print-color-adjust: exact; font-size: 7.5pt; }
}
"""

__all__ = [
    "badge_html",
    "source_html",
    "FIGURE_CSS",
    "SIMULATED_TEXT",
    "SUPPRESSION_TEXT",
    "TABLE_TOGGLE",
    "csv_bytes",
    "dutch_date",
    "figure_heading",
    "figure_rows",
    "further_reading",
    "markdown_html",
    "merged",
    "section_heading",
    "section_markdown",
    "table_details",
    "table_html",
    "theme_heading",
    "toc_html",
]


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")  # fmt: skip


def dutch_date(day: dt.date) -> str:
    """A date as Dutch readers write it: '7 december 2026' (not 2026-12-07)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def badge_html(figure: Figure) -> str:
    """The label after a figure's title: orange 'gesimuleerd', green for figures as their source
    published them ('CBS, 2022', 'eigen cijfers, …'), blue for what is derived from them
    ('afgeleid', 'model op CBS 2022')."""
    text = SIMULATED_BADGE if figure.simulated else figure.badge
    if not text:
        return ""
    if figure.simulated:
        kind = " jm-sim"
    elif text.startswith(REAL_BADGES):
        kind = " jm-real"
    else:
        kind = " jm-derived"
    return f" <span class='jm-badge{kind}'>{html.escape(text)}</span>"


VERANTWOORDING = "verantwoording"  # the id of the section every source line links to
_SEE = "zie de verantwoording"


def source_html(source: str) -> str:
    """A figure's source line (escaped) with a link to the verantwoording: its 'zie de
    verantwoording' becomes the link, or a link 'Verantwoording' is added; empty stays empty."""
    if not source:
        return ""
    text = html.escape(source)
    link = f"<a class='jm-why' href='#{VERANTWOORDING}'>{{}}</a>"
    if _SEE in text:
        return text.replace(_SEE, "zie de " + link.format("verantwoording"), 1)
    return f"{text} {link.format('Verantwoording')}"


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


NUM = " class='num'"
_INTERVAL = re.compile(r"^(?P<name>.+) ondergrens$")
_HEADING = re.compile(r"^#{1,6}[ \t]", re.MULTILINE)


def _digits(values: list[float | None]) -> int:
    """Decimals to show for a float column: as many as the section rounded to (1 to 3)."""
    present = [v for v in values if v is not None]
    for digits in (1, 2):
        if all(abs(v - round(v, digits)) < 1e-9 for v in present):
            return digits
    return 3


def _number(value: Any, digits: int, column: str) -> str:
    """A number in the Dutch format: decimal comma, thousands dot (never in a year)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.{digits}f}"
        if text.lstrip("-").strip("0,.") == "":  # -0,0 reads as a sign where there is none
            text = text.lstrip("-")
        return text.replace(".", ",")
    if column == "Jaar":
        return str(value)
    return f"{value:,}".replace(",", ".")


def _columns(
    table: pl.DataFrame, *, keep_first: bool = False
) -> tuple[list[tuple[str, list[str], bool]], list[str]]:
    """Display columns (header, cell texts, numeric) and caption parts for constant label columns.

    A label column (text, or the year) with one value in every row moves to the caption ('Jaar:
    2024'); a pair '<x> ondergrens' / '<x> bovengrens' becomes one '<x>' column ('12,8–13,3'),
    so a table fits a half-width card. `keep_first` keeps the first column (it carries links).
    """
    numeric = {c for c, t in table.schema.items() if t.is_numeric()}
    caption: list[str] = []
    shown: list[tuple[str, list[str], bool]] = []
    skip: set[str] = set()
    for column in table.columns:
        if column in skip:
            continue
        values = table[column].to_list()
        if (
            table.height > 1
            and not (keep_first and column == table.columns[0])
            and (column == "Jaar" or column not in numeric)
            and len(set(values)) == 1
            and values[0] is not None
        ):
            caption.append(f"{column}: {values[0]}")
            continue
        if column not in numeric:
            shown.append((column, ["–" if v is None else str(v) for v in values], False))
            continue
        match = _INTERVAL.match(column)
        upper = f"{match['name']} bovengrens" if match else ""
        if match and upper in numeric:
            high = table[upper].to_list()
            d = _digits([*values, *high])
            texts = [
                "–"
                if lo is None or hi is None
                else f"{_number(lo, d, column)}–{_number(hi, d, column)}"
                for lo, hi in zip(values, high, strict=True)
            ]
            shown.append((match["name"], texts, True))
            skip.add(upper)
            continue
        digits = _digits(values) if table.schema[column].is_float() else 0
        shown.append((column, [_number(v, digits, column) for v in values], True))
    return shown, caption


def table_html(
    table: pl.DataFrame,
    caption: str = "",
    links: Sequence[str] = (),
    href: Callable[[str], str] | None = None,
) -> str:
    """A figure's text alternative as an accessible HTML table (Dutch number format).

    Numbers are right-aligned; the table scrolls sideways inside its own focusable box when it is
    wider than its card, so no column is ever cut off. With `links` (a region code per row) and
    `href` (code → URL) the first column links to that region's page: `?region=CODE` in the app,
    `CODE.html` beside a report; a link that starts with '#' points into the page as it is (a
    wijk's place on its map).
    """
    linked = any(links) and (href is not None or all(x.startswith("#") for x in links if x))
    columns, constant = _columns(table, keep_first=linked)

    def cell(k: int, texts: list[str], num: bool, i: int) -> str:
        text = html.escape(texts[i])
        if k == 0 and linked and i < len(links) and links[i]:
            target = links[i] if links[i].startswith("#") else href(links[i])  # type: ignore[misc]
            text = f"<a href='{html.escape(target, quote=True)}'>{text}</a>"
        return f"<td class='num'>{text}</td>" if num else f"<td>{text}</td>"

    head = "".join(
        f"<th scope='col'{NUM if num else ''}>{html.escape(name)}</th>" for name, _, num in columns
    )
    body = "".join(
        "<tr>"
        + "".join(cell(k, texts, num, i) for k, (_, texts, num) in enumerate(columns))
        + "</tr>"
        for i in range(table.height)
    )
    title = " · ".join(x for x in (caption, *constant) if x)
    cap = f"<caption>{html.escape(title)}</caption>" if title else ""
    label = html.escape(caption or "Tabel", quote=True)
    return (
        f"<div class='jm-table-wrap' role='region' aria-label='{label}' tabindex='0'>"
        f"<table class='jm-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        "</table></div>"
    )


def table_details(
    table: pl.DataFrame, links: Sequence[str] = (), href: Callable[[str], str] | None = None
) -> str:
    """The table behind a native disclosure ('Tabel met aantallen…'): keyboard-operable as is.
    `links` and `href` as in `table_html`."""
    return (
        f"<details class='jm-details'><summary>{TABLE_TOGGLE}</summary>"
        f"{table_html(table, links=links, href=href)}</details>"
    )


_HEADING_ID = re.compile(r"<h([3-4]) id=\"[^\"]*\"")


def section_markdown(text: str, level: int = 4) -> str:
    """Section intro/outro markdown as HTML, its own headings one level below the section
    (h4; h3 when the section has no heading of its own, under its theme's h2).

    Their automatic ids are dropped: several sections share a sub-heading ("Toelichting
    cijfers"), and an id must be unique on the page.
    """
    html_text = markdown_html(_HEADING.sub("#" * level + " ", text))
    return _HEADING_ID.sub(lambda m: f"<h{m[1]}", html_text)


def theme_heading(theme: Theme) -> str:
    """The theme's heading (h2) with its anchor."""
    return f"<h2 class='jm-theme' id='{theme.anchor}'>{html.escape(theme.title, quote=False)}</h2>"


def section_heading(key: str, title: str, *, anchor: bool = True) -> str:
    """A section's heading (h3) with a link to the section (its deep link, `#key`).

    `anchor=False` when an enclosing element already carries the id.
    """
    k, t = html.escape(key, quote=True), html.escape(title, quote=False)
    ident = f" id='{k}'" if anchor else ""
    return (
        f"<h3 class='jm-section'{ident}>{t}<a class='jm-anchor' href='#{k}' "
        f"aria-label='Link naar {html.escape(title, quote=True)}'>#</a></h3>"
    )


def figure_heading(figure: Figure, level: int = 4) -> str:
    """A figure's title (h4 below a section), with the simulated badge."""
    return (
        f"<h{level} class='jm-figure-title' id='fig-{html.escape(figure.key, quote=True)}'>"
        f"{html.escape(figure.title, quote=False)}{badge_html(figure)}</h{level}>"
    )


def merged(theme: Theme, members: list[tuple[str, Any]]) -> bool:
    """A theme of one section with the theme's own title: its heading serves for both."""
    return len(members) == 1 and _title(members[0][1]) == theme.title


def _title(item: Section | str) -> str:
    """A section's title (the contents may get the titles alone)."""
    return item if isinstance(item, str) else item.title


def toc_html(sections: Mapping[str, Section | str], extra: list[tuple[str, str]] = ()) -> str:
    """The table of contents: themes with their sections (or their titles), each a link.

    `extra` adds (anchor, title) entries at the end, e.g. the report's sources.
    """
    items = []
    for theme, members in themes.grouped(sections):
        sub = (
            ""
            if merged(theme, members)
            else "<ol>"
            + "".join(
                f"<li><a href='#{html.escape(k, quote=True)}'>{html.escape(_title(s), quote=False)}</a></li>"
                for k, s in members
            )
            + "</ol>"
        )
        items.append(
            f"<li><a href='#{theme.anchor}'>{html.escape(theme.title, quote=False)}</a>{sub}</li>"
        )
    items += [
        f"<li><a href='#{html.escape(a, quote=True)}'>{html.escape(t)}</a></li>" for a, t in extra
    ]
    return (
        "<nav class='jm-toc' aria-label='Inhoud'><p class='jm-toc-title'>Inhoud</p>"
        f"<ol>{''.join(items)}</ol></nav>"
    )


def further_reading(theme: Theme) -> str:
    """'Relevant onderzoek' and 'Relevante links' of a theme as real links (print adds the URL)."""
    parts = []
    for heading, links in (
        ("Relevant onderzoek", theme.research),
        ("Relevante links", theme.links),
    ):
        if links:
            items = "".join(
                f"<li><a href='{html.escape(link.url, quote=True)}' target='_blank' "
                f"rel='noopener'>{html.escape(link.title)}</a></li>"
                for link in links
            )
            parts.append(f"<h3>{heading}</h3><ul>{items}</ul>")
    if not parts:
        return ""
    label = html.escape(f"Verder lezen: {theme.title}", quote=True)
    return f"<aside class='jm-further' aria-label='{label}'>{''.join(parts)}</aside>"
