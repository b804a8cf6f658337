"""`jeugdmonitor linkage keygen | generate | run`: the school linkage from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def _keygen(args: argparse.Namespace) -> int:
    from jeugdmonitor.analysis.linkage.pseudonym import KEY_FILE_ENV, write_key

    path = write_key(args.path)
    print(f"wrote a new linkage key to {path} (mode 0600); use it with {KEY_FILE_ENV}={path}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from jeugdmonitor.analysis.linkage.synthetic import generate

    manifest = generate(
        args.out,
        args.scale,
        seed=args.seed,
        bad_fraction=args.bad_fraction,
        formats=tuple(args.format),
    )
    rows = manifest["rijen"]
    print(
        f"wrote synthetic extracts to {args.out}: {rows['inschrijvingen']} enrolment rows, "
        f"{rows['jeugdhulp']} jeugdhulp rows, {manifest['scholen']} schools "
        f"(bad rows on purpose: {args.bad_fraction:.2%})"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    from jeugdmonitor.analysis.linkage import audit, pipeline, publish
    from jeugdmonitor.analysis.linkage.pseudonym import load_key
    from jeugdmonitor.data.files import atomic_writes, formula_safe

    key = load_key(args.key_file)  # refuses to continue without a key
    result = pipeline.run(args.inschrijvingen, args.jeugdhulp, key, until=args.peildatum)
    for row in result.summary.iter_rows(named=True):
        print(
            f"{row['bestand']}: {row['rijen']} rows, {row['geldig']} valid, {row['afgekeurd']} rejected"
        )
    reasons = result.rejects.group_by("bestand", "controle").len().sort("bestand", "controle")
    for bestand, controle, n in reasons.iter_rows():
        print(f"  rejected {n:>7} × {controle} ({Path(bestand).name})", file=sys.stderr)
    if args.audit:
        found = audit.audit(result.tables["kerncijfers"], result.tables["verdelingen"])
        if found.height:
            print(
                f"audit: {found.height} hidden cells can be derived; nothing written",
                file=sys.stderr,
            )
            return 1
        print("audit: no hidden cell can be derived from the published totals")
    if args.rejects:
        target = Path(args.rejects)
        atomic_writes({target: lambda p: formula_safe(result.rejects).write_csv(p)})
        print(f"wrote the rejected-row report (no BSN) to {target}")
    written = publish.export(result.tables, args.out)
    label = " (synthetic data)" if result.simulated else ""
    print(f"wrote {len(written)} files of suppressed aggregates to {args.out}{label}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `linkage` command with its subcommands to the main parser."""
    from jeugdmonitor.analysis.linkage.synthetic import SCALES

    top = sub.add_parser("linkage", help="school-level linkage of jeugdhulp and leerplicht")
    cmds = top.add_subparsers(dest="linkage_command", required=True)

    k = cmds.add_parser("keygen", help="create a random pseudonymisation key file outside the repo")
    k.add_argument("path", type=Path, help="where to write the key (must not be inside a git repo)")
    k.set_defaults(func=_keygen)

    g = cmds.add_parser("generate", help="write deterministic synthetic extracts")
    g.add_argument("out", type=Path, help="output folder")
    g.add_argument("--scale", choices=sorted(SCALES), default="gemeente")
    g.add_argument("--seed", type=int, default=3)
    g.add_argument("--bad-fraction", type=float, default=0.002, help="share of rows with a defect")
    g.add_argument("--format", nargs="+", choices=["csv", "parquet"], default=["csv", "parquet"])
    g.set_defaults(func=_generate)

    r = cmds.add_parser("run", help="validate, pseudonymise, link and export suppressed aggregates")
    r.add_argument(
        "--inschrijvingen", required=True, type=Path, help="enrolment extract (.csv/.parquet)"
    )
    r.add_argument(
        "--jeugdhulp", required=True, type=Path, help="jeugdhulp extract (.csv/.parquet)"
    )
    r.add_argument("--out", required=True, type=Path, help="folder for the suppressed aggregates")
    r.add_argument(
        "--key-file", type=Path, help="key file (default: $JEUGDMONITOR_LINKAGE_KEY[_FILE])"
    )
    r.add_argument(
        "--peildatum", type=date.fromisoformat, help="end of ongoing trajectories (jjjj-mm-dd)"
    )
    r.add_argument(
        "--rejects",
        type=Path,
        help="also write the rejected-row report (CSV: row, column, reason; no BSN); "
        "row-level diagnostics, keep them inside the secure environment",
    )
    r.add_argument("--audit", action="store_true", help="check that no hidden cell can be derived")
    r.set_defaults(func=_run)
