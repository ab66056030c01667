-- Missing incidents (MISSING = 'M') starting in the period, for children
-- looked after at some time in the period (a non-short-break episode with
-- DECOM <= period end and DEC blank or >= period start). One member per
-- distinct (child, MIS_START) incident; event_date = MIS_START.
SELECT
    m.la_code,
    p.period_id,
    m.child_id AS subject_id,
    m.mis_start AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM (
    SELECT DISTINCT la_code, child_id, mis_start
    FROM missing
    WHERE missing = 'M'
) AS m
JOIN periods AS p
    ON m.mis_start >= p.period_start
    AND m.mis_start <= p.period_end
WHERE EXISTS (
    SELECT 1
    FROM cla_episodes_nsb AS e
    WHERE e.la_code = m.la_code
        AND e.child_id = m.child_id
        AND e.decom <= p.period_end
        AND (e.dec IS NULL OR e.dec >= p.period_start)
)
