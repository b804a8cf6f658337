""" "Welke cijfers zijn echt?": per indicator its source, years, regional levels and what it is.

`status_table(store)` is the data (one row per catalogue indicator, from the catalogue and the
rows actually in the store); `markdown_table` renders it for the README, and the app and the
report show it as a table (a part of `verantwoording`). The status is one of:

- *echt*: counts as the source publishes them (a denominator may be an estimated population);
- *afgeleid*: counts computed from a published percentage × its base;
- *geschat*: counts estimated from suppressed cells (with a margin in the interval);
- *niet beschikbaar*: no real figure in the data, only simulated example figures (shown only
  when asked for) until you import your own.
"""

from __future__ import annotations

import re

import polars as pl

from jeugdmonitor.data.files import reference_csv
from jeugdmonitor.data.store import Store

ECHT, AFGELEID, GESCHAT, NIET = "echt", "afgeleid", "geschat", "niet beschikbaar"
DERIVED_MARKS = ("percentage ×", "aandeel ×")  # in `source`: a count from a published percentage
AGGREGATES = "gemeente, samenwerkingsverband po en vo, jeugdregio, provincie, Nederland"
COLUMNS = {
    "title": "Indicator",
    "source": "Bron (tabel)",
    "years": "Jaren",
    "levels": "Regioniveaus",
    "status": "Status",
}


def _tables() -> list[tuple[str, str]]:
    return list(reference_csv("source_tables").select("table", "title").iter_rows())


def _named_tables(text: str) -> list[str]:
    """The titles of the source tables a catalogue source text names, in the text's order."""
    found = [(text.find(t), title) for t, title in _tables() if t in text]
    return [title for _, title in sorted(found)]


def _years(years: list[int]) -> str:
    if not years:
        return "–"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def _status(sources: list[str]) -> str:
    if not sources:
        return NIET
    if all("schatting" in s for s in sources):
        return GESCHAT
    if any(mark in s for s in sources for mark in DERIVED_MARKS):
        return AFGELEID
    return ECHT


def _missing(indicator: str, fallback: str) -> str:
    """Who holds a figure the bundle lacks ('Geen open bron: …'), from the notes' reference."""
    from jeugdmonitor.present.sections.unavailable import KINDS, notes

    note = notes().get(indicator)
    return f"{KINDS[note['kind']]}: {note['holder_short']}" if note else fallback


def status_table(store: Store) -> pl.DataFrame:
    """One row per catalogue indicator: indicator, title, source, years, levels, status."""

    def compute() -> pl.DataFrame:
        from jeugdmonitor.analysis.wijken import MEASURES

        per_wijk = {"jeugdzorg"} | {m.indicator for m in MEASURES.values()}
        real = (
            store.indicators.filter(~pl.col("is_simulated"))
            .group_by("indicator")
            .agg(pl.col("year").unique().sort(), pl.col("source").unique().sort())
        )
        found = {r["indicator"]: r for r in real.iter_rows(named=True)}
        rows = []
        for entry in store.catalogue.iter_rows(named=True):
            indicator = entry["indicator"]
            have = found.get(indicator)
            sources = have["source"] if have else []
            status = _status(sources)
            own = sorted({s for s in sources if not s.startswith(("CBS", "DUO"))})
            catalogue_source = re.sub(
                r"\s*\(echte bron\)|;\s*hier gesimuleerd", "", entry["source"]
            ).strip()
            named = _named_tables(entry["source"]) if status != NIET else []
            source = "; ".join([*named, *own]) or catalogue_source
            levels = (
                AGGREGATES + (", wijk" if indicator in per_wijk else "") if status != NIET else "–"
            )
            rows.append(
                {
                    "indicator": indicator,
                    "title": entry["title_nl"],
                    "source": source if status != NIET else _missing(indicator, catalogue_source),
                    "years": _years(have["year"] if have else []),
                    "levels": levels,
                    "status": status,
                }
            )
        return pl.DataFrame(rows)

    return store.cached("data_status", compute)


def display(frame: pl.DataFrame) -> pl.DataFrame:
    """The table with Dutch column names, as the app and the report show it."""
    return frame.select(pl.col(c).alias(label) for c, label in COLUMNS.items())


def markdown_table(frame: pl.DataFrame) -> str:
    """The table as Markdown (for the README)."""
    shown = display(frame)
    escape = lambda text: str(text).replace("|", "\\|")  # noqa: E731
    lines = [
        "| " + " | ".join(shown.columns) + " |",
        "|" + "---|" * shown.width,
        *("| " + " | ".join(escape(v) for v in row) + " |" for row in shown.iter_rows()),
    ]
    return "\n".join(lines) + "\n"


README_START, README_END = "<!-- welke-cijfers:start -->", "<!-- welke-cijfers:end -->"


def readme_with_table(text: str, table: str) -> str:
    """The README text with `table` between its markers (what `python -m jeugdmonitor.present.data_status`
    writes; a test checks the README is current)."""
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_START}\n{table}{README_END}{tail}"


if __name__ == "__main__":  # refresh the table in the README after the data changed
    from pathlib import Path

    from jeugdmonitor.data.store import load

    readme = Path(__file__).resolve().parents[2] / "README.md"
    table = markdown_table(status_table(load()))
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8"), table), "utf-8")
