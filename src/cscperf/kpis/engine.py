"""The KPI engine: run each KPI's member SQL for every LA × period at once.

For each KPI one query produces its members over the whole ``periods`` × LAs
grid, and one statement aggregates them (by the rules in
``docs/kpi-contract.md``) and upserts ``kpi_values``. Python only loops over
KPIs, never over periods, LAs or children, so the same code serves one LA or
all of England.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import duckdb

from cscperf.kpis.aggregate import (
    MEMBER_ATTRIBUTES,
    all_rows_sql,
    breakdown_rows_sql,
    population_sql,
)
from cscperf.kpis.catalogue import BREAKDOWNS, VIEWS_DIR, Kpi, load_catalogue, view_files
from cscperf.kpis.coverage import TEMP_TABLES as COVERAGE_TABLES
from cscperf.kpis.coverage import create_runs, set_uncovered
from cscperf.kpis.periods import Period, build_periods, create_periods
from cscperf.reference.calendar import ensure_calendar
from cscperf.reference.population import ensure_population
from cscperf.reference.postcodes import ensure_postcodes, ensure_postcodes_table
from cscperf.store.schema import TABLES

KPI_VALUES_COLUMNS = (
    "kpi_id",
    "la_code",
    "period_type",
    "period_start",
    "period_end",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "flag",
)
KPI_VALUES_DDL = """
CREATE TABLE IF NOT EXISTS kpi_values (
    kpi_id VARCHAR, la_code VARCHAR, period_type VARCHAR, period_start DATE, period_end DATE,
    breakdown VARCHAR, breakdown_value VARCHAR, numerator DOUBLE, denominator DOUBLE,
    value DOUBLE, flag VARCHAR
)"""
MEMBER_COLUMNS = (
    "la_code", "period_id", "subject_id", "event_date", "num", "den", "covered", "attr_date",
)  # fmt: skip


class KpiRunError(RuntimeError):
    """A KPI's SQL failed; the message names the KPI and its file."""


@dataclass
class RunSummary:
    """What :func:`compute` did: KPIs run, rows written, KPIs skipped and why."""

    las: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    rows: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


# --- reference tables ---------------------------------------------------------


def ensure_la_lookup(con: duckdb.DuckDBPyConnection) -> None:
    """The LA reference (``la_reference``, ``la_ons_codes``, ``la_lookup``): made by
    store migration 3; created and filled here only on a connection that is not a store."""
    from cscperf.reference.las import ensure_la_reference

    ensure_la_reference(con)


def ensure_reference(con: duckdb.DuckDBPyConnection, lookup_postcodes: bool = True) -> None:
    """Make sure every reference table the KPIs join exists (and is filled)."""
    ensure_calendar(con)
    ensure_population(con)
    ensure_postcodes_table(con)
    ensure_la_lookup(con)
    con.execute(KPI_VALUES_DDL)
    if lookup_postcodes:
        ensure_postcodes(con)


# --- session: the relations a KPI's SQL sees -----------------------------------


def _present_las(con: duckdb.DuckDBPyConnection) -> list[str]:
    union = " UNION ".join(f"SELECT DISTINCT la_code FROM {t}" for t in TABLES)
    rows = con.execute(f"SELECT la_code FROM ({union}) u WHERE la_code IS NOT NULL").fetchall()
    return sorted(r[0] for r in rows)


def resolve_las(con: duckdb.DuckDBPyConnection, la_codes: str | Sequence[str] | None) -> list[str]:
    """``None``/``'all'`` → every LA with data; else the codes given."""
    if la_codes is None or la_codes == "all":
        return _present_las(con)
    if isinstance(la_codes, str):
        return [la_codes]
    return sorted(set(la_codes))


_PER_KPI = re.compile(r"\b(periods|kpi_members|las)\b", re.IGNORECASE)

#: DuckDB settings for a run: results are keyed, so row order never matters, and
#: not preserving it lets DuckDB stream and parallelise inserts with less memory
_RUN_SETTINGS = {"preserve_insertion_order": "false"}


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


