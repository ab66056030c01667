-- Children in need rate: the stock of children in need at the period end d (cin_stock,
-- as cin_children, never an R12 count), divided by the child population by the engine.
SELECT
    s.la_code,
    s.period_id,
    s.child_id AS subject_id,
    s.referral_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cin_stock AS s
