-- Open plans lasting 2+ years: of plans open at the period end d (start <= d and
-- (end null or end > d)), those with d - start >= 730 days. Members are plans, so
-- a child with two open plans contributes two.
SELECT
    c.la_code,
    p.period_id,
    c.child_id AS subject_id,
    c.start_date AS event_date,
    CAST(
        CASE WHEN p.period_end >= c.start_date + INTERVAL 730 DAY THEN 1 ELSE 0 END
        AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cp_plans AS c
JOIN periods AS p
    ON c.start_date <= p.period_end
    AND (c.end_date IS NULL OR c.end_date > p.period_end)
