-- A2 (adoption scorecard, 3 years): children adopted in the 36 months ending at the
-- period end (DEC > period_end - 36 months; the child's last cessation in that window,
-- as adoption_a1_days_3yr, with REC E11/E12), whatever the period type. Each member's
-- num is its wait from court authority (first E1 or D1 episode in the period of care)
-- to the AD1 DATE_MATCH, 0 when matched before the authority; only children placed for
-- adoption (PLACE A3-A6) before the order are measured (see adoption_a2_waits).
WITH ceased AS (
    SELECT
        e.la_code,
        p.period_id,
        e.child_id,
        e.decom,
        e.dec,
        e.rec,
        ROW_NUMBER() OVER (
            PARTITION BY e.la_code, p.period_id, e.child_id
            ORDER BY e.dec DESC, e.decom DESC
        ) AS rn
    FROM cla_cessations AS e
    JOIN periods AS p
        ON e.dec > p.period_end - INTERVAL 36 MONTH
        AND e.dec <= p.period_end
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.dec AS event_date,
    CAST(w.wait_days AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM ceased AS c
JOIN adoption_a2_waits AS w
    ON w.la_code = c.la_code
    AND w.child_id = c.child_id
    AND w.decom = c.decom
WHERE c.rn = 1
    AND c.rec IN ('E11', 'E12')
