"""No figure for a period the data do not cover.

Each KPI reads some collections (its ``requires`` tables mapped through
:data:`cscperf.store.schema.COLLECTIONS`) over some span of time (its YAML
``needs:``, :class:`cscperf.kpis.catalogue.Needs`). For every LA × period the
engine checks that span against the runs of days the loaded returns cover
(:mod:`cscperf.store.coverage`) and, when it is not wholly covered, the value is
null with the reason, never a stale stock, a count of 0 or a too-short duration:

- ``no data for this period``: no loaded return of a collection covers any of it;
- ``partly covered: data from 2018-04-01`` (or ``data to ...``, ``data from ... to
  ..., with gaps``): some of it;
- ``history before the data: 2 children's care began before 2018-04-01``: the span
  is covered, but a member's period of care was open on the first covered day and
  its first loaded episode does not start it, so its start is unknown (``needs:
  period_of_care``).

All set-based: one statement per KPI over LAs × periods × collections.
"""

from __future__ import annotations

import duckdb

from cscperf.kpis.catalogue import Kpi
from cscperf.store.coverage import runs_sql, windows_sql
from cscperf.store.schema import COLLECTIONS

#: TEMP tables of a session: runs of covered days per LA and collection; the span each
#: KPI × LA × period × collection needs and what covers it; the cells with a reason
RUNS = "_coverage_runs"
NEED = "_coverage_need"
UNCOVERED = "_uncovered"
TEMP_TABLES = (RUNS, NEED, UNCOVERED)

NO_DATA = "no data for this period"
HISTORY = "history before the data"
#: the collection whose episodes make periods of care
_POC_COLLECTION = COLLECTIONS["cla_episodes"]


def create_runs(con: duckdb.DuckDBPyConnection) -> str:
    """Create :data:`RUNS` for the session's LAs (``las`` must exist); returns where
    the coverage came from: 'returns' or 'none'.

    With 'none' (a store holding no record of what was loaded: built by hand, as in
    the YAML tests) every collection is taken as covered for all time, so values are
    computed as before coverage existed.
    """
    windows, source = windows_sql(con)
    if windows is None:
        every = ", ".join(f"('{c}')" for c in sorted(set(COLLECTIONS.values())))
        sql = (
            "SELECT l.la_code, c.collection, DATE '1900-01-01' AS run_from, "
            f"DATE '9999-12-31' AS run_to FROM las l CROSS JOIN (VALUES {every}) c(collection)"
        )
    else:
        sql = f"SELECT * FROM ({runs_sql(windows)}) r WHERE la_code IN (SELECT la_code FROM las)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {RUNS} AS {sql}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {UNCOVERED} (la_code VARCHAR, period_id VARCHAR, "
        "reason VARCHAR)"
    )
    return source


def collections(kpi: Kpi) -> list[str]:
    """The collections a KPI reads: its ``requires`` tables' (data, not a list per KPI)."""
    return sorted({COLLECTIONS[t] for t in kpi.requires})


def need_from_sql(kpi: Kpi, p: str = "p") -> str:
    """First day a value of ``kpi`` needs, as SQL over the KPI's ``periods`` row ``p``
    (whose ``period_start`` is already an R12 rate's ``r12_start``)."""
    needs = kpi.needs
    if needs.window == "end":
        start = f"{p}.period_end"
    elif needs.window_months:
        start = (
            f"CAST({p}.period_end - INTERVAL {needs.window_months} MONTH "
            "+ INTERVAL 1 DAY AS DATE)"
        )
    else:
        start = f"{p}.period_start"
    if needs.history_months:
        start = f"CAST({start} - INTERVAL {needs.history_months} MONTH AS DATE)"
    return start


def _reason_sql(several: bool) -> str:
    """The reason for one LA × period × collection (NULL when wholly covered)."""
    text = f"""CASE
        WHEN n_runs = 0 THEN '{NO_DATA}'
        WHEN n_runs = 1 AND got_from = need_from AND got_to = need_to THEN NULL
        WHEN n_runs = 1 AND got_to = need_to
            THEN 'partly covered: data from ' || CAST(got_from AS VARCHAR)
        WHEN n_runs = 1 AND got_from = need_from
            THEN 'partly covered: data to ' || CAST(got_to AS VARCHAR)
        ELSE 'partly covered: data from ' || CAST(got_from AS VARCHAR) || ' to '
            || CAST(got_to AS VARCHAR) || CASE WHEN n_runs > 1 THEN ', with gaps' ELSE '' END
    END"""
    # a KPI reading several collections says which one falls short
    return f"{text} || ' (' || collection || ')'" if several else text


