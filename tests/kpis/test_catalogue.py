"""The catalogue as a whole: every KPI is complete, documented and portable."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from cscperf.kpis.catalogue import (
    BREAKDOWNS,
    POLARITIES,
    Kpi,
    KpiDefinitionError,
    catalogue_errors,
    kpi_files,
    load_catalogue,
    load_kpi,
    view_files,
)

CATALOGUE = load_catalogue(strict=False)
KPIS = sorted(CATALOGUE.values(), key=lambda k: k.id)


def test_every_kpi_file_loads() -> None:
    assert catalogue_errors() == []


def test_catalogue_is_not_empty() -> None:
    assert {"contacts", "referrals", "referral_rate"} <= set(CATALOGUE)
    assert len(kpi_files()) == len(CATALOGUE)


@pytest.mark.parametrize("kpi", KPIS, ids=[k.id for k in KPIS])
def test_kpi_is_complete(kpi: Kpi) -> None:
    assert kpi.definition and len(kpi.definition) > 20, "definition missing or too short"
    assert kpi.polarity in POLARITIES
    assert kpi.tests, "no tests"
    assert all(b in BREAKDOWNS for b in kpi.breakdowns)
    assert kpi.path.parent.name == kpi.area, "area must match the folder"
    if kpi.aggregate == "rate_per_10k":
        assert kpi.unit == "rate_per_10k"


SQL_FILES = [k.path.with_suffix(".sql") for k in KPIS] + view_files()


@pytest.mark.parametrize("path", SQL_FILES, ids=[p.stem for p in SQL_FILES])
@pytest.mark.parametrize("dialect", ["spark", "postgres"])
def test_sql_transpiles(path: Path, dialect: str) -> None:
    sql = path.read_text(encoding="utf-8")
    statements = sqlglot.parse(sql, read="duckdb")
    assert len(statements) == 1 and isinstance(statements[0], exp.Query), "one SELECT"
    out = sqlglot.transpile(
        sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    assert len(out) == 1 and "SELECT" in out[0].upper()
    # The output must be valid in the target dialect too: parse it back there.
    back = sqlglot.parse(out[0], read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
    assert len(back) == 1 and isinstance(back[0], exp.Query)
    # DuckDB-only star modifiers must not survive into another dialect's SQL.
    # (sqlglot's lenient parsers accept `* EXCEPT (...)` in PostgreSQL, so look for it.)
    modifiers = [k for s in back[0].find_all(exp.Star) for k, v in s.args.items() if v]
    assert modifiers == [], f"star modifiers {modifiers} are not portable"


def _write(tmp_path: Path, name: str, text: str, sql: str | None = "SELECT 1") -> Path:
    area = tmp_path / "area"
    area.mkdir(exist_ok=True)
    (area / f"{name}.yml").write_text(text)
    if sql is not None:
        (area / f"{name}.sql").write_text(sql)
    return area / f"{name}.yml"


GOOD = """
id: k
title: K
area: area
definition: something counted
unit: count
aggregate: count
polarity: context
source: local
tests:
  - {name: t, period_type: year, period_end: 2025-03-31, expect: []}
"""


def test_loader_accepts_a_minimal_kpi(tmp_path: Path) -> None:
    kpi = load_kpi(_write(tmp_path, "k", GOOD))
    assert kpi.id == "k" and kpi.period_types == ("month", "quarter", "year", "ytd", "r12")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("polarity: context", "polarity: up"), "polarity"),
        (("definition: something counted\n", ""), "missing definition"),
        (
            (
                "tests:\n  - {name: t, period_type: year, period_end: 2025-03-31, expect: []}",
                "tests: []",
            ),
            "at least one test",
        ),
        (("id: k", "id: other"), "differs from the file name"),
        (("source: local", "source: local\nrequires: [nope]"), "unknown nope"),
        (("source: local", "source: local\nbreakdowns: [shoe_size]"), "unknown shoe_size"),
        (("source: local", "source: local\ncolour: red"), "unknown keys colour"),
    ],
)
def test_loader_rejects_bad_kpis(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = _write(tmp_path, "k", GOOD.replace(*change))
    with pytest.raises(KpiDefinitionError, match=message):
        load_kpi(path)


def test_loader_needs_the_sql_file(tmp_path: Path) -> None:
    with pytest.raises(KpiDefinitionError, match="no SQL file"):
        load_kpi(_write(tmp_path, "k", GOOD, sql=None))


def test_yaml_keeps_903_codes_as_strings(tmp_path: Path) -> None:
    text = GOOD.replace("expect: []", "expect: [], given: {oc3: [{in_touch: NO, activ: ON}]}")
    kpi = load_kpi(_write(tmp_path, "k", text))
    assert kpi.tests[0]["given"]["oc3"][0] == {"in_touch": "NO", "activ": "ON"}
