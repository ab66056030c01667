"""Benchmark the KPI engine, and check it against a plain-pandas implementation.

  .venv/bin/python benchmarks/bench_kpis.py [--work DIR] [--las 150] [--years 9]

1. One LA: a Thurrock-sized synthetic LA (``cscperf.synth``, 883) is generated
   and ingested; the whole catalogue runs for 84 month-ends + 7 year-ends.
2. Many LAs: that store's rows are replicated under ``--las`` LA codes; the
   catalogue runs for 10 year-ends + 120 month-ends. With ``--england`` every
   English LA gets as many copies of the Thurrock children (new child ids) as
   its 0-17 population is Thurrock's, so the store holds England's volume
   (~265 Thurrocks) rather than 150 Thurrocks. With ``--national DIR`` (the
   output of ``cscperf synth --scale national``) every LA folder is ingested
   into one store (timed, cached in ``--work``) and the catalogue runs on that.
3. Five KPIs (cla_children, cla_3plus_placements, rereferrals_12m,
   assessments_45wd, cp_reviews_timely) are recomputed in plain pandas on the
   same data for the same periods; numbers must be identical and the speed
   ratio is reported.

Reports seconds, rows, peak RSS; exits non-zero when pandas and the engine
disagree.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cscperf.kpis.engine import compute_periods, ensure_reference
from cscperf.kpis.periods import Period, build_periods, period_ends
from cscperf.reference.calendar import bank_holidays
from cscperf.reference.population import load_csv
from cscperf.store.db import connect
from cscperf.store.schema import TABLES

FIVE = ("cla_children", "cla_3plus_placements", "rereferrals_12m", "assessments_45wd",
        "cp_reviews_timely")  # fmt: skip
M3, M6, M12 = pd.DateOffset(months=3), pd.DateOffset(months=6), pd.DateOffset(months=12)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- building the stores ---------------------------------------------------------


def build_one_la(work: Path, years: range, seed: int) -> Path:
    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.synth.api import generate

    db = work / "one_la.duckdb"
    if db.exists():
        return db
    src = work / "synth"
    if not (src / "883").exists():  # generated files are reused between runs
        t = time.perf_counter()
        m = generate(["883"], years, seed=seed, out=src, fmt="csv")
        secs = time.perf_counter() - t
        print(f"synth: 883, {len(years)} years, {m.children} children in {secs:.1f}s")
    con = connect(db)
    t = time.perf_counter()
    files = [p for p in sorted((src / "883").rglob("*")) if p.is_file()]
    returns = [p for p in files if p.name != "population.csv"]
    ingest_paths(con, returns, "883")
    for pop in (p for p in files if p.name == "population.csv"):
        load_csv(con, pop, source="synthetic")
    print(f"ingest: {len(returns)} files in {time.perf_counter() - t:.1f}s")
    con.close()
    return db


def ingest_national(src: Path, work: Path) -> Path:
    """Ingest every LA folder of a ``synth --scale national`` output (once)."""
    from cscperf.ingest.pipeline import ingest_paths

    db = work / "national.duckdb"
    if db.exists():
        return db
    tmp = work / "national.building"
    tmp.unlink(missing_ok=True)
    con = connect(tmp)
    t, rows, size = time.perf_counter(), 0, 0
    las = sorted(p for p in src.iterdir() if p.is_dir() and p.name.isdigit())
    for la in las:
        files = [p for p in sorted(la.rglob("*")) if p.is_file()]
        report = ingest_paths(con, [p for p in files if p.name != "population.csv"], la.name)
        rows += sum(r.rows_read for r in report.results)
        size += sum(p.stat().st_size for p in files if p.name != "population.csv")
        for pop in (p for p in files if p.name == "population.csv"):
            load_csv(con, pop, source="synthetic")
    secs = time.perf_counter() - t
    con.close()
    print(f"  ingested {len(las)} LAs: {rows:,} rows, {size / 1e9:.2f} GB in {secs:.0f}s "
          f"({size / 1e6 / secs:.1f} MB/s, {rows / secs:,.0f} rows/s)")  # fmt: skip
    tmp.rename(db)
    return db


def replicate(one_la: Path, work: Path, n_las: int, england: bool = False) -> Path:
    """Copy the one-LA store and replicate its rows under other LA codes.

    ``england``: every LA, each with round(its 0-17 population / Thurrock's)
    copies of the children (child ids suffixed per copy), population scaled.
    """
    from cscperf.reference.las import load_las
    from cscperf.synth.params import population

    db = work / ("england.duckdb" if england else f"las_{n_las}.duckdb")
    if db.exists():
        return db
    tmp = db.with_suffix(".building")
    shutil.copy(one_la, tmp)
    others = [la.dfe_code for la in load_las() if la.dfe_code != "883"]
    if england:
        base = population("883", 2024)
        rows = [(c, k) for c in others for k in range(max(1, round(population(c, 2024) / base)))]
        rows += [("883", k) for k in range(1, max(1, round(population("883", 2024) / base)))]
    else:
        rows = [(c, 0) for c in others[: n_las - 1]]
    con = connect(tmp)
    con.execute(
        "CREATE TEMP TABLE codes AS SELECT unnest(?::VARCHAR[]) AS code, unnest(?::INT[]) AS k",
        [[c for c, _ in rows], [k for _, k in rows]],
    )
    for t in TABLES:
        has_child = any(col.name == "child_id" for col in TABLES[t].columns)
        child = ", CASE WHEN c.k = 0 THEN t.child_id ELSE t.child_id || '-' || c.k END AS child_id"
        con.execute(
            f"INSERT INTO {t} SELECT t.* REPLACE (c.code AS la_code"
            f"{child if has_child else ''}) FROM {t} t, codes c "
            f"WHERE t.la_code = '883' {'' if has_child else 'AND c.k = 0'}"
        )
    copies = "(SELECT code, count(*) AS n FROM codes GROUP BY code)"
    con.execute(
        f"INSERT INTO population SELECT t.* REPLACE (c.code AS la_code, t.age_0_17 * c.n "
        f"AS age_0_17) FROM population t, {copies} c WHERE t.la_code = '883' AND c.code <> '883'"
    )
    con.execute("DELETE FROM kpi_values")
    con.close()
    tmp.rename(db)  # only a complete store is reused by a later run
    return db


# --- the plain-pandas five ----------------------------------------------------------


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    df = con.execute(sql).df()
    for c in df.columns:
        if "date" in c or c in ("decom", "dec", "review", "start", "end"):
            df[c] = pd.to_datetime(df[c])
    return df


def load_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    return {
        "eps": _frame(
            con, "SELECT la_code, child_id, decom, dec, rne, ls, place FROM cla_episodes"
        ),
        "refs": _frame(con, "SELECT la_code, child_id, referral_date FROM referrals"),
        "asmt": _frame(
            con, "SELECT la_code, child_id, start_date, authorisation_date FROM assessments"
        ),
        "plans": _frame(con, "SELECT la_code, child_id, start_date, end_date FROM cp_plans"),
        "reviews": _frame(
            con, "SELECT la_code, child_id, plan_start_date, review_date FROM cp_reviews"
        ),
    }


def _rows(la: pd.Series, period_id: str, num: pd.Series, den: pd.Series | None) -> pd.DataFrame:
    out = pd.DataFrame({"la_code": la.values, "numerator": num.values})
    out["denominator"] = den.values if den is not None else np.nan
    out["period_id"] = period_id
    return out


def pd_cla_children(
    f: dict[str, pd.DataFrame], periods: list[tuple[str, pd.Timestamp]]
) -> pd.DataFrame:
    nsb = f["eps"][~f["eps"]["ls"].isin(["V3", "V4"])]
    parts = []
    for pid, d in periods:
        open_ = nsb[(nsb["decom"] <= d) & (nsb["dec"].isna() | (nsb["dec"] > d))]
        n = open_.groupby("la_code")["child_id"].nunique().reset_index()
        parts.append(_rows(n["la_code"], pid, n["child_id"].astype(float), None))
    return pd.concat(parts)


def _placements(eps: pd.DataFrame) -> pd.DataFrame:
    e = eps[~eps["ls"].isin(["V3", "V4"])].sort_values(["la_code", "child_id", "decom"])
    prev_dec = e.groupby(["la_code", "child_id"])["dec"].shift(1)
    new = ~e["rne"].isin(["L", "U", "B"]) | prev_dec.isna() | (prev_dec != e["decom"])
    e = e.assign(seq=new.astype(int).groupby([e["la_code"], e["child_id"]]).cumsum())
    g = e.groupby(["la_code", "child_id", "seq"])
    pl = g.agg(start=("decom", "min"), end=("dec", "max"), first_place=("place", "first"),
               n=("decom", "size"), n_dec=("dec", "count")).reset_index()  # fmt: skip
    pl.loc[pl["n"] != pl["n_dec"], "end"] = pd.NaT  # still open
    keep = ~pl["first_place"].isin(["T0", "T1", "T2", "T3", "T4"]) & (
        pl["end"].isna() | (pl["end"] > pl["start"])
    )
    return pl[keep]


def pd_cla_3plus(
    f: dict[str, pd.DataFrame], periods: list[tuple[str, pd.Timestamp]]
) -> pd.DataFrame:
    nsb = f["eps"][~f["eps"]["ls"].isin(["V3", "V4"])]
    pl = _placements(f["eps"])
    parts = []
    for pid, d in periods:
        r12 = d - M12 + pd.Timedelta(days=1)
        cohort = nsb[(nsb["decom"] <= d) & (nsb["dec"].isna() | (nsb["dec"] > d))][
            ["la_code", "child_id"]
        ].drop_duplicates()
        live = pl[(pl["start"] <= d) & (pl["end"].isna() | (pl["end"] > r12))]
        n = live.groupby(["la_code", "child_id"]).size().rename("n").reset_index()
        c = cohort.merge(n, how="left", on=["la_code", "child_id"])
        c["num"] = (c["n"] >= 3).astype(float)
        agg = c.groupby("la_code").agg(num=("num", "sum"), den=("num", "size")).reset_index()
        parts.append(_rows(agg["la_code"], pid, agg["num"], agg["den"].astype(float)))
    return pd.concat(parts)


def pd_rereferrals(
    f: dict[str, pd.DataFrame], periods: list[tuple[str, pd.Timestamp, pd.Timestamp]]
) -> pd.DataFrame:
    r = f["refs"].sort_values(["la_code", "child_id", "referral_date"])
    prev = r.groupby(["la_code", "child_id"])["referral_date"].shift(1)
    r = r.assign(flag=(prev >= r["referral_date"] - M12).astype(float))
    parts = []
    for pid, start, d in periods:
        m = r[(r["referral_date"] >= start) & (r["referral_date"] <= d)]
        agg = m.groupby("la_code").agg(num=("flag", "sum"), den=("flag", "size")).reset_index()
        parts.append(_rows(agg["la_code"], pid, agg["num"], agg["den"].astype(float)))
    return pd.concat(parts)


def pd_assessments_45wd(
    f: dict[str, pd.DataFrame], periods: list[tuple[str, pd.Timestamp, pd.Timestamp]]
) -> pd.DataFrame:
    a = f["asmt"]
    hols = np.array(bank_holidays(), dtype="datetime64[D]")
    ok = a["start_date"].notna() & a["authorisation_date"].notna()
    s = a.loc[ok, "start_date"].values.astype("datetime64[D]") + np.timedelta64(1, "D")
    b = a.loc[ok, "authorisation_date"].values.astype("datetime64[D]") + np.timedelta64(1, "D")
    wd = pd.Series(np.nan, index=a.index)
    wd[ok] = np.busday_count(s, b, holidays=hols)
    a = a.assign(flag=(wd <= 45).astype(float))
    parts = []
    for pid, start, d in periods:
        m = a[(a["authorisation_date"] >= start) & (a["authorisation_date"] <= d)]
        agg = m.groupby("la_code").agg(num=("flag", "sum"), den=("flag", "size")).reset_index()
        parts.append(_rows(agg["la_code"], pid, agg["num"], agg["den"].astype(float)))
    return pd.concat(parts)


def pd_cp_reviews(
    f: dict[str, pd.DataFrame], periods: list[tuple[str, pd.Timestamp]]
) -> pd.DataFrame:
    key = ["la_code", "child_id", "plan_start_date"]
    rv = f["reviews"][f["reviews"]["review_date"] >= f["reviews"]["plan_start_date"]]
    rv = rv.sort_values([*key, "review_date"])
    prev = rv.groupby(key)["review_date"].shift(1)
    due = (prev + M6).fillna(rv["plan_start_date"] + M3)
    rv = rv.assign(late=(rv["review_date"] > due).astype(int))
    plans = f["plans"].rename(columns={"start_date": "plan_start_date"})
    parts = []
    for pid, d in periods:
        q = plans[
            (plans["plan_start_date"] <= d - M3)
            & (plans["end_date"].isna() | (plans["end_date"] > d))
        ]
        upto = (
            rv[rv["review_date"] <= d]
            .groupby(key)
            .agg(last=("review_date", "max"), any_late=("late", "max"))
            .reset_index()
        )
        q = q.merge(upto, how="left", on=key)
        limit = (q["last"] + M6).fillna(q["plan_start_date"] + M3)
        q = q.assign(ok=((q["any_late"].fillna(0) == 0) & (d <= limit)).astype(float))
        child = q.groupby(["la_code", "child_id"])["ok"].min().reset_index()
        agg = child.groupby("la_code").agg(num=("ok", "sum"), den=("ok", "size")).reset_index()
        parts.append(_rows(agg["la_code"], pid, agg["num"], agg["den"].astype(float)))
    return pd.concat(parts)


def run_pandas(
    con: duckdb.DuckDBPyConnection, ptype: str, ends: list[date]
) -> tuple[pd.DataFrame, float, float]:
    t = time.perf_counter()
    f = load_frames(con)
    load_s = time.perf_counter() - t
    ps = build_periods(ptype, ends)
    at = [(p.period_id, pd.Timestamp(p.period_end)) for p in ps]
    window = [(p.period_id, pd.Timestamp(p.period_start), pd.Timestamp(p.period_end)) for p in ps]
    t = time.perf_counter()
    out = []
    for kpi_id, df in (
        ("cla_children", pd_cla_children(f, at)),
        ("cla_3plus_placements", pd_cla_3plus(f, at)),
        ("rereferrals_12m", pd_rereferrals(f, window)),
        ("assessments_45wd", pd_assessments_45wd(f, window)),
        ("cp_reviews_timely", pd_cp_reviews(f, at)),
    ):
        out.append(df.assign(kpi_id=kpi_id))
    return pd.concat(out), time.perf_counter() - t, load_s


def compare(
    con: duckdb.DuckDBPyConnection, ptype: str, ends: list[date], got: pd.DataFrame
) -> list[str]:
    """Engine vs pandas on numerator and denominator for every LA x period."""
    eng = con.execute(
        "SELECT kpi_id, la_code, "
        "period_type || ':' || strftime(period_end, '%Y-%m-%d') AS period_id, "
        "numerator, denominator FROM kpi_values WHERE breakdown = 'all' AND period_type = ? "
        f"AND kpi_id IN ({', '.join(repr(k) for k in FIVE)}) AND flag IS DISTINCT FROM 'no data'",
        [ptype],
    ).df()
    eng = eng[eng["period_id"].isin({p.period_id for p in build_periods(ptype, ends)})]
    m = eng.merge(got, how="outer", on=["kpi_id", "la_code", "period_id"], suffixes=("_e", "_p"))
    # pandas omits LA-periods without members: those are 0 (counts) / 0 (cohorts) in the engine
    m["numerator_p"] = m["numerator_p"].fillna(0.0)
    cohort = m["kpi_id"] != "cla_children"
    m.loc[cohort, "denominator_p"] = m.loc[cohort, "denominator_p"].fillna(0.0)
    bad = m[
        ~np.isclose(m["numerator_e"].astype(float), m["numerator_p"].astype(float))
        | ~(
            np.isclose(m["denominator_e"].astype(float), m["denominator_p"].astype(float))
            | (m["denominator_e"].isna() & m["denominator_p"].isna())
        )
    ]
    return [str(r) for r in bad.head(10).itertuples(index=False)] + (
        [f"... {len(bad)} differing rows"] if len(bad) else []
    )


# --- the runs -------------------------------------------------------------------


def _periods(runs: list[tuple[str, list[date]]]) -> list[Period]:
    return [p for ptype, ends in runs for p in build_periods(ptype, ends)]


def timed_catalogue(con: duckdb.DuckDBPyConnection, runs: list[tuple[str, list[date]]]) -> float:
    """The whole catalogue for all the runs' periods at once (one query per KPI)."""
    t = time.perf_counter()
    s = compute_periods(con, _periods(runs), None, "all", on_error="collect")
    total = time.perf_counter() - t
    slow = sorted(s.seconds.items(), key=lambda kv: -kv[1])[:5]
    top = ", ".join(f"{k} {v:.2f}s" for k, v in slow)
    print(f"  {len(s.computed)} KPIs, {s.rows} kpi_values rows in {total:.2f}s; slowest: {top}")
    for k, e in s.errors.items():
        print(f"  ERROR {k}: {e.splitlines()[0][:200]}")
    return total


def five_vs_pandas(con: duckdb.DuckDBPyConnection, runs: list[tuple[str, list[date]]]) -> bool:
    t = time.perf_counter()
    compute_periods(con, _periods(runs), list(FIVE), "all")
    engine_s = time.perf_counter() - t
    pandas_s = load_s = 0.0
    problems: list[str] = []
    for ptype, ends in runs:
        got, secs, load = run_pandas(con, ptype, ends)
        pandas_s += secs
        load_s += load
        problems += compare(con, ptype, ends, got)
    print(f"  five KPIs: engine {engine_s:.2f}s, pandas {pandas_s:.2f}s (+{load_s:.2f}s loading) "
          f"-> engine {pandas_s / engine_s:.1f}x faster; numbers "
          f"{'IDENTICAL' if not problems else 'DIFFER'}")  # fmt: skip
    for p in problems:
        print("   ", p)
    return not problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cscperf_bench"))
    ap.add_argument("--las", type=int, default=150)
    ap.add_argument("--years", type=int, default=9, help="synthetic years ending 2024-25 (2017 on)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--england", action="store_true", help="England's volume (see 2. above)")
    ap.add_argument("--national", type=Path, help="a synth --scale national output folder")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    one = build_one_la(args.work, range(2026 - args.years, 2026), args.seed)
    ok = True

    print("(a) one LA (883), 84 month-ends + 7 year-ends")
    con = connect(one)
    ensure_reference(con)
    months = period_ends("month", date(2018, 4, 1), date(2025, 3, 31))
    years = period_ends("year", date(2018, 4, 1), date(2025, 3, 31))
    runs_a = [("month", months), ("year", years)]
    secs = timed_catalogue(con, runs_a)
    print(f"  whole catalogue: {secs:.2f}s (target <= 5s); peak RSS so far {rss_mb():.0f} MB")
    t = time.perf_counter()
    s = compute_periods(con, _periods([("year", years)]), None, "all", ["*"], on_error="collect")
    print(f"  7 year-ends with every breakdown (the demo's, the dashboard's): "
          f"{time.perf_counter() - t:.2f}s, {s.rows} kpi_values rows")  # fmt: skip
    ok &= five_vs_pandas(con, runs_a)
    con.close()

    if not args.skip_national:
        what = "England-sized (every LA, ~265 x Thurrock)" if args.england else f"{args.las} LAs"
        if args.national:
            what = f"synth --scale national output {args.national}"
        print(f"(b) {what}, 120 month-ends + 10 year-ends")
        t = time.perf_counter()
        many = (
            ingest_national(args.national, args.work)
            if args.national
            else replicate(one, args.work, args.las, args.england)
        )
        print(f"  store built in {time.perf_counter() - t:.1f}s")
        con = connect(many)
        rss_before = rss_mb()
        months = period_ends("month", date(2015, 4, 1), date(2025, 3, 31))
        years = period_ends("year", date(2015, 4, 1), date(2025, 3, 31))
        runs_b = [("month", months), ("year", years)]
        secs = timed_catalogue(con, runs_b)
        print(f"  whole catalogue: {secs:.2f}s (target <= 120s); peak RSS {rss_mb():.0f} MB "
              f"(before {rss_before:.0f} MB; target <= 4096)")  # fmt: skip
        ok &= five_vs_pandas(con, runs_b)
        con.close()
    print(f"peak RSS (incl. pandas) {rss_mb():.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
