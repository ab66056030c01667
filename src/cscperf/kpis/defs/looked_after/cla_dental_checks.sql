-- Children looked after continuously for 12 months at 31 March whose teeth
-- were checked by a dentist (OC2 TEETH_CHECK = 1). One member per cohort
-- child, num = 1 when TEETH_CHECK is true (blank counts as not checked).
-- Cohort: oc2_cohort (the OC2 rows of the year, cross-checked with episodes).
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.period_end AS event_date,
    CAST(CASE WHEN c.teeth_check THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM oc2_cohort AS c
