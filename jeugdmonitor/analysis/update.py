"""Put real figures into data/ safely: `jeugdmonitor fetch` (CBS open data, maps) and `import` (CSV).

Nothing in data/ changes until a complete new folder has passed the store's checks: data/ is copied
to a temporary sibling, the new tables and maps are written there, `store.validate` runs over the
copy, the files about to be replaced are kept under data/history (`jeugdmonitor history`,
`jeugdmonitor restore`), and only then is each changed file renamed over its original (same file
system, so each rename is atomic). Files an update does not produce (data/README.md, anything a
user put there) are never touched. Any error before the renames leaves data/ byte-for-byte as it
was. Before writing, both commands print what changes (`jeugdmonitor.analysis.changes`): rows per
indicator × year, every region whose shown values change, and coverage warnings; `--dry-run`
prints only that.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import polars as pl

from jeugdmonitor.analysis import changes
from jeugdmonitor.data import build, fetch_plan, history, store
from jeugdmonitor.data.sources import cbs, csv_import, maps
from jeugdmonitor.data.sources.crosswalk import load_crosswalk

Progress = Callable[[str], None]


# --------------------------------------------------------------------------------- the swap


def stage_and_swap(
    data_dir: Path,
    tables: dict[str, pl.DataFrame],
    map_text: dict[str, str] | None = None,
    *,
    command: str = "update",
) -> list[Path]:
    """Write tables/maps into a validated copy of data_dir, keep the files they replace in
    data/history, then rename each changed file into place; returns the changed paths."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir}: no data folder (run `jeugdmonitor build` first)")
    with history.locked(data_dir):
        tmp = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}-update-", dir=data_dir.parent))
        try:
            shutil.copytree(
                data_dir, tmp, dirs_exist_ok=True, ignore=history.ignore_history(data_dir)
            )
            typed = {name: store.conform(name, frame) for name, frame in tables.items()}
            written = build.write_outputs(typed, map_text or {}, tmp)
            problems = store.validate(tmp)
            if problems:
                raise store.DataValidationError(
                    [replace(p, table=p.table.replace(str(tmp), str(data_dir))) for p in problems]
                )
            staged = {str(path.relative_to(tmp)): path for path in written}
            changed = history.swap_in(data_dir, staged, command)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    store.clear_cache()
    return [data_dir / name for name in changed]


def check_frames(data_dir: Path, frames: dict[str, pl.DataFrame]) -> None:
    """Validate tables in memory (a dry run writes nothing); raise like `stage_and_swap` would."""
    typed = {name: store.conform(name, frame) for name, frame in frames.items()}
    paths = {name: str(Path(data_dir) / f"{name}.parquet") for name in typed}
    problems = store.validate_frames(typed, paths)
    if problems:
        raise store.DataValidationError(problems)


def side_effects(
    data_dir: Path,
    frames: dict[str, pl.DataFrame],
    new: dict[str, pl.DataFrame],
    rows: pl.DataFrame,
) -> str:
    """`changes.describe` between the current tables and the tables an update would write."""
    before = store.from_frames(data_dir, frames)
    after = store.from_frames(
        data_dir, {**frames, **{k: store.conform(k, v) for k, v in new.items()}}
    )
    return changes.describe(before, after, rows)


