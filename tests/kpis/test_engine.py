"""The engine end to end: many LAs and periods, upserts, flags, breakdowns, explain."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cscperf.kpis.catalogue import Kpi, load_kpi
from cscperf.kpis.engine import KpiRunError, compute, compute_periods, ensure_reference
from cscperf.kpis.explain import explain
from cscperf.kpis.periods import build_periods, period_ends
from cscperf.kpis.testing import run_test

Q = "SELECT la_code, period_end, numerator, denominator, value, flag FROM kpi_values "


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    cols = list(rows[0])
    con.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [[r[c] for c in cols] for r in rows],
    )


def make_kpi(tmp_path: Path, kpi_id: str, sql: str, **meta: Any) -> Kpi:
    fields = {
        "id": kpi_id,
        "title": kpi_id,
        "area": "test",
        "definition": "a test KPI",
        "unit": "count",
        "aggregate": "count",
        "polarity": "context",
        "source": "local",
        "tests": [{"name": "t", "period_type": "year", "period_end": "2025-03-31", "expect": []}],
        **meta,
    }
    folder = tmp_path / "test"
    folder.mkdir(exist_ok=True)
    import yaml

    (folder / f"{kpi_id}.yml").write_text(yaml.safe_dump(fields))
    (folder / f"{kpi_id}.sql").write_text(sql)
    return load_kpi(folder / f"{kpi_id}.yml")


def referrals_data(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        ("111", "A", "2025-01-01"),
        ("111", "B", "2025-01-31"),
        ("111", "C", "2025-03-31"),
        ("222", "A", "2025-02-01"),  # same child id in another LA: a different child
        ("222", "D", "2025-02-28"),
        ("222", "E", "2025-04-01"),
    ]
    insert(
        con,
        "referrals",
        [
            {"la_code": la, "child_id": c, "referral_date": d, "return_year": 2025}
            for la, c, d in rows
        ],
    )
    insert(con, "contacts", [{"la_code": "333", "child_id": "Z", "contact_date": "2025-01-05"}])


def test_all_las_and_periods_in_one_run(store: duckdb.DuckDBPyConnection) -> None:
    referrals_data(store)
    ends = period_ends("month", date(2025, 1, 1), date(2025, 3, 31))
    summary = compute(store, ["referrals"], "all", "month", ends)
    assert summary.las == ["111", "222", "333"] and summary.computed == ["referrals"]
    assert summary.rows == 9  # 3 LAs x 3 months, breakdown 'all' only
    got = store.execute(Q + "ORDER BY la_code, period_end").fetchall()
    assert got == [
        ("111", date(2025, 1, 31), 2.0, None, 2.0, None),
        ("111", date(2025, 2, 28), 0.0, None, 0.0, None),  # module present: 0, not null
        ("111", date(2025, 3, 31), 1.0, None, 1.0, None),
        ("222", date(2025, 1, 31), 0.0, None, 0.0, None),
        ("222", date(2025, 2, 28), 2.0, None, 2.0, None),
        ("222", date(2025, 3, 31), 0.0, None, 0.0, None),
        ("333", date(2025, 1, 31), None, None, None, "no data"),  # no CIN referrals at all
        ("333", date(2025, 2, 28), None, None, None, "no data"),
        ("333", date(2025, 3, 31), None, None, None, "no data"),
    ]


def test_rerun_is_an_upsert(store: duckdb.DuckDBPyConnection) -> None:
    referrals_data(store)
    ends = [date(2025, 3, 31)]
    compute(store, ["referrals"], "all", "year", ends)
    first = store.execute("SELECT * FROM kpi_values ORDER BY ALL").fetchall()
    compute(store, ["referrals"], "all", "year", ends)
    assert store.execute("SELECT * FROM kpi_values ORDER BY ALL").fetchall() == first
    # new data replaces the stored value for that LA only when that LA is recomputed
    insert(store, "referrals", [{"la_code": "111", "child_id": "F", "referral_date": "2024-05-05"}])
    compute(store, ["referrals"], ["111"], "year", ends)
    got = store.execute(Q + "ORDER BY la_code").fetchall()
    assert [(r[0], r[2]) for r in got] == [("111", 4.0), ("222", 2.0), ("333", None)]


def test_subset_of_las_sees_only_its_rows(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    referrals_data(store)
    # a KPI that (wrongly) ignores la_code still only sees the LAs in scope
    kpi = make_kpi(
        tmp_path,
        "all_refs",
        "SELECT '222' AS la_code, p.period_id, r.child_id AS subject_id, "
        "r.referral_date AS event_date, 1.0 AS num, CAST(NULL AS DOUBLE) AS den "
        "FROM referrals r, periods p",
    )
    compute(store, [kpi], ["222"], "year", [date(2025, 3, 31)])
    assert store.execute(Q).fetchall() == [("222", date(2025, 3, 31), 3.0, None, 3.0, None)]
    # the scoping views are gone afterwards
    assert store.execute("SELECT count(*) FROM referrals").fetchall() == [(6,)]


def test_aggregates(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    insert(
        store,
        "case_audits",
        [
            {"la_code": "999", "audit_id": str(i), "audit_date": "2024-06-01", "grade": g}
            for i, g in enumerate(["good", "inadequate", "good", "outstanding"])
        ],
    )
    members = (
        "SELECT a.la_code, p.period_id, a.audit_id AS subject_id, a.audit_date AS event_date, "
        "{num} AS num, {den} AS den FROM case_audits a "
        "JOIN periods p ON a.audit_date BETWEEN p.period_start AND p.period_end"
    )
    score = "CASE a.grade WHEN 'outstanding' THEN 9 WHEN 'good' THEN 4 ELSE 2 END"
    good = "CASE WHEN a.grade IN ('good', 'outstanding') THEN 1 ELSE 0 END"
    kpis = [
        make_kpi(tmp_path, "pct", members.format(num=good, den=1), aggregate="percent"),
        make_kpi(tmp_path, "mean", members.format(num=score, den=1), aggregate="mean"),
        make_kpi(tmp_path, "median", members.format(num=score, den=1), aggregate="median"),
        make_kpi(tmp_path, "ratio", members.format(num=score, den=2), aggregate="ratio"),
        make_kpi(
            tmp_path, "empty", members.format(num=1, den=1) + " WHERE FALSE", aggregate="percent"
        ),
    ]
    compute(store, kpis, ["999"], "year", [date(2025, 3, 31)])
    got = {
        r[0]: r[1:]
        for r in store.execute(
            "SELECT kpi_id, numerator, denominator, value, flag FROM kpi_values"
        ).fetchall()
    }
    # grades: good 4, inadequate 2, good 4, outstanding 9 -> 3 of 4 good or better
    assert got["pct"] == (3.0, 4.0, 75.0, None)
    assert got["mean"] == (19.0, 4.0, 4.75, None)
    assert got["median"] == (19.0, 4.0, 4.0, None)  # median of 2, 4, 4, 9
    assert got["ratio"] == (19.0, 8.0, 2.375, None)
    assert got["empty"] == (0.0, 0.0, None, "denominator 0")


def test_kpi_errors_name_the_file(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    kpi = make_kpi(tmp_path, "broken", "SELECT nope FROM referrals")
    with pytest.raises(KpiRunError, match=r"broken \(.*broken\.sql\)"):
        compute(store, [kpi], ["999"], "year", [date(2025, 3, 31)])
    summary = compute(store, [kpi], ["999"], "year", [date(2025, 3, 31)], on_error="collect")
    assert "broken" in summary.errors and summary.computed == []


def test_unsupported_period_type_is_skipped(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    kpi = make_kpi(
        tmp_path,
        "yearly",
        "SELECT la_code, '' AS period_id, '' AS subject_id, NULL AS event_date, "
        "1 AS num, NULL AS den FROM referrals",
        period_types=["year"],
    )
    summary = compute(store, [kpi], ["999"], "month", [date(2025, 3, 31)])
    assert summary.skipped == {"yearly": "only defined for year periods"}


CLA_SQL = """
SELECT e.la_code, p.period_id, e.child_id AS subject_id, e.decom AS event_date,
       1.0 AS num, CAST(NULL AS DOUBLE) AS den
