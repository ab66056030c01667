"""Answers to committee members' questions (issue 12 § 6): small tables the data can
answer, for one LA and period, built from the KPIs' own members (see run.py)."""

from __future__ import annotations

from datetime import date

import duckdb

from cscperf.answers.model import AnswerTable
from cscperf.answers.questions import BUILDERS
from cscperf.answers.run import answering

__all__ = ["AnswerTable", "answer_tables"]


def answer_tables(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    start: date,
    end: date,
    lookup_postcodes: bool = True,
) -> list[AnswerTable]:
    """Every answer for ``la_code`` over [start, end] on an open store connection."""
    out: list[AnswerTable] = []
    with answering(con, la_code, start, end, lookup_postcodes) as a:
        for build in BUILDERS:
            got = build(a)
            out.extend(got if isinstance(got, list) else [got])
    return out
