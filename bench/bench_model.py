"""Benchmark: fitting the expected-use model for every care form (target: under 2 s), and
rendering the "Verwacht en werkelijk" section and the benchmark strip (targets, warm, for a
gemeente: section < 40 ms median, strip figure < 10 ms median).

Prints absolute times and ratios against baselines measured in the same run: for the fit, one
statsmodels GLM fit (jeugdhulp) and one numpy least-squares solve; for the section and the strip,
the first (cold) call in the process and the same call with every chart template rebuilt by
Altair (what each render cost before the charts became templates).
Run: python bench/bench_model.py
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from jeugdmonitor import charts, model
from jeugdmonitor.regions import REGION_TYPES, get_region
from jeugdmonitor.sections import verwacht
from jeugdmonitor.sections.benchmark_strip import benchmark_figure
from jeugdmonitor.sections.verwacht import section
from jeugdmonitor.store import load

TEMPLATES = [
    charts._ventile_template,
    charts._ratio_template,
    charts._coefficient_template,
    charts._strip_template,
]
GEMEENTE = "GM0344"  # Utrecht

REPEATS = 7


def timed(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time of fn() in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def render_section(store, region) -> int:
    """The section with every chart's Vega-Lite JSON, as the app and the report need it."""
    figures = verwacht.build(store, region).figures
    return sum(len(f.chart.to_json()) for f in figures if f.chart is not None)


def render_strip(store, code: str) -> int:
    return len(benchmark_figure(store, code, "jeugdhulp").chart.to_json())


def uncached(fn: Callable[[], object]) -> Callable[[], object]:
    """fn with every issue-5 chart template rebuilt by Altair first (the old per-call cost)."""

    def run() -> object:
        for template in TEMPLATES:
            template.cache_clear()
        return fn()

    return run


def bench_rendering(store) -> None:
    """Section and strip: cold first call, uncached templates and warm medians, as ratios."""
    region = get_region(store, GEMEENTE)
    start = time.perf_counter()
    render_section(store, region)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    render_strip(store, "GM0363")
    cold_strip = time.perf_counter() - start
    section_uncached = timed(uncached(lambda: render_section(store, region)), 5)
    strip_uncached = timed(uncached(lambda: render_strip(store, GEMEENTE)), 9)
    section_warm = timed(lambda: render_section(store, region), 21)
    strip_warm = timed(lambda: render_strip(store, GEMEENTE), 41)
    sample = store.regions.filter(pl.col("type") == "gemeente")["code"].to_list()[::17]
    for code in sample:  # first call per gemeente: its comparable gemeenten
        render_strip(store, code)
    per_gemeente = statistics.median(
        timed(lambda c=code: render_section(store, get_region(store, c)), 3) for code in sample
    )
    rows = [
        (f"section {GEMEENTE}, cold (first call)", cold),
        (f"section {GEMEENTE}, templates rebuilt", section_uncached),
        (f"section {GEMEENTE}, warm", section_warm),
        (f"section, {len(sample)} gemeenten, warm", per_gemeente),
        ("strip GM0363, first call for a gemeente", cold_strip),
        (f"strip {GEMEENTE}, templates rebuilt", strip_uncached),
        (f"strip {GEMEENTE}, warm", strip_warm),
    ]
    print()
    print(f"{'render (chart JSON included)':<40} {'median':>11}   vs cold   vs rebuilt")
    for label, t in rows:
        base_cold = cold_strip if label.startswith("strip") else cold
        base_rebuilt = strip_uncached if label.startswith("strip") else section_uncached
        print(f"{label:<40} {1e3 * t:8.2f} ms   {t / base_cold:6.3f}x   {t / base_rebuilt:6.3f}x")
    print(
        f"target: section warm < 40 ms: {1e3 * section_warm:.1f} ms "
        f"{'PASS' if section_warm < 0.040 else 'FAIL'}; strip warm < 10 ms: "
        f"{1e3 * strip_warm:.1f} ms {'PASS' if strip_warm < 0.010 else 'FAIL'}"
    )


def main() -> None:
    store = load()
    bench_rendering(store)  # first: its cold call must be the first render in the process

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
        model.background(s)  # predictors already prepared
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
        ("fit all forms, cold (incl. predictors)", cold),
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
