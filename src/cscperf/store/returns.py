"""Returns as units: (LA, collection, return year) is what a later ingest replaces and
``cscperf returns withdraw`` removes.

Every canonical table belongs to one collection ('903', 'cin', 'annex-a' or
'local:<template>'), so a return's rows in a table are the rows of that LA and
return year. The canonical table holds, for each natural key, the row of the latest
return (the catalogue's "later return wins"); the rows that lost are kept in a
*superseded* table of the same shape (``<table>__superseded``), so that replacing or
withdrawing the later return can bring the earlier return's row back. Nothing reads
the superseded tables but this module: KPIs read the canonical tables as before.

Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from cscperf.store.schema import TABLES, Table

#: The collections a return can belong to, besides 'local:<template>'.
COLLECTIONS = ("903", "cin", "annex-a")
#: The table whose count heads a return's summary line, and what one of its rows is.
HEADLINE = {
    "903": ("cla_episodes", "episode"),
    "cin": ("referrals", "referral"),
    "annex-a": ("contacts", "contact"),
}
#: Annex A lists holding every event of the list period: their dates are its window.
ANNEX_A_EVENTS = (("contacts", "contact_date"), ("annexa_referrals", "referral_date"))


def collection_of(table: str) -> str:
    """The collection a canonical table's rows are returned in."""
    source = TABLES[table].source
    if source.startswith("903"):
        return "903"
    if source.startswith("CIN"):
        return "cin"
    if source.startswith("Annex A"):
        return "annex-a"
    return f"local:{table}"


def tables_of(collection: str) -> list[Table]:
    """The canonical tables of a collection (schema order); [] for an unknown one."""
    return [t for t in TABLES.values() if collection_of(t.name) == collection]


def superseded(table: str) -> str:
    """The table holding ``table``'s rows that a later return's row replaced."""
    return f"{table}__superseded"


def year_label(year: int) -> str:
    """2025 -> '2024-25' (a return year ends on 31 March)."""
    return f"{year - 1}-{str(year)[2:]}"


def _match(keys: Sequence[str], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in keys)


def _cols(table: Table) -> str:
    return ", ".join(("la_code", "return_year", "source_file", "source_line", *table.column_names))


@dataclass
class TableChange:
    """One table of a return: its rows before and after, and how they differ."""

    table: str
    before: int
    after: int
    changed: int = 0
    removed: int = 0
    added: int = 0
    restored: int = 0  # earlier returns' rows brought back into the canonical table

    @property
    def same(self) -> bool:
        return not (self.changed or self.removed or self.added or self.before != self.after)

    def describe(self, noun: str, of: str = "") -> str:
        """'3,512 → 3,511 episodes, 1 changed, 1 removed' (``noun`` singular)."""
        parts = [f"{self.before:,} → {_count(self.after, noun)}{of}"]
        parts += [
            f"{n:,} {what}"
            for n, what in (
                (self.changed, "changed"),
                (self.removed, "removed"),
                (self.added, "added"),
            )
            if n
        ]
        return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class ReturnChange:
    """What one ingest or withdrawal did to one return."""

    la_code: str
    collection: str
    return_year: int
    action: str  # 'loaded' (new), 'replaced', 'unchanged', 'withdrawn'
    tables: list[TableChange] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # tables the new files did not carry

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"

    def describe(self) -> str:
        """One line for the user, e.g. '903 2024-25 for 883 replaced: 3,512 → 3,511
        episodes, 1 changed, 1 removed'."""
        done = "reloaded, unchanged" if self.action == "unchanged" else self.action
        head = f"{self.collection} {year_label(self.return_year)} for {self.la_code} {done}"
        if not self.tables:
            return head
        name, noun = HEADLINE.get(self.collection, ("", "row"))
        by = {t.table: t for t in self.tables}
        first, of = by.get(name), ""
        if first is None:  # e.g. a 903 return of a header file only
            first, noun = self.tables[0], "row"
            of = "" if self.collection.startswith("local:") else f" of {first.table}"
        if self.action in ("loaded", "unchanged"):
            return f"{head}: {_count(first.after, noun)}{of}"
        if self.action == "withdrawn":
            others = sum(t.before for t in self.tables) - first.before
            text = f"{head}: {_count(first.before, noun)}{of}"
            text += f" and {_count(others, 'other row')} removed" if others else " removed"
            restored = sum(t.restored for t in self.tables)
            if restored:
                text += f"; {_count(restored, 'row')} of earlier returns restored"
            return text
        rest = [
            f"{t.table}: {t.describe('row')}" for t in self.tables if t is not first and not t.same
        ]
        text = f"{head}: {first.describe(noun, of)}" + "".join(f"; {r}" for r in rest)
        if self.kept:
            text += f" (kept, not in these files: {', '.join(self.kept)})"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "la_code": self.la_code,
            "collection": self.collection,
            "return_year": self.return_year,
            "action": self.action,
            "message": self.describe(),
            "tables": [t.__dict__ for t in self.tables],
        }


