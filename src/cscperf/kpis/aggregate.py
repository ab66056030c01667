"""SQL that turns a KPI's member rows into ``kpi_values`` rows.

Kept apart from the engine so the aggregation rules of the contract
(``docs/kpi-contract.md``) live in one readable place. Inputs, all in the
connection: ``kpi_members`` (the KPI's members), ``_grid`` (every LA × period
to report), ``_nodata`` (LAs with no rows in a required table), ``population``
and, for breakdowns, :data:`MEMBER_ATTRIBUTES`.
"""

from __future__ import annotations

from collections.abc import Sequence

from cscperf.kpis.catalogue import Kpi

#: the ``child_attributes`` of the KPI's members, materialised once per KPI by the engine
MEMBER_ATTRIBUTES = "_member_attributes"

#: reporting year end Y of a date (2025 for 2024-04-01..2025-03-31); portable SQL
_RY_END = "(EXTRACT(YEAR FROM {d}) + CASE WHEN EXTRACT(MONTH FROM {d}) >= 4 THEN 1 ELSE 0 END)"


def population_sql() -> str:
    """Population for each grid row: mid-(Y-1), else the latest earlier estimate."""
    target = f"{_RY_END.format(d='g.period_end')} - 1"
    return f"""
    SELECT g.la_code, g.period_id, pop.year AS pop_year, pop.age_0_17 AS pop,
           {target} AS target_year
    FROM _grid g
    LEFT JOIN (
        SELECT g2.la_code, g2.period_id, MAX(p.year) AS year
        FROM _grid g2
        JOIN population p ON p.la_code = g2.la_code
            AND p.year <= {target.replace("g.", "g2.")} AND p.age_0_17 IS NOT NULL
        GROUP BY g2.la_code, g2.period_id
    ) best ON best.la_code = g.la_code AND best.period_id = g.period_id
    LEFT JOIN population pop ON pop.la_code = g.la_code AND pop.year = best.year
    """


def _value_sql(kpi: Kpi) -> str:
    agg = kpi.aggregate
    if agg == "count":
        return "COALESCE(a.n, 0)"
    if agg == "percent":
        return "CASE WHEN a.d <> 0 THEN 100.0 * a.n / a.d END"
    if agg in ("ratio", "mean"):
        return "CASE WHEN a.d <> 0 THEN a.n / a.d END"
    if agg == "median":
        return "CASE WHEN a.d <> 0 THEN a.med END"
    if agg == "rate_per_10k":
        return "CASE WHEN pp.pop > 0 THEN COALESCE(a.n, 0) * 10000.0 / pp.pop END"
    raise ValueError(f"{kpi.id}: unknown aggregate {agg}")


def _aggregates(kpi: Kpi, prefix: str = "") -> str:
    """SUMs of a group of members; the (costly, holistic) median only when used."""
    med = f"MEDIAN({prefix}num)" if kpi.aggregate == "median" else "CAST(NULL AS DOUBLE)"
    return (
        f"SUM({prefix}num) AS n, SUM({prefix}den) AS d, {med} AS med, "
        f"SUM({prefix}covered) AS cov"
    )


def _coverage(kpi: Kpi, value: str, flag: str) -> tuple[str, str]:
    """``value`` and ``flag`` SQL with the KPI's coverage rule applied: when no member
    of the group is covered (e.g. no placement postcode resolves) the value is
    unknown, not 0, and carries ``coverage_flag``; a zero denominator says so first."""
    if not kpi.coverage_flag:
        return value, flag
    text = kpi.coverage_flag.replace("'", "''")
    return (
        f"CASE WHEN COALESCE(a.cov, 0) > 0 THEN {value} END",
        f"CASE WHEN COALESCE(a.d, 0) <> 0 AND COALESCE(a.cov, 0) = 0 THEN '{text}' "
        f"ELSE {flag} END",
    )


