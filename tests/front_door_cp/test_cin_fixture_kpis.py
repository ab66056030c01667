"""Front-door and child-protection KPIs end to end on a real-format CIN census file.

The YAML cases test each KPI on hand-built rows; this reads the DfE-format fake
census in ``../shared`` through the real reader and ingest pipeline, so a change
in how CIN XML lands in the store that breaks these KPIs shows up here. Expected
values are worked by hand from the file (two children):

* DfEX0000001: referral 2022-10-06 (ReferralNFA 0); Section47 started 2022-06-02
  (Thu), ICPC 2022-06-17; CP plan 2022-02-17 to 2023-03-14, NumberOfPreviousCPP
  10, one review 2023-02-15; its assessment (authorised before it started) is
  quarantined by validation.
* child_fails_assessments: referral 2024-10-24; assessment 2023-12-25 to
  2024-01-27. The file is the 2023 census (<Year>2023</Year>, to 31 March 2023),
  so a referral of October 2024 cannot be true: it and its assessment are
  quarantined ("date after the end of the return's reporting year").
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pytest

from cscperf.ingest.pipeline import ingest_paths
from cscperf.kpis.engine import compute
from cscperf.store.db import connect
from tests.conftest import SHARED

pytestmark = pytest.mark.shared

MINE = [
    "rereferrals_12m", "referrals_nfa", "assessments_completed", "assessments_45wd",
    "s47_enquiries", "icpc_15wd", "cp_children", "cp_starts", "cp_ends", "cp_subsequent",
    "cp_ended_2yrs", "cp_open_2yrs", "cp_reviews_timely",
]  # fmt: skip


@pytest.fixture(scope="module")
def store() -> duckdb.DuckDBPyConnection:
    """A store holding only the ingested fixture (module scope: ingest once)."""
    folder = SHARED / "fixtures" / "cin-census-fake"
    if not folder.is_dir():
        pytest.skip("../shared is not beside the repo (real-format fixtures unavailable)")
    con = connect(":memory:")
    ingest_paths(con, [folder / "CIN_Census_2024.xml"], "201")
    # The file is one census (<Year> 2023: April 2022 - March 2023), but these tests
    # check how the KPIs count its rows in the years around it, so the store is told
    # that censuses 2020-21 to 2023-24 are loaded; without this the years the census
    # does not cover are null "no data for this period" (tests/kpis/test_coverage.py).
    con.executemany(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) "
        "VALUES ('201', 'cin', ?, make_date(? - 1, 4, 1), make_date(?, 3, 31))",
        [[y, y, y] for y in range(2021, 2025)],
    )
    return con


def values(con: duckdb.DuckDBPyConnection, period_type: str, end: date) -> dict[str, Any]:
    compute(con, MINE, "201", period_type, [end], lookup_postcodes=False)
    rows = con.execute(
        "SELECT kpi_id, numerator, denominator, value, flag FROM kpi_values "
        "WHERE breakdown = 'all' AND period_type = ? AND period_end = ?",
        [period_type, end],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_validation_left_no_assessment(store: duckdb.DuckDBPyConnection) -> None:
    assert store.execute("SELECT child_id FROM assessments").fetchall() == []
    after_year = store.execute(
        "SELECT table_name, value FROM quarantine WHERE field = 'referral_date' AND reason = "
        "'date after the end of the return''s reporting year (31/03/2023)' ORDER BY 1"
    ).fetchall()
    assert after_year == [("assessments", "2024-10-24"), ("referrals", "2024-10-24")]


def test_year_2022_23(store: duckdb.DuckDBPyConnection) -> None:
    v = values(store, "year", date(2023, 3, 31))
    # one referral (2022-10-06), not NFA, no earlier referral
    assert v["referrals_nfa"] == (0, 1, 0.0, None)
    assert v["rereferrals_12m"] == (0, 1, 0.0, None)
    # the only assessment was quarantined with its impossible referral: no data
    assert v["assessments_completed"] == (None, None, None, "no data")
    assert v["assessments_45wd"] == (None, None, None, "no data")
    # S47 2022-06-02 is in the year; ICPC 2022-06-17 is 10 WD later: 3 June 2022
    # (Platinum Jubilee) is a bank holiday, then 6-10 and 13-17 June -> within 15
    assert v["s47_enquiries"][0] == 1
    assert v["icpc_15wd"] == (1, 1, 100.0, None)
    # plan ended 2023-03-14, 390 days after it started; nothing open at 31 March
    assert v["cp_ends"][0] == 1
    assert v["cp_ended_2yrs"] == (0, 1, 0.0, None)
    assert v["cp_children"][0] == 0
    assert v["cp_starts"][0] == 0
    assert v["cp_open_2yrs"] == (0, 0, None, "denominator 0")
    assert v["cp_reviews_timely"] == (0, 0, None, "denominator 0")


def test_year_2021_22(store: duckdb.DuckDBPyConnection) -> None:
    v = values(store, "year", date(2022, 3, 31))
    # the plan started 2022-02-17 with 10 previous plans recorded -> subsequent
    assert v["cp_starts"][0] == 1
    assert v["cp_subsequent"] == (1, 1, 100.0, None)
    assert v["cp_children"][0] == 1
    # open 42 days at 31 March 2022
    assert v["cp_open_2yrs"] == (0, 1, 0.0, None)
    # started after 31 March 2022 - 3 months (2021-12-31): not yet due a review
    assert v["cp_reviews_timely"] == (0, 0, None, "denominator 0")
    # no Section47 starts in 2021-22, but the module has rows -> 0, not "no data"
    assert v["s47_enquiries"][:3] == (0, None, 0)


def test_year_2023_24_assessment(store: duckdb.DuckDBPyConnection) -> None:
    v = values(store, "year", date(2024, 3, 31))
    # the 2023-12-25 assessment hung from an impossible referral and was quarantined
    assert v["assessments_completed"] == (None, None, None, "no data")
    assert v["assessments_45wd"] == (None, None, None, "no data")


def test_first_review_overdue(store: duckdb.DuckDBPyConnection) -> None:
    # At 31 May 2022 the plan (2022-02-17) is in the cohort (started on or before
    # 28 Feb) and its first review was due 2022-05-17 but not held -> 0 of 1.
    v = values(store, "month", date(2022, 5, 31))
    assert v["cp_reviews_timely"] == (0, 1, 0.0, None)
    assert v["cp_children"][0] == 1
