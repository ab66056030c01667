"""Deprivation of liberty orders (903 DoLo.csv, from the 2024 return)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from cscperf.synth.api import Manifest
from cscperf.synth.dates import age_at


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _d(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def test_dolos_sit_inside_care_and_carry_over_the_year_end(
    thurrock: tuple[Path, Manifest],
) -> None:
    out, _ = thurrock
    by_year = {y: _rows(out / "883" / str(y) / "DoLo.csv") for y in (2024, 2025)}
    assert 1 <= len(by_year[2025]) <= 15  # ~1% of ~300-400 children looked after
    for year, rows in by_year.items():
        episodes = _rows(out / "883" / str(year) / "episodes.csv")
        ys, ye = date(year - 1, 4, 1), date(year, 3, 31)
        for r in rows:
            start, end = _d(r["DOLO_START"]), _d(r["DOLO_END"])
            assert start is not None and start <= ye
            assert end is None or start < end <= ye
            assert age_at(_d(r["DOB"]), start) >= 10  # type: ignore[arg-type]
            mine = [e for e in episodes if e["CHILD"] == r["CHILD"]]
            assert mine, "the child is looked after in the year"
            if start >= ys:  # (the episode of an older order may have ended before the year)
                assert any(
                    _d(e["DECOM"]) <= start and (not e["DEC"] or start < _d(e["DEC"]))  # type: ignore[operator]
                    for e in mine
                ), "a DoLO starts while the child is looked after"
    # an order open on 31 March 2024 is in the 2025 return with the same start
    open_2024 = {(r["CHILD"], r["DOLO_START"]) for r in by_year[2024] if not r["DOLO_END"]}
    assert open_2024 <= {(r["CHILD"], r["DOLO_START"]) for r in by_year[2025]}


def test_dolo_rate_is_englands() -> None:
    """About 1.2% of the children looked after during a year have a DoLO in it (DfE 2024:
    ~1,300 of ~107,000). DoLOs used to start only 2-9 months into a period of care, so a
    long stay never had one: 0.4%, and often no DoLO at all in a Thurrock-sized year."""
    from cscperf.synth.simulate import simulate
    from cscperf.synth.writers_903 import dolos

    w = simulate("883", tuple(range(2019, 2026)), seed=2025, contacts=False)
    with_dolo = looked_after = 0
    for y in range(2019, 2026):
        ys, ye = date(y - 1, 4, 1), date(y, 3, 31)
        for c in w.children.values():
            for p in c.care:
                if p.start <= ye and (p.end is None or p.end >= ys):
                    looked_after += 1
                    with_dolo += any(
                        s <= ye and (e is None or e >= ys)
                        for s, e in dolos(w, c.id, c.dob, p.start, p.end)
                    )
    assert 0.008 <= with_dolo / looked_after <= 0.018, (with_dolo, looked_after)
