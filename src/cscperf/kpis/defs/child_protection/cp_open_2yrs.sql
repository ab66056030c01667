-- Open plans lasting 2+ years: of children on a plan at the period end d (start <= d
-- and (end null or end > d)), those whose plan has been open more than 729 days
-- counting d, i.e. d - start >= 729 days (written as d >= start + 729 days to stay
-- portable). Members are children, as in the DfE's d5: a child with two plans open
-- at once counts once, by the earlier start (the longest time on a plan).
SELECT
    c.la_code,
    p.period_id,
    c.child_id AS subject_id,
    MIN(c.start_date) AS event_date,
    CAST(
        CASE WHEN p.period_end >= MIN(c.start_date) + INTERVAL 729 DAY THEN 1 ELSE 0 END
        AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cp_plans AS c
JOIN periods AS p
    ON c.start_date <= p.period_end
    AND (c.end_date IS NULL OR c.end_date > p.period_end)
GROUP BY c.la_code, p.period_id, p.period_end, c.child_id
