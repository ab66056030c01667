-- Children looked after at any time in the period who were away from placement without authorisation
-- (MISSING = 'A') with an incident during the period: one starting in it or
-- still open at its start (MIS_START <= period end and (MIS_END blank or
-- MIS_END >= period start)), as the DfE counts children missing at 1 April.
-- Cohort (den = 1): children with a non-short-break episode with DECOM on or
-- before the period end and DEC blank or on/after the period start.
-- Numerator: the child has such a 'A' incident.
-- event_date: the earliest start of such an incident (before the period start
-- for one carried over).
-- Cohort and incidents come from cla_incidents.
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.first_away AS event_date,
    CAST(CASE WHEN c.first_away IS NOT NULL THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cla_incidents AS c
