-- Children starting care in the period: one member per child with a
-- non-short-break episode whose RNE is S and whose DECOM is in the period
-- (both ends inclusive). event_date is the child's first such start.
SELECT
    e.la_code,
    p.period_id,
    e.child_id AS subject_id,
    MIN(e.decom) AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cla_episodes_nsb AS e
JOIN periods AS p
    ON e.decom >= p.period_start
    AND e.decom <= p.period_end
WHERE e.rne = 'S'
GROUP BY e.la_code, p.period_id, e.child_id
