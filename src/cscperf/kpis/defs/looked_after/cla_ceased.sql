-- Children ceasing to be looked after in the period: one member per child
-- with a non-short-break episode whose DEC is in the period and whose REC is
-- neither blank nor X1 (X1 = episode ends but the child stays looked after).
-- event_date is the child's last such cessation in the period (cla_ceasing,
-- shared with adoptions and adoptions_pct).
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.dec AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cla_ceasing AS c