def set_uncovered(con: duckdb.DuckDBPyConnection, kpi: Kpi) -> None:
    """Fill :data:`UNCOVERED` for the KPI (inside a session, ``periods`` set for it).

    ``kpi_members`` must be a table when the KPI needs periods of care (the engine
    materialises it then).
    """
    con.execute(f"DELETE FROM {UNCOVERED}")
    wanted = collections(kpi)
    if not wanted:
        return
    values = ", ".join(f"('{c}')" for c in wanted)
    # CASE around GREATEST/LEAST: DuckDB's skip NULLs, and an unmatched LEFT JOIN row
    # must not look like coverage
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {NEED} AS
        WITH need AS (
            SELECT l.la_code, p.period_id, c.collection, {need_from_sql(kpi)} AS need_from,
                   p.period_end AS need_to
            FROM las l CROSS JOIN periods p CROSS JOIN (VALUES {values}) c(collection)
        )
        SELECT n.la_code, n.period_id, n.collection, n.need_from, n.need_to,
               COUNT(r.run_from) AS n_runs, MIN(r.run_from) AS data_from,
               MIN(CASE WHEN r.run_from IS NOT NULL
                        THEN GREATEST(r.run_from, n.need_from) END) AS got_from,
               MAX(CASE WHEN r.run_from IS NOT NULL
                        THEN LEAST(r.run_to, n.need_to) END) AS got_to
        FROM need n
        LEFT JOIN {RUNS} r ON r.la_code = n.la_code AND r.collection = n.collection
            AND r.run_from <= n.need_to AND r.run_to >= n.need_from
        GROUP BY n.la_code, n.period_id, n.collection, n.need_from, n.need_to
        """
    )
    reason = _reason_sql(len(wanted) > 1)
    con.execute(
        f"""
        INSERT INTO {UNCOVERED}
        SELECT la_code, period_id,
               -- 'no data' before 'partly covered', then by collection
               arg_min(reason, (CASE WHEN reason LIKE 'no data%' THEN 0 ELSE 1 END, collection))
        FROM (SELECT *, {reason} AS reason FROM {NEED}) x
        WHERE reason IS NOT NULL
        GROUP BY la_code, period_id
        """
    )
    if kpi.needs.period_of_care and _POC_COLLECTION in wanted:
        _history_before_the_data(con)


def _history_before_the_data(con: duckdb.DuckDBPyConnection) -> None:
    """Cells (wholly covered) with a member whose period of care, the one holding the
    member's ``event_date``, was already open on the first day of the covered run
    and whose first loaded episode does not start it (RNE other than S): earlier
    episodes of it are in no loaded return, so its start (and any placement before
    the data) is unknown. A period of care whose first loaded episode has RNE = S is
    whole even if it began before the data: that episode, open on the first covered
    day, is in the first return."""
    from cscperf.kpis.engine import ensure_helpers  # the engine imports this module

    ensure_helpers(con, "cla_periods_of_care")
    con.execute(
        f"""
        INSERT INTO {UNCOVERED}
        SELECT m.la_code, m.period_id,
               '{HISTORY}: ' || CASE WHEN COUNT(DISTINCT m.subject_id) = 1 THEN '1 child''s'
                   ELSE CAST(COUNT(DISTINCT m.subject_id) AS VARCHAR) || ' children''s' END
               || ' care began before ' || CAST(MIN(n.data_from) AS VARCHAR)
        FROM kpi_members m
        JOIN {NEED} n ON n.la_code = m.la_code AND n.period_id = m.period_id
            AND n.collection = '{_POC_COLLECTION}'
        JOIN cla_periods_of_care x ON x.la_code = m.la_code AND x.child_id = m.subject_id
            AND x.ep_in_poc = 1 AND x.poc_start <= m.event_date
            AND (x.poc_end IS NULL OR x.poc_end >= m.event_date)
        WHERE x.poc_start < n.data_from AND COALESCE(x.rne, '') <> 'S'
            AND NOT EXISTS (SELECT 1 FROM {UNCOVERED} u
                            WHERE u.la_code = m.la_code AND u.period_id = m.period_id)
        GROUP BY m.la_code, m.period_id
        """
    )
