"""A batch's returns: the ones already loaded are replaced, every one is registered.

A return is (LA, collection, return year). Before the batch's tables are merged,
each return the store already holds loses the rows of every table the batch's
files carry for it (with their quarantine and log rows; earlier returns' rows they
had replaced come back); after the merge, the return's rows are compared with what
it held before and its registry row is written. A CIN census, a 903 XML or an Annex
A workbook is a whole return, so it carries every table of its collection; a 903
CSV or a local template carries its own table, so a 903 return sent as separate CSVs
can be loaded file by file without one file wiping the others.

All of it runs inside the batch transaction: a failure, or a ``kill -9``, leaves the
previous return in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from cscperf.ingest.merge import BatchFile, TableResult
from cscperf.store import returns as reg
from cscperf.store.returns import ReturnChange, TableChange
from cscperf.store.schema import TABLES

#: Formats whose one file is a whole return of this collection.
WHOLE_RETURN = {"ssda903-xml": "903", "cin-xml": "cin", "annex-a": "annex-a"}


@dataclass
class Unit:
    """One return of the batch."""

    collection: str
    year: int
    files: list[str] = field(default_factory=list)
    carried: set[str] = field(default_factory=set)  # tables the batch replaces
    prior: bool = False  # the store already held this return
    old: dict[str, str] = field(default_factory=dict)  # table -> snapshot of its old rows


def batch_units(files: list[BatchFile]) -> list[Unit]:
    """The returns the batch's files belong to (files without rows carry none)."""
    units: dict[tuple[str, int], Unit] = {}
    for f in files:
        assert f.info is not None and f.return_year is not None
        by: dict[str, set[str]] = {}
        for t in f.tables:
            by.setdefault(reg.collection_of(t), set()).add(t)
        whole = WHOLE_RETURN.get(f.info.format)
        if whole:
            by[whole] = {t.name for t in reg.tables_of(whole)}
        for collection, tables in by.items():
            unit = units.setdefault((collection, f.return_year), Unit(collection, f.return_year))
            unit.carried |= tables
            if str(f.path) not in unit.files:
                unit.files.append(str(f.path))
    return [units[k] for k in sorted(units)]


def prepare(con: duckdb.DuckDBPyConnection, units: list[Unit], la_code: str) -> None:
    """Take out of the store what the batch's returns held before (inside the batch
    transaction, before any table is merged)."""
    known = reg.registered(con, la_code)
    for unit in units:
        unit.prior = (unit.collection, unit.year) in known
        if not unit.prior:
            continue
        tables = [TABLES[name] for name in sorted(unit.carried)]
        held = reg.held(con, [t.name for t in tables], la_code, unit.year)
        for table in tables:
            if held[table.name][0] or held[table.name][1]:
                unit.old[table.name] = reg.snapshot(con, table, la_code, unit.year)
        reg.clear(con, tables, la_code, unit.year, held)


def finish(
    con: duckdb.DuckDBPyConnection,
    units: list[Unit],
    la_code: str,
    results: list[TableResult],
) -> list[ReturnChange]:
    """Compare, register and, when anything changed, drop the LA's KPI values."""
    changes: list[ReturnChange] = []
    order = list(TABLES)
    for unit in units:
        change = ReturnChange(la_code, unit.collection, unit.year, "loaded")
        carried = sorted(unit.carried, key=order.index)
        if unit.prior:
            fresh = reg.count_many(
                con, [t for t in carried if t not in unit.old], la_code, unit.year
            )
            for name in carried:
                if name in unit.old:
                    got = reg.compare(con, TABLES[name], unit.old[name], la_code, unit.year)
                else:
                    got = TableChange(name, 0, fresh[name], added=fresh[name])
                change.tables.append(got)
            others = [t.name for t in reg.tables_of(unit.collection) if t.name not in unit.carried]
            held = reg.count_many(con, others, la_code, unit.year)
            change.kept = [t for t, n in held.items() if n]
            change.action = "unchanged" if all(t.same for t in change.tables) else "replaced"
        else:  # a new return: its rows are the rows the batch loaded for it
            files = set(unit.files)
            for name in carried:
                n = sum(r.rows_loaded for r in results if r.table == name and r.file in files)
                change.tables.append(TableChange(name, 0, n, added=n))
        changes.append(change)
    entries = [
        reg.Entry(u.collection, u.year, u.files, keep_loaded_at=not c.changed)
        for u, c in zip(units, changes, strict=True)
    ]
    reg.register(con, la_code, entries)
    if any(c.changed for c in changes):
        reg.invalidate_kpis(con, la_code)
    return changes
