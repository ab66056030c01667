-- Return home interviews accepted (local). Members: missing incidents (903
-- MISSING = 'M') whose MIS_END is in the period and whose return_interviews
-- row says an interview was offered (den = 1); num = 1 when the child accepted
-- it. An offered interview with acceptance not recorded counts as not accepted.
SELECT
    m.la_code,
    p.period_id,
    m.child_id AS subject_id,
    m.mis_end AS event_date,
    CAST(CASE WHEN r.accepted THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM missing AS m
JOIN periods AS p
    ON m.mis_end >= p.period_start
    AND m.mis_end <= p.period_end
JOIN return_interviews AS r
    ON r.la_code = m.la_code
    AND r.child_id = m.child_id
    AND r.mis_start = m.mis_start
WHERE m.missing = 'M' AND r.offered