FROM cla_episodes e JOIN periods p
  ON e.decom <= p.period_end AND (e.dec IS NULL OR e.dec > p.period_end)
"""


def placement_store(con: duckdb.DuckDBPyConnection) -> None:
    """Home H at (0, 0) in this LA; placements at hand-picked distances.

    20 miles = 20 * 1.6093 km = 32,186 m.  P20 at 32,186 m is exactly 20 miles
    (not "> 20"); P21 at (30,000, 40,000) is 50 km = 31.07 miles.
    """
    ensure_reference(con, lookup_postcodes=False)
    insert(
        con,
        "postcodes",
        [
            {"postcode": "H11AA", "easting": 0.0, "northing": 0.0, "ons_la_code": "E06000999"},
            {"postcode": "IN11AA", "easting": 900.0, "northing": 0.0, "ons_la_code": "E06000999"},
            {"postcode": "P201AA", "easting": 32186.0, "northing": 0.0, "ons_la_code": "E10000001"},
            {
                "postcode": "P211AA",
                "easting": 30000.0,
                "northing": 40000.0,
                "ons_la_code": "E10000001",
            },
            {"postcode": "FAR1AA", "easting": 0.0, "northing": 0.0, "ons_la_code": "E09000001"},
        ],
    )
    insert(
        con,
        "la_reference",
        [{"la_code": "999", "ons_code": "E06000999", "name": "Testshire", "region": "X"}],
    )
    ep = [
        # child, decom, dec, ls, place, home, placed
        ("A", "2024-01-01", None, "C2", "U1", "H1 1AA", "IN1 1AA"),  # in LA
        ("B", "2024-01-01", None, "C2", "U1", "h1 1aa", "P20 1AA"),  # exactly 20 miles
        ("C", "2024-01-01", None, "E1", "R1", "H1 1AA", "P21 1AA"),  # 31 miles
        ("D", "2024-01-01", None, "C2", "U1", "H1 1AA", "ZZ9 9ZZ"),  # unknown postcode
        # E: first placed from outside the LA, now from inside it
        ("E", "2023-01-01", "2023-06-01", "C2", "U1", "FAR 1AA", "IN1 1AA"),
        ("E", "2024-01-01", None, "C2", "U1", "H1 1AA", "IN1 1AA"),
        ("F", "2024-01-01", None, "C2", "U1", "FAR 1AA", "IN1 1AA"),  # UASC
        ("G", "2024-01-01", None, "V3", "U1", "H1 1AA", "IN1 1AA"),  # short break only
    ]
    insert(
        con,
        "cla_episodes",
        [
            {
                "la_code": "999",
                "child_id": c,
                "decom": s,
                "dec": e,
                "rne": "S",
                "ls": ls,
                "place": pl,
                "home_post": h,
                "pl_post": p,
            }
            for c, s, e, ls, pl, h, p in ep
        ],
    )
    insert(con, "uasc", [{"la_code": "999", "child_id": "F", "duc": "2026-01-01"}])
    insert(
        con,
        "children",
        [
            {"la_code": "999", "child_id": "A", "sex": "1", "dob": "2009-03-31", "ethnic": "WBRI"},
            {"la_code": "999", "child_id": "B", "sex": "2", "dob": "2024-04-01", "ethnic": "MWBC"},
        ],
    )


def test_breakdowns_placement_location_and_born_in_la(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    placement_store(store)
    kpi = make_kpi(
        tmp_path,
        "cla",
        CLA_SQL,
        breakdowns=["placement_location", "born_in_la", "legal_status", "sex", "age_band"],
    )
    end = date(2025, 3, 31)
    compute(store, [kpi], ["999"], "year", [end], ["*"], lookup_postcodes=False)
    rows = store.execute(
        "SELECT breakdown, breakdown_value, numerator FROM kpi_values ORDER BY ALL"
    ).fetchall()
    # working (members A-G; G's only episode is a V3 short break):
    # location: A, E, F in LA; B exactly 20 miles -> <= 20; C 31 miles; D unknown postcode;
    # G has no non-short-break episode.  born: E first placed from FAR (elsewhere), F UASC.
    assert rows == [
        ("age_band", "16+", 1.0),  # A turns 16 on the period end
        ("age_band", "under 1", 1.0),  # B born 2024-04-01
        ("age_band", "unknown", 5.0),
        ("all", "all", 7.0),
        ("born_in_la", "UASC", 1.0),
        ("born_in_la", "elsewhere", 1.0),
        ("born_in_la", "in LA", 5.0),
        ("legal_status", "C2", 5.0),
        ("legal_status", "E1", 1.0),
        ("legal_status", "not looked after", 1.0),
        ("placement_location", "in LA", 3.0),
        ("placement_location", "not looked after", 1.0),
        ("placement_location", "outside LA, <= 20 miles", 1.0),
        ("placement_location", "outside LA, > 20 miles", 1.0),
        ("placement_location", "unknown", 1.0),
        ("sex", "Female", 1.0),
        ("sex", "Male", 1.0),
        ("sex", "Unknown", 5.0),
    ]
    members = explain(
        store, kpi, "999", "year", end, "placement_location", "in LA", lookup_postcodes=False
    )
    assert [(m["subject_id"], m["born_in_la"], m["uasc"]) for m in members] == [
        ("A", "in LA", "not UASC"),
        ("E", "elsewhere", "not UASC"),
        ("F", "UASC", "UASC"),
    ]
    everyone = explain(store, kpi, "999", "year", end, lookup_postcodes=False)
    assert sum(m["num"] for m in everyone) == 7.0
    assert {m["subject_id"]: m["event_date"] for m in everyone}["E"] == date(2024, 1, 1)


def test_team_breakdown_takes_the_latest_annex_a_record(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    insert(
        store,
        "annexa_referrals",
        [
            {"la_code": "999", "child_id": "A", "referral_date": "2024-05-01", "team": "East"},
            {"la_code": "999", "child_id": "A", "referral_date": "2025-02-01", "team": "West"},
            {"la_code": "999", "child_id": "A", "referral_date": "2025-06-01", "team": "North"},
        ],
    )
    kpi = make_kpi(
        tmp_path,
        "annexa_refs",
        "SELECT r.la_code, p.period_id, r.child_id AS subject_id, r.referral_date AS event_date,"
        " 1 AS num, NULL AS den FROM annexa_referrals r JOIN periods p"
        " ON r.referral_date BETWEEN p.period_start AND p.period_end",
        breakdowns=["team"],
    )
    compute(store, [kpi], ["999"], "year", [date(2025, 3, 31)], ["team"])
    # both 2024-25 referrals are A's, whose latest team on or before 31 March is West
    assert store.execute(
        "SELECT breakdown_value, numerator FROM kpi_values WHERE breakdown = 'team'"
    ).fetchall() == [("West", 2.0)]


def test_yaml_runner_reports_what_differs(tmp_path: Path) -> None:
    kpi = make_kpi(
        tmp_path,
        "refs",
        "SELECT r.la_code, p.period_id, r.child_id AS subject_id, r.referral_date AS event_date,"
        " 1 AS num, NULL AS den FROM referrals r JOIN periods p"
        " ON r.referral_date BETWEEN p.period_start AND p.period_end",
    )
    test = {
        "name": "wrong on purpose",
        "period_type": "year",
        "period_end": date(2025, 3, 31),
        "given": {"referrals": [{"child_id": "A", "referral_date": date(2024, 4, 1)}]},
        "expect": [{"numerator": 2, "value": 2}],
        "expect_members": [{"subject_id": "B"}],
    }
    result = run_test(kpi, test)
    assert not result.passed
    assert "numerator expected 2, got 1.0" in result.message
    assert "missing [('B',)], unexpected [('A',)]" in result.message
    test["expect"] = [{"numerator": 1, "value": 1}]
    test["expect_members"] = [{"subject_id": "A", "num": 1, "den": None}]
    assert run_test(kpi, test).passed
    test["given"] = {"nonsense": [{"x": 1}]}
    assert "unknown table 'nonsense'" in run_test(kpi, test).message


def test_mixed_period_types_in_one_run(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    referrals_data(store)
    yearly = make_kpi(
        tmp_path,
        "yearly_refs",
        "SELECT r.la_code, p.period_id, r.child_id AS subject_id, r.referral_date AS event_date,"
        " 1 AS num, NULL AS den FROM referrals r JOIN periods p"
        " ON r.referral_date BETWEEN p.period_start AND p.period_end",
        period_types=["year"],
    )
    periods = build_periods("month", [date(2025, 1, 31), date(2025, 2, 28)]) + build_periods(
        "year", [date(2025, 3, 31)]
    )
    summary = compute_periods(store, periods, ["referrals", yearly], ["111"])
    assert summary.computed == ["referrals", "yearly_refs"]
    got = store.execute(
        "SELECT kpi_id, period_type, period_start, period_end, numerator FROM kpi_values "
        "ORDER BY ALL"
    ).fetchall()
    assert got == [
        ("referrals", "month", date(2025, 1, 1), date(2025, 1, 31), 2.0),
        ("referrals", "month", date(2025, 2, 1), date(2025, 2, 28), 0.0),
        ("referrals", "year", date(2024, 4, 1), date(2025, 3, 31), 3.0),
        ("yearly_refs", "year", date(2024, 4, 1), date(2025, 3, 31), 3.0),  # no month rows
    ]


def test_sex_breakdown_reads_cin_gendercurrent_and_sex_codes(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """CIN children only (no 903 header): GenderCurrent 1/2 to 2024, Sex M/F from 2025;
    0/9/U are Unknown. The 903 header wins where a child has one."""
    refs = [("A", "1"), ("B", "M"), ("C", "2"), ("D", "F"), ("E", "U"), ("F", "9"), ("G", "M")]
    insert(
        store,
        "referrals",
        [{"la_code": "999", "child_id": c, "referral_date": "2024-10-01"} for c, _ in refs],
    )
    insert(
        store,
        "cin_children",
        [{"la_code": "999", "child_id": c, "sex": s} for c, s in refs],
    )
    insert(store, "children", [{"la_code": "999", "child_id": "G", "sex": "2"}])  # 903 wins
    kpi = make_kpi(
        tmp_path,
        "refs_by_sex",
        "SELECT r.la_code, p.period_id, r.child_id AS subject_id, r.referral_date AS event_date,"
        " 1 AS num, NULL AS den FROM referrals r JOIN periods p"
        " ON r.referral_date BETWEEN p.period_start AND p.period_end",
        breakdowns=["sex"],
    )
    compute(store, [kpi], ["999"], "year", [date(2025, 3, 31)], ["sex"])
    assert store.execute(
        "SELECT breakdown_value, numerator FROM kpi_values WHERE breakdown = 'sex' ORDER BY 1"
    ).fetchall() == [("Female", 3.0), ("Male", 2.0), ("Unknown", 2.0)]
