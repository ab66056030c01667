-- Plans ended that lasted 2+ years: of plans ending in the period, those lasting
-- more than 729 days counting the day of cessation (DfE: "more than 729 calendar
-- days including days of cessation"), i.e. end - start >= 729 days (written as
-- end >= start + 729 days to stay portable).
SELECT
    c.la_code,
    pd.period_id,
    c.child_id AS subject_id,
    c.end_date AS event_date,
    CAST(
        CASE WHEN c.end_date >= c.start_date + INTERVAL 729 DAY THEN 1 ELSE 0 END
        AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cp_plans AS c
JOIN period_days AS pd
    ON pd.day = c.end_date
