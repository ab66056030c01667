"""What the loaded data cover: windows of time per LA and collection.

A figure is only as good as the returns behind it: a 903 return describes its
reporting year and nothing after it, so a period no return covers must give no
figure, not a stale stock or a count of zero. The windows come from the
``returns`` registry (one row per LA, collection and return year, written by the
ingest; store migration 4 registered the returns of stores written before it).
Windows are merged into *runs* of
contiguous days, which is what the KPI engine and the ``coverage`` command read.
"""

from __future__ import annotations

import datetime as dt

import duckdb

#: the window SELECT every function here reads: (la_code, collection, return_year,
#: covers_from, covers_to)
WINDOW_COLUMNS = ("la_code", "collection", "return_year", "covers_from", "covers_to")

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary "
        "AND schema_name = 'main'",
        [table],
    ).fetchone()
    return bool(row and row[0])


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    if not _exists(con, table):
        return False
    return con.execute(f"SELECT 1 FROM main.{table} LIMIT 1").fetchone() is not None


def windows_sql(con: duckdb.DuckDBPyConnection) -> tuple[str | None, str]:
    """(SELECT of the coverage windows, where they come from).

    From the ``returns`` registry when it has rows; else ``(None, 'none')``: the store
    says nothing about what its data cover (a store built by hand, e.g. in tests).
    """
    if _has_rows(con, "returns"):
        return (
            "SELECT la_code, collection, return_year, covers_from, covers_to FROM main.returns "
            "WHERE covers_from IS NOT NULL AND covers_to IS NOT NULL",
            "returns",
        )
    return None, "none"


def runs_sql(windows: str) -> str:
    """Windows merged into runs of contiguous days per LA and collection (gaps and
    islands: a window starts a new run when it begins after every earlier one ended
    plus a day). Columns: la_code, collection, run_from, run_to."""
    return f"""
    WITH w AS (
        SELECT DISTINCT la_code, collection, covers_from, covers_to FROM ({windows}) x
        WHERE covers_from <= covers_to
    ),
    o AS (
        SELECT *, MAX(covers_to) OVER (
            PARTITION BY la_code, collection ORDER BY covers_from, covers_to
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_to
        FROM w
    ),
    s AS (
        SELECT *, SUM(CASE WHEN prev_to IS NULL OR covers_from > prev_to + 1 THEN 1 ELSE 0 END)
            OVER (PARTITION BY la_code, collection ORDER BY covers_from, covers_to
                  ROWS UNBOUNDED PRECEDING) AS run_no
        FROM o
    )
    SELECT la_code, collection, MIN(covers_from) AS run_from, MAX(covers_to) AS run_to
    FROM s GROUP BY la_code, collection, run_no
    """


def runs(
    con: duckdb.DuckDBPyConnection, la_code: str | None = None
) -> list[tuple[str, str, dt.date, dt.date]]:
    """(la_code, collection, run_from, run_to) in order; [] when nothing is known."""
    windows, _ = windows_sql(con)
    if windows is None:
        return []
    where, params = ("WHERE la_code = ?", [la_code]) if la_code else ("", [])
    rows = con.execute(
        f"SELECT * FROM ({runs_sql(windows)}) r {where} ORDER BY la_code, collection, run_from",
        params,
    ).fetchall()
    return [(str(a), str(b), c, d) for a, b, c, d in rows]


