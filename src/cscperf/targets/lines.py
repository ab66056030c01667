"""Per-KPI target lines for one LA and period: value, previous period, same period
last year, direction of travel, target, RAG and its rule — read from ``kpi_values``
(computed by the KPI engine; nothing is computed here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from cscperf.kpis.catalogue import Kpi, load_catalogue
from cscperf.kpis.periods import add_months
from cscperf.targets.model import Target
from cscperf.targets.rag import rate, rule_text, travel

_STEP = {"month": 1, "quarter": 3, "year": 12, "ytd": 12, "r12": 12}


def shift(end: date, months: int) -> date:
    """``end`` moved by ``months``; a month end stays a month end (30 Apr - 1 = 31 Mar)."""
    if (end + timedelta(days=1)).day != 1:
        return add_months(end, months)
    first = add_months(end.replace(day=1), months + 1)
    return first - timedelta(days=1)


@dataclass(frozen=True)
class TargetLine:
    """One KPI at one period, rated. ``travel`` compares with the previous period,
    ``travel_year`` with the same period a year before (labels: improving /
    worsening / no change, up / down for context, n.a.)."""

    kpi_id: str
    title: str
    period_type: str
    period_end: date
    value: float | None
    previous: float | None
    last_year: float | None
    target: Target | None
    rag: str | None
    reason: str
    rule: str
    travel: str
    travel_year: str
    owner: str


def target_lines(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    period_end: date,
    period_type: str,
    targets: Mapping[str, Target],
    kpi_ids: Sequence[str] | None = None,
    catalogue: Mapping[str, Kpi] | None = None,
) -> list[TargetLine]:
    cat = catalogue if catalogue is not None else load_catalogue()
    ids = list(kpi_ids) if kpi_ids else sorted(cat)
    unknown = [k for k in ids if k not in cat]
    if unknown:
        raise KeyError(f"unknown KPI {unknown[0]!r}; see docs/kpis.md for the list")
    step = _STEP.get(period_type, 12)
    previous, last_year = shift(period_end, -step), shift(period_end, -12)
    rows = []
    if _has_kpi_values(con):  # a read-only store may not have the table yet
        rows = con.execute(
            "SELECT kpi_id, period_end, value FROM kpi_values WHERE la_code = ? "
            "AND period_type = ? AND breakdown = 'all' AND period_end IN (?, ?, ?)",
            [la_code, period_type, period_end, previous, last_year],
        ).fetchall()
    values: dict[tuple[str, date], float | None] = {
        (str(k), d): (None if v is None else float(v)) for k, d, v in rows
    }
    out = []
    for kpi_id in ids:
        kpi = cat[kpi_id]
        t = targets.get(kpi_id)
        now = values.get((kpi_id, period_end))
        before, year_ago = values.get((kpi_id, previous)), values.get((kpi_id, last_year))
        direction = t.direction if t is not None else None
        r = rate(kpi, t, now)
        out.append(
            TargetLine(
                kpi_id,
                kpi.title,
                period_type,
                period_end,
                now,
                before,
                year_ago,
                t,
                r.rag,
                r.reason,
                rule_text(kpi, t),
                travel(kpi, now, before, direction).label,
                travel(kpi, now, year_ago, direction).label,
                t.owner if t else "",
            )
        )
    return out


def _has_kpi_values(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'kpi_values'"
    ).fetchone()
    return bool(row and row[0])