def merge_slices(current: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Replace whole (indicator, breakdown, year) slices of `current` by the rows of `new`."""
    slices = new.select("indicator", "breakdown", "year").unique()
    kept = current.join(slices, on=["indicator", "breakdown", "year"], how="anti")
    # fetched rows are exact counts: no bounds, no published rate, no note
    new = store.conform("indicators", new)
    return pl.concat([kept, new.select(current.columns)]).sort(store.KEYS["indicators"])


def merge_rows(current: pl.DataFrame, new: pl.DataFrame, name: str) -> pl.DataFrame:
    """Replace the rows of `current` whose key is in `new`, and add the new keys."""
    keys = store.KEYS[name]
    kept = current.join(new.select(keys), on=keys, how="anti")
    return pl.concat([kept, store.conform(name, new).select(current.columns)]).sort(keys)


def status(indicators: pl.DataFrame) -> pl.DataFrame:
    """Per indicator: real and simulated row counts and which breakdowns are (partly) real."""
    return (
        indicators.group_by("indicator")
        .agg(
            (~pl.col("is_simulated")).sum().alias("real_rows"),
            pl.col("is_simulated").sum().alias("simulated_rows"),
            pl.col("breakdown").filter(~pl.col("is_simulated")).unique().sort().alias("real"),
        )
        .with_columns(
            status=pl.when(pl.col("simulated_rows") == 0)
            .then(pl.lit("real"))
            .when(pl.col("real_rows") == 0)
            .then(pl.lit("simulated"))
            .otherwise(pl.lit("partly real (") + pl.col("real").list.join(", ") + pl.lit(")"))
        )
        .sort("indicator")
    )


def format_status(indicators: pl.DataFrame) -> str:
    """A plain-text table of `status` for the command line."""
    lines = [f"  {'indicator':<26}{'real rows':>10}{'simulated':>11}  status"]
    for r in status(indicators).iter_rows(named=True):
        lines.append(
            f"  {r['indicator']:<26}{r['real_rows']:>10,}{r['simulated_rows']:>11,}  {r['status']}"
        )
    return "\n".join(lines)


def _gemeente_names(regions: pl.DataFrame) -> dict[str, str]:
    """2024 gemeente code → name: what fetched and imported rows are checked against."""
    return dict(regions.filter(pl.col("type") == "gemeente").select("code", "name").iter_rows())


# ------------------------------------------------------------------------------------ fetch


def parse_years(text: str) -> list[int]:
    """'2020-2024' or '2022,2024' → a sorted list of years."""
    years: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, _, hi = part.partition("-")
        try:
            years.update(range(int(lo), int(hi or lo) + 1))
        except ValueError as exc:
            raise ValueError(f"--years {text!r}: use 2020-2024 or 2022,2024") from exc
    return sorted(years)


def run_fetch(
    data_dir: Path,
    *,
    mirror: Path | None = None,
    base_url: str = cbs.DEFAULT_BASE_URL,
    mapping: Path | None = None,
    years: list[int] | None = None,
    use_crosswalk: bool = False,
    fetch_maps: bool = True,
    map_url: str = maps.DEFAULT_MAP_URL,
    map_year: int = 2024,
    save_mirror: Path | None = None,
    progress: Progress = print,
    dry_run: bool = False,
    catalog_url: str = "",
    plan_only: bool = False,
) -> str:
    """Find the mapped CBS tables in the catalogue, download them (and maps), merge them into
    data/, return a summary.

    Without `years`, every year the catalogue offers from the monitor's first year on is fetched.
    What changes is printed (through `progress`) before anything is written; with `dry_run`
    nothing is written and the summary says what would change; with `plan_only` only the
    catalogue is read and the summary is the plan.
    """
    with history.locked(Path(data_dir)):
        return _fetch(
            Path(data_dir),
            mirror=mirror,
            base_url=base_url,
            mapping=mapping,
            years=years,
            use_crosswalk=use_crosswalk,
            fetch_maps=fetch_maps,
            map_url=map_url,
            map_year=map_year,
            save_mirror=save_mirror,
            progress=progress,
            dry_run=dry_run,
            catalog_url=catalog_url,
            plan_only=plan_only,
        )


def _fetch(
    data_dir: Path,
    *,
    mirror: Path | None,
    base_url: str,
    mapping: Path | None,
    years: list[int] | None,
    use_crosswalk: bool,
    fetch_maps: bool,
    map_url: str,
    map_year: int,
    save_mirror: Path | None,
    progress: Progress,
    dry_run: bool,
    catalog_url: str,
    plan_only: bool,
) -> str:
    frames, _ = store.read_tables(Path(data_dir))
    regions = frames["regions"]
    gemeenten = _gemeente_names(regions)
    specs = cbs.load_mapping(
        mapping, set(frames["catalogue"]["indicator"]), set(frames["breakdowns"]["breakdown"])
    )
    first_year = int(frames["indicators"]["year"].min())
    source = (
        cbs.MirrorOData(Path(mirror), progress)
        if mirror
        else cbs.HttpOData(
            base_url, save_to=save_mirror, progress=progress, catalog_url=catalog_url
        )
    )
    where = f"mirror {mirror}" if mirror else base_url
    plan = cbs.read_plan(source, specs, years, first_year)
    if plan_only:
        return fetch_plan.describe(plan, specs, frames["indicators"], source.catalog_where)
    span = fetch_plan.years_text(years) if years else f"every year from {first_year} on"
    progress(f"Fetching CBS figures ({span}) from {where}")
    for line in fetch_plan.left_aside(plan):
        progress(f"  {line}")
    result = cbs.fetch(
        source,
        plan,
        specs,
        set(gemeenten),
        gemeenten,
        population=frames["population"],
        years=years,
        first_year=first_year,
        use_crosswalk=use_crosswalk,
        progress=progress,
    )
    if not result.indicators.height and not result.population.height:
        raise cbs.CbsError("CBS returned no usable figures: data/ is unchanged")

    tables: dict[str, pl.DataFrame] = {}
    if result.indicators.height:
        tables["indicators"] = merge_slices(frames["indicators"], result.indicators)
    if result.population.height:
        tables["population"] = merge_rows(frames["population"], result.population, "population")
    map_text = None
    if fetch_maps:
        progress(f"Fetching maps {map_year} from {f'mirror {mirror}' if mirror else map_url}")
        topos = maps.fetch_topologies(map_year, mirror, map_url, save_mirror, progress)
        maps.check_codes(topos, map_year, regions)
        map_text = build.render_maps(
            topos, maps.layer_names(map_year), frames["membership"], regions
        )
    report = ""
    if result.indicators.height:
        report = side_effects(data_dir, frames, tables, result.indicators)
    if dry_run:
        check_frames(data_dir, {**frames, **tables})
        return "\n".join(
            [
                f"Dry run: nothing was written to {data_dir}. The fetch would change:",
                report or "  no indicator rows",
                f"Tables it would write: {', '.join(sorted(tables)) or 'none'}"
                + (f"; maps: {', '.join(sorted(map_text))}" if map_text else ""),
            ]
        )
    if report:
        progress("What changes:\n" + report)
    written = stage_and_swap(Path(data_dir), tables, map_text, command="fetch")

    final = tables.get("indicators", frames["indicators"])
    lines = [
        f"Wrote {len(written)} changed files to {data_dir} "
        "(the previous versions are kept: `jeugdmonitor history`)."
    ]
    lines += [
        f"CBS {t.table} ({t.title}): " + ", ".join(f"{y} {status}" for y, status in t.status)
        for t in result.tables
    ]
    lines += status_changes(frames["indicators"], result.indicators)
    if result.indicators.height:
        got = (
            result.indicators.group_by("indicator", "breakdown")
            .len()
            .sort("indicator", "breakdown")
        )
        lines.append(
            "Real CBS figures now in data/: "
            + "; ".join(f"{i} {b} ({n} rows)" for i, b, n in got.iter_rows())
        )
    if result.population_year is not None:
        lines.append(
            f"Population: CBS 1 January, {result.population['year'].min()}-"
            f"{result.population_year}, for {result.population['gemeente_code'].n_unique()} "
            "gemeenten (is_estimate = false)."
        )
    empty = {k: n for k, n in result.empty_cells.items() if n}
    if empty:
        lines.append(
            "Not published by CBS (gemeente-years left without a row): "
            + "; ".join(f"{i} {b}: {n}" for (i, b), n in sorted(empty.items()))
        )
    if result.merged_codes:
        lines.append(
            f"Added to their 2024 successor (--crosswalk): {', '.join(result.merged_codes)}"
        )
    lines += ["Indicators, real vs simulated:", format_status(final)]
    return "\n".join(lines)


_STATUS = re.compile(r"\((nader voorlopig|voorlopig|definitief)\)")


def _status_of(source: str) -> str:
    """'voorlopig', 'nader voorlopig', 'definitief', or '' for a source that does not say."""
    found = _STATUS.search(source or "")
    return found.group(1) if found else ""


def status_changes(current: pl.DataFrame, fetched: pl.DataFrame) -> list[str]:
    """'jeugdzorg 2023: voorlopig → definitief' for each indicator-year whose status changes."""
    if not fetched.height:
        return []

    def statuses(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.filter(~pl.col("is_simulated"))
            .group_by("indicator", "year")
            .agg(pl.col("source").first())
            .with_columns(
                pl.col("source").map_elements(_status_of, return_dtype=pl.String).alias("status")
            )
            .drop("source")
        )

    both = statuses(current).join(statuses(fetched), on=["indicator", "year"], suffix="_new")
    moved = both.filter((pl.col("status") != pl.col("status_new")) & (pl.col("status") != "")).sort(
        "indicator", "year"
    )
    return [
        f"Replaced: {i} {y}: {old} → {new} (the {old} figures are kept in the history)"
        for i, y, old, new in moved.iter_rows()
    ]


# ----------------------------------------------------------------------------------- import


def run_import(
    path: Path,
    data_dir: Path,
    statline: csv_import.StatlineColumns | None = None,
    *,
    dry_run: bool = False,
    number_format: str = "plain",
    progress: Progress = print,
) -> str:
    """Check one CSV file, merge its rows into data/indicators.parquet, return a summary.

    What changes (rows per indicator × year, regions whose shown values change, coverage
    warnings) goes to `progress` before anything is written; with `dry_run` it is the summary
    and nothing is written.
    """
    data_dir = Path(data_dir)
    if number_format not in csv_import.NUMBER_FORMATS:
        raise ValueError(f"--number-format {number_format!r}: use plain or nl")
    parsed = csv_import.parse(path)  # most broken files stop here, before any table is read
    with history.locked(data_dir):
        # then the cells are checked against the small tables, and only then is the rest read
        small, _ = store.read_tables(data_dir, ("regions", "catalogue", "breakdowns"))
        context = csv_import.Context(
            _gemeente_names(small["regions"]),
            frozenset(small["catalogue"]["indicator"]),
            frozenset(small["breakdowns"]["breakdown"]),
            load_crosswalk(),
            csv_import.catalogue_years(small["catalogue"]),
        )
        rows = csv_import.read(Path(path), context, statline, number_format, parsed)
        frames, _ = store.read_tables(data_dir)
        merged = merge_rows(frames["indicators"], rows, "indicators")
        if dry_run:  # (a real import validates the staged folder instead)
            check_frames(data_dir, {**frames, "indicators": merged})
        report = side_effects(data_dir, frames, {"indicators": merged}, rows)
        sources = "; ".join(rows["source"].unique().sort())
        if dry_run:
            return "\n".join(
                [
                    f"Dry run: {rows.height} rows from {path} pass every check; nothing was "
                    f"written to {data_dir}. Importing them would change:",
                    report,
                    f"Source: {sources}",
                ]
            )
        progress("What changes:\n" + report)
        written = stage_and_swap(data_dir, {"indicators": merged}, command=f"import {path}")
    replaced = changes.row_changes(frames["indicators"], rows)["replaced"].sum()
    return "\n".join(
        [
            f"Imported {rows.height} rows from {path} "
            f"({replaced} replaced, {rows.height - replaced} new); source: {sources}",
            (
                "The previous indicators.parquet is kept: `jeugdmonitor history`, "
                "`jeugdmonitor restore VERSION`."
                if written
                else "data/ already held exactly these rows: nothing was written."
            ),
            "Indicators, real vs simulated:",
            format_status(merged),
        ]
    )


# -------------------------------------------------------------------------------------- CLI


def _data(args: argparse.Namespace) -> Path:
    return Path(args.data) if args.data else store.default_data_dir()


def _cmd_fetch(args: argparse.Namespace) -> int:
    print(
        run_fetch(
            _data(args),
            mirror=args.mirror,
            base_url=args.base_url,
            mapping=args.mapping,
            years=parse_years(args.years) if args.years else None,
            use_crosswalk=args.crosswalk,
            fetch_maps=not args.no_maps,
            map_url=args.map_url,
            map_year=args.map_year,
            save_mirror=args.save_mirror,
            dry_run=args.dry_run,
            catalog_url=args.catalog_url,
            plan_only=args.plan,
        )
    )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    statline = csv_import.StatlineColumns(
        args.indicator, args.breakdown, args.numerator, args.denominator, args.source
    )
    print(
        run_import(
            args.file,
            _data(args),
            statline,
            dry_run=args.dry_run,
            number_format=args.number_format,
        )
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `fetch` and `import` subcommands to the CLI."""
    f = sub.add_parser(
        "fetch",
        help="download real CBS figures (and maps) into data/; data/ is unchanged on any error",
    )
    f.add_argument("--data", type=Path, help="data folder (default: the bundled data/)")
    f.add_argument(
        "--mirror",
        type=Path,
        help="read from a folder laid out like the downloads (catalog/Tables.json, cbs/<table>/)",
    )
    f.add_argument("--base-url", default=cbs.DEFAULT_BASE_URL, help="CBS OData v3 feed URL")
    f.add_argument("--mapping", type=Path, help="indicator → CBS table file (default: bundled)")
    f.add_argument(
        "--years",
        help="years to fetch, e.g. 2020-2024 (default: every year the catalogue offers from the "
        "monitor's first year on)",
    )
    f.add_argument(
        "--catalog-url",
        default="",
        help="CBS catalogue URL (default: ODataCatalog/Tables on the feed's host)",
    )
    f.add_argument(
        "--plan",
        action="store_true",
        help="read only the catalogue; print the tables and years a fetch would take and which "
        "indicators become real",
    )
    f.add_argument(
        "--crosswalk",
        action="store_true",
        help="add figures of merged gemeenten to their 2024 successor (default: error)",
    )
    f.add_argument("--no-maps", action="store_true", help="keep the current maps")
    f.add_argument("--map-url", default=maps.DEFAULT_MAP_URL, help="cartomap wgs84 folder URL")
    f.add_argument("--map-year", type=int, default=2024, help="year of the map layers")
    f.add_argument("--save-mirror", type=Path, help="also save the downloads here (a mirror)")
    f.add_argument(
        "--dry-run", action="store_true", help="download and check, print what would change"
    )
    f.set_defaults(func=_cmd_fetch)

    i = sub.add_parser(
        "import", help="merge your own figures from a CSV file (long format or StatLine export)"
    )
    i.add_argument("file", type=Path, help="CSV file")
    i.add_argument("--data", type=Path, help="data folder (default: the bundled data/)")
    i.add_argument("--indicator", help="StatLine export: which indicator the figures are")
    i.add_argument("--breakdown", default="all", help="StatLine export: breakdown (default all)")
    i.add_argument("--numerator", help="StatLine export: column title of the numerator count")
    i.add_argument("--denominator", help="StatLine export: column title of the denominator count")
    i.add_argument("--source", help="StatLine export: source text (default: the file name)")
    i.add_argument(
        "--number-format",
        choices=csv_import.NUMBER_FORMATS,
        default="plain",
        help="long format counts: plain (9000, default) or nl (9.000 = 9000; 12,5 is refused)",
    )
    i.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and print what would change (rows, regions, coverage); write nothing",
    )
    i.set_defaults(func=_cmd_import)
