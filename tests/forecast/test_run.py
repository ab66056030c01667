"""Forecasts and back-test over a store: hand-built kpi_values, and the real engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from cscperf.cli import main
from cscperf.forecast import FLOW, LEVEL, NOT_FORECAST, backtest, forecast_la, kind
from cscperf.forecast import series as series_mod
from cscperf.forecast.series import month_ends
from cscperf.forecast.store import forecasts_vs_outturn, save_forecasts
from cscperf.kpis.catalogue import load_catalogue
from cscperf.kpis.engine import RunSummary
from cscperf.store.db import connect, schema_version

SEASON = [5.0, 7.0, 9.0, 4.0, 6.0, 8.0, 10.0, 3.0, 5.0, 7.0, 9.0, 6.0]  # Apr..Mar, 79 a year
FIRST, LAST = date(2020, 4, 1), date(2024, 3, 31)  # return years 2021-2024


def _row(kpi: str, ptype: str, end: date, value: float | None) -> tuple[Any, ...]:
    return (kpi, "883", ptype, end, end, "all", None, value, None, value, None)


def build(con: duckdb.DuckDBPyConnection, nulls: tuple[date, ...] = ()) -> None:
    """Four reporting years: adoptions perfectly seasonal (79 a year), children looked
    after constant at 300, both with their year values (the outturns)."""
    con.executemany(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) "
        "VALUES (?, '903', ?, make_date(? - 1, 4, 1), make_date(?, 3, 31))",
        [("883", y, y, y) for y in range(2021, 2025)],
    )
    con.execute(series_mod.KPI_VALUES_DDL)
    rows = []
    for i, end in enumerate(month_ends(FIRST, LAST)):
        rows.append(_row("adoptions", "month", end, None if end in nulls else SEASON[i % 12]))
        rows.append(_row("cla_children", "month", end, 300.0))
    for y in range(2021, 2025):
        rows.append(_row("adoptions", "year", date(y, 3, 31), 79.0))
        rows.append(_row("cla_children", "year", date(y, 3, 31), 300.0))
    con.executemany(f"INSERT INTO kpi_values VALUES ({', '.join('?' * 11)})", rows)


@pytest.fixture
def store() -> duckdb.DuckDBPyConnection:
    con = connect(":memory:")
    build(con)
    return con


def test_every_catalogue_kpi_is_classified_once() -> None:
    cat = load_catalogue()
    for kpi_id, kpi in cat.items():
        hits = [kpi_id in FLOW, kpi_id in LEVEL, kpi_id in NOT_FORECAST]
        assert sum(hits) == 1, f"{kpi_id}: classify it in cscperf/forecast/kinds.py"
        if kpi_id in FLOW:
            assert kpi.aggregate == "count" and "month" in kpi.period_types
        if kpi_id in LEVEL:
            assert "month" in kpi.period_types
    assert kind("adoptions") == "flow" and kind("cla_children") == "level"
    assert kind("cla_reviews_timely") is None


def test_migration_6_creates_the_forecasts_table() -> None:
    con = connect(":memory:")
    assert schema_version(con) >= 6
    cols = [r[0] for r in con.execute("DESCRIBE forecasts").fetchall()]
    assert cols[:8] == [
        "la_code", "kpi_id", "made_at_period_end", "target_period_end", "point", "lo80",
        "hi80", "method",
    ]  # fmt: skip


def test_forecast_from_store_values(store: duckdb.DuckDBPyConnection) -> None:
    run = forecast_la(store, "883", date(2022, 10, 15), ["adoptions", "cla_children",
                                                         "cla_reviews_timely"])  # fmt: skip
    assert not run.computed  # every month value was there: the engine did not run
    got = {f.kpi_id: f for f in run.forecasts}
    a = got["adoptions"]
    assert (a.made_at_period_end, a.target_period_end) == (date(2022, 9, 30), date(2023, 3, 31))
    assert a.latest == 39.0  # Apr-Sep
    assert a.point == pytest.approx(79.0, abs=1e-6) and a.kind == "flow"
    c = got["cla_children"]
    assert c.point == pytest.approx(300.0, abs=1e-6) and c.latest == 300.0
    r = got["cla_reviews_timely"]
    assert r.point is None and "no in-year projection" in r.note


def test_stored_forecast_is_shown_beside_the_outturn(store: duckdb.DuckDBPyConnection) -> None:
    made = forecast_la(store, "883", date(2022, 9, 30), ["adoptions"]).forecasts
    assert save_forecasts(store, made) == 1
    assert save_forecasts(store, made) == 1  # a re-run replaces, never duplicates
    assert store.execute("SELECT count(*) FROM forecasts").fetchone() == (1,)
    [fo] = forecasts_vs_outturn(store, "883", date(2023, 3, 31))
    assert fo.made_at_period_end == date(2022, 9, 30)
    assert fo.outturn == 79.0 and fo.within80
    assert forecasts_vs_outturn(store, "883", date(2024, 3, 31)) == []


def test_null_months_are_handled(store: duckdb.DuckDBPyConnection) -> None:
    con = connect(":memory:")
    build(con, nulls=(date(2022, 8, 31), date(2022, 9, 30)))  # not covered by any return
    [a] = forecast_la(con, "883", date(2022, 9, 30), ["adoptions"]).forecasts
    assert a.latest == 39.0 - 6.0 - 8.0
    assert a.point is not None and a.point == pytest.approx(79.0, abs=1e-6)


def test_backtest_error_table(store: duckdb.DuckDBPyConnection) -> None:
    result = backtest(store, "883", ["adoptions", "cla_children"])
    rows, points = result.rows, result.points
    adopt = [p for p in points if p.kpi_id == "adoptions"]
    assert [p.made_at_period_end for p in adopt] == [date(y, 9, 30) for y in range(2020, 2024)]
    # 2020-21: six months only -> run rate 39/6 x 12 = 78 (error 1); 2021-22: seasonal
    # naive, exact; 2022-23 and 2023-24: exponential smoothing, exact
    assert adopt[0].point == pytest.approx(78.0) and adopt[0].method.startswith("run rate")
    assert adopt[1].method.startswith("seasonal naive")
    assert all(p.point == pytest.approx(79.0, abs=1e-6) for p in adopt[1:])
    row = {r.kpi_id: r for r in rows}["adoptions"]
    assert row.years == 4
    assert row.mae == pytest.approx(0.25, abs=1e-6)
    assert row.mape == pytest.approx(100 / 79 / 4, abs=1e-6)
    assert row.coverage80 == 1.0
    assert {r.kpi_id: r for r in rows}["cla_children"].mae == pytest.approx(0.0, abs=1e-6)


def test_backtest_points_are_kept_and_reused_until_an_input_changes(
    store: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second back-test on the same values fits no model and gives the same table;
    a changed month value (a resubmitted return, recomputed) is a miss, so the kept
    points are never served for data they were not made from."""
    import cscperf.forecast.run as run_mod

    first = backtest(store, "883", ["adoptions", "cla_children"])
    assert store.execute("SELECT count(*) FROM backtest_points").fetchone() == (
        len(first.points),
    )
    fits: list[str] = []
    real = run_mod._project
    monkeypatch.setattr(run_mod, "_project", lambda kpi, *a: fits.append(kpi.id) or real(kpi, *a))
    again = backtest(store, "883", ["adoptions", "cla_children"])
    assert fits == [] and again == first
    store.execute(
        "UPDATE kpi_values SET value = value + 10 WHERE kpi_id = 'adoptions' "
        "AND period_type = 'month' AND period_end = DATE '2021-05-31'"
    )
    changed = backtest(store, "883", ["adoptions", "cla_children"])
    assert fits  # a miss: refitted
    assert changed != first
    assert store.execute("SELECT count(DISTINCT fingerprint) FROM backtest_points").fetchone() == (
        1,
    )  # the earlier run's points were replaced, not kept beside


