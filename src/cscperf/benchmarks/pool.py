"""A regional pool: a KPI over the pooled children of several LAs in one store.

The comparator the seeds call "regional benchmarking (quarter 2 position)": for any
period the published figures do not cover (a month, a quarter, R12), the LA is set
beside the same KPI computed over the children of a group of LAs whose case-level
data share the store — its statistical neighbours by default.

Why not a mean of rates: each LA's value weighs its children equally within the
LA, so the mean of ten rates is not the rate of the ten LAs' children. The pool is
the KPI of the pooled children. The engine (``kpis/aggregate.py``) aggregates every
KPI from member rows grouped by LA and period as SUM(num), SUM(den) (and
population for rates), so for count, percent, ratio, mean and rate KPIs the pooled
value is exactly Σ numerators / Σ denominators of the members' stored values (a
child belongs to one LA's rows, so no member row is counted twice). A median is not
additive: it is the median over the pooled member rows, from the KPI's own SQL run
for the pooled LAs (:func:`pooled_from_members`, which works for every aggregate
and is what the tests check the sums against).

An LA is pooled for a KPI and period when its own value is known there (its data
cover the period: the stored numerator is not null, and for a rate its population
is known); one whose data do not cover it is listed as a member but not used.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from cscperf.kpis.catalogue import Kpi, load_catalogue
from cscperf.kpis.periods import Period, build_periods, reporting_year_start

if TYPE_CHECKING:
    from cscperf.benchmarks.compare import Comparison

#: aggregates whose pooled value is Σ numerators / Σ denominators of stored values
ADDITIVE = ("count", "percent", "ratio", "mean", "rate_per_10k")


@dataclass(frozen=True)
class Members:
    """The LAs pooled for an LA, and in words how they were chosen."""

    codes: tuple[str, ...]
    chosen: str  # e.g. "statistical neighbours of Thurrock (DfE 2025 model) in the store: 10 of 10"


@dataclass(frozen=True)
class PoolValue:
    """One KPI's pooled value for one period, beside the LA's own."""

    kpi_id: str
    title: str
    la_code: str
    period_type: str
    period_end: dt.date
    label: str  # "regional pool (10 LAs, Q2 2025-26)"
    value: float | None  # the KPI over the pooled children
    numerator: float | None
    denominator: float | None  # population for a rate; None for a count
    members: tuple[str, ...]  # the LAs asked for
    used: tuple[str, ...]  # the members whose data cover the period (pooled)
    with_value: int  # members with a value of their own
    mean_of_values: float | None  # the unweighted mean of the members' values (not the pool)
    la_value: float | None
    place: int | None  # the LA among itself and the members with a value: 1 = best/highest
    place_of: int
    polarity: str
    basis: str  # how the value was pooled
    chosen: str  # how the members were chosen
    note: str = ""

    @property
    def comparator(self) -> float | None:
        """The figure to set beside one LA's: the pooled value, but for a count the pooled
        count per LA pooled (one LA's count is no match for ten LAs' total)."""
        if self.value is None or not self.used:
            return None
        return self.value / len(self.used) if self.denominator is None else self.value


# --- members --------------------------------------------------------------------


def present_las(con: duckdb.DuckDBPyConnection) -> list[str]:
    """LAs with case-level data in the store."""
    from cscperf.kpis.engine import resolve_las

    return resolve_las(con, None)


def default_members(con: duckdb.DuckDBPyConnection, la_code: str) -> Members:
    """The LA's statistical neighbours (DfE 2025 model) present in the store; else
    every other LA of its region present; raises ValueError when there are none."""
    from cscperf.reference.las import get_la

    la = get_la(la_code)
    present = set(present_las(con))
    sns = [c for c in la.statistical_neighbours if c in present]
    if sns:
        return Members(
            tuple(sns),
            f"statistical neighbours of {la.name} (DfE 2025 model) in the store: "
            f"{len(sns)} of {len(la.statistical_neighbours)}",
        )
    region = []
    for code in sorted(present - {la.dfe_code}):
        try:
            if get_la(code).region == la.region:
                region.append(code)
        except KeyError:
            continue
    if region:
        return Members(tuple(region), f"LAs of {la.region} in the store: {len(region)}")
    raise ValueError(
        f"no statistical neighbour of {la.name} ({la_code}) nor other LA of {la.region} has "
        "data in the store: load them (`cscperf synth --region`, `cscperf ingest`) or give "
        "the members"
    )


# --- labels ---------------------------------------------------------------------


def _ry(day: dt.date) -> str:
    start = reporting_year_start(day).year
    return f"{start}-{(start + 1) % 100:02d}"


def period_label(period_type: str, end: dt.date) -> str:
    """'Sep 2025', 'Q2 2025-26' (reporting quarters from April), '2024-25', '12 months
    to Sep 2025', '2025-26 to Sep 2025'."""
    month = end.strftime("%b %Y")
    if period_type == "quarter":
        return f"Q{(end.month - 4) % 12 // 3 + 1} {_ry(end)}"
    if period_type == "year":
        return _ry(end)
    if period_type == "r12":
        return f"12 months to {month}"
    if period_type == "ytd":
        return f"{_ry(end)} to {month}"
    return month


