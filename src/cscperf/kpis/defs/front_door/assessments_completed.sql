-- Assessments completed: one member per assessment whose authorisation date falls
-- in the period (assessments not yet authorised are not completed).
SELECT
    a.la_code,
    pd.period_id,
    a.child_id AS subject_id,
    a.authorisation_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM assessments AS a
JOIN period_days AS pd
    ON pd.day = a.authorisation_date
