"""Rule-based sentences from the numbers: every figure comes from the data passed in,
so the text cannot drift from the scorecard."""

from __future__ import annotations

from datetime import date


def fmt(value: float | None, unit: str = "") -> str:
    """A value as a member reads it: whole numbers plain, others to one decimal."""
    if value is None:
        return "n/a"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}%" if unit in ("percent", "%") else text


def month_label(day: date) -> str:
    """'Mar 25' as in the seed reports."""
    return day.strftime("%b %y")


def change_sentence(
    title: str, value: float | None, previous: float | None, end: date, prev_end: date, unit: str
) -> str:
    """'The number of X has increased by 5 (Mar 25: 274, Mar 24: 269).'"""
    if value is None:
        return f"{title}: no value for {month_label(end)}."
    if previous is None:
        return f"{title} was {fmt(value, unit)} at {month_label(end)} (no earlier value)."
    diff = value - previous
    now, then = fmt(value, unit), fmt(previous, unit)
    where = f"({month_label(end)}: {now}, {month_label(prev_end)}: {then})"
    if diff == 0 or now == then:  # judged on the figures as shown
        return f"{title} is unchanged {where}."
    verb = "increased" if diff > 0 else "reduced"
    by = fmt(abs(diff), "")
    by = f"{by} percentage points" if unit in ("percent", "%") else by
    return f"{title} has {verb} by {by} {where}."


def forecast_sentence(point: float | None, lo: float | None, hi: float | None, unit: str) -> str:
    """'Forecast 11 by the end of the year (80% interval 8–14).'"""
    if point is None:
        return ""
    tail = ""
    if lo is not None and hi is not None:
        tail = f" (80% interval {fmt(lo, unit)}–{fmt(hi, unit)})"
    return f"Forecast {fmt(point, unit)} by the end of the year{tail}."
