"""Simulated (demo) indicator values for 2020-2024 where no real source exists, flagged `is_simulated`.

Problem areas, children in single-parent families and in poverty, achterstandsleerlingen,
special-education pupils, jeugdzorg per onderwijssoort and jeugdhulp per zorgvorm cannot be
obtained offline. They are simulated, seeded (deterministic) and calibrated: for every indicator,
breakdown and year the intercept is solved so the national rate equals the documented target in
`reference/demo_targets.csv`. Between gemeenten they follow each gemeente's *real* covariates, so
a simulated map is plausible:

- armoede follows the real share of households with a low income (KWB 2021, `p_hh_lkk`);
- urbanity is the standardised log address density (KWB `ste_oad`, the measure behind `ste_mvs`);
- eenoudergezin follows the real share of jeugdzorg clients living with one parent (85335NED);
- achterstand follows low income, the social minimum and urbanity;
- simulated youth-care series follow the gemeente's real jeugdzorg level (85335NED, 2022);
- a small seeded local effect is added to each, and counts are binomial draws, so small
  gemeenten are noisier; each year adds the national change of the target plus a local drift.

Where a real series exists for an indicator × breakdown (`real_keys`), nothing is simulated for
it: a series is either real or simulated, never both. Sums use `math.fsum` and probabilities are
rounded, so the draws do not depend on summation order or the CPU's vector instructions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from jeugdmonitor.data.files import reference_csv

SEED = 20_240_101
YEARS = tuple(range(2020, 2025))
AGES = ("0-4", "4-12", "12-18")
DEMO_SOURCE = "Gesimuleerd (demo), gekalibreerd op landelijke niveaus"
ONDERWIJSSOORTEN = ("po", "sbo", "so", "vo", "vso", "pro", "mbo")
# Share of 4-11 year olds in sbo/so, and of 12-17 year olds in vso/pro/mbo (DUO 2020, rounded).
PUPIL_RATES = {"sbo": 0.024, "so": 0.023, "vso": 0.033, "pro": 0.025, "mbo": 0.200}
# A drawn national rate may differ this much (as a fraction) from its target before a redraw.
NATIONAL_TOLERANCE = 0.002
P_DIGITS = 12  # probabilities are rounded before drawing (CPU-independent draws)


def load_targets() -> pl.DataFrame:
    """The documented national targets (percentages) per indicator and breakdown, 2020 + change/yr."""
    return reference_csv(
        "demo_targets", schema_overrides={"target_2020": pl.Float64, "change_per_year": pl.Float64}
    )


def target_table(targets: pl.DataFrame) -> pl.DataFrame:
    """Targets expanded to one row per year: indicator, breakdown, year, target (%)."""
    return (
        targets.join(pl.DataFrame({"year": list(YEARS)}), how="cross")
        .with_columns(
            target=(
                pl.col("target_2020") + pl.col("change_per_year") * (pl.col("year") - YEARS[0])
            ).round(4)
        )
        .select("indicator", "breakdown", "year", "target")
    )


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _z(x: np.ndarray) -> np.ndarray:
    mean = math.fsum(x) / len(x)
    sd = math.sqrt(math.fsum((x - mean) ** 2) / len(x))
    return (x - mean) / sd


def calibrate(offset: np.ndarray, n: np.ndarray, target: float) -> np.ndarray:
    """Probabilities expit(c + offset) with c solved so the n-weighted mean equals `target`."""
    total = math.fsum(n)
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if math.fsum(n * _expit(mid + offset)) / total < target:
            lo = mid
        else:
            hi = mid
    return np.round(_expit((lo + hi) / 2 + offset), P_DIGITS)


@dataclass(frozen=True)
class Covariates:
    """Real characteristics per gemeente (aligned with `codes`) that steer the simulation."""

    codes: list[str]
    urbanity: np.ndarray  # z of log address density
    low_income: np.ndarray  # logit of the share of households with a low income, centred
    social_minimum: np.ndarray  # z of logit of the share under or around the social minimum
    single_parent: np.ndarray  # z of logit of the share of jeugdzorg clients with one parent
    care: np.ndarray  # logit of the real jeugdzorg share 0-18 (2022), centred


def covariates(context: pl.DataFrame, real: pl.DataFrame, codes: list[str]) -> Covariates:
    """Derive the simulation's covariates from the real context and real indicator rows.

    Missing values (a suppressed count) fall back to the national share.
    """
    frame = pl.DataFrame({"gemeente_code": codes})

    def variable(name: str, year: int) -> np.ndarray:
        values = context.filter((pl.col("variable") == name) & (pl.col("year") == year))
        return (
            frame.join(values.select("gemeente_code", "value"), on="gemeente_code", how="left")[
                "value"
            ]
            .fill_null(strategy="mean")
            .to_numpy()
        )

    def share(indicator: str, breakdown: str) -> np.ndarray:
        rows = real.filter(
            (pl.col("indicator") == indicator)
            & (pl.col("breakdown") == breakdown)
            & (pl.col("year") == 2022)
        )
        national = rows["numerator"].sum() / rows["denominator"].sum()
        return (
            frame.join(
                rows.select("gemeente_code", (pl.col("numerator") / pl.col("denominator")).alias("p")),
                on="gemeente_code",
                how="left",
            )["p"]
            .fill_null(national)
            .to_numpy()
        )  # fmt: skip

    def centred(x: np.ndarray) -> np.ndarray:
        return x - math.fsum(x) / len(x)

    return Covariates(
        codes=codes,
        urbanity=_z(np.log(variable("adressendichtheid", 2022))),
        low_income=centred(_logit(variable("pct_laag_inkomen", 2021) / 100)),
        social_minimum=_z(_logit(variable("pct_sociaal_minimum", 2021) / 100)),
        single_parent=_z(_logit(share("jeugdzorg_huishouden", "huishouden=eenouder"))),
        care=centred(_logit(share("jeugdzorg", "all"))),
    )


class _Sim:
    """Holds the generator while the tables are drawn; collects rows, skipping real series."""

    def __init__(
        self, codes: list[str], targets: pl.DataFrame, real_keys: set[tuple[str, str]]
    ) -> None:
        self.rng = np.random.default_rng(SEED)
        self.codes = codes
        self.g = len(codes)
        self.real_keys = real_keys
        self.targets = {
            (r["indicator"], r["breakdown"]): (r["target_2020"], r["change_per_year"])
            for r in targets.iter_rows(named=True)
        }
        self.slope = 0.03 * self.rng.standard_normal(self.g)  # local drift in logit per year
        self.rows: list[pl.DataFrame] = []

    def noise(self, scale: float) -> np.ndarray:
        return scale * self.rng.standard_normal(self.g)

    def target(self, indicator: str, breakdown: str, year: int) -> float:
        base, change = self.targets[(indicator, breakdown)]
        return (base + change * (year - YEARS[0])) / 100.0

    def draw(
        self,
        indicator: str,
        breakdown: str,
        year: int,
        offset: np.ndarray,
        n: np.ndarray,
        rate: float | None = None,
    ) -> np.ndarray:
        """Binomial counts with a calibrated national rate; returns the numerators."""
        t = year - YEARS[0]
        target = self.target(indicator, breakdown, year) if rate is None else rate
        p = calibrate(offset + self.slope * t, n.astype(float), target)
        # Condition on the national total: redraw (deterministically) while the national rate
        # strays more than NATIONAL_TOLERANCE from the target, so documented levels always hold.
        for _ in range(100):
            num = self.rng.binomial(n, p)
            if abs(int(num.sum()) / int(n.sum()) - target) <= NATIONAL_TOLERANCE:
                break
        return num

    def emit(
        self, indicator: str, breakdown: str, year: int, num: np.ndarray, den: np.ndarray
    ) -> None:
        if (indicator, breakdown) in self.real_keys:
            return
        self.rows.append(
            pl.DataFrame(
                {
                    "indicator": indicator,
                    "gemeente_code": self.codes,
                    "year": year,
                    "breakdown": breakdown,
                    "numerator": num.astype(np.int64),
                    "denominator": den.astype(np.int64),
                }
            )
        )


def simulate(
    youth: pl.DataFrame,
    cov: Covariates,
    targets: pl.DataFrame,
    real_keys: set[tuple[str, str]] = frozenset(),
) -> pl.DataFrame:
    """All demo indicators: one row per indicator × gemeente × year × breakdown, counts only.

    `youth` has gemeente_code, year, age_group, population (YEARS × AGES for every gemeente).
    """
    codes = cov.codes
    s = _Sim(codes, targets, set(real_keys))
    ages: dict[int, dict[str, np.ndarray]] = {}
    for year in YEARS:
        pivot = pl.DataFrame({"gemeente_code": codes}).join(
            youth.filter(pl.col("year") == year).pivot(
                on="age_group", index="gemeente_code", values="population"
            ),
            on="gemeente_code",
            how="left",
        )
        ages[year] = {a: pivot[a].to_numpy().astype(np.int64) for a in AGES}
    u, low, care = cov.urbanity, cov.low_income, cov.care

    # Risk factors (eerder signaleren); the gemeente effect is shared by all age groups.
    risk_offset = {
        "armoede": low + s.noise(0.08),
        "eenoudergezin": 0.25 * cov.single_parent + 0.15 * u + 0.10 * _z(low) + s.noise(0.08),
    }
    risk_age = {(ind, a): off + s.noise(0.04) for ind, off in risk_offset.items() for a in AGES}
    for year in YEARS:
        for ind in risk_offset:
            nums = {}
            for age in AGES:
                nums[age] = s.draw(ind, f"age={age}", year, risk_age[(ind, age)], ages[year][age])
                s.emit(ind, f"age={age}", year, nums[age], ages[year][age])
            s.emit(ind, "all", year, sum(nums.values()), sum(ages[year].values()))
    dep = _z(0.7 * _z(low) + 0.3 * cov.social_minimum)

    # Pupils per onderwijssoort (denominators for several indicators), per year.
    pupil_offset = {
        "sbo": 0.25 * dep + s.noise(0.2),
        "so": 0.15 * dep + s.noise(0.2),
        "vso": 0.20 * dep + s.noise(0.2),
        "pro": 0.40 * dep + s.noise(0.2),
        "mbo": 0.25 * dep - 0.10 * u + s.noise(0.1),
    }
    pupils: dict[int, dict[str, np.ndarray]] = {}
    for year in YEARS:
        p1, p2 = ages[year]["4-12"], ages[year]["12-18"]
        po_vo_total = int(p1.sum()) + (1 - PUPIL_RATES["mbo"]) * int(p2.sum())
        # national pupils per soort: special education from its share of all po+vo pupils,
        # pro and mbo from the 12-17 year olds; each is drawn from what is left of its age group
        national = {
            k: s.target("speciaal_onderwijs", f"type={k}", year) * po_vo_total
            for k in ("sbo", "so", "vso")
        } | {k: PUPIL_RATES[k] * int(p2.sum()) for k in ("pro", "mbo")}
        left = {"4-12": p1, "12-18": p2}
        drawn = {}
        for soort, pool in (("sbo", "4-12"), ("so", "4-12"), ("vso", "12-18"), ("pro", "12-18"),
                            ("mbo", "12-18")):  # fmt: skip
            n = left[pool]
            drawn[soort] = s.draw("pupils", soort, year, pupil_offset[soort], n,
                                  rate=national[soort] / int(n.sum()))  # fmt: skip
            left[pool] = n - drawn[soort]
        rest = {"po": left["4-12"], "vo": left["12-18"]}
        pupils[year] = {k: rest.get(k, drawn.get(k)) for k in ONDERWIJSSOORTEN}
        den = sum(pupils[year][k] for k in ("po", "sbo", "so", "vo", "vso", "pro"))
        for k in ("sbo", "so", "vso"):
            s.emit("speciaal_onderwijs", f"type={k}", year, pupils[year][k], den)
        s.emit("speciaal_onderwijs", "all", year, drawn["sbo"] + drawn["so"] + drawn["vso"], den)

    # Achterstandsleerlingen among po+sbo pupils.
    ach_offset = 0.55 * _z(low) + 0.25 * cov.social_minimum + 0.25 * u + s.noise(0.15)
    for year in YEARS:
        den = pupils[year]["po"] + pupils[year]["sbo"]
        num = s.draw("achterstandsleerlingen", "age=4-12", year, ach_offset, den)
        s.emit("achterstandsleerlingen", "age=4-12", year, num, den)

    # Jeugdhulp per zorgvorm follows the gemeente's real jeugdzorg level.
    total = {year: sum(ages[year].values()) for year in YEARS}
    local_team = s.noise(1.0)
    zorgvorm_offset = {
        "lokaal_team": 0.8 * care + 0.35 * local_team,
        "ambulant": care - 0.15 * local_team + s.noise(0.1),
        "pleegzorg": 0.8 * care + 0.2 * dep + s.noise(0.15),
        "jeugdzorgplus": 0.8 * care + 0.2 * u + s.noise(0.2),
        "instelling": 0.9 * care + 0.1 * dep + s.noise(0.15),
        "jeugd_ggz": 0.8 * care + 0.20 * u + s.noise(0.1),
        "lvb": 0.5 * care + 0.25 * dep + s.noise(0.15),
    }
    for year in YEARS:
        for form, off in zorgvorm_offset.items():
            num = s.draw("jeugdhulp_zorgvorm", f"zorgvorm={form}", year, off, total[year])
            s.emit("jeugdhulp_zorgvorm", f"zorgvorm={form}", year, num, total[year])

    # Jeugdzorg per onderwijssoort follows the gemeente's real jeugdzorg level too.
    soort_offset = {k: care + s.noise(0.1) for k in ONDERWIJSSOORTEN}
    for year in YEARS:
        for soort, n in pupils[year].items():
            num = s.draw(
                "jeugdzorg_onderwijssoort", f"onderwijssoort={soort}", year, soort_offset[soort], n
            )
            s.emit("jeugdzorg_onderwijssoort", f"onderwijssoort={soort}", year, num, n)

    # Problem areas among 4-18 year olds.
    problem_offset = {
        "emotioneel": 0.15 * dep + 0.10 * u,
        "gedrag": 0.25 * dep,
        "aandacht": 0.15 * dep,
        "leeftijdsgenoten": 0.10 * dep,
        "ontwikkeling": 0.05 * dep,
        "opvoeding": 0.20 * dep + 0.25 * cov.single_parent,
    }
    problem_offset = {k: v + 0.15 * care + s.noise(0.12) for k, v in problem_offset.items()}
    for year in YEARS:
        den = ages[year]["4-12"] + ages[year]["12-18"]
        for problem, off in problem_offset.items():
            num = s.draw("problematiek", f"probleem={problem}", year, off, den)
            s.emit("problematiek", f"probleem={problem}", year, num, den)

    return (
        pl.concat(s.rows)
        .with_columns(
            source=pl.lit(DEMO_SOURCE), is_simulated=pl.lit(True), is_estimate=pl.lit(False)
        )
        .with_columns(pl.col("year").cast(pl.Int32))
        .sort("indicator", "gemeente_code", "year", "breakdown")
    )
