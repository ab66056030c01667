-- Initial health assessments within 20 working days of starting care (local).
-- Members: rows of the local health_assessments table with care_start_date in
-- the period and an iha_date recorded (den = 1); num = 1 when
-- wd(care_start_date, iha_date) <= 20, via the calendar (England bank holidays
-- are not working days; an IHA on or before the start day is 0 WD).
SELECT
    h.la_code,
    p.period_id,
    h.child_id AS subject_id,
    h.care_start_date AS event_date,
    CAST(
        CASE
            WHEN GREATEST(ci.working_day_number - cs.working_day_number, 0) <= 20 THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM health_assessments AS h
JOIN periods AS p
    ON h.care_start_date >= p.period_start
    AND h.care_start_date <= p.period_end
JOIN calendar AS cs
    ON cs.date = h.care_start_date
JOIN calendar AS ci
    ON ci.date = h.iha_date
WHERE h.iha_date IS NOT NULL
