"""The YAML unit-test runner: every KPI's ``tests:`` run against a throwaway store.

A test gives canonical rows (``given``), reference rows (``population``,
``postcodes``, ``la_lookup``) and a period; the engine computes the KPI exactly
as in production and the ``expect`` / ``expect_members`` rows are compared.
Failures say which row differed and how, so an analyst can fix a KPI from
the message alone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from cscperf.kpis.catalogue import BREAKDOWNS, Kpi, get_kpi, load_catalogue
from cscperf.kpis.engine import (
    KPI_VALUES_COLUMNS,
    RunSummary,
    ensure_reference,
    load_members,
    run_in_session,
    session,
)
from cscperf.kpis.explain import member_rows
from cscperf.kpis.periods import build_periods, reporting_year_end
from cscperf.store.schema import PROVENANCE, TABLES

DEFAULT_LA = "999"
_ROW_KEYS = ("la_code", "period_end", "breakdown", "breakdown_value")
_VALUE_KEYS = ("period_start", "numerator", "denominator", "value", "flag")
_MEMBER_KEYS = ("subject_id", "event_date", "num", "den", "period_end", *BREAKDOWNS)
_REFERENCE_COLUMNS = {
    "postcodes": ("postcode", "easting", "northing", "ons_la_code"),
    "la_lookup": ("la_code", "ons_code", "name", "region"),
}


@dataclass(frozen=True)
class TestResult:
    """The outcome of one YAML test."""

    kpi_id: str
    name: str
    passed: bool
    message: str = ""


def new_store() -> duckdb.DuckDBPyConnection:
    """An empty in-memory store with every canonical table."""
    try:
        from cscperf.store.db import connect
    except ImportError:  # pragma: no cover - before the store module existed
        con = duckdb.connect()
        for t in TABLES.values():
            cols = [f"{n} {typ}" for n, typ in PROVENANCE]
            cols += [f"{c.name} {c.sql_type}" for c in t.columns]
            con.execute(f"CREATE TABLE {t.name} ({', '.join(cols)})")
        return con
    return connect(":memory:")


def _as_dates(value: Any) -> list[date]:
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        out.append(v if isinstance(v, date) else date.fromisoformat(str(v)))
    return out


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[dict[str, Any]],
    allowed: Iterable[str],
) -> None:
    allowed = set(allowed)
    for row in rows:
        unknown = set(row) - allowed
        if unknown:
            raise ValueError(f"given {table}: unknown column(s) {', '.join(sorted(unknown))}")
    cols = list(dict.fromkeys(k for r in rows for k in r))
    if not cols:
        return
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    con.executemany(sql, [[_sql_value(r.get(c)) for c in cols] for r in rows])


def _sql_value(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, date | float):
        return v
    if isinstance(v, int):
        return v
    return str(v)


def load_given(con: duckdb.DuckDBPyConnection, test: dict[str, Any], return_year: int) -> set[str]:
    """Insert a test's given rows; returns the LA codes they mention."""
    las = {DEFAULT_LA}
    for table, rows in (test.get("given") or {}).items():
        if table in _REFERENCE_COLUMNS:  # reference rows may also sit under given:
            continue
        if table not in TABLES:
            raise ValueError(f"given: unknown table {table!r}")
        t = TABLES[table]
        allowed = {*t.column_names, *(n for n, _ in PROVENANCE)}
        fixed = [{"la_code": DEFAULT_LA, "return_year": return_year, **r} for r in rows or []]
        _insert_rows(con, table, fixed, allowed)
        las |= {str(r["la_code"]) for r in fixed}
    for table, columns in _REFERENCE_COLUMNS.items():
        rows = [*(test.get(table) or []), *((test.get("given") or {}).get(table) or [])]
        if table == "postcodes":
            rows = [{**r, "postcode": str(r["postcode"]).upper().replace(" ", "")} for r in rows]
        # la_lookup is a view over the LA reference table ``la_reference``
        _insert_rows(con, "la_reference" if table == "la_lookup" else table, rows, columns)
    _insert_returns(con, test.get("returns") or [])
    pop = test.get("population") or {}
    by_la = pop if pop and all(isinstance(v, dict) for v in pop.values()) else {DEFAULT_LA: pop}
    for la, years in by_la.items():
        for year, n in years.items():
            con.execute(
                "INSERT INTO population VALUES (?, ?, ?, 'test')", [str(la), int(year), int(n)]
            )
    return las


