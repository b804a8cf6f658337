"""Read, validate and pseudonymise the two extracts (leerplicht enrolment and jeugdhulp).

This is the source step, the only place that sees a BSN: every row is checked (11-proef, dates,
codes), the BSN is replaced by its keyed pseudonym, and only the pseudonymised valid rows plus a
report of rejected rows (file, row, column, reason; never the BSN) leave this module.

Speed: columns with few distinct values (codes, names, dates, school years) are parsed and checked
once per distinct value and mapped back; the BSN and amounts are checked per row with integer
arithmetic. One lazy plan produces both the clean rows and the rejected rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from jeugdmonitor.analysis.linkage.codes import codes
from jeugdmonitor.analysis.linkage.pseudonym import pseudonyms

ENROLMENT_COLUMNS = (
    "bsn",
    "geboortedatum",
    "geslacht",
    "brin",
    "vestiging",
    "schoolnaam",
    "onderwijssoort",
    "gemeente",
    "schooljaar",
)
JEUGDHULP_COLUMNS = (
    "bsn",
    "begindatum",
    "einddatum",
    "zorgvorm",
    "verwijzer",
    "aanbieder",
    "kosten",
)
REJECT_SCHEMA = {
    "bestand": pl.String,
    "rij": pl.UInt32,  # 1 = first data row below the header
    "kolom": pl.String,
    "controle": pl.String,  # short check id, e.g. "bsn_elfproef"
    "reden": pl.String,  # Dutch explanation
    "waarde": pl.String,  # the offending value (always empty for the BSN)
}
EARLIEST = date(1990, 1, 1)
BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)

Source = Path | str | pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class Extract:
    """A validated, pseudonymised extract: clean rows (no BSN) and the rejected rows with reasons."""

    name: str
    rows: int
    clean: pl.DataFrame
    rejects: pl.DataFrame


@dataclass(frozen=True)
class Check:
    """One check: its id, the column it names and the Dutch reason shown in the report."""

    code: str
    column: str
    reason: str


@dataclass(frozen=True)
class ValueRule:
    """How to parse one column and which checks its value fails, evaluated per distinct value.

    `parse` maps the stripped text (and, for typed parquet columns, the native value) to the
    normalised value; `failures` lists (check, bad) in order, where `bad` is an expression over
    the columns `tekst` (stripped text) and `x` (parsed value).
    """

    column: str
    parse: Callable[[pl.Expr, pl.Expr, pl.DataType], pl.Expr]
    failures: tuple[tuple[Check, pl.Expr], ...]
    missing: Check | None  # None: an empty value is allowed (e.g. no end date = ongoing)


def _sniff_separator(path: Path) -> str:
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        header = handle.readline()
    return ";" if header.count(";") > header.count(",") else ","


def _scan(source: Source, required: tuple[str, ...], label: str) -> tuple[pl.LazyFrame, str]:
    """Lazy frame of the source with lower-case column names; errors name the file and column."""
    if isinstance(source, pl.DataFrame | pl.LazyFrame):
        frame, name = source.lazy(), f"{label} (tabel in het geheugen)"
    else:
        path = Path(source)
        name = str(path)
        if not path.is_file():
            raise ValueError(f"{name}: file not found")
        suffix = path.suffix.lower()
        if suffix in (".csv", ".txt"):
            frame = pl.scan_csv(
                path, separator=_sniff_separator(path), infer_schema=False, encoding="utf8-lossy"
            )
        elif suffix in (".parquet", ".pq"):
            frame = pl.scan_parquet(path)
        else:
            raise ValueError(f"{name}: unsupported file type {suffix!r} (use .csv or .parquet)")
    try:
        names = frame.collect_schema().names()
    except pl.exceptions.PolarsError as exc:
        raise ValueError(f"{name}: cannot read: {_first_line(exc)}") from exc
    rename = {n: n.strip().lower().replace(" ", "_") for n in names}
    missing = [c for c in required if c not in rename.values()]
    if missing:
        raise ValueError(
            f"{name}: column {missing[0]!r} missing (required: {', '.join(required)}; "
            f"found: {', '.join(names)})"
        )
    return frame.rename(rename).select(required), name


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """The value as stripped text (null when empty)."""
    text = (expr if dtype == pl.String else expr.cast(pl.String)).str.strip_chars()
    return pl.when(text != "").then(text)


def _parse_date(text: pl.Expr, native: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """ISO (jjjj-mm-dd) or Dutch (dd-mm-jjjj) dates; invalid dates become null."""
    if dtype == pl.Date:
        return native
    if isinstance(dtype, pl.Datetime):
        return native.dt.date()
    return (
        pl.when(text.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$"))
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .when(text.str.contains(r"^\d{1,2}[-/]\d{1,2}[-/]\d{4}$"))
        .then(text.str.replace_all("/", "-").str.to_date("%d-%m-%Y", strict=False))
    )


def _parse_school_year(text: pl.Expr, native: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Start year of '2023/2024', '2023-24' or 2023; null when unreadable or inconsistent."""
    parts = text.str.extract_groups(r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?$")
    start = parts.struct.field("1").cast(pl.Int32)
    end = parts.struct.field("2")
    follows = (
        end.is_null()
        | (end.cast(pl.Int32) == start + 1)
        | ((end.str.len_chars() == 2) & (end.cast(pl.Int32) == (start + 1) % 100))
    )
    return pl.when(follows & start.is_between(2000, 2100)).then(start)


def _date_rule(column: str, label: str) -> ValueRule:
    x = pl.col("x")
    return ValueRule(
        column,
        _parse_date,
        (
            (
                Check(
                    f"{column}_ongeldig",
                    column,
                    f"{label} is geen geldige datum (verwacht jjjj-mm-dd of dd-mm-jjjj)",
                ),
                x.is_null(),
            ),
            (
                Check(f"{column}_onwaarschijnlijk", column, f"{label} ligt voor {EARLIEST.year}"),
                x < EARLIEST,
            ),
        ),  # fmt: skip
        Check(f"{column}_ontbreekt", column, f"{label} ontbreekt"),
    )


def _code_rule(column: str, known: list[str], reason: str, case: str = "upper") -> ValueRule:
    def parse(text: pl.Expr, native: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        return getattr(text.str, f"to_{case}case")()

    check = Check(f"{column}_onbekend", column, reason)
    return ValueRule(column, parse, ((check, ~pl.col("x").is_in(known)),), check)


def _pattern_rule(column: str, pattern: str, reason: str, pad: int = 0) -> ValueRule:
    def parse(text: pl.Expr, native: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        text = text.str.to_uppercase()
        return text.str.zfill(pad) if pad else text

    check = Check(f"{column}_vorm", column, reason)
    return ValueRule(column, parse, ((check, ~pl.col("x").str.contains(pattern)),), check)


def _required_text(column: str, label: str) -> ValueRule:
    check = Check(f"{column}_ontbreekt", column, f"{label} ontbreekt")
    return ValueRule(column, lambda text, native, dtype: text, (), check)


def _apply(
    lazy: pl.LazyFrame, rules: list[ValueRule], name: str
) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Parse every rule's distinct values once; return per-row value and failure expressions."""
    schema = lazy.collect_schema()
    try:
        distinct = lazy.select(
            [pl.col(r.column).unique().drop_nulls().implode() for r in rules]
        ).collect()
    except pl.exceptions.PolarsError as exc:
        raise ValueError(f"{name}: cannot read: {_first_line(exc)}") from exc
    values, failures = [], []
    for rule in rules:
        dtype = schema[rule.column]
        native = pl.col("v")
        text = _text(native, dtype)
        table = pl.DataFrame({"v": distinct[rule.column][0]}, schema={"v": dtype})
        table = table.with_columns(text.alias("tekst")).with_columns(
            rule.parse(pl.col("tekst"), native, dtype).alias("x")
        )
        missing = _flag(None if rule.missing is None else rule.missing.code)
        fail = pl.when(pl.col("tekst").is_null()).then(missing)
        for check, bad in rule.failures:
            fail = fail.when(bad.fill_null(True)).then(_flag(check.code))
        table = table.with_columns(fail.otherwise(_flag(None)).alias("fail"))
        column = pl.col(rule.column)
        valid = table.filter(pl.col("fail").is_null())
        unchanged = table.schema["x"] == dtype and (valid["x"] == valid["v"]).all()
        # shortcut: when every valid value parses to itself, no per-row lookup is needed
        value = column if unchanged else column.replace_strict(table["v"], table["x"], default=None)
        values.append(value.alias(rule.column))
        fail = pl.when(column.is_null()).then(missing)
        if table["fail"].null_count() < table.height:
            fail = fail.otherwise(column.replace_strict(table["v"], table["fail"], default=None))
        failures.append(fail)
    return values, failures


_CHECK_IDS: dict[str, int] = {}
_CHECK_NAMES: dict[int, str] = {}


def _flag(code: str | None) -> pl.Expr:
    """A check as a small integer literal inside the row plan (cheaper than strings per row)."""
    if code is None:
        return pl.lit(None, pl.UInt16)
    number = _CHECK_IDS.setdefault(code, len(_CHECK_IDS))
    _CHECK_NAMES[number] = code
    return pl.lit(number, pl.UInt16)


def _parsed(column: str) -> pl.Expr:
    """A parsed column inside the validation plan (computed once, before the row checks)."""
    return pl.col(f"_p_{column}")


def _bsn(dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """BSN as Int64 (8 digits regain their leading zero) and the first failing BSN check."""
    raw = pl.col("bsn")
    text = raw.cast(pl.String) if dtype.is_integer() else _text(raw, dtype)
    number = pl.when(text.str.contains(r"^\d{8,9}$")).then(text.cast(pl.Int64, strict=False))
    parsed = _parsed("bsn")
    fail = (
        pl.when(raw.is_null() | (raw.cast(pl.String).str.strip_chars() == ""))
        .then(_flag("bsn_ontbreekt"))
        .when(parsed.is_null())
        .then(_flag("bsn_vorm"))
        .when(~elfproef(parsed))
        .then(_flag("bsn_elfproef"))
    )
    return number, fail


def elfproef(bsn: pl.Expr) -> pl.Expr:
    """True when a BSN (as integer) passes the 11-proef (weights 9..2 and -1, sum % 11 == 0)."""
    digits = [((bsn // 10 ** (8 - i)) % 10) * w for i, w in enumerate(BSN_WEIGHTS)]
    total = pl.sum_horizontal(digits)
    return (total % 11 == 0) & (total != 0)


def _amount(dtype: pl.DataType) -> pl.Expr:
    """Cost in euros from numbers or text ('1234.5', '1.234,50', '€ 80')."""
    if dtype.is_numeric():
        return pl.col("kosten").cast(pl.Float64)
    text = _text(pl.col("kosten"), dtype).str.replace_all(r"[€\s]", "")
    dutch = text.str.contains(",")
    text = (
        pl.when(dutch).then(text.str.replace_all(r"\.", "").str.replace(",", ".")).otherwise(text)
    )
    return text.cast(pl.Float64, strict=False)


BSN_CHECKS = (
    Check("bsn_ontbreekt", "bsn", "BSN ontbreekt"),
    Check("bsn_vorm", "bsn", "BSN heeft geen 8 of 9 cijfers"),
    Check("bsn_elfproef", "bsn", "BSN voldoet niet aan de 11-proef"),
)


def _reasons(rules: list[ValueRule], extra: tuple[Check, ...]) -> dict[str, Check]:
    found = {c.code: c for c in BSN_CHECKS + extra}
    for rule in rules:
        if rule.missing is not None:
            found[rule.missing.code] = rule.missing
        found.update({c.code: c for c, _ in rule.failures})
    return found


def _split(
    lazy: pl.LazyFrame,
    name: str,
    parsed: list[pl.Expr],
    failures: list[pl.Expr],
    keep: list[str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Clean rows (parsed columns) and failing rows (raw values) from one shared lazy plan."""
    base = (
        lazy.with_row_index("rij", offset=1)
        .with_columns(e.name.prefix("_p_") for e in parsed)
        .with_columns(pl.coalesce(failures).alias("controle"))
    )
    try:
        frame = base.select("rij", "controle", *[f"_p_{c}" for c in keep]).collect(
            engine="streaming"
        )
        ok = frame.get_column("controle").is_null()
        clean = frame.filter(ok).select("rij", *[pl.col(f"_p_{c}").alias(c) for c in keep])
        codes = frame.filter(~ok).select("rij", "controle")
        del frame
        # the raw values of the (few) rejected rows, read again for the report
        bad = (
            lazy.with_row_index("rij", offset=1).join(codes.lazy(), on="rij", how="inner").collect()
        )
    except pl.exceptions.PolarsError as exc:
        raise ValueError(f"{name}: cannot read: {_first_line(exc)}") from exc
    return clean, bad


def _report(bad: pl.DataFrame, checks: dict[str, Check], name: str) -> pl.DataFrame:
    """Rejected rows as file, row, column, check, reason and value (never the BSN)."""
    if bad.is_empty():
        return pl.DataFrame(schema=REJECT_SCHEMA)
    bad = bad.with_columns(pl.col("controle").replace_strict(_CHECK_NAMES, return_dtype=pl.String))
    column = pl.col("controle").replace_strict({k: c.column for k, c in checks.items()})
    value = pl.lit(None, pl.String)
    for col in bad.columns:
        if col not in ("bsn", "rij", "controle"):
            value = pl.when(column == col).then(pl.col(col).cast(pl.String)).otherwise(value)
    return bad.select(
        pl.lit(name).alias("bestand"),
        "rij",
        column.alias("kolom"),
        "controle",
        pl.col("controle").replace_strict({k: c.reason for k, c in checks.items()}).alias("reden"),
        _text(value, pl.String).str.slice(0, 60).alias("waarde"),
    ).cast(REJECT_SCHEMA)


def _duplicates(
    clean: pl.DataFrame, key: list[str], check: Check
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Move every later row of a repeated key out of the clean rows, naming the first row."""
    if key == ["bsn", "schooljaar"]:  # one integer key is much faster than a struct
        first = (pl.col("bsn") * 10_000 + pl.col("schooljaar")).is_first_distinct()
    else:
        first = pl.struct(key).is_first_distinct()
    flagged = clean.with_columns(first.alias("_first"))
    if flagged.get_column("_first").all():
        return clean, pl.DataFrame(schema=REJECT_SCHEMA)
    later = flagged.filter(~pl.col("_first"))
    origin = flagged.filter(pl.col("_first")).join(
        later.select(key).unique(), on=key, nulls_equal=True
    )
    report = later.join(
        origin.select(*key, pl.col("rij").alias("_eerste")), on=key, nulls_equal=True
    )
    rejects = report.select(
        pl.lit("").alias("bestand"),
        "rij",
        pl.lit(check.column).alias("kolom"),
        pl.lit(check.code).alias("controle"),
        pl.concat_str(pl.lit(check.reason + " "), pl.col("_eerste").cast(pl.String)).alias("reden"),
        pl.lit(None, pl.String).alias("waarde"),
    ).cast(REJECT_SCHEMA)
    return flagged.filter(pl.col("_first")).drop("_first"), rejects


def _pseudonymise(clean: pl.DataFrame, key: bytes, keep: list[str]) -> pl.DataFrame:
    """Replace the BSN by its keyed pseudonym (computed once per distinct BSN)."""
    unique = clean.get_column("bsn").unique()
    text = unique.cast(pl.String).str.zfill(9)
    mapping = pl.DataFrame({"bsn": unique, "pid": pseudonyms(text, key)})
    return clean.join(mapping, on="bsn", how="left").select("pid", *keep)


def _finish(
    lazy: pl.LazyFrame,
    name: str,
    parsed: list[pl.Expr],
    failures: list[pl.Expr],
    checks: dict[str, Check],
    duplicate: tuple[list[str], Check],
    key: bytes,
    keep: list[str],
) -> Extract:
    clean, bad = _split(lazy, name, parsed, failures, ["bsn", *keep])
    clean, repeated = _duplicates(clean, *duplicate)
    rejects = pl.concat([_report(bad, checks, name), repeated.with_columns(bestand=pl.lit(name))])
    rows = clean.height + rejects.height
    return Extract(name, rows, _pseudonymise(clean, key, keep), rejects.sort("rij"))


def read_enrolment(source: Source, key: bytes) -> Extract:
    """Validate and pseudonymise a leerplicht enrolment extract (one row per pupil per school year)."""
    lazy, name = _scan(source, ENROLMENT_COLUMNS, "inschrijvingen")
    schema = lazy.collect_schema()
    rules = [
        _date_rule("geboortedatum", "geboortedatum"),
        ValueRule("schooljaar", _parse_school_year,
                  ((Check("schooljaar_ongeldig", "schooljaar",
                          "schooljaar is niet te lezen (verwacht bijvoorbeeld 2023/2024)"),
                    pl.col("x").is_null()),),
                  Check("schooljaar_ongeldig", "schooljaar", "schooljaar ontbreekt")),
        _code_rule("geslacht", codes("geslacht"), "onbekend geslacht (verwacht M, V of O)"),
        _pattern_rule("brin", r"^\d{2}[A-Z]{2}$", "BRIN-nummer heeft niet de vorm 99XX"),
        _pattern_rule("vestiging", r"^\d{2}$", "vestigingsnummer heeft niet de vorm 99", pad=2),
        _required_text("schoolnaam", "schoolnaam"),
        _code_rule("onderwijssoort", codes("onderwijssoort"),
                   "onbekende onderwijssoort (verwacht po, sbo, so, vo, vso, pro of mbo)", "lower"),
        _pattern_rule("gemeente", r"^GM\d{4}$", "gemeentecode heeft niet de vorm GM9999"),
    ]  # fmt: skip
    values, fails = _apply(lazy, rules, name)
    bsn, bsn_fail = _bsn(schema["bsn"])
    by_name = {e.meta.output_name(): e for e in values}
    birth = _parsed("geboortedatum")
    age = (
        _parsed("schooljaar") - birth.dt.year() - (birth.dt.month() >= 10).cast(pl.Int32)
    )  # age in whole years on 1 October (the teldatum) of the school year
    age_check = Check("leeftijd_onwaarschijnlijk", "geboortedatum",
                      "leeftijd op 1 oktober van het schooljaar ligt niet tussen 2 en 23 jaar")  # fmt: skip
    age_fail = pl.when(~age.is_between(2, 23)).then(_flag(age_check.code))
    school = pl.concat_str(by_name["brin"], by_name["vestiging"]).cast(pl.Categorical)
    parsed = [
        bsn.alias("bsn"),
        by_name["schooljaar"],
        school.alias("school_id"),
        by_name["schoolnaam"].cast(pl.Categorical),
        by_name["onderwijssoort"].cast(pl.Categorical),
        by_name["gemeente"].cast(pl.Categorical),
        by_name["geboortedatum"],
        by_name["geslacht"].cast(pl.Categorical),
    ]
    failures = [bsn_fail, fails[0], age_fail, *fails[1:]]
    duplicate = Check("inschrijving_dubbel", "bsn",
                      "dubbele inschrijving: leerling staat dit schooljaar al ingeschreven in rij")  # fmt: skip
    keep = [
        "schooljaar",
        "school_id",
        "schoolnaam",
        "onderwijssoort",
        "gemeente",
        "geboortedatum",
        "geslacht",
    ]
    checks = _reasons(rules, (age_check, duplicate))
    return _finish(
        lazy, name, parsed, failures, checks, (["bsn", "schooljaar"], duplicate), key, keep
    )


def read_jeugdhulp(source: Source, key: bytes) -> Extract:
    """Validate and pseudonymise a jeugdhulp extract (one row per care trajectory)."""
    lazy, name = _scan(source, JEUGDHULP_COLUMNS, "jeugdhulp")
    schema = lazy.collect_schema()

    def product(text: pl.Expr, native: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        return text.str.to_uppercase()

    def referrer(text: pl.Expr, native: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        return pl.when(text.str.contains(r"^\d$")).then(text.str.zfill(2)).otherwise(text)

    care_check = Check(
        "zorgvorm_onbekend",
        "zorgvorm",
        "onbekende zorgvorm (productcategorie, de eerste twee cijfers van de productcode)",
    )
    ref_check = Check(
        "verwijzer_onbekend", "verwijzer", "onbekende verwijzer (verwacht 01-06 of 99)"
    )
    end = _date_rule("einddatum", "einddatum")
    end = ValueRule(end.column, end.parse, end.failures, None)  # empty end date = ongoing
    rules = [
        _date_rule("begindatum", "begindatum"),
        end,
        ValueRule("zorgvorm", product,
                  ((care_check, ~pl.col("x").str.contains(r"^\d{2}[A-Z0-9]{0,3}$")
                    | ~pl.col("x").str.slice(0, 2).is_in(codes("zorgvorm"))),), care_check),
        ValueRule("verwijzer", referrer, ((ref_check, ~pl.col("x").is_in(codes("verwijzer"))),), ref_check),
        _required_text("aanbieder", "aanbieder"),
    ]  # fmt: skip
    values, fails = _apply(lazy, rules, name)
    by_name = {e.meta.output_name(): e for e in values}
    bsn, bsn_fail = _bsn(schema["bsn"])
    cost = _amount(schema["kosten"])
    order = Check("einddatum_voor_begin", "einddatum", "einddatum ligt voor begindatum")
    invalid = Check("kosten_ongeldig", "kosten", "kosten zijn geen bedrag")
    negative = Check("kosten_negatief", "kosten", "kosten zijn negatief")
    parsed = [
        bsn.alias("bsn"),
        pl.col("rij").alias("traject"),
        by_name["begindatum"],
        by_name["einddatum"],
        by_name["zorgvorm"].str.slice(0, 2).cast(pl.Categorical).alias("zorgvorm"),
        by_name["zorgvorm"].alias("productcode"),
        by_name["verwijzer"].cast(pl.Categorical),
        by_name["aanbieder"].cast(pl.Categorical),
        cost.alias("kosten"),
    ]
    failures = [
        bsn_fail,
        fails[0],
        fails[1],
        pl.when(_parsed("einddatum") < _parsed("begindatum")).then(_flag(order.code)),
        *fails[2:],
        pl.when(_parsed("kosten").is_null() | _parsed("kosten").is_nan()).then(_flag(invalid.code)),
        pl.when(_parsed("kosten") < 0).then(_flag(negative.code)),
    ]
    duplicate = Check("traject_dubbel", "bsn",
                      "dubbel traject: zelfde jeugdige, begindatum, product en aanbieder als rij")  # fmt: skip
    keep = [
        "traject",
        "begindatum",
        "einddatum",
        "zorgvorm",
        "productcode",
        "verwijzer",
        "aanbieder",
        "kosten",
    ]
    checks = _reasons(rules, (order, invalid, negative, duplicate))
    dup_key = ["bsn", "begindatum", "productcode", "aanbieder"]
    return _finish(lazy, name, parsed, failures, checks, (dup_key, duplicate), key, keep)
