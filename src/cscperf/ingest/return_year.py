"""Which return year a file belongs to: one rule, used by every reader and the pipeline.

A return year is the year the reporting year *ends* in (2025 = 1 April 2024 to
31 March 2025). The catalogue's precedence is: ``--year``; the file's own
declaration (a 903 YEAR column, a CIN census ``<Year>``); a year in the file or
folder name; else the 31 March on or after the latest DECOM/DEC of the 903
episodes beside it. A name that suggests two different years is refused rather
than guessed: a wrong year silently breaks "later return wins" and the OC2/OC3
cohorts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "SUPPORTED",
    "ReturnYearError",
    "check_supported",
    "collection_of",
    "decide",
    "names_year",
    "year_after",
    "years_in_name",
]

#: Return years the project can validate, per collection: the 903 code lists
#: (validate/codes_903.py) describe the returns 2013-2026 (they carry no span
#: before 2013, and the 2026-27 guidance is not published); the CIN census code
#: lists are transcribed from the DfE XSDs of the collections 2017-2026
#: (validate/codes_cin.py). A year outside these would be validated against
#: lists that are not its own, so it is refused.
SUPPORTED: dict[str, tuple[int, int]] = {"903": (2013, 2026), "cin": (2017, 2026)}

#: reader format -> collection whose years are checked
_COLLECTIONS = {"ssda903-csv": "903", "ssda903-xml": "903", "cin-xml": "cin"}


class ReturnYearError(ValueError):
    """The return year cannot be decided, or is not supported; the message says what to do."""


# a reporting year written with both ends: 2024-25, 2024_25, 2024/25, 202425, 2024-2025
_SPAN4 = re.compile(r"(?<!\d)(20\d\d)\s?[-_/]?\s?(20\d\d|\d\d)(?!\d)")
# FY24-25, FY2425, fy 24_25 - or a bare 24-25 not inside a date such as 31-03-2025
_SPAN2 = re.compile(r"(?<![\d\-_/])(fy ?)?(\d\d)([-_/]?)(\d\d)(?![\d\-_/])", re.I)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def years_in_name(text: str) -> set[int]:
    """Return years a file or folder name suggests.

    >>> sorted(years_in_name("SSDA903 2024-25")), sorted(years_in_name("903_2025"))
    ([2025], [2025])
    >>> sorted(years_in_name("FY24-25")), sorted(years_in_name("2024 and 2025-26"))
    ([2025], [2024, 2026])
    """
    found: set[int] = set()
    rest = text

    def span4(m: re.Match[str]) -> str:
        a, b = int(m.group(1)), m.group(2)
        follows = int(b) == (a + 1 if len(b) == 4 else (a + 1) % 100)
        if follows:
            found.add(a + 1)
        else:
            return m.group(0)  # not a reporting year: leave it for the single-year rule
        return " "

    def span2(m: re.Match[str]) -> str:
        fy, a, sep, b = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
        # a bare 2425 is too easily something else: only FY2425 or 24-25 count
        if b == (a + 1) % 100 and (fy or sep):
            found.add(2000 + b)
            return " "
        return m.group(0)

    rest = _SPAN4.sub(span4, rest)
    rest = _SPAN2.sub(span2, rest)
    found.update(int(m.group(1)) for m in _YEAR.finditer(rest))
    return found


def names_year(path: Path) -> int | None:
    """The return year the file and folder names agree on; None when they say nothing.

    Raises :class:`ReturnYearError` when they suggest more than one year.
    """
    years = years_in_name(path.stem) | years_in_name(path.parent.name)
    if len(years) > 1:
        shown = " and ".join(str(y) for y in sorted(years))
        raise ReturnYearError(
            f"its name suggests return years {shown} (in {path.parent.name}/{path.name}); "
            "give --year YYYY (the year the reporting year ends, 2025 for 2024-25)"
        )
    return years.pop() if years else None


def year_after(latest: dt.date) -> int:
    """The return year of the 31 March on or after ``latest``."""
    return latest.year + (1 if (latest.month, latest.day) > (3, 31) else 0)


def decide(
    path: Path,
    given: int | None = None,
    declared: int | None = None,
    latest: dt.date | None = None,
) -> int:
    """A file's return year, by the catalogue's precedence (see the module doc).

    ``given`` is ``--year``; ``declared`` the file's own (YEAR column, CIN
    ``<Year>``); ``latest`` the latest DECOM/DEC of the 903 episodes beside it.
    """
    if given is not None:
        return given
    if declared is not None:
        return declared
    named = names_year(path)
    if named is not None:
        return named
    if latest is not None and latest.year >= 1950:
        return year_after(latest)
    raise ReturnYearError(
        "cannot tell which return year this file belongs to; "
        "give --year, or put the year in the file or folder name"
    )


def collection_of(fmt: str) -> str | None:
    """The collection (``903``, ``cin``) whose supported years apply to a reader format."""
    return _COLLECTIONS.get(fmt)


def check_supported(fmt: str, year: int) -> None:
    """Refuse a return year the project has no code lists/schema for."""
    coll = collection_of(fmt)
    if coll is None:
        return
    first, last = SUPPORTED[coll]
    if not first <= year <= last:
        name = {"903": "SSDA903", "cin": "CIN census"}[coll]
        raise ReturnYearError(
            f"return year {year} is not a supported {name} collection "
            f"(supported: {first}-{last}, the years whose code lists are in cscperf)"
        )


def supported_years(collections: Iterable[str]) -> tuple[int, int]:
    """The years supported by every one of ``collections`` (e.g. what synth writes)."""
    spans = [SUPPORTED[c] for c in collections]
    return max(s[0] for s in spans), min(s[1] for s in spans)