# -- reading and removing a return's rows ------------------------------------


def loaded(con: duckdb.DuckDBPyConnection, la_code: str, collection: str, year: int) -> bool:
    row = con.execute(
        "SELECT count(*) FROM returns WHERE la_code = ? AND collection = ? AND return_year = ?",
        [la_code, collection, year],
    ).fetchall()[0]
    return bool(row and row[0])


def count_many(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str], la_code: str, year: int
) -> dict[str, int]:
    """Rows the return contributed to each of ``tables`` (winning or superseded)."""
    return {t: n[0] + n[1] for t, n in held(con, tables, la_code, year).items()}


def held(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str], la_code: str, year: int
) -> dict[str, tuple[int, int, int]]:
    """Per table, in one query: the return's rows (winning, superseded) and the LA's
    superseded rows of other returns (which a withdrawal may bring back)."""
    if not tables:
        return {}
    parts = [
        f"SELECT {i} AS i, count(*) FILTER (WHERE return_year = $2) AS a, 0 AS b, 0 AS c "
        f"FROM {t} WHERE la_code = $1 UNION ALL "
        f"SELECT {i}, 0, count(*) FILTER (WHERE return_year = $2), "
        f"count(*) FILTER (WHERE return_year <> $2) FROM {superseded(t)} WHERE la_code = $1"
        for i, t in enumerate(tables)
    ]
    rows = con.execute(
        f"SELECT i, sum(a), sum(b), sum(c) FROM ({' UNION ALL '.join(parts)}) GROUP BY i",
        [la_code, year],
    ).fetchall()
    got = {int(i): (int(a), int(b), int(c)) for i, a, b, c in rows}
    return {t: got.get(i, (0, 0, 0)) for i, t in enumerate(tables)}


def _record_key(table: Table) -> tuple[str, ...]:
    """What identifies a record across a correction: the natural key less its last
    part (an episode: its child), or the whole key when it has one part."""
    return table.key[:-1] if len(table.key) > 1 else table.key


def _rows_sql(table: Table, la_code: str, year: int) -> str:
    """The return's rows of ``table``: record key and a hash of every column but
    provenance (literals, no parameters: it is also a snapshot's CREATE ... AS)."""
    la = la_code.replace("'", "''")
    where = f"la_code = '{la}' AND return_year = {int(year)}"
    cols = f"{', '.join(_record_key(table))}, hash({', '.join(table.column_names)}) AS _h"
    return (
        f"SELECT {cols} FROM {table.name} WHERE {where} "
        f"UNION ALL SELECT {cols} FROM {superseded(table.name)} WHERE {where}"
    )


def snapshot(con: duckdb.DuckDBPyConnection, table: Table, la_code: str, year: int) -> str:
    """Keep what :func:`compare` needs of the return's rows of ``table`` (record key
    and row hash) in a TEMP table."""
    name = f"_old_{table.name}_{int(year)}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {_rows_sql(table, la_code, year)}")
    return name


