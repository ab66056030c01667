"""The store's tables for published benchmarks (store migration 5).

Every row carries ``source_file`` (the file's name) so that importing a file
again replaces exactly that file's rows.
"""

from __future__ import annotations

import duckdb

DDL = (
    """CREATE TABLE IF NOT EXISTS bench_files (
        source_file VARCHAR, path VARCHAR, kind VARCHAR, rows_read BIGINT,
        rows_loaded BIGINT, rows_refused BIGINT, values_loaded BIGINT,
        values_suppressed BIGINT, note VARCHAR, imported_at TIMESTAMP)""",
    # one published number (or flagged null) per row
    """CREATE TABLE IF NOT EXISTS bench_values (
        source_file VARCHAR, source_line BIGINT, source VARCHAR, dataset VARCHAR,
        series VARCHAR, filters VARCHAR, time_period VARCHAR, time_identifier VARCHAR,
        year INTEGER, geographic_level VARCHAR, country_code VARCHAR, region_code VARCHAR,
        region_name VARCHAR, old_la_code VARCHAR, new_la_code VARCHAR, area_name VARCHAR,
        value DOUBLE, unit VARCHAR, symbol VARCHAR, symbol_meaning VARCHAR)""",
    # per-series metadata (LAIT data dictionary)
    """CREATE TABLE IF NOT EXISTS bench_series (
        source_file VARCHAR, source VARCHAR, series VARCHAR, title VARCHAR,
        polarity VARCHAR, decimals INTEGER, year_type VARCHAR, no_quartile BOOLEAN,
        status VARCHAR)""",
    # statistical neighbour models: one row per (model, LA, neighbour)
    """CREATE TABLE IF NOT EXISTS bench_sn (
        source_file VARCHAR, model INTEGER, la_code VARCHAR, la_name VARCHAR,
        region VARCHAR, rank INTEGER, neighbour_code VARCHAR, closeness VARCHAR)""",
    # the DfE's LA code list (LAIT)
    """CREATE TABLE IF NOT EXISTS bench_la_codes (
        source_file VARCHAR, la_code VARCHAR, name VARCHAR, region VARCHAR, la_type VARCHAR)""",
)

#: tables holding rows of an imported file (all have ``source_file``)
FILE_TABLES = ("bench_values", "bench_series", "bench_sn", "bench_la_codes")


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in DDL:
        con.execute(ddl)
