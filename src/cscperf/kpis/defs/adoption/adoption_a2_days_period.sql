-- A2 over the period only (reported beside the scorecard's 3-year adoption_a2_days):
-- children adopted in the period (cla_adoptions, span period: last cessation as in
-- cla_ceased, REC E11/E12), the wait from court authority to match as adoption_a2_waits defines it.
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.dec AS event_date,
    CAST(w.wait_days AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cla_adoptions AS c
JOIN adoption_a2_waits AS w
    ON w.la_code = c.la_code
    AND w.child_id = c.child_id
    AND w.decom = c.decom
WHERE c.span = 'period'
