"""The shape of one answer: a small table a committee member asked for.

Why a dataclass of plain values: the report (HTML, Word), the Excel writer, the CLI
and the coming dashboard all show the same answer, so numbers stay numbers here and
each output layer formats them (``units`` says how).
"""

from __future__ import annotations

from dataclasses import dataclass

Cell = str | int | float | None
#: how a column is shown: text (a label), count, fte, percent, days, money (pounds)
UNITS = ("text", "count", "fte", "percent", "days", "money")


@dataclass(frozen=True)
class AnswerTable:
    """One answer for an LA and period.

    ``rows`` and ``total`` start with a text label, then one number (or None: not
    applicable / not known) per further column. ``rows`` is empty when the cohort is
    empty; ``none`` then says so in words ("No child ..."), so a table never fails
    or shows a row of zeros that reads as data.
    """

    id: str
    question: str
    title: str
    columns: tuple[str, ...]
    units: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str
    total: tuple[Cell, ...] | None = None
    none: str = ""

    def __post_init__(self) -> None:
        if len(self.units) != len(self.columns):
            raise ValueError(f"{self.id}: {len(self.columns)} columns but {len(self.units)} units")
        for u in self.units:
            if u not in UNITS:
                raise ValueError(f"{self.id}: unknown unit {u!r}")
        for r in (*self.rows, *((self.total,) if self.total else ())):
            if len(r) != len(self.columns):
                raise ValueError(f"{self.id}: a row has {len(r)} cells for {len(self.columns)}")

    @property
    def empty(self) -> bool:
        return not self.rows