def compare(
    con: duckdb.DuckDBPyConnection, table: Table, old: str, la_code: str, year: int
) -> TableChange:
    """The return's rows now against ``old`` (a :func:`snapshot`), which is dropped.

    Rows are compared whole (every column but provenance, by a 64-bit hash). A row
    gone and a row come for the same record — e.g. the same child's episode with its
    DECOM moved — count as one changed row.
    """
    k = ", ".join(_record_key(table))
    new = _rows_sql(table, la_code, year)
    # one grouping of old and new rows together: per distinct row, how often on each side
    row = con.execute(
        f"""
        WITH r AS (
          SELECT {k}, _h, sum(o) AS o, sum(n) AS n FROM (
            SELECT *, 1 AS o, 0 AS n FROM {old}
            UNION ALL SELECT *, 0 AS o, 1 AS n FROM ({new})
          ) GROUP BY ALL
        ),
        d AS (
          SELECT {k}, sum(o) AS o, sum(n) AS n, sum(greatest(o - n, 0)) AS gone,
                 sum(greatest(n - o, 0)) AS came
          FROM r GROUP BY ALL
        )
        SELECT coalesce(sum(o), 0), coalesce(sum(n), 0), coalesce(sum(gone), 0),
               coalesce(sum(came), 0), coalesce(sum(least(gone, came)), 0)
        FROM d
        """
    ).fetchall()[0]
    before, after, gone, came, changed = (int(v) for v in row)
    con.execute(f"DROP TABLE {old}")
    return TableChange(table.name, before, after, changed, gone - changed, came - changed)


def clear(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[Table],
    la_code: str,
    year: int,
    counts: dict[str, tuple[int, int, int]] | None = None,
) -> dict[str, int]:
    """Remove the return's rows of ``tables``, with their quarantine and log rows.

    For each key where the return's row was the winner, the latest remaining
    return's row (if any) comes back from the superseded table. Returns, per
    table, how many rows came back. ``counts``: :func:`held` of ``tables``, if known.
    """
    counts = counts or held(con, [t.name for t in tables], la_code, year)
    restored = {t.name: _clear_table(con, t, la_code, year, *counts[t.name]) for t in tables}
    for log in ("quarantine", "ingest_log"):
        con.execute(
            f"DELETE FROM {log} WHERE la_code = ? AND return_year = ? "
            "AND list_contains(?, table_name)",
            [la_code, year, [t.name for t in tables]],
        )
    return restored


def _clear_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    la_code: str,
    year: int,
    winning: int,
    beaten: int,
    others: int,
) -> int:
    """:func:`clear` for one table; ``winning``, ``beaten``, ``others``: see :func:`held`."""
    name, old = table.name, superseded(table.name)
    args = [la_code, year]
    if beaten:
        con.execute(f"DELETE FROM {old} WHERE la_code = ? AND return_year = ?", args)
    if not winning:
        return 0
    if table.per_year or not others:  # nothing that could come back
        con.execute(f"DELETE FROM {name} WHERE la_code = ? AND return_year = ?", args)
        return 0
    mk = table.merge_key
    part = ", ".join(f"s.{k}" for k in mk)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _back AS SELECT s.* FROM {old} s "
        f"SEMI JOIN (SELECT {', '.join(mk)} FROM {name} WHERE la_code = ? AND return_year = ?) g "
        f"ON {_match(mk, 's', 'g')} WHERE s.la_code = ? "
        f"QUALIFY row_number() OVER (PARTITION BY {part} ORDER BY s.return_year DESC) = 1",
        [*args, la_code],
    )
    con.execute(f"DELETE FROM {name} WHERE la_code = ? AND return_year = ?", args)
    n = con.execute("SELECT count(*) FROM _back").fetchall()[0][0]
    if n:
        con.execute(f"INSERT INTO {name} ({_cols(table)}) SELECT {_cols(table)} FROM _back")
        con.execute(
            f"DELETE FROM {old} s WHERE EXISTS (SELECT 1 FROM _back b WHERE "
            f"{_match(mk, 'b', 's')} AND b.return_year = s.return_year)"
        )
    con.execute("DROP TABLE _back")
    return int(n)


# -- the registry --------------------------------------------------------------