@dataclass
class _Helpers:
    """The helper views of one session, created on first use (see :func:`ensure_helpers`)."""

    sql: dict[str, str]
    created: list[tuple[str, str]] = field(default_factory=list)  # (name, TABLE|VIEW)
    per_kpi: set[str] = field(default_factory=set)

    def mentions(self, text: str) -> list[str]:
        body = _strip_comments(text)
        return [n for n in self.sql if re.search(rf"\b{n}\b", body, re.IGNORECASE)]


#: the helper state of each connection inside a session
_HELPERS: dict[int, _Helpers] = {}


def ensure_helpers(con: duckdb.DuckDBPyConnection, text: str) -> None:
    """Create the helper views ``text`` mentions (and theirs), once per session.

    A helper that does not depend on ``periods``, ``las`` or ``kpi_members``
    (directly or through another helper) is the same for every KPI of the run,
    so it is materialised once as a TEMP TABLE; this includes helpers built on
    ``all_periods`` (every period of the run, real starts), e.g. ``cla_stock``.
    The others are TEMP VIEWs. Helpers no KPI of the run uses are never built.
    """
    state = _HELPERS.get(id(con))
    if state is None:
        return
    for name in state.mentions(text):
        if any(n == name for n, _ in state.created):
            continue
        sql = state.sql[name]
        deps = [d for d in state.mentions(sql) if d != name]
        ensure_helpers(con, " ".join(deps))
        per_kpi = bool(_PER_KPI.search(_strip_comments(sql))) or any(
            d in state.per_kpi for d in deps
        )
        kind = "VIEW" if per_kpi else "TABLE"
        try:
            con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS\n{sql}\n")
        except duckdb.Error as exc:
            raise KpiRunError(f"helper view {VIEWS_DIR / name}.sql: {exc}") from exc
        if per_kpi:
            state.per_kpi.add(name)
        state.created.append((name, kind))


def _current_settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    names = ", ".join(f"'{k}'" for k in _RUN_SETTINGS)
    rows = con.execute(
        f"SELECT name, value FROM duckdb_settings() WHERE name IN ({names})"
    ).fetchall()
    return {str(n): str(v) for n, v in rows}


@contextmanager
def session(
    con: duckdb.DuckDBPyConnection,
    las: Sequence[str],
    periods: Sequence[Period],
    all_las: bool = False,
) -> Iterator[None]:
    """Create the TEMP relations KPIs use (``las``, ``periods``, ``all_periods``,
    scoped tables; helper views on first use); drop them afterwards so the
    connection is left as found.

    ``all_las`` says ``las`` is every LA in the store, so no scoping is needed.
    """
    created_views: list[str] = []
    created_tables = [
        "las", "all_periods", "periods", "_grid", "_pop", "_nodata", "kpi_members", ATTR_CACHE,
        *COVERAGE_TABLES,
    ]  # fmt: skip
    saved = _current_settings(con)
    helpers = _Helpers(
        {p.stem: p.read_text(encoding="utf-8").strip().rstrip(";") for p in view_files()}
    )
    try:
        for k, v in _RUN_SETTINGS.items():
            con.execute(f"SET {k} = {v}")
        con.execute("CREATE OR REPLACE TEMP TABLE las (la_code VARCHAR)")
        if las:
            con.executemany("INSERT INTO las VALUES (?)", [(c,) for c in las])
        create_runs(con)  # what the loaded returns cover (before tables are scoped)
        scoped = not all_las and bool(set(_present_las(con)) - set(las))
        if scoped:
            db = con.execute("SELECT current_database()").fetchone()
            catalog = db[0] if db else "memory"
            for t in TABLES:  # shadow each canonical table with its in-scope rows
                con.execute(
                    f'CREATE OR REPLACE TEMP VIEW {t} AS SELECT * FROM "{catalog}".main.{t} '
                    "WHERE la_code IN (SELECT la_code FROM las)"
                )
                created_views.append(t)
        _SCOPED[id(con)] = scoped
        create_periods(con, periods, "all_periods")
        create_periods(con, periods, "periods")
        _PERIODS_VIEW.pop(id(con), None)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _grid AS "
            "SELECT l.la_code, p.* FROM las l CROSS JOIN all_periods p"
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE _pop AS {population_sql()}")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE kpi_members (la_code VARCHAR, period_id VARCHAR, "
            "subject_id VARCHAR, event_date DATE, num DOUBLE, den DOUBLE, covered DOUBLE, "
            "attr_date DATE)"
        )
        con.execute("CREATE OR REPLACE TEMP TABLE _nodata (la_code VARCHAR)")
        attrs = ", ".join(f"{b} VARCHAR" for b in BREAKDOWNS)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ATTR_CACHE} (period_start DATE, la_code VARCHAR, "
            f"period_id VARCHAR, subject_id VARCHAR, attr_date DATE, {attrs})"
        )
        # whose attributes child_attributes works out: the KPI's members not yet cached
        # (attr_date: the date they are taken at, NULL for the period end)
        con.execute(
            "CREATE OR REPLACE TEMP VIEW attribute_subjects AS "
            "SELECT m.la_code, m.period_id, m.subject_id, m.attr_date FROM kpi_members m "
            f"WHERE NOT EXISTS (SELECT 1 FROM {ATTR_CACHE} c JOIN periods p "
            "ON p.period_id = c.period_id AND p.period_start = c.period_start "
            "WHERE c.la_code = m.la_code AND c.period_id = m.period_id "
            "AND c.subject_id = m.subject_id AND c.attr_date IS NOT DISTINCT FROM m.attr_date)"
        )
        created_views.append("attribute_subjects")
        _HELPERS[id(con)] = helpers
        yield
    finally:
        _PERIODS_VIEW.pop(id(con), None)
        _HELPERS.pop(id(con), None)
        _SCOPED.pop(id(con), None)
        for name, kind in reversed(helpers.created):
            con.execute(f"DROP {kind} IF EXISTS temp.main.{name}")
        for v in reversed(created_views):
            con.execute(f"DROP VIEW IF EXISTS temp.main.{v}")
        for t in created_tables:
            con.execute(f"DROP TABLE IF EXISTS temp.main.{t}")
        for k, v in saved.items():
            con.execute(f"SET {k} = '{v}'")


