-- Agency social workers (%): at the period's snapshot, agency FTE / (agency + employed FTE),
-- as the DfE workforce census computes agency_rate_fte. The snapshot used for a period is
-- the latest snapshot_date inside [period_start, period_end]; a period with no snapshot has
-- no members (value null). Vacant posts are not in the denominator.
WITH snap AS (
    SELECT w.la_code, p.period_id, MAX(w.snapshot_date) AS snapshot_date
    FROM sw_workforce AS w
    JOIN periods AS p
        ON w.snapshot_date BETWEEN p.period_start AND p.period_end
    GROUP BY w.la_code, p.period_id
)
SELECT
    w.la_code,
    s.period_id,
    w.post_id AS subject_id,
    w.snapshot_date AS event_date,
    CAST(CASE WHEN w.status = 'agency' THEN w.fte ELSE 0 END AS DOUBLE) AS num,
    CAST(w.fte AS DOUBLE) AS den
FROM snap AS s
JOIN sw_workforce AS w
    ON w.la_code = s.la_code
    AND w.snapshot_date = s.snapshot_date
WHERE w.status IN ('agency', 'employed')
