"""Set-based validation of staged rows, generated from the schema registry.

Staged rows are raw text. One SELECT per table types every column and flags,
per row, whether anything is wrong (``_bad``); for the few bad rows it also
builds the list of problems (field, value, reason). Doing this in SQL keeps
validation at the speed of DuckDB's own scan whatever the file format.

The SELECT is layered so that DuckDB computes each value once: raw text is
trimmed once (``v_<col>``), typed once (``t_<col>``), and every check reads
those columns. Trimming is the costly part of a scan of short strings, so it
is only done where it can change something (see :func:`clean`).
"""

from __future__ import annotations

import re

from cscperf.store.schema import Col, Table
from cscperf.validate.codes import CODE_LISTS, codes_for

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
MIN_DATE, MAX_DATE = "1900-01-01", "2100-12-31"
POSTCODE_RE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
TRUE_WORDS = ("1", "true", "y", "yes")
FALSE_WORDS = ("0", "false", "n", "no")

#: columns a validated row carries besides its typed values
PASS_THROUGH = ("file_no", "_seq", "source_line", "return_year")


def q(text: str) -> str:
    """Quote a string literal for SQL."""
    return "'" + text.replace("'", "''") + "'"


def clean(expr: str) -> str:
    """``NULLIF(trim(expr), '')``, computed cheaply.

    DuckDB's ``trim`` strips Unicode space separators (not tabs or newlines);
    the only ASCII one is ' '. So a value that neither starts nor ends with ' '
    and is pure ASCII (byte length = character length) is already trimmed, and
    the costly ``trim`` runs only on the rest.
    """
    return (
        f"CASE WHEN prefix({expr}, ' ') OR suffix({expr}, ' ') OR strlen({expr}) <> length({expr})"
        f" THEN NULLIF(trim({expr}), '') ELSE NULLIF({expr}, '') END"
    )


def typed_from(col: Col, v: str) -> str:
    """Expression converting the cleaned text ``v`` of ``col`` to its canonical type."""
    if col.kind == "date":
        # Only a dd/mm/yyyy date has a '/', so pick the one format that can match:
        # a TRY_STRPTIME that fails costs ten times one that succeeds.
        day_first, iso = (f"TRY_STRPTIME({v}, {q(f)})" for f in DATE_FORMATS)
        return f"CAST(CASE WHEN contains({v}, '/') THEN {day_first} ELSE {iso} END AS DATE)"
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


def typed_expr(col: Col) -> str:
    """The typed value of ``col`` straight from its raw column ``r_<col>``."""
    return typed_from(col, clean(f"r_{col.name}"))


def _needs_typing(col: Col) -> bool:
    return col.kind not in ("text", "code")


def _t(col: Col) -> str:
    """The column holding the typed value of ``col`` inside the validation SELECT."""
    return f"t_{col.name}" if _needs_typing(col) else f"v_{col.name}"


def _code_check(col: Col, years: list[int]) -> str:
    """SQL true when the code is NOT valid for the row's return year."""
    assert col.codes is not None
    v = f"v_{col.name}"
    if col.codes not in CODE_LISTS:
        raise KeyError(f"code list {col.codes!r} (column {col.name}) is not defined")
    branches = []
    distinct = {y: codes_for(col.codes, y) for y in years}
    if len(set(distinct.values())) <= 1:
        codes = next(iter(distinct.values())) if distinct else frozenset()
        return _not_listed(v, codes)
    for year, codes in distinct.items():
        branches.append(f"WHEN return_year = {year} THEN {_not_listed(v, codes)}")
    return f"CASE {' '.join(branches)} ELSE TRUE END"


def _not_listed(v: str, codes: frozenset[str]) -> str:
    """True when ``v`` is not one of ``codes``; a list lookup, not ``NOT IN``, which
    DuckDB plans as a hash join per column that every other column is carried through."""
    return f"NOT list_contains([{', '.join(q(c) for c in sorted(codes))}]::VARCHAR[], {v})"


def problems(col: Col, years: list[int]) -> list[tuple[str, str]]:
    """(condition true when wrong, reason SQL expression) pairs for ``col``.

    Conditions read ``v_<col>`` (trimmed text, NULL when blank) and the typed value.
    """
    v = f"v_{col.name}"
    t = _t(col)
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
        out.append((f"{t} < DATE {q(MIN_DATE)}", q(f"date before {MIN_DATE[:4]}")))
        out.append((f"{t} > DATE {q(MAX_DATE)}", q(f"date after {MAX_DATE[:4]}")))
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


