"""Explore Education Statistics open-data CSVs into ``bench_values``.

Any EES file: geography and time columns are known by name; every other column
is a *filter* (text such as ``population_type``) or an *indicator* (numbers and
symbols), told apart by what the column holds, so wide files (one column per
indicator) and files with filter columns import alike. A long layout
(``indicator``/``measure`` + ``value`` columns) is read as one series per
indicator name. Each cell becomes one row: value, or a flagged null for a
published symbol (never 0); a duration ``y:mm`` (the national adoption tables)
is stored in months.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cscperf.benchmarks.counts import FileCounts
from cscperf.benchmarks.csvstage import ident, stage_csv
from cscperf.benchmarks.errors import BenchImportError
from cscperf.benchmarks.symbols import SYMBOLS, symbols_sql

#: geography and time columns of the EES open-data standard
GEO_COLS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
#: a long layout: the indicator's name in one column, its value in another
LONG_NAME_COLS = ("indicator", "measure")

_DURATION = r"[0-9]+:[0-5][0-9]"
_SYMS = "(" + ", ".join("'" + s.replace("'", "''") + "'" for s in SYMBOLS) + ")"

LEVELS = {
    "national": "National",
    "regional": "Regional",
    "local authority": "Local authority",
}


def is_ees(columns: list[str]) -> bool:
    low = {c.lower() for c in columns}
    return {"time_period", "geographic_level"} <= low


def _number(v: str) -> str:
    """SQL: the text as a finite number ("1,234.5" allowed), else NULL."""
    n = f"TRY_CAST(replace({v}, ',', '') AS DOUBLE)"
    return f"CASE WHEN isfinite({n}) THEN {n} END"


def _is_duration(v: str) -> str:
    """SQL: the text is a years:months duration (``01:10``), as the adoption tables publish."""
    return f"({v} LIKE '%:%' AND regexp_full_match({v}, '{_DURATION}'))"


def _norm(col: str) -> str:
    return f"NULLIF(trim({ident(col)}), '')"


def _classify(
    con: duckdb.DuckDBPyConnection, names: list[str], candidates: list[str]
) -> tuple[list[str], list[str]]:
    """(filters, indicators): the first column of mostly numbers (or only symbols) and
    every column after it are indicators; the text columns before it are filters."""
    if not candidates:
        return [], []
    parts = []
    for c in candidates:
        v = _norm(c)
        parts.append(
            f"count({v}), count_if({_number(v)} IS NOT NULL OR {_is_duration(v)}), "
            f"count_if(lower({v}) IN {_SYMS})"
        )
    row = con.execute(f"SELECT {', '.join(parts)} FROM _ees_raw").fetchone()
    assert row is not None
    first = next(
        (
            i
            for i, c in enumerate(candidates)
            if row[3 * i]
            and (
                row[3 * i + 2] == row[3 * i]
                or (row[3 * i + 1] and row[3 * i + 1] + row[3 * i + 2] >= 0.5 * row[3 * i])
            )
        ),
        len(candidates),
    )
    # EES files put filters before indicators: every column after the first indicator is one
    # (so a stray unknown symbol is reported, not taken for a filter value)
    return candidates[:first], candidates[first:]


def import_ees(con: duckdb.DuckDBPyConnection, path: Path) -> FileCounts:
    """Replace ``path``'s rows in ``bench_values``; raises :class:`BenchImportError`."""
    names = stage_csv(con, path, "_ees_raw")
    by_low = {n.lower(): n for n in names}
    for need in ("time_period", "geographic_level"):
        if need not in by_low:
            raise BenchImportError(str(path), f"not an EES open-data file (no {need} column)", 1)
    geo = {g: by_low[g] for g in GEO_COLS if g in by_low}
    long_name = next((by_low[c] for c in LONG_NAME_COLS if c in by_low), None)
    long_value = by_low.get("value")
    others = [n for n in names if n.lower() not in GEO_COLS]
    if long_name and long_value:
        filters = [c for c in others if c not in (long_name, long_value)]
        indicators: list[str] = []
    else:
        long_name = long_value = None
        filters, indicators = _classify(con, names, others)
        if not indicators:
            raise BenchImportError(str(path), "no indicator column (no column holds numbers)", 1)

    def g(col: str) -> str:
        return _norm(geo[col]) if col in geo else "CAST(NULL AS VARCHAR)"

    filt = sorted(filters, key=str.lower)
    filters_sql = (
        "to_json(struct_pack("
        + ", ".join(f"{ident(c)} := {_norm(c)}" for c in filt)
        + "))::VARCHAR"
        if filt
        else "'{}'"
    )
    tp = g("time_period")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ees_rows AS
        SELECT *, {tp} AS _tp, {g("geographic_level")} AS _level,
               {filters_sql} AS _filters,
               CASE WHEN regexp_full_match({tp}, '[0-9]{{4}}') THEN CAST({tp} AS INTEGER)
                    WHEN regexp_full_match({tp}, '[0-9]{{6}}')
                         AND (CAST(substr({tp}, 1, 4) AS INTEGER) + 1) % 100
                             = CAST(substr({tp}, 5, 2) AS INTEGER)
                    THEN CAST(substr({tp}, 1, 4) AS INTEGER) + 1 END AS _year
        FROM _ees_raw"""
    )
    bad = con.execute(
        "SELECT line, _tp FROM _ees_rows WHERE _year IS NULL ORDER BY line LIMIT 1"
    ).fetchone()
    if bad:
        raise BenchImportError(
            str(path),
            f"{bad[1]!r} is not a time period (2025 or 202425)",
            bad[0],
            geo["time_period"],
        )
    bad = con.execute(
        "SELECT line FROM _ees_rows WHERE _level IS NULL ORDER BY line LIMIT 1"
    ).fetchone()
    if bad:
        raise BenchImportError(str(path), "no geographic level", bad[0], geo["geographic_level"])
    key = [ident(geo[c]) for c in GEO_COLS if c in geo and c not in ("country_name", "la_name")]
    key += ["_filters"] + ([ident(long_name)] if long_name else [])
    dup = con.execute(
        f"""SELECT line, first FROM (
              SELECT line, min(line) OVER (PARTITION BY {", ".join(key)}) AS first FROM _ees_rows)
            WHERE line > first ORDER BY line LIMIT 1"""
    ).fetchone()
    if dup:
        raise BenchImportError(
            str(path),
            f"duplicated row: same time period, geography and filters as line {dup[1]}",
            dup[0],
            "time_period/geography/filters",
        )
    if long_name and long_value:
        cells = (
            f"SELECT *, {_norm(long_name)} AS _series, {_norm(long_value)} AS _raw FROM _ees_rows"
        )
    else:
        on = ", ".join(ident(c) for c in indicators)
        cells = (
            f"SELECT *, _series, NULLIF(trim(_raw0), '') AS _raw FROM "
            f"(SELECT * FROM _ees_rows UNPIVOT INCLUDE NULLS (_raw0 FOR _series IN ({on})))"
        )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ees_cells AS
        SELECT *,
            CASE WHEN lower(_raw) IN {_SYMS} THEN _raw END AS _symbol,
            CASE WHEN {_is_duration("_raw")} THEN 'months' END AS _unit,
            CASE WHEN {_is_duration("_raw")}
                   THEN 12 * CAST(split_part(_raw, ':', 1) AS DOUBLE)
                        + CAST(split_part(_raw, ':', 2) AS DOUBLE)
                 ELSE {_number("_raw")} END AS _value
        FROM ({cells})"""
    )
    bad = con.execute(
        "SELECT line, _series, _raw FROM _ees_cells "
        "WHERE _raw IS NOT NULL AND _symbol IS NULL AND _value IS NULL ORDER BY line LIMIT 1"
    ).fetchone()
    if bad:
        column = long_value if long_value else bad[1]
        raise BenchImportError(
            str(path),
            f"{bad[2]!r} is neither a number nor a known symbol ({', '.join(SYMBOLS)})",
            bad[0],
            str(column),
        )
    name = path.name
    con.execute("DELETE FROM bench_values WHERE source_file = ?", [name])
    area = (
        f"coalesce({g('la_name')}, "
        f"CASE WHEN lower(_level) = 'regional' THEN {g('region_name')} END, {g('country_name')})"
    )
    level = (
        "CASE lower(_level) "
        + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in LEVELS.items())
        + " ELSE _level END"
    )
    con.execute(
        f"""INSERT INTO bench_values
        SELECT ?, line, 'EES', ?, _series, _filters, _tp, {g("time_identifier")}, _year,
               {level}, {g("country_code")}, {g("region_code")}, {g("region_name")},
               {g("old_la_code")}, {g("new_la_code")}, {area},
               _value, _unit, _symbol,
               CASE WHEN _symbol IS NOT NULL THEN {symbols_sql()}[lower(_symbol)]
                    WHEN _raw IS NULL THEN 'blank in the file' END
        FROM _ees_cells""",
        [name, path.stem],
    )
    row = con.execute(
        "SELECT (SELECT count(*) FROM _ees_raw), count(*), count_if(_value IS NULL) FROM _ees_cells"
    ).fetchone()
    assert row is not None
    for t in ("_ees_cells", "_ees_rows", "_ees_raw"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return FileCounts(
        str(path),
        "EES",
        int(row[0]),
        int(row[0]),
        0,
        int(row[1]),
        int(row[2]),
        note=f"{len(indicators) or 'long layout:'} indicator(s), {len(filt)} filter(s)",
    )