_RETURN_KEYS = {"la_code", "collection", "return_year", "covers_from", "covers_to"}


def _insert_returns(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> None:
    """A test's ``returns:`` rows: what the loaded returns cover. ``{collection: '903',
    return_year: 2019}`` covers that reporting year (1 April 2018 to 31 March 2019);
    ``covers_from``/``covers_to`` give any other window; ``la_code`` defaults to 999.

    A test without ``returns:`` leaves the registry empty: the store then holds no
    record of what was loaded, which the engine takes as covered for all time, so
    tests of how a KPI counts need not say which returns their rows came from.
    """
    for row in rows:
        unknown = set(row) - _RETURN_KEYS
        if unknown or "collection" not in row:
            raise ValueError(f"returns: rows need collection (unknown: {sorted(unknown)})")
        year = row.get("return_year")
        start = row.get("covers_from") or (date(int(year) - 1, 4, 1) if year else None)
        end = row.get("covers_to") or (date(int(year), 3, 31) if year else None)
        if start is None or end is None:
            raise ValueError("returns: give return_year, or covers_from and covers_to")
        con.execute(
            "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) "
            "VALUES (?, ?, ?, ?, ?)",
            [str(row.get("la_code", DEFAULT_LA)), str(row["collection"]), year, start, end],
        )


def _norm(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float):
        return None if isinstance(v, float) and math.isnan(v) else round(float(v), 6)
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _same(got: Any, expected: Any) -> bool:
    """Equal; a float expectation holds to the decimals it is written with.

    A hand-worked 33.3 (one third, as a percentage) matches 33.333...; it
    would not match 33.4.
    """
    if isinstance(expected, float) and isinstance(got, int | float) and not isinstance(got, bool):
        decimals = len(repr(expected).partition(".")[2]) if "e" not in repr(expected) else 6
        return bool(abs(float(got) - expected) <= 0.5 * 10 ** -max(decimals, 1) + 1e-9)
    return bool(_norm(got) == _norm(expected))


def _check_expect(
    kpi: Kpi, test: dict[str, Any], rows: list[dict[str, Any]], ends: list[date]
) -> list[str]:
    problems = []
    for i, exp in enumerate(test.get("expect") or [], start=1):
        unknown = set(exp) - {*_ROW_KEYS, *_VALUE_KEYS}
        if unknown:
            problems.append(f"expect row {i}: unknown key(s) {', '.join(sorted(unknown))}")
            continue
        key = {
            "la_code": str(exp.get("la_code", DEFAULT_LA)),
            "breakdown": exp.get("breakdown", "all"),
            "period_end": _norm(_as_dates(exp["period_end"])[0])
            if "period_end" in exp
            else (ends[0].isoformat() if len(ends) == 1 else None),
        }
        key["breakdown_value"] = str(
            exp.get("breakdown_value", "all" if key["breakdown"] == "all" else "")
        )
        if key["period_end"] is None:
            problems.append(f"expect row {i}: several period ends; say which (period_end:)")
            continue
        hits = [r for r in rows if all(_norm(r[k]) == v for k, v in key.items())]
        if len(hits) != 1:
            problems.append(f"expect row {i}: {len(hits)} result rows match {key}")
            continue
        got = hits[0]
        for k in _VALUE_KEYS:
            if k in exp and not _same(got[k], exp[k]):
                problems.append(
                    f"expect row {i} ({key['breakdown']}={key['breakdown_value']}): "
                    f"{k} expected {exp[k]!r}, got {got[k]!r}"
                )
    return problems


def _check_members(test: dict[str, Any], actual: list[dict[str, Any]]) -> list[str]:
    expected = test.get("expect_members")
    if expected is None:
        return []
    keys = list(dict.fromkeys(k for r in expected for k in r))
    unknown = set(keys) - set(_MEMBER_KEYS)
    if unknown:
        return [f"expect_members: unknown key(s) {', '.join(sorted(unknown))}"]
    actual = [m for m in actual if m["la_code"] == DEFAULT_LA]
    want = Counter(tuple(_norm(r.get(k)) for k in keys) for r in expected)
    got = Counter(tuple(_norm(r.get(k)) for k in keys) for r in actual)
    if want == got:
        return []
    missing = list((want - got).elements())
    extra = list((got - want).elements())
    return [f"expect_members ({', '.join(keys)}): missing {missing}, unexpected {extra}"]


class _StorePool:
    """One reusable in-memory store per process.

    Emptying the few tables a test touched is far cheaper than creating and
    migrating ~40 tables for every test, and leaves the store just as empty.
    """

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None

    def get(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            self.con = new_store()
            ensure_reference(self.con, lookup_postcodes=False)
            self.con.execute("DELETE FROM la_reference")  # tests give their own LA rows
        return self.con

    def reset(self, tables: Iterable[str]) -> None:
        if self.con is None:
            return
        try:
            for t in (*tables, "population", "postcodes", "la_reference", "kpi_values", "returns"):
                self.con.execute(f"DELETE FROM {t}")
        except duckdb.Error:
            self.con.close()
            self.con = None


_POOL = _StorePool()


def _breakdowns(kpi: Kpi, test: dict[str, Any]) -> list[str]:
    wanted = {str(e["breakdown"]) for e in test.get("expect") or [] if "breakdown" in e}
    wanted |= {str(b) for b in test.get("breakdowns") or []}
    wanted.discard("all")
    undeclared = wanted - set(kpi.breakdowns)
    if undeclared:
        raise ValueError(f"breakdown(s) not declared by the KPI: {sorted(undeclared)}")
    return sorted(wanted)


def run_test(kpi: Kpi, test: dict[str, Any]) -> TestResult:
    """Run one YAML test of ``kpi`` against an empty in-memory store."""
    name = str(test.get("name"))
    touched = [t for t in (test.get("given") or {}) if t in TABLES]
    try:
        period_type = test["period_type"]
        ends = _as_dates(test["period_end"])
        periods = build_periods(period_type, ends)
        breakdowns = _breakdowns(kpi, test)
        con = _POOL.get()
        try:
            las = load_given(con, test, reporting_year_end(max(ends)))
            las |= {str(x) for x in test.get("la_codes") or []}
            summary = RunSummary()
            with session(con, sorted(las), periods):
                run_in_session(con, [kpi], breakdowns, summary)
                if kpi.id in summary.skipped:
                    raise ValueError(summary.skipped[kpi.id])
                rel = con.execute(
                    f"SELECT {', '.join(KPI_VALUES_COLUMNS)} FROM kpi_values WHERE kpi_id = ?",
                    [kpi.id],
                )
                rows = [dict(zip(KPI_VALUES_COLUMNS, r, strict=True)) for r in rel.fetchall()]
                members = []
                if "expect_members" in test:
                    load_members(con, kpi)  # run_kpi only materialises them for breakdowns
                    members = member_rows(con)
        finally:
            _POOL.reset(touched)
        problems = _check_expect(kpi, test, rows, ends) + _check_members(test, members)
    except Exception as exc:  # a broken test or KPI is a failure with a message, not a crash
        return TestResult(kpi.id, name, False, f"{type(exc).__name__}: {exc}")
    return TestResult(kpi.id, name, not problems, "\n".join(problems))


def run_kpi_tests(kpi_id: str | Kpi) -> list[TestResult]:
    """Run every YAML test of one KPI."""
    kpi = kpi_id if isinstance(kpi_id, Kpi) else get_kpi(kpi_id)
    return [run_test(kpi, t) for t in kpi.tests]


def all_test_ids() -> list[tuple[str, int, str]]:
    """(kpi_id, index, name) of every YAML test in the catalogue, for pytest ids."""
    return [
        (kpi.id, i, str(t.get("name")))
        for kpi in load_catalogue(strict=False).values()
        for i, t in enumerate(kpi.tests)
    ]
