-- Children looked after at the period end: one member per child with a
-- non-short-break episode open at d (decom <= d and (dec is null or dec > d)).
-- event_date is the DECOM of the child's open episode.
SELECT
    e.la_code,
    p.period_id,
    e.child_id AS subject_id,
    MAX(e.decom) AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cla_episodes_nsb AS e
JOIN periods AS p
    ON e.decom <= p.period_end
    AND (e.dec IS NULL OR e.dec > p.period_end)
GROUP BY e.la_code, p.period_id, e.child_id
