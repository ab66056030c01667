-- Children looked after continuously for 12 months at 31 March whose health
-- assessments are up to date (OC2 HEALTH_CHECK = 1). One member per cohort
-- child, num = 1 when HEALTH_CHECK is true (blank counts as not up to date).
-- Cohort: oc2_cohort (the OC2 rows of the year, cross-checked with episodes).
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.period_end AS event_date,
    CAST(CASE WHEN c.health_check THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM oc2_cohort AS c
