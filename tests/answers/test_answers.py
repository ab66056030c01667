"""Each answer table against numbers worked by hand on a small store."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cscperf import api
from cscperf.answers import AnswerTable
from cscperf.answers.run import period_for
from cscperf.kpis.engine import compute
from cscperf.store.db import connect
from tests.answers.conftest import END, START, Store


def _answers(db: str, start: date = START, end: date = END) -> dict[str, AnswerTable]:
    return {t.id: t for t in api.member_answers("999", start, end, db)}


def _row(t: AnswerTable, label_start: str) -> tuple[Any, ...]:
    rows = [r for r in t.rows if str(r[0]).startswith(label_start)]
    assert len(rows) == 1, (label_start, t.rows)
    return rows[0][1:]


def _kpis(db: str, *kpi_ids: str, start: date = START, end: date = END) -> dict[str, Any]:
    """The KPIs' stored (numerator, denominator, value) for the period, as `cscperf kpis`."""
    con = connect(db)
    try:
        kind = period_for(start, end).period_type
        compute(con, list(kpi_ids), "999", kind, [end], lookup_postcodes=False)
        rows = con.execute(
            "SELECT kpi_id, numerator, denominator, value FROM kpi_values WHERE breakdown = 'all'"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def _total(t: AnswerTable) -> tuple[Any, ...]:
    assert t.total is not None
    return t.total


def _ep(child: str, home: str | None, pl: str | None, **kw: Any) -> dict[str, Any]:
    return {"child_id": child, "decom": date(2024, 1, 1), "rne": "S", "ls": "C2",
            "place": "U1", "home_post": home, "pl_post": pl, **kw}  # fmt: skip


# postcodes: AA1 1AA home in the LA at (560000, 180000); CC1 1CC home elsewhere at
# (500000, 180000); AA1 2BB a placement in the LA; BB1 1BB outside, 10 km = 6.2 miles from
# AA1 1AA; BB2 2BB outside, 40 km = 24.9 miles from AA1 1AA and sqrt(60^2 + 40^2) = 72.1
# km = 44.8 miles from CC1 1CC; ZZ9 9ZZ looked up before and not in the directory.
POSTCODES = [
    {"postcode": "AA11AA", "easting": 560000, "northing": 180000, "ons_la_code": "E06000999"},
    {"postcode": "CC11CC", "easting": 500000, "northing": 180000, "ons_la_code": "E06000002"},
    {"postcode": "AA12BB", "easting": 561000, "northing": 181000, "ons_la_code": "E06000999"},
    {"postcode": "BB11BB", "easting": 560000, "northing": 190000, "ons_la_code": "E06000001"},
    {"postcode": "BB22BB", "easting": 560000, "northing": 220000, "ons_la_code": "E06000001"},
    {"postcode": "ZZ99ZZ", "easting": None, "northing": None, "ons_la_code": None},
]


def test_out_of_borough_by_home_area(store: Store) -> None:
    db = store({
        "postcodes": POSTCODES,
        "given": {
            "cla_episodes": [
                _ep("A", "AA1 1AA", "AA1 2BB"),  # home in LA, placed in LA
                _ep("B", "AA1 1AA", "BB1 1BB"),  # home in LA, out, 6.2 miles
                _ep("C", "AA1 1AA", "BB2 2BB"),  # home in LA, out, 24.9 miles
                _ep("D", "CC1 1CC", "BB2 2BB"),  # home elsewhere, out, 44.8 miles
                _ep("E", None, "BB1 1BB"),  # home unknown, out, distance not known
                _ep("F", "AA1 1AA", "BB2 2BB"),  # UASC: out, no distance derived
                _ep("G", "CC1 1CC", "ZZ9 9ZZ"),  # elsewhere, placement not located
                _ep("H", "AA1 1AA", "BB1 1BB", dec=date(2025, 1, 10), rec="E13"),  # left
                _ep("I", "CC1 1CC", "AA1 2BB"),  # elsewhere, placed in LA
                # J: first home (pre-care) postcode elsewhere, later episode from AA1 1AA:
                # the group is by the first home postcode, the distance by the current one
                _ep("J", "CC1 1CC", "AA1 2BB", decom=date(2023, 1, 1), dec=date(2023, 6, 1),
                    rec="E4A"),
                _ep("J", "AA1 1AA", "BB1 1BB", decom=date(2024, 6, 1)),
            ],
            "uasc": [{"child_id": "F", "duc": date(2027, 1, 1)}],
        },
    })  # fmt: skip
    t = _answers(db)["out_of_borough_by_home"]
    # looked after, out, %, <=20, >20, distance not known, placement not located
    assert _row(t, "Home postcode in the LA") == (3, 2, pytest.approx(200 / 3), 1, 1, 0, 0)
    assert _row(t, "Home postcode elsewhere") == (4, 2, 50.0, 1, 1, 0, 1)
    assert _row(t, "Home postcode not known") == (1, 1, 100.0, 0, 0, 1, 0)
    assert _row(t, "Unaccompanied") == (1, 1, 100.0, 0, 0, 1, 0)
    assert _total(t) == ("All children looked after", 9, 6, pytest.approx(200 / 3), 2, 2, 2, 1)
    assert "home postcode" in t.note and "no place of birth" in t.note
    assert "Small numbers" in t.note
    # the > 20 miles column is the KPI's numerator (UASC never in it)
    got = {
        k: v[0] for k, v in _kpis(db, "cla_placed_over_20_miles_out", "cla_placed_in_la").items()
    }
    assert got["cla_placed_over_20_miles_out"] == 2
    assert got["cla_placed_in_la"] == 9 - 6 - 1  # in LA = looked after - out - not located


def test_out_of_borough_without_postcode_data_says_so(store: Store) -> None:
    db = store({"given": {"cla_episodes": [_ep("A", None, None), _ep("B", None, None)]}})
    t = _answers(db)["out_of_borough_by_home"]
    assert _total(t) == ("All children looked after", 2, 0, 0.0, 0, 0, 0, 2)
    assert "out-of-borough placements cannot be counted" in t.note


def test_time_in_care_before_returning_home(store: Store) -> None:
    db = store({"given": {"cla_episodes": [
        # A: 1 Jan 2025 -> home (E4A) 31 Mar 2025: 89 days
        {"child_id": "A", "decom": date(2025, 1, 1), "rne": "S", "dec": END, "rec": "E4A"},
        # B: care from 1 Feb 2024 over two contiguous episodes -> home (E4B) 1 Apr 2024: 60 days
        {"child_id": "B", "decom": date(2024, 2, 1), "rne": "S", "dec": date(2024, 3, 1),
         "rec": "X1"},
        {"child_id": "B", "decom": date(2024, 3, 1), "rne": "P", "dec": date(2024, 4, 1),
         "rec": "E4B"},
        # C: two periods of care in the period, both ending home: counted once, the last
        # (1 Aug -> 1 Oct 2024: 61 days), not the first (30 days)
        {"child_id": "C", "decom": date(2024, 4, 10), "rne": "S", "dec": date(2024, 5, 10),
         "rec": "E4A"},
        {"child_id": "C", "decom": date(2024, 8, 1), "rne": "S", "dec": date(2024, 10, 1),
         "rec": "E4A"},
        # D: home in May, back, then adopted: the last ending is not a return home
        {"child_id": "D", "decom": date(2024, 1, 1), "rne": "S", "dec": date(2024, 5, 1),
         "rec": "E4A"},
        {"child_id": "D", "decom": date(2024, 6, 1), "rne": "S", "dec": date(2025, 1, 10),
         "rec": "E11"},
        # E: 1 Dec 2023 -> home (E4B) 1 Dec 2024: 366 days (leap year)
        {"child_id": "E", "decom": date(2023, 12, 1), "rne": "S", "dec": date(2024, 12, 1),
         "rec": "E4B"},
        # F: went home after the period
        {"child_id": "F", "decom": date(2025, 1, 1), "rne": "S", "dec": date(2025, 4, 1),
         "rec": "E4A"},
    ]}})  # fmt: skip
    t = _answers(db)["time_in_care_before_home"]
    assert _row(t, "Returned home as part") == (2, 75.0, 75.0)  # 89, 61
    assert _row(t, "Returned home, not") == (2, 213.0, 213.0)  # 60, 366
    # (89 + 61 + 60 + 366) / 4 = 144; median of 60, 61, 89, 366 = (61 + 89) / 2 = 75
    assert t.total == ("All returns home", 4, 144.0, 75.0)
    kpi = _kpis(db, "cla_returned_home_days")["cla_returned_home_days"]
    assert kpi == (576.0, 4.0, 75.0)  # the same children: total days, n, median


def _posts(snapshot: date, costed: bool = True) -> list[dict[str, Any]]:
    rows = [("E1", "employed", 1.0, 50000), ("E2", "employed", 0.5, 30000),
            ("E3", "employed", 1.0, None), ("A1", "agency", 1.0, 90000),
            ("A2", "agency", 0.5, 48000), ("V1", "vacant", 1.0, None)]  # fmt: skip
    return [{"snapshot_date": snapshot, "post_id": p, "status": s, "fte": f,
             "annual_cost": c if costed else None} for p, s, f, c in rows]  # fmt: skip


def test_permanent_and_agency_social_workers(store: Store) -> None:
    older = [{"snapshot_date": date(2024, 9, 30), "post_id": "A9", "status": "agency",
              "fte": 1.0, "annual_cost": 200000}]  # fmt: skip
    db = store({"given": {"sw_workforce": _posts(END) + older}})
    t = _answers(db)["permanent_vs_agency"]
    # headcount, FTE, % of in-post FTE (1.5 / 4.0 = 37.5%), cost per FTE, premium:
    # employed (50000 + 30000) / (1.0 + 0.5) = 53333.33 (E3 has no cost);
    # agency (90000 + 48000) / 1.5 = 92000; 92000 / 53333.33 - 1 = 72.5%
    assert _row(t, "Permanent") == (3, 2.5, 62.5, pytest.approx(160000 / 3), None)
    assert _row(t, "Agency") == (2, 1.5, 37.5, pytest.approx(92000), pytest.approx(72.5))
    assert t.total == ("All social workers in post", 5, 4.0, 100.0, None, None)
    assert "31 March 2025" in t.title and "Vacant posts: 1 (1.0 FTE)" in t.note
    assert "4 posts with an annual cost" in t.note


def test_workforce_without_cost_shows_the_split_and_says_why(store: Store) -> None:
    db = store({"given": {"sw_workforce": _posts(date(2025, 2, 28), costed=False)}})
    t = _answers(db)["permanent_vs_agency"]
    assert _row(t, "Agency") == (2, 1.5, 37.5, None, None)
    assert "annual_cost" in t.note and "cost is not shown" in t.note
    assert "28 February 2025" in t.title


def _looked_after(*children: str) -> list[dict[str, Any]]:
    return [{"child_id": c, "decom": date(2023, 1, 1), "rne": "S", "ls": "C2", "place": "U1"}
            for c in children]  # fmt: skip


RHI_MISSING = [
    # A: back 23 Dec, interview 26 Dec: exactly 72 hours (3 days) -> within
    {"child_id": "A", "missing": "M", "mis_start": date(2024, 12, 20),
     "mis_end": date(2024, 12, 23)},
    # B: back 31 Mar, interview 4 Apr: 4 days -> not within
    {"child_id": "B", "missing": "M", "mis_start": date(2025, 3, 30), "mis_end": END},
    # C: went missing before the period, back in it; offered, declined
    {"child_id": "C", "missing": "M", "mis_start": date(2024, 3, 30),
     "mis_end": date(2024, 4, 1)},
    # D: went missing in the period, back after it
    {"child_id": "D", "missing": "M", "mis_start": date(2025, 3, 30),
     "mis_end": date(2025, 4, 1)},
    # E: missing and back on one day, no interview record -> not offered, not done
    {"child_id": "E", "missing": "M", "mis_start": date(2024, 6, 1),
     "mis_end": date(2024, 6, 1)},
    # A away without authorisation: not a missing incident
    {"child_id": "A", "missing": "A", "mis_start": date(2024, 7, 1),
     "mis_end": date(2024, 7, 2)},
]  # fmt: skip
RHI = [
    {"child_id": "A", "mis_start": date(2024, 12, 20), "offered": True, "accepted": True,
     "rhi_date": date(2024, 12, 26)},
    {"child_id": "B", "mis_start": date(2025, 3, 30), "offered": True, "accepted": True,
     "rhi_date": date(2025, 4, 4)},
    {"child_id": "C", "mis_start": date(2024, 3, 30), "offered": True, "accepted": False},
]  # fmt: skip


def test_return_home_interviews(store: Store) -> None:
    db = store({"given": {"cla_episodes": _looked_after(*"ABCDE"), "missing": RHI_MISSING,
                          "return_interviews": RHI}})  # fmt: skip
    t = _answers(db)["return_home_interviews"]
    assert _row(t, "Missing incidents that started") == (4, None, None)  # A, B, D, E
    assert _row(t, "Missing incidents that ended") == (4, None, None)  # A, B, C, E
    assert _row(t, "Return home interview offered") == (3, 4, 75.0)  # A, B, C
    assert _row(t, "Interview accepted") == (2, 3, pytest.approx(200 / 3))  # A, B of A, B, C
    assert _row(t, "Interview completed within 72") == (1, 4, 25.0)  # A (exactly 72 hours)
    kpis = _kpis(db, "missing_incidents", "rhi_offered", "rhi_accepted", "rhi_completed_72h")
    assert kpis["missing_incidents"][0] == 4
    assert kpis["rhi_offered"] == (3, 4, 75.0)
    assert kpis["rhi_accepted"] == (2, 3, pytest.approx(200 / 3))
    assert kpis["rhi_completed_72h"] == (1, 4, 25.0)


def test_return_home_interviews_without_the_local_template(store: Store) -> None:
    db = store({"given": {"cla_episodes": _looked_after(*"ABCDE"), "missing": RHI_MISSING}})
    t = _answers(db)["return_home_interviews"]
    assert _row(t, "Missing incidents that started") == (4, None, None)
    assert _row(t, "Return home interview offered") == (None, 4, None)
    assert "No return interview records are loaded" in t.note


def test_missing_incidents_by_child_without_identifiers(store: Store) -> None:
    counts = {"PX1": 12, "QX2": 6, "RX3": 3, "SX4": 2, "TX5": 1, "UX6": 1, "VX7": 1}
    missing = [
        {"child_id": c, "missing": "M", "mis_start": date(2024, 4, 1) + timedelta(days=3 * i),
         "mis_end": date(2024, 4, 2) + timedelta(days=3 * i)}
        for c, n in counts.items() for i in range(n)
    ]  # fmt: skip
    db = store({"given": {"cla_episodes": _looked_after(*counts), "missing": missing}})
    got = _answers(db)
    t = got["missing_by_child"]
    # 26 incidents of 7 children: 1 -> T, U, V (3 incidents); 2-4 -> R, S (5); 5-9 -> Q (6);
    # 10+ -> P (12)
    assert _row(t, "1 incident") == (3, pytest.approx(300 / 7), 3, pytest.approx(300 / 26))
    assert _row(t, "2 to 4") == (2, pytest.approx(200 / 7), 5, pytest.approx(500 / 26))
    assert _row(t, "5 to 9") == (1, pytest.approx(100 / 7), 6, pytest.approx(600 / 26))
    assert _row(t, "10 or more") == (1, pytest.approx(100 / 7), 12, pytest.approx(1200 / 26))
    assert t.total == ("All children who went missing", 7, 100.0, 26, 100.0)
    assert _kpis(db, "missing_incidents")["missing_incidents"][0] == 26
    top = got["missing_top_children"]
    assert [r[:2] for r in top.rows] == [("Child A", 12), ("Child B", 6), ("Child C", 3),
                                         ("Child D", 2), ("Child E", 1)]  # fmt: skip
    assert top.rows[1][3] == pytest.approx(1800 / 26)  # cumulative: 12 + 6 of 26
    assert _total(top) == ("These 5 children together", 24, pytest.approx(2400 / 26), None)
    text = repr(list(got.values()))
    assert not any(c in text for c in counts), "a child identifier reached an answer"


def test_empty_store_gives_none_tables(store: Store) -> None:
    tables = api.member_answers("999", START, END, store({}))
    assert [t.id for t in tables] == [
        "out_of_borough_by_home", "time_in_care_before_home", "permanent_vs_agency",
        "return_home_interviews", "missing_by_child", "missing_top_children",
    ]  # fmt: skip
    for t in tables:
        assert t.empty and t.total is None and t.none.startswith("No "), t.id
        assert t.question.endswith("?") and t.note


def test_period_is_named_by_its_type() -> None:
    assert period_for(START, END).period_id == "year:2025-03-31"
    assert period_for(date(2025, 1, 1), END).period_id == "quarter:2025-03-31"
    assert period_for(date(2024, 11, 15), END).period_type == "custom"
    with pytest.raises(ValueError, match="after its end"):
        period_for(END, START)


def test_a_shorter_period_counts_only_its_own_events(store: Store) -> None:
    db = store({"given": {"cla_episodes": _looked_after(*"ABCDE"), "missing": RHI_MISSING,
                          "return_interviews": RHI}})  # fmt: skip
    t = _answers(db, date(2024, 10, 1), date(2024, 12, 31))["return_home_interviews"]
    assert _row(t, "Missing incidents that started") == (1, None, None)  # A only
    assert _row(t, "Interview completed within 72") == (1, 1, 100.0)
