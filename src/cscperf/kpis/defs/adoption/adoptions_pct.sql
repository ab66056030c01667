-- Adopted, % of children ceasing care: every child ceasing care in the period as in
-- cla_ceased (last non-V3/V4 cessation in the period with REC neither blank nor X1) is a
-- member; the numerator counts those whose last cessation has REC E11 or E12.
WITH ceased AS (
    SELECT
        e.la_code,
        p.period_id,
        e.child_id,
        e.dec,
        e.rec,
        ROW_NUMBER() OVER (
            PARTITION BY e.la_code, p.period_id, e.child_id
            ORDER BY e.dec DESC, e.decom DESC
        ) AS rn
    FROM cla_episodes_nsb AS e
    JOIN periods AS p
        ON e.dec BETWEEN p.period_start AND p.period_end
    WHERE e.rec IS NOT NULL
        AND e.rec NOT IN ('', 'X1')
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.dec AS event_date,
    CAST(CASE WHEN c.rec IN ('E11', 'E12') THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM ceased AS c
WHERE c.rn = 1
