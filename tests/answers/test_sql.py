"""The answers' SQL is held to the KPIs' rule: portable, one SELECT each."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from cscperf.answers.run import SQL_DIR

SQL_FILES = sorted(SQL_DIR.glob("*.sql"))


def test_there_are_sql_files() -> None:
    assert len(SQL_FILES) == 7


@pytest.mark.parametrize("path", SQL_FILES, ids=[p.stem for p in SQL_FILES])
@pytest.mark.parametrize("dialect", ["spark", "postgres"])
def test_sql_transpiles(path: Path, dialect: str) -> None:
    sql = path.read_text(encoding="utf-8")
    statements = sqlglot.parse(sql, read="duckdb")
    assert len(statements) == 1 and isinstance(statements[0], exp.Query), "one SELECT"
    out = sqlglot.transpile(
        sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    back = sqlglot.parse(out[0], read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
    assert len(back) == 1 and isinstance(back[0], exp.Query)