#: whether each connection's session scopes the canonical tables to some LAs
_SCOPED: dict[int, bool] = {}


def _set_kpi_periods(con: duckdb.DuckDBPyConnection, kpi: Kpi) -> int:
    """``periods`` as this KPI sees it; returns how many periods that is.

    Only the KPI's period types are kept, and a rate over R12 counts from
    ``r12_start``. The table is rebuilt only when the view changes (cheap reuse
    across the many KPIs that share one).
    """
    start = "r12_start" if kpi.rate_window == "r12" else "period_start"
    types = ", ".join(f"'{t}'" for t in kpi.period_types)
    key = f"{start}|{types}"
    if _PERIODS_VIEW.get(id(con)) != key:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE periods AS SELECT period_id, period_type, "
            f"{start} AS period_start, period_end, r12_start FROM all_periods "
            f"WHERE period_type IN ({types})"
        )
        _PERIODS_VIEW[id(con)] = key
    return int(con.execute("SELECT count(*) FROM periods").fetchall()[0][0])


#: which ``periods`` variant each connection currently holds (reset by session())
_PERIODS_VIEW: dict[int, str] = {}


def members_sql(kpi: Kpi, scoped: bool = True) -> str:
    """The KPI's SQL with its member columns typed (and limited to the LAs in
    scope when the session is ``scoped``: otherwise every LA in the store is
    computed and the filter would only cost time).

    ``covered`` is the KPI's own column when its YAML sets ``coverage_flag``,
    else 1 for every member. ``attr_date`` is the date breakdown attributes are
    taken at: the member's ``event_date`` for ``breakdowns_at: event``, else NULL
    (the period end).
    """
    sql = kpi.sql.strip().rstrip(";")
    covered = "m.covered" if kpi.coverage_flag else "1"
    attr_date = "m.event_date" if kpi.breakdowns_at == "event" else "NULL"
    where = " WHERE m.la_code IN (SELECT la_code FROM las)" if scoped else ""
    return (
        "SELECT CAST(m.la_code AS VARCHAR) AS la_code, "
        "CAST(m.period_id AS VARCHAR) AS period_id, "
        "CAST(m.subject_id AS VARCHAR) AS subject_id, "
        "CAST(m.event_date AS DATE) AS event_date, "
        "CAST(m.num AS DOUBLE) AS num, CAST(m.den AS DOUBLE) AS den, "
        f"CAST({covered} AS DOUBLE) AS covered, "
        f"CAST({attr_date} AS DATE) AS attr_date "
        f"FROM (\n{sql}\n) m{where}"
    )


