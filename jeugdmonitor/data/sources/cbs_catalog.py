"""The CBS OData catalogue: which tables exist, which years they hold, and what `fetch` takes.

CBS publishes some figures as one table per year ("Jongeren met jeugdzorg en jeugdzorgtrajecten in
natura; wijken, 2023" is a new table each year), others as one multi-year table (03759ned,
85098NED). The catalogue (`ODataCatalog/Tables`: Identifier, Title, ShortTitle, Period, Modified,
OutputStatus) lists them all. A mapping row names either a fixed table id or a `series` with a
`title_pattern`; `plan` finds the catalogue's tables for each, one per year, and says which years
would be fetched. The status of each year (voorlopig, nader voorlopig, definitief) is read from the
table's own time dimension when it is fetched (`period_status`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from jeugdmonitor.data.sources.download import DownloadError

CATALOG_FIELDS = ("Identifier", "Title", "ShortTitle", "Period", "Modified", "OutputStatus")
STATUSES = ("voorlopig", "nader voorlopig", "definitief")
# an OutputStatus like this means CBS stopped the table (a newer one replaces it)
_STOPPED = re.compile(r"stopgezet|gediscontinueerd|discontinued", re.IGNORECASE)


class CatalogError(DownloadError):
    """The catalogue, or what a mapping asks of it, cannot be used; the message says why."""


@dataclass(frozen=True)
class CatalogTable:
    """One row of the catalogue, with the years its `Period` names."""

    identifier: str
    title: str
    short_title: str
    period: str
    modified: str
    output_status: str
    years: tuple[int, ...]

    @property
    def stopped(self) -> bool:
        return bool(_STOPPED.search(self.output_status))


def period_years(period: str) -> tuple[int, ...]:
    """'2022' → (2022,); '2015 - 2023' or '2015-2023*' → 2015…2023; '' → ()."""
    found = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", period or "")]
    if not found:
        return ()
    return tuple(range(min(found), max(found) + 1))


def read_catalog(rows: Iterable[Any], where: str) -> dict[str, CatalogTable]:
    """Catalogue rows (OData `value` list) → identifier (upper case) → CatalogTable."""
    out: dict[str, CatalogTable] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not str(row.get("Identifier") or "").strip():
            raise CatalogError(f"{where}: row {i}: no 'Identifier', so not the CBS catalogue")
        text = {f: str(row.get(f) or "").strip() for f in CATALOG_FIELDS}
        table = CatalogTable(
            text["Identifier"],
            text["Title"],
            text["ShortTitle"],
            text["Period"],
            text["Modified"],
            text["OutputStatus"],
            period_years(text["Period"]),
        )
        out[table.identifier.upper()] = table
    return out


def period_status(periods: Iterable[Any], time_key: str, where: str) -> dict[int, str]:
    """A table's time dimension rows (Key '2023JJ00', Title '2023*', Status 'Voorlopig') → year →
    'voorlopig' / 'nader voorlopig' / 'definitief'. Without a Status, the title's CBS marks are
    read: '**' nader voorlopig, '*' voorlopig, none definitief."""
    out: dict[int, str] = {}
    for row in periods:
        if not isinstance(row, dict):
            raise CatalogError(f"{where}: a {time_key} row is not an object")
        match = re.fullmatch(r"(\d{4})JJ00", str(row.get("Key", "")).strip())
        if not match:
            continue  # quarters, months
        status = str(row.get("Status") or "").strip().lower()
        if not status:
            title = str(row.get("Title", "")).strip()
            status = (
                "nader voorlopig"
                if title.endswith("**")
                else "voorlopig"
                if title.endswith("*")
                else "definitief"
            )
        if status not in STATUSES:
            raise CatalogError(
                f"{where}: {time_key} {row.get('Key')}: status {row.get('Status')!r} is not one of "
                + ", ".join(STATUSES)
            )
        out[int(match.group(1))] = status
    return out


# ---------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Wanted:
    """What the mapping asks of the catalogue: a fixed table, or a series of yearly tables."""

    name: str  # the table id, or the series name
    pattern: str  # title pattern of a series ('' for a fixed table)
    rows: tuple[int, ...]  # mapping rows, for messages
    file: str = "cbs_sources.csv"

    @property
    def is_series(self) -> bool:
        return bool(self.pattern)

    @property
    def where(self) -> str:
        return (
            f"{self.file} row{'s' if len(self.rows) > 1 else ''} {', '.join(map(str, self.rows))}"
        )


@dataclass(frozen=True)
class TablePlan:
    """One catalogue table to fetch and its years."""

    wanted: Wanted
    table: CatalogTable
    years: tuple[int, ...]  # to fetch (empty: the table's own time dimension decides)


@dataclass
class Plan:
    """The tables and years a fetch would take, and what it leaves aside, with reasons."""

    tables: list[TablePlan]
    missing: list[Wanted] = field(default_factory=list)  # not in the catalogue
    skipped: list[tuple[CatalogTable, Wanted, str]] = field(default_factory=list)
    n_catalog: int = 0  # tables the catalogue lists

    def for_name(self, name: str) -> list[TablePlan]:
        return [t for t in self.tables if t.wanted.name == name]


def series_year(table: CatalogTable, pattern: re.Pattern[str]) -> int | None:
    """The year of a yearly table: its single catalogue Period, else the title's `year` group."""
    if len(table.years) == 1:
        return table.years[0]
    match = pattern.fullmatch(table.title)
    if match and "year" in match.groupdict() and match.group("year"):
        return int(match.group("year"))
    return None


