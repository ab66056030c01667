"""Every number in the report equals the API's (issue 12's test), on a hand-built store
and on a small synthetic store, both with published figures imported from the tiny
hand-written files of :mod:`tests.report.published` (no ../shared needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from cscperf import api
from cscperf.cli import main
from cscperf.kpis.engine import compute
from cscperf.kpis.periods import period_ends
from cscperf.reference.population import load_csv
from cscperf.store.db import connect
from tests.report.numbers import check_report, close
from tests.report.published import write_published
from tests.report.test_report import END, _store


def _report(db: str, out: Path, end: str, period_type: str = "year") -> Path:
    res = CliRunner().invoke(
        main, ["report", "--db", db, "--la", "883", "--period-end", end,
               "--period-type", period_type, "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return out / "report.html"


def _sentence(path: Path, kpi: str, kind: str) -> str:
    root = etree.fromstring(path.read_bytes(), etree.HTMLParser())
    spans = root.xpath(f"//p[@data-kpi='{kpi}']/span[@data-kind='{kind}']")
    assert len(spans) == 1, (kpi, kind)
    return "".join(spans[0].itertext())


@pytest.fixture
def hand_built(tmp_path: Path) -> tuple[str, Path]:
    db = _store(tmp_path)
    api.import_benchmarks([write_published(tmp_path / "published")], db=db)
    return db, _report(db, tmp_path / "out", "2025-03-31")


def test_hand_built_store_every_number_from_the_api(hand_built: tuple[str, Path]) -> None:
    db, path = hand_built
    seen = check_report(path, "883", END, "year", db)
    # the kinds of sentence this store exercises, each checked at least once
    for kind in ("change", "target", "expected", "small", "null", "sn", "sn_range", "region",
                 "england", "rank", "source"):  # fmt: skip
        assert seen.kinds.get(kind), (kind, seen.kinds)
    assert seen.scorecard_rows == len(api.rag("883", END, db=db))
    assert seen.exceptions == 1  # placed in LA 42% < 45%: red


def test_hand_built_sentences_as_worked_by_hand(hand_built: tuple[str, Path]) -> None:
    _, path = hand_built
    kpi = "care_leavers_eet_19_21"
    # ours 66.7%; SN 801 = 60, 802 = c, 803 = 70 -> mean 65, 2 of 3 available
    assert _sentence(path, kpi, "sn") == (
        "This is above the statistical neighbour mean of 65% (SN mean 2024-25, 2 of 3 available)."
    )
    assert _sentence(path, kpi, "sn_range") == (
        "It is within the range of its statistical neighbours (60% to 70%; SN mean 2024-25, "
        "2 of 3 available)."
    )
    assert _sentence(path, kpi, "region") == (
        "It is above the East of England average of 62% (East of England, 2024-25)."
    )
    assert _sentence(path, kpi, "england") == (
        "It is above the England average of 66% (England, 2024-25)."
    )
    # published 67: 70 (803) > 67 > 60 > 55 -> 2nd of 4, quartile B
    assert _sentence(path, kpi, "rank") == (
        "The published 2024-25 figure of 67% ranked 2nd of 4 local authorities "
        "(quartile B; 1 = best)."
    )
    # contacts 611 against Mar 23 = 400 and Mar 24 = 431
    assert _sentence(path, "contacts", "expected") == (
        "The latest value, 611, is above the expected range of 400 to 431 "
        "(the lowest and highest at Mar 23 and Mar 24)."
    )


def test_a_wrong_number_is_caught(hand_built: tuple[str, Path], tmp_path: Path) -> None:
    """The check can fail: one changed figure in a sentence is found."""
    db, path = hand_built
    text = path.read_text(encoding="utf-8")
    bad = tmp_path / "bad.html"
    bad.write_text(text.replace("neighbour mean of 65%", "neighbour mean of 64%"), "utf-8")
    with pytest.raises(AssertionError):
        check_report(bad, "883", END, "year", db)
    bad.write_text(text.replace("expected range of 400 to 431", "expected range of 400 to 432"))
    with pytest.raises(AssertionError):
        check_report(bad, "883", END, "year", db)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Three synthetic years (2023-2025) of LA 883, year and month values computed."""
    from cscperf.synth.api import generate

    tmp = tmp_path_factory.mktemp("synth_report")
    generate(["883"], (2023, 2024, 2025), seed=11, out=tmp / "data", scale_factor=0.1)
    db = str(tmp / "s.duckdb")
    api.ingest([tmp / "data" / "883"], "883", db=db)
    con = connect(db)
    try:
        for pop in sorted((tmp / "data" / "883").rglob("population.csv")):
            load_csv(con, pop)
        years = [dt.date(y, 3, 31) for y in (2023, 2024, 2025)]
        compute(con, la_codes=["883"], period_type="year", period_ends=years,
                breakdowns=["placement_type"], on_error="collect")  # fmt: skip
        months = period_ends("month", dt.date(2022, 4, 1), dt.date(2025, 3, 31))
        compute(con, la_codes=["883"], period_type="month", period_ends=months,
                on_error="collect")  # fmt: skip
    finally:
        con.close()
    api.import_benchmarks([write_published(tmp / "published")], db=db)
    return db


