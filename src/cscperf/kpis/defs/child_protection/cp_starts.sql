-- CP plans started: one member per plan (cp_plans row) whose start falls in the period.
SELECT
    c.la_code,
    pd.period_id,
    c.child_id AS subject_id,
    c.start_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cp_plans AS c
JOIN period_days AS pd
    ON pd.day = c.start_date
