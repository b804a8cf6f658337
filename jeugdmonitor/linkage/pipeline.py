"""The whole linkage in one call: extracts → pseudonymised rows → linked → indicators → suppressed.

Microdata stay in memory; what `run` returns for publication (`LinkageResult.tables`) holds only
suppressed aggregates. Rejected rows are reported without BSN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from jeugdmonitor.linkage import aggregate, link, publish, suppress
from jeugdmonitor.linkage.extracts import Extract, Source, read_enrolment, read_jeugdhulp
from jeugdmonitor.stats import MIN_COUNT

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
) -> LinkageResult:
    """Validate, pseudonymise, link, compute the seven indicators and suppress them."""
    pupils = read_enrolment(enrolment, key)
    care = read_jeugdhulp(jeugdhulp, key)
    until = until or link.peildatum(care.clean)
    kern, mix, coverage = raw_indicators(pupils, care, until)
    kern, mix = suppress.protect(kern, mix)
    simulated = is_synthetic(enrolment, jeugdhulp) if simulated is None else simulated
    small = pl.col("trajecten", "gekoppeld")
    return LinkageResult(
        tables=publish.published(kern, mix, simulated),
        rejects=pl.concat([pupils.rejects, care.rejects]),
        summary=_summary(pupils, care),
        coverage=coverage.with_columns(pl.when(small >= MIN_COUNT).then(small).name.keep()),
        simulated=simulated,
        peildatum=until,
    )
