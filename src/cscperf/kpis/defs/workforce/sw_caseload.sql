-- Average caseload: cases held / FTE of case-holding social workers (employed and agency)
-- at the period's snapshot, the latest snapshot_date inside [period_start, period_end], as
-- the DfE workforce census computes caseload_fte. Each case-holding post is a member with
-- num = its cases and den = its FTE; a post whose cases_held is unknown is left out of both
-- so that a missing count does not dilute the average. Vacant posts hold no cases.
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
    CAST(w.cases_held AS DOUBLE) AS num,
    CAST(w.fte AS DOUBLE) AS den
FROM snap AS s
JOIN sw_workforce AS w
    ON w.la_code = s.la_code
    AND w.snapshot_date = s.snapshot_date
WHERE w.status IN ('agency', 'employed')
    AND w.case_holding
    AND w.cases_held IS NOT NULL
