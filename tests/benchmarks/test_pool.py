"""The regional pool is the KPI over the pooled children, not a mean of the LAs' rates
(issue 11 § 3): a hand-worked case of three LAs with a few children each."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from cscperf.benchmarks.pool import (
    Members,
    PoolValue,
    default_members,
    period_label,
    pool_label,
    pool_many,
    pooled_from_members,
)
from cscperf.kpis.catalogue import get_kpi
from cscperf.kpis.engine import ensure_reference
from cscperf.kpis.testing import load_given
from cscperf.kpis.testing import new_store as empty_store

END = dt.date(2025, 3, 31)


def ep(la: str, child: str, decom: str, dec: str | None = None, rec: str | None = None) -> dict:
    row = {"la_code": la, "child_id": child, "decom": decom, "rne": "S", "ls": "C2", "place": "U1"}
    return row | ({"dec": dec, "rec": rec} if dec else {})


#: 866 and 303 are the pooled members, 883 the LA compared with them
GIVEN = {
    "given": {
        "cla_episodes": [
            # 866: A, B, C went home after 10, 20 and 30 days; D and E in care on 31 March
            ep("866", "A", "2024-05-01", "2024-05-11", "E4A"),
            ep("866", "B", "2024-06-01", "2024-06-21", "E4A"),
            ep("866", "C", "2024-07-01", "2024-07-31", "E4B"),
            ep("866", "D", "2024-10-01"),
            ep("866", "E", "2024-10-02"),
            # 303: F went home after 100 days (1 April -> 10 July 2024); G in care
            ep("303", "F", "2024-04-01", "2024-07-10", "E4A"),
            ep("303", "G", "2024-11-01"),
            # 883: H went home after 50 days (1 Aug -> 20 Sep 2024); I in care
            ep("883", "H", "2024-08-01", "2024-09-20", "E4A"),
            ep("883", "I", "2024-09-01"),
        ]
    },
    "population": {"866": {2024: 1000}, "303": {2024: 4000}, "883": {2024: 2000}},
}


def new_store() -> duckdb.DuckDBPyConnection:
    c = empty_store()
    ensure_reference(c, lookup_postcodes=False)
    return c


KPIS = ["cla_children", "cla_rate", "cla_returned_home_days"]


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = new_store()
    load_given(c, GIVEN, 2025)
    yield c
    c.close()


def by_kpi(rows: list[PoolValue]) -> dict[str, PoolValue]:
    return {r.kpi_id: r for r in rows}


def test_pool_is_the_kpi_of_the_pooled_children(con: duckdb.DuckDBPyConnection) -> None:
    got = by_kpi(pool_many(con, "883", "year", [END], KPIS, members=["866", "303"]))
    # working, cla_children (count): 866 has D, E; 303 has G -> 2 + 1 = 3
    assert (got["cla_children"].value, got["cla_children"].denominator) == (3, None)
    # beside one LA's count the pool shows its count per LA pooled: 3 / 2 = 1.5
    assert got["cla_children"].comparator == 1.5 and got["cla_rate"].comparator == 6.0
    # working, cla_rate: 866 2 / 1,000 x 10,000 = 20.0; 303 1 / 4,000 x 10,000 = 2.5;
    # mean of the rates (20 + 2.5) / 2 = 11.25, but the pool is 3 / 5,000 x 10,000 = 6.0
    rate = got["cla_rate"]
    assert (rate.numerator, rate.denominator, rate.value) == (3, 5000, 6.0)
    assert rate.mean_of_values == 11.25 and rate.value != rate.mean_of_values
    # 883: 1 / 2,000 x 10,000 = 5.0; among 20.0 and 2.5 it is 2nd of 3 (context: 1 = highest)
    assert (rate.la_value, rate.place, rate.place_of) == (5.0, 2, 3)
    # working, cla_returned_home_days (median): 866 median(10, 20, 30) = 20; 303 median(100)
    # = 100; mean of the medians 60; pooled median(10, 20, 30, 100) = (20 + 30) / 2 = 25;
    # the stored numerator / denominator is the pooled mean 160 / 4 = 40
    days = got["cla_returned_home_days"]
    assert (days.numerator, days.denominator, days.value) == (160, 4, 25.0)
    assert days.mean_of_values == 60.0
    assert days.basis.startswith("median over the pooled children")
    assert (days.la_value, days.place, days.place_of) == (50.0, 2, 3)
    for r in got.values():
        assert r.used == ("866", "303") and r.with_value == 2 and r.chosen == "given"
        assert r.label == "regional pool (2 LAs, 2024-25)" and r.note == ""


def test_sums_equal_the_members_path(con: duckdb.DuckDBPyConnection) -> None:
    """Σ numerators / Σ denominators of stored values = the KPI run over the pooled rows."""
    got = by_kpi(pool_many(con, "883", "year", [END], KPIS, members=["866", "303"]))
    for kpi_id in ("cla_children", "cla_rate"):
        n, d, v = pooled_from_members(con, get_kpi(kpi_id), "year", {END: ["866", "303"]})[END]
        assert (n, d, v) == (got[kpi_id].numerator, got[kpi_id].denominator, got[kpi_id].value)


def test_a_member_without_population_is_not_pooled_for_a_rate(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("DELETE FROM population WHERE la_code = '303'")
    got = by_kpi(pool_many(con, "883", "year", [END], ["cla_rate", "cla_children"],
                           members=["866", "303"]))  # fmt: skip
    # working: only 866 is pooled for the rate: 2 / 1,000 x 10,000 = 20.0
    assert got["cla_rate"].used == ("866",) and got["cla_rate"].value == 20.0
    assert "not pooled (data do not cover the period): 303" in got["cla_rate"].note
    assert got["cla_children"].used == ("866", "303") and got["cla_children"].value == 3


def test_default_members_are_the_neighbours_in_the_store(con: duckdb.DuckDBPyConnection) -> None:
    # Thurrock's 2025 neighbours include Swindon (866) and Bexley (303)
    m = default_members(con, "883")
    assert m == Members(("866", "303"), m.chosen)
    assert m.chosen == "statistical neighbours of Thurrock (DfE 2025 model) in the store: 2 of 10"


def test_region_when_no_neighbour_is_in_the_store() -> None:
    c = new_store()
    # Thurrock's region (East of England): Essex 881 and Hertfordshire 919 are no neighbours
    load_given(c, {"given": {"cla_episodes": [ep("881", "A", "2024-05-01"),
                                              ep("919", "B", "2024-05-01"),
                                              ep("883", "C", "2024-05-01")]}}, 2025)  # fmt: skip
    got = default_members(c, "883")
    assert got == Members(("881", "919"), "LAs of East of England in the store: 2")
    c.close()


def test_no_members_is_one_clear_error() -> None:
    c = new_store()
    load_given(c, {"given": {"cla_episodes": [ep("883", "C", "2024-05-01")]}}, 2025)
    with pytest.raises(ValueError, match="no statistical neighbour of Thurrock"):
        default_members(c, "883")
    c.close()


def test_year_only_kpi_for_a_quarter_says_so(con: duckdb.DuckDBPyConnection) -> None:
    (row,) = pool_many(con, "883", "quarter", [dt.date(2024, 9, 30)], ["cla_health_assessments"],
                       members=["866"])  # fmt: skip
    assert row.value is None and row.note == "only defined for year periods"


def test_quarter_pool(con: duckdb.DuckDBPyConnection) -> None:
    """Q2 2024-25 (July-September): returned home in the quarter: 866 C (30 days, 31 July),
    303 F (100 days, 10 July) -> median (30 + 100) / 2 = 65."""
    got = by_kpi(pool_many(con, "883", "quarter", [dt.date(2024, 9, 30)],
                           ["cla_returned_home_days"], members=["866", "303"]))  # fmt: skip
    assert got["cla_returned_home_days"].value == 65.0
    assert got["cla_returned_home_days"].label == "regional pool (2 LAs, Q2 2024-25)"
    # the 12 months to March 2025 are the year 2024-25: median(10, 20, 30, 100) = 25
    (r12,) = pool_many(con, "883", "r12", [END], ["cla_returned_home_days"], ["866", "303"])
    assert (r12.value, r12.label) == (25.0, "regional pool (2 LAs, 12 months to Mar 2025)")


@pytest.mark.parametrize(
    ("ptype", "end", "label"),
    [
        ("quarter", dt.date(2025, 9, 30), "Q2 2025-26"),
        ("quarter", dt.date(2026, 3, 31), "Q4 2025-26"),
        ("quarter", dt.date(2025, 6, 30), "Q1 2025-26"),
        ("year", dt.date(2025, 3, 31), "2024-25"),
        ("month", dt.date(2025, 9, 30), "Sep 2025"),
        ("r12", dt.date(2025, 9, 30), "12 months to Sep 2025"),
    ],
)
def test_period_labels(ptype: str, end: dt.date, label: str) -> None:
    assert period_label(ptype, end) == label


def test_pool_label() -> None:
    assert pool_label(10, "quarter", dt.date(2025, 9, 30)) == "regional pool (10 LAs, Q2 2025-26)"


# --- CLI: cscperf benchmarks pool -------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> str:
    from cscperf.store.db import connect

    path = tmp_path / "s.duckdb"
    c = connect(path)
    ensure_reference(c, lookup_postcodes=False)
    load_given(c, GIVEN, 2025)
    c.close()
    return str(path)


def cli(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from cscperf.cli import main

    res = CliRunner().invoke(main, ["benchmarks", "pool", *args])
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.output


def test_cli_csv(db: str) -> None:
    args = ["--la", "883", "--period-type", "year", "--period-end", "2025-03-31"]
    args += ["--kpi", "cla_rate", "--members", "866,303", "--format", "csv"]
    code, out = cli("--db", db, *args)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "regional pool (2 LAs, 2024-25): given"
    rows = list(csv.DictReader(lines[1:]))
    assert len(rows) == 1
    r = rows[0]
    assert (r["kpi_id"], r["value"], r["la_value"]) == ("cla_rate", "6.0", "5.0")
    assert r["place"] == "2 of 3"
    # the mean of the members' rates, (20 + 2.5) / 2 = 11.25, to one place: not the pool
    assert (r["mean_of_members"], r["used"], r["shown"]) == (
        "11.2",
        "866 303",
        "regional pool (2 LAs, 2024-25) (no published SN figure)",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kpi", "nope"), "unknown KPI nope"),
        (("--period-end", "2025-03-30"), "is not the end of a reporting year"),
        (("--la", "929"), "no statistical neighbour of Northumberland"),
    ],
)
def test_cli_errors_one_line_exit_2(db: str, args: tuple[str, ...], message: str) -> None:
    given = {"--la": "883", "--period-type": "year", "--period-end": "2025-03-31"}
    given.update(dict(zip(args[::2], args[1::2], strict=True)))
    code, out = cli("--db", db, *[x for kv in given.items() for x in kv])
    assert code == 2 and len(out.strip().splitlines()) == 1 and message in out, out


def test_comparison_says_which_comparator_is_shown(con: duckdb.DuckDBPyConnection) -> None:
    """No published figures imported: the pool is shown; with a published SN mean, that is
    shown and the pool is said to be computed too."""
    from dataclasses import replace

    from cscperf.benchmarks.compare import compare_kpi
    from cscperf.benchmarks.pool import attach_pool

    bare = compare_kpi(con, get_kpi("cla_rate"), "883", 2025)
    assert bare.sn_value is None and bare.comparator == ""
    (c,) = attach_pool(con, [bare], "883", 2025, members=["866", "303"])
    assert c.pool is not None and c.pool.value == 6.0
    assert c.comparator == "pool"
    assert c.comparator_label == "regional pool (2 LAs, 2024-25) (no published SN figure)"
    (count,) = attach_pool(con, [replace(bare, kpi_id="cla_children")], "883", 2025,
                           members=["866", "303"])  # fmt: skip
    assert count.comparator_label == (
        "regional pool (2 LAs, 2024-25), per LA (no published SN figure)"
    )
    published = replace(c, sn_value=41.5)
    assert published.comparator == "published"
    assert published.comparator_label == (
        "SN mean 2024-25 (published; regional pool (2 LAs, 2024-25) also computed)"
    )


def test_cli_says_the_published_figure_is_shown_when_there_is_one(
    db: str, tmp_path: Path
) -> None:
    """With the DfE's cla_rate imported (883's neighbours 866 and 303 published at 40 and
    45: SN mean 42.5), the year's row shows the published SN mean, the pool beside it."""
    from cscperf.benchmarks.importer import import_paths
    from cscperf.store.db import connect

    pub = tmp_path / "pub"
    pub.mkdir()
    head = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,population_type,rate_per_10000\n"
    )
    rows = [
        f"2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,"
        f"{la},E0600{la},LA {la},Children looked after on 31 March each year,{v}"
        for la, v in (("883", "50"), ("866", "40"), ("303", "45"))
    ]
    (pub / "cla_number_and_rate_per_10k_children.csv").write_text(head + "\n".join(rows) + "\n")
    sn_head = "LA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP\n"
    (pub / "sn_2025.csv").write_text(sn_head + "883,T,883,6,East,866,C,303,C\n")
    c = connect(db)
    import_paths(c, [pub])
    c.close()
    args = ["--la", "883", "--period-type", "year", "--period-end", "2025-03-31"]
    code, out = cli("--db", db, *args, "--kpi", "cla_rate", "--members", "866,303",
                    "--format", "json")  # fmt: skip
    assert code == 0, out
    (row,) = json.loads(out[out.index("[") :])
    assert (row["value"], row["published_sn"]) == (6.0, 42.5)
    assert row["shown"] == (
        "SN mean 2024-25 (published; regional pool (2 LAs, 2024-25) also computed)"
    )


def test_api_pool_and_benchmarks_with_pool(db: str) -> None:
    from cscperf import api

    (row,) = api.pool("883", "year", END, ["cla_rate"], ["866", "303"], db=db)
    assert (row.value, row.la_value) == (6.0, 5.0)
    with pytest.raises(ValueError, match="not the end of a quarter"):
        api.pool("883", "quarter", dt.date(2024, 8, 31), ["cla_rate"], ["866"], db=db)
    (c,) = api.benchmarks_with_pool("883", 2025, ["cla_rate"], db=db, members=["866", "303"])
    assert c.pool is not None and c.pool.value == 6.0 and c.comparator == "pool"
