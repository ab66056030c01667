-- CP plans ended: one member per plan whose end date falls in the period.
SELECT
    c.la_code,
    pd.period_id,
    c.child_id AS subject_id,
    c.end_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cp_plans AS c
JOIN period_days AS pd
    ON pd.day = c.end_date
