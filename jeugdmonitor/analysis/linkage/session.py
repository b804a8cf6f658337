"""What the linkage notebook needs around the pipeline: key check, input choice, one cached run.

The notebook reads its extracts from `-- --inschrijvingen PATH --jeugdhulp PATH`; without them it
uses the default synthetic gemeente, generated in memory (nothing written) and flagged simulated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from jeugdmonitor.analysis.linkage import pipeline, synthetic
from jeugdmonitor.analysis.linkage.pseudonym import MissingKeyError, load_key

_RUNS: dict[tuple, pipeline.LinkageResult] = {}


@dataclass(frozen=True)
class Inputs:
    """The two extracts to link, and how to describe them in the notebook."""

    enrolment: object  # path or DataFrame
    jeugdhulp: object
    simulated: bool
    description: str
    cache_key: tuple


def key_or_error() -> tuple[bytes | None, str]:
    """The pseudonymisation key, or None with the reason (the notebook stops without a key)."""
    try:
        return load_key(), ""
    except MissingKeyError as exc:
        return None, str(exc)


def inputs(args: dict[str, str]) -> Inputs:
    """Extracts named on the command line, else the default synthetic gemeente (in memory)."""
    enrolment, jeugdhulp = args.get("inschrijvingen"), args.get("jeugdhulp")
    if enrolment and jeugdhulp:
        paths = (Path(enrolment), Path(jeugdhulp))
        return Inputs(
            *paths,
            simulated=pipeline.is_synthetic(*paths),
            description=f"`{paths[0].name}` en `{paths[1].name}`",
            cache_key=tuple(str(p.resolve()) for p in paths),
        )
    data = synthetic.extracts("gemeente")
    return Inputs(
        synthetic.typed(data.enrolment),
        synthetic.typed(data.jeugdhulp),
        simulated=True,
        description="gesimuleerde extracten van een middelgrote gemeente (fictieve leerlingen)",
        cache_key=("synthetisch", "gemeente"),
    )


def run(source: Inputs, key: bytes) -> pipeline.LinkageResult:
    """Run the linkage once per inputs and key in this process (re-used across cell reruns)."""
    cache = (*source.cache_key, hashlib.sha256(key).hexdigest())
    if cache not in _RUNS:
        _RUNS[cache] = pipeline.run(
            source.enrolment, source.jeugdhulp, key, simulated=source.simulated
        )
    return _RUNS[cache]


def cli_args() -> dict[str, str]:
    """marimo's command-line arguments, or {} outside a running app."""
    import marimo as mo

    try:
        return dict(mo.cli_args())
    except Exception:  # ContextNotInitializedError when run as a plain script
        return {}
