-- Mean SDQ score of children looked after continuously for 12 months at
-- 31 March, aged 5 to 16 at 31 March, where a score is recorded. Members:
-- cohort children in the age range with SDQ_SCORE not blank; num = the
-- score, den = 1. Age uses the OC2 DOB, else the 903 header DOB.
-- Cohort: oc2_cohort (the OC2 rows of the year, cross-checked with episodes).
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.period_end AS event_date,
    CAST(c.sdq_score AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM oc2_cohort AS c
LEFT JOIN children AS ch
    ON ch.la_code = c.la_code
    AND ch.child_id = c.child_id
WHERE c.sdq_score IS NOT NULL
    AND COALESCE(c.dob, ch.dob) + INTERVAL 5 YEAR <= c.period_end
    AND COALESCE(c.dob, ch.dob) + INTERVAL 17 YEAR > c.period_end
