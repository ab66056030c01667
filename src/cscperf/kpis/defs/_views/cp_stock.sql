-- cp_stock: the children on a child protection plan at each period end d of
-- the KPI, one row per child.
--
-- Why: cp_children (the count) and cp_rate (per 10,000) are the same stock.
--
-- A plan is open at d when start <= d and (end is null or end > d); a plan
-- ending on d is not open at d. A child with several open plans is carried by
-- the earliest open plan: a plan represents its child at d when no earlier plan
-- of the child is open at d (every earlier plan ended on or before d). Worked
-- out per plan with a window, this avoids grouping millions of (period, child)
-- rows.
-- Columns: la_code, period_id, child_id, start_date (of the representing plan).
WITH plans AS (
    SELECT
        la_code,
        child_id,
        start_date,
        COALESCE(end_date, DATE '9999-12-31') AS open_until,
        MAX(COALESCE(end_date, DATE '9999-12-31')) OVER (
            PARTITION BY la_code, child_id
            ORDER BY start_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS earlier_open_until
    FROM cp_plans
)
SELECT c.la_code, p.period_id, c.child_id, c.start_date
FROM plans AS c
JOIN periods AS p
    ON c.start_date <= p.period_end
    AND c.open_until > p.period_end
    AND (c.earlier_open_until IS NULL OR c.earlier_open_until <= p.period_end)
