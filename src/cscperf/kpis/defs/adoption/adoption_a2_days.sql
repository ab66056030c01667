-- A2 (adoption scorecard, 3 years): children adopted in the 36 months ending at the
-- period end (DEC > period_end - 36 months; the child's last cessation in that window,
-- cla_adoptions span 3yr, as adoption_a1_days_3yr), whatever the period type. Each member's
-- num is its wait from court authority (first E1 or D1 episode in the period of care)
-- to the AD1 DATE_MATCH, 0 when matched before the authority; only children placed for
-- adoption (PLACE A3-A6) before the order are measured (see adoption_a2_waits).
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
WHERE c.span = '3yr'