def month_rows(
    con: duckdb.DuckDBPyConnection, la_code: str | None = None
) -> list[tuple[str, str, str, str, str]]:
    """One row per LA, collection and month from its first to its last covered month:
    (la_code, collection, month 'YYYY-MM', 'full'|'part'|'none', return years).

    A month is 'part' when only some of its days are covered (e.g. an Annex A list
    starting mid-month); gaps between returns show as 'none'.
    """
    windows, _ = windows_sql(con)
    if windows is None:
        return []
    where, params = ("WHERE s.la_code = ?", [la_code]) if la_code else ("", [])
    sql = f"""
    WITH w AS (SELECT * FROM ({windows}) x),
    r AS ({runs_sql(windows)}),
    span AS (
        SELECT la_code, collection, date_trunc('month', MIN(run_from)) AS m0,
               date_trunc('month', MAX(run_to)) AS m1
        FROM r GROUP BY la_code, collection
    ),
    months AS (
        SELECT s.la_code, s.collection, CAST(m.month AS DATE) AS m_start,
               CAST(m.month + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS m_end
        FROM span s, LATERAL (SELECT unnest(generate_series(s.m0, s.m1, INTERVAL 1 MONTH))
                              AS month) m
        {where}
    ),
    covered AS (  -- runs never overlap, so their overlaps with a month add up to its days
        SELECT mo.la_code, mo.collection, mo.m_start, mo.m_end,
               -- (CASE: DuckDB's LEAST/GREATEST skip NULLs, so a month no run meets
               -- would otherwise count as covered)
               COALESCE(SUM(CASE WHEN r.run_from IS NOT NULL THEN LEAST(r.run_to, mo.m_end)
                   - GREATEST(r.run_from, mo.m_start) + 1 END), 0) AS n_days
        FROM months mo
        LEFT JOIN r ON r.la_code = mo.la_code AND r.collection = mo.collection
            AND r.run_from <= mo.m_end AND r.run_to >= mo.m_start
        GROUP BY mo.la_code, mo.collection, mo.m_start, mo.m_end
    ),
    years AS (
        SELECT mo.la_code, mo.collection, mo.m_start,
               string_agg(DISTINCT CAST(w.return_year AS VARCHAR), ',') AS years
        FROM months mo
        JOIN w ON w.la_code = mo.la_code AND w.collection = mo.collection
            AND w.covers_from <= mo.m_end AND w.covers_to >= mo.m_start
        GROUP BY mo.la_code, mo.collection, mo.m_start
    )
    SELECT c.la_code, c.collection, strftime(c.m_start, '%Y-%m') AS month,
           CASE WHEN c.n_days = 0 THEN 'none'
                WHEN c.n_days = c.m_end - c.m_start + 1 THEN 'full'
                ELSE 'part' END AS covered,
           COALESCE(y.years, '') AS return_years
    FROM covered c
    LEFT JOIN years y USING (la_code, collection, m_start)
    ORDER BY c.la_code, c.collection, month
    """
    return [
        (str(a), str(b), str(c), str(d), str(e))
        for a, b, c, d, e in con.execute(sql, params).fetchall()
    ]


def _month(d: dt.date) -> str:
    return f"{_MONTHS[d.month - 1]} {d.year}"


def _span(start: dt.date, end: dt.date) -> str:
    """'Apr 2018–Mar 2025'; a run not on month boundaries shows its days."""
    whole = start.day == 1 and (end + dt.timedelta(days=1)).day == 1
    if whole:
        return f"{_month(start)}–{_month(end)}"
    return f"{start.isoformat()}–{end.isoformat()}"


def _label(collection: str) -> str:
    return {"903": "903", "cin": "CIN", "annex-a": "Annex A"}.get(collection, collection)


def summary_line(con: duckdb.DuckDBPyConnection, la_code: str) -> str:
    """'Data: 903 Apr 2018–Mar 2025, CIN Apr 2018–Mar 2025, ...' for one LA: what the
    figures can rest on, printed under every scorecard."""
    windows, _ = windows_sql(con)
    if windows is None:
        return "Data: no record of the returns loaded (coverage not checked)"
    found: dict[str, list[str]] = {}
    for _, collection, start, end in runs(con, la_code):
        found.setdefault(collection, []).append(_span(start, end))
    if not found:
        return f"Data: nothing loaded for LA {la_code}"
    order = {"903": 0, "cin": 1, "annex-a": 2}
    by_span: dict[str, list[str]] = {}  # collections covering the same months, together
    for c, spans in sorted(found.items(), key=lambda kv: (order.get(kv[0], 9), kv[0])):
        by_span.setdefault(" and ".join(spans), []).append(c)
    n_local = sum(c.startswith("local:") for c in found)
    parts = []
    for span, cols in by_span.items():
        local = [c for c in cols if c.startswith("local:")]
        labels = [_label(c) for c in cols if not c.startswith("local:")]
        labels += ["local templates"] if len(local) == n_local > 1 else local
        parts.append(f"{', '.join(labels)} {span}")
    return "Data: " + "; ".join(parts)
