-- Children looked after at any time in the period who were away from placement without authorisation
-- (MISSING = 'A') with an incident starting in the period.
-- Cohort (den = 1): children with a non-short-break episode with DECOM on or
-- before the period end and DEC blank or on/after the period start.
-- Numerator: the child has a 'A' incident with MIS_START in the period.
-- event_date: the child's first such incident start in the period.
WITH cohort AS (
    SELECT DISTINCT e.la_code, p.period_id, p.period_start, p.period_end, e.child_id
    FROM cla_episodes_nsb AS e
    JOIN periods AS p
        ON e.decom <= p.period_end
        AND (e.dec IS NULL OR e.dec >= p.period_start)
),
incidents AS (
    SELECT c.la_code, c.period_id, c.child_id, MIN(m.mis_start) AS first_start
    FROM cohort AS c
    JOIN missing AS m
        ON m.la_code = c.la_code
        AND m.child_id = c.child_id
        AND m.mis_start >= c.period_start
        AND m.mis_start <= c.period_end
    WHERE m.missing = 'A'
    GROUP BY c.la_code, c.period_id, c.child_id
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    i.first_start AS event_date,
    CAST(CASE WHEN i.first_start IS NOT NULL THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cohort AS c
LEFT JOIN incidents AS i
    ON i.la_code = c.la_code
    AND i.period_id = c.period_id
    AND i.child_id = c.child_id
