"""Direct counts of the headline figures from generated files (catalogue definitions).

Used by the calibration test until the KPI engine can be pointed at the files.
Several years' files are merged the way the catalogue says (later return wins).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from cscperf.synth.dates import add_months


def _uk(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def cla_at_end(folder: Path, year: int) -> tuple[int, int]:
    """(children looked after at 31 March, of whom with 3+ placements in the year)."""
    ys, ye = date(year - 1, 4, 1), date(year, 3, 31)
    with (folder / "episodes.csv").open(newline="") as f:
        eps = [r for r in csv.DictReader(f) if r["LS"] not in ("V3", "V4")]
    by_child: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in eps:
        by_child[r["CHILD"]].append(r)
    cla = n3 = 0
    for rows in by_child.values():
        rows.sort(key=lambda r: _uk(r["DECOM"]) or date.min)
        last = rows[-1]
        if _uk(last["DECOM"]) > ye or (last["DEC"] and _uk(last["DEC"]) <= ye):  # type: ignore[operator]
            continue
        cla += 1
        placements: list[list[object]] = []  # [first episode, end]
        prev_end = None
        for r in rows:
            start = _uk(r["DECOM"])
            joined = r["RNE"] in ("L", "U", "B") and placements and prev_end == start
            if joined:
                placements[-1][1] = _uk(r["DEC"])
            else:
                placements.append([r, _uk(r["DEC"])])
            prev_end = _uk(r["DEC"])
        count = 0
        for first, end in placements:
            s = _uk(first["DECOM"])  # type: ignore[index]
            if first["PLACE"].startswith("T"):  # type: ignore[index]
                continue
            if s <= ye and (end is None or (end > ys and end > s)):  # type: ignore[operator]
                count += 1
        n3 += count >= 3
    return cla, n3


def cin_figures(root: Path, year: int) -> tuple[int, int, int]:
    """(referrals in year, of which re-referrals within 12 months, CP plans open at 31 March)."""
    ys, ye = date(year - 1, 4, 1), date(year, 3, 31)
    refs: dict[str, set[date]] = defaultdict(set)
    cp = set()
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and int(p.name) <= year):
        doc = etree.parse(str(folder / "cin_census.xml"))
        for child in doc.iter("Child"):
            cid = child.findtext("ChildIdentifiers/LAchildID") or ""
            for det in child.iter("CINdetails"):
                refs[cid].add(_iso(det.findtext("CINreferralDate")))  # type: ignore[arg-type]
                if int(folder.name) != year:
                    continue
                for p in det.iter("ChildProtectionPlans"):
                    s, e = _iso(p.findtext("CPPstartDate")), _iso(p.findtext("CPPendDate"))
                    if s <= ye and (e is None or e > ye):  # type: ignore[operator]
                        cp.add(cid)
    in_year = [(c, d) for c, ds in refs.items() for d in ds if ys <= d <= ye]
    rereferrals = sum(1 for c, d in in_year if any(add_months(d, -12) <= p < d for p in refs[c]))
    return len(in_year), rereferrals, len(cp)


def cp_starts(folder: Path, year: int) -> tuple[int, int]:
    """(CP plans started in the year, of which second or subsequent).

    Subsequent: NumberOfPreviousCPP > 0 (the generator records every earlier plan
    there, including ones before the data window, so the year's file suffices).
    """
    ys, ye = date(year - 1, 4, 1), date(year, 3, 31)
    starts: dict[tuple[str, date], bool] = {}
    doc = etree.parse(str(folder / "cin_census.xml"))
    for child in doc.iter("Child"):
        cid = child.findtext("ChildIdentifiers/LAchildID") or ""
        for p in child.iter("ChildProtectionPlans"):
            s = _iso(p.findtext("CPPstartDate"))
            assert s is not None
            if ys <= s <= ye:
                starts[(cid, s)] = int(p.findtext("NumberOfPreviousCPP") or 0) > 0
    return len(starts), sum(starts.values())
