"""Realistic data-quality faults injected into generated files, with a log.

Each fault is one field of one row: a code not in its list, an end date
before its start, a blank required field, date text that is not a date, or
(903 episodes) an episode starting before the previous one ended. The log
(file, line, field, kind, and what should notice it) goes into
``manifest.json`` so that validation can be compared with known truth.
CSV rows are corrupted here; the CIN census XML through :class:`CinFaults`,
which the XML writer calls for each child.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from numpy.random import Generator

from cscperf.store.schema import Table
from cscperf.synth.writer_cin import Slot

KINDS = ("bad_code", "end_before_start", "missing_required", "bad_date", "overlapping_episodes")
QUARANTINED = "quarantine"
#: overlaps are valid row by row: ingest keeps them and the KPI/validation layer must cope
NOT_QUARANTINED = "kpi/validation (not quarantined)"
_BAD_DATES = ("31/02/2023", "2023-13-01", "not known", "00/00/0000")
_BAD_ISO_DATES = ("2023-02-31", "2023-13-01", "not known", "0000-00-00")


@dataclass(frozen=True)
class Fault:
    file: str
    line: int  # 1-based line of the row: CSV (header is line 1) or the XML row element
    field: str  # canonical column name
    kind: str
    original: str
    injected: str
    detected_by: str = QUARANTINED
    element_line: int | None = None  # XML: the line of the corrupted element itself
    table: str | None = None  # XML: the canonical table of the row (a file holds several)

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        for k in ("element_line", "table"):
            if d[k] is None:
                del d[k]
        return d


def _parse(text: str, iso: bool) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d" if iso else "%d/%m/%Y")
    except ValueError:
        return None


def inject(
    file: str,
    table: Table,
    header: tuple[str, ...],
    rows: list[tuple[str, ...]],
    rate: float,
    rng: Generator,
    iso_dates: bool = False,
) -> list[Fault]:
    """Corrupt about ``rate`` of ``rows`` in place (one field each); returns the faults."""
    if rate <= 0 or not rows:
        return []
    cols = [("child_id" if h == "CHILD" else h.lower()) for h in header]
    col = {c.name: c for c in table.columns}
    options: list[tuple[str, int, int | None]] = []  # kind, column index, start column index
    for i, name in enumerate(cols):
        c = col.get(name)
        if c is None:
            continue
        if c.kind == "code" and c.codes:
            options.append(("bad_code", i, None))
        if c.required:
            options.append(("missing_required", i, None))
        if c.kind == "date":
            options.append(("bad_date", i, None))
    for chk in table.checks:
        start = chk.sql.split(" < ")[1]
        if chk.field in cols and start in cols:
            options.append(("end_before_start", cols.index(chk.field), cols.index(start)))
    overlap = table.name == "cla_episodes" and "DECOM" in header and "DEC" in header
    if overlap:
        options.append(("overlapping_episodes", header.index("DECOM"), header.index("DEC")))
    if not options:
        return []
    faults: list[Fault] = []
    n = len(rows)
    picks = sorted(set(int(x) for x in rng.choice(n, size=max(1, round(n * rate)), replace=False)))
    picked = set(picks)
    overlapped = False  # an episode file's first eligible pick always overlaps
    for r in picks:
        row = list(rows[r])
        order = [int(x) for x in rng.permutation(len(options))]
        # a common fault in real episode files, and one the KPI layer must always meet,
        # so a faulty episode file carries at least one whenever a row allows it
        if overlap and (rng.random() < 0.3 or not overlapped):
            order.insert(0, len(options) - 1)
        for k in order:
            kind, i, j = options[k]
            orig = row[i]
            if kind == "overlapping_episodes":
                assert j is not None
                new_decom = _overlap(rows, r, i, j, picked, rng, iso_dates)
                if new_decom is None:
                    continue
                row[i] = new_decom
                rows[r] = tuple(row)
                overlapped = True
                faults.append(
                    Fault(file, r + 2, cols[i], kind, orig, new_decom, NOT_QUARANTINED)
                )
                break
            if kind == "bad_code":
                new = "XX9"
            elif kind == "missing_required":
                if orig == "":
                    continue
                new = ""
            elif kind == "bad_date":
                new = _BAD_DATES[int(rng.integers(len(_BAD_DATES)))]
            else:
                begun = _parse(row[j], iso_dates) if j is not None else None
                if begun is None or orig == "":
                    continue
                d = (
                    begun.replace(year=begun.year - 1)
                    if not (begun.month == 2 and begun.day == 29)
                    else begun.replace(day=1)
                )
                new = d.strftime("%Y-%m-%d" if iso_dates else "%d/%m/%Y")
            row[i] = new
            rows[r] = tuple(row)
            faults.append(Fault(file, r + 2, cols[i], kind, orig, new))
            break
    return faults


def _overlap(
    rows: list[tuple[str, ...]],
    r: int,
    i_decom: int,
    i_dec: int,
    picked: set[int],
    rng: Generator,
    iso_dates: bool,
) -> str | None:
    """A DECOM for row ``r`` inside the previous episode of the same child, or None.

    The new DECOM stays after the previous DECOM (distinct key, same order) and
    before this row's own DEC, so every row still passes its own checks; the
    previous row must not carry a fault of its own.
    """
    if r == 0 or r - 1 in picked or rows[r - 1][0] != rows[r][0]:
        return None
    prev_start = _parse(rows[r - 1][i_decom], iso_dates)
    prev_end = _parse(rows[r - 1][i_dec], iso_dates)
    start = _parse(rows[r][i_decom], iso_dates)
    if prev_start is None or prev_end is None or start is None or prev_end > start:
        return None
    room = (prev_end - prev_start).days - 1
    if room < 1:
        return None
    new = prev_end - timedelta(days=1 + int(rng.integers(min(room, 30))))
    return new.strftime("%Y-%m-%d" if iso_dates else "%d/%m/%Y")


class CinFaults:
    """``--errors`` for the CIN census: about ``rate`` of children get one faulty value.

    Called by :func:`cscperf.synth.writer_cin.write_cin_xml` with each child's
    lines and its candidate values; the faulty element keeps its line, and the
    fault's ``line`` is its row element's line, as the ingest quarantine reports it.
    """

    def __init__(self, file: str, rate: float, rng: Generator) -> None:
        self.file, self.rate, self.rng = file, rate, rng
        self.faults: list[Fault] = []

    def __call__(self, lines: list[str], slots: list[Slot], first_line: int) -> None:
        rng = self.rng
        if not slots or rng.random() >= self.rate:
            return
        slot = slots[int(rng.integers(len(slots)))]
        if slot.start is not None and rng.random() < 0.6:
            kind, new = "end_before_start", _year_before(date.fromisoformat(slot.start))
        elif slot.start is not None or slot.field in ("dob", "icpc_target"):
            kind, new = "bad_date", _BAD_ISO_DATES[int(rng.integers(len(_BAD_ISO_DATES)))]
        else:
            kind, new = "bad_code", "XX9"
        old = f"<{slot.tag}>{slot.text}</{slot.tag}>"
        assert old in lines[slot.index]
        lines[slot.index] = lines[slot.index].replace(old, f"<{slot.tag}>{new}</{slot.tag}>")
        self.faults.append(
            Fault(
                self.file,
                slot.row_line,
                slot.field,
                kind,
                slot.text,
                new,
                element_line=first_line + slot.index,
                table=slot.table,
            )
        )


def _year_before(d: date) -> str:
    return (d.replace(day=28) if (d.month, d.day) == (2, 29) else d).replace(
        year=d.year - 1
    ).isoformat()
