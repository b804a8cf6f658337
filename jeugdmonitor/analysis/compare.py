"""The user's own comparison gemeenten (`Choices.compare`): read from a URL or the command line.

A comparison set is at most MAX_COMPARE gemeente codes, upper-cased, without repeats, in the
order given. `?compare=GM0014,GM0034` in the app and `jeugdmonitor report --compare GM0014,GM0034`
use the same text; the app ignores what it cannot use (and says so), the command line refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable

from jeugdmonitor.data.regions import normalize_code
from jeugdmonitor.data.store import Store

MAX_COMPARE = 10  # more names no longer fit a strip or a table column per gemeente


class CompareError(ValueError):
    """A comparison set the command line cannot use (unknown code, not a gemeente, too many)."""


def split_codes(value: str | Iterable[str] | None) -> list[str]:
    """'GM0014, gm0034' (or a list of such texts, as a repeated URL parameter gives) → codes."""
    if value is None:
        return []
    parts = [value] if isinstance(value, str) else list(value)
    return [normalize_code(c) for part in parts for c in str(part).split(",") if c.strip()]


PROBLEMS_NL = {
    "unknown": "{code} bestaat niet",
    "type": "{code} is geen gemeente",
    "many": "{code} valt buiten de eerste {n}",
}
PROBLEMS_EN = {
    "unknown": "{code} is not a known region code",
    "type": "{code} is not a gemeente",
    "many": "{code} is one more than {n}",
}


def parse_compare(
    store: Store, value: str | Iterable[str] | None
) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """The usable gemeente codes (at most MAX_COMPARE, no repeats) and the rest, each as (code,
    problem): 'unknown', 'type' (not a gemeente) or 'many' (beyond the first MAX_COMPARE)."""
    codes: list[str] = []
    problems: list[tuple[str, str]] = []
    for code in dict.fromkeys(split_codes(value)):
        region = store.region_index.get(code)
        if region is None:
            problems.append((code[:12], "unknown"))
        elif region["type"] != "gemeente":
            problems.append((code, "type"))
        elif len(codes) >= MAX_COMPARE:
            problems.append((code, "many"))
        else:
            codes.append(code)
    return tuple(codes), problems


def problem_text(problems: list[tuple[str, str]], texts: dict[str, str] = PROBLEMS_NL) -> str:
    """The problems of `parse_compare` as one line ('GM9999 bestaat niet; PO2707 is geen …')."""
    return "; ".join(texts[kind].format(code=code, n=MAX_COMPARE) for code, kind in problems)


def compare_codes(store: Store, value: str | Iterable[str] | None) -> tuple[str, ...]:
    """`parse_compare` for the command line: every code must be a known gemeente, at most ten."""
    codes, problems = parse_compare(store, value)
    if problems:
        raise CompareError(
            f"--compare takes up to {MAX_COMPARE} gemeente codes separated by commas, e.g. "
            f"GM0014,GM0034: {problem_text(problems, PROBLEMS_EN)}"
        )
    return codes