def covers(
    con: duckdb.DuckDBPyConnection, la_code: str, collection: str, year: int
) -> tuple[dt.date | None, dt.date | None]:
    """The window of time the return's data describe.

    903 and CIN: the reporting year, 1 April to 31 March. Annex A: its lists are of
    every contact and referral in the list period, so the whole months from the
    earliest to the latest of those (lists 1 and 3; when both are empty, of any list's
    dates, dates of birth aside) — a list period runs in whole months, and a quiet
    last day must not make the last month "partly covered". A local template is the
    LA's extract for its reporting year (a snapshot on 31 March describes that year),
    widened to any earlier dates it holds (a fostering register goes back years).
    """
    if collection in ("903", "cin"):
        return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    found: tuple[dt.date | None, dt.date | None] = (None, None)
    if collection == "annex-a":
        found = _date_range(con, la_code, year, ANNEX_A_EVENTS)
    if found[0] is None:
        pairs = [
            (t.name, c.name)
            for t in tables_of(collection)
            for c in t.columns
            if c.kind == "date" and c.name != "dob"
        ]
        found = _date_range(con, la_code, year, pairs)
    first, last = found
    if first is None or last is None:
        return found
    if collection == "annex-a":
        return first.replace(day=1), _month_end(last)
    return min(first, dt.date(year - 1, 4, 1)), max(last, dt.date(year, 3, 31))


def _month_end(d: dt.date) -> dt.date:
    nxt = d.replace(day=28) + dt.timedelta(days=4)
    return nxt - dt.timedelta(days=nxt.day)


def _date_range(
    con: duckdb.DuckDBPyConnection, la_code: str, year: int, pairs: Iterable[tuple[str, str]]
) -> tuple[dt.date | None, dt.date | None]:
    parts = [
        f"SELECT {c} AS d FROM {src} WHERE la_code = $1 AND return_year = $2"
        for t, c in pairs
        for src in (t, superseded(t))
    ]
    if not parts:
        return None, None
    row = con.execute(
        f"SELECT min(d), max(d) FROM ({' UNION ALL '.join(parts)})", [la_code, year]
    ).fetchall()[0]
    return (row[0], row[1]) if row else (None, None)


@dataclass
class Entry:
    """A return to write into the registry (see :func:`register`)."""

    collection: str
    year: int
    files: Sequence[str]  # this batch's files of the return
    keep_loaded_at: bool = False  # loaded again, unchanged


def registered(con: duckdb.DuckDBPyConnection, la_code: str) -> dict[tuple[str, int], object]:
    """The LA's returns in the registry: (collection, year) -> loaded_at."""
    rows = con.execute(
        "SELECT collection, return_year, max(loaded_at) FROM returns WHERE la_code = ? "
        "GROUP BY ALL",
        [la_code],
    ).fetchall()
    return {(c, int(y)): at for c, y, at in rows}


def register(con: duckdb.DuckDBPyConnection, la_code: str, entries: Sequence[Entry]) -> None:
    """Write the returns' registry rows from what the store now holds for them.

    Files whose rows of other tables were kept stay listed; rows loaded and
    quarantined are the ingest log's, so rows read = rows loaded + quarantined.
    """
    if not entries:
        return
    years = sorted({e.year for e in entries})
    logged: dict[tuple[str, int], set[str]] = {}
    counts: dict[tuple[str, int], tuple[int, int]] = {}
    for table, year, files, good, bad in con.execute(
        "SELECT table_name, return_year, list(DISTINCT source_file), sum(rows_loaded), "
        "sum(rows_quarantined) FROM ingest_log WHERE la_code = ? "
        "AND list_contains(?, return_year) GROUP BY ALL",
        [la_code, years],
    ).fetchall():
        key = (collection_of(table), int(year))
        logged.setdefault(key, set()).update(files or [])
        was = counts.get(key, (0, 0))
        counts[key] = (was[0] + int(good or 0), was[1] + int(bad or 0))
    old = registered(con, la_code)
    values: list[object] = []
    for e in entries:
        key = (e.collection, e.year)
        start, end = covers(con, la_code, e.collection, e.year)
        at = old.get(key) if e.keep_loaded_at else None
        files = sorted(logged.get(key, set()) | set(e.files))
        values += [la_code, e.collection, e.year, start, end, files, *counts.get(key, (0, 0)), at]
    con.execute(
        "DELETE FROM returns WHERE la_code = ? AND list_contains(?, collection || '|' || "
        "return_year)",
        [la_code, [f"{e.collection}|{e.year}" for e in entries]],
    )
    rows = ", ".join("(?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, current_timestamp))" for _ in entries)
    con.execute(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to, files, "
        f"rows_loaded, rows_quarantined, loaded_at) VALUES {rows}",
        values,
    )


