-- Children looked after at any time in the period who were away from placement without authorisation
-- (MISSING = 'A') with an incident starting in the period.
-- Cohort (den = 1): children with a non-short-break episode with DECOM on or
-- before the period end and DEC blank or on/after the period start.
-- Numerator: the child has a 'A' incident with MIS_START in the period.
-- event_date: the child's first such incident start in the period.
-- Cohort and incidents come from cla_incidents.
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.first_away AS event_date,
    CAST(CASE WHEN c.first_away IS NOT NULL THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cla_incidents AS c
