-- Care leavers aged 19-21 in suitable accommodation (%). Cohort as care_leavers_eet_19_21
-- (OC3 rows of the period's reporting year, 19th-21st birthday in the year, IN_TOUCH not
-- DIED or RHOM), also excluding ACCOM beginning G (gone abroad), H (deported) or R
-- (residence not known). Numerator: ACCOM ending in 1 (suitable). A blank ACCOM stays in
-- the cohort and is not suitable. Reporting-year periods only.
SELECT
    o.la_code,
    o.period_id,
    o.child_id AS subject_id,
    CAST(NULL AS DATE) AS event_date,
    CAST(CASE WHEN o.accom LIKE '%1' THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM oc3_cohort AS o
WHERE o.age_group = '19-21'
    AND (o.accom IS NULL OR NOT (o.accom LIKE 'G%' OR o.accom LIKE 'H%' OR o.accom LIKE 'R%'))
