"""Cell values and number formats of the scorecard workbook.

Every KPI number is stored as a number rounded exactly as the scorecard displays it
(:func:`cscperf.targets.shown`, the value the RAG rating and direction of travel are
judged on), with a number format showing those decimals. Storing the raw value would
let Excel round it again its own way (half away from zero: 482.5 days shows as 483
where the RAG was judged on 482), so a cell could read differently from its rating.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cscperf.kpis.catalogue import Kpi
from cscperf.targets import shown

UNIT_LABELS = {
    "count": "count",
    "percent": "%",
    "rate_per_10k": "per 10,000 children",
    "days": "days",
    "score": "score",
    "ratio": "ratio",
}
ARROWS = {"up": "\u2191", "down": "\u2193", "no change": "\u2192"}  # ↑ ↓ →
PERIOD_WORDS = {
    "year": "Year to",
    "quarter": "Quarter to",
    "month": "Month",
    "ytd": "Year to date",
    "r12": "12 months to",
}


def value(kpi: Kpi, x: float | None) -> float | None:
    """``x`` as the scorecard shows it (rounded to the KPI's decimals), or None."""
    if x is None or x != x or x in (float("inf"), float("-inf")):
        return None
    return float(shown(kpi, x))


def rounded(x: float | None, decimals: int) -> float | None:
    """``x`` rounded as ``f"{x:.{decimals}f}"`` displays it (for figures of no KPI unit)."""
    if x is None or x != x:
        return None
    return float(Decimal(f"{x:.{decimals}f}"))


def number_format(kpi: Kpi, suffix: str = "") -> str:
    """The Excel format showing a KPI's value as the scorecard does: its decimals, a
    thousands separator, '%' or ' days' after the number, and ``suffix`` (' [f]')."""
    fmt = "#,##0" + ("." + "0" * kpi.decimals if kpi.decimals > 0 else "")
    tail = {"percent": "%", "days": " days"}.get(kpi.unit, "") + suffix
    return fmt + (f'"{tail}"' if tail else "")


def unit_label(kpi: Kpi) -> str:
    return UNIT_LABELS.get(kpi.unit, kpi.unit)


def movement(kpi: Kpi, now: float | None, before: float | None) -> str | None:
    """up / down / no change between the displayed values (None when one is missing)."""
    if now is None or before is None:
        return None
    a, b = shown(kpi, now), shown(kpi, before)
    return "no change" if a == b else ("up" if a > b else "down")


def travel_text(kpi: Kpi, label: str, now: float | None, before: float | None) -> str:
    """'↑ improving', '↓ worsening', '→ no change', '↑ up' (context), or 'n.a.': the
    arrow is the movement, the word the judgement by polarity (never the arrow alone)."""
    move = movement(kpi, now, before)
    if move is None:
        return "n.a."
    word = label if label not in ("", "n.a.") else move
    return f"{ARROWS[move]} {word}"


def period_label(period_type: str, end: date) -> str:
    """'Year to Mar 2025' as a column header."""
    return f"{PERIOD_WORDS.get(period_type, period_type)} {end:%b %Y}"
