-- Children looked after at any time in the period who went missing
-- (MISSING = 'M') with an incident starting in the period.
-- Cohort (den = 1): children with a non-short-break episode with DECOM on or
-- before the period end and DEC blank or on/after the period start.
-- Numerator: the child has a 'M' incident with MIS_START in the period.
-- event_date: the child's first such incident start in the period.
-- The cohort comes from cla_in_period (built once per run); incidents are
-- matched to periods through period_days (an equality join on the date).
WITH incidents AS (
    SELECT m.la_code, pd.period_id, m.child_id, MIN(m.mis_start) AS first_start
    FROM missing AS m
    JOIN period_days AS pd
        ON pd.day = m.mis_start
    WHERE m.missing = 'M'
    GROUP BY m.la_code, pd.period_id, m.child_id
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    i.first_start AS event_date,
    CAST(CASE WHEN i.first_start IS NOT NULL THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cla_in_period AS c
JOIN periods AS p
    ON p.period_id = c.period_id
LEFT JOIN incidents AS i
    ON i.la_code = c.la_code
    AND i.period_id = c.period_id
    AND i.child_id = c.child_id
