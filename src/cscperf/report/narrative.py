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
    now, then = fmt(value, unit), fmt(previous, unit)
    where = f"({month_label(end)}: {now}, {month_label(prev_end)}: {then})"
    # judged and stated on the figures as shown: a reader subtracts the two figures in
    # brackets, so 65.1 against 65.0 has increased by 0.1, whatever the decimals behind
    diff = _shown(now) - _shown(then)
    if diff == 0:
        return f"{title} is unchanged {where}."
    verb = "increased" if diff > 0 else "reduced"
    by = fmt(round(abs(diff), 1), "")
    by = f"{by} percentage points" if unit in ("percent", "%") else by
    return f"{title} has {verb} by {by} {where}."


def _shown(text: str) -> float:
    """The number a formatted figure shows ('1,234.5%' -> 1234.5)."""
    return float(text.rstrip("%").replace(",", ""))


def forecast_value(value: float, unit: str) -> str:
    """A forecast as shown: counts are whole numbers (a forecast of 492.4 referrals
    claims a precision it has not), others as :func:`fmt`."""
    return fmt(float(round(value)) if unit == "count" else round(value, 1), unit)


def forecast_sentence(
    point: float | None,
    lo: float | None,
    hi: float | None,
    unit: str,
    target: date | None = None,
    flow: bool = False,
) -> str:
    """'Forecast 11 by the end of the year (Mar 25; 80% interval 8–14).' A flow's
    forecast is the year's total: 'Forecast 492 for the year to Mar 25 (...)'."""
    if point is None:
        return ""
    parts = []
    if target is not None and not flow:
        parts.append(month_label(target))
    if lo is not None and hi is not None:
        parts.append(f"80% interval {forecast_value(lo, unit)}–{forecast_value(hi, unit)}")
    tail = f" ({'; '.join(parts)})" if parts else ""
    when = (
        f"for the year to {month_label(target)}"
        if flow and target is not None
        else "by the end of the year"
    )
    return f"Forecast {forecast_value(point, unit)} {when}{tail}."