def test_values_are_computed_in_one_engine_call(
    store: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[Any]] = []
    monkeypatch.setattr(series_mod, "compute_periods", lambda con, periods, *a, **k: calls.append(
        list(periods)))  # fmt: skip
    backtest(store, "883", ["referrals", "adoptions"])  # referrals: no values yet
    assert len(calls) == 1
    types = [p.period_type for p in calls[0]]
    assert types.count("month") == 48 and types.count("year") == 4


def test_forecast_through_the_real_engine() -> None:
    """Referrals ingested as canonical rows: the engine computes every month end in one
    run, and a 2-referrals-a-month LA is forecast at 24 for the year."""
    con = connect(":memory:")
    con.execute(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) "
        "VALUES ('883', 'cin', 2024, DATE '2023-04-01', DATE '2024-03-31')"
    )
    refs = [(f"C{m}{k}", date(2023 + (m < 4), m, 10 + k)) for m in range(1, 13) for k in (0, 1)]
    con.executemany(
        "INSERT INTO referrals (la_code, child_id, referral_date, return_year) "
        "VALUES ('883', ?, ?, 2024)",
        refs,
    )
    run = forecast_la(con, "883", date(2023, 12, 31), ["referrals"])
    assert run.computed
    [f] = run.forecasts
    assert f.latest == 18.0  # Apr-Dec, 2 a month
    assert f.point == pytest.approx(24.0) and f.method.startswith("run rate")
    n = con.execute(
        "SELECT count(*) FROM kpi_values WHERE kpi_id = 'referrals' AND period_type = 'month'"
    ).fetchone()
    assert n == (9,)  # Apr-Dec 2023