def pool_label(n_las: int, period_type: str, end: dt.date) -> str:
    plural = "s" if n_las != 1 else ""
    return f"regional pool ({n_las} LA{plural}, {period_label(period_type, end)})"


def shown_label(published: str | None, pooled: PoolValue | None) -> str:
    """Which comparator is shown, and what else there is. ``published``: the published SN
    figure's label ('SN mean 2024-25') when it has a value. The DfE's figure is shown where
    there is one (it is what the LA is judged against); else the pool."""
    pool = pooled.label if pooled is not None and pooled.value is not None else ""
    if pool and pooled is not None and pooled.denominator is None:
        pool += ", per LA"  # a count: the pooled total over the LAs pooled
    if published:
        return f"{published} (published" + (f"; {pool} also computed)" if pool else ")")
    return f"{pool} (no published SN figure)" if pool else ""


# --- computing ------------------------------------------------------------------


def _pooled(kpi: Kpi, n: float, d: float | None) -> float | None:
    """The engine's value rule (``aggregate._value_sql``) on pooled sums."""
    agg = kpi.aggregate
    if agg == "count":
        return n
    if d is None or d == 0:
        return None
    if agg == "percent":
        return 100.0 * n / d
    if agg == "rate_per_10k":
        return n * 10000.0 / d
    return n / d  # ratio, mean


def ensure_values(
    con: duckdb.DuckDBPyConnection,
    kpis: Sequence[Kpi],
    las: Sequence[str],
    periods: Sequence[Period],
) -> int:
    """Compute the headline values missing from ``kpi_values`` for these LAs, KPIs and
    periods (the engine's own, so the pool rests on the figures every other output
    shows); returns how many LA × KPI × period cells were missing."""
    from cscperf.kpis.engine import KPI_VALUES_DDL, compute_periods

    con.execute(KPI_VALUES_DDL)
    if not kpis or not las or not periods:
        return 0
    types = sorted({p.period_type for p in periods})
    have = {
        (r[0], r[1], r[2], r[3])
        for r in con.execute(
            "SELECT DISTINCT kpi_id, la_code, period_type, period_end FROM kpi_values "
            "WHERE breakdown = 'all' AND la_code IN (SELECT unnest(?)) "
            "AND kpi_id IN (SELECT unnest(?)) AND period_type IN (SELECT unnest(?))",
            [list(las), [k.id for k in kpis], types],
        ).fetchall()
    }
    missing = [
        (k, la, p)
        for k in kpis
        for p in periods
        if p.period_type in k.period_types
        for la in las
        if (k.id, la, p.period_type, p.period_end) not in have
    ]
    by_la: dict[str, set[tuple[str, Period]]] = {}
    for k, la, p in missing:
        by_la.setdefault(la, set()).add((k.id, p))
    groups: dict[frozenset[tuple[str, Period]], list[str]] = {}
    for la, wanted in by_la.items():  # LAs missing the same cells are computed together
        groups.setdefault(frozenset(wanted), []).append(la)
    by_id = {k.id: k for k in kpis}
    for cells, group in groups.items():  # only what is missing: a stored value stays
        compute_periods(
            con,
            sorted({p for _, p in cells}, key=lambda p: (p.period_type, p.period_end)),
            [by_id[k] for k in sorted({k for k, _ in cells})],
            sorted(group),
            on_error="collect",
        )
    return len(missing)


_Stored = dict[tuple[str, str, dt.date], tuple[float | None, float | None, float | None]]


