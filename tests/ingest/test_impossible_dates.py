"""Dates that cannot be true are quarantined with the reason; history dates are not."""

from __future__ import annotations

from pathlib import Path

from cscperf.ingest.pipeline import ingest_paths
from cscperf.store.db import connect
from tests.ingest.test_return_year import CIN

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "1,01/05/2016,S,C2,N1,U1,PR1,31/03/2025,E11,,,,\n"  # history, ends on the year end: fine
    "2,01/04/2025,S,C2,N1,U1,PR1,,,,,,\n"  # starts after the 2024-25 year
    "3,01/05/2024,S,C2,N1,U1,PR1,02/04/2025,E11,,,,\n"  # ends after it
    "4,31/12/1899,S,C2,N1,U1,PR1,,,,,,\n"  # before 1900
)
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\n1,01/01/2012,01/06/2024,PN1\n5,01/01/2012,31/12/2011,PN1\n"
MISSING = (
    "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
    "1,01/01/2012,M,25/03/2025,10/04/2025\n"  # open at 31 March: its end is next year's
    "6,01/01/2012,M,01/05/2024,\n"
)
UASC = "CHILD,SEX,DOB,DUC\n7,1,01/06/2008,01/06/2026\n"  # DUC may lie ahead (18th birthday)


def _quarantine(tmp_path: Path) -> list[tuple[str, str, str, str]]:
    d = tmp_path / "2024-25"
    d.mkdir()
    (d / "episodes.csv").write_text(EPISODES)
    (d / "reviews.csv").write_text(REVIEWS)
    (d / "missing.csv").write_text(MISSING)
    (d / "uasc.csv").write_text(UASC)
    con = connect(":memory:")
    report = ingest_paths(con, [d], "883")
    for r in report.results:
        assert r.rows_read == r.rows_loaded + r.rows_quarantined
    return con.execute(
        "SELECT table_name, value, field, reason FROM quarantine ORDER BY ALL"
    ).fetchall()


def test_903_dates_after_the_reporting_year_or_before_birth_or_1900(tmp_path: Path) -> None:
    assert _quarantine(tmp_path) == [
        ("cla_episodes", "01/04/2025", "decom",
         "date after the end of the return's reporting year (31/03/2025)"),
        ("cla_episodes", "02/04/2025", "dec",
         "date after the end of the return's reporting year (31/03/2025)"),
        ("cla_episodes", "31/12/1899", "decom", "date before 1900"),
        ("cla_reviews", "31/12/2011", "review",
         "before the child's date of birth (2011-12-31 < 2012-01-01)"),
        ("missing", "10/04/2025", "mis_end",
         "date after the end of the return's reporting year (31/03/2025)"),
    ]  # fmt: skip


def test_cin_dates_after_the_census_year_are_quarantined(tmp_path: Path) -> None:
    f = tmp_path / "cin.xml"
    f.write_text(CIN.format(year=2024, lea="883", ref="2024-04-02"))
    con = connect(":memory:")
    ingest_paths(con, [f], "883")
    assert con.execute("SELECT table_name, field, reason FROM quarantine").fetchall() == [
        ("referrals", "referral_date",
         "date after the end of the return's reporting year (31/03/2024)"),
    ]  # fmt: skip
