-- cla_incidents: each child looked after at any time in each period of the KPI,
-- with the first missing (903 MISSING = 'M') and first away-without-authorisation
-- (MISSING = 'A') incident during the period, if any.
--
-- Why: cla_missing_children and away_children are the same measure over the two
-- incident kinds.
--
-- Cohort: cla_in_period (a non-short-break episode with DECOM on or before the
-- period end and DEC blank or on/after the period start; built once per run).
-- An incident is during the period when it starts in it or is still open at its
-- start: MIS_START <= period end and (MIS_END blank or MIS_END >= period start).
-- The DfE "includes children who were missing ... at 1 April, carried over from
-- previous years". first_missing / first_away are the earliest such MIS_START
-- (before the period start for a carried-over incident).
-- Columns: la_code, period_id, child_id, first_missing, first_away (NULL: none).
WITH incidents AS (
    SELECT
        m.la_code,
        p.period_id,
        m.child_id,
        MIN(CASE WHEN m.missing = 'M' THEN m.mis_start END) AS first_missing,
        MIN(CASE WHEN m.missing = 'A' THEN m.mis_start END) AS first_away
    FROM missing AS m
    JOIN periods AS p
        ON m.mis_start <= p.period_end
        AND COALESCE(m.mis_end, DATE '9999-12-31') >= p.period_start
    WHERE m.missing IN ('M', 'A')
    GROUP BY m.la_code, p.period_id, m.child_id
)
SELECT c.la_code, c.period_id, c.child_id, i.first_missing, i.first_away
FROM cla_in_period AS c
JOIN periods AS p
    ON p.period_id = c.period_id
LEFT JOIN incidents AS i
    ON i.la_code = c.la_code
    AND i.period_id = c.period_id
    AND i.child_id = c.child_id
