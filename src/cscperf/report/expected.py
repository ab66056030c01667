"""Demand indicators have no target: like KCC's thresholds "based on past trends", each
is judged against the range (lowest to highest) of the same period in earlier years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cscperf.report.narrative import fmt, month_label

#: earlier years looked at, and the fewest that make a range
YEARS_BACK, MIN_YEARS = 5, 2


@dataclass(frozen=True)
class ExpectedRange:
    lo: float
    hi: float
    periods: list[date]  # the earlier period ends used

    def position(self, value: float, unit: str = "") -> str:
        """'within' | 'above' | 'below', judged on the figures as shown."""
        if self.lo <= value <= self.hi or fmt(value, unit) in (
            fmt(self.lo, unit),
            fmt(self.hi, unit),
        ):
            return "within"
        return "above" if value > self.hi else "below"


def same_period_ends(end: date, history: dict[date, float | None]) -> list[date]:
    """Earlier period ends in ``history`` at the same month and day as ``end``, at most
    YEARS_BACK years back, oldest first."""
    return sorted(
        d for d, v in history.items()
        if v is not None and d < end and (d.month, d.day) == (end.month, end.day)
        and end.year - d.year <= YEARS_BACK
    )  # fmt: skip


def expected_range(end: date, history: dict[date, float | None]) -> ExpectedRange | None:
    """The min-max of the same period in earlier years; None with fewer than MIN_YEARS."""
    ends = same_period_ends(end, history)
    if len(ends) < MIN_YEARS:
        return None
    vals = [history[d] for d in ends]
    known = [v for v in vals if v is not None]
    return ExpectedRange(min(known), max(known), ends)


def range_sentence(value: float | None, r: ExpectedRange | None, unit: str) -> str:
    """'The latest value, 611, is above the expected range of 400 to 431 (the lowest
    and highest at Mar 23 and Mar 24).'"""
    if value is None:
        return ""
    if r is None:
        return "No expected range: fewer than two earlier years of the same period in the store."
    when = " and ".join(
        [", ".join(month_label(d) for d in r.periods[:-1]), month_label(r.periods[-1])]
    )
    return (
        f"The latest value, {fmt(value, unit)}, is {r.position(value, unit)} the expected "
        f"range of {fmt(r.lo, unit)} to {fmt(r.hi, unit)} (the lowest and highest at {when})."
    )
