"""Benchmark: fitting the expected-use model for every care form (target: under 2 s).

Prints absolute times and ratios against two baselines measured in the same run on the same
design: one statsmodels GLM fit (jeugdhulp) and one numpy least-squares solve.
Run: python bench/bench_model.py
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from jeugdmonitor import model
from jeugdmonitor.regions import REGION_TYPES
from jeugdmonitor.sections.verwacht import section
from jeugdmonitor.store import load

REPEATS = 7


def timed(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time of fn() in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    store = load()

    def fresh():
        return dataclasses.replace(store, _cache={})  # same frames, empty per-process caches

    bg = model.background(store)
    z = bg.select(
        ((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).alias(c)
        for c in ("armoede", "eenoudergezin", "achterstandsleerlingen", "stedelijkheid")
    )
    outcome = store.indicators.filter(
        pl.col("indicator") == "jeugdhulp", pl.col("breakdown") == "all", pl.col("year") == 2024
    ).sort("gemeente_code")
    y, n = outcome["numerator"].to_numpy(), outcome["denominator"].to_numpy()
    exog = np.column_stack([np.ones(len(n)), z.to_numpy()])

    lstsq = timed(lambda: np.linalg.lstsq(exog, np.log(y / (n - y)), rcond=None), 50)
    one_glm = timed(lambda: model.fit_binomial(y, n, z), 20)

    def cold_fit_all():
        model.fit_all(fresh())

    def warm_fit_all():
        s = fresh()
        model.background(s)  # predictors and map areas already prepared
        start = time.perf_counter()
        model.fit_all(s)
        return time.perf_counter() - start

    def cold_expected_everywhere():
        s = fresh()
        for form in model.CARE_FORMS:
            for region_type in REGION_TYPES:
                model.expected_values(s, form.key, region_type)

    def section_warm():
        section(store, "GM0363")

    cold = timed(cold_fit_all)
    warm = statistics.median(warm_fit_all() for _ in range(REPEATS))
    everywhere = timed(cold_expected_everywhere)
    section(store, "GM0363")  # fill caches once
    sec = timed(section_warm)

    forms = len(model.CARE_FORMS)
    print(f"design: {exog.shape[0]} gemeenten x {exog.shape[1]} terms, {forms} care forms")
    print(f"baseline numpy lstsq (1 form)            {1e3 * lstsq:8.2f} ms   1.0x")
    print(
        f"baseline one GLM fit + HC3 (1 form)      {1e3 * one_glm:8.2f} ms   {one_glm / lstsq:.1f}x lstsq"
    )
    rows = [
        ("fit all forms, predictors ready", warm),
        ("fit all forms, cold (incl. map areas)", cold),
        ("cold: fits + expected for 6 levels", everywhere),
        ("section Amsterdam, model cached", sec),
    ]
    for label, t in rows:
        print(
            f"{label:<40} {1e3 * t:8.2f} ms   {t / one_glm:5.1f}x one GLM   {t / lstsq:7.0f}x lstsq"
        )
    verdict = "PASS" if cold < 2.0 else "FAIL"
    print(f"target: fitting every care form < 2 s (cold): {cold:.3f} s  {verdict}")


if __name__ == "__main__":
    main()
