-- Care leavers aged 19-21 in education, employment or training (%). Cohort: OC3 rows of the
-- return for the period's reporting year (OC3 is never merged across years) whose 19th, 20th
-- or 21st birthday falls in that year, i.e. dob in [start - 21 years, start - 18 years)
-- where start is 1 April, excluding IN_TOUCH DIED and RHOM. Numerator: ACTIV beginning F
-- or P (full- or part-time education, employment or training). Not in touch, refused and
-- no-longer-requires stay in the cohort. Reporting-year periods only.
SELECT
    o.la_code,
    o.period_id,
    o.child_id AS subject_id,
    CAST(NULL AS DATE) AS event_date,
    CAST(CASE WHEN o.activ LIKE 'F%' OR o.activ LIKE 'P%' THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM oc3_cohort AS o
WHERE o.age_group = '19-21'
