"""ONS mid-year child population (ages 0–17) per LA: the denominator of every rate.

``year`` is the mid-year of the estimate (2024 = mid-2024). The engine picks the
estimate for a period by the catalogue's convention: a period ending in
reporting year Y-1→Y uses mid-(Y-1), else the latest earlier year, flagged.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

POPULATION_DDL = (
    "CREATE TABLE IF NOT EXISTS population "
    "(la_code VARCHAR, year INTEGER, age_0_17 BIGINT, source VARCHAR)"
)


def ensure_population(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(POPULATION_DDL)


def _columns(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    rel = con.execute("SELECT * FROM read_csv(?, all_varchar = true) LIMIT 0", [str(path)])
    return {d[0].lower() for d in rel.description}


def load_csv(con: duckdb.DuckDBPyConnection, path: str | Path, source: str | None = None) -> int:
    """Load child population estimates from ``path``; returns rows loaded.

    Accepts the DfE/EES shape (``time_period, geographic_level, old_la_code,
    age_group, population_estimate``: LA rows for "Children aged 0 to 17 years",
    as in ``ons_mid-year_population_estimates_2012_to_2024.csv``) or a plain
    ``la_code, year, age_0_17`` file. Rows for the same (la_code, year) are
    replaced, so reloading a newer file is safe. Suppressed values ("x", "c")
    are skipped.
    """
    path = Path(path)
    ensure_population(con)
    cols = _columns(con, path)
    src = source or path.name
    if {"time_period", "old_la_code", "population_estimate"} <= cols:
        select = """
            SELECT trim(old_la_code) AS la_code, TRY_CAST(time_period AS INTEGER) AS year,
                   TRY_CAST(replace(population_estimate, ',', '') AS BIGINT) AS age_0_17
            FROM read_csv(?, all_varchar = true)
            WHERE lower(geographic_level) = 'local authority'
              AND (age_group IS NULL OR lower(age_group) LIKE '%0 to 17%')
        """
    elif {"la_code", "year", "age_0_17"} <= cols:
        select = """
            SELECT trim(la_code) AS la_code, TRY_CAST(year AS INTEGER) AS year,
                   TRY_CAST(replace(age_0_17, ',', '') AS BIGINT) AS age_0_17
            FROM read_csv(?, all_varchar = true)
        """
    else:
        raise ValueError(
            f"{path}: not a population file (need time_period/old_la_code/population_estimate "
            "or la_code/year/age_0_17 columns)"
        )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _pop_load AS SELECT * FROM ({select}) s "
            "WHERE la_code IS NOT NULL AND la_code <> '' AND year IS NOT NULL "
            "AND age_0_17 IS NOT NULL",
            [str(path)],
        )
        con.execute(
            "DELETE FROM population WHERE (la_code, year) IN (SELECT la_code, year FROM _pop_load)"
        )
        con.execute(
            "INSERT INTO population SELECT la_code, year, age_0_17, ? FROM _pop_load", [src]
        )
        row = con.execute("SELECT count(*) FROM _pop_load").fetchone()
        con.execute("DROP TABLE _pop_load")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(row[0]) if row else 0


def set_population(
    con: duckdb.DuckDBPyConnection, la_code: str, year: int, age_0_17: int, source: str
) -> None:
    """Set one estimate (used by the synthetic generator and tests)."""
    ensure_population(con)
    con.execute("DELETE FROM population WHERE la_code = ? AND year = ?", [la_code, year])
    con.execute("INSERT INTO population VALUES (?, ?, ?, ?)", [la_code, year, age_0_17, source])
