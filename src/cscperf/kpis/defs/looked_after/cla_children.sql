-- Children looked after at the period end: one member per child with a
-- non-short-break episode open at d (decom <= d and (dec is null or dec > d)).
-- event_date is the DECOM of the child's open episode.
-- cla_stock holds the children looked after at each period end (built once per run).
SELECT
    s.la_code,
    p.period_id,
    s.child_id AS subject_id,
    s.decom AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cla_stock AS s
JOIN periods AS p
    ON p.period_end = s.period_end
