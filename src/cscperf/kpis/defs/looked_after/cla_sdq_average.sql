-- Mean SDQ score of children looked after continuously for 12 months at
-- 31 March, aged 5 to 16 at 31 March, where a score is recorded. Members:
-- cohort children in the age range with SDQ_SCORE not blank; num = the
-- score, den = 1. Age uses the OC2 DOB, else the 903 header DOB.
-- Cohort: the OC2 rows the LA returned for the reporting year ending at the
-- period end (return_year = year of the 31 March period end; reporting-year
-- periods only). Cross-check with episodes where present: a child who has any
-- non-short-break episode in the store must also be looked after at d in a
-- period of care that started on or before d - 12 months; a child with no
-- episodes at all is kept as returned.
WITH oc AS (
    SELECT o.*, p.period_id, p.period_end
    FROM oc2 AS o
    JOIN periods AS p
        ON p.period_type = 'year'
        AND o.return_year = EXTRACT(YEAR FROM p.period_end)
),
cohort AS (
    SELECT oc.*
    FROM oc
    WHERE NOT EXISTS (
        SELECT 1 FROM cla_episodes_nsb AS e
        WHERE e.la_code = oc.la_code AND e.child_id = oc.child_id
    )
    OR EXISTS (
        SELECT 1 FROM cla_periods_of_care AS e
        WHERE e.la_code = oc.la_code
            AND e.child_id = oc.child_id
            AND e.decom <= oc.period_end
            AND (e.dec IS NULL OR e.dec > oc.period_end)
            AND e.poc_start <= oc.period_end - INTERVAL 12 MONTH
    )
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.period_end AS event_date,
    CAST(c.sdq_score AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cohort AS c
LEFT JOIN children AS ch
    ON ch.la_code = c.la_code
    AND ch.child_id = c.child_id
WHERE c.sdq_score IS NOT NULL
    AND COALESCE(c.dob, ch.dob) + INTERVAL 5 YEAR <= c.period_end
    AND COALESCE(c.dob, ch.dob) + INTERVAL 17 YEAR > c.period_end
