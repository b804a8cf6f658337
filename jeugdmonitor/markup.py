"""Plain HTML pieces shared by the app (`ui`) and the static report: tables, markdown, texts.

Nothing here knows about marimo's runtime or about files; both front ends wrap these strings.
"""

from __future__ import annotations

import functools
import html
from typing import Any

import polars as pl

from jeugdmonitor.sections.common import csv_bytes

SIMULATED_TEXT = (
    "**Let op: gesimuleerde cijfers.** De cijfers in deze figuren zijn gesimuleerd (demo), "
    "gekalibreerd op landelijke niveaus; ze zijn niet echt en niet geschikt voor beleid. "
    "Deze melding verdwijnt zodra alleen echte cijfers worden getoond."
)
SUPPRESSION_TEXT = (
    "Aantallen kleiner dan 10 en de percentages die erop berusten worden niet getoond; "
    "getoonde aantallen zijn afgerond op 5. Intervallen zijn 95%-Wilson-intervallen; ▲/▼ betekent "
    "significant hoger/lager dan Nederland."
)

__all__ = ["SIMULATED_TEXT", "SUPPRESSION_TEXT", "csv_bytes", "markdown_html", "table_html"]


@functools.lru_cache(maxsize=2048)
def markdown_html(text: str) -> str:
    """Markdown → HTML with marimo's renderer (same look as the app), memoised per text."""
    import marimo as mo

    return mo.md(text).text if text else ""


def _cell(value: Any, column: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        digits = 2 if column.startswith("Verhouding") else 1
        return f"{value:.{digits}f}".replace(".", ",")
    if isinstance(value, int) and column != "Jaar":
        return f"{value:,}".replace(",", ".")
    return html.escape(str(value))


def table_html(table: pl.DataFrame, caption: str = "") -> str:
    """A figure's text alternative as an accessible HTML table (Dutch number format)."""
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(v, c)}</td>" for c, v in zip(table.columns, row, strict=True))
        + "</tr>"
        for row in table.iter_rows()
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f"<table class='jm-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


@functools.cache
def format_locale() -> dict[str, Any]:
    """d3 number format for nl-NL (decimal comma), from vl-convert: no network needed."""
    import vl_convert as vlc

    return dict(vlc.get_format_locale("nl-NL"))
