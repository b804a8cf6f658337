"""The whole linkage in one call: extracts → pseudonymised rows → linked → indicators → suppressed.

Microdata stay in memory; what `run` returns for publication (`LinkageResult.tables`) holds only
suppressed aggregates. Rejected rows are reported without BSN.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from jeugdmonitor.analysis.linkage import aggregate, link, publish, suppress
from jeugdmonitor.analysis.linkage.extracts import Extract, Source, read_enrolment, read_jeugdhulp
from jeugdmonitor.analysis.stats import MIN_COUNT

SYNTHETIC_MARKER = "synthetisch.json"  # written by the generator next to synthetic extracts


@dataclass(frozen=True)
class LinkageResult:
    """Suppressed tables for publication plus the run's diagnostics (no microdata)."""

    tables: dict[str, pl.DataFrame]
    rejects: pl.DataFrame
    summary: pl.DataFrame
    coverage: pl.DataFrame
    simulated: bool
    peildatum: date


class _Clock:
    """Call a stage and, when a dict is given, record its wall time under the stage name."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    def __call__(self, name: str, func, *args):
        start = time.perf_counter()
        out = func(*args)
        if self.timings is not None:
            self.timings[name] = time.perf_counter() - start
        return out


def is_synthetic(*sources: Source) -> bool:
    """True when a source file sits next to the generator's marker file."""
    return any(
        isinstance(s, str | Path) and (Path(s).parent / SYNTHETIC_MARKER).is_file() for s in sources
    )


def raw_indicators(
    enrolment: Extract, jeugdhulp: Extract, until: date | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Unsuppressed kern and mix tables plus coverage (in memory only; never export these)."""
    until = until or link.peildatum(jeugdhulp.clean)
    pupils = enrolment.clean.lazy()
    care = jeugdhulp.clean.lazy()
    linked = link.link(pupils, care, until).collect(engine="streaming").lazy()
    schools = aggregate.schools(pupils)
    coverage = link.coverage(care, linked, until)
    return aggregate.kern(schools, linked), aggregate.mix(schools, linked), coverage


def _summary(*extracts: Extract) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "bestand": [e.name for e in extracts],
            "rijen": [e.rows for e in extracts],
            "geldig": [e.clean.height for e in extracts],
            "afgekeurd": [e.rejects.height for e in extracts],
        }
    )


def run(
    enrolment: Source,
    jeugdhulp: Source,
    key: bytes,
    until: date | None = None,
    simulated: bool | None = None,
    timings: dict[str, float] | None = None,
) -> LinkageResult:
    """Validate, pseudonymise, link, compute the seven indicators and suppress them.

    `timings`, when given, receives the wall time in seconds of each stage (for bench/).
    """
    clock = _Clock(timings)
    pupils = clock("inschrijvingen", read_enrolment, enrolment, key)
    care = clock("jeugdhulp", read_jeugdhulp, jeugdhulp, key)
    until = until or link.peildatum(care.clean)
    kern, mix, coverage = clock("koppelen_en_indicatoren", raw_indicators, pupils, care, until)
    kern, mix = clock("onderdrukken", suppress.protect, kern, mix)
    simulated = is_synthetic(enrolment, jeugdhulp) if simulated is None else simulated
    small = pl.col("trajecten", "gekoppeld")
    tables = clock("publiceren", publish.published, kern, mix, simulated)
    return LinkageResult(
        tables=tables,
        rejects=pl.concat([pupils.rejects, care.rejects]),
        summary=_summary(pupils, care),
        coverage=coverage.with_columns(pl.when(small >= MIN_COUNT).then(small).name.keep()),
        simulated=simulated,
        peildatum=until,
    )
