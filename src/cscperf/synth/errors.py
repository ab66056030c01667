"""Realistic data-quality faults injected into generated CSV rows, with a log.

Each fault is one field of one row: a code not in its list, an end date
before its start, a blank required field, or date text that is not a date.
The log (file, line, field, kind) goes into ``manifest.json`` so that the
ingest quarantine can be compared with known truth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from numpy.random import Generator

from cscperf.store.schema import Table

KINDS = ("bad_code", "end_before_start", "missing_required", "bad_date")
_BAD_DATES = ("31/02/2023", "2023-13-01", "not known", "00/00/0000")


@dataclass(frozen=True)
class Fault:
    file: str
    line: int  # 1-based line in the file; the header is line 1
    field: str  # canonical column name
    kind: str
    original: str
    injected: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


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
    if not options:
        return []
    faults: list[Fault] = []
    n = len(rows)
    picks = sorted(set(int(x) for x in rng.choice(n, size=max(1, round(n * rate)), replace=False)))
    for r in picks:
        row = list(rows[r])
        order = [int(x) for x in rng.permutation(len(options))]
        for k in order:
            kind, i, j = options[k]
            orig = row[i]
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
