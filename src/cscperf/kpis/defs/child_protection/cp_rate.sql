-- CP plan rate: the stock of children on a plan at the period end d (cp_stock, as
-- cp_children, never an R12 count), divided by the child population by the engine.
SELECT
    s.la_code,
    s.period_id,
    s.child_id AS subject_id,
    s.start_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cp_stock AS s
