"""Run the answers' SQL for one LA and period inside a KPI engine session.

Why through the engine: the answers count the same children as the indicators
(children looked after at the period end, returns home, missing incidents,
workforce snapshot), so they start from the KPIs' own member rows — run for the
one period [start, end] exactly as ``cscperf kpis`` runs them — and from the
shared helper views, never from a second copy of a definition. Each
``answer_<kpi_id>`` table holds a KPI's members (with child attributes when asked);
the ``.sql`` files beside this module select from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from cscperf.kpis.aggregate import MEMBER_ATTRIBUTES
from cscperf.kpis.catalogue import get_kpi
from cscperf.kpis.coverage import UNCOVERED, set_uncovered
from cscperf.kpis.engine import (
    cache_attributes,
    ensure_helpers,
    ensure_reference,
    members_sql,
    session,
)
from cscperf.kpis.periods import PERIOD_TYPES, Period, period_start, r12_start

SQL_DIR = Path(__file__).parent


def period_for(start: date, end: date) -> Period:
    """The engine period for [start, end]: named by its type when it is a standard one
    (a year, quarter, month), else 'custom'."""
    if start > end:
        raise ValueError(f"period start {start} is after its end {end}")
    kind = "custom"
    for t in ("year", "quarter", "month", "ytd"):
        if t in PERIOD_TYPES and period_start(t, end) == start:
            kind = t
            break
    return Period(kind, start, end, r12_start(end))


@dataclass
class Answering:
    """One LA and period inside an engine session: loads KPI members, runs SQL."""

    con: duckdb.DuckDBPyConnection
    la_code: str
    start: date
    end: date
    loaded: list[str] = field(default_factory=list)
    #: why a KPI's value would be null or partial for this period (coverage), by KPI
    caveats: dict[str, str] = field(default_factory=dict)

    def kpi(self, kpi_id: str, attributes: tuple[str, ...] = ()) -> str:
        """Materialise ``answer_<kpi_id>``: the KPI's members for the period, plus the
        ``attributes`` (child_attributes columns) asked for; returns the table name."""
        kpi = get_kpi(kpi_id)
        name = f"answer_{kpi_id}"
        ensure_helpers(self.con, kpi.sql)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE kpi_members AS {members_sql(kpi)}")
        set_uncovered(self.con, kpi)
        row = self.con.execute(f"SELECT min(reason) FROM {UNCOVERED}").fetchone()
        if row and row[0]:
            self.caveats[kpi_id] = str(row[0])
        if attributes:
            cache_attributes(self.con)
            cols = ", ".join(f"ca.{a}" for a in attributes)
            select = (
                f"SELECT m.*, {cols} FROM kpi_members m LEFT JOIN {MEMBER_ATTRIBUTES} ca "
                "ON ca.la_code = m.la_code AND ca.period_id = m.period_id "
                "AND ca.subject_id = m.subject_id AND ca.attr_date IS NOT DISTINCT FROM m.attr_date"
            )
        else:
            select = "SELECT * FROM kpi_members"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")
        self.loaded.append(name)
        return name

    def rows(self, sql_name: str) -> list[dict[str, Any]]:
        """Rows of ``<sql_name>.sql`` (after creating the helper views it mentions)."""
        sql = (SQL_DIR / f"{sql_name}.sql").read_text(encoding="utf-8").strip().rstrip(";")
        ensure_helpers(self.con, sql)
        cur = self.con.execute(sql)
        cols = [d[0] for d in cur.description or []]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def count(self, table: str) -> int:
        """Rows of a canonical table for the LA (the session scopes tables to it)."""
        row = self.con.execute(
            f"SELECT count(*) FROM {table} WHERE la_code = ?", [self.la_code]
        ).fetchone()
        return int(row[0]) if row else 0

    def caveat(self, *kpi_ids: str) -> str:
        """' Data caveat: ...' for the first KPI whose data do not cover the period."""
        for k in kpi_ids:
            if k in self.caveats:
                return f" Data caveat: {self.caveats[k]}."
        return ""

    def drop(self) -> None:
        for name in self.loaded:
            self.con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")
        self.loaded.clear()


@contextmanager
def answering(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    start: date,
    end: date,
    lookup_postcodes: bool = True,
) -> Iterator[Answering]:
    """An :class:`Answering` inside an engine session for [start, end] (the
    connection is left as found)."""
    ensure_reference(con, lookup_postcodes=lookup_postcodes)
    with session(con, [la_code], [period_for(start, end)]):
        a = Answering(con, la_code, start, end)
        try:
            yield a
        finally:
            a.drop()