def _file_store(tmp_path: Path) -> str:
    db = tmp_path / "s.duckdb"
    con = connect(db)
    build(con)
    con.close()
    return str(db)


def test_cli_forecast_and_backtest(tmp_path: Path) -> None:
    db = _file_store(tmp_path)
    res = CliRunner().invoke(
        main, ["forecast", "--db", db, "--la", "883", "--period-end", "2022-09-30",
               "--kpi", "adoptions", "--format", "csv"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "kpi_id,kind,made_at,year_end,so_far,forecast,lo80,hi80,method"
    assert lines[1].startswith("adoptions,flow,2022-09-30,2023-03-31,39,79,79,79,")
    res = CliRunner().invoke(main, ["forecast", "--db", db, "--la", "883", "--backtest",
                                    "--kpi", "adoptions", "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert '"coverage80_pct": 100' in res.output and '"years": 4' in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kpi", "nope", "--period-end", "2022-09-30"], "unknown KPI 'nope'"),
        (["--period-end", "2022-31-09"], "is not a date"),
        ([], "--period-end is required"),
    ],
)
def test_cli_forecast_errors(tmp_path: Path, args: list[str], message: str) -> None:
    db = _file_store(tmp_path)
    res = CliRunner().invoke(main, ["forecast", "--db", db, "--la", "883", *args])
    assert res.exit_code == 2 and message in res.output
    assert "Traceback" not in res.output


def test_cli_forecast_missing_store(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["forecast", "--db", str(tmp_path / "x.duckdb"), "--la",
                                    "883", "--period-end", "2022-09-30"])  # fmt: skip
    assert res.exit_code == 2 and "no such store" in res.output
    assert not (tmp_path / "x.duckdb").exists()


def test_dates_outside_the_data(store: duckdb.DuckDBPyConnection) -> None:
    [before] = forecast_la(store, "883", date(2019, 9, 30), ["adoptions"]).forecasts
    assert before.point is None and before.note == "no value in the months so far"
    # months after the last return year (to March 2024) are neither computed nor read
    # as zero counts: with no month of 2024-25 known there is no forecast yet
    [after] = forecast_la(store, "883", date(2024, 5, 31), ["adoptions"]).forecasts
    assert after.point is None  # no month of 2024-25 has a value yet
    values = store.execute(
        "SELECT count(*) FROM kpi_values WHERE period_end > DATE '2024-03-31'"
    ).fetchone()
    assert values == (0,)


def test_a_kpi_the_engine_fails_on_says_so(
    store: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(con: Any, periods: Any, kpi_ids: Any, *a: Any, **k: Any) -> RunSummary:
        return RunSummary(errors={"referrals": "KPI referrals (referrals.sql): boom\nmore"})

    monkeypatch.setattr(series_mod, "compute_periods", failing)
    run = forecast_la(store, "883", date(2022, 9, 30), ["referrals", "adoptions"])
    got = {f.kpi_id: f for f in run.forecasts}
    assert got["referrals"].point is None
    assert got["referrals"].note == "the KPI failed: KPI referrals (referrals.sql): boom"
    assert got["adoptions"].point == pytest.approx(79.0, abs=1e-6)


def test_api_forecast_is_stored_and_set_beside_the_outturn(tmp_path: Path) -> None:
    from cscperf import api

    db = _file_store(tmp_path)
    made = api.forecast("883", date(2022, 12, 31), ["adoptions", "cla_children"], db=db)
    assert [f.kpi_id for f in made] == ["adoptions", "cla_children"]
    later = api.forecasts_vs_outturn("883", date(2023, 3, 31), db=db)
    assert [(f.kpi_id, f.made_at_period_end, f.outturn, f.within80) for f in later] == [
        ("adoptions", date(2022, 12, 31), 79.0, True),
        ("cla_children", date(2022, 12, 31), 300.0, True),
    ]
    assert api.forecast("883", date(2023, 1, 31), ["adoptions"], db=db, store=False)
    assert len(api.forecasts_vs_outturn("883", date(2023, 3, 31), db=db)) == 2  # not kept
    bt = api.backtest("883", ["adoptions"], db=db)
    assert [r.kpi_id for r in bt.rows] == ["adoptions"] and len(bt.points) == 4
