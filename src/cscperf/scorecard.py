"""The terminal scorecard: each KPI's latest and previous value and direction of travel.

Direction is judged by the KPI's polarity: for a "high is good" KPI a rise is
improving; for "low is good" a fall is; "context" KPIs only say up/down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from cscperf.kpis.catalogue import Kpi, load_catalogue

AREA_ORDER = ("front_door", "child_protection", "looked_after", "adoption", "care_leavers",
              "workforce")


@dataclass
class Line:
    kpi: Kpi
    latest: float | None
    previous: float | None
    flag: str | None

    @property
    def direction(self) -> str:
        if self.latest is None or self.previous is None:
            return ""
        change = round(self.latest, 6) - round(self.previous, 6)
        if abs(change) < 1e-9:
            return "no change"
        if self.kpi.polarity == "context":
            return "up" if change > 0 else "down"
        better = change > 0 if self.kpi.polarity == "high" else change < 0
        return "improving" if better else "worsening"


def fmt_value(kpi: Kpi, value: float | None) -> str:
    if value is None:
        return "-"
    if kpi.unit == "count":
        return f"{value:,.0f}"
    if kpi.unit == "days":
        return f"{value:,.0f} days"
    if kpi.unit == "percent":
        return f"{value:.1f}%"
    decimals = kpi.decimals if kpi.decimals is not None else 1
    return f"{value:,.{decimals}f}"


def lines(
    con: duckdb.DuckDBPyConnection, la_code: str, latest: dt.date, previous: dt.date
) -> list[Line]:
    """One line per catalogue KPI, from ``kpi_values`` (breakdown 'all', year periods)."""
    rows = con.execute(
        "SELECT kpi_id, period_end, value, flag FROM kpi_values WHERE la_code = ? "
        "AND period_type = 'year' AND breakdown = 'all' AND period_end IN (?, ?)",
        [la_code, latest, previous],
    ).fetchall()
    found = {(k, p): (v, f) for k, p, v, f in rows}
    out = []
    cat = load_catalogue()
    order = {a: i for i, a in enumerate(AREA_ORDER)}
    for kpi in sorted(cat.values(), key=lambda k: (order.get(k.area, 99), k.id)):
        v_now, flag = found.get((kpi.id, latest), (None, "not computed"))
        v_before, _ = found.get((kpi.id, previous), (None, None))
        out.append(Line(kpi, v_now, v_before, flag))
    return out


def render(items: list[Line], latest_label: str, previous_label: str) -> str:
    head = ("indicator", latest_label, previous_label, "direction", "note")
    table = [head] + [
        (
            ln.kpi.title,  # whole: a cut title can hide what it measures
            fmt_value(ln.kpi, ln.latest),
            fmt_value(ln.kpi, ln.previous),
            ln.direction,
            (ln.flag or "") if ln.latest is None else "",
        )
        for ln in items
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    text = []
    area = None
    for i, row in enumerate(table):
        if i and items[i - 1].kpi.area != area:
            area = items[i - 1].kpi.area
            text.append("")
            text.append(area.replace("_", " ").upper())
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:3], widths[1:3],
                                                                         strict=True)]
        cells += [row[3].ljust(widths[3]), row[4]]
        text.append("  ".join(cells).rstrip())
        if i == 0:
            text.append("-" * (sum(widths) + 8))
    return "\n".join(text)
