"""Set-based validation of staged rows, generated from the schema registry.

Staged rows are raw text. One SELECT per table types every column and builds,
per row, the list of problems (field, value, reason); rows with an empty list
are loaded, the rest quarantined. Doing this in SQL keeps validation at the
speed of DuckDB's own scan whatever the file format.
"""

from __future__ import annotations

from cscperf.store.schema import Col, Table
from cscperf.validate.codes import CODE_LISTS, codes_for

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
MIN_DATE, MAX_DATE = "1900-01-01", "2100-12-31"
POSTCODE_RE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
TRUE_WORDS = ("1", "true", "y", "yes")
FALSE_WORDS = ("0", "false", "n", "no")


def q(text: str) -> str:
    """Quote a string literal for SQL."""
    return "'" + text.replace("'", "''") + "'"


def raw(col: str) -> str:
    return f"NULLIF(trim(r_{col}), '')"


def typed_expr(col: Col) -> str:
    """Expression converting the raw text of ``col`` to its canonical type."""
    v = raw(col.name)
    if col.kind == "date":
        parsed = ", ".join(f"TRY_STRPTIME({v}, {q(f)})" for f in DATE_FORMATS)
        return f"CAST(COALESCE({parsed}) AS DATE)"
    if col.kind == "int":
        return f"TRY_CAST({v} AS BIGINT)"
    if col.kind == "num":
        return f"TRY_CAST({v} AS DOUBLE)"
    if col.kind == "bool":
        trues = ", ".join(q(w) for w in TRUE_WORDS)
        falses = ", ".join(q(w) for w in FALSE_WORDS)
        return (
            f"CASE WHEN lower({v}) IN ({trues}) THEN TRUE "
            f"WHEN lower({v}) IN ({falses}) THEN FALSE END"
        )
    if col.kind == "postcode":
        return f"upper({v})"
    return v


def _code_check(col: Col, years: list[int]) -> str:
    """SQL true when the code is NOT valid for the row's return year."""
    assert col.codes is not None
    v = raw(col.name)
    if col.codes not in CODE_LISTS:
        raise KeyError(f"code list {col.codes!r} (column {col.name}) is not defined")
    branches = []
    distinct = {y: codes_for(col.codes, y) for y in years}
    if len(set(distinct.values())) <= 1:
        codes = next(iter(distinct.values())) if distinct else frozenset()
        return f"{v} NOT IN ({', '.join(q(c) for c in sorted(codes)) or 'NULL'})"
    for year, codes in distinct.items():
        listed = ", ".join(q(c) for c in sorted(codes)) or "NULL"
        branches.append(f"WHEN return_year = {year} THEN {v} NOT IN ({listed})")
    return f"CASE {' '.join(branches)} ELSE TRUE END"


def problems(col: Col, years: list[int]) -> list[tuple[str, str]]:
    """(condition true when wrong, reason SQL expression) pairs for ``col``."""
    v = raw(col.name)
    t = f"t_{col.name}"
    out: list[tuple[str, str]] = []
    if col.required:
        out.append((f"{v} IS NULL", q("required field is blank")))
    if col.kind == "date":
        out.append(
            (
                f"{v} IS NOT NULL AND {t} IS NULL",
                q("not a date (expected dd/mm/yyyy or yyyy-mm-dd)"),
            )
        )
        out.append(
            (
                f"{t} NOT BETWEEN DATE {q(MIN_DATE)} AND DATE {q(MAX_DATE)}",
                q(f"date outside {MIN_DATE[:4]}-{MAX_DATE[:4]}"),
            )
        )
    elif col.kind in ("int", "num"):
        word = "a whole number" if col.kind == "int" else "a number"
        out.append((f"{v} IS NOT NULL AND {t} IS NULL", q(f"not {word}")))
        if col.min is not None:
            out.append((f"{t} < {col.min}", q(f"less than {col.min:g}")))
        if col.max is not None:
            out.append((f"{t} > {col.max}", q(f"more than {col.max:g}")))
    elif col.kind == "bool":
        out.append((f"{v} IS NOT NULL AND {t} IS NULL", q("not a yes/no value (1/0, true/false)")))
    elif col.kind == "postcode":
        out.append((f"NOT regexp_full_match({t}, {q(POSTCODE_RE)})", q("not a UK postcode")))
    if col.kind == "code" and col.codes:
        reason = (
            f"'''' || {v} || ''' is not a valid {col.codes} code for return year '"
            " || CAST(return_year AS VARCHAR)"
        )
        out.append((f"{v} IS NOT NULL AND ({_code_check(col, years)})", reason))
    return out


def validation_sql(table: Table, staged: str, years: list[int]) -> str:
    """SELECT over ``staged`` giving typed columns plus ``_problems``.

    ``staged`` has columns ``r_<col>`` (raw text), ``la_code``, ``return_year``,
    ``source_file``, ``source_line``, ``file_no``. ``_problems`` is a list of
    ``{field, value, reason}`` structs for rows where ``_bad``; ``_rid`` identifies
    the staged row.
    """
    typed = ",\n  ".join(f"{typed_expr(c)} AS t_{c.name}" for c in table.columns)
    # _problems is built only for bad rows (CASE evaluates its branch on those alone),
    # so validating a clean file costs little more than typing it.
    raws = ", ".join(f"r_{c.name}" for c in table.columns)
    items: list[str] = []
    conds: list[str] = []
    for c in table.columns:
        for cond, reason in problems(c, years):
            conds.append(f"coalesce({cond}, FALSE)")
            items.append(
                f"CASE WHEN coalesce({cond}, FALSE) THEN "
                f"{{'field': {q(c.name)}, 'value': r_{c.name}, 'reason': {reason}}} END"
            )
    for chk in table.checks:
        cond = chk.sql
        for c in table.columns:
            cond = _rename(cond, c.name)
        conds.append(f"coalesce({cond}, FALSE)")
        reason = q(chk.reason)
        if chk.other:
            reason = (
                f"{q(chk.reason + ' (')} || CAST(t_{chk.field} AS VARCHAR) || ' < ' || "
                f"CAST(t_{chk.other} AS VARCHAR) || ')'"
            )
        items.append(
            f"CASE WHEN coalesce({cond}, FALSE) THEN "
            f"{{'field': {q(chk.field)}, 'value': r_{chk.field}, 'reason': {reason}}} END"
        )
    plist = ",\n    ".join(items) if items else "NULL"
    bad = " OR ".join(conds) if conds else "FALSE"
    cols = ", ".join(f"t_{c.name} AS {c.name}" for c in table.columns)
    return f"""
WITH typed AS (
  SELECT la_code, return_year, source_file, source_line, file_no, _rid, {raws},
  {typed}
  FROM {staged}
)
SELECT la_code, return_year, source_file, source_line, file_no, _rid, {cols}, _bad,
  CASE WHEN _bad THEN list_filter([
    {plist}
  ], lambda x: x IS NOT NULL) END AS _problems
FROM (SELECT *, {bad} AS _bad FROM typed)"""


def _rename(expr: str, name: str) -> str:
    """Point a check's bare column names at the typed columns."""
    import re

    return re.sub(rf"(?<![\w.]){name}(?!\w)", f"t_{name}", expr)
