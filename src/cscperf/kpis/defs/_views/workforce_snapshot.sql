-- workforce_snapshot: the social work posts of each LA at each period's snapshot.
--
-- Why: the workforce indicators (agency rate, vacancy rate, caseload, agency cost
-- premium) all read "the period's snapshot"; one definition keeps them on the same one.
--
-- The snapshot used for a period is the latest snapshot_date inside
-- [period_start, period_end]; a period with no snapshot has no rows (so its
-- indicators are null).
-- Columns: every sw_workforce column, plus period_id.
WITH snap AS (
    SELECT w.la_code, p.period_id, MAX(w.snapshot_date) AS snapshot_date
    FROM sw_workforce AS w
    JOIN periods AS p
        ON w.snapshot_date BETWEEN p.period_start AND p.period_end
    GROUP BY w.la_code, p.period_id
)
SELECT w.*, s.period_id
FROM snap AS s
JOIN sw_workforce AS w
    ON w.la_code = s.la_code
    AND w.snapshot_date = s.snapshot_date
