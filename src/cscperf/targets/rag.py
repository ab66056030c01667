"""RAG rating and direction of travel, judged on the values members see.

Both work on the *displayed* value (rounded to the KPI's ``decimals`` as the
scorecard prints it), in decimal arithmetic: a value shown as 70.0% against a
70% target is green, and 33.33 → 33.34 shown as 33.3 → 33.3 is "no change".
The rule text for the report's appendix is generated here from the same numbers
the rating uses, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cscperf.kpis.catalogue import Kpi
from cscperf.targets.model import Target

RAGS = ("green", "amber", "red")


def shown(kpi: Kpi, value: float) -> Decimal:
    """``value`` as displayed: rounded to the KPI's decimals, exactly as ``f"{v:.{d}f}"``."""
    return Decimal(f"{value:.{kpi.decimals}f}")


def _dec(x: float) -> Decimal:
    return Decimal(repr(x))  # the number as typed in the targets file (70 → 70.0)


def amber_edge(t: Target) -> Decimal | None:
    """The worst value still amber, or None when there is no amber band."""
    if t.target is None:
        return None
    target = _dec(t.target)
    if t.floor is not None:
        return _dec(t.floor)
    if t.tolerance is not None:
        tol = _dec(t.tolerance)
    elif t.tolerance_pct is not None:
        tol = abs(target) * _dec(t.tolerance_pct) / 100
    else:
        return None
    return target - tol if t.direction == "high" else target + tol


@dataclass(frozen=True)
class Rating:
    """``rag`` is green/amber/red, or None with ``reason`` saying why it is unrated."""

    rag: str | None
    reason: str = ""


def rate(kpi: Kpi, target: Target | None, value: float | None) -> Rating:
    """Green when the displayed value meets the target; amber when it is worse but
    within the tolerance (or no worse than the floor); red otherwise. Boundaries
    count as the better band."""
    direction = target.direction if target is not None else kpi.polarity
    if direction == "context":
        return Rating(None, "context indicator: not rated")
    if target is None or target.target is None:
        return Rating(None, "no target")
    if value is None:
        return Rating(None, "no value")
    v = shown(kpi, value)
    goal = _dec(target.target)
    edge = amber_edge(target)
    high = direction == "high"
    if (v >= goal) if high else (v <= goal):
        return Rating("green")
    if edge is not None and ((v >= edge) if high else (v <= edge)):
        return Rating("amber")
    return Rating("red")


def _fmt(kpi: Kpi, x: Decimal) -> str:
    text = f"{x:,.{kpi.decimals}f}"
    if kpi.unit == "percent":
        return f"{text}%"
    if kpi.unit == "days":
        return f"{text} days"
    if kpi.unit == "rate_per_10k":
        return f"{text} per 10,000"
    return text


def _band(kpi: Kpi, t: Target) -> str:
    unit = "percentage points" if kpi.unit == "percent" else ""
    if t.floor is not None:
        return "the floor"
    if t.tolerance is not None:
        return f"within {t.tolerance:g} {unit} of the target".replace("  ", " ")
    return f"within {t.tolerance_pct or 0.0:g}% of the target"


def rule_text(kpi: Kpi, target: Target | None) -> str:
    """The rating rule of one KPI in words, for the report's appendix."""
    direction = target.direction if target is not None else kpi.polarity
    if direction == "context":
        return "Not rated: a context indicator (neither a higher nor a lower value is better)."
    if target is None or target.target is None:
        return "Not rated: no target set."
    goal = _fmt(kpi, _dec(target.target))
    edge = amber_edge(target)
    better, worse = ("or above", "below") if direction == "high" else ("or below", "above")
    which = "Higher" if direction == "high" else "Lower"
    parts = [f"Green: {goal} {better} (the target)."]
    if edge is None:
        parts.append(f"Red: {worse} {goal}. No amber band.")
    else:
        e = _fmt(kpi, edge)
        parts.append(f"Amber: {worse} the target but {e} {better} ({_band(kpi, target)}).")
        parts.append(f"Red: {worse} {e}.")
    parts.append(
        f"{which} is better; judged on the value as displayed "
        f"({kpi.decimals} decimal place{'s' if kpi.decimals != 1 else ''})."
    )
    return " ".join(parts)


RAG_RULE = (
    "Each indicator with a target is rated on its value as displayed: Green when it meets "
    "the target (at or above it when higher is better, at or below it when lower is better); "
    "Amber when it misses the target but is within the tolerance (in the indicator's units, "
    "or as a % of the target) or no worse than the floor; Red otherwise. A value exactly on a "
    "boundary takes the better band. Context indicators, where neither direction is better, "
    "and indicators without a target are not rated."
)


@dataclass(frozen=True)
class Travel:
    """Direction of travel between two periods.

    ``movement`` is up/down/no change (None when a value is missing); ``judgement``
    is improving/worsening/no change, or ``n.a.`` for a context indicator or a
    missing value; ``label`` is what a scorecard shows (the movement for context).
    """

    movement: str | None
    judgement: str

    @property
    def label(self) -> str:
        if self.judgement == "n.a." and self.movement is not None:
            return self.movement
        return self.judgement


def travel(
    kpi: Kpi, current: float | None, previous: float | None, direction: str | None = None
) -> Travel:
    """Compare the displayed values; ``direction`` (a target's) overrides the polarity."""
    if current is None or previous is None:
        return Travel(None, "n.a.")
    a, b = shown(kpi, current), shown(kpi, previous)
    if a == b:
        return Travel("no change", "no change")
    movement = "up" if a > b else "down"
    way = direction or kpi.polarity
    if way == "context":
        return Travel(movement, "n.a.")
    better = (a > b) if way == "high" else (a < b)
    return Travel(movement, "improving" if better else "worsening")
