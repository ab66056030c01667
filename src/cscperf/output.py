"""Printing result sets as an aligned table, CSV or JSON (shared by CLI commands)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from collections.abc import Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(v: object) -> object:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v


def safe_cell(v: object) -> object:
    """Neutralise spreadsheet formulas in text destined for CSV/Excel users."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def render(cols: Sequence[str], rows: Sequence[Sequence[object]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(cols, map(_plain, r), strict=True)) for r in rows], indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if v is None else safe_cell(_plain(v)) for v in r])
        return buf.getvalue().rstrip("\n")
    text = [[("" if v is None else str(_plain(v))) for v in r] for r in rows]
    widths = [len(c) for c in cols]
    for r in text:
        widths = [max(w, len(v)) for w, v in zip(widths, r, strict=True)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in text]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
