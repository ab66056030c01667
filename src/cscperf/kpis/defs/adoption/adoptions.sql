-- Children adopted: children whose last cessation in the period, as in cla_ceased (a
-- non-V3/V4 episode with DEC in the period and REC neither blank nor X1; the child's
-- latest such DEC is kept), has REC E11 or E12. So adoptions are a subset of cla_ceased.
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
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM ceased AS c
WHERE c.rn = 1
    AND c.rec IN ('E11', 'E12')
