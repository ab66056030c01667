"""Which published year a computed period is compared with, and how to say so.

The DfE publishes return years (year ending 31 March). A computed year ending
31 March Y is compared with return year Y; a month or quarter (or a year not
ending 31 March) with the latest published year ending on or before it, and the
output says which two periods stand side by side ("published 2024-25 compared
with computed Q2 2025-26"), so nobody reads a quarter against its own year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cscperf.kpis.periods import reporting_year_end

PERIOD_TYPES = ("year", "quarter", "month")


def year_label(year: int) -> str:
    """2025 -> '2024-25' (the return year ending 31 March 2025)."""
    return f"{year - 1}-{year % 100:02d}"


def period_label(period_type: str, end: dt.date) -> str:
    """How a computed period is named: '2024-25', 'Q2 2025-26', 'September 2025'."""
    ry = reporting_year_end(end)
    if period_type == "year":
        label = f"year ending {end:%d %B %Y}"
        return year_label(ry) if (end.month, end.day) == (3, 31) else label
    if period_type == "quarter":
        q = (end.month - 4) % 12 // 3 + 1  # April-June is Q1
        return f"Q{q} {year_label(ry)}"
    if period_type == "month":
        return f"{end:%B %Y}"
    raise ValueError(f"period type must be one of {', '.join(PERIOD_TYPES)}, not {period_type!r}")


@dataclass(frozen=True)
class PeriodMatch:
    """A computed period and the published return year it is compared with."""

    period_type: str
    period_end: dt.date
    year: int  # the published return year
    same_period: bool  # the computed period is that return year itself
    label: str  # '' when same_period, else 'published 2024-25 compared with computed ...'


def match_period(period_type: str, end: dt.date, latest_published: int | None) -> PeriodMatch:
    """The published year for a computed period (``latest_published``: the store's latest)."""
    label = period_label(period_type, end)  # validates period_type
    if period_type == "year" and (end.month, end.day) == (3, 31):
        return PeriodMatch(period_type, end, end.year, True, "")
    # the latest 31 March on or before the period end
    year = end.year if (end.month, end.day) >= (3, 31) else end.year - 1
    if latest_published is not None:
        year = min(year, latest_published)
    text = f"published {year_label(year)} compared with computed {label}"
    return PeriodMatch(period_type, end, year, False, text)
