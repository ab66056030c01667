"""Drill-down: the children (and events) behind one KPI value.

The same member SQL that produced the value is run for that one LA and period
and joined to ``child_attributes``, so the list always reconciles with the
number: ``SUM(num)`` is the numerator and ``SUM(den)`` the denominator.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from cscperf.kpis.aggregate import MEMBER_ATTRIBUTES
from cscperf.kpis.catalogue import BREAKDOWNS, Kpi, get_kpi
from cscperf.kpis.coverage import UNCOVERED, set_uncovered
from cscperf.kpis.engine import cache_attributes, ensure_reference, load_members, session
from cscperf.kpis.periods import build_periods

ATTRIBUTE_COLUMNS = BREAKDOWNS


def explain(
    con: duckdb.DuckDBPyConnection,
    kpi_id: str | Kpi,
    la_code: str,
    period_type: str,
    period_end: date,
    breakdown: str | None = None,
    value: str | None = None,
    lookup_postcodes: bool = True,
) -> list[dict[str, Any]]:
    """Member rows of ``kpi_id`` for one LA and period, with child attributes.

    Each row: ``la_code, period_end, subject_id, event_date, num, den`` and every
    breakdown attribute.
    ``breakdown``/``value`` keep only members with that attribute value (e.g.
    ``breakdown='sex', value='Female'``), matching a breakdown row of kpi_values.
    """
    kpi = kpi_id if isinstance(kpi_id, Kpi) else get_kpi(kpi_id)
    ensure_reference(con, lookup_postcodes=lookup_postcodes)
    with session(con, [la_code], build_periods(period_type, [period_end])):
        load_members(con, kpi)
        _refuse_uncovered(con, kpi, la_code, period_end)
        return member_rows(con, breakdown, value)


def _refuse_uncovered(con: duckdb.DuckDBPyConnection, kpi: Kpi, la_code: str, end: date) -> None:
    """A period the data do not cover has no value, so no members to explain it: say why.
    (A value null for ``history before the data`` still lists its members, to find the
    children whose care began before the data.)"""
    set_uncovered(con, kpi)
    row = con.execute(f"SELECT reason FROM {UNCOVERED} WHERE reason NOT LIKE 'history%'").fetchone()
    if row:
        raise ValueError(f"{kpi.id} has no value for LA {la_code} at {end}: {row[0]}")


def member_rows(
    con: duckdb.DuckDBPyConnection, breakdown: str | None = None, value: str | None = None
) -> list[dict[str, Any]]:
    """``kpi_members`` joined to their ``child_attributes`` (inside an engine session)."""
    if breakdown is not None and breakdown not in ("all", *BREAKDOWNS):
        raise ValueError(f"unknown breakdown {breakdown!r}; use one of {', '.join(BREAKDOWNS)}")
    cache_attributes(con)
    attrs = ", ".join(f"COALESCE(CAST(ca.{c} AS VARCHAR), 'unknown') AS {c}" for c in BREAKDOWNS)
    where, params = "", []
    if breakdown and breakdown != "all":
        where = f"WHERE COALESCE(CAST(ca.{breakdown} AS VARCHAR), 'unknown') = ?"
        params = [value]
    rel = con.execute(
        f"""
        SELECT m.la_code, p.period_end, m.subject_id, m.event_date, m.num, m.den, {attrs}
        FROM kpi_members m
        JOIN periods p ON p.period_id = m.period_id
        LEFT JOIN {MEMBER_ATTRIBUTES} ca ON ca.la_code = m.la_code
            AND ca.period_id = m.period_id AND ca.subject_id = m.subject_id
            AND ca.attr_date IS NOT DISTINCT FROM m.attr_date
        {where}
        ORDER BY m.la_code, p.period_end, m.subject_id, m.event_date NULLS FIRST, m.num, m.den
        """,
        params,
    )
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
