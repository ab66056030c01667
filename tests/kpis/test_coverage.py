"""Data coverage (issue 10 §2): no figure for a period the loaded returns do not cover.

The store says what each return covers (the ``returns`` registry, written by the
ingest; migration 4 registered older stores' returns); a KPI value whose span is not covered
is null with the reason, never a stale stock carried forward or a 0.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from tests.fakes import FakeReader, write
from tests.kpis.test_engine import make_kpi

from cscperf.cli import main
from cscperf.ingest.pipeline import ingest_paths
from cscperf.kpis.catalogue import KpiDefinitionError, load_catalogue
from cscperf.kpis.engine import compute, ensure_reference
from cscperf.store import coverage
from cscperf.store.db import connect
from cscperf.store.schema import COLLECTIONS, TABLES

Q = (
    "SELECT numerator, denominator, value, flag FROM kpi_values WHERE kpi_id = ? "
    "AND la_code = ? AND period_type = ? AND period_end = ? AND breakdown = 'all'"
)


def value(con: duckdb.DuckDBPyConnection, kpi: str, end: date, ptype: str = "year",
          la: str = "883") -> tuple[Any, ...]:
    rows = con.execute(Q, [kpi, la, ptype, end]).fetchall()
    assert len(rows) == 1, rows
    return tuple(rows[0])


def register(con: duckdb.DuckDBPyConnection, collection: str, years: range,
             la: str = "883") -> None:
    """``returns`` rows for whole reporting years, as the ingest writes them."""
    con.executemany(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) "
        "VALUES (?, ?, ?, make_date(? - 1, 4, 1), make_date(?, 3, 31))",
        [[la, collection, y, y, y] for y in years],
    )


@pytest.fixture()
def demo_like(store: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """903 and CIN returns 2018-19 to 2024-25: a child in care since 2019 (never
    left, so the episode is open in every later year) and one referral a year."""
    register(store, "903", range(2019, 2026))
    register(store, "cin", range(2019, 2026))
    store.execute(
        "INSERT INTO cla_episodes (la_code, return_year, child_id, decom, rne, ls, place) "
        "VALUES ('883', 2025, 'A', DATE '2019-06-01', 'S', 'C2', 'U1')"
    )
    store.executemany(
        "INSERT INTO referrals (la_code, return_year, child_id, referral_date) "
        "VALUES ('883', ?, ?, ?)",
        [[y, f"R{y}", date(y - 1, 6, 1)] for y in range(2019, 2026)],
    )
    ensure_reference(store, lookup_postcodes=False)
    store.execute("INSERT INTO population VALUES ('883', 2024, 40000, 'test')")
    return store


def test_every_table_belongs_to_a_collection() -> None:
    assert set(COLLECTIONS) == set(TABLES)
    assert COLLECTIONS["cla_episodes"] == "903" and COLLECTIONS["referrals"] == "cin"
    assert COLLECTIONS["contacts"] == "annex-a"
    assert COLLECTIONS["sw_workforce"] == "local:sw_workforce"


def test_year_after_the_last_return_is_null(demo_like: duckdb.DuckDBPyConnection) -> None:
    # before coverage: 1 looked-after child at 31 March 2030 (the open episode carried
    # forward) and 0 referrals
    ends = [date(2025, 3, 31), date(2030, 3, 31)]
    compute(demo_like, ["cla_children", "referrals"], ["883"], "year", ends,
            lookup_postcodes=False)
    assert value(demo_like, "cla_children", date(2025, 3, 31)) == (1, None, 1, None)
    assert value(demo_like, "referrals", date(2025, 3, 31)) == (1, None, 1, None)
    for kpi in ("cla_children", "referrals"):
        assert value(demo_like, kpi, date(2030, 3, 31)) == (
            None, None, None, "no data for this period"
        )


def test_quarter_after_the_last_return_is_null(demo_like: duckdb.DuckDBPyConnection) -> None:
    ends = [date(2025, 3, 31), date(2025, 6, 30)]
    compute(demo_like, ["referrals", "referral_rate"], ["883"], "quarter", ends,
            lookup_postcodes=False)
    # the R12 rate to 31 March 2025 is covered: 1 referral (1 Jun 2024) / 40,000 x 10,000
    assert value(demo_like, "referral_rate", date(2025, 3, 31), "quarter")[2] == 0.25
    assert value(demo_like, "referrals", date(2025, 6, 30), "quarter") == (
        None, None, None, "no data for this period"
    )
    # its 12 months (Jul 2024 - Jun 2025) run past the last return: not a rate from
    # the referrals of the months that happen to be loaded
    assert value(demo_like, "referral_rate", date(2025, 6, 30), "quarter") == (
        None, None, None, "partly covered: data to 2025-03-31"
    )


def test_period_before_the_first_return_is_null(demo_like: duckdb.DuckDBPyConnection) -> None:
    # the episode started 1 Jun 2019; a store before coverage gave 0 children at
    # 31 March 2018, as if the LA had looked after none
    compute(demo_like, ["cla_children", "referrals"], ["883"], "year", [date(2018, 3, 31)],
            lookup_postcodes=False)
    for kpi in ("cla_children", "referrals"):
        assert value(demo_like, kpi, date(2018, 3, 31))[3] == "no data for this period"


def test_month_ends_straddling_the_data(demo_like: duckdb.DuckDBPyConnection) -> None:
    ends = [date(2018, 3, 31), date(2018, 4, 30), date(2025, 3, 31), date(2025, 4, 30)]
    compute(demo_like, ["referrals"], ["883"], "month", ends, lookup_postcodes=False)
    got = {e: value(demo_like, "referrals", e, "month")[3] for e in ends}
    assert got == {
        date(2018, 3, 31): "no data for this period",
        date(2018, 4, 30): None,
        date(2025, 3, 31): None,
        date(2025, 4, 30): "no data for this period",
    }


def test_uncovered_period_has_no_breakdown_rows(demo_like: duckdb.DuckDBPyConnection) -> None:
    compute(demo_like, ["cla_children"], ["883"], "year",
            [date(2025, 3, 31), date(2030, 3, 31)], ["*"], lookup_postcodes=False)
    rows = demo_like.execute(
        "SELECT period_end, count(*) FROM kpi_values WHERE breakdown <> 'all' "
        "GROUP BY period_end"
    ).fetchall()
    assert [r[0] for r in rows] == [date(2025, 3, 31)]


def test_gap_between_returns(store: duckdb.DuckDBPyConnection) -> None:
    # CIN 2018-19 and 2020-21 loaded, 2019-20 missing
    register(store, "cin", range(2019, 2020))
    register(store, "cin", range(2021, 2022))
    store.execute(
        "INSERT INTO referrals (la_code, return_year, child_id, referral_date) "
        "VALUES ('883', 2019, 'R', DATE '2018-06-01')"
    )
    ends = [date(2019, 3, 31), date(2020, 3, 31), date(2021, 3, 31)]
    compute(store, ["referrals", "rereferrals_12m"], ["883"], "year", ends,
            lookup_postcodes=False)
    assert value(store, "referrals", date(2020, 3, 31))[3] == "no data for this period"
    assert value(store, "referrals", date(2021, 3, 31))[:3] == (0, None, 0)
    # 2020-21 looks back to 1 April 2019: the missing year
    assert value(store, "rereferrals_12m", date(2021, 3, 31))[3] == (
        "partly covered: data from 2020-04-01"
    )


def test_gaps_inside_a_window_are_named(store: duckdb.DuckDBPyConnection) -> None:
    # 903 2017-18 and 2019-20 loaded: the 3 years to 31 March 2020 have a hole
    register(store, "903", range(2018, 2019))
    register(store, "903", range(2020, 2021))
    store.execute(
        "INSERT INTO cla_episodes (la_code, return_year, child_id, decom, rne, ls, place) "
        "VALUES ('883', 2020, 'A', DATE '2019-06-01', 'S', 'C2', 'U1')"
    )
    compute(store, ["adoption_a1_days_3yr"], ["883"], "year", [date(2020, 3, 31)],
            lookup_postcodes=False)
    assert value(store, "adoption_a1_days_3yr", date(2020, 3, 31))[3] == (
        "partly covered: data from 2017-04-01 to 2020-03-31, with gaps"
    )


def test_kpi_reading_two_collections_names_the_one_short(
    store: duckdb.DuckDBPyConnection,
) -> None:
    # return home interviews read 903 missing episodes and the local RHI template
    register(store, "903", range(2024, 2026))
    register(store, "local:return_interviews", range(2025, 2026))
    store.execute(
        "INSERT INTO missing (la_code, return_year, child_id, mis_start, mis_end) "
        "VALUES ('883', 2024, 'A', DATE '2023-06-01', DATE '2023-06-02')"
    )
    store.execute(
        "INSERT INTO return_interviews (la_code, return_year, child_id, mis_start, offered) "
        "VALUES ('883', 2025, 'A', DATE '2024-06-01', true)"
    )
    compute(store, ["rhi_offered"], ["883"], "year", [date(2024, 3, 31)],
            lookup_postcodes=False)
    assert value(store, "rhi_offered", date(2024, 3, 31))[3] == (
        "no data for this period (local:return_interviews)"
    )


def test_store_without_any_record_is_not_checked(store: duckdb.DuckDBPyConnection) -> None:
    """No registry rows (a store built by hand): values as before."""
    store.execute(
        "INSERT INTO referrals (la_code, return_year, child_id, referral_date) "
        "VALUES ('883', 2025, 'R', DATE '2024-06-01')"
    )
    assert coverage.windows_sql(store) == (None, "none")
    compute(store, ["referrals"], ["883"], "year", [date(2030, 3, 31)], lookup_postcodes=False)
    assert value(store, "referrals", date(2030, 3, 31)) == (0, None, 0, None)


EP = "child_id|decom|rne|ls|place|dec|rec"


def test_ingested_returns_say_what_is_covered(
    store: duckdb.DuckDBPyConnection, fake_reader: FakeReader, tmp_path: Path
) -> None:
    """The ingest registers each return with its reporting year, from the folder name
    when the file has none; a year no return covers gives no figure."""
    write(tmp_path / "y2024" / "e.fake", "cla_episodes", 2024, EP,
          "A|01/06/2023|S|C2|U1||")
    write(tmp_path / "y2025" / "r.fake", "referrals", "", "child_id|referral_date",
          "R|2024-06-01")  # no year in the file: resolved from the folder name
    ingest_paths(store, [tmp_path / "y2024", tmp_path / "y2025"], "883")
    expected = [
        ("883", "903", date(2023, 4, 1), date(2024, 3, 31)),
        ("883", "cin", date(2024, 4, 1), date(2025, 3, 31)),
    ]
    assert coverage.windows_sql(store)[1] == "returns"
    assert coverage.runs(store) == expected
    compute(store, ["cla_children"], ["883"], "year", [date(2024, 3, 31), date(2025, 3, 31)],
            lookup_postcodes=False)
    assert value(store, "cla_children", date(2024, 3, 31))[2] == 1
    assert value(store, "cla_children", date(2025, 3, 31))[3] == "no data for this period"
    # a 903 return for 2024-25 registered: the year is covered
    register(store, "903", range(2024, 2026))
    compute(store, ["cla_children"], ["883"], "year", [date(2025, 3, 31)],
            lookup_postcodes=False)
    assert value(store, "cla_children", date(2025, 3, 31))[2] == 1


def test_runs_merge_adjacent_and_overlapping_windows(store: duckdb.DuckDBPyConnection) -> None:
    register(store, "903", range(2019, 2021))
    register(store, "903", range(2022, 2023))
    store.execute(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) VALUES "
        "('883', 'annex-a', 2022, DATE '2021-04-15', DATE '2022-03-31'), "
        "('883', 'annex-a', 2023, DATE '2021-10-01', DATE '2022-09-30')"
    )
    assert coverage.runs(store) == [
        ("883", "903", date(2018, 4, 1), date(2020, 3, 31)),
        ("883", "903", date(2021, 4, 1), date(2022, 3, 31)),
        ("883", "annex-a", date(2021, 4, 15), date(2022, 9, 30)),
    ]
    months = {(c, m): (cov, years) for _, c, m, cov, years in coverage.month_rows(store)}
    assert months[("903", "2020-03")] == ("full", "2020")
    assert months[("903", "2020-04")] == ("none", "")  # the gap shows
    assert months[("903", "2021-04")] == ("full", "2022")
    assert months[("annex-a", "2021-04")] == ("part", "2022")
    assert months[("annex-a", "2021-10")] == ("full", "2022,2023")
    assert coverage.summary_line(store, "883") == (
        "Data: 903 Apr 2018–Mar 2020 and Apr 2021–Mar 2022; Annex A 2021-04-15–2022-09-30"
    )


def test_needs_are_read_from_the_yaml() -> None:
    cat = load_catalogue()
    assert cat["rereferrals_12m"].needs.history_months == 12
    assert cat["adoption_a1_days_3yr"].needs.window_months == 36
    assert cat["adoption_a1_days"].needs.period_of_care
    assert cat["cla_children"].needs.window == "period"


def test_summary_line_groups_sources_covering_the_same_months(
    store: duckdb.DuckDBPyConnection,
) -> None:
    for collection in ("903", "cin", "local:sw_workforce", "local:case_audits"):
        register(store, collection, range(2019, 2026))
    register(store, "annex-a", range(2024, 2026))
    assert coverage.summary_line(store, "883") == (
        "Data: 903, CIN, local templates Apr 2018–Mar 2025; Annex A Apr 2023–Mar 2025"
    )
    assert coverage.summary_line(store, "201") == "Data: nothing loaded for LA 201"


def test_coverage_command(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    con = connect(db)
    register(con, "903", range(2019, 2021))
    register(con, "903", range(2022, 2023))
    con.close()
    res = CliRunner().invoke(main, ["coverage", "--db", db])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["la", "collection", "year", *"AMJJASONDJFM", "returns"]
    assert lines[1].split() == ["883", "903", "2018-19", *"#" * 12, "2019"]
    assert lines[3].split() == ["883", "903", "2020-21", *"." * 12]  # the missing year
    assert lines[-1] == "883: Data: 903 Apr 2018–Mar 2020 and Apr 2021–Mar 2022"
    res = CliRunner().invoke(main, ["coverage", "--db", db, "--la", "883", "--format", "csv"])
    assert res.output.splitlines()[:2] == [
        "la_code,collection,month,covered,return_years", "883,903,2018-04,full,2019"
    ]
    assert len(res.output.splitlines()) == 1 + 48  # Apr 2018 - Mar 2022, gap included
    res = CliRunner().invoke(main, ["coverage", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2 and "no such store" in res.output


def test_kpis_table_ends_with_the_data_line(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    con = connect(db)
    register(con, "cin", range(2024, 2026))
    con.execute(
        "INSERT INTO referrals (la_code, return_year, child_id, referral_date) "
        "VALUES ('883', 2025, 'R', DATE '2024-06-01')"
    )
    con.close()
    res = CliRunner().invoke(main, ["kpis", "--db", db, "--la", "883", "--kpi", "referrals",
                                    "--period-end", "2030-03-31"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert "no data for this period" in lines[1]
    assert lines[-1] == "883: Data: CIN Apr 2023–Mar 2025"


STOCK_SQL = (
    "SELECT c.la_code, p.period_id, c.child_id AS subject_id, c.contact_date AS event_date, "
    "1 AS num, NULL AS den FROM contacts c JOIN periods p ON c.contact_date <= p.period_end"
)


@pytest.mark.parametrize(
    ("needs", "flag"),
    [
        (None, "partly covered: data from 2018-07-01"),  # the whole year
        ({"window": "end"}, None),  # a stock: only the period end
        ({"window": "12 months", "history": "1 months"}, "partly covered: data from 2018-07-01"),
    ],
)
def test_window_end_needs_only_the_period_end(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, needs: Any, flag: str | None
) -> None:
    meta = {"requires": ["contacts"], **({"needs": needs} if needs else {})}
    kpi = make_kpi(tmp_path, "stock_test", STOCK_SQL, **meta)
    store.execute(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) "
        "VALUES ('883', 'annex-a', 2019, DATE '2018-07-01', DATE '2019-03-31')"
    )
    store.execute(
        "INSERT INTO contacts (la_code, return_year, child_id, contact_date) "
        "VALUES ('883', 2019, 'A', DATE '2018-08-01')"
    )
    compute(store, [kpi], ["883"], "year", [date(2019, 3, 31)], lookup_postcodes=False)
    got = value(store, "stock_test", date(2019, 3, 31))
    assert got[3] == flag
    assert got[2] == (None if flag else 1)


@pytest.mark.parametrize(
    "needs",
    [{"window": "3 years"}, {"history": "twelve months"}, {"period_of_care": "yes"},
     {"since": "2018"}, "period"],
)
def test_bad_needs_is_refused_naming_the_file(tmp_path: Path, needs: Any) -> None:
    with pytest.raises(KpiDefinitionError, match=r"bad_needs\.yml: needs"):
        make_kpi(tmp_path, "bad_needs", STOCK_SQL, needs=needs)


def test_explain_refuses_a_period_the_data_do_not_cover(
    demo_like: duckdb.DuckDBPyConnection,
) -> None:
    from cscperf.kpis.explain import explain

    assert [r["subject_id"] for r in explain(demo_like, "cla_children", "883", "year",
                                             date(2025, 3, 31), lookup_postcodes=False)] == ["A"]
    with pytest.raises(ValueError, match="no value for LA 883 at 2030-03-31: no data for this"):
        explain(demo_like, "cla_children", "883", "year", date(2030, 3, 31),
                lookup_postcodes=False)
