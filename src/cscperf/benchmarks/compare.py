"""An LA's KPIs beside the DfE's published figures: neighbours, region, England, rank.

For one LA and return year, each KPI with a ``published:`` series gets one
:class:`Comparison`, from the first of its series that the store holds for that
year (the ``source`` says which). Everything is computed from the published
LA values themselves, so it is the figure any analyst would get from LAIT:

- **SN**: the LA's statistical neighbours in the model for the year (the latest
  model published by then; ``sn_model`` overrides); the average shown is the
  series' ``sn_stat`` (default the mean, as LAIT shows), both mean and median are
  returned; min/max and the LA's place among itself and its neighbours.
- **Rank** among all LAs with a figure, 1 = best by the series' polarity (LAIT's
  dictionary for LAIT series, else the KPI's); ties share the best rank. A
  *context* measure (no better or worse) is ranked high-to-low: 1 = highest.
- **Quartile** A..D as LAIT bands it: by the LA's value against the quartiles of
  all LAs' values (:func:`quartile_band`), A the best quarter; tied LAs share a band.
- The LA's own computed value (``kpi_values``, year ending 31 March) beside the
  published one, and the difference after rounding both the DfE's way. For a
  month or quarter (``period``) the computed value is that period's, compared with
  the latest published year ending by then; the ``compared`` text says so and no
  difference is taken across unlike periods (:mod:`cscperf.benchmarks.periods`).
- A *context* measure's quartile reads "context: A = highest" (LAIT itself shows
  no rank or band for a measure without polarity, nor a band where its dictionary
  says ``No_Quartile``: that band is left empty here too).
- **Direction** over the last 3 years against England's (:mod:`.direction`).
- **Reorganisations** from the store's ``la_reference`` (:mod:`.reorg`): the name,
  a note for a year before the LA began or after it ended, and a successor with
  no earlier figures of its own falls back on its single predecessor's for the
  3-year change, with a note that the series spans the reorganisation.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from cscperf.benchmarks import reorg
from cscperf.benchmarks.direction import YEARS, direction
from cscperf.benchmarks.mapping import RELEASE_YEARS, SN_STATS, PublishedSeries
from cscperf.benchmarks.periods import PeriodMatch
from cscperf.kpis.catalogue import Kpi, load_catalogue

if TYPE_CHECKING:
    from cscperf.benchmarks.pool import PoolValue


@dataclass(frozen=True)
class Comparison:
    """One KPI of one LA and year against the published figures (None where not known)."""

    kpi_id: str
    title: str
    la_code: str
    la_name: str
    year: int
    source: (
        str  # e.g. "LAIT LAC" or "EES cla_number_and_rate_per_10k_children rate_per_10000 [...]"
    )
    decimals: int
    polarity: str  # high | low | context: what rank and quartile use
    value: float | None  # the LA's published value
    symbol: str | None  # the published symbol when value is None ('c', 'x', '-', ...)
    symbol_meaning: str | None
    sn_stat: str  # 'mean' or 'median': which one sn_value shows
    sn_value: float | None
    sn_mean: float | None
    sn_median: float | None
    sn_min: float | None
    sn_max: float | None
    sn_available: int  # neighbours with a published value
    sn_count: int  # neighbours in the model
    sn_model: int | None
    sn_position: str | None  # 'below range' | 'within range' | 'above range'
    sn_place: int | None  # place among the LA and its neighbours with values (1 = best / highest)
    region_name: str | None
    region_value: float | None
    england_value: float | None
    rank: int | None
    rank_of: int  # LAs ranked (with a value)
    rank_basis: str
    quartile: str | None  # 'A' (best / highest) .. 'D'
    computed: float | None  # our value from kpi_values
    difference: float | None  # round(computed, decimals) - published value
    note: str = ""
    # -- appended (issue 11, rest): defaults keep older callers working --
    #: the computed period beside the published year ('year' ending 31 March = the year itself)
    period_type: str = "year"
    period_end: dt.date | None = None
    #: 'published 2024-25 compared with computed Q2 2025-26' when the two periods differ
    compared: str = ""
    #: how to read the quartile: 'A = best' or 'context: A = highest' (no better or worse)
    quartile_basis: str = ""
    #: change over the last 3 years: the LA's (published, else computed) and England's
    change_from: int | None = None  # the earlier year (year - 3)
    change: float | None = None
    england_change: float | None = None
    direction: str | None = None  # 'improving faster than England', ...
    change_basis: str = ""  # 'published' | 'computed' | 'computed, published'
    #: the regional pool for the same year (case-level data of other LAs in the store),
    #: when asked for (:func:`cscperf.benchmarks.pool.attach_pool`)
    pool: PoolValue | None = None

    @property
    def comparator(self) -> str:
        """Which comparator is shown: 'published' (the DfE's SN figure) when there is one,
        else 'pool' when the regional pool has a value, else ''."""
        if self.sn_value is not None:
            return "published"
        return "pool" if self.pool is not None and self.pool.value is not None else ""

    @property
    def comparator_label(self) -> str:
        """What the shown comparator is, and what else there is: 'SN mean 2024-25
        (published; regional pool (10 LAs, 2024-25) also computed)'."""
        from cscperf.benchmarks.pool import shown_label

        published = f"{self.sn_label} {self.year - 1}-{self.year % 100:02d}"
        return shown_label(published if self.sn_value is not None else None, self.pool)

    @property
    def sn_label(self) -> str:
        return f"SN {self.sn_stat}"

    @property
    def sn_availability(self) -> str:
        return f"{self.sn_available} of {self.sn_count} available"


@dataclass(frozen=True)
class _Row:
    level: str
    la: str | None
    region_code: str | None
    region_name: str | None
    area: str | None
    value: float | None
    symbol: str | None
    meaning: str | None


_Key = tuple[str, str, str, str]


def _key(s: PublishedSeries) -> _Key:
    return (s.source, "" if s.source == "LAIT" else s.dataset, s.series, s.filters)


def _fetch(
    con: duckdb.DuckDBPyConnection,
    series: Sequence[PublishedSeries],
    year: int,
    las: Sequence[str] | None = None,
) -> dict[_Key, list[_Row]]:
    """Every published row of ``series`` for ``year``, in one scan of ``bench_values``
    (only England's and ``las``' rows when ``las`` is given)."""
    keys = sorted({_key(s) for s in series})
    out: dict[_Key, list[_Row]] = {k: [] for k in keys}
    if not keys:
        return out
    only = (
        ""
        if las is None
        else "AND (geographic_level = 'National' OR list_contains(?, old_la_code))"
    )
    got = con.execute(
        f"""SELECT source,
                  CASE WHEN source = 'LAIT' THEN ''
                       ELSE regexp_replace(dataset, '{RELEASE_YEARS}', '') END AS dataset_key,
                  series, filters, geographic_level, old_la_code, region_code, region_name,
                  area_name, value, symbol, symbol_meaning
           FROM bench_values
           WHERE year = ? AND series IN (SELECT unnest(?)) {only}
           -- two releases of one data set (2013_to_2025, 2013_to_2026): the later wins
           QUALIFY row_number() OVER (
               PARTITION BY source, dataset_key, series, filters, time_identifier,
                            geographic_level, old_la_code, region_code, area_name
               ORDER BY dataset DESC) = 1""",
        [year, sorted({k[2] for k in keys}), *([] if las is None else [list(las)])],
    ).fetchall()
    elsewhere: dict[_Key, list[_Row]] = {}
    for r in got:
        rows = out.get((r[0], r[1], r[2], r[3]))
        if rows is not None:
            rows.append(_Row(*r[4:]))
        elif r[0] == "EES":
            elsewhere.setdefault((r[0], r[1], r[2], r[3]), []).append(_Row(*r[4:]))
    # An EES data set under another name (`benchmarks download` names the API's files
    # after their titles): the same indicator and filters in exactly one other data set
    for key, rows in out.items():
        if rows or key[0] != "EES":
            continue
        found = [k for k in elsewhere if (k[2], k[3]) == (key[2], key[3])]
        if len(found) == 1:
            out[key] = elsewhere[found[0]]
    return out


def _region_key(name: str | None) -> str:
    """'London (Inner)' (LAIT) and 'Inner London' (EES, LA code list) are one region."""
    n = (name or "").strip().lower()
    if n.startswith("london (") and n.endswith(")"):
        n = f"{n[8:-1]} london"
    return n


def sn_models(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in con.execute("SELECT DISTINCT model FROM bench_sn ORDER BY 1").fetchall()]


def choose_model(models: Sequence[int], year: int) -> int | None:
    """The latest model published by ``year`` (else the earliest there is)."""
    if not models:
        return None
    before = [m for m in models if m <= year]
    return max(before) if before else min(models)


def neighbours(con: duckdb.DuckDBPyConnection, la_code: str, model: int | None) -> list[str]:
    """The LA's neighbours in ``model``, closest first (files holding one model agree)."""
    if model is None:
        return []
    got = con.execute(
        "SELECT DISTINCT rank, neighbour_code FROM bench_sn WHERE model = ? AND la_code = ? "
        "ORDER BY rank",
        [model, la_code],
    ).fetchall()
    return [r[1] for r in got]


def _better_first(polarity: str) -> int:
    """-1 when lower is better (sort ascending), +1 when higher is (or context: high first)."""
    return -1 if polarity == "low" else 1


def _rank(value: float, values: Sequence[float], polarity: str) -> int:
    """Competition rank: 1 + LAs strictly better; ties share the best rank."""
    sign = _better_first(polarity)
    v = round(value, 6)
    return 1 + sum(1 for x in values if sign * (round(x, 6) - v) > 0)


def quartile(rank: int, n: int) -> str:
    """A for ranks in the first quarter of ``n`` ranked LAs, ... D for the last
    (kept for callers; comparisons band by value, as LAIT does: :func:`quartile_band`)."""
    return "ABCD"[min(3, (rank - 1) * 4 // n)]


def quartile_band(value: float, values: Sequence[float], polarity: str) -> str:
    """LAIT's band: the LA's value against the quartiles of every LA's value.

    LAIT (``calculate_quartile_band`` in its app) takes R's ``quantile()`` (type 7,
    Python's ``method="inclusive"``) of all LAs' values: for a "Low" measure A is
    [min, Q1], B (Q1, Q2], C (Q2, Q3], D (Q3, max]; for "High" the letters run the
    other way. A context measure gets no band in LAIT; here it is banded like
    "High" (A = highest) and labelled so (``quartile_basis``).
    """
    vals = [round(x, 6) for x in values]
    q1, q2, q3 = statistics.quantiles(vals, n=4, method="inclusive") if len(vals) > 1 else vals * 3
    v = round(value, 6)
    i = 0 if v <= q1 else 1 if v <= q2 else 2 if v <= q3 else 3
    return "ABCD"[i] if polarity == "low" else "DCBA"[i]


def _computed(
    con: duckdb.DuckDBPyConnection,
    kpi_ids: Sequence[str],
    la_code: str,
    year: int,
    period: tuple[str, dt.date] | None = None,
) -> dict[str, float]:
    """Our values (breakdown 'all') for the KPIs, where computed: the year ending
    31 March ``year``, or ``period`` (type, end) when given."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'kpi_values'"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    rows = con.execute(
        "SELECT kpi_id, value FROM kpi_values WHERE la_code = ? AND period_type = ? "
        "AND period_end = ? AND breakdown = 'all' AND value IS NOT NULL "
        "AND kpi_id IN (SELECT unnest(?))",
        [la_code, *(period or ("year", dt.date(year, 3, 31))), list(kpi_ids)],
    ).fetchall()
    return {r[0]: float(r[1]) for r in rows}


def _no_quartile(con: duckdb.DuckDBPyConnection) -> set[str]:
    """LAIT short codes its dictionary flags ``No_Quartile`` (range too small to band)."""
    rows = con.execute("SELECT DISTINCT series FROM bench_series WHERE no_quartile").fetchall()
    return {str(r[0]) for r in rows}


def _polarities(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """LAIT's polarity by short code (its data dictionary), where it gives one."""
    rows = con.execute(
        "SELECT series, first(polarity) FROM bench_series WHERE polarity IS NOT NULL "
        "GROUP BY series"
    ).fetchall()
    return {r[0]: str(r[1]) for r in rows}


@dataclass(frozen=True)
class _Context:
    """What every KPI of one LA and year shares, read once."""

    fetched: dict[_Key, list[_Row]]
    model: int | None
    neighbours: list[str]
    computed: dict[str, float]
    polarity: dict[str, str]
    earlier: dict[_Key, list[_Row]] | None = None  # the published rows of year - 3
    computed_earlier: dict[str, float] | None = None  # our values for year - 3
    info: reorg.LaInfo | None = None
    no_quartile: frozenset[str] = frozenset()
    period: PeriodMatch | None = None


def _context(
    con: duckdb.DuckDBPyConnection,
    kpis: Sequence[Kpi],
    la_code: str,
    year: int,
    sn_model: int | None,
    period: PeriodMatch | None = None,
) -> _Context:
    model = sn_model if sn_model is not None else choose_model(sn_models(con), year)
    series = [s for k in kpis for s in k.published]
    ids = [k.id for k in kpis]
    own = (period.period_type, period.period_end) if period and not period.same_period else None
    info = reorg.la_info(con, la_code)
    mine = [la_code, *(p[0] for p in (info.predecessors if info else ()))]
    return _Context(
        fetched=_fetch(con, series, year),
        model=model,
        neighbours=neighbours(con, la_code, model),
        computed=_computed(con, ids, la_code, year, own),
        polarity=_polarities(con),
        earlier=_fetch(con, series, year - YEARS, mine),
        computed_earlier=_computed(con, ids, la_code, year - YEARS),
        info=info,
        no_quartile=frozenset(_no_quartile(con)),
        period=period,
    )


def _pick(
    kpi: Kpi, la_code: str, fetched: dict[_Key, list[_Row]]
) -> tuple[PublishedSeries, list[_Row]]:
    """The first series with the LA's row for the year, else the first with any rows."""
    first_any: tuple[PublishedSeries, list[_Row]] | None = None
    for s in kpi.published:
        rows = fetched.get(_key(s), [])
        if any(r.level == "Local authority" and r.la == la_code for r in rows):
            return s, rows
        if rows and first_any is None:
            first_any = (s, rows)
    return first_any or (kpi.published[0], [])


def compare_kpi(
    con: duckdb.DuckDBPyConnection,
    kpi: Kpi,
    la_code: str,
    year: int,
    sn_stat: str | None = None,
    sn_model: int | None = None,
    la_name: str = "",
    ctx: _Context | None = None,
) -> Comparison:
    """One KPI's comparison (the KPI must have a ``published:`` series)."""
    if ctx is None:
        ctx = _context(con, [kpi], la_code, year, sn_model)
    s, rows = _pick(kpi, la_code, ctx.fetched)
    polarity = (ctx.polarity.get(s.series) if s.source == "LAIT" else None) or kpi.polarity
    stat = sn_stat or s.sn_stat
    if stat not in SN_STATS:
        raise ValueError(f"sn_stat must be mean or median, not {stat!r}")
    las = {r.la: r for r in rows if r.level == "Local authority" and r.la}
    me = las.get(la_code)
    notes = []
    reorganised = reorg.year_note(ctx.info, year) if rows else ""
    if not rows:
        notes.append(f"no published figures for {year}")
    elif me is None:
        notes.append(reorganised or f"LA {la_code} not in the published figures for {year}")
    elif me.value is None and reorganised:
        notes.append(reorganised)
    model, nbs = ctx.model, ctx.neighbours
    nb_values = [las[n].value for n in nbs if n in las and las[n].value is not None]
    vals = [v for v in nb_values if v is not None]
    sn_mean = statistics.fmean(vals) if vals else None
    sn_median = statistics.median(vals) if vals else None
    value = me.value if me else None
    position = place = None
    if value is not None and vals:
        lo, hi = min(vals), max(vals)
        position = "below range" if value < lo else "above range" if value > hi else "within range"
        place = _rank(value, vals, polarity)
    ranked = [r.value for r in las.values() if r.value is not None]
    rank = _rank(value, ranked, polarity) if value is not None else None
    region = None
    if me is not None:
        regional = [r for r in rows if r.level == "Regional"]
        if s.source == "EES" and me.region_code:
            region = next((r for r in regional if r.region_code == me.region_code), None)
        if region is None:
            key = _region_key(me.region_name)
            region = next((r for r in regional if _region_key(r.area) == key), None)
    england = next((r for r in rows if r.level == "National"), None)
    computed = ctx.computed.get(kpi.id)
    period = ctx.period
    same = period is None or period.same_period
    diff = (
        round(round(computed, s.decimals) - value, 6)
        if computed is not None and value is not None and same
        else None
    )
    if period is not None and period.label:
        notes.append(period.label)
    band = quartile_band(value, ranked, polarity) if value is not None and ranked else None
    if band is not None and s.source == "LAIT" and s.series in ctx.no_quartile:
        band = None
        notes.append("no quartile band: LAIT's dictionary says the range is too small to band")
    trend = _trend(kpi, s, la_code, year, value, ctx, polarity, england)
    if trend.note:
        notes.append(trend.note)
    basis = (
        "1 = highest (context measure: neither better nor worse)"
        if polarity == "context"
        else f"1 = best ({'lowest' if polarity == 'low' else 'highest'} is better)"
    )
    if me is not None and value is None:
        notes.append(f"published as {me.symbol!r}: {me.meaning}")
    return Comparison(
        kpi_id=kpi.id,
        title=kpi.title,
        la_code=la_code,
        la_name=la_name or (me.area if me and me.area else ""),
        year=year,
        source=s.label,
        decimals=s.decimals,
        polarity=polarity,
        value=value,
        symbol=me.symbol if me else None,
        symbol_meaning=me.meaning if me else None,
        sn_stat=stat,
        sn_value=sn_mean if stat == "mean" else sn_median,
        sn_mean=sn_mean,
        sn_median=sn_median,
        sn_min=min(vals) if vals else None,
        sn_max=max(vals) if vals else None,
        sn_available=len(vals),
        sn_count=len(nbs),
        sn_model=model,
        sn_position=position,
        sn_place=place,
        region_name=(region.area if region else (me.region_name if me else None)),
        region_value=region.value if region else None,
        england_value=england.value if england else None,
        rank=rank,
        rank_of=len(ranked),
        rank_basis=basis,
        quartile=band,
        computed=computed,
        difference=diff,
        note="; ".join(notes),
        period_type=period.period_type if period else "year",
        period_end=period.period_end if period else dt.date(year, 3, 31),
        compared=period.label if period else "",
        quartile_basis=(
            "context: A = highest (neither better nor worse)"
            if polarity == "context"
            else "A = best quarter"
        ),
        change_from=year - YEARS,
        change=trend.change,
        england_change=trend.england,
        direction=trend.words,
        change_basis=trend.basis,
    )


@dataclass(frozen=True)
class _Trend:
    change: float | None = None
    england: float | None = None
    words: str | None = None
    basis: str = ""
    note: str = ""


def _trend(
    kpi: Kpi,
    s: PublishedSeries,
    la_code: str,
    year: int,
    value: float | None,
    ctx: _Context,
    polarity: str,
    england: _Row | None,
) -> _Trend:
    """The LA's change over 3 years (published, else computed) beside England's.

    The earlier year's LA figure is the LA's own; for a successor that did not
    exist then, its single predecessor's, and the note says the change spans the
    reorganisation (never for a count: the areas differ). A computed value stands
    in only for the same period (a year ending 31 March), never a month or quarter.
    """
    then = year - YEARS
    rows = (ctx.earlier or {}).get(_key(s), [])
    las = {r.la: r for r in rows if r.level == "Local authority" and r.la}
    eng_then = next((r.value for r in rows if r.level == "National"), None)
    basis: set[str] = set()
    now = value
    if now is not None:
        basis.add("published")
    elif ctx.period is None or ctx.period.same_period:
        now = ctx.computed.get(kpi.id)
        basis.add("computed")
    note = ""
    mine = las.get(la_code)
    before = mine.value if mine else None
    sub = reorg.stand_in(ctx.info, then) if before is None else None
    if sub is not None and kpi.aggregate == "count" and ctx.info is not None:
        # a count of the predecessor's (larger) area says nothing of the successor's trend
        return _Trend(
            note=f"no change since {then}: {ctx.info.label()} began later, and a count of "
            f"{sub[1]} ({sub[0]})'s area is not comparable"
        )
    if sub is not None and ctx.info is not None and ctx.info.began is not None:
        pred = las.get(sub[0])
        before = pred.value if pred else None
        if before is not None:
            note = (
                f"the change since {then} spans a reorganisation: {then} is {sub[1]} ({sub[0]}), "
                f"before {ctx.info.label()} began on {ctx.info.began:%d/%m/%Y}"
            )
    if before is not None:
        basis.add("published")
    else:
        before = (ctx.computed_earlier or {}).get(kpi.id)
        basis.add("computed")
    if now is None or before is None:
        return _Trend()
    change = round(now - before, 6)
    eng = (
        round(england.value - eng_then, 6)
        if england is not None and england.value is not None and eng_then is not None
        else None
    )
    return _Trend(change, eng, direction(change, eng, polarity), ", ".join(sorted(basis)), note)


def compare(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    year: int,
    kpi_ids: Sequence[str] | None = None,
    sn_stat: str | None = None,
    sn_model: int | None = None,
    period: PeriodMatch | None = None,
) -> list[Comparison]:
    """Every KPI (or ``kpi_ids``) with a published series, for ``la_code`` and ``year``."""
    cat = load_catalogue(strict=False)
    if kpi_ids:
        unknown = [k for k in kpi_ids if k not in cat]
        if unknown:
            raise KeyError(f"unknown KPI {', '.join(unknown)}")
        kpis = [cat[k] for k in kpi_ids]
    else:
        kpis = sorted(cat.values(), key=lambda k: (k.area, k.id))
    kpis = [k for k in kpis if k.published]
    name = _la_name(con, la_code)
    ctx = _context(con, kpis, la_code, year, sn_model, period)
    return [compare_kpi(con, k, la_code, year, sn_stat, sn_model, name, ctx) for k in kpis]


def _la_name(con: duckdb.DuckDBPyConnection, la_code: str) -> str:
    """The LA's name: the store's LA reference, else LAIT's code list, else the package's."""
    info = reorg.la_info(con, la_code)
    if info is not None and info.name:
        return info.name
    row = con.execute(
        "SELECT name FROM bench_la_codes WHERE la_code = ? LIMIT 1", [la_code]
    ).fetchone()
    if row:
        return str(row[0])
    from cscperf.reference.las import get_la

    try:
        return get_la(la_code).name
    except KeyError:
        return ""


def latest_year(con: duckdb.DuckDBPyConnection, la_code: str) -> int:
    """The latest return year with a published figure for the LA in a mapped series."""
    series = sorted({p.series for k in load_catalogue(strict=False).values() for p in k.published})
    row = con.execute(
        "SELECT max(year) FROM bench_values WHERE geographic_level = 'Local authority' "
        "AND old_la_code = ? AND series IN (SELECT unnest(?))",
        [la_code, series],
    ).fetchone()
    if not row or row[0] is None:
        raise ValueError(
            f"no published figures for LA {la_code} in the store: "
            "run `cscperf benchmarks import` first"
        )
    return int(row[0])
