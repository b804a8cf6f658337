"""Command line: `jeugdmonitor build | validate | fetch | import | history | restore` (and the subcommands other modules register)."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

REPAIR_HINT = (
    "Repair: `jeugdmonitor build` regenerates data/ from the raw sources; `jeugdmonitor history` "
    "lists the versions kept before each import/fetch and `jeugdmonitor restore VERSION` brings one back."
)


def _cmd_build(args: argparse.Namespace) -> int:
    from jeugdmonitor.data.build import CHECK_YEAR
    from jeugdmonitor.data.history import build_keeping
    from jeugdmonitor.data.store import default_data_dir, validate

    out = args.out or default_data_dir()
    written, share = build_keeping(args.sources, out)  # replaced files are kept in out/history
    print(f"wrote {len(written)} changed files to {out}")
    print(f"national jeugdzorg share 0-18, {CHECK_YEAR}: {share:.2%} (CBS reports about 13%)")
    problems = validate(out)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    return 1 if problems else 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from jeugdmonitor.data.store import default_data_dir, validate

    data = Path(args.dir) if args.dir else default_data_dir()
    problems = validate(data)
    if problems:
        print(f"{data}: {len(problems)} problem(s) (the header is row 1):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        print(REPAIR_HINT, file=sys.stderr)
        return 1
    print(f"{data}: all checks passed")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from jeugdmonitor.analysis.compare import CompareError, compare_codes
    from jeugdmonitor.data.store import load
    from jeugdmonitor.present import report
    from jeugdmonitor.present.sections import Choices

    try:
        store = load(args.data)
        choices = Choices(
            include_simulated=args.include_simulated, compare=compare_codes(store, args.compare)
        )
        if args.all:
            paths = report.write_all(args.out, data_dir=args.data, jobs=args.jobs, choices=choices)
            print(f"wrote {len(paths)} reports and index.html to {args.out}")
        else:
            path = report.write_report(
                store, args.region, args.out, choices=choices, csv_all=args.csv_all
            )
            print(f"wrote {path}")
    except (report.ReportError, CompareError) as exc:
        print(f"jeugdmonitor report: error: {exc}", file=sys.stderr)
        return 2
    return 0


@functools.lru_cache(maxsize=1)
def parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand (built once per process: argparse looks up
    translations for every option, which costs more than most commands' work)."""
    ap = argparse.ArgumentParser(prog="jeugdmonitor", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build data/ from the raw sources (deterministic)")
    b.add_argument(
        "--sources",
        type=Path,
        default=None,
        help="raw data folder (default: the repository's raw/)",
    )
    b.add_argument(
        "--out", type=Path, default=None, help="output data folder (default: the bundled data/)"
    )
    b.set_defaults(func=_cmd_build)

    v = sub.add_parser("validate", help="check a data folder; exit 1 when a check fails")
    v.add_argument("dir", nargs="?", help="data folder (default: the bundled data/)")
    v.set_defaults(func=_cmd_validate)

    r = sub.add_parser("report", help="static HTML report(s) that open offline")
    which = r.add_mutually_exclusive_group(required=True)
    which.add_argument("--region", help="region code, e.g. GM0363, PO2707, JZ01, PV27, NL01")
    which.add_argument("--all", action="store_true", help="every region, plus index.html")
    r.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    r.add_argument("--data", type=Path, default=None, help="data folder (default: bundled data/)")
    r.add_argument(
        "--jobs", type=int, default=None, help="worker processes for --all (default: cores)"
    )
    r.add_argument(
        "--include-simulated",
        action="store_true",
        help="also show simulated example figures (badged 'gesimuleerd'); default: real only",
    )
    r.add_argument(
        "--compare",
        metavar="GM…,GM…",
        default=None,
        help="up to 10 gemeente codes to compare with, e.g. GM0014,GM0034 (default: the 10 "
        "computed comparable gemeenten of a gemeente)",
    )
    r.add_argument(
        "--csv-all",
        action="store_true",
        help="CSVs with every region of the level, in a folder beside the report (default: the "
        "region's own rows, also inside the report)",
    )
    r.set_defaults(func=_cmd_report)

    from jeugdmonitor.analysis import update

    update.register(sub)  # fetch, import

    from jeugdmonitor.data import history

    history.register(sub)  # history, restore

    from jeugdmonitor.analysis.linkage.cli import register as register_linkage

    register_linkage(sub)

    from jeugdmonitor.app import serve

    serve.register(sub)  # serve, htpasswd
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `jeugdmonitor` console script."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError) as exc:
        print(f"jeugdmonitor {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
