-- Second or subsequent plans: of plans started in the period, those whose child had
-- an earlier plan, however long ago: an earlier cp_plans row in the data, or
-- NumberOfPreviousCPP > 0 on this plan. The earlier plan need not have ended.
WITH flagged AS (
    SELECT
        la_code,
        child_id,
        start_date,
        previous_plans,
        LAG(start_date) OVER (
            PARTITION BY la_code, child_id ORDER BY start_date
        ) AS earlier_start
    FROM cp_plans
)
SELECT
    f.la_code,
    pd.period_id,
    f.child_id AS subject_id,
    f.start_date AS event_date,
    CAST(
        CASE
            WHEN f.earlier_start IS NOT NULL OR f.previous_plans > 0 THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM flagged AS f
JOIN period_days AS pd
    ON pd.day = f.start_date
