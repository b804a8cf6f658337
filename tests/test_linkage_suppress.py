"""No published count below 10, and no hidden cell recoverable from the published totals."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from linkage_support import raw_block

from jeugdmonitor.analysis.linkage import audit, publish, suppress
from jeugdmonitor.analysis.stats import MIN_COUNT

COUNTS = ["leerlingen", "clienten", "trajecten", "nieuwe_trajecten"]


def naive(kern: pl.DataFrame, mix: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Primary suppression only: what complementary suppression must improve on."""

    def small(c):
        return pl.when(pl.col(c) >= MIN_COUNT).then(c).alias(c)

    kern = kern.with_columns(
        *[small(c) for c in COUNTS],
        pl.when(pl.col("clienten") >= MIN_COUNT).then("kosten").alias("kosten"),
        pl.when(pl.col("nieuwe_trajecten") >= MIN_COUNT).then("leeftijd_som").alias("leeftijd_som"),
    )
    return kern, mix.with_columns(small("aantal"))


def attack(kern, mix, method=suppress.protect, intervals=True) -> pl.DataFrame:
    tables = publish.published(*method(kern, mix), simulated=True)
    return audit.audit(tables["kerncijfers"], tables["verdelingen"], intervals=intervals)


def no_small_counts(kern, mix) -> None:
    tables = publish.published(*suppress.protect(kern, mix), simulated=True)
    for column in COUNTS:
        shown = tables["kerncijfers"].get_column(column).drop_nulls()
        assert (shown >= MIN_COUNT).all(), column
    assert (tables["verdelingen"].get_column("aantal").drop_nulls() >= MIN_COUNT).all()


def lonely_small_school():
    """One school with 5 clients among big ones: its count follows from the type total."""
    care = np.array([[6, 0], [30, 25], [40, 20]])
    return raw_block(2022, "po", [200, 300, 250], [5, 40, 30], {"zorgvorm": care})


def revealing_zeros():
    """A school whose only category equals its total: hiding its zeros alone reveals them (0)."""
    zorg = np.array([[12, 0, 0, 0], [20, 5, 3, 2], [30, 12, 11, 10], [25, 14, 9, 13]])
    ref = np.array([[6, 6, 0], [10, 10, 10], [20, 23, 20], [21, 20, 20]])
    return raw_block(
        2022, "vo", [400, 500, 600, 650], [12, 28, 55, 50], {"zorgvorm": zorg, "verwijzer": ref}
    )


def type_zero_column_and_tiny_rows():
    """A category no school uses (type total 0), schools with 0-3 trajectories, a big school."""
    zorg = np.array([[0, 0, 0], [2, 1, 0], [3, 0, 0], [40, 25, 0], [18, 12, 0]])
    ref = np.array([[0, 0], [1, 2], [2, 1], [35, 30], [20, 10]])
    new = np.array([[0, 0], [1, 0], [0, 2], [20, 15], [9, 9]])
    return raw_block(
        2022,
        "sbo",
        [30, 60, 45, 400, 210],
        [0, 3, 3, 50, 26],
        {"zorgvorm": zorg, "verwijzer": ref},
        new,
    )


ADVERSARIAL = [lonely_small_school, revealing_zeros, type_zero_column_and_tiny_rows]


@pytest.mark.parametrize("table", ADVERSARIAL)
def test_naive_suppression_leaks_and_the_audit_sees_it(table):
    found = attack(*table(), method=naive)
    assert found.height > 0


@pytest.mark.parametrize("table", ADVERSARIAL)
def test_complementary_suppression_leaves_nothing_recoverable(table):
    kern, mix = table()
    assert attack(kern, mix).is_empty()
    no_small_counts(kern, mix)


def test_the_lonely_school_gets_a_partner():
    tables = publish.published(*suppress.protect(*lonely_small_school()), simulated=True)
    kern = tables["kerncijfers"]
    hidden = kern.filter(pl.col("clienten").is_null())
    assert hidden.height >= 2  # the small school plus at least one complementary school
    assert kern.filter(pl.col("niveau") == "schooltype")["clienten"].item() == 75


def test_a_single_school_type_and_a_tiny_type():
    one = raw_block(2022, "pro", [210], [45], {"zorgvorm": np.array([[30, 8, 7]])})
    tiny = raw_block(2022, "so", [25, 30], [3, 4], {"zorgvorm": np.array([[2, 1], [3, 1]])})
    kern = pl.concat([one[0], tiny[0]])
    mix = pl.concat([one[1], tiny[1]])
    assert attack(kern, mix).is_empty()
    no_small_counts(kern, mix)
    shown = publish.published(*suppress.protect(kern, mix), simulated=True)["kerncijfers"]
    # the pro school and its type row show the same (public) pupil count
    assert shown.filter(pl.col("onderwijssoort") == "pro")["leerlingen"].to_list() == [210, 210]


def random_block(rng: np.random.Generator, year: int):
    n = int(rng.integers(2, 6))
    size = rng.choice([0, 2, 5, 9, 14, 30, 60], size=n)
    dims = {}
    for dim, cats in (("zorgvorm", 4), ("verwijzer", 3), ("aanbieder", 3)):
        p = rng.dirichlet(np.full(cats, 0.6))
        dims[dim] = np.array([rng.multinomial(s, p) for s in size])
    started = np.array([rng.integers(0, s + 1) for s in size])
    new = np.array([rng.multinomial(s, rng.dirichlet(np.ones(3))) for s in started])
    clients = np.array([min(s, rng.integers(0, s + 1) + s // 2) for s in size])
    pupils = clients + rng.integers(0, 300, n)
    return raw_block(year, "po", pupils.tolist(), clients.tolist(), dims, new)


def test_random_small_tables_never_leak():
    rng = np.random.default_rng(2024)
    blocks = [random_block(rng, 2000 + i) for i in range(14)]
    kern = pl.concat([b[0] for b in blocks])
    mix = pl.concat([b[1] for b in blocks])
    assert attack(kern, mix).is_empty()
    no_small_counts(kern, mix)


def test_every_primary_cell_is_hidden_by_protect_block():
    rng = np.random.default_rng(7)
    for _ in range(30):
        x = rng.integers(0, 25, size=(6, 4))
        x[-1] = x[:-1].sum(0)
        tot = x.sum(1)
        hidden, hidden_tot = suppress.protect_block([x], tot)
        assert hidden[0][x < MIN_COUNT].all()
        assert hidden_tot[tot < MIN_COUNT].all()
