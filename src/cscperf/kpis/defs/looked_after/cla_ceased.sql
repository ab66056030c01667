-- Children ceasing to be looked after in the period: one member per child
-- with a non-short-break episode whose DEC is in the period and whose REC is
-- neither blank nor X1 (X1 = episode ends but the child stays looked after).
-- event_date is the child's last such cessation in the period (the one the
-- catalogue keeps; adoptions reuses the same rule).
SELECT
    e.la_code,
    p.period_id,
    e.child_id AS subject_id,
    MAX(e.dec) AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cla_episodes_nsb AS e
JOIN periods AS p
    ON e.dec >= p.period_start
    AND e.dec <= p.period_end
WHERE e.rec IS NOT NULL
    AND e.rec <> ''
    AND e.rec <> 'X1'
GROUP BY e.la_code, p.period_id, e.child_id
