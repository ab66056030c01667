-- Assessments within 45 working days: of assessments authorised in the period,
-- those with wd(start, authorised) <= 45, working days counted through the
-- calendar once per assessment. A start date before the calendar begins (1990)
-- cannot be within 45 WD of an authorisation in the period, so it counts as late
-- rather than vanishing.
WITH timed AS (
    SELECT
        a.la_code,
        a.child_id,
        a.authorisation_date,
        CASE
            WHEN cb.working_day_number - cs.working_day_number <= 45 THEN 1
            ELSE 0
        END AS within_45
    FROM assessments AS a
    JOIN calendar AS cb
        ON cb.date = a.authorisation_date
    LEFT JOIN calendar AS cs
        ON cs.date = a.start_date
)
SELECT
    t.la_code,
    pd.period_id,
    t.child_id AS subject_id,
    t.authorisation_date AS event_date,
    CAST(t.within_45 AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM timed AS t
JOIN period_days AS pd
    ON pd.day = t.authorisation_date
