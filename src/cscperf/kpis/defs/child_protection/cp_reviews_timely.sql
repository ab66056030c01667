-- CP reviews in timescale. Cohort: children on a plan at the period end d whose plan
-- started on or before d - 3 months. A qualifying plan passes when every review up
-- to d was on time (first <= start + 3 months, each later <= previous + 6 months) and
-- it is not overdue at d (d <= last review + 6 months, or start + 3 months before any
-- review). A child passes only if all their qualifying plans pass.
--
-- Worked out once per plan, not per period: walk the plan's steps (its start, then
-- each review), each with the date the next review is due. A step whose next review
-- came after that due date (or has not come yet) makes the plan fail from the day
-- after the due date for ever: first overdue, then with a late review on record.
-- So the plan passes at d exactly when d <= its deadline, the earliest such due date.
-- Reviews belong to a plan through (la_code, child_id, plan_start_date = start_date);
-- review dates before the plan start are data errors and are ignored.
WITH steps AS (
    SELECT
        la_code,
        child_id,
        start_date,
        start_date AS step_date,
        0 AS step_order,
        start_date + INTERVAL 3 MONTH AS next_due
    FROM cp_plans
    UNION ALL
    SELECT
        la_code,
        child_id,
        plan_start_date,
        review_date,
        1,
        review_date + INTERVAL 6 MONTH
    FROM cp_reviews
    WHERE review_date >= plan_start_date
),
timeline AS (
    SELECT
        la_code,
        child_id,
        start_date,
        next_due,
        LEAD(step_date) OVER (
            PARTITION BY la_code, child_id, start_date ORDER BY step_date, step_order
        ) AS next_step
    FROM steps
),
deadlines AS (
    SELECT la_code, child_id, start_date, MIN(next_due) AS deadline
    FROM timeline
    WHERE next_step IS NULL OR next_step > next_due
    GROUP BY la_code, child_id, start_date
),
plan_status AS (
    SELECT
        c.la_code,
        p.period_id,
        c.child_id,
        c.start_date,
        CASE WHEN p.period_end <= dl.deadline THEN 1 ELSE 0 END AS passes
    FROM cp_plans AS c
    JOIN deadlines AS dl
        ON dl.la_code = c.la_code
        AND dl.child_id = c.child_id
        AND dl.start_date = c.start_date
    JOIN periods AS p
        ON c.start_date <= p.period_end - INTERVAL 3 MONTH
        AND (c.end_date IS NULL OR c.end_date > p.period_end)
)
SELECT
    la_code,
    period_id,
    child_id AS subject_id,
    MIN(start_date) AS event_date,
    CAST(MIN(passes) AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM plan_status
GROUP BY la_code, period_id, child_id