def _stored(
    con: duckdb.DuckDBPyConnection,
    kpis: Sequence[Kpi],
    las: Sequence[str],
    period_type: str,
    ends: Sequence[dt.date],
) -> _Stored:
    """(numerator, denominator, value) by (kpi, LA, period end), breakdown 'all'."""
    rows = con.execute(
        "SELECT kpi_id, la_code, period_end, numerator, denominator, value FROM kpi_values "
        "WHERE breakdown = 'all' AND period_type = ? AND period_end IN (SELECT unnest(?)) "
        "AND la_code IN (SELECT unnest(?)) AND kpi_id IN (SELECT unnest(?))",
        [period_type, list(ends), list(las), [k.id for k in kpis]],
    ).fetchall()
    return {(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in rows}


def _known(kpi: Kpi, cell: tuple[float | None, float | None, float | None] | None) -> bool:
    """The LA's own value is known (its data cover the period; a rate has a population)."""
    if cell is None or cell[0] is None:
        return False
    return kpi.aggregate == "count" or cell[1] is not None


def pooled_from_members(
    con: duckdb.DuckDBPyConnection,
    kpi: Kpi,
    period_type: str,
    used: Mapping[dt.date, Sequence[str]],
) -> dict[dt.date, tuple[float | None, float | None, float | None]]:
    """(numerator, denominator, value) of the KPI over the pooled member rows, by period
    end: the KPI's SQL is run for the used LAs and its members aggregated together, as
    the engine aggregates one LA's (works for every aggregate; the only way for a median).
    """
    from cscperf.kpis.engine import ensure_reference, load_members, session

    ends = [e for e, las in used.items() if las]
    out: dict[dt.date, tuple[float | None, float | None, float | None]] = {
        e: (None, None, None) for e in used
    }
    if not ends:
        return out
    las = sorted({la for e in ends for la in used[e]})
    periods = build_periods(period_type, ends)
    ensure_reference(con, lookup_postcodes=False)
    pairs = [(la, f"{period_type}:{e.isoformat()}") for e in ends for la in used[e]]
    with session(con, las, periods):
        if not load_members(con, kpi):
            return out
        con.execute("CREATE OR REPLACE TEMP TABLE _pool_used (la_code VARCHAR, period_id VARCHAR)")
        try:
            con.executemany("INSERT INTO _pool_used VALUES (?, ?)", pairs)
            rows = con.execute(
                """SELECT u.period_id, COALESCE(a.n, 0), a.d, a.med, pp.pop
                   FROM (SELECT DISTINCT period_id FROM _pool_used) u
                   LEFT JOIN (SELECT m.period_id, SUM(m.num) AS n, SUM(m.den) AS d,
                                     MEDIAN(m.num) AS med
                              FROM kpi_members m JOIN _pool_used x USING (la_code, period_id)
                              GROUP BY m.period_id) a USING (period_id)
                   LEFT JOIN (SELECT p.period_id, SUM(p.pop) AS pop
                              FROM _pop p JOIN _pool_used x USING (la_code, period_id)
                              GROUP BY p.period_id) pp USING (period_id)"""
            ).fetchall()
        finally:
            con.execute("DROP TABLE IF EXISTS temp.main._pool_used")
    for period_id, n, d, med, pop in rows:
        end = dt.date.fromisoformat(str(period_id).split(":", 1)[1])
        n = float(n)
        if kpi.aggregate == "count":
            out[end] = (n, None, n)
        elif kpi.aggregate == "rate_per_10k":
            out[end] = (n, pop, _pooled(kpi, n, pop))
        elif kpi.aggregate == "median":
            d = float(d or 0)
            out[end] = (n, d, med if d else None)
        else:
            d = float(d or 0)
            out[end] = (n, d, _pooled(kpi, n, d))
    return out


def _rank(value: float, values: Sequence[float], polarity: str) -> int:
    from cscperf.benchmarks.compare import _rank as rank

    return rank(value, values, polarity)


def pool_many(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    period_type: str,
    period_ends: Sequence[dt.date],
    kpi_ids: Sequence[str] | None = None,
    members: Sequence[str] | None = None,
    compute_missing: bool = True,
) -> list[PoolValue]:
    """The pool for each KPI and period end, by KPI then period end (see module doc).

    ``members``: the LAs to pool (default :func:`default_members`). ``compute_missing``:
    compute the members' (and the LA's) values the store lacks first (else they count
    as not covering the period).
    """
    cat = load_catalogue(strict=False)
    if kpi_ids:
        unknown = [k for k in kpi_ids if k not in cat]
        if unknown:
            raise KeyError(f"unknown KPI {', '.join(unknown)}; see docs/kpis.md for the list")
        kpis = [cat[k] for k in kpi_ids]
    else:
        kpis = [k for k in sorted(cat.values(), key=lambda k: (k.area, k.id))
                if period_type in k.period_types]  # fmt: skip
    if members:
        chosen = Members(tuple(dict.fromkeys(members)), "given")
    else:
        chosen = default_members(con, la_code)
    periods = build_periods(period_type, period_ends)
    ends = [p.period_end for p in periods]
    las = sorted({la_code, *chosen.codes})
    if compute_missing:
        ensure_values(con, kpis, las, periods)
    else:
        from cscperf.kpis.engine import KPI_VALUES_DDL

        con.execute(KPI_VALUES_DDL)
    stored = _stored(con, kpis, las, period_type, ends)
    out: list[PoolValue] = []
    for kpi in kpis:
        if period_type not in kpi.period_types:
            out += [_undefined(kpi, la_code, period_type, e, chosen) for e in ends]
            continue
        used = {
            e: [m for m in chosen.codes if _known(kpi, stored.get((kpi.id, m, e)))] for e in ends
        }
        medians = (
            pooled_from_members(con, kpi, period_type, used)
            if kpi.aggregate not in ADDITIVE
            else {}
        )
        for e in ends:
            out.append(_one(kpi, la_code, period_type, e, chosen, used[e], stored, medians))
    return out


def _undefined(
    kpi: Kpi, la_code: str, period_type: str, end: dt.date, chosen: Members
) -> PoolValue:
    return PoolValue(
        kpi.id, kpi.title, la_code, period_type, end, pool_label(0, period_type, end),
        None, None, None, chosen.codes, (), 0, None, None, None, 0, kpi.polarity,
        "", chosen.chosen, f"only defined for {', '.join(kpi.period_types)} periods",
    )  # fmt: skip


def _one(
    kpi: Kpi,
    la_code: str,
    period_type: str,
    end: dt.date,
    chosen: Members,
    used: Sequence[str],
    stored: _Stored,
    from_members: dict[dt.date, tuple[float | None, float | None, float | None]],
) -> PoolValue:
    cells = [stored[(kpi.id, m, end)] for m in used]
    if kpi.aggregate in ADDITIVE:
        n = sum(float(c[0] or 0) for c in cells) if cells else None
        d = None if kpi.aggregate == "count" or not cells else sum(float(c[1] or 0) for c in cells)
        value = _pooled(kpi, n, d) if n is not None else None
        what = "populations" if kpi.aggregate == "rate_per_10k" else "denominators"
        basis = (
            "sum of the members' counts" if kpi.aggregate == "count"
            else f"sum of the members' numerators / sum of their {what}"
        )  # fmt: skip
    else:
        n, d, value = from_members.get(end, (None, None, None))
        basis = f"{kpi.aggregate} over the pooled children's rows (the KPI's SQL run for the pool)"
    vals = [float(c[2]) for c in cells if c[2] is not None]
    mine = stored.get((kpi.id, la_code, end))
    la_value = float(mine[2]) if mine and mine[2] is not None else None
    place = _rank(la_value, vals, kpi.polarity) if la_value is not None and vals else None
    notes = []
    missing = [m for m in chosen.codes if m not in used]
    if missing:
        notes.append(f"not pooled (data do not cover the period): {', '.join(missing)}")
    if la_code in used:
        notes.append(f"the pool includes {la_code} itself")
    return PoolValue(
        kpi_id=kpi.id,
        title=kpi.title,
        la_code=la_code,
        period_type=period_type,
        period_end=end,
        label=pool_label(len(used), period_type, end),
        value=value if used else None,
        numerator=n if used else None,
        denominator=d if used else None,
        members=chosen.codes,
        used=tuple(used),
        with_value=len(vals),
        mean_of_values=statistics.fmean(vals) if vals else None,
        la_value=la_value,
        place=place,
        place_of=len(vals) + (1 if la_value is not None and la_code not in used else 0),
        polarity=kpi.polarity,
        basis=basis,
        chosen=chosen.chosen,
        note="; ".join(notes),
    )


def attach_pool(
    con: duckdb.DuckDBPyConnection,
    comparisons: Sequence[Comparison],
    la_code: str,
    year: int,
    members: Sequence[str] | None = None,
    compute_missing: bool = True,
) -> list[Comparison]:
    """The published comparisons of one return year with the regional pool for that year
    attached (``Comparison.pool``; ``comparator`` says which one is shown). Unchanged
    when no other LA's data are in the store."""
    from dataclasses import replace

    if not comparisons:
        return list(comparisons)
    try:
        pools = pool_many(
            con, la_code, "year", [dt.date(year, 3, 31)], [c.kpi_id for c in comparisons],
            members, compute_missing,
        )  # fmt: skip
    except ValueError:
        return list(comparisons)
    by_kpi = {p.kpi_id: p for p in pools}
    return [replace(c, pool=by_kpi.get(c.kpi_id)) for c in comparisons]
