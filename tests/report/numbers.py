"""The issue's test: every number in report.html's scorecard, narrative sentences and
exception pages equals the matching value read from the API (`api.values`, `api.rag`,
`api.benchmarks`, `api.forecasts_vs_outturn`).

Numbers are parsed out of the rendered text and compared as numbers, within half a
unit of the last digit shown (so the check does not reuse the report's formatting).
Each sentence carries the rule that wrote it (``data-kind``); an unknown kind fails,
so a new kind of sentence cannot escape the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from cscperf import api
from cscperf.benchmarks.compare import Comparison
from cscperf.forecast.kinds import kind
from cscperf.forecast.run import last_month_end
from cscperf.kpis.catalogue import load_catalogue
from cscperf.kpis.periods import reporting_year_end
from cscperf.targets.lines import TargetLine, shift

NUM = r"-?\d[\d,]*(?:\.\d+)?%?"
MON = r"[A-Z][a-z]{2} \d\d"


def close(text: str, value: float | None) -> bool:
    """``text`` (e.g. '1,234.5%') shows ``value`` rounded to the digits it shows."""
    if value is None:
        return text == "n/a"
    t = text.rstrip("%").replace(",", "")
    decimals = len(t.split(".")[1]) if "." in t else 0
    return abs(float(t) - value) <= 0.5 * 10**-decimals + 1e-9


def side(value: float, other: float, shown: str, other_shown: str) -> str:
    if shown == other_shown:
        return "in line with"
    return "above" if value > other else "below"


def year_label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def mon(d: date) -> str:
    return d.strftime("%b %y")


@dataclass
class Checked:
    """What the check looked at, so a test can assert it saw each kind."""

    kinds: dict[str, int] = field(default_factory=dict)
    scorecard_rows: int = 0
    exceptions: int = 0

    def saw(self, kind: str) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1


def _m(pattern: str, text: str) -> re.Match[str]:
    m = re.fullmatch(pattern, text)
    assert m, f"sentence does not match its rule: {text!r}"
    return m


class Checker:
    def __init__(self, path: Path, la: str, end: date, period_type: str, db: str) -> None:
        self.root = etree.fromstring(path.read_bytes(), etree.HTMLParser(recover=False))
        self.la, self.end, self.period_type, self.db = la, end, period_type, db
        self.lines: dict[str, TargetLine] = {
            ln.kpi_id: ln for ln in api.rag(la, end, period_type, db=db)
        }
        self.units = {k: kpi.unit for k, kpi in load_catalogue().items()}
        self.stored = {v.kpi_id: v for v in api.values(la, period_type, end, end, db=db)}
        try:
            self.comps: dict[str, Comparison] = {c.kpi_id: c for c in api.benchmarks(la, db=db)}
        except ValueError:
            self.comps = {}
        made_at = last_month_end(end)
        self.target_end = date(reporting_year_end(made_at), 3, 31)
        self.forecasts = {
            f.kpi_id: f
            for f in api.forecasts_vs_outturn(la, self.target_end, db=db)
            if f.made_at_period_end == made_at
        }
        self.checked = Checked()

    # --- narrative ------------------------------------------------------------------
    def narrative(self) -> None:
        paras = self.root.xpath("//p[@class='narrative']")
        assert paras
        for p in paras:
            kpi = p.get("data-kpi")
            for span in p.xpath("span[@class='s']"):
                kind = span.get("data-kind")
                text = "".join(span.itertext())
                getattr(self, f"_{kind}")(kpi, text)
                self.checked.saw(kind)

    def _change(self, kpi: str, text: str) -> None:
        ln = self.lines[kpi]
        year_ago = shift(self.end, -12)
        if ln.last_year is None:
            m = _m(rf".+ was ({NUM}) at ({MON}) \(no earlier value\)\.", text)
            assert close(m[1], ln.value) and m[2] == mon(self.end), text
            return
        pair = rf"\(({MON}): ({NUM}), ({MON}): ({NUM})\)\."
        m = _m(rf".+ (?:has (?:increased|reduced) by ({NUM})(?: percentage points)?|is unchanged) "
               + pair, text)  # fmt: skip
        assert (m[2], m[4]) == (mon(self.end), mon(year_ago)), text
        assert close(m[3], ln.value) and close(m[5], ln.last_year), text
        assert ln.value is not None
        if m[1] is not None:  # the change is the difference of the figures shown
            now, then = (float(x.rstrip("%").replace(",", "")) for x in (m[3], m[5]))
            assert close(m[1], abs(now - then)), text
            assert now != then and ("increased" in text) == (now > then), text
        else:
            assert m[3] == m[5], text

    def _null(self, kpi: str, text: str) -> None:
        v, ln = self.stored.get(kpi), self.lines[kpi]
        reason = "not computed for this period" if v is None else (v.flag or "no value")
        assert ln.value is None, text
        assert text == f"{ln.title}: no value for {mon(self.end)} ({reason}).", text

    def _target(self, kpi: str, text: str) -> None:
        ln = self.lines[kpi]
        m = _m(rf"Against a target of ({NUM}) it is rated (\w+) \(rule in Appendix B\)\.", text)
        assert ln.target is not None and close(m[1], ln.target.target), text
        assert m[2] == ln.rag, text

    def _expected(self, kpi: str, text: str) -> None:
        ln, unit = self.lines[kpi], self.units[kpi]
        history = {
            mon(v.period_end): v.value
            for v in api.values(self.la, self.period_type, shift(self.end, -72), self.end,
                                [kpi], db=self.db)
            if v.period_end < self.end and (v.period_end.month, v.period_end.day)
            == (self.end.month, self.end.day) and v.value is not None
        }  # fmt: skip
        if text.startswith("No expected range"):
            assert len(history) < 2, (kpi, text, history)
            return
        m = _m(rf"The latest value, ({NUM}), is (within|above|below) the expected range of "
               rf"({NUM}) to ({NUM}) \(the lowest and highest at (.+)\)\.", text)  # fmt: skip
        assert ln.value is not None and close(m[1], ln.value), text
        named = re.findall(MON, m[5])
        assert set(named) == set(history) and len(named) >= 2, (text, history)
        lo, hi = min(history.values()), max(history.values())
        assert close(m[3], lo) and close(m[4], hi), text
        want = "within" if m[1] in (m[3], m[4]) or lo <= ln.value <= hi else (
            "above" if ln.value > hi else "below")  # fmt: skip
        assert m[2] == want, text
        assert unit != "percent" or m[1].endswith("%")

    def _comparison(self, kpi: str) -> Comparison:
        assert kpi in self.comps, kpi
        return self.comps[kpi]

    def _annual(self, kpi: str) -> None:
        """The LA's value is set beside published (annual) figures only when it is
        annual too: a year's value, a stock or a percentage, never a month's count."""
        k, unit = kind(kpi), self.units[kpi]
        monthly_flow = k == "flow" or (unit == "rate_per_10k" and k != "level")
        assert self.period_type == "year" or not monthly_flow, kpi

    def _sn_tail(self, c: Comparison) -> str:
        return (f"SN {c.sn_stat} {year_label(c.year)}, {c.sn_available} of {c.sn_count} "
                "available")  # fmt: skip

    def _sn(self, kpi: str, text: str) -> None:
        self._annual(kpi)
        c, ln = self._comparison(kpi), self.lines[kpi]
        m = _m(rf"This is (above|below|in line with) the statistical neighbour (mean|median) "
               rf"of ({NUM}) \((.+)\)\.", text)  # fmt: skip
        assert c.sn_value is not None and ln.value is not None
        assert m[2] == c.sn_stat and close(m[3], c.sn_value), text
        assert m[4] == self._sn_tail(c), text
        assert m[1] == side(ln.value, c.sn_value, self._shown(ln.value, m[3]), m[3]), text

    def _shown(self, value: float, like: str) -> str:
        """``value`` with the digits of ``like`` (as the report would show both)."""
        t = like.rstrip("%").replace(",", "")
        decimals = len(t.split(".")[1]) if "." in t else 0
        r = round(value, decimals)
        s = f"{r:,.{decimals}f}" if decimals else f"{r:,.0f}"
        return s + ("%" if like.endswith("%") else "")

    def _sn_range(self, kpi: str, text: str) -> None:
        self._annual(kpi)
        c, ln = self._comparison(kpi), self.lines[kpi]
        m = _m(rf"It is (within|above|below) the range of its statistical neighbours "
               rf"\(({NUM}) to ({NUM}); (.+)\)\.", text)  # fmt: skip
        assert c.sn_min is not None and c.sn_max is not None and ln.value is not None
        assert close(m[2], c.sn_min) and close(m[3], c.sn_max) and m[4] == self._sn_tail(c)
        inside = c.sn_min <= ln.value <= c.sn_max or self._shown(ln.value, m[2]) in (m[2], m[3])
        assert m[1] == ("within" if inside else "above" if ln.value > c.sn_max else "below")

    def _region(self, kpi: str, text: str) -> None:
        self._annual(kpi)
        c, ln = self._comparison(kpi), self.lines[kpi]
        assert self.units[kpi] != "count", ("a count beside a regional total", text)
        m = _m(rf"It is (above|below|in line with) the (.+) average of ({NUM}) \((.+), (.+)\)\.",
               text)  # fmt: skip
        assert c.region_value is not None and ln.value is not None
        assert m[2] == m[4] == c.region_name and m[5] == year_label(c.year), text
        assert close(m[3], c.region_value), text
        assert m[1] == side(ln.value, c.region_value, self._shown(ln.value, m[3]), m[3])

    def _england(self, kpi: str, text: str) -> None:
        self._annual(kpi)
        c, ln = self._comparison(kpi), self.lines[kpi]
        assert self.units[kpi] != "count", ("a count beside the England total", text)
        m = _m(rf"It is (above|below|in line with) the England average of ({NUM}) "
               rf"\(England, (.+)\)\.", text)  # fmt: skip
        assert c.england_value is not None and ln.value is not None
        assert close(m[2], c.england_value) and m[3] == year_label(c.year), text
        assert m[1] == side(ln.value, c.england_value, self._shown(ln.value, m[2]), m[2])

    def _rank(self, kpi: str, text: str) -> None:
        c = self._comparison(kpi)
        m = _m(rf"The published (.+) figure of ({NUM}) ranked (\d+)(?:st|nd|rd|th) of (\d+) "
               rf"local authorities \(quartile ([A-D]); 1 = (best|highest)\)\.", text)  # fmt: skip
        assert m[1] == year_label(c.year) and close(m[2], c.value), text
        assert (int(m[3]), int(m[4]), m[5]) == (c.rank, c.rank_of, c.quartile), text

    def _source(self, kpi: str, text: str) -> None:
        c = self._comparison(kpi)
        assert text == f"Comparators: {c.source}, {year_label(c.year)}.", text

    def _forecast(self, kpi: str, text: str) -> None:
        f = self.forecasts[kpi]
        m = _m(rf"Forecast ({NUM}) (?:by the end of the year|for the year to ({MON}))"
               rf" \((?:({MON}); )?80% interval ({NUM})–({NUM})\)"
               rf"(?: against a comparator group average of ({NUM}) \((.+)\))?\.",
               text)  # fmt: skip
        assert close(m[1], f.point) and close(m[4], f.lo80) and close(m[5], f.hi80), text
        assert (m[2] or m[3]) == mon(self.target_end), text
        if m[6] is not None:
            c = self._comparison(kpi)
            assert close(m[6], c.sn_value) and m[7] == self._sn_tail(c), text
        else:
            assert kpi not in self.comps or self.comps[kpi].sn_value is None, text

    def _small(self, kpi: str, text: str) -> None:
        v = self.stored[kpi]
        assert v.denominator is not None and v.denominator < 10, (kpi, text)

    # --- scorecard and exception pages ----------------------------------------------
    def scorecard(self) -> None:
        rows = self.root.xpath("//table[@id='scorecard-table']/tbody/tr")
        assert {r.get("data-kpi") for r in rows} == set(self.lines)
        for tr in rows:
            kpi = tr.get("data-kpi")
            ln, c, f = self.lines[kpi], self.comps.get(kpi), self.forecasts.get(kpi)
            cells = ["".join(td.itertext()) for td in tr.findall("td")]
            value, prev, last, travel, target, rag, fc, sn, region, eng, rank, flag = cells
            assert close(value, ln.value) and close(prev, ln.previous), (kpi, cells)
            assert close(last, ln.last_year) and travel == ln.travel, (kpi, cells)
            t = ln.target.target if ln.target else None
            assert (target == "") == (t is None) and (t is None or close(target, t)), cells
            assert rag.lower() == (ln.rag or "not rated"), cells
            if f is None:
                assert fc == "", cells
            else:
                assert fc.endswith(" [f]") and close(fc[:-4], f.point), cells
            self._comparator_cells(c, self.units[kpi], sn, region, eng, rank)
            v = self.stored.get(kpi)
            if ln.value is None:
                assert flag == (
                    "not computed for this period" if v is None else v.flag or "no value"
                )
            else:
                small = v is not None and v.denominator is not None and v.denominator < 10
                assert flag == ("small numbers" if small else ""), cells
            self.checked.scorecard_rows += 1

    def _comparator_cells(self, c: Comparison | None, unit: str, sn: str, region: str,
                          eng: str, rank: str) -> None:  # fmt: skip
        if c is None:
            assert sn == region == eng == rank == ""
            return
        yl = year_label(c.year)
        if c.sn_value is not None:
            m = _m(rf"({NUM}) \((.+)\)", sn)
            assert close(m[1], c.sn_value) and m[2] == self._sn_tail(c), sn
        if unit == "count":  # published region/England counts are totals: not shown
            assert region == eng == "", (region, eng)
        elif c.region_value is not None:
            m = _m(rf"({NUM}) \((.+), (.+)\)", region)
            assert close(m[1], c.region_value) and (m[2], m[3]) == (c.region_name, yl), region
        if c.england_value is not None and unit != "count":
            m = _m(rf"({NUM}) \((.+)\)", eng)
            assert close(m[1], c.england_value) and m[2] == yl, eng
        if c.rank is not None:
            assert rank == f"{c.rank} of {c.rank_of}, quartile {c.quartile} ({yl})", rank

    def exceptions(self) -> None:
        want = {
            k for k, ln in self.lines.items()
            if ln.rag == "red"
            or (ln.rag == "amber" and "worsening" in (ln.travel, ln.travel_year))
        }  # fmt: skip
        pages = self.root.xpath("//section[contains(@class, 'exception')][@data-kpi]")
        assert {s.get("data-kpi") for s in pages} == want
        for s in pages:
            ln = self.lines[s.get("data-kpi")]
            dd = {d.get("data-field"): "".join(d.itertext()) for d in s.xpath(".//dd[@data-field]")}
            assert close(dd["value"], ln.value) and close(dd["previous"], ln.previous)
            assert close(dd["last_year"], ln.last_year)
            assert ln.target is not None and close(dd["target"], ln.target.target)
            blanks = s.xpath(".//table/tbody/tr/td")
            assert len(blanks) == 5  # what happened, why, action, owner, date
            self.checked.exceptions += 1


def check_report(path: Path, la: str, end: date, period_type: str, db: str) -> Checked:
    """Run every check on one report; returns what was checked."""
    c = Checker(path, la, end, period_type, db)
    c.narrative()
    c.scorecard()
    c.exceptions()
    return c.checked
