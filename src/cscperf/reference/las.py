"""The English local authorities: DfE and ONS codes, region, reorganisations, neighbours.

One LA reference, read from two committed files so that nothing at run time
depends on ``../shared``:

- ``data/las.csv``: every current LA (DfE 3-digit code, ONS code, name, region,
  2025 statistical neighbours), built by ``python -m cscperf.synth.build_params``
  from the DfE LA code list and statistical neighbour model;
- ``data/la_changes.csv``: the reorganisations since the 903's first supported
  year (facts from the DfE LA code list and the ONS LTLA/UTLA lookup): an LA that
  ended (``changed`` = the day its successors began, ``successors`` = their DfE
  codes), or a current LA whose ONS code changed (``previous_ons_code``).

Postcodes resolve to today's ONS codes, so a return from Cumbria (909) or
North Yorkshire before 2023 is "in LA" for a placement in Cumberland or in
E06000065: :func:`area_codes` gives every ONS code inside an LA's area. The store
holds the same facts in ``la_reference``, ``la_ons_codes`` and ``la_lookup``
(:func:`install`, store migration 3), which the KPI SQL, population and
benchmarks read.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa

_DIR = Path(__file__).resolve().parent / "data"
_DATA = _DIR / "las.csv"
_CHANGES = _DIR / "la_changes.csv"

__all__ = [
    "LA",
    "all_las",
    "area_codes",
    "check_la_code",
    "ensure_la_reference",
    "get_la",
    "install",
    "is_la_code",
    "load_las",
    "same_la",
    "year_problem",
]


@dataclass(frozen=True)
class LA:
    """One LA; ``statistical_neighbours`` are DfE codes, closest first (2025 model).

    ``ended`` is set for an LA that no longer exists (its ``successors`` took over
    that day); ``previous_ons_code`` and ``changed`` for one whose ONS code changed.
    """

    dfe_code: str
    ons_code: str
    name: str
    region: str
    statistical_neighbours: tuple[str, ...]
    previous_ons_code: str | None = None
    changed: dt.date | None = None
    ended: dt.date | None = None
    successors: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        return self.ended is None

    @property
    def ons_codes(self) -> tuple[str, ...]:
        """Every ONS code this LA has had, newest first."""
        return (self.ons_code, *((self.previous_ons_code,) if self.previous_ons_code else ()))


@lru_cache(maxsize=1)
def _load() -> tuple[LA, ...]:
    """Every LA, current and ended, ordered by DfE code."""
    with _DATA.open(newline="", encoding="utf-8") as f:
        las = {
            r["dfe_code"]: LA(
                dfe_code=r["dfe_code"],
                ons_code=r["ons_code"],
                name=r["name"],
                region=r["region"],
                statistical_neighbours=tuple(r["statistical_neighbours"].split()),
            )
            for r in csv.DictReader(f)
        }
    with _CHANGES.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code, when = r["dfe_code"], dt.date.fromisoformat(r["changed"])
            if r["successors"]:
                las[code] = LA(
                    code, r["ons_code"], r["name"], r["region"], (),
                    changed=when, ended=when, successors=tuple(r["successors"].split()),
                )  # fmt: skip
            else:
                las[code] = replace(
                    las[code],
                    ons_code=r["ons_code"],
                    previous_ons_code=r["previous_ons_code"],
                    changed=when,
                )
    return tuple(las[c] for c in sorted(las))


def load_las() -> list[LA]:
    """Every current English LA, ordered by DfE code."""
    return [la for la in _load() if la.current]


def all_las() -> list[LA]:
    """Every LA a return may come from: current ones and those reorganised away."""
    return list(_load())


@lru_cache(maxsize=1)
def _index() -> dict[str, LA]:
    out: dict[str, LA] = {}
    for la in _load():
        out[la.dfe_code] = la
        for code in la.ons_codes:
            out[code] = la
    return out


def get_la(code: str) -> LA:
    """The LA with DfE code (``"883"``) or any of its ONS codes; KeyError if unknown."""
    try:
        return _index()[str(code).strip()]
    except KeyError:
        raise KeyError(f"unknown LA code {code!r}") from None


def is_la_code(code: str) -> bool:
    """True for the DfE or ONS code of a current or reorganised English LA."""
    return str(code).strip() in _index()


def same_la(a: str, b: str) -> bool:
    """Whether two codes (DfE or ONS, either side of a recoding) name the same LA."""
    try:
        return get_la(a) == get_la(b)
    except KeyError:
        return False


def check_la_code(code: str) -> LA:
    """The LA of a DfE code given by a user (``--la``); ValueError says what is wrong."""
    la = _index().get(str(code).strip())
    if la is None or la.dfe_code != str(code).strip():
        raise ValueError(
            f"--la {code}: not the DfE code of an English LA, current or reorganised "
            "(e.g. 883 for Thurrock)"
        )
    return la


def year_problem(code: str, return_year: int) -> str | None:
    """Why LA ``code`` cannot have a return for ``return_year`` (it did not exist), or None.

    A return year covers 1 April (year - 1) to 31 March (year).
    """
    la = get_la(code)
    starts, ends = dt.date(return_year - 1, 4, 1), dt.date(return_year, 3, 31)
    if la.ended is not None and starts >= la.ended:
        return (
            f"{la.name} ({la.dfe_code}) ended on {la.ended:%d/%m/%Y}; "
            f"its {return_year} returns belong to {', '.join(la.successors)}"
        )
    begun = [p.ended for p in _load() if la.dfe_code in p.successors and p.ended]
    if begun and ends < min(begun):
        began = min(begun)
        return (
            f"{la.name} ({la.dfe_code}) began on {began:%d/%m/%Y}, "
            f"after return year {return_year}"
        )
    return None


def area_codes(dfe_code: str) -> dict[str, bool]:
    """ONS code -> whether that area lies wholly inside the LA's area.

    An LA's own codes are wholly inside; so is a successor that came from this LA
    alone (Cumberland for Cumbria). A successor formed from several LAs (BCP from
    Bournemouth, Poole and part of Dorset) only overlaps: ``False``, so a placement
    there cannot be called in or out of the old LA.
    """
    la = get_la(dfe_code)
    out = dict.fromkeys(la.ons_codes, True)
    for code in la.successors:
        succ = get_la(code)
        whole = sum(code in p.successors for p in _load()) == 1
        for ons in succ.ons_codes:
            out.setdefault(ons, whole)
    return out


# --- the store's copy ------------------------------------------------------------

LAS_DDL = """
CREATE TABLE IF NOT EXISTS la_reference (
    la_code VARCHAR, name VARCHAR, region VARCHAR, ons_code VARCHAR,
    previous_ons_code VARCHAR, changed DATE, ended DATE, successors VARCHAR[]
)"""
#: every ONS code inside (whole) or overlapping an LA's area, derived from ``la_reference``
LA_ONS_CODES_VIEW = """
CREATE OR REPLACE VIEW la_ons_codes AS
WITH own AS (
    SELECT la_code, ons_code FROM la_reference
    UNION SELECT la_code, previous_ons_code FROM la_reference WHERE previous_ons_code IS NOT NULL
),
succ AS (
    SELECT p.la_code, s.la_code AS successor,
           count(*) OVER (PARTITION BY s.la_code) = 1 AS whole
    FROM la_reference AS p, unnest(p.successors) AS u(code)
    JOIN la_reference AS s ON s.la_code = u.code
)
SELECT la_code, ons_code, TRUE AS whole FROM own
UNION ALL
SELECT s.la_code, o.ons_code, s.whole
FROM succ AS s JOIN own AS o ON o.la_code = s.successor
WHERE NOT EXISTS (
    SELECT 1 FROM own AS mine WHERE mine.la_code = s.la_code AND mine.ons_code = o.ons_code
)"""
#: one row per LA code with its current ONS code, as the KPI SQL has always read it
LA_LOOKUP_VIEW = (
    "CREATE OR REPLACE VIEW la_lookup AS SELECT la_code, ons_code, name, region FROM la_reference"
)


def _rows() -> pa.Table:
    las = all_las()
    return pa.table(
        {
            "la_code": [la.dfe_code for la in las],
            "name": [la.name for la in las],
            "region": [la.region for la in las],
            "ons_code": [la.ons_code for la in las],
            "previous_ons_code": pa.array([la.previous_ons_code for la in las], pa.string()),
            "changed": pa.array([la.changed for la in las], pa.date32()),
            "ended": pa.array([la.ended for la in las], pa.date32()),
            "successors": pa.array([list(la.successors) for la in las], pa.list_(pa.string())),
        }
    )


def ensure_la_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Make sure ``la_reference`` exists: a store has it (migration 3); any other
    connection (a test, a scratch database) gets it created and filled here."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'la_reference'"
    ).fetchone()
    if not row or not row[0]:
        install(con)


def install(con: duckdb.DuckDBPyConnection, refill: bool = True) -> None:
    """Create ``la_reference`` and its views; ``refill`` replaces its rows by the packaged list."""
    con.execute(LAS_DDL)
    con.execute(LA_ONS_CODES_VIEW)
    con.execute(LA_LOOKUP_VIEW)
    if not refill:
        return
    con.register("_las_rows", _rows())
    try:
        con.execute("DELETE FROM la_reference")
        con.execute("INSERT INTO la_reference SELECT * FROM _las_rows")
    finally:
        con.unregister("_las_rows")
