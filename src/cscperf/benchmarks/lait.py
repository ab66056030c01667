"""LAIT (the DfE's LA Interactive Tool): ``bds_long`` values and the data dictionary.

``bds_long`` has one row per (measure short code, year label, area): LAs by DfE
number, England as 970 and regions as 980–990 (``Region`` = ``NA``). LAIT's
``-`` (no figure) is a flagged null. Year labels are ``2025``, ``2024-25``,
``2016/17``, ``2014-16`` (three years) or carry a note (``2025 (Rev)``); the
return year is the last year named. A label naming no year (``0``) cannot be
placed: those rows are counted as refused, not loaded.

The dictionary gives each measure's polarity (``High``/``Low``/``-``) and
decimal places; a measure listed twice keeps the first non-``NA`` of each field.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cscperf.benchmarks.counts import FileCounts
from cscperf.benchmarks.csvstage import stage_csv
from cscperf.benchmarks.errors import BenchImportError
from cscperf.benchmarks.symbols import SYMBOLS

BDS_COLUMNS = ("Short Desc", "Years", "LA and Regions", "Values", "LA Number", "Region")
DICT_COLUMNS = ("Measure_short", "Polarity", "dps")
_SYMS = "(" + ", ".join("'" + s.replace("'", "''") + "'" for s in SYMBOLS) + ")"
#: the last year a label names: 2025, 2024-25 -> 2025, 2016/17 -> 2017, 2013/14-15/16 -> 2016
_YEAR_SQL = r"""CASE
    WHEN regexp_matches(y, '^[0-9]{4}/[0-9]{2}-[0-9]{2}/[0-9]{2}')
      THEN CAST(substr(y, 1, 2) || substr(y, 12, 2) AS INTEGER)
    WHEN regexp_matches(y, '^[0-9]{4}[-/][0-9]{4}')
      THEN CAST(substr(y, 6, 4) AS INTEGER)
    WHEN regexp_matches(y, '^[0-9]{4}[-/][0-9]{2}')
      THEN CAST(substr(y, 1, 2) || substr(y, 6, 2) AS INTEGER)
    WHEN regexp_matches(y, '^[0-9]{4}') THEN CAST(substr(y, 1, 4) AS INTEGER)
  END"""


def is_bds(columns: list[str]) -> bool:
    return set(BDS_COLUMNS) <= set(columns)


def is_dictionary(columns: list[str]) -> bool:
    return set(DICT_COLUMNS) <= set(columns)


def parquet_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    try:
        rel = con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [str(path)])
    except duckdb.Error as exc:
        msg = str(exc).splitlines()[0]
        raise BenchImportError(str(path), f"not a readable Parquet file ({msg})") from None
    return [d[0] for d in rel.description or []]


def import_bds(con: duckdb.DuckDBPyConnection, path: Path) -> FileCounts:
    """Replace ``path``'s rows in ``bench_values`` (Parquet, or the same columns as CSV)."""
    if path.suffix.lower() == ".parquet":
        cols = parquet_columns(con, path)
        if not is_bds(cols):
            missing = [c for c in BDS_COLUMNS if c not in cols]
            raise BenchImportError(
                str(path), f"not a LAIT bds_long file (no {', '.join(missing)} column)"
            )
        try:
            lit = str(path).replace("'", "''")
            con.execute(  # a view: the rows are materialised once, in _bds_y
                f"""CREATE OR REPLACE TEMP VIEW _bds_raw AS
                SELECT *, CAST(file_row_number + 1 AS BIGINT) AS line
                FROM read_parquet('{lit}', file_row_number = true)"""
            )
            con.execute("SELECT count(*) FROM _bds_raw").fetchone()
        except duckdb.Error as exc:
            msg = str(exc).splitlines()[0]
            raise BenchImportError(str(path), f"unreadable Parquet ({msg})") from None
        where = "row"
    else:
        cols = stage_csv(con, path, "_bds_raw")
        if not is_bds(cols):
            raise BenchImportError(str(path), "not a LAIT bds_long file", 1)
        where = "line"
    # year labels are few (~65): parse them once, then join
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _bds_years AS
        SELECT y, {_YEAR_SQL} AS year
        FROM (SELECT DISTINCT trim(CAST("Years" AS VARCHAR)) AS y FROM _bds_raw)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _bds_y AS
        SELECT line, series, r.y, area_name, raw, la_num, la_raw, region, yy.year,
               lower(raw) IN {_SYMS} AS is_sym
        FROM (SELECT line, trim("Short Desc") AS series, trim(CAST("Years" AS VARCHAR)) AS y,
                     trim("LA and Regions") AS area_name,
                     NULLIF(trim(CAST("Values" AS VARCHAR)), '') AS raw,
                     TRY_CAST(trim(CAST("LA Number" AS VARCHAR)) AS DOUBLE) AS la_num,
                     CAST("LA Number" AS VARCHAR) AS la_raw,
                     NULLIF(NULLIF(trim("Region"), ''), 'NA') AS region
              FROM _bds_raw) r
        LEFT JOIN _bds_years yy ON yy.y IS NOT DISTINCT FROM r.y"""
    )
    con.execute(f"DROP {'VIEW' if where == 'row' else 'TABLE'} _bds_raw")
    checks = (
        ("series IS NULL", "Short Desc", "no measure code"),
        (
            "la_num IS NULL OR la_num != round(la_num) OR la_num NOT BETWEEN 100 AND 999",
            "LA Number",
            "is not a 3-digit LA number",
        ),
        (
            "raw IS NOT NULL AND NOT is_sym AND TRY_CAST(raw AS DOUBLE) IS NULL",
            "Values",
            "is neither a number nor a known symbol",
        ),
    )
    firsts = con.execute(
        "SELECT "
        + ", ".join(f"min(line) FILTER (WHERE {c})" for c, _, _ in checks)
        + " FROM _bds_y"
    ).fetchone()
    assert firsts is not None
    for (_, column, reason), first in zip(checks, firsts, strict=True):
        if first is None:
            continue
        bad = con.execute("SELECT raw, la_raw FROM _bds_y WHERE line = ?", [first]).fetchone()
        assert bad is not None
        shown = bad[0] if column == "Values" else bad[1]
        raise BenchImportError(
            str(path),
            f"{shown!r} {reason}" if column != "Short Desc" else reason,
            first,
            column,
            where,
        )
    dup = con.execute(
        """SELECT min(line), max(line) FROM _bds_y WHERE year IS NOT NULL
           GROUP BY series, year, la_num HAVING count(*) > 1 ORDER BY 2 LIMIT 1"""
    ).fetchone()
    if dup:
        raise BenchImportError(
            str(path),
            f"duplicated row: same measure, year and LA as {where} {dup[0]}",
            dup[1],
            "Short Desc/Years/LA Number",
            where,
        )
    name = path.name
    con.execute("DELETE FROM bench_values WHERE source_file = ?", [name])
    meaning = (
        "CASE lower(raw) "
        + " ".join(
            f"WHEN '{k.replace(chr(39), chr(39) * 2)}' THEN '{v}'" for k, v in SYMBOLS.items()
        )
        + " END"
    )
    con.execute(
        f"""INSERT INTO bench_values
        SELECT ?, line, 'LAIT', ?, series, '{{}}', y, NULL, year,
               CASE WHEN la_num = 970 THEN 'National'
                    WHEN la_num >= 980 THEN 'Regional' ELSE 'Local authority' END,
               'E92000001', NULL,
               CASE WHEN la_num >= 980 THEN area_name ELSE region END,
               CASE WHEN la_num < 970
                    THEN lpad(CAST(CAST(la_num AS INTEGER) AS VARCHAR), 3, '0') END,
               NULL, area_name,
               CASE WHEN is_sym THEN NULL ELSE TRY_CAST(raw AS DOUBLE) END,
               NULL,
               CASE WHEN is_sym THEN raw END,
               CASE WHEN is_sym THEN {meaning} WHEN raw IS NULL THEN 'blank in the file' END
        FROM _bds_y WHERE year IS NOT NULL""",
        [name, path.stem],
    )
    row = con.execute(
        "SELECT count(*), count_if(year IS NOT NULL), "
        "count_if(year IS NOT NULL AND (raw IS NULL OR is_sym)), "
        "string_agg(DISTINCT series || ' ' || y, '; ') FILTER (WHERE year IS NULL) FROM _bds_y"
    ).fetchone()
    assert row is not None
    for t in ("_bds_y", "_bds_years"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    read, loaded = int(row[0]), int(row[1])
    note = f"refused (year label names no year): {row[3]}" if row[3] else ""
    return FileCounts(
        str(path), "LAIT bds_long", read, loaded, read - loaded, loaded, int(row[2]), note
    )


def import_dictionary(con: duckdb.DuckDBPyConnection, path: Path) -> FileCounts:
    """Replace ``path``'s rows in ``bench_series`` from the LAIT data dictionary CSV."""
    cols = stage_csv(con, path, "_dict_raw")
    if not is_dictionary(cols):
        raise BenchImportError(str(path), "not a LAIT data dictionary", 1)
    opt = {
        c: (f'"{c}"' if c in cols else "NULL")
        for c in ("Chart_title", "Year_Type", "No_Quartile", "Table_status")
    }
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _dict AS
        SELECT line, trim(Measure_short) AS series,
               NULLIF(trim(Polarity), 'NA') AS pol, NULLIF(trim(dps), 'NA') AS dps,
               NULLIF(trim({opt["Chart_title"]}), 'NA') AS title,
               NULLIF(trim({opt["Year_Type"]}), 'NA') AS year_type,
               NULLIF(trim({opt["No_Quartile"]}), 'NA') AS no_quartile,
               NULLIF(trim({opt["Table_status"]}), 'NA') AS status
        FROM _dict_raw"""
    )
    checks = (
        ("series IS NULL OR series = ''", "Measure_short", "no measure code"),
        ("pol IS NOT NULL AND pol NOT IN ('High', 'Low', '-')", "Polarity", "not High, Low or -"),
        ("dps IS NOT NULL AND TRY_CAST(dps AS INTEGER) IS NULL", "dps", "not a number of decimals"),
    )
    for cond, column, reason in checks:
        bad = con.execute(f"SELECT line FROM _dict WHERE {cond} ORDER BY line LIMIT 1").fetchone()
        if bad:
            raise BenchImportError(str(path), reason, bad[0], column)
    name = path.name
    con.execute("DELETE FROM bench_series WHERE source_file = ?", [name])
    con.execute(
        """INSERT INTO bench_series
        SELECT ?, 'LAIT', series, first(title ORDER BY line) FILTER (WHERE title IS NOT NULL),
               CASE first(pol ORDER BY line) FILTER (WHERE pol IS NOT NULL)
                    WHEN 'High' THEN 'high' WHEN 'Low' THEN 'low' WHEN '-' THEN 'context' END,
               CAST(first(dps ORDER BY line) FILTER (WHERE dps IS NOT NULL) AS INTEGER),
               first(year_type ORDER BY line) FILTER (WHERE year_type IS NOT NULL),
               coalesce(bool_or(no_quartile = 'N'), false),
               first(status ORDER BY line) FILTER (WHERE status IS NOT NULL)
        FROM _dict GROUP BY series""",
        [name],
    )
    row = con.execute("SELECT count(*), count(DISTINCT series) FROM _dict").fetchone()
    assert row is not None
    con.execute("DROP TABLE _dict")
    con.execute("DROP TABLE _dict_raw")
    return FileCounts(
        str(path),
        "LAIT data dictionary",
        int(row[0]),
        int(row[0]),
        0,
        int(row[1]),
        0,
        note=f"{int(row[0]) - int(row[1])} measure(s) listed twice, merged",
    )