def _members_sql(con: duckdb.DuckDBPyConnection, kpi: Kpi) -> str:
    """:func:`members_sql` for the current session, its helper views created."""
    ensure_helpers(con, kpi.sql)
    return members_sql(kpi, _SCOPED.get(id(con), True))


def _kpi_error(kpi: Kpi, exc: Exception) -> KpiRunError:
    return KpiRunError(f"KPI {kpi.id} ({kpi.path.with_suffix('.sql')}): {exc}")


def load_members(con: duckdb.DuckDBPyConnection, kpi: Kpi) -> int:
    """Materialise ``kpi_members`` from the KPI's SQL (inside a :func:`session`).

    Needed for breakdowns and drill-down (``child_attributes`` reads it).
    Returns the number of periods the KPI applies to (0: nothing was run).
    """
    if not _set_kpi_periods(con, kpi):
        return 0
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE kpi_members AS {_members_sql(con, kpi)}")
    except duckdb.Error as exc:
        raise _kpi_error(kpi, exc) from exc
    return 1


def _set_nodata(con: duckdb.DuckDBPyConnection, kpi: Kpi) -> None:
    """LAs with no rows at all in one of the KPI's required tables → 'no data'."""
    if not kpi.requires:
        con.execute("CREATE OR REPLACE TEMP TABLE _nodata AS SELECT la_code FROM las WHERE FALSE")
        return
    missing = " OR ".join(
        f"NOT EXISTS (SELECT 1 FROM {t} WHERE {t}.la_code = l.la_code)" for t in kpi.requires
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _nodata AS SELECT l.la_code FROM las l WHERE {missing}"
    )


#: attributes of every member seen so far in the session, by the period start they
#: were worked out for (an R12 rate's periods start earlier, which changes the
#: episode "in the period"): a child is in many KPIs' members, 27% of rows distinct
#: in the demo's year ends
ATTR_CACHE = "_attr_cache"


def cache_attributes(con: duckdb.DuckDBPyConnection) -> None:
    """Work out the attributes of the KPI's members not yet cached (one evaluation of
    ``child_attributes`` per KPI, not per breakdown) and expose the members' ones as
    :data:`MEMBER_ATTRIBUTES`."""
    ensure_helpers(con, "child_attributes")
    # via a table: child_attributes reads the cache (attribute_subjects) it would fill
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _attr_new AS "
        "SELECT p.period_start, ca.* FROM child_attributes ca JOIN periods p USING (period_id)"
    )
    con.execute(f"INSERT INTO {ATTR_CACHE} BY NAME SELECT * FROM _attr_new")
    con.execute("DROP TABLE _attr_new")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {MEMBER_ATTRIBUTES} AS SELECT c.* EXCLUDE (period_start) "
        f"FROM {ATTR_CACHE} c JOIN periods p "
        "ON p.period_id = c.period_id AND p.period_start = c.period_start"
    )


def run_kpi(con: duckdb.DuckDBPyConnection, kpi: Kpi, breakdowns: Sequence[str]) -> int | None:
    """Compute one KPI inside a :func:`session` and upsert it.

    Returns rows written, or None when none of the session's periods is of a
    type the KPI supports.
    """
    if breakdowns or kpi.needs.period_of_care:  # coverage checks members' periods of care
        if not load_members(con, kpi):
            return None
        with_members = ""
    else:  # aggregate straight from the query: no member table is written
        if not _set_kpi_periods(con, kpi):
            return None
        with_members = f"WITH kpi_members AS (\n{_members_sql(con, kpi)}\n)\n"
    _set_nodata(con, kpi)
    set_uncovered(con, kpi)
    if breakdowns:
        cache_attributes(con)
    selects = [all_rows_sql(kpi)] + ([breakdown_rows_sql(kpi, breakdowns)] if breakdowns else [])
    names = ["all", *breakdowns]
    placeholders = ", ".join("?" for _ in names)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM kpi_values WHERE kpi_id = ? "
            "AND (period_type, period_end) IN (SELECT period_type, period_end FROM periods) "
            f"AND la_code IN (SELECT la_code FROM las) AND breakdown IN ({placeholders})",
            [kpi.id, *names],
        )
        try:
            row = con.execute(
                f"INSERT INTO kpi_values ({', '.join(KPI_VALUES_COLUMNS)}) "
                + with_members
                + "\nUNION ALL\n".join(selects)
            ).fetchall()[0]
        except duckdb.Error as exc:
            raise _kpi_error(kpi, exc) from exc
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(row[0])