def test_synthetic_month_report_every_number_from_the_api(synthetic: str, tmp_path: Path) -> None:
    end = dt.date(2025, 2, 28)
    path = _report(synthetic, tmp_path / "m", end.isoformat(), "month")
    seen = check_report(path, "883", end, "month", synthetic)
    for kind in ("change", "forecast", "expected", "sn", "region", "england", "rank"):
        assert seen.kinds.get(kind), (kind, seen.kinds)
    # the forecasts were stored as made, so a re-run shows the same ones
    again = _report(synthetic, tmp_path / "m2", end.isoformat(), "month")
    assert again.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    # the back-test looks back from the report's date: 2024-25 has not ended by Feb 25
    root = etree.fromstring(path.read_bytes(), etree.HTMLParser())
    caption = root.xpath("//table[@id='backtest-table']/caption")[0].text
    assert caption.endswith("years 2022-23, 2023-24"), caption
    points = [p for p in api.backtest("883", db=synthetic).points if p.target_period_end <= end]
    for tr in root.xpath("//table[@id='backtest-table']/tbody/tr"):
        mine = [p for p in points if p.kpi_id == tr.get("data-kpi")]
        mae = sum(abs(p.point - p.outturn) for p in mine) / len(mine)
        assert int(tr.findall("td")[0].text) == len(mine)
        assert abs(float(tr.findall("td")[1].text.replace(",", "")) - mae) <= 0.05
    # a month's starts are not set beside the year's published starts; the year's
    # forecast is, and the published figure's rank is still given
    root = etree.fromstring(path.read_bytes(), etree.HTMLParser())
    kinds = root.xpath("//p[@data-kpi='cla_starts']/span/@data-kind")
    assert "sn" not in kinds and "rank" in kinds
    assert "against a comparator group average of 120 (SN mean 2024-25, 3 of 3 available)" in (
        _sentence(path, "cla_starts", "forecast")
    )
    # the comparator group average beside a level's forecast
    assert "against a comparator group average of 333.3 (SN mean 2024-25, 3 of 3 available)" in (
        _sentence(path, "cla_children", "forecast")
    )


def test_synthetic_year_report_every_number_from_the_api(synthetic: str, tmp_path: Path) -> None:
    _report(synthetic, tmp_path / "m", "2025-02-28", "month")  # forecasts made in Feb 25
    path = _report(synthetic, tmp_path / "y", "2025-03-31")
    check_report(path, "883", dt.date(2025, 3, 31), "year", synthetic)
    root = etree.fromstring(path.read_bytes(), etree.HTMLParser())
    # a year's starts are beside the year's published starts
    assert "sn" in root.xpath("//p[@data-kpi='cla_starts']/span/@data-kind")
    # the back-test table names the years it used and has a row per KPI back-tested
    bt = api.backtest("883", db=synthetic)
    rows = root.xpath("//table[@id='backtest-table']/tbody/tr")
    assert [r.get("data-kpi") for r in rows] == [r.kpi_id for r in bt.rows]
    years = sorted({p.target_period_end.year for p in bt.points})
    caption = root.xpath("//table[@id='backtest-table']/caption")[0].text
    assert caption.endswith(", ".join(f"{y - 1}-{y % 100:02d}" for y in years))
    for tr, r in zip(rows, bt.rows, strict=True):
        cells = [td.text for td in tr.findall("td")]
        assert int(cells[0]) == r.years and abs(float(cells[1].replace(",", "")) - r.mae) <= 0.05
        assert cells[3] == f"{r.coverage80 * 100:.0f}%"
    # the year has ended: the forecasts made during it beside its outturn
    made = [
        f for f in api.forecasts_vs_outturn("883", dt.date(2025, 3, 31), db=synthetic)
        if f.outturn is not None
    ]  # fmt: skip
    out_rows = root.xpath("//table[@id='outturn-table']/tbody/tr")
    assert made and len(out_rows) == len(made)
    for tr, f in zip(out_rows, made, strict=True):
        cells = [td.text or "" for td in tr.findall("td")]
        assert tr.get("data-kpi") == f.kpi_id and cells[0] == f.made_at_period_end.strftime("%b %y")
        assert close(cells[1].removesuffix(" [f]"), f.point) and close(cells[3], f.outturn)
        lo, hi = cells[2].split(" to ")
        assert close(lo, f.lo80) and close(hi, f.hi80)
        assert cells[4] == ("yes" if f.within80 else "no")
