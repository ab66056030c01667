-- Care leavers aged 19-21 the LA is not in touch with (%). Cohort as care_leavers_eet_19_21
-- (OC3 rows of the period's reporting year, 19th-21st birthday in the year, IN_TOUCH not
-- DIED or RHOM); numerator IN_TOUCH = NO with the activity not known (ACTIV blank or 0):
-- the DfE "excludes young people where activity information is known, as a third party
-- provided it", so a NO row with a known ACTIV stays in the cohort but is not counted.
-- Refused (REFU) and no longer requires services (NREQ) are in touch for this purpose,
-- as in the DfE activity tables. Reporting-year periods only.
SELECT
    o.la_code,
    o.period_id,
    o.child_id AS subject_id,
    CAST(NULL AS DATE) AS event_date,
    CAST(CASE
        WHEN o.in_touch = 'NO' AND COALESCE(TRIM(o.activ), '') IN ('', '0') THEN 1
        ELSE 0
    END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM oc3_cohort AS o
WHERE o.age_group = '19-21'