def make_plan(
    catalog: dict[str, CatalogTable],
    wanted: Collection[Wanted],
    years: Collection[int] | None,
    first_year: int,
) -> Plan:
    """Match each wanted table or series to the catalogue and choose its years.

    Without `years`, every year the catalogue offers from `first_year` (the monitor's first year)
    on is taken; with `years`, only those. A series takes one table per year: when two match the
    same year, a table CBS stopped gives way to the current one; otherwise it is an error.
    """
    plan = Plan(tables=[], n_catalog=len(catalog))

    def keep(y: int) -> bool:
        return y in years if years else y >= first_year

    for w in sorted(wanted, key=lambda w: w.name):
        if not w.is_series:
            table = catalog.get(w.name.upper())
            if table is None:
                plan.missing.append(w)
                continue
            chosen = tuple(y for y in table.years if keep(y))
            if table.years and not chosen:
                plan.skipped.append((table, w, _outside(table.years, years, first_year)))
                continue
            # no Period in the catalogue: the table's time dimension says which years it has
            plan.tables.append(TablePlan(w, table, chosen or tuple(sorted(years or ()))))
            continue
        pattern = re.compile(w.pattern, re.IGNORECASE)
        by_year: dict[int, list[CatalogTable]] = {}
        for table in catalog.values():
            if not pattern.fullmatch(table.title):
                continue
            year = series_year(table, pattern)
            if year is None:
                raise CatalogError(
                    f"CBS catalogue: table {table.identifier} ({table.title!r}) matches series "
                    f"{w.name} ({w.where}) but names no single year: give the title pattern a "
                    "(?P<year>\\d{4}) group"
                )
            by_year.setdefault(year, []).append(table)
        if not by_year:
            plan.missing.append(w)
            continue
        for year, tables in sorted(by_year.items()):
            current = [t for t in tables if not t.stopped] or tables
            if len(current) > 1:
                ids = ", ".join(sorted(t.identifier for t in current))
                raise CatalogError(
                    f"CBS catalogue: series {w.name} ({w.where}) has {len(current)} tables for "
                    f"{year}: {ids}; make its title_pattern match one of them"
                )
            table = current[0]
            for other in tables:
                if other is not table:
                    plan.skipped.append((other, w, f"{year} is taken from {table.identifier}"))
            if keep(year):
                plan.tables.append(TablePlan(w, table, (year,)))
            else:
                plan.skipped.append((table, w, _outside((year,), years, first_year)))
    return plan


def _outside(offered: Iterable[int], years: Collection[int] | None, first_year: int) -> str:
    span = sorted(offered)
    text = str(span[0]) if len(span) == 1 else f"{span[0]}-{span[-1]}"
    if years:
        return f"{text} is outside --years"
    return f"{text} is before the monitor's first year {first_year} (ask for it with --years)"
