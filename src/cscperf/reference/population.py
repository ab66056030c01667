"""ONS mid-year child population (ages 0–17) per LA: the denominator of every rate.

``year`` is the mid-year of the estimate (2024 = mid-2024). The engine picks the
estimate for a period by the catalogue's convention: a period ending in
reporting year Y-1→Y uses mid-(Y-1), else the latest earlier year, flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from cscperf.reference.las import ensure_la_reference

POPULATION_DDL = (
    "CREATE TABLE IF NOT EXISTS population "
    "(la_code VARCHAR, year INTEGER, age_0_17 BIGINT, source VARCHAR)"
)


def ensure_population(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(POPULATION_DDL)


def _columns(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    rel = con.execute("SELECT * FROM read_csv(?, all_varchar = true) LIMIT 0", [str(path)])
    return {d[0].lower() for d in rel.description}


#: values the ONS/DfE publish in place of a number (suppressed, not available)
SUPPRESSED = ("x", "c", "z", ":", "..", "u", "low")


@dataclass(frozen=True)
class PopulationLoad:
    """What one population file gave: every relevant row is loaded or counted as suppressed."""

    rows_read: int
    rows_loaded: int
    rows_suppressed: int


def load_csv(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    source: str | None = None,
    transaction: bool = True,
) -> PopulationLoad:
    """Load child population estimates from ``path``.

    Accepts the DfE/EES shape (``time_period, geographic_level, old_la_code,
    age_group, population_estimate``: LA rows for "Children aged 0 to 17 years",
    as in ``ons_mid-year_population_estimates_2012_to_2024.csv``) or a plain
    ``la_code, year, age_0_17`` file. Rows for the same (la_code, year) are
    replaced, so reloading a newer file is safe. Published suppression markers
    ("x", "c", ...) are counted, not loaded; any other value that is not a
    number, an LA code not in the LA reference, or two estimates for the same LA
    and year refuse the whole file with its line(s) and field (nothing is loaded).
    ``transaction=False`` when the caller's own transaction holds the load
    (``cscperf benchmarks import`` loads a batch atomically).
    """
    path = Path(path)
    ensure_population(con)
    cols = _columns(con, path)
    src = source or path.name
    if {"time_period", "old_la_code", "population_estimate"} <= cols:
        select = """
            SELECT trim(old_la_code) AS la_code, time_period AS year,
                   population_estimate AS age_0_17, line
            FROM (SELECT *, row_number() OVER () + 1 AS line
                  FROM read_csv(?, all_varchar = true))
            WHERE lower(geographic_level) = 'local authority'
              AND (age_group IS NULL OR lower(age_group) LIKE '%0 to 17%')
        """
        fields = ("old_la_code", "time_period", "population_estimate")
    elif {"la_code", "year", "age_0_17"} <= cols:
        select = """
            SELECT trim(la_code) AS la_code, year, age_0_17, line
            FROM (SELECT *, row_number() OVER () + 1 AS line
                  FROM read_csv(?, all_varchar = true))
        """
        fields = ("la_code", "year", "age_0_17")
    else:
        raise ValueError(
            f"{path}: not a population file (need time_period/old_la_code/population_estimate "
            "or la_code/year/age_0_17 columns)"
        )
    if transaction:
        con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _pop_raw AS
            SELECT la_code, trim(year) AS year_raw, TRY_CAST(trim(year) AS INTEGER) AS year,
                   trim(age_0_17) AS value_raw,
                   TRY_CAST(replace(trim(age_0_17), ',', '') AS BIGINT) AS age_0_17,
                   lower(trim(coalesce(age_0_17, ''))) IN {SUPPRESSED!r} AS suppressed,
                   line
            FROM ({select}) s""",
            [str(path)],
        )
        _refuse_bad_rows(con, path, fields)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _pop_load AS "
            "SELECT la_code, year, age_0_17 FROM _pop_raw WHERE NOT suppressed"
        )
        con.execute(
            "DELETE FROM population WHERE (la_code, year) IN (SELECT la_code, year FROM _pop_load)"
        )
        con.execute(
            "INSERT INTO population SELECT la_code, year, age_0_17, ? FROM _pop_load", [src]
        )
        row = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT suppressed) FROM _pop_raw"
        ).fetchone()
        con.execute("DROP TABLE _pop_load")
        con.execute("DROP TABLE _pop_raw")
        if transaction:
            con.execute("COMMIT")
    except Exception:
        if transaction:
            con.execute("ROLLBACK")
        raise
    read, loaded = (int(row[0]), int(row[1])) if row else (0, 0)
    return PopulationLoad(read, loaded, read - loaded)


def _refuse_bad_rows(
    con: duckdb.DuckDBPyConnection, path: Path, fields: tuple[str, str, str]
) -> None:
    """Raise naming the first row whose LA, year or (unsuppressed) value is not usable."""
    checks = (
        ("coalesce(la_code, '') !~ '^[0-9]{3}$'", fields[0], "la_code", "not a 3-digit LA code"),
        ("year IS NULL OR year NOT BETWEEN 1990 AND 2100", fields[1], "year_raw", "not a year"),
        (
            "NOT suppressed AND (age_0_17 IS NULL OR age_0_17 < 0)",
            fields[2],
            "value_raw",
            "not a whole number of children (nor a suppression marker)",
        ),
    )
    for cond, field, col, reason in checks:
        bad = con.execute(
            f"SELECT line, {col} FROM _pop_raw WHERE {cond} ORDER BY line LIMIT 1"
        ).fetchone()
        if bad:
            raise ValueError(f"{path}: line {bad[0]}, field {field}: {bad[1]!r} is {reason}")
    # the LA reference table knows every LA, current or reorganised (store migration 3)
    ensure_la_reference(con)
    unknown = con.execute(
        "SELECT line, la_code FROM _pop_raw "
        "WHERE la_code NOT IN (SELECT la_code FROM la_reference) ORDER BY line LIMIT 1"
    ).fetchone()
    if unknown:
        raise ValueError(
            f"{path}: line {unknown[0]}, field {fields[0]}: {unknown[1]!r} is not an English "
            "LA's DfE code"
        )
    # two estimates for one LA and year would double every rate that joins them
    twice = con.execute(
        "SELECT a.line, b.line, a.la_code, a.year FROM _pop_raw a JOIN _pop_raw b "
        "ON a.la_code = b.la_code AND a.year = b.year AND a.line < b.line "
        "ORDER BY a.line, b.line LIMIT 1"
    ).fetchone()
    if twice:
        raise ValueError(
            f"{path}: lines {twice[0]} and {twice[1]} are both the 0-17 estimate for LA "
            f"{twice[2]}, year {twice[3]}: keep one"
        )


def set_population(
    con: duckdb.DuckDBPyConnection, la_code: str, year: int, age_0_17: int, source: str
) -> None:
    """Set one estimate (used by the synthetic generator and tests)."""
    ensure_population(con)
    con.execute("DELETE FROM population WHERE la_code = ? AND year = ?", [la_code, year])
    con.execute("INSERT INTO population VALUES (?, ?, ?, ?)", [la_code, year, age_0_17, source])
