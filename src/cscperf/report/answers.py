"""Formatting the answers to members' questions for people (no SQL: the tables come
from ``cscperf.api.member_answers``).

``format_cell`` is the one number format of an answer cell, shared by the HTML
partial (``templates/_answers.html``, which spells it in Jinja so it renders inside
report.html's environment unchanged), the CLI's text tables and any Word or Excel
writer that shows the answers as text.
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, select_autoescape

from cscperf.answers.model import AnswerTable, Cell

#: shown for a cell that does not apply or is not known
NOT_APPLICABLE = "n/a"


def format_cell(value: Cell, unit: str) -> str:
    """One cell as the report shows it: counts and days whole with thousands
    separators, FTE to one decimal, percentages to one decimal with '%', money in
    whole pounds; None is 'n/a'."""
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, str) or unit == "text":
        return str(value)
    if unit in ("count", "days"):
        return f"{value:,.0f}"
    if unit == "fte":
        return f"{value:,.1f}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "money":
        return f"£{value:,.0f}"
    return str(value)


def formatted_rows(table: AnswerTable) -> list[list[str]]:
    """The table's rows, then its total row, as text (empty when the cohort is)."""
    rows = [*table.rows, *((table.total,) if table.total else ())]
    return [[format_cell(v, u) for v, u in zip(r, table.units, strict=True)] for r in rows]


def render_answers(tables: Sequence[AnswerTable]) -> str:
    """The answers section on its own (the partial report.html includes)."""
    env = Environment(
        loader=PackageLoader("cscperf.report", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("_answers.html").render(answers=list(tables))
