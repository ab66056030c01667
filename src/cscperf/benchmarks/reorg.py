"""LA names and reorganisations for comparisons, from the store's ``la_reference``.

The store's LA reference (store migration 3; :mod:`cscperf.reference.las`) is
the one record of which LA ended when and which LAs took over. A comparison
reads it to name the LA, to say when a year falls before the LA began or after
it ended, and to let a successor without its own earlier figures fall back on
its single predecessor's (North Northamptonshire 2021 against Northamptonshire
2018) -- always saying so, since the predecessor covered a different area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class LaInfo:
    code: str
    name: str
    ended: dt.date | None  # the day its successors began
    successors: tuple[str, ...]
    began: dt.date | None  # the day it took over from its predecessors
    predecessors: tuple[tuple[str, str], ...]  # (code, name)

    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


def _has_reference(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'la_reference'"
    ).fetchone()
    return bool(row and row[0])


def la_info(con: duckdb.DuckDBPyConnection, la_code: str) -> LaInfo | None:
    """The LA as the store's reference knows it (None when absent)."""
    if not _has_reference(con):
        return None
    me = con.execute(
        "SELECT name, ended, successors FROM la_reference WHERE la_code = ? LIMIT 1", [la_code]
    ).fetchone()
    if me is None:
        return None
    preds = con.execute(
        "SELECT la_code, name, ended FROM la_reference "
        "WHERE list_contains(successors, ?) ORDER BY la_code",
        [la_code],
    ).fetchall()
    began = min((p[2] for p in preds if p[2] is not None), default=None)
    return LaInfo(
        code=la_code,
        name=str(me[0] or ""),
        ended=me[1],
        successors=tuple(me[2] or ()),
        began=began,
        predecessors=tuple((str(p[0]), str(p[1] or "")) for p in preds),
    )


def _year_start(year: int) -> dt.date:
    return dt.date(year - 1, 4, 1)


def year_note(info: LaInfo | None, year: int) -> str:
    """Why the LA has no figures of its own for return ``year`` ('' when it existed)."""
    if info is None:
        return ""
    start, end = _year_start(year), dt.date(year, 3, 31)
    if info.ended is not None and start >= info.ended:
        return (
            f"{info.label()} ended on {info.ended:%d/%m/%Y}: its area's {year} figures are "
            f"{', '.join(info.successors)}'s"
        )
    if info.began is not None and end < info.began:
        names = ", ".join(f"{n} ({c})" for c, n in info.predecessors)
        return f"{info.label()} began on {info.began:%d/%m/%Y}: {year} figures are {names}'s"
    return ""


def stand_in(info: LaInfo | None, year: int) -> tuple[str, str] | None:
    """The single predecessor (code, name) whose figures stand for ``year``, if any."""
    if info is None or info.began is None or len(info.predecessors) != 1:
        return None
    return info.predecessors[0] if dt.date(year, 3, 31) < info.began else None
