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
- **Quartile** A..D from the rank as LAIT bands it: A holds the first quarter of
  ranked LAs (rank <= n/4), D the last; tied LAs share a band.
- The LA's own computed value (``kpi_values``, year ending 31 March) beside the
  published one, and the difference after rounding both the DfE's way.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from cscperf.benchmarks.mapping import SN_STATS, PublishedSeries
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
    con: duckdb.DuckDBPyConnection, series: Sequence[PublishedSeries], year: int
) -> dict[_Key, list[_Row]]:
    """Every published row of ``series`` for ``year``, in one scan of ``bench_values``."""
    keys = sorted({_key(s) for s in series})
    out: dict[_Key, list[_Row]] = {k: [] for k in keys}
    if not keys:
        return out
    got = con.execute(
        """SELECT source, CASE WHEN source = 'LAIT' THEN '' ELSE dataset END, series, filters,
                  geographic_level, old_la_code, region_code, region_name, area_name, value,
                  symbol, symbol_meaning
           FROM bench_values
           WHERE year = ? AND series IN (SELECT unnest(?))""",
        [year, sorted({k[2] for k in keys})],
    ).fetchall()
    for r in got:
        rows = out.get((r[0], r[1], r[2], r[3]))
        if rows is not None:
            rows.append(_Row(*r[4:]))
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
    """A for ranks in the first quarter of ``n`` ranked LAs, ... D for the last."""
    return "ABCD"[min(3, (rank - 1) * 4 // n)]


def _computed(
    con: duckdb.DuckDBPyConnection, kpi_ids: Sequence[str], la_code: str, year: int
) -> dict[str, float]:
    """Our year-ending-31-March values (breakdown 'all') for the KPIs, where computed."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'kpi_values'"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    rows = con.execute(
        "SELECT kpi_id, value FROM kpi_values WHERE la_code = ? AND period_type = 'year' "
        "AND period_end = ? AND breakdown = 'all' AND value IS NOT NULL "
        "AND kpi_id IN (SELECT unnest(?))",
        [la_code, dt.date(year, 3, 31), list(kpi_ids)],
    ).fetchall()
    return {r[0]: float(r[1]) for r in rows}


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


def _context(
    con: duckdb.DuckDBPyConnection,
    kpis: Sequence[Kpi],
    la_code: str,
    year: int,
    sn_model: int | None,
) -> _Context:
    model = sn_model if sn_model is not None else choose_model(sn_models(con), year)
    return _Context(
        fetched=_fetch(con, [s for k in kpis for s in k.published], year),
        model=model,
        neighbours=neighbours(con, la_code, model),
        computed=_computed(con, [k.id for k in kpis], la_code, year),
        polarity=_polarities(con),
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
    if not rows:
        notes.append(f"no published figures for {year}")
    elif me is None:
        notes.append(f"LA {la_code} not in the published figures for {year}")
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
    diff = (
        round(round(computed, s.decimals) - value, 6)
        if computed is not None and value is not None
        else None
    )
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
        quartile=quartile(rank, len(ranked)) if rank is not None else None,
        computed=computed,
        difference=diff,
        note="; ".join(notes),
    )


def compare(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    year: int,
    kpi_ids: Sequence[str] | None = None,
    sn_stat: str | None = None,
    sn_model: int | None = None,
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
    ctx = _context(con, kpis, la_code, year, sn_model)
    return [compare_kpi(con, k, la_code, year, sn_stat, sn_model, name, ctx) for k in kpis]


def _la_name(con: duckdb.DuckDBPyConnection, la_code: str) -> str:
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