def year_end_problems(table: Table, col: Col) -> list[tuple[str, str]]:
    """Dates of a 903/CIN row that cannot be true, as (condition, reason) pairs.

    A return describes the reporting year ending 31 March of its return year:
    rows legitimately carry earlier dates (a child's history), but none after
    that day, except the few that are targets or forecasts (``Col.future_ok``).
    Nothing happens to a child before its birth, so a date before the row's own
    ``dob`` is wrong too (a CIN referral may precede birth: CIN rows carry no dob).
    """
    if not table.reporting_year or col.kind != "date":
        return []
    t = _t(col)
    out: list[tuple[str, str]] = []
    if not col.future_ok:
        out.append(
            (
                f"{t} > make_date(return_year, 3, 31)",
                "'date after the end of the return''s reporting year (31/03/' "
                "|| CAST(return_year AS VARCHAR) || ')'",
            )
        )
    if col.name not in ("dob", "expected_dob") and "dob" in table.column_names:
        dob = _t(table.col("dob"))
        out.append(
            (
                f"{t} < {dob}",
                f"{q('before the child' + chr(39) + 's date of birth (')} || CAST({t} AS VARCHAR) "
                f"|| ' < ' || CAST({dob} AS VARCHAR) || ')'",
            )
        )
    return out


def _checks(table: Table, years: list[int]) -> list[tuple[str, str, str]]:
    """(field, condition true when wrong, reason expression), in quarantine order."""
    out: list[tuple[str, str, str]] = []
    for c in table.columns:
        out.extend((c.name, cond, reason) for cond, reason in problems(c, years))
    for c in table.columns:
        out.extend((c.name, cond, reason) for cond, reason in year_end_problems(table, c))
    for chk in table.checks:
        cond = chk.sql
        for c in table.columns:
            cond = _rename(cond, c.name, _t(c))
        reason = q(chk.reason)
        if chk.other:
            end, start = _t(table.col(chk.field)), _t(table.col(chk.other))
            reason = (
                f"{q(chk.reason + ' (')} || CAST({end} AS VARCHAR) || ' < ' || "
                f"CAST({start} AS VARCHAR) || ')'"
            )
        out.append((chk.field, cond, reason))
    return out


def validation_sql(table: Table, source: str, years: list[int], problems_list: bool = True) -> str:
    """SELECT over ``source`` giving typed columns plus ``_bad`` (and ``_problems``).

    ``source`` has columns ``r_<col>`` (raw text) and :data:`PASS_THROUGH`. The
    result has the pass-through columns, every column of ``table`` typed under
    its canonical name, ``_bad`` and, unless ``problems_list`` is false,
    ``_problems``: a list of ``{field, value, reason}`` structs, built for bad
    rows only (CASE evaluates its branch on those alone), so validating a clean
    file costs little more than typing it. ``value`` is the raw text as read.
    """
    keep = ", ".join(PASS_THROUGH)
    raws = ", ".join(f"r_{c.name}" for c in table.columns)
    cleaned = ",\n    ".join(f"{clean(f'r_{c.name}')} AS v_{c.name}" for c in table.columns)
    typed = "".join(
        f",\n    {typed_from(c, f'v_{c.name}')} AS t_{c.name}"
        for c in table.columns
        if _needs_typing(c)
    )
    checks = _checks(table, years)
    # each check is computed once, as a column, and read by both _bad and _problems
    flags = "".join(
        f",\n    coalesce({cond}, FALSE) AS _e{i}" for i, (_, cond, _) in enumerate(checks)
    )
    bad = " OR ".join(f"_e{i}" for i in range(len(checks))) or "FALSE"
    out_cols = ", ".join(f"{_t(c)} AS {c.name}" for c in table.columns)
    problems_col = ""
    if problems_list:
        items = ",\n    ".join(
            f"CASE WHEN _e{i} THEN "
            f"{{'field': {q(field)}, 'value': r_{field}, 'reason': {reason}}} END"
            for i, (field, _, reason) in enumerate(checks)
        )
        problems_col = (
            f",\n  CASE WHEN _bad THEN list_filter([\n    {items or 'NULL'}\n  ], "
            "lambda x: x IS NOT NULL) END AS _problems"
        )
    return f"""
SELECT {keep}, {out_cols}, _bad{problems_col}
FROM (
  SELECT *, {bad} AS _bad
  FROM (
    SELECT *{flags}
    FROM (
      SELECT *{typed}
      FROM (
        SELECT {keep}, {raws},
      {cleaned}
        FROM {source}
      )
    )
  )
)"""


def _rename(expr: str, name: str, to: str) -> str:
    """Point a check's bare column names at the typed columns."""
    return re.sub(rf"(?<![\w.]){name}(?!\w)", to, expr)