def invalidate_kpis(con: duckdb.DuckDBPyConnection, la_code: str) -> None:
    """Drop the LA's computed KPI values: they describe data that has changed.

    ``kpi_values`` is written by the KPI engine; any reader sees only values
    computed since, so none is ever served as current after its data changed.
    """
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'kpi_values'"
    ).fetchall()[0]
    if exists and exists[0]:
        con.execute("DELETE FROM kpi_values WHERE la_code = ?", [la_code])


def withdraw(
    con: duckdb.DuckDBPyConnection, la_code: str, collection: str, year: int
) -> ReturnChange:
    """Remove one return and everything derived from it (inside the caller's
    transaction); earlier returns' rows it had replaced come back."""
    change = ReturnChange(la_code, collection, year, "withdrawn")
    tables = tables_of(collection)
    before = count_many(con, [t.name for t in tables], la_code, year)
    restored = clear(con, tables, la_code, year)
    for t in tables:
        change.tables.append(
            TableChange(
                t.name, before[t.name], 0, removed=before[t.name], restored=restored[t.name]
            )
        )
    con.execute(
        "DELETE FROM returns WHERE la_code = ? AND collection = ? AND return_year = ?",
        [la_code, collection, year],
    )
    invalidate_kpis(con, la_code)
    return change


# -- the store's tables and migration -------------------------------------------


def superseded_ddl(table: Table) -> str:
    from cscperf.store.db import table_ddl

    return table_ddl(table).replace(
        f"EXISTS {table.name} (", f"EXISTS {superseded(table.name)} (", 1
    )


def backfill(con: duckdb.DuckDBPyConnection) -> None:
    """Registry rows for returns loaded before the registry existed (migration 4).

    ingest_log rows get the return year their rows were loaded under (they held the
    reader's year, blank for most 903 CSVs). Rows a later return had replaced were
    not kept then, so withdrawing such a return cannot bring them back.
    """
    probe = " UNION ALL ".join(f"(SELECT 1 FROM {t} LIMIT 1)" for t in TABLES)
    if not con.execute(f"SELECT count(*) FROM ({probe})").fetchall()[0][0]:
        return  # a new store: nothing to register
    for table in TABLES.values():
        con.execute(
            "UPDATE ingest_log l SET return_year = t.return_year FROM "
            f"(SELECT la_code, source_file, max(return_year) AS return_year FROM {table.name} "
            "GROUP BY ALL) t WHERE l.table_name = ? AND l.la_code = t.la_code "
            "AND l.source_file = t.source_file",
            [table.name],
        )
    found: set[tuple[str, str, int]] = set()
    for table in TABLES.values():
        rows = con.execute(
            f"SELECT DISTINCT la_code, return_year FROM {table.name} "
            "WHERE la_code IS NOT NULL AND return_year IS NOT NULL"
        ).fetchall()
        found |= {(la, collection_of(table.name), int(y)) for la, y in rows}
    for la, collection, year in sorted(found):
        files = con.execute(
            "SELECT list(DISTINCT source_file) FROM ("
            + " UNION ALL ".join(
                f"SELECT source_file FROM {t.name} WHERE la_code = $1 AND return_year = $2"
                for t in tables_of(collection)
            )
            + ")",
            [la, year],
        ).fetchall()[0]
        register(con, la, [Entry(collection, year, list(files[0] or []) if files else [])])
