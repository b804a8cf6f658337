"""CBS Kerncijfers wijken en buurten (KWB) 2021/2022 joined with CBS 'Jeugdzorg; wijken' (85075NED
for 2021, 85335NED for 2022): one row per region (NL, gemeente, wijk) and year, on the boundaries
of that year.

Quirks handled here (raw/PROVENANCE.md §5):
- in the 2021 rows the KWB columns published with one decimal lost their decimal separator
  (`p_hh_lkk` 118 means 11.8 %, `g_hhgro` 17 means 1.7): `DECIMALS_LOST_2021` are divided by 10;
- youth-care counts are CBS-rounded to multiples of 5, empty = suppressed (fewer than 10);
- the 2022 income and benefit columns are empty (not yet published when the file was made).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

# KWB columns the project reads, with their meaning (CBS KWB codes).
KWB_COLUMNS = {
    "a_inw": "inwoners",
    "a_00_14": "inwoners 0-14 jaar",
    "a_15_24": "inwoners 15-24 jaar",
    "a_hh": "huishoudens",
    "a_hh_m_k": "huishoudens met kinderen",
    "p_hh_li": "huishoudens met laagste 40% inkomen (%)",
    "p_hh_lkk": "huishoudens met een laag inkomen (%)",
    "p_hh_osm": "huishoudens onder of rond het sociaal minimum (%)",
    "a_soz_wb": "personen met bijstand",
    "a_opl_lg": "inwoners 15-75 jaar met een laag opleidingsniveau",
    "a_opl_md": "inwoners 15-75 jaar met een middelbaar opleidingsniveau",
    "a_opl_hg": "inwoners 15-75 jaar met een hoog opleidingsniveau",
    "ste_mvs": "stedelijkheid (1 zeer sterk … 5 niet stedelijk)",
    "ste_oad": "omgevingsadressendichtheid (adressen per km²)",
    "a_lan_ha": "oppervlakte land (ha)",
    "g_hhgro": "gemiddelde huishoudensgrootte",
}
# Published with one decimal; in the 2021 rows of this file the decimal separator was lost.
DECIMALS_LOST_2021 = ("p_hh_li", "p_hh_lkk", "p_hh_osm", "g_hhgro")
# 85075NED/85335NED keys → our names.
JZ_COLUMNS = {
    "TotaalJongerenMetJeugdzorgInNatura_1": "jz_totaal",
    "k_0Tot4Jaar_2": "jz_0_4",
    "k_4Tot12Jaar_3": "jz_4_12",
    "k_12Tot18Jaar_4": "jz_12_18",
    "k_18Tot23Jaar_5": "jz_18_23",
    "ThuiswonendKindInEenouderhuishouden_6": "hh_eenouder",
    "ThuiswonendKindBijEenPaar_7": "hh_paar",
    "AnderHuishouden_8": "hh_ander",
    "TotaalTrajectenInNatura_9": "traj_totaal",
    "GemeentelijkeToegang_10": "vw_gemeentelijke_toegang",
    "Huisarts_11": "vw_huisarts",
    "Jeugdarts_12": "vw_jeugdarts",
    "GecertificeerdeInstelling_13": "vw_gecertificeerde_instelling",
    "MedischSpecialist_14": "vw_medisch_specialist",
    "RechterOfficierVanJustitie_15": "vw_rechter_om",
    "GeenVerwijzer_16": "vw_geen",
    "VerwijzerOnbekend_17": "vw_onbekend",
}
LEVELS = {"Land": "land", "Gemeente": "gemeente", "Wijk": "wijk"}


class KwbSourceError(ValueError):
    """The KWB/jeugdzorg file does not have the expected shape (names file, column and row)."""


def read(path: Path) -> pl.DataFrame:
    """Every region row: level, code, name, gemeente name, year, typed KWB and youth-care columns.

    `gemeente_own` is the gemeente code of the row's own year (a wijk's first six digits).
    """
    try:
        raw = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise KwbSourceError(f"{path}: cannot read CSV ({exc})") from exc
    needed = ["gwb_code_10", "regio", "gm_naam", "recs", "year", *KWB_COLUMNS, *JZ_COLUMNS]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise KwbSourceError(f"{path}: column '{missing[0]}', row 1: column is missing")
    frame = raw.with_row_index("__row", offset=2).with_columns(
        pl.col(c).str.strip_chars() for c in needed
    )
    numeric = {**{c: c for c in KWB_COLUMNS}, **JZ_COLUMNS}
    typed = frame.with_columns(
        pl.col(c).replace("", None).cast(pl.Float64, strict=False).alias(c) for c in numeric
    )
    for column in numeric:
        bad = typed.filter(pl.col(column).is_null() & frame[column].replace("", None).is_not_null())
        if bad.height:
            row = bad.row(0, named=True)
            value = frame.filter(pl.col("__row") == row["__row"])[column][0]
            raise KwbSourceError(
                f"{path}: column '{column}', row {row['__row']}: not a number {value!r}"
            )
    unknown = frame.filter(~pl.col("recs").is_in(list(LEVELS)))
    if unknown.height:
        row = unknown.row(0, named=True)
        raise KwbSourceError(f"{path}: column 'recs', row {row['__row']}: unknown {row['recs']!r}")
    year = pl.col("year").cast(pl.Int32)
    lost = year == 2021
    return typed.select(
        "__row",
        pl.col("recs").replace_strict(LEVELS).alias("level"),
        pl.col("gwb_code_10").alias("code"),
        pl.col("regio").alias("name"),
        pl.col("gm_naam").alias("gemeente_naam"),
        pl.when(pl.col("recs") == "Wijk")
        .then(pl.lit("GM") + pl.col("gwb_code_10").str.slice(2, 4))
        .when(pl.col("recs") == "Gemeente")
        .then(pl.col("gwb_code_10"))
        .alias("gemeente_own"),
        year.alias("year"),
        *(
            (
                pl.when(lost).then(pl.col(c) / 10).otherwise(pl.col(c))
                if c in DECIMALS_LOST_2021
                else pl.col(c)
            ).alias(c)
            for c in KWB_COLUMNS
        ),  # fmt: skip
        *(pl.col(c).cast(pl.Int64).alias(name) for c, name in JZ_COLUMNS.items()),
    ).sort("year", "level", "code")


def level(frame: pl.DataFrame, which: str) -> pl.DataFrame:
    """The rows of one level ('land', 'gemeente' or 'wijk')."""
    return frame.filter(pl.col("level") == which)