def all_rows_sql(kpi: Kpi) -> str:
    """One row per grid cell (LA × period) for the ``all`` breakdown."""
    rate = kpi.aggregate == "rate_per_10k"
    value = _value_sql(kpi)
    if rate:
        den = "CAST(pp.pop AS DOUBLE)"
        null_flag = "WHEN pp.pop IS NULL OR pp.pop <= 0 THEN 'no population'"
        note = (
            "CASE WHEN pp.pop_year < pp.target_year "
            "THEN 'population estimate from ' || CAST(pp.pop_year AS VARCHAR) END"
        )
        if kpi.rate_window == "r12":
            note = (
                "NULLIF(CONCAT_WS('; ', CASE WHEN g.period_start <> g.r12_start "
                f"THEN 'numerator over R12' END, {note}), '')"
            )
        pop_join = "LEFT JOIN _pop pp ON pp.la_code = g.la_code AND pp.period_id = g.period_id"
    else:
        den = "COALESCE(a.d, 0)" if kpi.aggregate != "count" else "CAST(NULL AS DOUBLE)"
        null_flag = "WHEN COALESCE(a.d, 0) = 0 THEN 'denominator 0'"
        if kpi.aggregate == "count":
            null_flag = "WHEN FALSE THEN NULL"
        note = "CAST(NULL AS VARCHAR)"
        pop_join = ""
    flag = f"CASE WHEN nd.la_code IS NOT NULL THEN 'no data' {null_flag} ELSE {note} END"
    if kpi.coverage_flag:
        value, flag = _coverage(kpi, value, flag)
        flag = f"CASE WHEN nd.la_code IS NOT NULL THEN 'no data' ELSE {flag} END"
    return f"""
    SELECT '{kpi.id}' AS kpi_id, g.la_code, g.period_type, g.period_start, g.period_end,
           'all' AS breakdown, 'all' AS breakdown_value,
           CASE WHEN nd.la_code IS NULL THEN COALESCE(a.n, 0) END AS numerator,
           CASE WHEN nd.la_code IS NULL THEN {den} END AS denominator,
           CASE WHEN nd.la_code IS NULL THEN {value} END AS value,
           {flag} AS flag
    FROM _grid g
    LEFT JOIN (
        SELECT la_code, period_id, {_aggregates(kpi)}
        FROM kpi_members GROUP BY la_code, period_id
    ) a ON a.la_code = g.la_code AND a.period_id = g.period_id
    LEFT JOIN _nodata nd ON nd.la_code = g.la_code
    {pop_join}
    WHERE g.period_id IN (SELECT period_id FROM periods)
    """


def breakdown_rows_sql(kpi: Kpi, breakdowns: Sequence[str]) -> str:
    """Rows per breakdown and value present among the members (LAs with data only).

    One join of the members to their attributes and one GROUP BY for every
    breakdown at once: each member is counted once per breakdown, under its value.
    A rate has no population per breakdown value, so rate breakdowns carry the
    count as numerator and a NULL value flagged ``no population for breakdown``.
    """
    if kpi.aggregate == "rate_per_10k":
        den, value = "CAST(NULL AS DOUBLE)", "CAST(NULL AS DOUBLE)"
        flag = "'no population for breakdown'"
    else:
        den = "CAST(NULL AS DOUBLE)" if kpi.aggregate == "count" else "COALESCE(a.d, 0)"
        value = _value_sql(kpi)
        flag = (
            "CAST(NULL AS VARCHAR)"
            if kpi.aggregate == "count"
            else "CASE WHEN COALESCE(a.d, 0) = 0 THEN 'denominator 0' END"
        )
        value, flag = _coverage(kpi, value, flag)
    names = " UNION ALL ".join(f"SELECT '{b}' AS breakdown" for b in breakdowns)
    pick = " ".join(f"WHEN '{b}' THEN CAST(ca.{b} AS VARCHAR)" for b in breakdowns)
    bv = f"COALESCE(CASE b.breakdown {pick} END, 'unknown')"
    return f"""
    SELECT '{kpi.id}' AS kpi_id, g.la_code, g.period_type, g.period_start, g.period_end,
           a.breakdown, a.bv AS breakdown_value,
           COALESCE(a.n, 0) AS numerator, {den} AS denominator, {value} AS value, {flag} AS flag
    FROM (
        SELECT m.la_code, m.period_id, b.breakdown, {bv} AS bv, {_aggregates(kpi, "m.")}
        FROM kpi_members m
        CROSS JOIN ({names}) b
        LEFT JOIN {MEMBER_ATTRIBUTES} ca ON ca.la_code = m.la_code
            AND ca.period_id = m.period_id AND ca.subject_id = m.subject_id
        GROUP BY m.la_code, m.period_id, b.breakdown, {bv}
    ) a
    JOIN _grid g ON g.la_code = a.la_code AND g.period_id = a.period_id
    WHERE g.la_code NOT IN (SELECT la_code FROM _nodata)
    """
