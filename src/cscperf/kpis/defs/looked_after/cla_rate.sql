-- Looked-after children per 10,000 children: the members are exactly those of
-- cla_children (a stock at the period end); the engine divides their count by
-- the LA's 0-17 population. A stock needs no R12 window: the count at the
-- period end is the same whatever the period length.
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