def _select_kpis(kpi_ids: Sequence[str | Kpi] | None) -> list[Kpi]:
    """KPIs by id from the catalogue (Kpi objects pass through, e.g. in tests)."""
    if kpi_ids and all(isinstance(k, Kpi) for k in kpi_ids):
        return [k for k in kpi_ids if isinstance(k, Kpi)]
    cat = load_catalogue()
    if not kpi_ids:
        return list(cat.values())
    out: list[Kpi] = []
    for k in kpi_ids:
        if isinstance(k, Kpi):
            out.append(k)
        elif k in cat:
            out.append(cat[k])
        else:
            raise KeyError(f"unknown KPI {k!r}; see docs/kpis.md for the list")
    return out


def _breakdowns_for(kpi: Kpi, breakdowns: Sequence[str] | None) -> list[str]:
    if not breakdowns:
        return []
    if "*" in breakdowns:
        return list(kpi.breakdowns)
    return [b for b in breakdowns if b in kpi.breakdowns and b != "all"]


def compute(
    con: duckdb.DuckDBPyConnection,
    kpi_ids: Sequence[str | Kpi] | None = None,
    la_codes: str | Sequence[str] | None = None,
    period_type: str = "year",
    period_ends: Sequence[date] = (),
    breakdowns: Sequence[str] | None = None,
    on_error: str = "raise",
    lookup_postcodes: bool = True,
) -> RunSummary:
    """Compute KPIs for every LA × period end and upsert them into ``kpi_values``.

    ``la_codes``: None/'all' for every LA in the store, or codes. ``breakdowns``:
    names from the KPIs' YAML (``'*'`` = every breakdown each KPI declares); the
    ``all`` breakdown is always computed. A KPI that does not support
    ``period_type`` is skipped. ``on_error='collect'`` records a failing KPI in
    the summary and carries on; ``'raise'`` stops.
    """
    if not period_ends:
        raise ValueError("no period ends given")
    return compute_periods(
        con,
        build_periods(period_type, period_ends),
        kpi_ids,
        la_codes,
        breakdowns,
        on_error,
        lookup_postcodes,
    )


def compute_periods(
    con: duckdb.DuckDBPyConnection,
    periods: Sequence[Period],
    kpi_ids: Sequence[str | Kpi] | None = None,
    la_codes: str | Sequence[str] | None = None,
    breakdowns: Sequence[str] | None = None,
    on_error: str = "raise",
    lookup_postcodes: bool = True,
) -> RunSummary:
    """:func:`compute` for explicit periods, which may mix period types (e.g. 84
    month-ends and 7 year-ends): each KPI then runs once for all of them."""
    kpis = _select_kpis(kpi_ids)
    ensure_reference(con, lookup_postcodes=lookup_postcodes)
    las = resolve_las(con, la_codes)
    summary = RunSummary(las=las, periods=[p.period_id for p in periods])
    with session(con, las, periods, all_las=la_codes is None or la_codes == "all"):
        run_in_session(con, kpis, breakdowns, summary, on_error)
    return summary


def run_in_session(
    con: duckdb.DuckDBPyConnection,
    kpis: Sequence[Kpi],
    breakdowns: Sequence[str] | None,
    summary: RunSummary,
    on_error: str = "raise",
) -> None:
    """The body of :func:`compute`, for callers that already hold a session."""
    for kpi in kpis:
        started = time.perf_counter()
        try:
            rows = run_kpi(con, kpi, _breakdowns_for(kpi, breakdowns))
        except (KpiRunError, duckdb.Error) as exc:
            if on_error == "raise":
                raise
            summary.errors[kpi.id] = str(exc)
            continue
        if rows is None:
            summary.skipped[kpi.id] = f"only defined for {', '.join(kpi.period_types)} periods"
            continue
        summary.rows += rows
        summary.seconds[kpi.id] = time.perf_counter() - started
        summary.computed.append(kpi.id)
