-- Children on a CP plan: one member per child with a plan open at the period end d
-- (cp_stock: start <= d and (end is null or end > d); a plan ending on d is not
-- open at d; a child with several open plans counts once, by the earliest).
SELECT
    s.la_code,
    s.period_id,
    s.child_id AS subject_id,
    s.start_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cp_stock AS s
