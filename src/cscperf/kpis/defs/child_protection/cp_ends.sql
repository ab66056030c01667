-- CP plans ended: one member per plan whose end date falls in the period.
WITH period_days AS (
    -- every day of every period: joining events on their date is an equality
    -- (hash) join, ~15x faster than a range join on the period bounds
    SELECT p.period_id, c.date AS day
    FROM periods AS p
    JOIN calendar AS c
        ON c.date BETWEEN p.period_start AND p.period_end
)
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
